// Printing a check: a text report (coloured on a terminal) and Markdown, both one document
// (reportDocument) printed by render's text and Markdown printers; JSON (a contract for graders'
// scripts, not a document); and for a class, one summary row per file in CSV or Markdown.
// csv-stringify/sync needs Node's Buffer; a browser gets csv-stringify's own build with one (package.json imports).
import { stringify } from '#csv-stringify';
import { DECIMAL_TEXT, type Dec } from '../numeric/context.js';
import { terminalSafe, terminalSafeLine } from '../text/escape.js';
import { shortText } from './format.js';
import { VERDICTS, type FileReport, type Recomputed, type Result, type UsedValue, type Verdict } from './check.js';
import type { Block, Colour, Doc, Inline, PlainCalc } from '../render/document.js';
import { plainText } from '../render/text.js';
import { markdown } from '../render/markdown.js';

const MARK: Record<Verdict, string> = { correct: '✓', 'rounding-slip': '~', carried: '→', wrong: '✗' };
const WORD: Record<Verdict, string> = { correct: 'correct', 'rounding-slip': 'rounding slip', carried: 'carried', wrong: 'wrong' };
const COLOUR: Record<Verdict, Colour> = { correct: 'green', 'rounding-slip': 'yellow', carried: 'cyan', wrong: 'red' };

/** Which of the student's values went into a recomputed formula: each written input (in the form the
 *  formula reads it, `1 - h2 ^ 2 from your h2 = 0.7790`), and each input recomputed from written ones. */
function yours(r: Recomputed): string {
  const mine = r.inputs.filter((i) => i.yours).map((i) => `${i.symbol} = ${shortText(i.value)} (${i.from})${i.form !== undefined ? ` in ${i.form}` : ''}`);
  const through = r.inputs.filter((i) => !i.yours && i.via.length).map((i) => `${i.symbol} = ${shortText(i.value)} recomputed from your ${i.via.join(', ')}`);
  const parts = [...(mine.length ? [`your ${mine.join(', ')}`] : []), ...through];
  return parts.length ? `with ${parts.join('; ')}` : 'from the exact values: none of yours go in';
}

/** The student's values a carried value was computed from, as its verdict line names them. */
export function usedText(used: UsedValue[]): string {
  return used.map((u) => `${u.form !== undefined ? `${u.form} from ` : ''}your ${u.label} = ${u.written}`).join(', ');
}

/** A result's quantity: its path, and the sheet's own name for it when given under an alias. */
function pathText(r: Result): string {
  return r.alias !== undefined ? `${r.path} (${r.alias})` : r.path;
}

function word(r: Result): string {
  return r.verdict === 'carried' && r.slip ? 'carried, rounding slip' : WORD[r.verdict];
}

function verdictNote(r: Result): string {
  switch (r.verdict) {
    case 'correct': return '';
    case 'rounding-slip': return `exact ${shortText(r.exact)}`;
    case 'carried': return `with ${usedText(r.used)}; exact ${shortText(r.exact)}`;
    case 'wrong': return `exact ${shortText(r.exact)}`;
  }
}

/** A wrong answer's quantity worked out again: formula, numbers, value (`note` after the value). */
function recomputedCalc(rc: Recomputed, note?: string): PlainCalc {
  return { name: rc.quantity, formula: rc.formula, substituted: rc.substituted, value: shortText(rc.value), ...(note ? { note } : {}) };
}

const literal = (text: string): Inline => ({ literal: text });
const code = (text: string): Inline => ({ code: text });

/**
 * A check as a document. Plain text lists every answer in padded columns with, under each new error,
 * its quantity worked out again and what reproduces it (a diagnosis is explained in full the first
 * time; a file that repeats a mistake gets its name after), then the summary. Typeset (Markdown), the
 * summary comes first, the answers are a table and the new errors a section of their own.
 */
