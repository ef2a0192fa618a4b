// Markdown printer of a document: headings, paragraphs with $...$ inline mathematics, tables, lists,
// $$ displays holding an aligned environment (rendered by GitHub, VS Code, pandoc, Jupyter) and
// calculations in the plain notation as code blocks. Blocks are printed as they come (markdownSink), so
// a long document streams.
import { alignedBody, plainCalcLines, printWhole, separatedBlocks, type Block, type BlockSink, type Doc, type Inline } from './document.js';
import { escapeMarkdown, terminalSafeLine } from '../text/escape.js';

/** Text as a Markdown code span, whatever it holds: a fence longer than any run of backticks inside. */
export function codeSpan(text: string): string {
  const t = terminalSafeLine(text);
  const fence = '`'.repeat(Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** Our own text as it is: only what would end a table cell or row is written out. */
const literal = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function inline(content: Inline[]): string {
  return content.map((c) => {
    if (typeof c === 'string') return escapeMarkdown(c);
    if ('math' in c) return `$${c.math}$`;
    if ('code' in c) return codeSpan(c.code);
    if ('literal' in c) return literal(c.literal);
    if ('strong' in c) return `**${inline(c.strong)}**`;
    return escapeMarkdown(c.text);
  }).join('');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${inline(b.content)}`;
    case 'paragraph':
      return inline(b.content);
    case 'list':
      return [...(b.lead ? [inline(b.lead)] : []), ...b.items.map((item) => `- ${inline(item)}`)].join('\n');
    case 'table':
      return [
        // A column with no title is written `| |`.
        `|${b.head.map((c) => (c.length === 0 || (c.length === 1 && c[0] === '') ? ' ' : ` ${inline(c)} `)).join('|')}|`,
        `|${b.head.map(() => '---').join('|')}|`,
        // A cell is one line: a newline in it (a user's file name) would end the row.
        ...b.rows.map((row) => `| ${row.map((c) => inline(c).replace(/\n/g, ' ')).join(' | ')} |`),
      ].join('\n');
    case 'math':
      return `$$\n\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}\n$$`;
    case 'calc':
      return ['```', ...b.calcs.flatMap((c) => plainCalcLines(c, '')), '```'].join('\n');
    case 'figure':
      // Raw HTML, as CommonMark passes it on: one block, so no blank line inside it.
      return `${b.svg.replace(/\n\s*\n/g, '\n')}\n\n${inline(b.caption)}`;
  }
}

/** Writes each block as it comes: blocks separated by a blank line, the document ending in a newline. */
export function markdownSink(write: (text: string) => void): BlockSink {
  return separatedBlocks(write, block, '', '\n');
}

export function markdown(doc: Doc): string {
  let out = '';
  printWhole(doc, markdownSink((t) => (out += t)));
  return out;
}
