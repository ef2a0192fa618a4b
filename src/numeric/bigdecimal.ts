// Decimal floating point with a BigInt coefficient: the working arithmetic of a run.
//
// A value is m * 10^q, with n the number of decimal digits of |m|. Every operation gives the exact result
// rounded once to P significant digits, half to even: the same digits decimal.js gives at precision P
// and ROUND_HALF_EVEN (a test holds the two to each other on random operands), so a run means the same
// thing it always meant. It is several times faster because the whole coefficient is one BigInt: a
// product is one machine-level multiplication and one division by a power of ten, where decimal.js
// multiplies arrays of base-1e7 digit groups in JavaScript and allocates as it goes.
//
// As in decimal.js, a value read from text keeps every digit it was written with (0.1 is exactly 1/10,
// and a constant with more digits than P is exact); only the results of operations are rounded. The
// rarer operations (a general power, a square root) and anything past the working range are handed to
// decimal.js at the same precision, so they round exactly as before.
import Decimal from 'decimal.js';

/** Whether `text` is a decimal number as people write it: 3, -0.5, .25, 1e-8, +2.5E3. */
export const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

import type { Dec } from './context.js';

/** Operands: this class's own values, decimal.js values, text, whole numbers. (Any other kind of value
 *  is read through its text.) */
type Operand = BigDecimal | Decimal | Dec | string | number | bigint;

const HALF_EVEN = Decimal.ROUND_HALF_EVEN;

const powers: bigint[] = [1n];
/** 10^k as a BigInt, from a table that grows as needed. */
export function pow10(k: number): bigint {
  while (powers.length <= k) powers.push(powers[powers.length - 1]! * 10n);
  return powers[k]!;
}
pow10(256);

/** Number of decimal digits of a positive BigInt, from an estimate known to be at least the count. */
function digitsBelow(x: bigint, atMost: number): number {
  let n = atMost;
  while (n > 1 && x < powers[n - 1]!) n--;
  return n;
}

/** The integer square root floor(sqrt(N)) of a positive BigInt of `digits` decimal digits: Newton's
 *  method from a double's estimate of the root of the leading digits. One step from any positive guess
 *  lands at or above the root; from there the steps decrease to it. */
