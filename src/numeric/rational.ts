// Exact rational arithmetic (BigInt numerator and denominator) for specs whose every operation is
// rational: + - * /, whole powers, and the piecewise-linear functions (relu, leaky_relu, abs, max, min).
// A Rational is a Dec (context.ts), so the same compiled equations, runner and trace work unchanged on
// exact fractions: a rational run is a run whose numeric context constructs Rationals.
import Decimal from 'decimal.js';
import { DECIMAL_TEXT, type DecimalCtor, type NumericContext } from './context.js';

/** An operation with no exact rational result (sqrt, exp, log, a fractional power...). */
export class NotRationalError extends Error {}

/** A fraction whose numerator or denominator outgrew the context's digit limit (the runner turns it
 *  into a LimitError that names the step and quantity). Fractions of a long run can double their
 *  digits every step; refusing them early keeps a run from stalling on gigantic gcds. */
export class ExactDigitsError extends Error {
  constructor(readonly maxDigits: number) {
    super(`a fraction has more than ${maxDigits.toLocaleString('en-US')} digits`);
    this.name = 'ExactDigitsError';
  }
}

const abs = (x: bigint) => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [abs(a), abs(b)];
  while (y) [x, y] = [y, x % y];
  return x;
}
const MAX_EXPONENT = 10_000n;
/** Digits of a numerator or denominator when no context says otherwise (limits.exactDigits's default). */
const DEFAULT_MAX_DIGITS = 10_000;

export class Rational {
  /** Numerator and denominator, reduced, denominator > 0. A zero denominator marks a value that is not
   *  a finite number (from division by zero): +-1/0 infinities, 0/0 NaN. */
  readonly n: bigint;
  readonly d: bigint;

  /** The digit limit of this class of fractions, and 10^limit, the least magnitude over it. A context
   *  with its own limit makes a subclass (makeRationalContext); every result of an operation is of the
   *  class of its left operand, so a run's values keep their context's limit. Comparing with a bound is
   *  cheap (BigInt compares lengths first), where counting digits would cost a conversion. */
  static maxDigits = DEFAULT_MAX_DIGITS;
  static bound = 10n ** BigInt(DEFAULT_MAX_DIGITS);

  constructor(value: Rational | string | number | bigint, denominator?: bigint) {
    if (value instanceof Rational) {
      [this.n, this.d] = [value.n, value.d];
      return;
    }
    if (typeof value === 'bigint') {
      let [n, d] = [value, denominator ?? 1n];
      if (d < 0n) [n, d] = [-n, -d];
      const g = d === 0n ? (n === 0n ? 1n : abs(n)) : gcd(n, d) || 1n;
      [this.n, this.d] = [n / g, d / g];
      const { bound, maxDigits } = new.target;
      if (this.n >= bound || this.n <= -bound || this.d >= bound) throw new ExactDigitsError(maxDigits);
      return;
    }
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new Error('a Rational is made from text or whole numbers, never a double');
    const fraction = /^([+-]?\d+)\/(\d+)$/.exec(text);
    if (fraction) {
      const r = new new.target(BigInt(fraction[1]!), BigInt(fraction[2]!));
      [this.n, this.d] = [r.n, r.d];
      return;
    }
    if (!DECIMAL_TEXT.test(text)) throw new Error(`not a number: ${text}`);
    // Decimal text is exactly a fraction with a power of ten below it.
    const [mantissa, exp = '0'] = text.toLowerCase().split('e') as [string, string?];
    const [whole, frac = ''] = mantissa.replace(/^[+]/, '').split('.') as [string, string?];
    const sign = whole.startsWith('-') ? -1n : 1n;
    const digits = BigInt((whole.replace('-', '') || '0') + frac);
    const e = BigInt(exp) - BigInt(frac.length);
    const R = new.target;
    const r = e >= 0n ? new R(sign * digits * 10n ** e, 1n) : new R(sign * digits, 10n ** -e);
    [this.n, this.d] = [r.n, r.d];
  }

  /** A result of an operation on this value: a fraction of the same class (so, the same digit limit). */
  private of(n: bigint, d: bigint): Rational {
    return new (this.constructor as typeof Rational)(n, d);
  }
  private from(x: Rational | string | number) {
    return x instanceof Rational ? x : new (this.constructor as typeof Rational)(x);
  }

  plus(y: Rational | string | number) { const b = this.from(y); return this.of(this.n * b.d + b.n * this.d, this.d * b.d); }
  minus(y: Rational | string | number) { const b = this.from(y); return this.of(this.n * b.d - b.n * this.d, this.d * b.d); }
  times(y: Rational | string | number) { const b = this.from(y); return this.of(this.n * b.n, this.d * b.d); }
  div(y: Rational | string | number) { const b = this.from(y); return this.of(this.n * b.d, this.d * b.n); }
  neg() { return this.of(-this.n, this.d); }
  abs() { return this.of(abs(this.n), this.d); }
  pow(y: Rational | string | number) {
    const e = this.from(y);
    if (e.d !== 1n) throw new NotRationalError(`a fractional power (^${e.toString()}) has no exact rational value`);
    if (abs(e.n) > MAX_EXPONENT) throw new NotRationalError(`power too large (^${e.n})`);
    // A power multiplies the digits by its exponent: refuse by the digit count before computing it.
    const k = Number(abs(e.n));
    const bits = Math.max(bitLength(this.n), bitLength(this.d));
    const maxDigits = (this.constructor as typeof Rational).maxDigits;
    if ((bits - 1) * k * Math.log10(2) > maxDigits) throw new ExactDigitsError(maxDigits);
    return e.n >= 0n ? this.of(this.n ** e.n, this.d ** e.n) : this.of(this.d ** -e.n, this.n ** -e.n);
  }
  sqrt(): Rational { throw new NotRationalError('sqrt has no exact rational value in general'); }
  exp(): Rational { throw new NotRationalError('exp has no exact rational value'); }
  ln(): Rational { throw new NotRationalError('log has no exact rational value'); }
  tanh(): Rational { throw new NotRationalError('tanh has no exact rational value'); }
  log(): Rational { throw new NotRationalError('log has no exact rational value'); }

