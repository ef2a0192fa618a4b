// Correctly rounded exp, ln, tanh, sigmoid and softplus for decimal.js values.
//
// decimal.js evaluates these with its own decimal arithmetic (about 100 us per exp at 50 digits), which
// dominates a tanh or sigmoid network. These kernels compute in BigInt binary fixed point instead: a
// value v is held as an integer Y with |Y - v*2^w| < err, every step's error is bounded, and the result
// is rounded only when the whole interval (Y - err, Y + err) rounds to one P-digit decimal (Ziv's
// strategy); otherwise the computation is repeated with more bits. Every result is therefore the true
// value rounded to the constructor's precision in its rounding mode, whatever the working precision.
//
// Results keep their relative precision however large or small they are. A result may carry a power of
// ten, v = (Y*2^-w)*10^q, so exp(x) = e^r*10^k never needs 10^k in binary (nor do sigmoid and softplus
// of a very negative x, which are about e^x). Results a hair from their argument (tanh x ~ x,
// ln(1 + d) ~ d, softplus x ~ x) are the exact argument times, or plus, a fixed-point correction, and
// the known side of the hair (tanh x < x, ...) bounds the interval, which settles arguments that sit
// exactly on a rounding midpoint without unbounded refinement.
//
// Special values follow decimal.js: exp overflows to Infinity and underflows to 0 at the constructor's
// maxE and minE (sigmoid and softplus underflow the same way), ln(0) = -Infinity, ln of a negative is
// NaN, tanh keeps the sign of zero, and arguments are taken exactly, even with more digits than P.
import Decimal from 'decimal.js';
import { BigDecimal } from './bigdecimal.js';

/** The kernels take and give decimal.js values or BigDecimals, in the rounding of the constructor given. */
export type Num = Decimal | BigDecimal;
export type Ctor<T extends Num> = { new (value: string | number): T; readonly precision: number; readonly rounding: number; readonly maxE: number; readonly minE: number };
type DecimalCtor = Ctor<Num>;

const LOG2_10 = Math.log2(10);
const LOG10_2 = Math.log10(2);
const LN10 = Math.LN10;

/** Tuning read by the Ziv loop. Tests lower the first guard to exercise the retry path and the error bounds. */
export const fastKernelSettings = {
  /** Bits computed beyond the precision on the first attempt. */
  initialGuardBits: 24,
};

/** How often a first attempt could not decide the rounding (for tests and curiosity). */
export const fastKernelStats = { retries: 0 };

// ---------------------------------------------------------------------------------------------------
// Small helpers

const pow10Cache: bigint[] = [1n];
function pow10(n: number): bigint {
  if (n < 2048) {
    while (pow10Cache.length <= n) pow10Cache.push(pow10Cache[pow10Cache.length - 1]! * 10n);
    return pow10Cache[n]!;
  }
  return 10n ** BigInt(n);
}

const smallInts: bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i));
const big = (n: number): bigint => (n < 4096 ? smallInts[n]! : BigInt(n));

/** Bit length of a positive BigInt. */
function bitLength(v: bigint): number {
  const h = v.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0]!, 16)));
}

/** A finite nonzero decimal |x| = c*10^e, with estimates used only to choose paths and sizes. */
interface Parts {
  neg: boolean;
  c: bigint;
  /** Exponent of the last digit of c. */
  e: number;
  /** An upper bound on the exponent of the leading digit (exact for values read from a Decimal). */
  lead: number;
  /** Leading digits as d.ddd (only for values read from a Decimal). */
  mant: number;
  /** |x| as a double, relative error below 1e-15; may be Infinity or 0 beyond the double range. */
  approx: number;
}

