// BigDecimal, the working arithmetic of a run, against decimal.js: at every precision, every operation
// must give decimal.js's digits exactly (same precision, ROUND_HALF_EVEN), including ties, carries into a
// new decade, cancellation, operands longer than the precision and far-apart exponents.
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import fc from 'fast-check';
import { bigDecimalClass, BigDecimal } from '../src/numeric/bigdecimal.js';
import { fastExp, fastLn, fastSigmoid, fastSoftplus, fastTanh } from '../src/numeric/fast.js';
import { run, type Trace } from '../src/graph/run.js';
import { generator } from '../bench/workloads.js'; // a small deterministic xorshift
import { allSpecs, type SpecFile } from './helpers/specs.js';

/** Operand texts of the shapes that exercise rounding: random digits, runs of 9s and 0s, exact halves. */
function operands(P: number, r: () => number): string[] {
  const int = (n: number) => Math.floor(r() * n);
  const digits = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? 1 + int(9) : int(10))).join('');
  const out: string[] = ['0', '1', '-1', '0.5', '-0.5', '10', '0.1', '1e-8'];
  const shapes: Array<() => string> = [
    () => digits(1 + int(P + 12)),
    () => '9'.repeat(1 + int(P + 2)),
    () => '1' + '0'.repeat(int(P + 2)) + (r() < 0.5 ? '1' : ''),
    () => digits(P) + '5', // a tie when rounded to P digits
    () => digits(P - 1) + '5' + '0'.repeat(int(3)),
    () => digits(1 + int(6)),
  ];
  for (let i = 0; i < 160; i++) {
    const body = shapes[int(shapes.length)]!();
    const exp = r() < 0.1 ? int(1200) - 600 : int(60) - 30;
    out.push(`${r() < 0.5 ? '-' : ''}${body}e${exp}`);
  }
  return out;
}

describe('BigDecimal against decimal.js', () => {
  for (const P of [10, 20, 50, 61, 137]) {
    it(`gives decimal.js's digits for + - * / and comparisons at precision ${P}`, () => {
      const D = Decimal.clone({ precision: P, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -7, toExpPos: 21 });
      const B = bigDecimalClass(P);
      const r = generator(P * 7919);
      const texts = operands(P, r);
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < 1500; i++) pairs.push([texts[Math.floor(r() * texts.length)]!, texts[Math.floor(r() * texts.length)]!]);
      // Near-cancellation: a and a nudged in its last digits.
      for (const t of texts.slice(0, 60)) pairs.push([t, new D(t).plus(new D(t).abs().times('1e-' + (P - 1 + Math.floor(r() * 4)))).toString()]);
      let compared = 0;
      for (const [x, y] of pairs) {
        const [dx, dy] = [new D(x), new D(y)];
        const [bx, by] = [new B(x), new B(y)];
        expect(bx.toString(), x).toBe(dx.toString());
        for (const op of ['plus', 'minus', 'times', 'div'] as const) {
          if (op === 'div' && dy.isZero()) continue;
          const want = dx[op](dy).toString();
          expect(bx[op](by).toString(), `${x} ${op} ${y}`).toBe(want);
          compared++;
        }
        expect(bx.cmp(by), `${x} cmp ${y}`).toBe(dx.cmp(dy));
        expect(bx.isInteger(), `${x} isInteger`).toBe(dx.isInteger());
        expect(bx.e, `${x} e`).toBe(dx.e);
      }
      expect(compared).toBeGreaterThan(6000);
    });
  }

  it('keeps every digit of a value read from text, and rounds it only in an operation', () => {
    const B = bigDecimalClass(10);
    const long = new B('1.23456789012345678901');
    expect(long.toString()).toBe('1.23456789012345678901');
    expect(long.plus(0).toString()).toBe('1.23456789'); // 1.234567890: ten digits, the last a zero
    expect(new B('0.1').times(3).toString()).toBe('0.3');
  });

  it('rounds exact ties to even and carries into a new decade', () => {
    const B2 = bigDecimalClass(2);
    expect(new B2('1.25').plus(0).toString()).toBe('1.2');
    expect(new B2('1.35').plus(0).toString()).toBe('1.4');
    const B = bigDecimalClass(3);
    expect(new B('9.995').plus(0).toString()).toBe('10');
    expect(new B('999').plus('0.5').toString()).toBe('1000');
    expect(new B('1').div(3).toString()).toBe('0.333');
    expect(new B('2').div(3).toString()).toBe('0.667');
    // A term too small to matter still decides a tie: 1.005 + 1e-900 rounds up, 1.005 - 1e-900 down.
    expect(new B('1.005').plus('1e-900').toString()).toBe('1.01');
    expect(new B('1.005').minus('1e-900').toString()).toBe('1');
    expect(new B('1').minus('1e-900').toString()).toBe('1');
  });

  it('follows decimal.js on division by zero and on the infinities', () => {
    const B = bigDecimalClass(20);
    expect(new B(1).div(0).toString()).toBe('Infinity');
    expect(new B(-1).div(0).toString()).toBe('-Infinity');
    expect(new B(0).div(0).isNaN()).toBe(true);
    expect(new B(1).div(0).isFinite()).toBe(false);
    expect(new B('Infinity').plus(1).toString()).toBe('Infinity');
  });

  it('hands the rarer operations to decimal.js at the same precision', () => {
    const D = Decimal.clone({ precision: 30, rounding: Decimal.ROUND_HALF_EVEN });
    const B = bigDecimalClass(30);
    expect(new B(2).sqrt().toString()).toBe(new D(2).sqrt().toString());
    expect(new B('1.5').pow('2.5').toString()).toBe(new D('1.5').pow('2.5').toString());
    expect(new B(10).pow(-20).toString()).toBe('1e-20');
  });

  it('is taken by decimal.js as one of its own values', () => {
    const B = bigDecimalClass(25);
    const x = new B('2.718281828459045235360287');
    expect(new Decimal('2.718281828459045235360287').eq(x as unknown as Decimal)).toBe(true);
    expect(x.toSignificantDigits(5).eq(x as unknown as Decimal)).toBe(false);
    expect(x.toSignificantDigits(5).toString()).toBe('2.7183');
    expect(x.toFixed(3)).toBe('2.718');
    expect(x instanceof BigDecimal).toBe(true);
  });

  it('gives the fast kernels the same results as decimal.js input does', () => {
    const r = generator(4242);
    for (const P of [12, 50, 90]) {
      const D = Decimal.clone({ precision: P, rounding: Decimal.ROUND_HALF_EVEN });
      const B = bigDecimalClass(P);
      for (let i = 0; i < 40; i++) {
        const t = `${r() < 0.5 ? '-' : ''}${(r() * 8).toFixed(1 + Math.floor(r() * 30))}`;
        const [d, b] = [new D(t), new B(t)];
        for (const k of [fastExp, fastTanh, fastSigmoid, fastSoftplus]) expect(k(b, B).toString(), `${k.name}(${t})`).toBe(k(d, D).toString());
        if (!d.isNegative() && !d.isZero()) expect(fastLn(b, B).toString()).toBe(fastLn(d, D).toString());
      }
    }
  });
});

