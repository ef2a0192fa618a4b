// Numeric kernels of the activation functions, on decimal.js values of one context.
import type { Dec, NumericContext } from './context.js';

export const relu = (x: Dec, c: NumericContext): Dec => (x.isPositive() && !x.isZero() ? x : c.zero);
export const sigmoid = (x: Dec, c: NumericContext): Dec => c.one.div(c.one.plus(x.neg().exp()));
export const softplus = (x: Dec, c: NumericContext): Dec =>
  // log(1 + e^x) = x + log(1 + e^-x): the second form keeps e^x from growing without bound for large x.
  x.isPositive() ? x.plus(c.one.plus(x.neg().exp()).ln()) : c.one.plus(x.exp()).ln();

/** The step function used as relu'(x): 1 above 0, 0 below, the convention in force at exactly 0. */
export const heaviside = (x: Dec, c: NumericContext): Dec =>
  x.isZero() ? c.reluAtZero : x.isPositive() ? c.one : c.zero;

/** leaky_relu'(x): 1 above 0, the slope below; at 0 the relu convention scaled between the two sides
 *  (relu_at_zero 0 gives the slope, as PyTorch does; 1 gives 1). */
export const leakyReluPrime = (x: Dec, a: Dec, c: NumericContext): Dec =>
  x.isZero() ? a.plus(c.one.minus(a).times(c.reluAtZero)) : x.isPositive() ? c.one : a;