function partsOf(x: Num): Parts {
  if (x instanceof BigDecimal) {
    // From the coefficient and its digit count, without writing all its digits: trailing zeros taken
    // off numerically (a result rarely has any), and only the leading 17 digits written for the estimates.
    const mag = x.m < 0n ? -x.m : x.m;
    let c = mag;
    let e = x.q;
    while (c % 10n === 0n) {
      c /= 10n;
      e++;
    }
    const n = x.n - (e - x.q);
    const head = (n > 17 ? c / pow10(n - 17) : c).toString();
    return {
      neg: x.m < 0n,
      c,
      e,
      lead: x.e,
      mant: parseFloat(`${head[0]}.${head.slice(1)}`),
      approx: parseFloat(`${head}e${x.e - head.length + 1}`),
    };
  }
  const d = x.d;
  let s = String(d[0]);
  for (let i = 1; i < d.length; i++) {
    const w = String(d[i]);
    s += w.length === 7 ? w : '0000000'.slice(w.length) + w;
  }
  return partsFromDigits(s, x.s < 0, x.e);
}

/** Parts from the digits of |x| (leading digit first, nonzero) and the exponent of its leading digit;
 *  `whole` is those digits as a BigInt when the caller has it already. */
function partsFromDigits(digits: string, neg: boolean, lead: number, whole?: bigint): Parts {
  let n = digits.length;
  while (digits.charCodeAt(n - 1) === 48) n--;
  const s = n < digits.length ? digits.slice(0, n) : digits;
  const head = s.slice(0, 17);
  return {
    neg,
    c: whole !== undefined && n === digits.length ? whole : BigInt(s),
    e: lead - n + 1,
    lead,
    mant: parseFloat(`${head[0]}.${head.slice(1)}`),
    approx: parseFloat(`${head}e${lead - head.length + 1}`),
  };
}

/** 2|x|, for tanh's e^(-2|x|). */
const doubled = (p: Parts): Parts => ({ neg: p.neg, c: p.c << 1n, e: p.e, lead: p.lead + 1, mant: NaN, approx: p.approx * 2 });

/** floor(|x|*2^w): error below one unit. */
function fixedOf(p: Parts, w: number): bigint {
  if (p.e >= 0) return (p.c * pow10(p.e)) << BigInt(w);
  // |x| < 10^(lead+1) < 2^-w: the floor is 0 without dividing by a huge power of ten.
  if (p.lead < -LOG10_2 * w - 2) return 0n;
  return (p.c << BigInt(w)) / pow10(-p.e);
}

// ---------------------------------------------------------------------------------------------------
// ln 10, cached at the largest precision asked for so far.

let ln10Bits = 0;
let ln10Value = 0n;

/** atanh(1/n)*2^w by its series; error below 2 units per term. */
function atanhInverse(n: bigint, w: number): bigint {
  let power = (1n << BigInt(w)) / n;
  const n2 = n * n;
  let sum = 0n;
  for (let k = 1; power !== 0n; k += 2) {
    sum += power / big(k);
    power /= n2;
  }
  return sum;
}

/** ln 10 * 2^w with an error below 3 units. */
function ln10Fixed(w: number): bigint {
  if (w > ln10Bits) {
    const bits = Math.max(w + 64, Math.ceil(ln10Bits * 1.5));
    // ln 10 = ln 2 + ln 5 from the Machin-like atanh formulas for ln 2, ln 3, ln 5 with arguments
    // 1/31, 1/49, 1/161 (about 10 bits per term). The coefficients sum to 100 and each series has
    // about bits/10 terms, so 40 guard bits absorb the truncation errors up to a million bits.
    const g = 40;
    const sum = 46n * atanhInverse(31n, bits + g) + 34n * atanhInverse(49n, bits + g) + 20n * atanhInverse(161n, bits + g);
    ln10Value = sum >> BigInt(g);
    ln10Bits = bits;
  }
  return ln10Value >> BigInt(ln10Bits - w);
}

// ---------------------------------------------------------------------------------------------------
// Fixed-point cores. Each returns [value, error bound in units of 2^-w].

/** Squarings used by expCore: balances the series length against the squaring count (measured). */
const halvingsFor = (w: number): number => Math.round(Math.sqrt(w) * 0.75);

