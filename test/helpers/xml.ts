// A strict check that a piece of markup is well-formed XML (what an SVG must be to show at all): every
// tag closed in order, attributes quoted and unique, no raw '<' or stray '&' in text or attributes.
// Enough for the SVG we write; not a general XML parser (no CDATA, DOCTYPE or processing instructions).
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  const open: string[] = [];
  const entity = /&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
  const checkText = (t: string, where: string) => {
    if (t.includes('<')) problems.push(`raw '<' in ${where}`);
    if (t.replace(entity, '').includes('&')) problems.push(`stray '&' in ${where}`);
  };
  let pos = 0;
  for (const m of text.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/g)) {
    checkText(text.slice(pos, m.index), 'text');
    pos = m.index! + m[0].length;
    const [, closing, name, attrs, selfClosing] = m;
    const names = [...attrs!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => {
      checkText(a[2]!, `attribute ${a[1]} of <${name}>`);
      return a[1]!;
    });
    if (new Set(names).size !== names.length) problems.push(`<${name}> repeats an attribute`);
    if (closing) {
      const top = open.pop();
      if (top !== name) problems.push(`</${name}> closes <${top ?? 'nothing'}>`);
    } else if (!selfClosing) open.push(name!);
  }
  checkText(text.slice(pos), 'text');
  if (open.length) problems.push(`unclosed: ${open.join(', ')}`);
  return problems;
}