function isqrt(N: bigint, digits: number): bigint {
  if (N < 4n) return N === 0n ? 0n : 1n;
  // The leading 16 or so digits as a double, the rest an even power of ten that halves exactly.
  const drop = digits > 16 ? (digits - 16) & ~1 : 0;
  const lead = Number(drop > 0 ? N / pow10(drop) : N);
  let x = BigInt(Math.ceil(Math.sqrt(lead))) * pow10(drop / 2) + 1n;
  x = (x + N / x) >> 1n;
  for (;;) {
    const y = (x + N / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Digits of a positive BigInt without an estimate. */
const digitsOf = (x: bigint): number => x.toString().length;

/**
 * The value of a run. Subclasses fix the precision (bigDecimalClass): an operation rounds to the
 * precision of the value it is called on, as decimal.js rounds to its first operand's constructor.
 */
export abstract class BigDecimal {
  /** Signed coefficient. For NaN and the infinities it is 0n, -1n or 1n and q is NaN or Infinity. */
  readonly m: bigint;
  /** Exponent of the coefficient's last digit. */
  readonly q: number;
  /** Digits of |m| (0 for zero). */
  readonly n: number;

  constructor(m: bigint, q: number, n: number) {
    this.m = m;
    this.q = q;
    this.n = n;
  }

  /** The working precision of this value's class. */
  abstract get precision(): number;
  protected abstract make(m: bigint, q: number, n: number): BigDecimal;
  protected abstract from(x: Operand): BigDecimal;
  /** decimal.js's constructor at this precision, for the operations handed to it. */
  protected abstract get DecimalAtP(): typeof Decimal;

  /** Exponent of the leading digit, as decimal.js's `e`: the value is d.ddd * 10^e. */
  get e(): number { return this.m === 0n ? 0 : this.q + this.n - 1; }
  /** Digit groups as decimal.js's `d`: with `s`, `e` and the tag below, a decimal.js operation takes a
   *  BigDecimal operand as one of its own (x.eq(y) with x from toSignificantDigits, say). */
  get d(): number[] | null { return new Decimal(this.toString()).d; }
  /** Sign, as decimal.js's `s`. */
  get s(): number { return this.q !== this.q ? NaN : this.m < 0n ? -1 : 1; }

  isZero(): boolean { return this.m === 0n && Number.isFinite(this.q); }
  isFinite(): boolean { return Number.isFinite(this.q); }
  isNaN(): boolean { return this.q !== this.q; }
  isPositive(): boolean { return this.m >= 0n && this.q === this.q; }
  isNegative(): boolean { return this.m < 0n; }
  isInteger(): boolean {
    if (!this.isFinite()) return false;
    return this.q >= 0 || this.m % pow10(-this.q) === 0n;
  }

  /** The value rounded to the working precision: x + 0 in decimal.js terms. */
  protected rounded(): BigDecimal {
    if (this.n <= this.precision || !this.isFinite()) return this;
    return this.round(this.m < 0n ? -this.m : this.m, this.n, this.q, this.m < 0n, false);
  }

  /**
   * |x| = mag * 10^q (plus a positive amount below one unit of mag when `sticky`) rounded to P digits,
   * half to even, with the sign given. `n` is the number of digits of mag.
   */
  protected round(mag: bigint, n: number, q: number, neg: boolean, sticky: boolean): BigDecimal {
    const P = this.precision;
    if (n <= P && !sticky) return this.make(neg ? -mag : mag, q, n);
    const k = n - P; // >= 1 whenever sticky (callers make sure of it)
    const unit = pow10(k);
    let r = mag / unit;
    const twice = (mag - r * unit) * 2n;
    if (twice > unit || (twice === unit && (sticky || (r & 1n) === 1n))) {
      r += 1n;
      if (r === powers[P]) return this.make(neg ? -powers[P - 1]! : powers[P - 1]!, q + k + 1, P);
    }
    return this.make(neg ? -r : r, q + k, P);
  }

  neg(): BigDecimal { return this.isNaN() ? this : this.make(-this.m, this.q, this.n); }
  abs(): BigDecimal { return this.m < 0n ? this.make(-this.m, this.q, this.n) : this; }

  times(y: Operand): BigDecimal {
    const b = this.from(y);
    if (!this.isFinite() || !b.isFinite()) return this.viaDecimal((a, d) => a.times(d), b);
    if (this.m === 0n || b.m === 0n) return this.make(0n, 0, 0);
    let p = this.m * b.m;
    const neg = p < 0n;
    if (neg) p = -p;
    let n = this.n + b.n;
    if (p < pow10(n - 1)) n--;
    return this.round(p, n, this.q + b.q, neg, false);
  }

  plus(y: Operand): BigDecimal {
    const b = this.from(y);
    if (!this.isFinite() || !b.isFinite()) return this.viaDecimal((a, d) => a.plus(d), b);
    return this.sum(b, false);
  }

  minus(y: Operand): BigDecimal {
    const b = this.from(y);
    if (!this.isFinite() || !b.isFinite()) return this.viaDecimal((a, d) => a.minus(d), b);
    return this.sum(b, true);
  }

  private sum(other: BigDecimal, subtract: boolean): BigDecimal {
    const P = this.precision;
    const bm = subtract ? -other.m : other.m;
    if (other.m === 0n) return this.rounded();
    if (this.m === 0n) return this.make(bm, other.q, other.n).rounded();
    // big is the term with the larger last-digit exponent: aligning multiplies its coefficient.
    const thisIsBig = this.q >= other.q;
    const bigM = thisIsBig ? this.m : bm;
    const bigQ = thisIsBig ? this.q : other.q;
    const bigN = thisIsBig ? this.n : other.n;
    let smallM = thisIsBig ? bm : this.m;
    let smallQ = thisIsBig ? other.q : this.q;
    let smallN = thisIsBig ? other.n : this.n;
    // A term far below the other's last digit and below its P-th digit only decides which way a tie or
    // a boundary goes, and only by its sign: it is replaced by a one-digit nudge just below both, so
    // that 1 + 1e-9000 costs nothing and still rounds as the exact sum does.
    const floor = Math.min(bigQ, bigQ + bigN - 1 - P);
    if (smallQ + smallN - 1 < floor - 1) {
      if (bigN <= P) return this.make(bigM, bigQ, bigN);
      smallM = smallM < 0n ? -1n : 1n;
      smallQ = floor - 2;
      smallN = 1;
    }
    const shift = bigQ - smallQ;
    let s = bigM * pow10(shift) + smallM;
    if (s === 0n) return this.make(0n, 0, 0);
    const neg = s < 0n;
    if (neg) s = -s;
    const atMost = Math.max(bigN + shift, smallN) + 1;
    pow10(atMost);
    const n = digitsBelow(s, atMost);
    return this.round(s, n, smallQ, neg, false);
  }

  div(y: Operand): BigDecimal {
    const b = this.from(y);
    if (!this.isFinite() || !b.isFinite() || b.m === 0n) return this.viaDecimal((a, d) => a.div(d), b);
    if (this.m === 0n) return this.make(0n, 0, 0);
    const P = this.precision;
    // Scale so that the quotient has P + 1 or P + 2 digits; the remainder says whether it was exact.
    const k = P + 1 + b.n - this.n;
    let num = this.m < 0n ? -this.m : this.m;
    let den = b.m < 0n ? -b.m : b.m;
    if (k >= 0) num *= pow10(k);
    else den *= pow10(-k);
    const quotient = num / den;
    const sticky = quotient * den !== num;
    const n = quotient < pow10(P + 1) ? P + 1 : P + 2;
    return this.round(quotient, n, this.q - b.q - k, (this.m < 0n) !== (b.m < 0n), sticky);
  }

  pow(y: Operand): BigDecimal { return this.viaDecimal((a, d) => a.pow(d), this.from(y)); }
  /**
   * The square root, correctly rounded to P digits half to even, as decimal.js gives it (its sqrt is
   * correctly rounded), without handing the value to decimal.js: m * 10^q is scaled to a coefficient N
   * of at least 2P + 2 digits with an even exponent Q, so that the integer root R = isqrt(N) has at
   * least P + 1 digits; sqrt(x) = (R + f) * 10^(Q/2) with 0 <= f < 1, and f > 0 exactly when R * R < N,
   * which is the sticky bit of the rounding. Zero is itself; a negative value is NaN; NaN, the
   * infinities and values past decimal.js's exponent range go to decimal.js as before.
   */
  sqrt(): BigDecimal {
    if (this.m === 0n && this.isFinite()) return this;
    const D = this.DecimalAtP;
    if (!this.isFinite() || this.e > D.maxE || this.e < D.minE) return this.viaDecimal((a) => a.sqrt());
    if (this.m < 0n) return this.make(0n, NaN, 0);
    const P = this.precision;
    let s = Math.max(0, 2 * P + 2 - this.n);
    if ((this.q - s) % 2 !== 0) s++;
    const N = this.m * pow10(s);
    const R = isqrt(N, this.n + s);
    // A root of a d-digit integer has exactly ceil(d / 2) digits.
    return this.round(R, Math.ceil((this.n + s) / 2), (this.q - s) / 2, false, R * R !== N);
  }
  exp(): BigDecimal { return this.viaDecimal((a) => a.exp()); }
  ln(): BigDecimal { return this.viaDecimal((a) => a.ln()); }
  tanh(): BigDecimal { return this.viaDecimal((a) => a.tanh()); }
  log(base?: Operand): BigDecimal { return this.viaDecimal((a) => a.log(base === undefined ? 10 : this.from(base).toDecimal())); }

  private viaDecimal(op: (a: Decimal, b: Decimal) => Decimal, b?: BigDecimal): BigDecimal {
    const D = this.DecimalAtP;
    return this.from(op(this.toDecimal(D), b ? b.toDecimal(D) : (undefined as never)));
  }

  cmp(y: Operand): number {
    const b = this.from(y);
    if (this.isNaN() || b.isNaN()) return NaN;
    const sa = this.m === 0n ? 0 : this.m < 0n ? -1 : 1;
    const sb = b.m === 0n ? 0 : b.m < 0n ? -1 : 1;
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    if (!this.isFinite() || !b.isFinite()) return this.q === b.q ? 0 : (this.q > b.q) === (sa > 0) ? 1 : -1;
    if (this.e !== b.e) return (this.e > b.e) === (sa > 0) ? 1 : -1;
    const q = Math.min(this.q, b.q);
    const x = this.m * pow10(this.q - q);
    const z = b.m * pow10(b.q - q);
    return x === z ? 0 : x > z ? 1 : -1;
  }
  eq(y: Operand): boolean { return this.cmp(y) === 0; }
  gt(y: Operand): boolean { return this.cmp(y) > 0; }
  lt(y: Operand): boolean { return this.cmp(y) < 0; }
  gte(y: Operand): boolean { const c = this.cmp(y); return c >= 0; }
  lte(y: Operand): boolean { const c = this.cmp(y); return c <= 0; }

  /** The exact value as a decimal.js number (of the constructor given, or of plain Decimal). */
  toDecimal(D: typeof Decimal = Decimal): Decimal {
    if (this.isNaN()) return new D(NaN);
    if (!this.isFinite()) return new D(this.m < 0n ? -Infinity : Infinity);
    return new D(this.m === 0n ? '0' : `${this.m}e${this.q}`);
  }

  /** Digits of |m| with trailing zeros removed, and the exponent of the leading digit. */
  private significand(): string {
    const t = (this.m < 0n ? -this.m : this.m).toString();
    let end = t.length;
    while (end > 1 && t.charCodeAt(end - 1) === 48) end--;
    return end === t.length ? t : t.slice(0, end);
  }

  /** Text as decimal.js's toString writes it: plain notation from 1e-7 up to 1e21, an exponent beyond. */
  toString(): string {
    if (!this.isFinite()) return this.isNaN() ? 'NaN' : this.m < 0n ? '-Infinity' : 'Infinity';
    if (this.m === 0n) return '0';
    const digits = this.significand();
    const e = this.e;
    let out: string;
    if (e <= -7 || e >= 21) {
      out = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
      out += e < 0 ? `e${e}` : `e+${e}`;
    } else if (e < 0) out = '0.' + '0'.repeat(-e - 1) + digits;
    else if (digits.length > e + 1) out = digits.slice(0, e + 1) + '.' + digits.slice(e + 1);
    else out = digits + '0'.repeat(e + 1 - digits.length);
    return this.m < 0n ? '-' + out : out;
  }
  toJSON(): string { return this.toString(); }
  valueOf(): string { return this.toString(); }
  toNumber(): number { return Number(this.toString()); }

  // Formatting for display goes through decimal.js, on the exact value.
  toSignificantDigits(k: number, rounding?: Decimal.Rounding): Decimal { return this.toDecimal().toSignificantDigits(k, rounding ?? HALF_EVEN); }
  toPrecision(k: number, rounding?: Decimal.Rounding): string { return this.toDecimal().toPrecision(k, rounding ?? HALF_EVEN); }
  toExponential(k: number, rounding?: Decimal.Rounding): string { return this.toDecimal().toExponential(k, rounding ?? HALF_EVEN); }
  toFixed(k?: number, rounding?: Decimal.Rounding): string {
    return k === undefined ? this.toDecimal().toFixed() : this.toDecimal().toFixed(k, rounding ?? HALF_EVEN);
  }
}

// decimal.js recognises its own values by this property (its isDecimalInstance).
Object.defineProperty(BigDecimal.prototype, 'toStringTag', { value: '[object Decimal]' });

/** Reads text, a safe whole number, a decimal.js value or another precision's value, exactly. */
function parts(x: Exclude<Operand, BigDecimal> | BigDecimal): [bigint, number, number] {
  if (x instanceof BigDecimal) return [x.m, x.q, x.n];
  if (typeof x === 'bigint') {
    const mag = x < 0n ? -x : x;
    return [x, 0, x === 0n ? 0 : digitsOf(mag)];
  }
  if (typeof x === 'number') {
    if (Number.isNaN(x)) return [0n, NaN, 0];
    if (!Number.isFinite(x)) return [x < 0 ? -1n : 1n, Infinity, 1];
    // A double is read through its shortest round-trip text (0.5 is 0.5): used for small constants only.
    return parts(Object.is(x, -0) ? '0' : String(x));
  }
  if (x instanceof Decimal) {
    if (x.isNaN()) return [0n, NaN, 0];
    if (!x.isFinite()) return [x.isNegative() ? -1n : 1n, Infinity, 1];
    if (x.isZero()) return [0n, 0, 0];
    return parts(x.toExponential());
  }
  const text = String(x).trim();
  if (text === 'NaN') return [0n, NaN, 0];
  const inf = /^([+-]?)Infinity$/.exec(text);
  if (inf) return [inf[1] === '-' ? -1n : 1n, Infinity, 1];
  if (!DECIMAL_TEXT.test(text)) throw new Error(`not a number: ${text}`);
  const lower = text.toLowerCase();
  const at = lower.indexOf('e');
  const mantissa = at < 0 ? lower : lower.slice(0, at);
  const exp = at < 0 ? 0 : Number(lower.slice(at + 1));
  const neg = mantissa.startsWith('-');
  const body = mantissa.replace(/^[+-]/, '');
  const dot = body.indexOf('.');
  const whole = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot + 1);
  const digits = (whole + frac).replace(/^0+/, '');
  if (digits === '') return [0n, 0, 0];
  const mag = BigInt(digits);
  return [neg ? -mag : mag, exp - frac.length, digits.length];
}

const classes = new Map<number, BigDecimalCtor>();

export interface BigDecimalCtor {
  new (value: Operand): BigDecimal;
  readonly precision: number;
  readonly rounding: number;
  readonly maxE: number;
  readonly minE: number;
}

/** The value class of one precision (one per precision, shared by every run at it). */
export function bigDecimalClass(precision: number): BigDecimalCtor {
  const known = classes.get(precision);
  if (known) return known;
  if (!Number.isInteger(precision) || precision < 1) throw new Error(`precision must be a whole number, got ${precision}`);
  pow10(4 * precision + 8);
  const DecimalAtP = Decimal.clone({ precision, rounding: HALF_EVEN, toExpNeg: -7, toExpPos: 21 });
  class AtPrecision extends BigDecimal {
    static readonly precision = precision;
    static readonly rounding = HALF_EVEN;
    static readonly maxE = DecimalAtP.maxE;
    static readonly minE = DecimalAtP.minE;
    /** new D(text | number | Decimal | BigDecimal): the exact value; (m, q, n): a value from its parts. */
    constructor(value: Operand, q?: number, n?: number) {
      if (q !== undefined) super(value as bigint, q, n!);
      else super(...parts(value));
    }
    get precision(): number { return precision; }
    protected get DecimalAtP(): typeof Decimal { return DecimalAtP; }
    protected make(m: bigint, q: number, n: number): BigDecimal { return new AtPrecision(m, q, n); }
    protected from(x: Operand): BigDecimal { return x instanceof BigDecimal ? x : new AtPrecision(x); }
  }
  const ctor = AtPrecision as unknown as BigDecimalCtor;
  classes.set(precision, ctor);
  return ctor;
}

export const isBigDecimal = (x: unknown): x is BigDecimal => x instanceof BigDecimal;
