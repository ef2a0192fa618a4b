// The data rows of a spec: given in it, or read from a CSV file beside it (by the host, after the path is
// checked here), every value a number written as text. Which columns a row must hold is known only once
// the loss has said which targets it reads, so that check is a later step of its own (dataColumns).
import { InputError } from './errors.js';
import { didYouMean } from '../text/did-you-mean.js';
import type { RawSpec } from './schema.js';
import type { ReadOptions } from './validate.js';
import type { Fail, Checks } from './validation.js';
import { DECIMAL_TEXT } from '../numeric/context.js';
import { terminalSafeLine } from '../text/escape.js';
import { reader } from './readers.js';

export interface DataRows {
  data: Array<Record<string, string>>;
  /** Every key any row has: the columns the loss may read targets from. */
  rowKeys: Set<string>;
}

/** The rows, within the rows limit, each value a number in decimal arithmetic's range. */
export function dataRows(checks: Checks, rawData: RawSpec['data'], options: ReadOptions): DataRows {
  const data = typeof rawData === 'string' ? readCsv(rawData, options, checks.fail, checks.limits.dataBytes) : rawData;
  checks.tooMany('rows', 'data', data.length, 'data rows');
  const rowKeys = new Set<string>();
  data.forEach((row, i) => {
    for (const [key, value] of Object.entries(row)) {
      rowKeys.add(key);
      checks.checkNumber(value, typeof rawData === 'string' ? 'data' : `data[${i + 1}].${key}`);
    }
  });
  return { data, rowKeys };
}

/** Each row holds exactly the inputs and the targets the loss reads: no other column, none missing. */
export function dataColumns(checks: Checks, rawData: RawSpec['data'], data: DataRows['data'], inputs: Set<string>, targets: string[]): void {
  const columns = new Set([...inputs, ...targets]);
  const dataPath = typeof rawData === 'string' ? 'data' : undefined;
  data.forEach((row, i) => {
    for (const key of Object.keys(row)) {
      if (!columns.has(key)) checks.fail(dataPath ?? `data[${i + 1}].${key}`, `unknown column '${key}'${didYouMean(key, columns)}: a row holds the inputs (${[...inputs].join(', ') || 'none'}) and the targets the loss uses (${targets.join(', ') || 'none'})`);
    }
    for (const c of columns) {
      if (!Object.hasOwn(row, c)) checks.fail(dataPath ?? `data[${i + 1}]`, `row ${i + 1} has no value for '${c}'`);
    }
  });
}

/**
 * Why `path`, a data file a spec names, is refused before any file is touched, or undefined. It must
 * name a file in the spec's folder or below it, written with '/': not absolute, no drive letter, no
 * backslash (a folder separator on Windows, where `..\\x` would climb out), no `..` that leaves the
 * folder, no control character. These checks need no file system, so every host has them; the host
 * then refuses a path that leaves the folder through a symbolic link.
 */
export function dataPathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'the path is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the path contains a control character';
  if (path.includes('\\')) return "the path contains a backslash; write folders with '/'";
  if (/^[A-Za-z]:/.test(path)) return "the path starts with a drive letter; give it relative to the spec's folder";
  if (path.startsWith('/')) return "the path is absolute; give it relative to the spec's folder";
  let depth = 0;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    depth += segment === '..' ? -1 : 1;
    if (depth < 0) return "the path leaves the spec's folder ('..'); a data file must be in the spec's folder or below it";
  }
  if (depth === 0) return "the path names the spec's folder, not a file";
  return undefined;
}

function readCsv(path: string, options: ReadOptions, fail: Fail, maxBytes: number): Array<Record<string, string>> {
  // The path and the file's content are the user's, but may hold control characters a terminal acts on.
  const shown = terminalSafeLine(path);
  const problem = dataPathProblem(path);
  if (problem) fail('data', `'${shown}': ${problem}`);
  if (!options.readDataFile) fail('data', `'${shown}': this reader has no files; give the rows in the spec (data: [ ... ])`);
  let text: string;
  try {
    text = options.readDataFile!(path, maxBytes);
  } catch (e) {
    // The host's message says why (it never quotes the file); a plain error gives its code.
    const why = e instanceof InputError ? e.message : `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    return fail('data', `'${shown}': ${why}`);
  }
  let columns: string[] = [];
  let records: Array<Record<string, string>>;
  // Asked before the parse's errors are caught: a reader not loaded yet is not the file's problem.
  const parseCsv = reader('csv');
  try {
    // Cast nothing: values stay text, so numbers are read exactly. The header is checked before any
    // row becomes an object keyed by it (a column named __proto__ would otherwise vanish).
    records = parseCsv(text, {
      columns: (header: string[]) => {
        columns = header;
        header.forEach((name, i) => {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('data', `${shown}: column '${terminalSafeLine(name)}' is not a name`);
          if (header.indexOf(name) !== i) fail('data', `${shown}: column '${name}' is given twice`);
          if (name === '__proto__') fail('data', `${shown}: column '__proto__': '__proto__' cannot be a name; choose another`);
        });
        return header;
      },
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (e) {
    if (e instanceof InputError) throw e;
    return fail('data', `${shown}: ${terminalSafeLine((e as Error).message)}`);
  }
  if (records.length === 0) fail('data', `${shown}: no data rows (the first line names the columns)`);
  records.forEach((row, i) => {
    for (const key of columns) {
      const value = row[key]!;
      if (!DECIMAL_TEXT.test(value)) fail('data', `${shown}: row ${i + 1} (line ${i + 2}), column '${key}': expected a number, got '${terminalSafeLine(value)}'`);
    }
  });
  return records;
}