export function reportDocument(report: FileReport): Doc {
  const blocks: Block[] = [];
  // Plain text.
  blocks.push({ kind: 'paragraph', only: 'text', content: ['exactprop check: ', code(report.file), ' against ', code(report.spec)] });
  const told = new Set<string>();
  const below = report.results.map((r): Block[] | undefined => {
    if (r.verdict !== 'wrong') return undefined;
    const rc = r.recomputed!();
    const details: Block[] = [{ kind: 'calc', calcs: [recomputedCalc(rc, `(${yours(rc)})`)], plain: { indent: 6 } }];
    for (const d of r.diagnosis) {
      const again = told.has(`${d.id}|${d.text}`);
      told.add(`${d.id}|${d.text}`);
      details.push({ kind: 'paragraph', content: [{ strong: ['reproduced by'] }, literal(` ${d.id}${again ? ' (as above)' : `: ${d.text}`}`)], plain: { indent: 6 } });
    }
    if (!r.diagnosis.length) details.push({ kind: 'paragraph', content: ['no known convention or mistake reproduces it'], plain: { indent: 6 } });
    return details;
  });
  blocks.push({
    kind: 'table',
    only: 'text',
    head: [],
    rows: report.results.map((r) => [
      [{ colour: COLOUR[r.verdict], text: MARK[r.verdict] }], [literal(pathText(r))], [literal(r.written)],
      [{ colour: COLOUR[r.verdict], text: word(r) }], [literal(verdictNote(r))],
    ]),
    plain: { head: false, columns: [{ gap: '' }, { gap: ' ' }, { gap: '  ' }, { gap: '  ', width: 13 }, { gap: ' ' }], below },
  });
  // No answers: the empty line where they would be.
  if (report.results.length === 0) blocks.push({ kind: 'paragraph', only: 'text', content: [], plain: { tight: true } });
  blocks.push({ kind: 'paragraph', only: 'text', content: [literal(summaryLine(report))] });

  // Typeset.
  blocks.push(
    { kind: 'heading', level: 2, only: 'typeset', content: ['exactprop check: ', code(report.file)] },
    { kind: 'paragraph', only: 'typeset', content: ['Against ', code(report.spec), '. ', literal(summaryLine(report)), '.'] },
    {
      kind: 'table',
      only: 'typeset',
      head: [[], ['value'], ['written'], ['exact'], ['verdict'], ['notes']],
      rows: report.results.map((r) => [
        // An alias is the sheet's own text: a plain string, escaped by the printer.
        [literal(MARK[r.verdict])], [code(r.path), ...(r.alias !== undefined ? [` (${r.alias})`] : [])], [literal(r.written)], [literal(shortText(r.exact))],
        r.verdict === 'wrong' ? [{ strong: ['wrong'] }] : [word(r)],
        r.verdict === 'carried'
          ? [`with ${usedText(r.used)}`]
          : [literal(r.diagnosis.map((d) => d.id).join(', '))],
      ]),
    },
  );
  const wrong = report.results.filter((r) => r.verdict === 'wrong');
  if (wrong.length) {
    blocks.push({ kind: 'heading', level: 3, only: 'typeset', content: ['New errors'] });
    for (const r of wrong) {
      const rc = r.recomputed!();
      const mine = yours(rc);
      blocks.push(
        { kind: 'paragraph', only: 'typeset', content: [{ strong: [code(r.path), literal(` = ${r.written}`)] }, literal(` (exact ${shortText(r.exact)})`)] },
        { kind: 'calc', only: 'typeset', calcs: [recomputedCalc(rc)] },
        {
          kind: 'list',
          only: 'typeset',
          lead: [literal(`${mine[0]!.toUpperCase()}${mine.slice(1)}.`)],
          items: r.diagnosis.length
            ? r.diagnosis.map((d) => ['reproduced by ', { strong: [literal(d.id)] }, literal(`: ${d.text}`)])
            : [['no known convention or mistake reproduces it']],
        },
      );
    }
  }
  return { title: `exactprop check: ${report.file}`, blocks };
}

export interface TextOptions {
  colour: boolean;
}

export function textReport(report: FileReport, { colour }: TextOptions): string {
  return plainText(reportDocument(report), { colour });
}

export function summaryLine(report: FileReport): string {
  const s = report.summary;
  const counts = VERDICTS.map((v) => `${s[v]} ${v === 'rounding-slip' ? (s[v] === 1 ? 'rounding slip' : 'rounding slips') : v}`).join(', ');
  const first = report.firstError ? `first new error: ${report.firstError.path} = ${report.firstError.written} (exact ${shortText(report.firstError.exact)})` : 'no new error';
  return `summary: ${counts}; ${first}`;
}

export function markdownReport(report: FileReport): string {
  return markdown(reportDocument(report));
}

/** The JSON contract: results in the order of the calculation, full-precision exact values. */
export function jsonReport(report: FileReport): object {
  return {
    file: report.file,
    spec: report.spec,
    results: report.results.map((r) => ({
      path: r.path,
      ...(r.alias !== undefined ? { alias: r.alias } : {}),
      ...(r.line !== undefined ? { line: r.line } : {}),
      written: r.written,
      exact: r.exact.toString(),
      verdict: r.verdict,
      because: r.because,
      ...(r.slip ? { rounding_slip: true } : {}),
      ...(r.verdict === 'carried' || r.verdict === 'wrong' ? { used: r.used.map((u) => ({ path: u.path, written: u.written, ...(u.form !== undefined ? { form: u.form } : {}) })) } : {}),
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
    inputs: rc.inputs.map((i) => ({ symbol: i.symbol, value: i.value.toString(), from: i.from, yours: i.yours, ...(i.via.length ? { via: i.via } : {}), ...(i.form !== undefined ? { form: i.form } : {}) })),
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
  // The file name and an error message are the user's text (escaped, on one line); the rest are numbers
  // and names we wrote.
  const table: Block = {
    kind: 'table',
    head: HEADER.map((h) => [literal(h)]),
    rows: rows.map((row) => rowCells(row, (d) => shortText(d)).map((c, i, cells): Inline[] => [i === 0 || i === cells.length - 1 ? c : literal(c)])),
  };
  return markdown({ title: 'exactprop check: summary', blocks: [table] });
}
