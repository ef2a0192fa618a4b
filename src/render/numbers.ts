// Numbers for people to read: the one place that decides how a value is displayed in every printer and
// report (the worked solution in each format, derive, check). Exact values are never changed here: a
// display is rounded (or, for check, truncated) text, marked with … when it is not the whole value, so
// that a rounded number never passes for an exact one. JSON writes values in full and does not use this.
//
// The rounding itself is numeric/context.ts's roundedText (the numeric room, below this one, so that
// render/tex.ts's TeX numbers round the same way); what is built on it (the …, the fraction under
// --exact, a value put into a formula, check's truncation) is here and only here. How many digits a
// certified run may show is certify/certify.ts's displayDigits, decided with the certification.
import { roundedText, type Dec } from '../numeric/context.js';

export { roundedText };

/** `digits` significant digits (a tie of the working decimals rounds away from zero), then … when that
 *  is not the whole value:
 *  2/3 at 4 digits is 0.6667…, 1.5 is 1.5, 1.0999999999975 at 6 digits is 1.10000… */
export function rounded(d: Dec, digits: number): string {
  const r = roundedText(d, digits);
  return r.exact ? r.text : `${r.text}…`;
}

/** Whether a value is an exact fraction with no finite decimal expansion (1/3 under --exact). */
export function isRepeatingFraction(d: Dec): boolean {
  return (d as unknown as { isTerminating?: () => boolean }).isTerminating?.() === false;
}

/** A value where it is stated (a result, a given, an initial or final value): as rounded(), but an
 *  exact fraction with no finite decimal expansion is written as the fraction, then its decimal
 *  (1/3 ≈ 0.3333…), so that the exact value is on the page. */
export function stated(d: Dec, digits: number): string {
  return isRepeatingFraction(d) ? `${d.toString()} ≈ ${rounded(d, digits)}` : rounded(d, digits);
}

/** A number as it is put into a formula (the substitution line): the rounded digits without the …
 *  (the line's own value says whether it is exact), a negative number in parentheses. */
export function substituted(d: Dec, digits: number): string {
  return inParentheses(d, roundedText(d, digits).text);
}

/** check's reading of a value: `digits` significant digits truncated, never rounded, so that a
 *  student's 1.1 is not shown 1.1… against an exact 1.0999999999975 (it reads 1.09999999999…). */
export function truncated(d: Dec, digits = 12): string {
  if (!d.isFinite() || d.isZero()) return d.isZero() ? '0' : d.toString();
  const r = d.toSignificantDigits(digits, 1 /* ROUND_DOWN */);
  return d.eq(r) ? r.toString() : `${r.toString()}…`;
}

/** truncated() as it is put into a formula: without the …, a negative number in parentheses. */
export function truncatedSubstituted(d: Dec, digits: number): string {
  return inParentheses(d, truncated(d, digits).replace('…', ''));
}

function inParentheses(d: Dec, text: string): string {
  return d.isNegative() && !d.isZero() ? `(${text})` : text;
}