/** e^r for r = R*2^-w, |r| <= rmax: Taylor series of r/2^s, then s squarings. */
function expCore(R: bigint, w: number, rmax: number): [bigint, number] {
  // |r/2^s| <= 1/2 keeps every term's rounding error from growing (see below).
  const s = Math.max(Math.ceil(Math.log2(rmax)) + 1, halvingsFor(w), 2);
  const g = 10;
  const wt = w + s + g;
  const Wt = BigInt(wt);
  const one = 1n << Wt;
  // R*2^-w / 2^s is exactly (R << g)*2^-wt: the halving costs nothing and loses nothing.
  const r = R << BigInt(g);
  let sum = one + r;
  let term = r;
  let n = 1;
  for (let k = 2; ; k++) {
    term = ((term * r) >> Wt) / big(k);
    if (term === 0n) break;
    sum += term;
    n++;
  }
  // Each term t_k = t_(k-1)*r'/k carries the previous error times |r'|/k <= 1/4 plus two truncations,
  // so every term is within 8/3 units; the loop stops at a term within 8/3 units of 0 whose tail
  // (ratio <= 1/4) is within 4 units. Series error <= 3n + 6.
  for (let i = 0; i < s; i++) sum = (sum * sum) >> Wt;
  // Squaring y -> y^2 turns an error e into 2y*e + e^2 plus one truncation; over s squarings the
  // factors 2y multiply to at most 2^s*e^rmax, and the truncations add at most as much again.
  const errWt = 2 ** s * Math.exp(rmax) * (3 * n + 7) * 1.01;
  return [sum >> BigInt(s + g), errWt / 2 ** (s + g) + 1];
}

/** ln m for m = M*2^-w in [0.3, 3.3], M exact: ln m = y0 + 2 atanh((t - 1)/(t + 1)), t = m*e^-y0,
 *  with y0 a double's ln m, so t is within about 2^-50 of 1 and the atanh series gains 100 bits a term. */
function lnCore(M: bigint, w: number): [bigint, number] {
  const W = BigInt(w);
  const one = 1n << W;
  const md = Number(M >> BigInt(w - 52)) / 2 ** 52;
  // y0 has 50 fractional bits, so it is exact at scale w >= 50.
  const y0 = Math.round(Math.log(md) * 2 ** 50);
  const Y0 = BigInt(y0) << BigInt(w - 50);
  const [E, eE] = expCore(-Y0, w, 1.25);
  const T = (M * E) >> W; // error <= m*eE + 1 <= 3.3 eE + 1
  const Z = ((T - one) << W) / (T + one); // dz/dt = 2/(1+t)^2 ~ 1/2, plus one truncation
  // The double's ln is good to about 1e-15; this bound holds with a huge margin and keeps the series
  // error analysis (terms shrinking by z^2 < 2^-60) valid.
  const bound = one >> 30n;
  if (Z > bound || -Z > bound) throw new Error('internal: ln reduction failed');
  // The series runs on |z| (a negative power would floor to -1 forever) and takes z's sign at the end.
  const Za = Z < 0n ? -Z : Z;
  const Z2 = (Za * Za) >> W;
  let sum = Za;
  let p = Za;
  let n = 0;
  for (let k = 3; ; k += 2) {
    p = (p * Z2) >> W;
    if (p === 0n) break;
    sum += p / big(k);
    n++;
  }
  const zErr = (3.3 * eE + 1) * 0.51 + 1;
  return [Y0 + (Z < 0n ? -2n : 2n) * sum, 2 * (zErr * 1.001 + 2 * n + 2)];
}

/** log1p(t)/t for t = T*2^-w, |t| <= 0.35: (2/(2+t)) * sum z^(2j)/(2j+1) with z = t/(2+t).
 *  A factor near 1, so a tiny log1p keeps its relative precision. Error bound for an exact T. */
