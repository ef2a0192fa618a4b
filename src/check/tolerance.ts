// When a written number counts as a value. A hand-written number says how precise it claims to be by
// its last digit: 1.099 claims 1.099 +- 0.0005. So by default a value is correct when the exact value
// is within half a unit of the last written digit, and a rounding slip when it is within one unit (a
// truncation, or a rounding of an already rounded intermediate). A grader may replace "correct" by an
// absolute, relative or significant-digits tolerance; slips are still recognised by the written digits.
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

export function isRoundingSlip(w: WrittenNumber, exact: Dec): boolean {
  return w.unit !== undefined && w.value.minus(exact).abs().lte(w.unit);
}

/** Whether a recomputed value (from the student's own inputs, or under a variant) reproduces what was
 *  written, allowing the student's own rounding of it. */
export function reproduces(w: WrittenNumber, value: Dec, tol: Tolerance): boolean {
  if (!value.isFinite()) return false;
  if (w.unit === undefined && value.isZero()) return true;
  const diff = w.value.minus(value).abs();
  return (w.unit !== undefined && diff.lte(w.unit)) || (tol.kind !== 'digits' && withinGraderTolerance(w, value, tol, diff));
}
