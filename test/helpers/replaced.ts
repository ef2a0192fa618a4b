// Variants of a spec or answers text made by replacing part of it. A plain `.replace()` whose pattern has
// drifted from the text (an example reworded, a number changed) returns the text unchanged, and the test
// then checks the original instead of the variant; `replaced` throws instead.

/**
 * `text.replace(from, to)`, or an error when `from` does not occur in `text`. A string replaces its first
 * occurrence and a RegExp follows its flags (with `g`, every match), exactly as String.prototype.replace.
 */
export function replaced(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : new RegExp(from.source, from.flags.replace('g', '')).test(text);
  if (!found) throw new Error(`replaced: ${typeof from === 'string' ? JSON.stringify(from) : String(from)} does not occur in the text (${JSON.stringify(text.slice(0, 60))}...)`);
  return text.replace(from, to);
}
