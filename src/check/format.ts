// Numbers and formulas for reading. Exact values are kept in full in JSON; these are for people.
import type { Dec } from '../numeric/context.js';
import type { Node as MathNode } from '../symbolic/build.js';
import { print } from '../render/text.js';

/** A value for reading: `digits` significant digits, marked with … when that is not all of it. */
export function shortText(d: Dec, digits = 12): string {
  if (!d.isFinite() || d.isZero()) return d.isZero() ? '0' : d.toString();
  // Truncated, not rounded: 1.0999999999975 reads 1.09999999999…, never 1.1….
  const r = d.toSignificantDigits(digits, 1 /* ROUND_DOWN */);
  return d.eq(r) ? r.toString() : `${r.toString()}…`;
}

/** A formula as text; with `valueOf`, its symbols replaced by their numbers (negative ones in parentheses). */
export function printFormula(formula: MathNode, valueOf?: (name: string) => Dec | undefined): string {
  return print(formula, valueOf && ((name) => {
    const v = valueOf(name);
    if (!v) return undefined;
    const t = shortText(v, 10).replace('…', '');
    return v.isNegative() && !v.isZero() ? `(${t})` : t;
  }));
}
