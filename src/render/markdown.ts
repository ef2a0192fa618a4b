// Markdown printer of a typeset document: headings, paragraphs with $...$ inline mathematics, tables,
// and $$ displays holding an aligned environment (rendered by GitHub, VS Code, pandoc, Jupyter).
import { alignedBody, type Doc, type Inline } from './document.js';

/** Characters Markdown would read as markup in running text. */
const escapeText = (s: string) => s.replace(/([\\`*_[\]<>|#])/g, '\\$1');

function inline(content: Inline[]): string {
  return content.map((c) => (typeof c === 'string' ? escapeText(c) : `$${c.math}$`)).join('');
}

export function markdown(doc: Doc): string {
  const out: string[] = [];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${inline(b.content)}`);
        break;
      case 'paragraph':
        out.push(inline(b.content));
        break;
      case 'list':
        out.push(b.items.map((item) => `- ${inline(item)}`).join('\n'));
        break;
      case 'table':
        out.push([
          `| ${b.head.map(inline).join(' | ')} |`,
          `|${b.head.map(() => '---').join('|')}|`,
          ...b.rows.map((row) => `| ${row.map(inline).join(' | ')} |`),
        ].join('\n'));
        break;
      case 'math':
        out.push(`$$\n\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}\n$$`);
        break;
    }
  }
  return out.join('\n\n') + '\n';
}
