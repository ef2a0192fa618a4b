// LaTeX printer of a typeset document: a complete article that compiles with standard packages only
// (amsmath, amssymb, geometry), with align* for displays and tabular for tables.
import { alignedBody, type Doc, type Inline } from './document.js';

const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', $: '\\$', '&': '\\&', '#': '\\#', '%': '\\%',
  _: '\\_', '^': '\\textasciicircum{}', '~': '\\textasciitilde{}', "'": "'", '<': '$<$', '>': '$>$',
  '…': '\\ldots{}', '≈': '$\\approx$',
};

export const escapeLatex = (s: string) => s.replace(/[\\{}$&#%_^~<>…≈]/g, (c) => SPECIAL[c] ?? c);

function inline(content: Inline[]): string {
  return content.map((c) => (typeof c === 'string' ? escapeLatex(c) : `$${c.math}$`)).join('');
}

const HEADINGS = ['', '\\section*', '\\subsection*', '\\subsubsection*', '\\paragraph*'];

export function latex(doc: Doc): string {
  const body: string[] = [];
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'heading':
        body.push(b.level === 1 ? `\\title{${inline(b.content)}}\n\\date{}\n\\maketitle` : `${HEADINGS[b.level]}{${inline(b.content)}}`);
        break;
      case 'paragraph':
        body.push(inline(b.content));
        break;
      case 'list':
        body.push(`\\begin{itemize}\n${b.items.map((i) => `  \\item ${inline(i)}`).join('\n')}\n\\end{itemize}`);
        break;
      case 'table':
        body.push([
          '\\begin{center}',
          `\\begin{tabular}{${b.head.map(() => 'l').join('')}}`,
          '\\hline',
          `${b.head.map(inline).join(' & ')} \\\\`,
          '\\hline',
          ...b.rows.map((row) => `${row.map(inline).join(' & ')} \\\\`),
          '\\hline',
          '\\end{tabular}',
          '\\end{center}',
        ].join('\n'));
        break;
      case 'math':
        body.push(`\\begin{align*}\n${alignedBody(b.groups)}\n\\end{align*}`);
        break;
    }
  }
  return [
    '\\documentclass[11pt]{article}',
    '\\usepackage{amsmath,amssymb}',
    '\\usepackage[margin=2cm]{geometry}',
    '% Long worked solutions: let displays break across pages.',
    '\\allowdisplaybreaks',
    '\\setlength{\\parindent}{0pt}',
    '\\setlength{\\parskip}{0.5em}',
    '\\begin{document}',
    '',
    body.join('\n\n'),
    '',
    '\\end{document}',
    '',
  ].join('\n');
}