describe('BigDecimal sqrt against decimal.js', () => {
  // Computed natively (an integer root of the scaled coefficient, rounded with its remainder as the
  // sticky bit), it must give decimal.js's correctly rounded digits: perfect squares (exact roots, and
  // roots that are exact ties at P digits), values a little either side of a square (the rounding
  // decided far down), long and short coefficients, odd and even exponents, tiny and huge ones.
  for (const P of [10, 50, 100, 1000]) {
    it(`gives decimal.js's digits at precision ${P}`, () => {
      const D = Decimal.clone({ precision: P, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -7, toExpPos: 21 });
      const B = bigDecimalClass(P);
      const below = (digits: number) => fc.bigInt({ min: 1n, max: 10n ** BigInt(digits) });
      const exponent = fc.oneof(
        fc.integer({ min: -40, max: 40 }),
        fc.integer({ min: -3000, max: 3000 }),
        fc.integer({ min: -8_000_000_000_000_000, max: 8_000_000_000_000_000 }),
      );
      const square = (root: bigint) => root * root;
      const coefficient = fc.oneof(
        below(6),
        below(P + 12),
        below(2 * P + 4),
        below(P + 3).map(square),
        // A root of P + 1 digits ending in 5: its square's root is an exact tie at P digits.
        below(P).map((r) => square(r * 10n + 5n)),
        fc.tuple(below(P + 3), fc.bigInt({ min: -1000n, max: 1000n })).map(([r, d]) => square(r) + d),
        fc.tuple(below(P + 3), fc.integer({ min: 1, max: 40 }), fc.boolean()).map(([r, k, up]) => square(r) * 10n ** BigInt(k) + (up ? 1n : -1n)),
      );
      fc.assert(
        fc.property(coefficient.filter((m) => m > 0n), exponent, (m, q) => {
          const text = `${m}e${q}`;
          expect(new B(text).sqrt().toString(), `sqrt(${text})`).toBe(new D(text).sqrt().toString());
        }),
        { numRuns: P === 1000 ? 150 : 600, seed: P },
      );
    });
  }

  it('gives zero for zero and NaN for a negative value, as decimal.js does', () => {
    const B = bigDecimalClass(20);
    expect(new B(0).sqrt().toString()).toBe('0');
    expect(new B('0e-30').sqrt().isZero()).toBe(true);
    expect(new B(-4).sqrt().isNaN()).toBe(true);
    expect(new B('-1e-900').sqrt().isNaN()).toBe(true);
    expect(new B('NaN').sqrt().isNaN()).toBe(true);
    expect(new B('Infinity').sqrt().toString()).toBe('Infinity');
    expect(new B('-Infinity').sqrt().isNaN()).toBe(true);
  });
});

describe('a whole run in BigDecimal against the same run in decimal.js values', () => {
  // Specs are read with their own paths: a spec's CSV data sits beside it.
  const cases = allSpecs().map((s): [string, SpecFile] => [s.relative, s]);
  const valuesOf = (t: Trace): string[] => {
    const out: string[] = [];
    for (const [k, v] of t.initial) out.push(`initial ${k} ${v.toString()}`);
    for (const s of t.steps) {
      for (const sample of s.samples) for (const [k, v] of sample.values) out.push(`${s.step} ${sample.row} ${k} ${v.toString()}`);
      for (const [k, v] of s.values) out.push(`${s.step} ${k} ${v.toString()}`);
    }
    return out;
  };
  it.each(cases)('%s: every value the same, digit for digit, at precisions 20 and 50', (_name, file) => {
    for (const precision of [20, 50]) {
      const spec = file.load({ precision });
      const fast = run(spec);
      const reference = run(spec, { arithmetic: 'decimal.js' });
      expect(fast.ctx.zero instanceof BigDecimal).toBe(true);
      expect(reference.ctx.zero instanceof Decimal).toBe(true);
      const [a, b] = [valuesOf(fast), valuesOf(reference)];
      expect(a.length).toBeGreaterThan(10);
      expect(a).toEqual(b);
      expect(fast.warnings).toEqual(reference.warnings);
    }
  });
});
