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
