// A class's answers as a spreadsheet saves them: a CSV with a row per student, an id column, and a
// column per quantity, headed by its path as answers files write it (epoch1.sample1.h1,
// step2.optimizer.m.w1) or by an alias of the points scheme. A blank cell is a value not given. Each
// row becomes the answers text `check` reads. The headings are checked once against the spec, with
// check's own reader and messages, and every problem is located at the CSV's line and column.
// csv-parse/sync needs Node's Buffer; a browser gets csv-parse's own build with one (package.json imports).
import { parse as parseCsv } from '#csv-parse';
import { InputError } from '../spec/errors.js';
import { LimitError } from '../spec/limits.js';
import { limitsOf, type Limits } from '../limits/limits.js';
import type { Spec } from '../spec/model.js';
import { answerShape, parseAnswers } from '../check/answers.js';
import { quoted, writtenRangeProblem } from '../check/tolerance.js';
import { DECIMAL_TEXT } from '../numeric/context.js';
import { terminalSafeLine } from '../text/escape.js';
import type { ClassAnswers, Sheet, UnreadSheet } from './class.js';

export interface CsvOptions {
  /** The column of the students' ids (default: the one headed `id` or `student`, else the first). */
  idColumn?: string;
  /** A heading's word for a quantity -> the quantity's path (the points scheme's aliases). */
  aliases?: Map<string, string>;
  /** inputBytes bounds the text. */
  limits?: Partial<Limits>;
}

interface Row {
  cells: string[];
  line: number;
}

/** One line of text per heading in messages: a heading is the user's text. */
const shown = (heading: string) => `'${terminalSafeLine(heading)}'`;

export function readClassCsv(text: string, file: string, spec: Spec, options: CsvOptions = {}): ClassAnswers {
  const maxBytes = limitsOf(options.limits).inputBytes;
  if (text.length > maxBytes) throw new LimitError('inputBytes', file, '', `the text has ${text.length.toLocaleString('en-US')} characters`, maxBytes);
  const rows = records(text, file);
  if (rows.length === 0) throw new InputError(file, '', 'the file is empty: a class is a header row (id, then a quantity path per column) and a row per student');
  const [header, ...students] = rows as [Row, ...Row[]];
  const most = limitsOf(options.limits).students;
  if (students.length > most) throw new LimitError('students', file, '', `the class has ${students.length.toLocaleString('en-US')} rows of students`, most, students[most]!.line);
  const headings = header.cells.map((c) => c.trim());
  const atHeading = (i: number, message: string) => new InputError(file, `column ${i + 1} ${shown(headings[i]!)}`, message, header.line);
  headings.forEach((h, i) => {
    if (h === '') throw new InputError(file, `column ${i + 1}`, 'the column has no heading: each column is headed by a quantity path (e.g. step1.sample1.h1), an alias, or is the id column', header.line);
    const first = headings.indexOf(h);
    if (first !== i) throw atHeading(i, `the heading is given twice (also column ${first + 1})`);
  });
  const idAt = idColumn(headings, options.idColumn, file, header.line);
  const quantities = headings.map((h, i) => i).filter((i) => i !== idAt);
  if (quantities.length === 0) throw new InputError(file, '', 'the class has an id column and no quantity: add a column per quantity, headed by its path (e.g. step1.sample1.h1)', header.line);
  const canonical = canonicalPaths(spec, file, headings, quantities, options.aliases ?? new Map(), atHeading);

  // One map for the class: every row has the same columns.
  const columns = new Map(quantities.map((i) => [canonical.get(i)!, headings[i]!]));
  const seen = new Map<string, number>();
  const sheets = students.map((row): Sheet | UnreadSheet => {
    const id = row.cells[idAt]!.trim();
    if (id === '') throw new InputError(file, `column ${idAt + 1} ${shown(headings[idAt]!)}`, 'the row has no id', row.line);
    const before = seen.get(id);
    if (before !== undefined) throw new InputError(file, `column ${idAt + 1} ${shown(headings[idAt]!)}`, `the id ${shown(id)} is given twice (also on line ${before})`, row.line);
    seen.set(id, row.line);
    const values = new Map<string, string>();
    for (const i of quantities) {
      const cell = row.cells[i]!.trim();
      if (cell === '') continue;
      const problem = !DECIMAL_TEXT.test(cell) ? `expected a number as written (e.g. 1.5, -85, 25e-7), got ${quoted(terminalSafeLine(cell))}` : writtenRangeProblem(cell);
      if (problem) return { id, error: new InputError(file, `${headings[i]} of ${shown(id)}`, problem, row.line) };
      values.set(canonical.get(i)!, cell);
    }
    return { id, text: answersText(values), file, line: row.line, columns };
  });
  return { source: file, sheets, asked: quantities.map((i) => canonical.get(i)!) };
}

