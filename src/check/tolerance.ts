// When a written number counts as a value. A hand-written number says how precise it claims to be by
// its last digit: 1.099 claims 1.099 +- 0.0005. So by default a value is correct when the exact value
// is within half a unit of the last written digit, and a rounding slip when it is within one unit (a
// truncation, or a rounding of an already rounded intermediate). A grader may replace "correct" by an
// absolute, relative or significant-digits tolerance; slips are still recognised by the written digits.
import { literalExponents, MAX_EXPONENT } from '../numeric/literal.js';
import type { Dec, DecimalCtor } from '../numeric/context.js';

export type Tolerance =
  | { kind: 'digits' }
  | { kind: 'abs'; value: string }
  | { kind: 'rel'; value: string }
  | { kind: 'sig'; digits: number };

export const DEFAULT_TOLERANCE: Tolerance = { kind: 'digits' };

export interface WrittenNumber {
  /** As written. */
  text: string;
  value: Dec;
  /** One unit of the last written digit; undefined for a bare zero ("0", "-0"), which claims exactly 0:
   *  nobody writes 0 for 0.3, and a ReLU's 0 is exact. */
  unit: Dec | undefined;
  half: Dec | undefined;
}

/**
 * Why a written number (already known to match DECIMAL_TEXT) cannot be graded, or undefined when it can.
 * Both its first significant digit and its last written digit (which sets the tolerance) must be within
 * the exponent range (numeric/literal.ts): `9e99999999999999999999` would be Infinity, within "half a
 * unit" of anything, and `1e-99999999999999999999` would be 0.
 */
export function writtenRangeProblem(text: string): string | undefined {
  const e = literalExponents(text.trim());
  if (!e) return undefined;
  const { lead, last } = e;
  const outside = (x: bigint) => x > MAX_EXPONENT || x < -MAX_EXPONENT;
  const q = quoted(text.trim());
  if (lead !== undefined && lead > MAX_EXPONENT) return `${q} is too large to grade: beyond an exponent of 9e15 a number is read as Infinity`;
  if (lead !== undefined && lead < -MAX_EXPONENT) return `${q} is too small to grade: below an exponent of -9e15 a number is read as 0`;
  if (outside(last)) return `${q} cannot be graded: its last digit is at an exponent outside -9e15 to 9e15, so the precision it claims cannot be represented`;
  return undefined;
}

/** A written value quoted in a message: shortened when long (a message quotes, it does not copy). */
export function quoted(text: string): string {
  return `'${text.length > 60 ? `${text.slice(0, 40)}…${text.slice(-12)}' (${text.length.toLocaleString('en-US')} characters)` : `${text}'`}`;
}

export function writtenNumber(text: string, D: DecimalCtor): WrittenNumber {
  const t = text.trim();
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  const value = new D(t);
  const fraction = m?.[2] ?? '';
  const exponent = Number(m?.[3] ?? '0');
  const unit = value.isZero() && fraction === '' ? undefined : new D(`1e${exponent - fraction.length}`);
  return { text: t, value, unit, half: unit?.div(2) };
}

/** The same written number in another run's constructor (same precision: the copy is exact). */
export function inContext(w: WrittenNumber, D: DecimalCtor): WrittenNumber {
  return { text: w.text, value: new D(w.value), unit: w.unit && new D(w.unit), half: w.half && new D(w.half) };
}

function withinGraderTolerance(w: WrittenNumber, exact: Dec, tol: Tolerance, diff = w.value.minus(exact).abs()): boolean {
  // Nothing is right about a value that is not a finite number (a guard: reading refuses such texts).
  if (!w.value.isFinite() || !exact.isFinite() || !diff.isFinite()) return false;
  switch (tol.kind) {
    case 'digits':
      return w.half === undefined ? exact.isZero() : diff.lte(w.half);
    case 'abs':
      return diff.lte(tol.value);
    case 'rel':
      return diff.lte(exact.abs().times(tol.value));
    case 'sig': {
      if (exact.isZero()) return w.value.isZero();
      // Half a unit in the `digits`-th significant digit of the exact value.
      const half = new (exact.constructor as DecimalCtor)(10).pow(exact.e - tol.digits + 1).div(2);
      return diff.lte(half);
    }
  }
}

export function isCorrect(w: WrittenNumber, exact: Dec, tol: Tolerance): boolean {
  return withinGraderTolerance(w, exact, tol);
}

/**
 * Whether a written value is of the exact value's size: within one power of ten of it (a truncation or
 * a double rounding moves the last digit, never the magnitude). Without this, a value whose last digit
 * is huge would be "within one unit" of anything: 1e100 for 1.5. A zero on either side is left to the
 * unit alone (0.0 for 0.07 is a truncation; a ReLU's exact 0 has no magnitude).
 */
function sameMagnitude(w: WrittenNumber, value: Dec): boolean {
  if (w.value.isZero() || value.isZero()) return true;
  return Math.abs(w.value.e - value.e) <= 1;
}

/** Within one unit of the last written digit, and of the same magnitude. */
function withinOneUnit(w: WrittenNumber, value: Dec, diff = w.value.minus(value).abs()): boolean {
  if (w.unit === undefined || !w.value.isFinite() || !value.isFinite() || !w.unit.isFinite()) return false;
  return diff.lte(w.unit) && sameMagnitude(w, value);
}

export function isRoundingSlip(w: WrittenNumber, exact: Dec): boolean {
  return withinOneUnit(w, exact);
}

/** Whether a recomputed value (from the student's own inputs, or under a variant) reproduces what was
 *  written, allowing the student's own rounding of it. */
export function reproduces(w: WrittenNumber, value: Dec, tol: Tolerance): boolean {
  if (!value.isFinite() || !w.value.isFinite()) return false;
  if (w.unit === undefined && value.isZero()) return true;
  const diff = w.value.minus(value).abs();
  return withinOneUnit(w, value, diff) || (tol.kind !== 'digits' && withinGraderTolerance(w, value, tol, diff));
}

/**
 * Whether a written value is a rounding slip of a recomputation from the student's own values: within
 * one unit of its last written digit of `value`, widened by `spread`, how far the recomputation moves
 * when each of the student's values that go in moves by the half unit its own last digit claims (a
 * student who rounds an input and computes on from it may still have used the digits the calculator
 * showed). Of the same magnitude, as a rounding slip of an exact value is.
 */
export function slipOfRecomputation(w: WrittenNumber, value: Dec, spread: Dec): boolean {
  if (w.unit === undefined || !w.value.isFinite() || !value.isFinite() || !spread.isFinite()) return false;
  return w.value.minus(value).abs().lte(w.unit.plus(spread)) && sameMagnitude(w, value);
}
