// The worked solution or a derivation as an HTML fragment: a printer of the library's document model (a
// BlockSink) that writes the blocks the way the library's own HTML printer (src/render/html.ts) does,
// minus the page around them (that printer reads KaTeX's stylesheet and fonts from the file system,
// which a browser has not). How a formula is written is the caller's: for the page, its TeX in a
// placeholder that the page typesets with KaTeX when it scrolls into view (typesetting hw7's hundreds of
// formulas at once takes most of a second; the screenful in view, a few milliseconds); for a download,
// typeset here at once (renderMath).
import katex from 'katex';
import { alignedBody, plainCalcLines, type Block, type BlockSink, type Inline } from '../../src/index.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One fragment of TeX. A fragment KaTeX refuses is shown as its source in red rather than failing the
 *  whole page (the CLI's printer throws: there a refusal is a bug to find in tests, here a reader would
 *  lose the solution over one formula). The allowance of macro expansions grows with the fragment, as in
 *  the library's printer. */
export function renderMath(tex: string, display: boolean): string {
  return katex.renderToString(tex, { displayMode: display, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml', maxExpand: Math.max(1000, tex.length) });
}

/** How a formula is written: typeset, or left for the page to typeset. */
export type MathWriter = (tex: string, display: boolean) => string;

/** A formula for the page to typeset (main.ts), its TeX shown until then. */
export const placeholder: MathWriter = (tex, display) => `<span class="tex" data-display="${display ? 1 : 0}">${escapeHtml(tex)}</span>`;

export function inline(content: Inline[], math: MathWriter): string {
  return content.map((c) => {
    if (typeof c === 'string') return escapeHtml(c);
    if ('math' in c) return math(c.math, false);
    if ('code' in c) return `<code>${escapeHtml(c.code)}</code>`;
    if ('literal' in c) return escapeHtml(c.literal);
    if ('strong' in c) return `<strong>${inline(c.strong, math)}</strong>`;
    return escapeHtml(c.text);
  }).join('');
}

export function block(b: Block, math: MathWriter): string {
  const inline_ = (content: Inline[]) => inline(content, math);
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + 1}>${inline_(b.content)}</h${b.level + 1}>`;
    case 'paragraph':
      return `<p>${inline_(b.content)}</p>`;
    case 'list':
      return `${b.lead ? `<p>${inline_(b.lead)}</p>` : ''}<ul>${b.items.map((i) => `<li>${inline_(i)}</li>`).join('')}</ul>`;
    case 'table':
      return `<div class="table"><table><thead><tr>${b.head.map((c) => `<th scope="col">${inline_(c)}</th>`).join('')}</tr></thead><tbody>${
        b.rows.map((row) => `<tr>${row.map((c) => `<td>${inline_(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;
    case 'math':
      return `<div class="display">${math(`\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}`, true)}</div>`;
    case 'calc':
      return `<pre>${escapeHtml(b.calcs.flatMap((c) => plainCalcLines(c, '')).join('\n'))}</pre>`;
    case 'figure':
      return `<figure>${b.svg}<figcaption>${inline_(b.caption)}</figcaption></figure>`;
  }
}

/** A sink writing each typeset block as it comes (headings one level down: the page has its own h1).
 *  `title` receives the document's title. */
export function fragmentSink(write: (html: string) => void, math: MathWriter, title?: (t: string) => void): BlockSink {
  return {
    medium: 'typeset',
    begin(t) {
      title?.(t);
    },
    blocks(blocks) {
      for (const b of blocks) if (b.only === undefined || b.only === 'typeset') write(block(b, math) + '\n');
    },
    end() {},
  };
}
