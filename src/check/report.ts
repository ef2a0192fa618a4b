// Printing a check: a text report (coloured on a terminal), Markdown, and JSON (a contract for
// graders' scripts); and for a class, one summary row per file in CSV or Markdown.
// csv-stringify/sync needs Node's Buffer; a browser gets csv-stringify's own build with one (package.json imports).
import { stringify } from '#csv-stringify';
import { DECIMAL_TEXT, type Dec } from '../numeric/context.js';
import { escapeMarkdown, terminalSafe, terminalSafeLine } from '../text/escape.js';
import { shortText } from './format.js';
import { VERDICTS, type FileReport, type Recomputed, type Result, type Verdict } from './check.js';

const MARK: Record<Verdict, string> = { correct: '✓', 'rounding-slip': '~', carried: '→', wrong: '✗' };
const WORD: Record<Verdict, string> = { correct: 'correct', 'rounding-slip': 'rounding slip', carried: 'carried', wrong: 'wrong' };
const COLOUR: Record<Verdict, string> = { correct: '32', 'rounding-slip': '33', carried: '36', wrong: '31' };

function yours(r: Recomputed): string {
  const mine = r.inputs.filter((i) => i.yours);
  return mine.length ? `with your ${mine.map((i) => `${i.symbol} = ${shortText(i.value)} (${i.from})`).join(', ')}` : 'from the exact values: none of yours go in';
}

function verdictNote(r: Result): string {
  switch (r.verdict) {
    case 'correct': return '';
    case 'rounding-slip': return `exact ${shortText(r.exact)}`;
    case 'carried': return `from ${r.because.join(', ')}; exact ${shortText(r.exact)}`;
    case 'wrong': return `exact ${shortText(r.exact)}`;
  }
}

export interface TextOptions {
  colour: boolean;
}

export function textReport(report: FileReport, { colour }: TextOptions): string {
  const paint = (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  // File names are the user's text: a control character in one must not reach the terminal raw.
  const out: string[] = [`exactprop check: ${terminalSafeLine(report.file)} against ${terminalSafeLine(report.spec)}`, ''];
  // A diagnosis is explained in full the first time; a file that repeats a mistake gets its name after.
  const told = new Set<string>();
  const width = report.results.reduce((m, r) => Math.max(m, r.path.length), 0);
  const wWidth = report.results.reduce((m, r) => Math.max(m, r.written.length), 0);
  for (const r of report.results) {
    const head = `${paint(COLOUR[r.verdict], MARK[r.verdict])} ${r.path.padEnd(width)}  ${r.written.padEnd(wWidth)}  ${paint(COLOUR[r.verdict], WORD[r.verdict].padEnd(13))}`;
    out.push(`${head} ${verdictNote(r)}`.trimEnd());
    if (r.verdict !== 'wrong') continue;
    const rc = r.recomputed!();
    const lead = `      ${rc.quantity} = `;
    const pad = ' '.repeat(lead.length - 2);
    out.push(`${lead}${rc.formula}`);
    if (rc.substituted !== rc.formula && rc.substituted !== shortText(rc.value)) out.push(`${pad}= ${rc.substituted}`);
    out.push(`${pad}= ${shortText(rc.value)}   (${yours(rc)})`);
    for (const d of r.diagnosis) {
      const again = told.has(`${d.id}|${d.text}`);
      told.add(`${d.id}|${d.text}`);
      out.push(`      ${paint('1', 'reproduced by')} ${d.id}${again ? ' (as above)' : `: ${d.text}`}`);
    }
    if (!r.diagnosis.length) out.push('      no known convention or mistake reproduces it');
  }
  out.push('', summaryLine(report));
  return out.join('\n') + '\n';
}

export function summaryLine(report: FileReport): string {
  const s = report.summary;
  const counts = VERDICTS.map((v) => `${s[v]} ${v === 'rounding-slip' ? (s[v] === 1 ? 'rounding slip' : 'rounding slips') : v}`).join(', ');
  const first = report.firstError ? `first new error: ${report.firstError.path} = ${report.firstError.written} (exact ${shortText(report.firstError.exact)})` : 'no new error';
  return `summary: ${counts}; ${first}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** User text (a file name, an error message quoting it) in a Markdown table cell: no markup, one line. */
const userCell = (s: string) => escapeMarkdown(s).replace(/\n/g, ' ');

/** Text as a Markdown code span, whatever it holds: a fence longer than any run of backticks inside. */
function codeSpan(text: string): string {
  const t = terminalSafeLine(text);
  const fence = '`'.repeat(Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

export function markdownReport(report: FileReport): string {
  const out: string[] = [`## exactprop check: ${codeSpan(report.file)}`, '', `Against ${codeSpan(report.spec)}. ${cell(summaryLine(report))}.`, ''];
  out.push('| | value | written | exact | verdict | notes |', '|---|---|---|---|---|---|');
  for (const r of report.results) {
    const notes = r.verdict === 'carried' ? `from ${r.because.map((b) => `\`${b}\``).join(', ')}` : r.diagnosis.map((d) => d.id).join(', ');
    out.push(`| ${MARK[r.verdict]} | \`${r.path}\` | ${cell(r.written)} | ${cell(shortText(r.exact))} | ${r.verdict === 'wrong' ? '**wrong**' : WORD[r.verdict]} | ${cell(notes)} |`);
  }
  const wrong = report.results.filter((r) => r.verdict === 'wrong');
  if (wrong.length) {
    out.push('', '### New errors');
    for (const r of wrong) {
      const rc = r.recomputed!();
      out.push('', `**\`${r.path}\` = ${r.written}** (exact ${shortText(r.exact)})`, '', '```');
      out.push(`${rc.quantity} = ${rc.formula}`);
      if (rc.substituted !== rc.formula && rc.substituted !== shortText(rc.value)) out.push(`${' '.repeat(rc.quantity.length)} = ${rc.substituted}`);
      const mine = yours(rc);
      out.push(`${' '.repeat(rc.quantity.length)} = ${shortText(rc.value)}`, '```', '', `${mine[0]!.toUpperCase()}${mine.slice(1)}.`);
      if (r.diagnosis.length) for (const d of r.diagnosis) out.push(`- reproduced by **${d.id}**: ${d.text}`);
      else out.push('- no known convention or mistake reproduces it');
    }
  }
  return out.join('\n') + '\n';
}

