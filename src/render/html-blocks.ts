// The HTML of the document model's blocks, without the page around them and without reading anything:
// the CLI's page (render/html.ts, which inlines KaTeX's stylesheet and fonts from the file system) and a
// browser's (the playground, which typesets as it scrolls) print the same blocks through it. How a
// formula is written is the caller's `math`. A worked solution's blocks also print as a worksheet
// (worksheetBlock): the same headings, formulas and order, with an input cell where each value would be.
import { alignedBody, plainCalcLines, type Block, type CalcQuantity, type Inline, type MathLine } from './document.js';
import { escapeHtml } from '../text/escape.js';

/** Writes one fragment of TeX as HTML (KaTeX at once, or a placeholder a page typesets later). */
export type MathWriter = (tex: string, display: boolean) => string;

/** The page's own style (headings, displays, tables, figures), beside KaTeX's stylesheet. */
export const PAGE_CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1a1a1a; font: 17px/1.5 Georgia, 'Times New Roman', serif; }
main { max-width: 70rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.7rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 0.6rem; padding-top: 0.6rem; border-top: 2px solid #ccc; }
h3 { font-size: 1.15rem; margin: 1.6rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 1.1rem 0 0.3rem; color: #444; }
p { margin: 0.5rem 0; }
.katex { font-size: 1.05em; }
.display { margin: 0.4rem 0 0.8rem 1rem; overflow-x: auto; overflow-y: hidden; }
.display .katex-display { margin: 0; text-align: left; }
.display .katex-display > .katex { text-align: left; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.7rem; text-align: right; }
th { background: #f2f2f2; }
ul { padding-left: 1.4rem; }
figure { margin: 0.5rem 0 0.4rem; }
figcaption { font-size: 0.9rem; color: #444; }
figure svg { max-width: 100%; height: auto; }
@media print { h2 { break-before: auto; } .display { overflow: visible; } }
`;

export function htmlInline(content: Inline[], math: MathWriter): string {
  return content.map((c) => {
    if (typeof c === 'string') return escapeHtml(c);
    if ('math' in c) return math(c.math, false);
    if ('code' in c) return `<code>${escapeHtml(c.code)}</code>`;
    if ('literal' in c) return escapeHtml(c.literal);
    if ('strong' in c) return `<strong>${htmlInline(c.strong, math)}</strong>`;
    return escapeHtml(c.text);
  }).join('');
}

/** One block; `shift` moves headings down (1 in a page that has its own h1). */
export function htmlBlock(b: Block, math: MathWriter, shift = 0): string {
  const inline = (content: Inline[]) => htmlInline(content, math);
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + shift}>${inline(b.content)}</h${b.level + shift}>`;
    case 'paragraph':
      return `<p>${inline(b.content)}</p>`;
    case 'list':
      return `${b.lead ? `<p>${inline(b.lead)}</p>\n` : ''}<ul>\n${b.items.map((i) => `<li>${inline(i)}</li>`).join('\n')}\n</ul>`;
    case 'table':
      return [
        '<table>',
        `<thead><tr>${b.head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead>`,
        '<tbody>',
        ...b.rows.map((row) => `<tr>${row.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`),
        '</tbody>',
        '</table>',
      ].join('\n');
    case 'math':
      return `<div class="display">${math(`\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}`, true)}</div>`;
    case 'calc':
      return `<pre>${escapeHtml(b.calcs.flatMap((c) => plainCalcLines(c, '')).join('\n'))}</pre>`;
    case 'figure':
      return `<figure>\n${b.svg}\n<figcaption>${inline(b.caption)}</figcaption>\n</figure>`;
  }
}


/** One calculation of a display, or a run of its lines that belong to none (`quantity` absent). */
interface DisplayPart {
  quantity?: CalcQuantity;
  lines: MathLine[];
}

/** A display group cut into its calculations: consecutive lines of one quantity (MathLine.calc). */
function calculations(group: MathLine[]): DisplayPart[] {
  const parts: DisplayPart[] = [];
  for (const line of group) {
    const quantity = line.calc?.quantity;
    const last = parts[parts.length - 1];
    if (last && last.quantity === quantity) last.lines.push(line);
    else parts.push({ ...(quantity ? { quantity } : {}), lines: [line] });
  }
  return parts;
}

/** The answers paths of the cells a block has as a worksheet, in order. */
export function worksheetCells(b: Block): string[] {
  if (b.kind !== 'math' || b.statesValues) return [];
  return b.groups.flatMap(calculations).flatMap((c) => (c.quantity?.path !== undefined ? [c.quantity.path] : []));
}

/**
 * One block of a worked solution as a worksheet: a block that states computed values is left out, and
 * each calculation of a value keeps its formula and, where the numbers substituted and the value were,
 * shows `lhs = <input data-quantity="PATH">` (PATH its answers path, the input named for its quantity).
 * Those lines are left out, not hidden: they would give the answer away to anyone reading the page's
 * source. A quantity with no answers path keeps its formula alone. The rest prints as htmlBlock does.
 */
export function worksheetBlock(b: Block, math: MathWriter, shift = 0): string {
  if (b.statesValues) return '';
  if (b.worksheet && (b.kind === 'heading' || b.kind === 'paragraph')) return htmlBlock({ ...b, content: b.worksheet }, math, shift);
  if (b.kind !== 'math') return htmlBlock(b, math, shift);
  const display = (lines: MathLine[]) => `<div class="display">${math(`\\begin{aligned}\n${alignedBody([lines])}\n\\end{aligned}`, true)}</div>`;
  const out: string[] = [];
  for (const part of b.groups.flatMap(calculations)) {
    const { quantity } = part;
    if (!quantity) {
      out.push(display(part.lines));
      continue;
    }
    const formula = part.lines.filter((l) => l.calc!.part === 'formula');
    const body: string[] = [];
    if (formula.length > 0) body.push(display(formula));
    if (quantity.path !== undefined) {
      const path = escapeHtml(quantity.path);
      // Display style, so that a fraction (dL/dh1) reads as in the formula above.
      body.push(`<div class="ws-answer">${math(`\\displaystyle ${part.lines[0]!.lhs} =`, false)} <input type="text" inputmode="decimal" autocomplete="off" spellcheck="false" data-quantity="${path}" aria-label="${escapeHtml(`${quantity.name} (${quantity.path})`)}"></div>`);
    }
    if (body.length > 0) out.push(`<div class="ws-calc"${quantity.path !== undefined ? ` data-calc="${escapeHtml(quantity.path)}"` : ''}>${body.join('')}</div>`);
  }
  return out.join('\n');
}
