// The WebAssembly arithmetic kernel (assembly/decimal.ts through src/numeric/arena.ts) against BigDecimal,
// the reference: every operation (the square root too), the tape's SUM/PROD/SNAP/SELECT/SQRT and text(),
// digit for digit (m, q and n, and the text) at precisions from 10 to 1000, on operands built to reach the
// corners of rounding: more digits than the precision, exponents far apart, sums that cancel, nines that
// carry to 10^P, ties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DecimalArena, EVENT_CAPACITY, Op, textTemplate } from '../src/numeric/arena.js';
import { bigDecimalClass, type BigDecimal } from '../src/numeric/bigdecimal.js';

const PRECISIONS = [10, 28, 50, 51, 100, 333, 1000];
type Ctor = new (m: bigint, q: number, n: number) => BigDecimal;
const ctorOf = (P: number) => bigDecimalClass(P) as unknown as Ctor & (new (x: string) => BigDecimal);

/** A value from a sign, a coefficient's digits (leading digit nonzero, or '' for zero) and q. */
function value(P: number, neg: boolean, digits: string, q: number): BigDecimal {
  const D = ctorOf(P);
  if (digits === '') return new D(0n, 0, 0);
  const m = BigInt(digits);
  return new D(neg ? -m : m, q, digits.length);
}

const same = (got: BigDecimal, want: BigDecimal) => {
  expect([got.m, got.q, got.n]).toEqual([want.m, want.q, want.n]);
};

/** Coefficient digits: random, all nines, a five then zeros (a tie), a one then zeros, trailing zeros. */
function digitsArb(maxLen: number): fc.Arbitrary<string> {
  const len = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: maxLen }), fc.constant(maxLen));
  const random = len.chain((n) =>
    fc.tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n - 1, maxLength: n - 1 }))
      .map(([d, rest]) => String(d) + rest.join('')));
  return fc.oneof(
    { weight: 6, arbitrary: random },
    { weight: 1, arbitrary: len.map((n) => '9'.repeat(n)) },
    { weight: 1, arbitrary: len.chain((n) => fc.constantFrom('5', '15', '25', '1', '95').map((h) => (h + '0'.repeat(n)).slice(0, Math.max(n, h.length)))) },
    { weight: 1, arbitrary: fc.tuple(random, fc.integer({ min: 1, max: 30 })).map(([d, z]) => (d + '0'.repeat(z)).slice(0, maxLen)) },
    { weight: 1, arbitrary: fc.constant('') },
  );
}

interface Operand { neg: boolean; digits: string; q: number }
function operandArb(P: number, qRange: number): fc.Arbitrary<Operand> {
  return fc.record({ neg: fc.boolean(), digits: digitsArb(P + 20), q: fc.integer({ min: -qRange, max: qRange }) });
}

/** Pairs: independent, exponents far apart, nearly equal (cancelling), and a tie-making pair. */
function pairArb(P: number): fc.Arbitrary<[Operand, Operand]> {
  const independent = fc.tuple(operandArb(P, 40), operandArb(P, 40));
  const farApart = fc.tuple(operandArb(P, 40), operandArb(P, 40), fc.integer({ min: -3 * P - 60, max: 3 * P + 60 }))
    .map(([a, b, d]): [Operand, Operand] => [a, { ...b, q: a.q + d }]);
  const cancelling = fc.tuple(operandArb(P, 40), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 10 ** 3 }), fc.boolean())
    .filter(([a]) => a.digits.length > 4)
    .map(([a, keep, tail, flip]): [Operand, Operand] => {
      // b: a's digits with the last few changed, so a - b (or a + -b) is a few digits or zero.
      const cut = a.digits.length - keep;
      const digits = a.digits.slice(0, cut) + String(tail).padStart(keep, '0').slice(-keep);
      return [a, { neg: flip ? !a.neg : a.neg, digits: digits.replace(/^0+/, '') === '' ? '' : digits, q: a.q }];
    });
  const tie = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 40 }), fc.boolean())
    .map(([d, q, neg]): [Operand, Operand] => [
      // P digits ending in d, plus a half unit of the last place: an exact tie.
      { neg, digits: '1' + '0'.repeat(P - 2) + String(d), q },
      { neg, digits: '5', q: q - 1 },
    ]);
  return fc.oneof({ weight: 3, arbitrary: independent }, { weight: 2, arbitrary: farApart }, { weight: 2, arbitrary: cancelling }, { weight: 1, arbitrary: tie });
}