/** The JSON contract: results in the order of the calculation, full-precision exact values. */
export function jsonReport(report: FileReport): object {
  return {
    file: report.file,
    spec: report.spec,
    results: report.results.map((r) => ({
      path: r.path,
      ...(r.line !== undefined ? { line: r.line } : {}),
      written: r.written,
      exact: r.exact.toString(),
      verdict: r.verdict,
      because: r.because,
      diagnosis: r.diagnosis,
      ...(r.recomputed ? { recomputed: recomputedJson(r.recomputed()) } : {}),
    })),
    summary: report.summary,
    first_error: report.firstError?.path ?? null,
  };
}

function recomputedJson(rc: Recomputed): object {
  return {
    quantity: rc.quantity,
    formula: rc.formula,
    substituted: rc.substituted,
    inputs: rc.inputs.map((i) => ({ symbol: i.symbol, value: i.value.toString(), from: i.from, yours: i.yours })),
    value: rc.value.toString(),
  };
}

/** One row per answers file; a file that could not be read has its error instead of counts. */
export type SummaryRow = { file: string; report: FileReport } | { file: string; error: string };

const HEADER = ['file', 'correct', 'rounding_slip', 'carried', 'wrong', 'first_error', 'written', 'exact', 'diagnosis', 'error'];

function rowCells(row: SummaryRow, exact: (d: Dec) => string): string[] {
  if ('error' in row) return [row.file, '', '', '', '', '', '', '', '', row.error];
  const { summary: s, firstError: f } = row.report;
  return [
    row.file, String(s.correct), String(s['rounding-slip']), String(s.carried), String(s.wrong),
    f?.path ?? '', f?.written ?? '', f ? exact(f.exact) : '', f ? f.diagnosis.map((d) => d.id).join(' ') : '', '',
  ];
}

/**
 * A CSV cell that a spreadsheet will show as text, never run as a formula (CSV injection): a cell that
 * starts with = + - @, a tab or a carriage return gets a single quote in front, as OWASP recommends.
 * A number (-85, +1.5e3) is left as it is: it is data, and no formula. Control characters are written
 * out, because the summary is often read on a terminal.
 */
export function csvCell(text: string): string {
  const neutral = /^[=+\-@\t\r]/.test(text) && !DECIMAL_TEXT.test(text) ? `'${text}` : text;
  return terminalSafe(neutral);
}

export function csvSummary(rows: SummaryRow[]): string {
  const body = rows.map((r) => {
    const cells = rowCells(r, (d) => d.toString());
    // The file name is one line; tabs and newlines in it are written out too.
    cells[0] = terminalSafeLine(cells[0]!);
    return cells.map(csvCell);
  });
  return stringify([HEADER, ...body]);
}

export function markdownSummary(rows: SummaryRow[]): string {
  const out = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const cells = rowCells(row, (d) => shortText(d));
    // The file name and an error message are the user's text; the rest are numbers and names we wrote.
    out.push(`| ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? userCell(c) : cell(c))).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}