function log1pRatio(T: bigint, w: number): [bigint, number] {
  const W = BigInt(w);
  const one = 1n << W;
  const G = (1n << BigInt(2 * w + 1)) / ((one << 1n) + T); // 2/(2+t), error < 1
  const Z = (T * G) >> BigInt(w + 1); // t*G/2, error < 1 + |t|/2
  const Z2 = (Z * Z) >> W; // error < 1 + 2|z|*1.2
  let S = one;
  let p = one;
  let n = 0;
  for (let k = 3; ; k += 2) {
    p = (p * Z2) >> W;
    if (p === 0n) break;
    S += p / big(k);
    n++;
  }
  // |z| <= 0.15: each power's error stays below 1/(1 - z^2) + its share of Z2's error, each division adds 1;
  // the dropped tail is below 2 units. S error <= 2.5 n + 4.
  const sErr = 2.5 * n + 4;
  const L = (G * S) >> W; // G <= 1.2, S <= 1.01
  return [L, 1.2 * sErr + 1.01 * 1 + 1];
}

/** e^x = (M*2^-w)*10^k with M's error err: x = k ln 10 + r, |r| <= 1.16. */
function expParts(p: Parts, neg: boolean, w: number): { M: bigint; err: number; k: number } {
  let k = Math.round((neg ? -p.approx : p.approx) / LN10);
  // Bits for k*ln 10's error, with room for k to move from the double estimate (by at most 10 at
  // |x| ~ 2e16, by 1 below 1e14).
  const kb = Math.ceil(Math.log2(Math.abs(k) + 2)) + 5;
  const wx = w + kb;
  let X = fixedOf(p, wx);
  if (neg) X = -X;
  const L = ln10Fixed(wx);
  let R = X - BigInt(k) * L;
  const half = L >> 1n;
  while (R > half) { R -= L; k++; }
  while (R < -half) { R += L; k--; }
  // R's error: < 1 from X, < 3|k| from k*L; 2^kb >= 32(|k_estimate| + 2), so after the shift it is
  // below 1.5 units, and e^r (<= e^1.16) carries it along.
  const [M, eM] = expCore(R >> BigInt(kb), w, 1.16);
  return { M, err: eM + Math.exp(1.16) * 1.5, k };
}

/** e^-|x| as a plain fixed-point value, 0 once it is below one unit. */
function expNegFixed(p: Parts, w: number): [bigint, number] {
  if (p.approx > w) return [0n, 1]; // e^-|x| < e^-w < 2^-w
  const { M, err, k } = expParts(p, true, w);
  if (k === 0) return [M, err];
  return [M / pow10(-k), err / 10 ** -k + 1];
}

// ---------------------------------------------------------------------------------------------------
// Rounding an interval, and the Ziv loop.

/** |v| lies strictly between lo*2^-w*10^q and hi*2^-w*10^q. */
export interface Bounds {
  lo: bigint;
  hi: bigint;
  w: number;
  q: number;
  neg: boolean;
  /** Only values just above lo matter: the caller knows no rounding boundary lies in (lo, |v|]. */
  lowerOnly?: boolean;
}

function boundsOf(Y: bigint, err: number, w: number, q: number, neg: boolean, errScale = 1n): Bounds {
  if (Y < 0n) { Y = -Y; neg = !neg; }
  const E = BigInt(Math.ceil(err * 1.000001) + 1) * errScale;
  return { lo: Y - E, hi: Y + E, w, q, neg };
}

/** floor(A*2^-w*10^s), the remainder, and the divisor the remainder is out of. */
function scaled(A: bigint, w: number, s: number): [bigint, bigint, bigint] {
  if (s >= 0) {
    const num = A * pow10(s);
    const W = BigInt(w);
    const fl = num >> W;
    return [fl, num - (fl << W), 1n << W];
  }
  const den = pow10(-s) << BigInt(w);
  const fl = A / den;
  return [fl, A - fl * den, den];
}

/** Direction of a rounding mode for a value of the given sign: 0 nearest, 1 away from zero, -1 toward zero.
 *  The half-* modes differ only on exact ties, and no result here is an exact tie. */