/** The records with the line each starts on. A quoted cell may span lines; the line counts them. */
function records(text: string, file: string): Row[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  // A spreadsheet saved in a locale that writes decimal commas separates its cells with ';' (or a tab).
  const delimiter = firstLine.includes(',') ? ',' : firstLine.includes(';') ? ';' : firstLine.includes('\t') ? '\t' : ',';
  try {
    const parsed = parseCsv(text, { bom: true, delimiter, info: true, skip_empty_lines: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    return parsed.map(({ record, info }) => ({ cells: record, line: info.lines - record.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0) }));
  } catch (e) {
    const err = e as { code?: string; message: string; lines?: number };
    if (!err.code?.startsWith('CSV_')) throw e;
    const why = err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? 'the row has another number of cells than the header' : err.message.replace(/ (at|on) line \d+$/, '');
    throw new InputError(file, '', `not a well-formed CSV: ${why}`, err.lines);
  }
}

function idColumn(headings: string[], asked: string | undefined, file: string, line: number): number {
  if (asked !== undefined) {
    const i = headings.indexOf(asked);
    if (i < 0) throw new InputError(file, '', `no column is headed ${shown(asked)} (the id column asked for); the headings are ${headings.map(shown).join(', ')}`, line);
    return i;
  }
  const named = headings.findIndex((h) => /^(id|student)$/i.test(h));
  return named >= 0 ? named : 0;
}

/**
 * Each quantity column's path as check writes it (epoch1 read as step1, a value under `values:` by its
 * neuron's path). The headings go through check's own reader once, as one answers file with a
 * different number in each column, so a heading check would refuse is refused here with its message,
 * located at its column.
 */
function canonicalPaths(spec: Spec, file: string, headings: string[], quantities: number[], aliases: Map<string, string>, atHeading: (i: number, message: string) => InputError): Map<number, string> {
  const resolved = new Map(quantities.map((i) => [i, aliases.get(headings[i]!) ?? headings[i]!]));
  const probe = new Map<string, string>();
  for (const i of quantities) {
    const path = resolved.get(i)!;
    const clash = [...probe.keys()].find((p) => p.startsWith(`${path}.`) || path.startsWith(`${p}.`));
    if (clash !== undefined) throw atHeading(i, `${path} and ${clash} (column ${probe.get(clash)}) cannot both be given: one is a part of the other`);
    probe.set(path, String(i + 1));
  }
  const hint = '; a column is headed by a quantity\'s path (e.g. step1.sample1.h1), by an alias of the points scheme, or is the id column';
  let written;
  try {
    written = parseAnswers(answersText(probe), file, answerShape(spec)).written;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const at = quantities.find((i) => resolved.get(i) === e.path) ?? quantities.find((i) => resolved.get(i)!.startsWith(`${e.path}.`));
    if (at === undefined) throw new InputError(file, '', `the headings: ${e.message}`);
    throw atHeading(at, `${e.message}${hint}`);
  }
  return new Map(written.map((w) => [Number(w.text) - 1, w.path]));
}

/** An answers text (YAML) holding these values by path: nested mappings, one key a line. */
export function answersText(values: Map<string, string>): string {
  type Tree = Map<string, Tree | string>;
  const root: Tree = new Map();
  for (const [path, value] of values) {
    const names = path.split('.');
    let node = root;
    for (const name of names.slice(0, -1)) {
      let next = node.get(name);
      if (next === undefined) node.set(name, (next = new Map()));
      node = next as Tree;
    }
    node.set(names[names.length - 1]!, value);
  }
  const lines: string[] = [];
  const write = (tree: Tree, indent: string) => {
    for (const [name, v] of tree) {
      // A name check knows is a plain word; anything else is quoted, so that it stays one key.
      const key = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name);
      if (typeof v === 'string') lines.push(`${indent}${key}: ${v}`);
      else {
        lines.push(`${indent}${key}:`);
        write(v, `${indent}  `);
      }
    }
  };
  write(root, '');
  return lines.length ? `${lines.join('\n')}\n` : '{}\n';
}
