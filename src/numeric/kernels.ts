// Numeric kernels of the activation functions, on the values of one context. The transcendental ones
// are fast.ts's correctly rounded kernels (BigInt fixed point, many times faster than decimal.js's own
// and, unlike its tanh or a composed 1/(1+exp(-x)), rounded once from the true value). An exact-fraction
// context (rational.ts) has no such values: its own methods say so.
import Decimal from 'decimal.js';
import { BigDecimal } from './bigdecimal.js';
import type { Dec, NumericContext } from './context.js';
import { fastExp, fastLn, fastSigmoid, fastSoftplus, fastTanh, type Ctor, type Num } from './fast.js';

type Kernel = <T extends Num>(x: T, D: Ctor<T>) => T;

/** The fast kernel for a decimal value (the context's constructor is that value's own class), the
 *  value's own arithmetic otherwise. Fallbacks are plain functions: this runs for every activation. */
function kernel(f: Kernel, x: Dec, c: NumericContext, otherwise: (x: Dec, c: NumericContext) => Dec): Dec {
  if (x instanceof BigDecimal) return f(x, c.D as unknown as Ctor<BigDecimal>);
  if (x instanceof Decimal) return f(x, c.D as unknown as Ctor<Decimal>);
  return otherwise(x, c);
}

const ownExp = (x: Dec) => x.exp();
const ownLn = (x: Dec) => x.ln();
const ownTanh = (x: Dec) => x.tanh();
const ownSigmoid = (x: Dec, c: NumericContext) => c.one.div(c.one.plus(x.neg().exp()));
const ownSoftplus = (x: Dec, c: NumericContext) => c.one.plus(x.exp()).ln();

export const relu = (x: Dec, c: NumericContext): Dec => (x.isPositive() && !x.isZero() ? x : c.zero);
export const exp = (x: Dec, c: NumericContext): Dec => kernel(fastExp, x, c, ownExp);
export const ln = (x: Dec, c: NumericContext): Dec => kernel(fastLn, x, c, ownLn);
export const tanh = (x: Dec, c: NumericContext): Dec => kernel(fastTanh, x, c, ownTanh);
export const sigmoid = (x: Dec, c: NumericContext): Dec => kernel(fastSigmoid, x, c, ownSigmoid);
export const softplus = (x: Dec, c: NumericContext): Dec => kernel(fastSoftplus, x, c, ownSoftplus);

/** The step function used as relu'(x): 1 above 0, 0 below, the convention in force at exactly 0. */
export const heaviside = (x: Dec, c: NumericContext): Dec =>
  x.isZero() ? c.reluAtZero : x.isPositive() ? c.one : c.zero;

/** leaky_relu'(x): 1 above 0, the slope below; at 0 the relu convention scaled between the two sides
 *  (relu_at_zero 0 gives the slope, as PyTorch does; 1 gives 1). */
export const leakyReluPrime = (x: Dec, a: Dec, c: NumericContext): Dec =>
  x.isZero() ? a.plus(c.one.minus(a).times(c.reluAtZero)) : x.isPositive() ? c.one : a;

/**
 * The share of argument `i` in the gradient of maximum(xs): 1 for the largest, 0 for the others. Where
 * several are largest (`tied` marks the ones the evaluator found equal to the largest, up to rounding),
 * conventions.max_tie decides: `first` gives it all to the first of them, as PyTorch's max pooling
 * routes it, `split` 1/m to each of m.
 */
export function maxShare(i: number, xs: Dec[], c: NumericContext, tied?: readonly boolean[]): Dec {
  let top = 0;
  for (let j = 1; j < xs.length; j++) if (xs[j]!.gt(xs[top]!)) top = j;
  const ties = xs.map((x, j) => j === top || x.eq(xs[top]!) || tied?.[j] === true);
  if (!ties[i]) return c.zero;
  if ((c.maxTie ?? 'first') === 'first') return ties.indexOf(true) === i ? c.one : c.zero;
  return c.one.div(ties.filter(Boolean).length);
}

// The normal distribution, for GELU. decimal.js has no erf; these are computed with decimal.js at
// more digits than the run's and rounded once to the run's precision (as the fast kernels are).

/** Arguments beyond this size are refused: the digits lost to cancellation in Phi grow as x^2. */
const NORMAL_LIMIT = 300;

function guarded(x: Dec, c: NumericContext, extra: number, f: (x: Decimal, D: typeof Decimal) => Decimal): Dec {
  const xd = x instanceof BigDecimal ? x.toDecimal() : new Decimal(x.toString());
  if (xd.abs().gt(NORMAL_LIMIT)) throw new RangeError(`the normal distribution (GELU) is computed for arguments up to ${NORMAL_LIMIT} in size; got ${xd.toSignificantDigits(6).toString()}`);
  const D = Decimal.clone({ precision: c.precision + 20 + extra, rounding: Decimal.ROUND_HALF_EVEN });
  const r = f(new D(xd), D).toSignificantDigits(c.precision, Decimal.ROUND_HALF_EVEN);
  return new c.D(r.toString());
}

/** Digits lost to cancellation in 1 + erf(x/sqrt 2) for negative x: about x^2 / (2 ln 10). */
const cancelled = (x: Dec) => {
  const v = Math.abs(x.toNumber());
  return Math.ceil((v * v) / (2 * Math.LN10)) + 5;
};

/** erf(y) = 2/sqrt(pi) e^(-y^2) sum_n 2^n y^(2n+1) / (1*3*...*(2n+1)): every term positive (no
 *  cancellation), so its digits are the working digits. */
function erf(y: Decimal, D: typeof Decimal): Decimal {
  if (y.isZero()) return new D(0);
  const y2 = y.times(y);
  let term = y;
  let total = y;
  const eps = new D(10).pow(-D.precision - 2);
  for (let n = 1; ; n++) {
    term = term.times(y2).times(2).div(2 * n + 1);
    total = total.plus(term);
    if (term.abs().lt(total.abs().times(eps))) break;
  }
  const pi = D.acos(-1);
  return total.times(2).div(pi.sqrt()).times(y2.neg().exp());
}

const phi = (x: Decimal, D: typeof Decimal) => x.times(x).div(-2).exp().div(D.acos(-1).times(2).sqrt());
const Phi = (x: Decimal, D: typeof Decimal) => erf(x.div(new D(2).sqrt()), D).plus(1).div(2);

export const normalPdf = (x: Dec, c: NumericContext): Dec => guarded(x, c, 0, phi);
export const normalCdf = (x: Dec, c: NumericContext): Dec => guarded(x, c, cancelled(x), Phi);
export const gelu = (x: Dec, c: NumericContext): Dec => guarded(x, c, cancelled(x), (v, D) => v.times(Phi(v, D)));
