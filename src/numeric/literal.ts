// Whether a number written in a spec or an answer can be a value at all. decimal.js (and the BigDecimal
// held to it) keep exponents within +-9e15: past that a literal silently becomes Infinity or 0, so
// `1e99999999999999999999` would run on as Infinity. The exponent is read from the text itself, as a
// BigInt, so no double is involved.
export const MAX_EXPONENT = 9_000_000_000_000_000n;

/** Why `text` (a decimal literal, e.g. -1.25e-3) is not a usable finite number, or undefined when it is. */
export function literalProblem(text: string): string | undefined {
  const m = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!m) return undefined; // not a decimal literal: the caller's own check reports it
  const whole = m[1] ?? '';
  const fraction = m[2] ?? '';
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return undefined; // zero, whatever its exponent
  const exponent = BigInt(m[3] ?? '0');
  // The exponent of the leading digit: position of the first nonzero digit relative to the point.
  const leadingZerosInFraction = whole.replace(/^0+/, '') === '' ? fraction.length - fraction.replace(/^0+/, '').length + 1 : 0;
  const adjusted = exponent + (whole.replace(/^0+/, '') !== '' ? BigInt(whole.replace(/^0+/, '').length - 1) : -BigInt(leadingZerosInFraction));
  if (adjusted > MAX_EXPONENT || adjusted < -MAX_EXPONENT) {
    return `the number ${shorten(text)} is outside the range of exponents +-9e15 that exact arithmetic supports (it would become ${adjusted > 0n ? 'Infinity' : '0'})`;
  }
  return undefined;
}

const shorten = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text.trim());