const runs = (P: number) => (P >= 1000 ? 60 : P >= 333 ? 120 : 300);

/** Operands of a square root: any size and exponent (up to 2P + 30 digits, exponents up to 1e8 either
 *  way), exact squares, squares of P + 1 digits ending in 5 (a root exactly halfway between two of P
 *  digits: half to even decides) and one unit either side of them (the remainder decides), values near
 *  1 and near powers of ten, zero, negatives. */
function rootOperandArb(P: number): fc.Arbitrary<Operand> {
  const q = fc.oneof(fc.integer({ min: -3 * P - 60, max: 3 * P + 60 }), fc.integer({ min: -1e8, max: 1e8 }));
  const evenQ = q.map((k) => (k >> 1) * 2);
  const square = (root: string, k: number, delta: bigint): Operand => {
    const m = BigInt(root) ** 2n + delta;
    return { neg: false, digits: m === 0n ? '' : m.toString(), q: k };
  };
  const digitsUpTo = (n: number) => fc.integer({ min: 1, max: n }).chain((len) =>
    fc.tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: len - 1, maxLength: len - 1 }))
      .map(([d, rest]) => String(d) + rest.join('')));
  const any = fc.record({ neg: fc.boolean(), digits: digitsArb(2 * P + 30), q });
  const positive = fc.record({ neg: fc.constant(false), digits: digitsArb(2 * P + 30), q });
  const exact = fc.tuple(digitsArb(P + 5).filter((d) => d !== ''), evenQ).map(([r, k]) => square(r, k, 0n));
  const tie = fc.tuple(fc.oneof(fc.constant(''), digitsUpTo(P)), fc.integer({ min: 0, max: 2 }), fc.constantFrom(0n, 1n, -1n), evenQ)
    .map(([head, pad, delta, k]) => square('1' + (head + '0'.repeat(P)).slice(0, P - 1 + pad) + '5', k, delta));
  const nearOne = fc.tuple(fc.integer({ min: 1, max: 2 * P + 20 }), fc.integer({ min: 0, max: 999 }), fc.boolean(), fc.integer({ min: -3, max: 3 }))
    .map(([len, tail, below, shift]): Operand => {
      // 1 + tail units of the last place, or 0.99...9 (len nines) - tail units; times 10^(2 shift) or not.
      const top = 10n ** BigInt(len);
      const t = BigInt(tail) % (top - 1n);
      const m = below ? top - 1n - t : top + t;
      return { neg: false, digits: m.toString(), q: -len + shift };
    });
  return fc.oneof(
    { weight: 3, arbitrary: positive }, { weight: 1, arbitrary: any }, { weight: 2, arbitrary: exact },
    { weight: 2, arbitrary: tie }, { weight: 2, arbitrary: nearOne },
  );
}

/** The kink switch of src/graph/evaluate.ts snapped(), over BigDecimal, as the reference for SNAP; `seen`
 *  collects the ways it decided, so that a test can tell the cases were reached. */
function snappedReference(P: number, terms: Array<[1 | -1, BigDecimal]>, seen?: Set<string>): BigDecimal {
  const D = ctorOf(P);
  const zero = new D('0');
  const cancellation = (new D('10') as BigDecimal).pow(-(P - 10));
  let total: BigDecimal = zero;
  let largestE = -Infinity;
  for (const [sign, v] of terms) {
    total = sign > 0 ? total.plus(v) : total.minus(v);
    if (!v.isZero() && v.e > largestE) largestE = v.e;
  }
  if (total.isZero()) return seen?.add('total zero'), total;
  const gap = largestE - total.e - (P - 10);
  if (gap > 1) return seen?.add('far below'), zero;
  if (gap < -1) return seen?.add('far above'), total;
  let largest = zero;
  for (const [, v] of terms) if (v.abs().gt(largest)) largest = v.abs();
  const snapped = total.abs().lte(largest.times(cancellation));
  seen?.add(snapped ? 'measured, zero' : 'measured, kept');
  return snapped ? zero : total;
}