function directionOf(rounding: number, neg: boolean): number {
  if (rounding >= 4) return 0;
  if (rounding === 0) return 1;
  if (rounding === 1) return -1;
  if (rounding === 2) return neg ? -1 : 1;
  return neg ? 1 : -1;
}

/** A P-digit rounding: (-1)^neg * m * 10^exponent, m of `digits` digits (P, or P + 1 for 10^P). */
interface Rounded {
  neg: boolean;
  m: bigint;
  exponent: number;
  digits: number;
}

/** The P-digit rounding of every value in the open interval, or null if they differ. */
function roundOpen(b: Bounds, P: number, rounding: number): Rounded | null {
  const { lo, hi, w, q } = b;
  if (lo <= 0n) return null;
  const dir = directionOf(rounding, b.neg);
  const bl = bitLength(lo);
  const log2lo = bl <= 53 ? Math.log2(Number(lo)) : Math.log2(Number(lo >> BigInt(bl - 53))) + bl - 53;
  let s = P - 1 - Math.floor((log2lo - w) * LOG10_2);
  const top = pow10(P);
  const bottom = pow10(P - 1);
  let fl: bigint, rem: bigint, den: bigint;
  for (;;) {
    [fl, rem, den] = scaled(lo, w, s);
    if (fl >= top) s--;
    else if (fl < bottom) s++;
    else break;
  }
  // The rounding of values just above lo: a value just above a midpoint rounds up, just above an
  // integer truncates to it.
  const m = dir === 0 ? (rem * 2n >= den ? fl + 1n : fl) : dir > 0 ? fl + 1n : fl;
  if (!b.lowerOnly) {
    // The rounding of values just below hi, on the same scale (a carry into a new decade gives the
    // same number either way): just below a midpoint rounds down, just below an integer n rounds
    // away to n or truncates to n - 1.
    const [fh, rh, dh] = scaled(hi, w, s);
    let mh: bigint;
    if (dir === 0) mh = rh * 2n > dh ? fh + 1n : fh;
    else if (dir > 0) mh = rh === 0n ? fh : fh + 1n;
    else mh = rh === 0n ? fh - 1n : fh;
    if (mh !== m) return null;
  }
  return { neg: b.neg, m, exponent: q - s, digits: m === top ? P + 1 : P };
}

/** A result of roundOpen as a value of D: a BigDecimal from its parts (the same coefficient, exponent
 *  and digit count its text would be read into), anything else from its text. */
function valueOf(D: DecimalCtor, r: Rounded): Num {
  if (D.prototype instanceof BigDecimal) {
    const Parts = D as unknown as new (m: bigint, q: number, n: number) => Num;
    return new Parts(r.neg ? -r.m : r.m, r.exponent, r.digits);
  }
  return new D(`${r.neg ? '-' : ''}${r.m}e${r.exponent}`);
}

function ziv(D: DecimalCtor, approximate: (w: number) => Bounds): Num {
  const P = D.precision;
  const base = Math.ceil(P * LOG2_10) + 4;
  let guard = fastKernelSettings.initialGuardBits;
  for (;;) {
    const rounded = roundOpen(approximate(Math.max(base + guard, 64)), P, D.rounding);
    if (rounded !== null) return valueOf(D, rounded);
    // Results are transcendental, so some precision always decides; this only stops a runaway.
    if (guard > 64 * base + 100000) throw new Error('fast kernels: rounding undecided at 100000 extra bits');
    guard = guard * 2 + 32;
    fastKernelStats.retries++;
  }
}

/** Exported for tests: the interval one attempt at w bits gives, before rounding. */
export function boundsAt(kind: KernelName, x: Num, D: DecimalCtor, w: number): Bounds | null {
  const plan = plans[kind](x, D);
  return typeof plan === 'function' ? plan(w) : null;
}

type Plan = number | ((w: number) => Bounds);
const run = (plan: Plan, D: DecimalCtor): Num => (typeof plan === 'function' ? ziv(D, plan) : new D(plan));

