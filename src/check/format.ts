// Numbers and formulas for reading. Exact values are kept in full in JSON; these are for people. How a
// number reads is render/numbers.ts's (check truncates, never rounds: truncated()).
import type { Dec } from '../numeric/context.js';
import type { Node as MathNode } from '../symbolic/build.js';
import { print } from '../render/plain.js';
import { truncated, truncatedSubstituted } from '../render/numbers.js';

/** A value for reading: `digits` significant digits, marked with … when that is not all of it. */
export const shortText: (d: Dec, digits?: number) => string = truncated;

/** A formula as text; with `valueOf`, its symbols replaced by their numbers (negative ones in parentheses). */
export function printFormula(formula: MathNode, valueOf?: (name: string) => Dec | undefined): string {
  return print(formula, valueOf && ((name) => {
    const v = valueOf(name);
    return v && truncatedSubstituted(v, 10);
  }));
}