for (const P of PRECISIONS) {
  describe(`the kernel at precision ${P} is BigDecimal`, () => {
    const arena = new DecimalArena(P, P + 40, 16, 4096);

    it('add, sub, mul, div, neg, copy, cmp, isZero and text', () => {
      fc.assert(
        fc.property(pairArb(P), ([x, y]) => {
          const a = value(P, x.neg, x.digits, x.q);
          const b = value(P, y.neg, y.digits, y.q);
          arena.set(0, a);
          arena.set(1, b);
          same(arena.get(0), a);
          expect(arena.text(0)).toBe(a.toString());
          expect(arena.text(1)).toBe(b.toString());
          expect(arena.cmp(0, 1)).toBe(a.cmp(b));
          expect(arena.isZero(1)).toBe(b.isZero());
          const check = (slot: number, want: BigDecimal) => {
            same(arena.get(slot), want);
            expect(arena.text(slot)).toBe(want.toString());
          };
          arena.add(2, 0, 1); check(2, a.plus(b));
          arena.sub(3, 0, 1); check(3, a.minus(b));
          arena.sub(3, 1, 0); check(3, b.minus(a));
          arena.mul(4, 0, 1); check(4, a.times(b));
          arena.neg(5, 0); check(5, a.neg());
          arena.copy(6, 1); check(6, b);
          // A range copied at once: each slot its own value, whatever their sizes, the slot past it untouched.
          arena.set(10, a); arena.set(11, b); arena.set(12, a.times(b)); arena.set(15, b);
          arena.copyRange(13, 10, 2); check(13, a); check(14, b); check(15, b);
          arena.copyRange(12, 10, 1); check(12, a);
          // Pairs copied in one call, in order: a later pair reads what an earlier one wrote. Past the
          // room of the kernel's text area (a few hundred words here), one call per pair, the same.
          arena.set(10, a); arena.set(11, b); arena.set(12, b); arena.set(13, b);
          arena.copyPairs(Int32Array.from([12, 10, 13, 12, 10, 11])); check(12, a); check(13, a); check(10, b);
          const many = [...Array.from({ length: 2000 }, (_, k) => (k % 4 === 0 ? 14 : k % 4 === 1 ? 11 : k % 4 === 2 ? 15 : 14)), 14, 10];
          arena.set(10, a); arena.set(14, a); arena.set(15, a);
          arena.copyPairs(Int32Array.from(many)); check(14, a); check(15, b);
          if (b.isZero()) expect(arena.div(7, 0, 1)).toBe(false);
          else { expect(arena.div(7, 0, 1)).toBe(true); check(7, a.div(b)); }
          if (!a.isZero()) { expect(arena.div(7, 1, 0)).toBe(true); check(7, b.div(a)); }
          // Results written over an operand.
          arena.set(8, a); arena.set(9, b);
          arena.add(8, 8, 9); check(8, a.plus(b));
          arena.set(8, a); arena.mul(9, 8, 9); check(9, a.times(b));
          arena.set(8, a); arena.mul(8, 8, 8); check(8, a.times(a));
        }),
        { numRuns: runs(P) },
      );
    });

    it('sqrt, correctly rounded, and handed back for a negative value (alone and on the tape)', () => {
      // Slots made for roots of values of 2P + 30 digits and more (inputs may be longer than P).
      const roots = new DecimalArena(P, 2 * P + 40, 8, 64);
      const sentinel = value(P, false, '7', 3);
      const seen = new Set<string>();
      fc.assert(
        fc.property(rootOperandArb(P), (x) => {
          const a = value(P, x.neg, x.digits, x.q);
          roots.set(0, a);
          roots.set(1, sentinel);
          roots.set(2, a);
          const tape = roots.tape;
          tape.set([Op.SQRT, 3, 0, Op.SQRT, 2, 2]);
          if (a.isNegative()) {
            seen.add('negative');
            expect(a.sqrt().isNaN()).toBe(true);
            expect(roots.sqrt(1, 0)).toBe(false);
            same(roots.get(1), sentinel);
            expect(roots.exec(0, 6)).toBe(0);
            expect(roots.exec(3, 6)).toBe(3);
            same(roots.get(2), a);
            return;
          }
          const want = a.sqrt();
          seen.add(a.isZero() ? 'zero' : want.times(want).eq(a) ? 'exact' : 'rounded');
          expect(roots.sqrt(1, 0)).toBe(true);
          same(roots.get(1), want);
          expect(roots.text(1)).toBe(want.toString());
          // On the tape, and written over its operand.
          expect(roots.exec(0, 6)).toBe(6);
          same(roots.get(3), want);
          same(roots.get(2), want);
          same(roots.get(0), a);
        }),
        { numRuns: 2 * runs(P) },
      );
      expect([...seen].sort()).toEqual(['exact', 'negative', 'rounded', 'zero']);
    });

    it('SUM, PROD, SNAP, SELECT and SQR on the tape', () => {
      const seen = new Set<string>();
      const terms = fc.array(operandArb(P, 30), { minLength: 4, maxLength: 5 });
      fc.assert(
        fc.property(terms, fc.array(fc.constantFrom<1 | -1>(1, -1), { minLength: 5, maxLength: 5 }), (ops, signs) => {
          const vals = ops.map((o) => value(P, o.neg, o.digits, o.q));
          vals.forEach((v, i) => arena.set(i, v));
          const tape = arena.tape;
          let w = 0;
          const sumAt = w;
          tape[w++] = Op.SUM; tape[w++] = 10; tape[w++] = vals.length; for (let i = 0; i < vals.length; i++) tape[w++] = i;
          tape[w++] = Op.PROD; tape[w++] = 11; tape[w++] = vals.length; for (let i = 0; i < vals.length; i++) tape[w++] = i;
          const snapAt = w;
          tape[w++] = Op.SNAP; tape[w++] = 12; tape[w++] = vals.length; for (let i = 0; i < vals.length; i++) { tape[w++] = signs[i]!; tape[w++] = i; }
          tape[w++] = Op.SELECT; tape[w++] = 13; tape[w++] = 0; tape[w++] = 1; tape[w++] = 2; tape[w++] = 3;
          tape[w++] = Op.SQR; tape[w++] = 14; tape[w++] = 1;
          arena.clearEvents();
          expect(arena.exec(0, w)).toBe(w);
          expect(sumAt).toBe(0);
          const sum = vals.slice(1).reduce((s, v) => s.plus(v), vals[0]!);
          let prod = vals[0]!.times(vals[1]!);
          for (const v of vals.slice(2)) prod = prod.times(v);
          const snap = snappedReference(P, vals.map((v, i) => [signs[i]!, v]), seen);
          const x = vals[0]!;
          const selected = x.isZero() ? vals[2]! : x.isNegative() ? vals[3]! : vals[1]!;
          same(arena.get(10), sum);
          same(arena.get(11), prod);
          same(arena.get(12), snap);
          same(arena.get(13), selected);
          same(arena.get(14), vals[1]!.times(vals[1]!));
          expect([...arena.events()]).toEqual(snap.isZero() ? [snapAt] : []);
        }),
        { numRuns: Math.ceil(runs(P) / 2) },
      );
      // Terms that nearly cancel, where SNAP measures: t1, t2, -(t1 + t2) and a residue near
      // |t1| * 10^-(P-10).
      const kink = fc.tuple(operandArb(P, 30), operandArb(P, 30), digitsArb(P + 5), fc.integer({ min: -4, max: 4 }), fc.boolean())
        .filter(([t1]) => t1.digits !== '')
        .map(([t1, t2, r, shift, rneg]) => ({ t1, t2, r, shift, rneg }));
      fc.assert(
        fc.property(kink, (k) => {
          const tape = arena.tape;
          const t1 = value(P, k.t1.neg, k.t1.digits, k.t1.q);
          const t2 = value(P, k.t2.neg, k.t2.digits, k.t2.q);
          const t3 = t1.plus(t2);
          const r = k.r === '' ? value(P, false, '', 0) : value(P, k.rneg, k.r, t1.e - (P - 10) + k.shift - (k.r.length - 1));
          [t1, t2, t3, r].forEach((v, i) => arena.set(i, v));
          let w = 0;
          tape[w++] = Op.SNAP; tape[w++] = 12; tape[w++] = 4;
          for (const [s, i] of [[1, 0], [1, 1], [-1, 2], [1, 3]]) { tape[w++] = s!; tape[w++] = i!; }
          arena.clearEvents();
          expect(arena.exec(0, w)).toBe(w);
          const want = snappedReference(P, [[1, t1], [1, t2], [-1, t3], [1, r]], seen);
          same(arena.get(12), want);
          expect(arena.eventCount()).toBe(want.isZero() ? 1 : 0);
        }),
        { numRuns: 200 },
      );
      // Every way the switch decides was reached (at precision 10 the threshold is the largest term itself,
      // which a sum of these terms rarely exceeds).
      const ways = ['total zero', 'far below', 'measured, zero', ...(P > 10 ? ['far above', 'measured, kept'] : [])];
      expect([...seen].filter((w) => ways.includes(w)).sort()).toEqual(ways.sort());
    });
  });
}