  isZero() { return this.n === 0n && this.d !== 0n; }
  isNaN() { return this.n === 0n && this.d === 0n; }
  /** Exponent of the leading decimal digit, as decimal.js's e: |value| = d.ddd * 10^e (0 for zero). */
  get e(): number {
    if (this.n === 0n || this.d === 0n) return 0;
    const [n, d] = [abs(this.n), this.d];
    // Digit counts give the exponent to within one; one comparison settles it.
    let e = n.toString().length - d.toString().length;
    if (e >= 0 ? n < d * 10n ** BigInt(e) : n * 10n ** BigInt(-e) < d) e--;
    return e;
  }
  isPositive() { return this.n >= 0n; }
  isNegative() { return this.n < 0n; }
  isFinite() { return this.d !== 0n; }
  isInteger() { return this.d === 1n; }
  cmp(y: Rational | string | number) { const b = this.from(y); const l = this.n * b.d, r = b.n * this.d; return l < r ? -1 : l > r ? 1 : 0; }
  eq(y: Rational | string | number) { return this.cmp(y) === 0; }
  gt(y: Rational | string | number) { return this.cmp(y) > 0; }
  lt(y: Rational | string | number) { return this.cmp(y) < 0; }
  gte(y: Rational | string | number) { return this.cmp(y) >= 0; }
  lte(y: Rational | string | number) { return this.cmp(y) <= 0; }
  toNumber() { return Number(this.n) / Number(this.d); }

  /** Whether the value has a finite decimal expansion (its denominator divides a power of ten). */
  isTerminating() {
    let d = this.d;
    while (d % 2n === 0n) d /= 2n;
    while (d % 5n === 0n) d /= 5n;
    return d === 1n;
  }

  /** The value as a decimal.js number rounded to `precision` significant digits. */
  toDecimal(precision: number): Decimal {
    const D = Decimal.clone({ precision, rounding: Decimal.ROUND_HALF_EVEN });
    if (!this.isFinite()) return new D(this.n === 0n ? NaN : this.n > 0n ? Infinity : -Infinity);
    return new D(this.n.toString()).div(this.d.toString());
  }

  /** Decimal text when the expansion is finite, else the fraction p/q. */
  toString(): string {
    if (!this.isFinite()) return this.n === 0n ? 'NaN' : this.n > 0n ? 'Infinity' : '-Infinity';
    if (this.d === 1n) return this.n.toString();
    if (this.isTerminating()) {
      // d = 2^a 5^b: the expansion has max(a, b) digits after the point.
      let [d, twos, fives] = [this.d, 0, 0];
      while (d % 2n === 0n) [d, twos] = [d / 2n, twos + 1];
      while (d % 5n === 0n) [d, fives] = [d / 5n, fives + 1];
      const digits = Math.max(twos, fives);
      return new Decimal(`${this.n * (10n ** BigInt(digits) / this.d)}e-${digits}`).toFixed();
    }
    return `${this.n}/${this.d}`;
  }

  toSignificantDigits(k: number): Decimal { return this.toDecimal(k); }
}

/** Bits of |x| (0 for 0), from its hexadecimal digits: a power's result size, known before computing it. */
function bitLength(x: bigint): number {
  if (x === 0n) return 0;
  const hex = abs(x).toString(16);
  return (hex.length - 1) * 4 + parseInt(hex[0]!, 16).toString(2).length;
}

export function isRational(x: unknown): x is Rational {
  return x instanceof Rational;
}

/** Whether a context computes in exact fractions (see makeRationalContext). */
export function isRationalContext(c: NumericContext): boolean {
  return c.zero instanceof Rational;
}

/** A numeric context whose values are exact fractions. `precision` only says how many digits a
 *  decimal display of them shows; nothing is rounded. A fraction with more than `maxDigits` digits in
 *  its numerator or denominator throws an ExactDigitsError (limits.exactDigits). */
export function makeRationalContext(precision: number, reluAtZero = '0', maxDigits = DEFAULT_MAX_DIGITS, maxTie: 'first' | 'split' = 'first'): NumericContext {
  const R = maxDigits === DEFAULT_MAX_DIGITS ? Rational : class extends Rational {
    static override maxDigits = maxDigits;
    static override bound = 10n ** BigInt(maxDigits);
  };
  const D = R as unknown as DecimalCtor;
  return {
    precision,
    D,
    zero: new R(0n),
    one: new R(1n),
    // Exact arithmetic leaves no rounding residue to mistake for a value: only 0 is 0.
    cancellation: new R(0n),
    reluAtZero: new R(reluAtZero),
    maxTie,
  };
}