// ---------------------------------------------------------------------------------------------------
// The kernels. Each plan is either a special value or the approximation for one working precision.

function expPlan(x: Num, D: DecimalCtor): Plan {
  if (x.isNaN()) return NaN;
  if (!x.isFinite()) return x.s > 0 ? Infinity : 0;
  if (x.isZero()) return 1;
  const p = partsOf(x);
  // Beyond these the result's exponent is past maxE or minE whatever the digits; inside them
  // |k| < 2^53, so the exponent arithmetic below stays exact in doubles.
  if (!p.neg && p.approx > (D.maxE + 3) * LN10) return Infinity;
  if (p.neg && p.approx > (3 - D.minE) * LN10) return 0;
  return (w) => {
    const { M, err, k } = expParts(p, p.neg, w);
    return boundsOf(M, err, w, k, false);
  };
}

function lnPlan(x: Num): Plan {
  if (x.isNaN()) return NaN;
  if (x.isZero()) return -Infinity;
  if (x.s < 0) return NaN;
  if (!x.isFinite()) return Infinity;
  if (x.eq(1)) return 0;
  const p = partsOf(x);
  // ln x = k ln 10 + ln m with m = x*10^-k in [10^-1/2, 10^1/2).
  const k = p.mant >= 3.1622776601683795 ? p.lead + 1 : p.lead;
  if (k !== 0) {
    // |k ln 10| >= 2.3 > 2|ln m|: no cancellation, the result is at least 1.15 in size.
    return (w) => {
      const M = (p.c << BigInt(w)) / pow10(k - p.e);
      const [Lm, eL] = lnCore(M, w);
      const kb = Math.ceil(Math.log2(Math.abs(k) + 1)) + 2;
      const S = (BigInt(k) * ln10Fixed(w + kb)) >> BigInt(kb);
      // M's error (< 1) is divided by m >= 0.3; k ln 10's error is < 3|k|/2^kb + 1.
      return boundsOf(S + Lm, eL + 3.4 + 1.75, w, 0, false);
    };
  }
  if (Math.abs(p.approx - 1) < 2 ** -12) {
    // Near 1: ln x = d * (ln(1 + d)/d) with d = x - 1 exact, so the result keeps d's relative precision.
    const dc = p.c - pow10(-p.e); // d = dc*10^e
    const dneg = dc < 0n;
    const dmag = dneg ? -dc : dc;
    const dLead = p.e + dmag.toString().length - 1;
    const dp: Parts = { neg: dneg, c: dmag, e: p.e, lead: dLead, mant: NaN, approx: Math.abs(p.approx - 1) };
    return (w) => {
      const Df = fixedOf(dp, w);
      const [L, eL] = log1pRatio(dneg ? -Df : Df, w);
      // d's error (< 1 unit) moves the ratio by about half as much.
      const b = boundsOf(dmag * L, eL + 1, w, p.e, dneg, dmag);
      // ln(1 + d) < d for d != 0: the exact d bounds the result from one side.
      const exact = dmag << BigInt(w);
      if (dneg) { if (b.lo < exact) b.lo = exact; } else if (b.hi > exact) b.hi = exact;
      return b;
    };
  }
  // m away from 1 by at least 2^-12: |ln m| > 2^-12.1, so 14 extra bits keep the relative error.
  return (w) => {
    const wm = w + 14;
    const M = fixedOf(p, wm);
    const [Lm, eL] = lnCore(M, wm);
    return boundsOf(Lm, eL + 3.4, wm, 0, false);
  };
}