describe('the kernel by hand', () => {
  const P = 10;
  const D = ctorOf(P);
  const arena = new DecimalArena(P, 40, 8, 256);
  const run = (op: 'add' | 'sub' | 'mul' | 'div', x: string, y: string): string => {
    arena.set(0, new D(x));
    arena.set(1, new D(y));
    arena[op](2, 0, 1);
    return arena.text(2);
  };

  it('rounds half to even, carries to a new digit, and nudges a far term', () => {
    expect(run('div', '1', '3')).toBe('0.3333333333');
    expect(run('div', '2', '3')).toBe('0.6666666667');
    expect(run('add', '12345678905', '0')).toBe('12345678900');
    expect(run('add', '12345678915', '0')).toBe('12345678920');
    expect(run('add', '0', '-12345678925')).toBe('-12345678920');
    expect(run('add', '9999999999.5', '0')).toBe('10000000000');
    expect(run('add', '9999999999', '1')).toBe('10000000000');
    expect(run('mul', '99999', '100001')).toBe('9999999999');
    expect(run('mul', '99999.5', '100000.5')).toBe('10000000000');
    // 1.0000000005 is a tie; a term 1e-9000 below decides it, by its sign.
    expect(run('add', '1.0000000005', '1e-9000')).toBe('1.000000001');
    expect(run('sub', '1.0000000005', '1e-9000')).toBe('1');
    expect(run('add', '1.5', '1e-9000')).toBe('1.5');
    expect(run('sub', '0.3', '0.3')).toBe('0');
    expect(run('div', '1', '8')).toBe('0.125');
    expect(run('div', '-1', '7')).toBe('-0.1428571429');
  });

  it('takes square roots as BigDecimal does: exact ones with P digits, ties to even, negatives handed back', () => {
    const root = (x: string): string => {
      arena.set(0, new D(x));
      arena.set(1, new D('7'));
      if (!arena.sqrt(1, 0)) return 'handed back';
      const got = arena.get(1);
      same(got, new D(x).sqrt());
      return `${arena.text(1)} ${got.m}e${got.q}`;
    };
    expect(root('2')).toBe('1.414213562 1414213562e-9');
    expect(root('4')).toBe('2 2000000000e-9');
    expect(root('0.01')).toBe('0.1 1000000000e-10');
    expect(root('1e-9999')).toBe('3.16227766e-5000 3162277660e-5009');
    expect(root('0')).toBe('0 0e0');
    expect(root('-4')).toBe('handed back');
    expect(arena.text(1)).toBe('7');
    // An exponent at the bottom of a slot's range, where the scaling would wrap: left to BigDecimal.
    expect(root('4e-2147483640')).toBe('handed back');
    expect(root('4e-2147483000').split(' ')[1]).toBe('2000000000e-1073741509');
    // 12345678905^2 = 152415787625361999025: its root is a tie at 10 digits, to even (down); one unit
    // more, the remainder makes it up; the next tie, 12345678915^2, rounds up to even.
    expect(root('152415787625361999025')).toBe('12345678900 1234567890e1');
    expect(root('152415787625361999026')).toBe('12345678910 1234567891e1');
    expect(root('152415787625361999024')).toBe('12345678900 1234567890e1');
    expect(root('152415787872275577225')).toBe('12345678920 1234567892e1');
    // All nines rounding to a power of ten: sqrt(99999999999999999999) = 9999999999.99999...
    expect(root('99999999999999999999')).toBe('10000000000 1000000000e1');
  });

  it('fills a template with values\' text in one call, or a call per value where the template has no room', () => {
    const values = ['1.5', '-0.000123', '1e+25', '0', '12345.6789'];
    const pieces = ['{"a":"', '","b":"', '","c":"', '","d":"', '","e":"', '"}'];
    // Holes in another order than the slots', one slot twice.
    const offsets = [4, 0, 2, 2, 1];
    const template = textTemplate(pieces, offsets)!;
    const expected = (a: DecimalArena) => pieces.map((p, i) => p + (i < offsets.length ? a.text(3 + offsets[i]!) : '')).join('');
    const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('latin1') : undefined);
    // Room for the text and the template (the kernel's loop), for the text alone (the loop here), and for
    // less than the text (none).
    const most = template.bytes + offsets.length * new DecimalArena(P, 40, 8, 256).valueTextBytes;
    for (const [room, filled] of [[most + template.packed.length + 64, true], [most, true], [most - 40, false]] as const) {
      const a = new DecimalArena(P, 40, 8, 256, room);
      values.forEach((v, i) => a.set(3 + i, new D(v)));
      expect(text(a.fillBytes(3, template)), String(room)).toBe(filled ? expected(a) : undefined);
      if (filled) expect(a.fill(3, template)).toBe(expected(a));
    }
  });

  it('writes text as decimal.js does', () => {
    const cases: Array<[string, string]> = [
      ['1e21', '1e+21'], ['1e20', '100000000000000000000'], ['1e-7', '1e-7'], ['1.5e-7', '1.5e-7'],
      ['0.000001', '0.000001'], ['-0.00012', '-0.00012'], ['120.500', '120.5'], ['-123456789012345678901234567890', '-1.2345678901234567890123456789e+29'],
      ['0', '0'], ['-0', '0'], ['1.10000000000', '1.1'], ['5e-1000', '5e-1000'],
      // Exponents of ten digits (a slot's exponent goes to about 2^31).
      ['3e-1500000000', '3e-1500000000'], ['-7.25e+2000000001', '-7.25e+2000000001'], ['1e999999999', '1e+999999999'], ['1e1000000000', '1e+1000000000'],
    ];
    for (const [x, want] of cases) {
      arena.set(0, new D(x));
      expect(arena.text(0)).toBe(want);
      expect(new D(x).toString()).toBe(want);
    }
  });

  it('SNAP compares with the largest term rounded, as snapped() does through a rounded product', () => {
    // At precision 10 the threshold is the largest |term| itself. 12345678906 rounds to 12345678910, the
    // total: equal to the rounded term, so zero (measured exactly against 12345678906 it would be kept).
    arena.set(0, new D('12345678906'));
    arena.set(1, new D('0'));
    arena.tape.set([Op.SNAP, 2, 2, 1, 0, 1, 1]);
    arena.clearEvents();
    expect(arena.exec(0, 7)).toBe(7);
    expect(arena.text(2)).toBe('0');
    expect([...arena.events()]).toEqual([0]);
    expect(snappedReference(P, [[1, new D('12345678906')], [1, new D('0')]]).toString()).toBe('0');
  });

  it('takes values of as many digits as it was made for, exactly, and refuses others', () => {
    const digits = '9'.repeat(arena.limbs * 9);
    const wide = new D(`-${digits}e-3`);
    arena.set(0, wide);
    same(arena.get(0), wide);
    expect(arena.text(0)).toBe(wide.toString());
    expect(() => arena.set(0, new D(`${digits}1`))).toThrow(/does not fit/);
    expect(() => arena.set(0, new D('NaN'))).toThrow(/finite/);
    expect(() => arena.set(0, new D('-Infinity'))).toThrow(/finite/);
  });

  it('counts the SNAPs that gave zero past the buffer, and keeps the first', () => {
    arena.set(0, new D('2.5'));
    const tape = arena.tape;
    // 2.5 - 2.5: zero, an event at the SNAP's word index (3, after a MOV).
    tape.set([Op.MOV, 1, 0, Op.SNAP, 2, 2, 1, 0, -1, 1]);
    arena.clearEvents();
    for (let i = 0; i < EVENT_CAPACITY + 5; i++) expect(arena.exec(0, 10)).toBe(10);
    expect(arena.eventCount()).toBe(EVENT_CAPACITY + 5);
    const events = arena.events();
    expect(events.length).toBe(EVENT_CAPACITY);
    expect(events.every((e) => e === 3)).toBe(true);
    arena.clearEvents();
    expect(arena.events().length).toBe(0);
  });

  it('stops at a CALL and at a division by zero', () => {
    arena.set(0, new D('6'));
    arena.set(1, new D('4'));
    arena.set(2, new D('0'));
    const tape = arena.tape;
    const words = [
      Op.ADD, 3, 0, 1, // 0: 10
      Op.SUB, 4, 0, 1, // 4: 2
      Op.MUL, 5, 0, 1, // 8: 24
      Op.DIV, 6, 0, 1, // 12: 1.5
      Op.NEG, 7, 6, //    16: -1.5
      Op.CALL, 2, 99, 99, // 19
      Op.MOV, 3, 7, //    23
      Op.DIV, 3, 0, 2, // 26: stops
    ];
    tape.set(words);
    expect(arena.exec(0, words.length)).toBe(19);
    expect([3, 4, 5, 6, 7].map((s) => arena.text(s))).toEqual(['10', '2', '24', '1.5', '-1.5']);
    expect(arena.exec(23, words.length)).toBe(26);
    expect(arena.text(3)).toBe('-1.5');
    expect(arena.exec(0, 0)).toBe(0);
  });
});
