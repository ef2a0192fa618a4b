// Whether a number written in a spec or an answer can be a value at all. decimal.js (and the BigDecimal
// held to it) keep exponents within +-9e15: past that a literal silently becomes Infinity or 0, so
// `1e99999999999999999999` would run on as Infinity. The exponents are read from the text itself, as
// BigInts, so no double is involved.
export const MAX_EXPONENT = 9_000_000_000_000_000n;

const LITERAL = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** The exponents of a decimal literal's first significant digit (undefined for a zero) and of its last
 *  written digit, or undefined when the text is not a decimal literal. */
export function literalExponents(text: string): { lead: bigint | undefined; last: bigint } | undefined {
  const m = LITERAL.exec(text);
  if (!m) return undefined;
  const [whole, fraction] = [m[1] ?? '', m[2] ?? ''];
  // An exponent of more than 18 digits is out of range whatever the digits before it (there are at most
  // millions of those): read as 10^19 rather than parsed in full (a million-digit BigInt is slow).
  const expText = m[3] ?? '0';
  const exp = expText.replace(/^[+-]?0*/, '').length > 18 ? (expText.startsWith('-') ? -1n : 1n) * 10n ** 19n : BigInt(expText);
  const first = (whole + fraction).search(/[1-9]/);
  return { lead: first < 0 ? undefined : exp + BigInt(whole.length - 1 - first), last: exp - BigInt(fraction.length) };
}

/** Why `text` (a decimal literal, e.g. -1.25e-3) is not a usable finite number, or undefined when it is. */
export function literalProblem(text: string): string | undefined {
  const lead = literalExponents(text)?.lead;
  // Not a literal (the caller's own check reports it), or zero, whatever its exponent.
  if (lead === undefined) return undefined;
  if (lead > MAX_EXPONENT || lead < -MAX_EXPONENT) {
    return `the number ${shorten(text)} is outside the range of exponents +-9e15 that exact arithmetic supports (it would become ${lead > 0n ? 'Infinity' : '0'})`;
  }
  return undefined;
}

const shorten = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text.trim());