function tanhPlan(x: Num): Plan {
  if (x.isNaN()) return NaN;
  if (!x.isFinite()) return x.s;
  if (x.isZero()) return x.s < 0 ? -0 : 0; // keeps the sign of zero
  const p = partsOf(x);
  if (p.lead >= 0) {
    // |x| >= 1: tanh|x| = (1 - t)/(1 + t) with t = e^-2|x|, a fixed-point value in [0.76, 1).
    const p2 = doubled(p);
    return (w) => {
      const W = BigInt(w);
      const one = 1n << W;
      const [T, eT] = expNegFixed(p2, w);
      const b = boundsOf(((one - T) << W) / (one + T), 2 * eT + 1, w, 0, p.neg);
      if (b.hi > one) b.hi = one; // tanh < 1
      return b;
    };
  }
  return (w) => {
    const tb = Math.max(12, Math.ceil(Math.sqrt(w) / 2));
    if (p.approx < 2 ** -tb) {
      // Tiny |x|: tanh a = a*Q with Q = E/(1 + aE), E = (e^2a - 1)/2a = sum (2a)^k/(k+1)!, all near 1.
      const W = BigInt(w);
      const one = 1n << W;
      const A = fixedOf(p, w);
      const Y2 = A << 1n; // error < 2
      let E = one;
      let term = one;
      let n = 0;
      for (let k = 2; ; k++) {
        term = ((term * Y2) >> W) / big(k);
        if (term === 0n) break;
        E += term;
        n++;
      }
      // Terms shrink by 2a/k < 2^-11: each is within 2 units plus its share of Y2's error; E's
      // derivative in y is about 1/2.
      const eE = 2 * n + 2 + 1.01;
      const den = one + ((A * E) >> W); // error < a*eE + E*1 + 1 < 2.1
      const Q = (E << W) / den; // den >= 1
      const eQ = eE + 1.01 * 2.1 + 1;
      const b = boundsOf(p.c * Q, eQ, w, p.e, p.neg, p.c);
      const exact = p.c << W;
      if (b.hi > exact) b.hi = exact; // tanh a < a
      return b;
    }
    // 2^-tb <= |x| < 1: tanh a = N/(N + 2), N = e^2a - 1 >= 2a; tb + 2 extra bits cover the cancellation.
    const w2 = w + tb + 2;
    const W2 = BigInt(w2);
    const one = 1n << W2;
    const [E, eE] = expCore(fixedOf(p, w2) << 1n, w2, 2);
    const N = E - one;
    return boundsOf((N << W2) / (N + (one << 1n)), 0.5 * (eE + Math.exp(2) * 2) + 1, w2, 0, p.neg);
  };
}

function sigmoidPlan(x: Num, D: DecimalCtor): Plan {
  if (x.isNaN()) return NaN;
  if (!x.isFinite()) return x.s > 0 ? 1 : 0;
  if (x.isZero()) return 0.5;
  const p = partsOf(x);
  if (!p.neg) {
    // 1/(1 + t), t = e^-x: in [1/2, 1), plain fixed point.
    return (w) => {
      const W = BigInt(w);
      const one = 1n << W;
      const [T, eT] = expNegFixed(p, w);
      const b = boundsOf((1n << BigInt(2 * w)) / (one + T), eT + 1, w, 0, false);
      if (b.hi > one) b.hi = one; // sigmoid < 1
      return b;
    };
  }
  // Below 10^minE the result underflows to 0, as decimal.js's exp does.
  if (p.approx > (3 - D.minE) * LN10) return 0;
  // x < 0: e^x/(1 + e^x) = 10^k * m/(1 + u), e^x = m*10^k, u = m*10^k: relative precision however small.
  return (w) => {
    const W = BigInt(w);
    const one = 1n << W;
    const { M, err, k } = expParts(p, true, w);
    let U: bigint, eU: number;
    if (k === 0) { U = M; eU = err; }
    else if (-k > LOG10_2 * w + 2) { U = 0n; eU = 1; }
    else { U = M / pow10(-k); eU = err / 10 ** -k + 1; }
    // d/dm of m/(1+u) is <= 1, d/du is <= m <= 3.2.
    return boundsOf((M << W) / (one + U), err + 3.2 * eU + 1, w, k, false);
  };
}

