// LaTeX printer of a document: a complete article that compiles with standard packages only
// (amsmath, amssymb, geometry), with align* for displays and tabular for tables. Blocks are printed as
// they come (latexSink), so a long document streams.
import { alignedBody, plainCalcLines, printWhole, separatedBlocks, type Block, type BlockSink, type Doc, type Inline } from './document.js';
import { escapeLatex } from '../text/escape.js';

export { escapeLatex };

function inline(content: Inline[]): string {
  return content.map((c) => {
    if (typeof c === 'string') return escapeLatex(c);
    if ('math' in c) return `$${c.math}$`;
    if ('code' in c) return `\\texttt{${escapeLatex(c.code)}}`;
    if ('literal' in c) return escapeLatex(c.literal);
    if ('strong' in c) return `\\textbf{${inline(c.strong)}}`;
    return escapeLatex(c.text);
  }).join('');
}

const HEADINGS = ['', '\\section*', '\\subsection*', '\\subsubsection*', '\\paragraph*'];

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return b.level === 1 ? `\\title{${inline(b.content)}}\n\\date{}\n\\maketitle` : `${HEADINGS[b.level]}{${inline(b.content)}}`;
    case 'paragraph':
      return inline(b.content);
    case 'list':
      return `${b.lead ? `${inline(b.lead)}\n` : ''}\\begin{itemize}\n${b.items.map((i) => `  \\item ${inline(i)}`).join('\n')}\n\\end{itemize}`;
    case 'table':
      return [
        '\\begin{center}',
        `\\begin{tabular}{${b.head.map(() => 'l').join('')}}`,
        '\\hline',
        `${b.head.map(inline).join(' & ')} \\\\`,
        '\\hline',
        ...b.rows.map((row) => `${row.map(inline).join(' & ')} \\\\`),
        '\\hline',
        '\\end{tabular}',
        '\\end{center}',
      ].join('\n');
    case 'math':
      return `\\begin{align*}\n${alignedBody(b.groups)}\n\\end{align*}`;
    case 'figure':
      return `${inline(b.caption)}\n\n\\emph{${escapeLatex(b.alt)}}`;
    case 'calc':
      // verbatim takes its lines as they are; only its own end would close it early.
      return `\\begin{verbatim}\n${b.calcs.flatMap((c) => plainCalcLines(c, '')).join('\n').replace(/\\end\{verbatim\}/g, '\\end {verbatim}')}\n\\end{verbatim}`;
  }
}

const PREAMBLE = [
  '\\documentclass[11pt]{article}',
  '\\usepackage{amsmath,amssymb}',
  '\\usepackage[margin=2cm]{geometry}',
  '% Long worked solutions: let displays break across pages.',
  '\\allowdisplaybreaks',
  '\\setlength{\\parindent}{0pt}',
  '\\setlength{\\parskip}{0.5em}',
  '\\begin{document}',
  '',
  '',
].join('\n');

/** Writes the preamble, then each block as it comes (separated by a blank line), then the end. */
export function latexSink(write: (text: string) => void): BlockSink {
  return separatedBlocks(write, block, PREAMBLE, '\n\n\\end{document}\n');
}

export function latex(doc: Doc): string {
  let out = '';
  printWhole(doc, latexSink((t) => (out += t)));
  return out;
}
