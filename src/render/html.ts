// HTML printer of a typeset document: one self-contained page that opens offline. The mathematics is
// rendered here, server side, with KaTeX (throwOnError: a fragment KaTeX cannot render is our bug, not
// something to show the reader), and KaTeX's stylesheet is inlined with its fonts as data: URLs
// (woff2 only, and only the font families the page uses).
import katex from 'katex';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { alignedBody, type Doc, type Inline } from './document.js';

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Renders one fragment; throws on anything KaTeX does not accept. */
export function renderMath(tex: string, display: boolean): string {
  return katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'error', output: 'htmlAndMathml' });
}

function inline(content: Inline[]): string {
  return content.map((c) => (typeof c === 'string' ? escapeHtml(c) : renderMath(c.math, false))).join('');
}

const PAGE_CSS = `
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
@media print { h2 { break-before: auto; } .display { overflow: visible; } }
`;

export function html(doc: Doc): string {
  const body: string[] = [];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'heading':
        body.push(`<h${b.level}>${inline(b.content)}</h${b.level}>`);
        break;
      case 'paragraph':
        body.push(`<p>${inline(b.content)}</p>`);
        break;
      case 'list':
        body.push(`<ul>\n${b.items.map((i) => `<li>${inline(i)}</li>`).join('\n')}\n</ul>`);
        break;
      case 'table':
        body.push([
          '<table>',
          `<thead><tr>${b.head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr></thead>`,
          '<tbody>',
          ...b.rows.map((row) => `<tr>${row.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`),
          '</tbody>',
          '</table>',
        ].join('\n'));
        break;
      case 'math':
        body.push(`<div class="display">${renderMath(`\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}`, true)}</div>`);
        break;
    }
  }
  const content = body.join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${katexCss(content)}</style>`,
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    content,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// Resolved from this module, so it works from the sources, the bundle, and an installed package.
const requireHere = createRequire(import.meta.url);

/**
 * KaTeX's stylesheet with the fonts the rendered `content` can use embedded as data: URLs. A family is
 * kept when a class that selects it occurs in the content (KaTeX_Main always: it is the base font).
 */
export function katexCss(content: string): string {
  const cssPath = requireHere.resolve('katex/dist/katex.min.css');
  const fonts = join(dirname(cssPath), 'fonts');
  const css = readFileSync(cssPath, 'utf8');
  const classes = new Set([...content.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1]!.split(/\s+/)));
  const used = new Set(['Main']);
  for (const rule of css.matchAll(/([^{}@]+)\{([^{}]*)\}/g)) {
    const families = [...rule[2]!.matchAll(/KaTeX_(\w+)/g)].map((m) => m[1]!);
    if (families.length === 0) continue;
    const selects = [...rule[1]!.matchAll(/\.([\w-]+)/g)].map((m) => m[1]!).filter((c) => c !== 'katex');
    if (selects.some((c) => classes.has(c))) families.forEach((f) => used.add(f));
  }
  return css.replace(/@font-face\{([^}]*)\}/g, (whole, decls: string) => {
    const family = /font-family:"?KaTeX_(\w+)/.exec(decls)?.[1];
    const woff2 = /url\(fonts\/([\w-]+\.woff2)\)/.exec(decls)?.[1];
    if (!family || !woff2) return whole;
    if (!used.has(family)) return '';
    const data = readFileSync(join(fonts, woff2)).toString('base64');
    return `@font-face{${decls.replace(/src:[^;}]*/, `src:url(data:font/woff2;base64,${data}) format("woff2")`)}}`;
  });
}
