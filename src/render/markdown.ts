// Markdown printer of a typeset document: headings, paragraphs with $...$ inline mathematics, tables,
// and $$ displays holding an aligned environment (rendered by GitHub, VS Code, pandoc, Jupyter).
// Blocks are printed as they come (markdownSink), so a long document streams.
import { alignedBody, printWhole, separatedBlocks, type Block, type BlockSink, type Doc, type Inline } from './document.js';
import { escapeMarkdown } from '../text/escape.js';

function inline(content: Inline[]): string {
  return content.map((c) => (typeof c === 'string' ? escapeMarkdown(c) : `$${c.math}$`)).join('');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `${'#'.repeat(b.level)} ${inline(b.content)}`;
    case 'paragraph':
      return inline(b.content);
    case 'list':
      return b.items.map((item) => `- ${inline(item)}`).join('\n');
    case 'table':
      return [
        `| ${b.head.map(inline).join(' | ')} |`,
        `|${b.head.map(() => '---').join('|')}|`,
        ...b.rows.map((row) => `| ${row.map(inline).join(' | ')} |`),
      ].join('\n');
    case 'math':
      return `$$\n\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}\n$$`;
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
