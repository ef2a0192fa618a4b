// Certified digits: the trace is computed twice, at the working precision and at a higher one, and a
// digit of a value is certified when both runs agree on it. Every branch decision (each kink, max,
// abs) must be the same in both runs; where it is not, the branch is undecidable at this precision and
// the values after it cannot be trusted, whatever their digits say.
import type { Dec } from '../numeric/context.js';
import type { Spec } from '../spec/model.js';
import { run, type RunOptions, type Trace } from '../graph/run.js';
import { symbolOf } from '../graph/ids.js';

export const REFERENCE_EXTRA_DIGITS = 20;

export interface Undecidable {
  step: number;
  sample?: number;
  quantity: string;
  message: string;
}

export interface Certification {
  precision: number;
  referencePrecision: number;
  /** Certified significant digits of each value of the trace, by the value object itself. */
  digits: WeakMap<Dec, number>;
  /** The fewest certified digits of any value. */
  fewest: number;
  undecidable: Undecidable[];
}

/** Both runs, each held whole (certify compares them value by value). `options` hold for both: the
 *  limits, and the budgets (a deadline or an abort stops whichever run is going). */
export function certifiedRun(spec: Spec, options: RunOptions = {}): { trace: Trace; certification: Certification } {
  const trace = run(spec, { ...options, recordBranches: true });
  // The reference run shares the limits and budgets, not the callbacks (nothing of it is printed).
  const { onStep: _onStep, onStart: _onStart, onStepDone: _onStepDone, retain: _retain, ...shared } = options;
  const reference = run({ ...spec, precision: spec.precision + REFERENCE_EXTRA_DIGITS }, { ...shared, recordBranches: true });
  return { trace, certification: certify(trace, reference) };
}

export function certify(trace: Trace, reference: Trace): Certification {
  const precision = trace.ctx.precision;
  const digits = new WeakMap<Dec, number>();
  let fewest = precision;
  const compare = (ours: Map<string, Dec>, theirs: Map<string, Dec>) => {
    for (const [name, value] of ours) {
      const k = agreeingDigits(value, theirs.get(name)!, precision);
      digits.set(value, k);
      if (k < fewest) fewest = k;
    }
  };
  trace.steps.forEach((step, i) => {
    const ref = reference.steps[i]!;
    step.samples.forEach((sample, j) => compare(sample.values, ref.samples[j]!.values));
    compare(step.values, ref.values);
  });

  const undecidable: Undecidable[] = [];
  for (const [key, { step, sample, quantity: id, sides }] of trace.branches ?? []) {
    const other = reference.branches?.get(key)?.sides;
    if (other && sides.length === other.length && sides.every((s, i) => s === other[i])) continue;
    const quantity = symbolOf(id);
    const where = `step ${step}${sample !== undefined ? `, sample ${sample}` : ''}, ${quantity}`;
    undecidable.push({
      step,
      ...(sample !== undefined ? { sample } : {}),
      quantity,
      message: `${where}: a branch (kink, max or abs) goes one way at precision ${precision} and another at ${reference.ctx.precision}: ` +
        `it cannot be decided at precision ${precision}; raise the precision`,
    });
  }
  return { precision, referencePrecision: reference.ctx.precision, digits, fewest, undecidable };
}

/**
 * The number of significant digits on which two values agree: the largest k for which both round to
 * the same k-digit number (at most the working precision). Equal values, exact zeros included, agree on
 * all digits; a zero against a nonzero agrees on none.
 */
export function agreeingDigits(a: Dec, b: Dec, precision: number): number {
  if (a.eq(b)) return precision;
  if (a.isZero() || b.isZero()) return 0;
  // |a - b|/|b| = r.rrr * 10^e agrees on at most 1 - e digits: start there (a logarithm at a thousand
  // digits would cost more than the whole run) and step down to the first k that agrees.
  const relative = a.minus(b).abs().div(b.abs());
  let k = Math.min(precision, Math.max(0, 1 - relative.e));
  while (k > 0 && !a.toSignificantDigits(k).eq(b.toSignificantDigits(k))) k--;
  return k;
}

/** The digits a solution shows: never a digit that is not certified (with a certification). */
export function displayDigits(digits: number, certification: Certification | undefined): number {
  return certification ? Math.max(1, Math.min(digits, certification.fewest)) : digits;
}
