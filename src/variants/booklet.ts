// A printable booklet of forms: one page per variant (the problem and a table of blanks to fill in),
// then the keys, one table per form. LaTeX for pdflatex with amsmath and booktabs only; user text
// (the exercise's name, where a quantity is) escaped by text/escape.ts, mathematics from render/tex.ts.
import { ExactDecimal } from '../numeric/context.js';
import { escapeLatex } from '../text/escape.js';
import type { Variant } from './generate.js';
import { policyText, type GradingPolicy } from './policy.js';
import { texNumber } from './statement.js';

/** Digits a key shows of a long value (the exact value is in the form's key.json). */
const KEY_DIGITS = 12;

function keyValue(value: string): string {
  const d = new ExactDecimal(value);
  if (d.sd() <= KEY_DIGITS) return texNumber(value);
  return `\\approx ${texNumber(d.toSignificantDigits(KEY_DIGITS).toString())}`;
}

export function bookletLatex(variants: Variant[], info: { title: string; policy: GradingPolicy }): string {
  const title = escapeLatex(info.title);
  const out: string[] = [
    '\\documentclass[11pt]{article}',
    '\\usepackage[margin=2cm]{geometry}',
    '\\usepackage{amsmath,booktabs}',
    '\\setlength{\\parindent}{0pt}',
    `\\title{${title}: forms and keys}`,
    '\\author{}',
    '\\date{}',
    '\\begin{document}',
    '\\maketitle',
    `Each form is the same exercise with its own numbers. Give each value ${escapeLatex(policyText(info.policy))}. The keys follow the forms.`,
  ];
  for (const v of variants) {
    const s = v.statement;
    out.push(
      '\\clearpage',
      `\\section*{Form ${v.index}}`,
      'Name: \\rule{6cm}{0.4pt}\\par\\medskip',
      'The network:',
      `\\begin{align*}\n${s.neurons.join(' \\\\\n')}\n\\end{align*}`,
      'The loss:',
      `\\begin{align*}\n${s.loss.join(' \\\\\n')}\n\\end{align*}`,
      `Initial parameters: ${s.params.map((p) => `$${p.tex} = ${p.value}$`).join(', ')}.\\par`,
      ...(s.constants.length ? [`Constants: ${s.constants.map((c) => `$${c.tex} = ${c.value}$`).join(', ')}.\\par`] : []),
      '\\medskip Data:\\par\\smallskip',
      `\\begin{tabular}{${'r'.repeat(s.data.columns.length + 1)}}\n\\toprule\nrow & ${s.data.columns.map((c) => `$${c}$`).join(' & ')} \\\\\n\\midrule\n${s.data.rows.map((r, i) => `${i + 1} & ${r.map((x) => `$${x}$`).join(' & ')} \\\\`).join('\n')}\n\\bottomrule\n\\end{tabular}\\par\\medskip`,
      `Training: ${escapeLatex(s.optimizer)}${s.options.length ? `, ${s.options.map((o) => `$${o}$`).join(', ')}` : ''}; ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}, ${escapeLatex(s.batch)}.\\par\\medskip`,
      '\\renewcommand{\\arraystretch}{1.6}',
      `\\begin{tabular}{llp{5cm}}\n\\toprule\nwhere & quantity & value \\\\\n\\midrule\n${v.blanks.map((b) => `${escapeLatex(b.where)} & $${b.tex}$ & \\\\`).join('\n')}\n\\bottomrule\n\\end{tabular}`,
      '\\renewcommand{\\arraystretch}{1}',
    );
  }
  out.push('\\clearpage', '\\section*{Keys}');
  for (const v of variants) {
    out.push(
      `\\subsection*{Form ${v.index}}`,
      `\\begin{tabular}{lll}\n\\toprule\nwhere & quantity & value \\\\\n\\midrule\n${v.blanks.map((b) => `${escapeLatex(b.where)} & $${b.tex}$ & $${keyValue(b.value)}$ \\\\`).join('\n')}\n\\bottomrule\n\\end{tabular}`,
    );
  }
  out.push('\\end{document}', '');
  return out.join('\n');
}
