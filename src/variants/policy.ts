// The grading policy of an exported quiz: how far from the exact value an answer is marked right
// (Moodle and QTI take an absolute tolerance per blank, worked out here from the policy in exact
// decimal arithmetic), and the share of the marks a known mistake's value earns.
import { DECIMAL_TEXT, ExactDecimal } from '../numeric/context.js';
import { writtenRangeProblem } from '../check/tolerance.js';

export type GradingPolicy = { abs: string } | { rel: string } | { sig: number };

export const DEFAULT_POLICY: GradingPolicy = { sig: 3 };
export const DEFAULT_PARTIAL_CREDIT = 50;
/** The percentages Moodle accepts for an answer's grade (question/type/multianswer); QTI takes any. */
export const MOODLE_PERCENTS = [100, 90, 80, 75, 70, 60, 50, 40, 30, 25, 20, 10, 5, 0];

/** The absolute tolerance of a blank whose exact value is `value`: abs as given, rel times |value|,
 *  or half a unit of the value's Nth significant digit (0 for an exact 0). */
export function toleranceOf(policy: GradingPolicy, value: string): string {
  return plainDecimal(absoluteTolerance(policy, value));
}

function absoluteTolerance(policy: GradingPolicy, value: string): InstanceType<typeof ExactDecimal> {
  if ('abs' in policy) return new ExactDecimal(policy.abs);
  const v = new ExactDecimal(value).abs();
  if ('rel' in policy) return v.times(policy.rel);
  if (v.isZero()) return v;
  // v = d.ddd * 10^e: a unit of the Nth significant digit is 10^(e - N + 1).
  return new ExactDecimal(10).pow(v.e - policy.sig + 1).div(2);
}

/** A decimal written out in full, without an exponent (0.00000005, not 5e-8), as quiz formats read
 *  numbers most surely. */
export function plainDecimal(d: InstanceType<typeof ExactDecimal>): string {
  return d.isZero() ? '0' : d.toFixed();
}

/** The policy in words, for a question's instructions. */
export function policyText(policy: GradingPolicy): string {
  if ('abs' in policy) return `within ${policy.abs} of the exact value`;
  if ('rel' in policy) return `within ${new ExactDecimal(policy.rel).times(100).toString()}% of the exact value`;
  return `to ${policy.sig} significant digits`;
}

/** The problem with an abs or rel tolerance as written (led by `name`), or undefined when it is a
 *  non-negative number in decimal arithmetic's range: what check's own tolerances are held to. */
export function toleranceProblem(name: string, value: string): string | undefined {
  if (typeof value !== 'string' || !DECIMAL_TEXT.test(value) || value.trim().startsWith('-')) return `${name} takes a non-negative number (e.g. 0.001), got '${String(value)}'`;
  const outside = writtenRangeProblem(value);
  return outside ? `${name}: ${outside}` : undefined;
}
