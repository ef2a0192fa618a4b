// One numeric context per run: the value constructor of the working precision. Values are BigDecimals
// (bigdecimal.ts), which round exactly as decimal.js does at that precision; the engine sees any kind of
// value through the Dec interface below. Every value of a run is built from this one constructor,
// because an operation rounds to the precision of its first operand.
import Decimal from 'decimal.js';
import { BigDecimal, bigDecimalClass, DECIMAL_TEXT } from './bigdecimal.js';

export { DECIMAL_TEXT };

/** What an operation takes: another value, or a number written as text or a whole number. */
export type DecValue = Dec | string | number | bigint;

/** What the engine asks of a value, whichever kind a run computes in: a BigDecimal (the default), an
 *  exact fraction (--exact) or decimal.js's own (the reference in tests). */
export interface Dec {
  plus(y: DecValue): Dec;
  minus(y: DecValue): Dec;
  times(y: DecValue): Dec;
  div(y: DecValue): Dec;
  pow(y: DecValue): Dec;
  neg(): Dec;
  abs(): Dec;
  sqrt(): Dec;
  exp(): Dec;
  ln(): Dec;
  tanh(): Dec;
  log(base?: DecValue): Dec;
  isZero(): boolean;
  isPositive(): boolean;
  isNegative(): boolean;
  isFinite(): boolean;
  isNaN(): boolean;
  isInteger(): boolean;
  eq(y: DecValue): boolean;
  gt(y: DecValue): boolean;
  lt(y: DecValue): boolean;
  gte(y: DecValue): boolean;
  lte(y: DecValue): boolean;
  cmp(y: DecValue): number;
  toNumber(): number;
  toString(): string;
  /** Rounded for display, as a decimal.js value. */
  toSignificantDigits(digits: number, rounding?: Decimal.Rounding): Decimal;
  /** Exponent of the leading digit: the value is d.ddd * 10^e. */
  readonly e: number;
}
/** The constructor of a run's values: exact from text, a whole number or another value. */
export interface DecimalCtor {
  new (value: DecValue): Dec;
  readonly precision: number;
}

export const MIN_PRECISION = 10;
export const MAX_PRECISION = 1000;
export const DEFAULT_PRECISION = 50;

export interface NumericContext {
  readonly precision: number;
  readonly D: DecimalCtor;
  readonly zero: Dec;
  readonly one: Dec;
  /** |z| below this times the largest term of z is a cancellation, i.e. an exact zero. */
  readonly cancellation: Dec;
  /** Value of relu'(0) (and of the step function at 0). */
  readonly reluAtZero: Dec;
  /** Where the gradient of a maximum goes at a tie (conventions.max_tie): all to the first of the
   *  largest arguments, as PyTorch's max pooling, or split evenly. Default first. */
  readonly maxTie?: 'first' | 'split';
}

export function makeContext(precision: number, reluAtZero = '0', maxTie: 'first' | 'split' = 'first'): NumericContext {
  return contextOf(precision, bigDecimalClass(precision), reluAtZero, maxTie);
}

/** A context whose values are decimal.js's own, at the same precision and rounding: the reference that
 *  BigDecimal runs are held to, value for value (test/bigdecimal.test.ts). */
export function makeDecimalJsContext(precision: number, reluAtZero = '0', maxTie: 'first' | 'split' = 'first'): NumericContext {
  // decimal.js's constructor takes its own values, which are all a decimal.js context ever gives it.
  const D = Decimal.clone({ precision, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -7, toExpPos: 21 });
  return contextOf(precision, D as unknown as DecimalCtor, reluAtZero, maxTie);
}

function contextOf(precision: number, D: DecimalCtor, reluAtZero: string, maxTie: 'first' | 'split'): NumericContext {
  return {
    maxTie,
    precision,
    D,
    zero: new D(0),
    one: new D(1),
    cancellation: new D(10).pow(-(precision - 10)),
    reluAtZero: new D(reluAtZero),
  };
}

/** A constructor for exact constant folding in symbolic work: sums and products of short decimals
 *  written in a spec never need anywhere near this many digits, so folding them is exact. */
export const ExactDecimal = Decimal.clone({ precision: 2000, rounding: Decimal.ROUND_HALF_EVEN });

/** What roundedText needs of an exact fraction (numeric/rational.ts, which imports this module). */
interface ExactFraction {
  toDecimal(precision: number): Decimal;
  isTerminating(): boolean;
}

/** Text of a value rounded to `digits` significant digits, for display only; `exact` says whether
 *  the text is the whole value. An inexact value keeps its trailing zeros (1.10000000000, not 1.1), so
 *  that a rounded display never looks like an exact one. */
export function roundedText(value: Dec, digits: number): { text: string; exact: boolean } {
  if (value.isZero()) return { text: '0', exact: true };
  // An exact fraction (numeric/rational.ts) is shown through its decimal expansion, a few digits past
  // what is displayed so that the rounding below is the rounding of the true value.
  // A BigDecimal is converted exactly.
  const fraction = value instanceof Decimal || value instanceof BigDecimal ? undefined : (value as unknown as ExactFraction);
  const d: Decimal = value instanceof Decimal ? value : value instanceof BigDecimal ? value.toDecimal() : fraction!.toDecimal(digits + 10);
  const exactFraction = fraction ? fraction.isTerminating() : true;
  const rounded = d.toSignificantDigits(digits);
  if (exactFraction && rounded.eq(d)) return { text: rounded.toString(), exact: true };
  const e = rounded.e;
  const plain = e >= -7 && e < 21;
  return { text: plain ? rounded.toPrecision(digits) : rounded.toExponential(digits - 1), exact: false };
}