function softplusPlan(x: Num, D: DecimalCtor): Plan {
  if (x.isNaN()) return NaN;
  if (!x.isFinite()) return x.s > 0 ? Infinity : 0;
  if (x.isZero()) {
    return (w) => {
      const [L, eL] = lnCore(1n << BigInt(w + 1), w);
      return boundsOf(L, eL, w, 0, false);
    };
  }
  const p = partsOf(x);
  if (!p.neg) {
    if (p.e >= 0 && p.lead >= D.precision + 2) {
      // An integer x >= 10^(P+2): x < softplus x < x + 1 and every rounding boundary is an integer,
      // so the result is x rounded as if nudged upwards.
      return () => ({ lo: p.c, hi: p.c, w: 0, q: p.e, neg: false, lowerOnly: true });
    }
    // x + ln(1 + e^-x), with x exact in the frame 10^q.
    const q = Math.min(p.e, 0);
    const X0 = p.c * pow10(p.e - q);
    return (w) => {
      const W = BigInt(w);
      const one = 1n << W;
      const [T, eT] = expNegFixed(p, w);
      const [L, eL] = lnCore(one + T, w);
      const b = boundsOf((X0 << W) + L * pow10(-q), eL + eT, w, q, false, pow10(-q));
      const exact = X0 << W;
      if (b.lo < exact) b.lo = exact; // softplus x > x
      return b;
    };
  }
  if (p.approx > (3 - D.minE) * LN10) return 0;
  const kEstimate = Math.round(-p.approx / LN10);
  if (kEstimate >= -12) {
    // ln(1 + t), t = e^x in (10^-12.5, 1): fixed point with bits for the result's leading zeros.
    return (w) => {
      const wl = w + Math.ceil(-kEstimate * LOG2_10) + 8;
      const { M, err, k } = expParts(p, true, wl);
      const T = k === 0 ? M : M / pow10(-k);
      const eT = k === 0 ? err : err / 10 ** -k + 1;
      const [L, eL] = lnCore((1n << BigInt(wl)) + T, wl);
      return boundsOf(L, eL + eT, wl, 0, false);
    };
  }
  // t = e^x < 10^-11.5: ln(1 + t) = m*10^k * (log1p(t)/t), relative precision however small.
  return (w) => {
    const { M, err, k } = expParts(p, true, w);
    let T: bigint, eT: number;
    if (-k > LOG10_2 * w + 2) { T = 0n; eT = 1; }
    else { T = M / pow10(-k); eT = err / 10 ** -k + 1; }
    const [L1, eL1] = log1pRatio(T, w);
    // d/dt of log1p(t)/t is about -1/2; L1 <= 1, m <= 3.2.
    return boundsOf((M * L1) >> BigInt(w), err + 3.2 * (eL1 + 0.5 * eT) + 1, w, k, false);
  };
}

type KernelName = 'exp' | 'ln' | 'tanh' | 'sigmoid' | 'softplus';
const plans: Record<KernelName, (x: Num, D: DecimalCtor) => Plan> = {
  exp: expPlan,
  ln: lnPlan,
  tanh: tanhPlan,
  sigmoid: sigmoidPlan,
  softplus: softplusPlan,
};

/** e^x, correctly rounded to D's precision and rounding mode. */
export const fastExp = <T extends Num>(x: T, D: Ctor<T>): T => run(expPlan(x, D), D) as T;

/** ln x, correctly rounded; ln 0 = -Infinity, ln of a negative is NaN. */
export const fastLn = <T extends Num>(x: T, D: Ctor<T>): T => run(lnPlan(x), D) as T;

/** tanh x, correctly rounded; the sign of zero is kept. */
export const fastTanh = <T extends Num>(x: T, D: Ctor<T>): T => run(tanhPlan(x), D) as T;

/** 1/(1 + e^-x), correctly rounded. */
export const fastSigmoid = <T extends Num>(x: T, D: Ctor<T>): T => run(sigmoidPlan(x, D), D) as T;

/** ln(1 + e^x), correctly rounded. */
export const fastSoftplus = <T extends Num>(x: T, D: Ctor<T>): T => run(softplusPlan(x, D), D) as T;
