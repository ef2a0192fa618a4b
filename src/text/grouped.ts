// A whole number with its thousands grouped by commas (1,000,000), as toLocaleString('en-US') writes it,
// without Intl: the first Intl call of a process loads ICU's number formats, which costs a start-up
// more than the rest of a small run. Anything not a safe whole number is left to Intl.
export function grouped(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = 0; i < digits.length; i++) out += (i > 0 && (digits.length - i) % 3 === 0 ? ',' : '') + digits[i];
  return n < 0 ? `-${out}` : out;
}
