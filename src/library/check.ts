// The library's check: answers files marked against the exact run, with verdicts, diagnoses and the
// reports `exactprop check` prints.
import type { Spec } from '../spec/model.js';
import { InputError } from '../spec/errors.js';
import { LimitError, type Limits } from '../spec/limits.js';
import { answerShape, extentOf, parseAnswers, viewsOf, type Answers } from '../check/answers.js';
import { errataOf } from '../check/errata.js';
import { errataJson, errataMarkdown, errataText } from '../check/report-errata.js';
import { Checker, type Diagnosis, type FileReport, type Verdict } from '../check/check.js';
import { csvSummary, jsonReport, markdownReport, markdownSummary, textReport, type SummaryRow } from '../check/report.js';
import { writtenRangeProblem, type Tolerance } from '../check/tolerance.js';
import { DECIMAL_TEXT } from '../numeric/context.js';
import { jsonSafe } from '../text/escape.js';
// Answers, class folders and variants read more than a spec: every reader is provided (spec/readers.ts).
import '../spec/all-readers.js';

export type { Tolerance } from '../check/tolerance.js';
export type { Diagnosis, Verdict } from '../check/check.js';

export interface CheckOptions {
  /** The answers' name in the report and its errors (default 'answers.yaml'). */
  file?: string;
  /** A grader's tolerance for "correct" (default: half a unit of the last written digit). */
  tolerance?: Tolerance;
  /** Limits over the defaults (inputBytes bounds the answers text). */
  limits?: Partial<Limits>;
}

/** The report `exactprop check --format json` prints for one answers file. */
export interface CheckReport {
  file: string;
  spec: string;
  results: Array<{
    path: string;
    /** The sheet's own name for the quantity, when written under an alias. */
    alias?: string;
    line?: number;
    written: string;
    exact: string;
    verdict: Verdict;
    /** For a carried value: the earlier values of yours it was computed from. */
    because: string[];
    /** A carried value within one unit of its last digit of the recomputation from your values, but not
     *  rounded as a correct value would be: carried, rounding slip. */
    rounding_slip?: true;
    /** For a carried or wrong value: every value of yours that went into its recomputation, with the
     *  form the formula read it in (`1 - h2 ^ 2`), if any. */
    used?: Array<{ path: string; written: string; form?: string }>;
    /** The known mistakes or conventions that reproduce a new error. */
    diagnosis: Diagnosis[];
    /** A value's own formula evaluated with the numbers that should have gone in. */
    recomputed?: {
      quantity: string;
      formula: string;
      substituted: string;
      inputs: Array<{ symbol: string; value: string; from: string; yours: boolean; via?: string[]; form?: string }>;
      value: string;
    };
  }>;
  summary: Record<Verdict, number>;
  first_error: string | null;
}

/** Grades hand-written values (YAML or JSON text shaped like the JSON trace) against the exact training. */
export function check(spec: Spec, answersText: string, options: CheckOptions = {}): CheckReport {
  const [graded] = checkAll(spec, [{ file: options.file ?? 'answers.yaml', text: answersText }], options);
  // One file alone: its input error is thrown by checkAll.
  return (graded as { report: CheckReport }).report;
}

/** The problem with a grader's absolute or relative tolerance as written (`name` leads the message, e.g.
 *  '--abs'), or undefined when it is a non-negative number in range. */
export function toleranceProblem(name: string, value: string): string | undefined {
  if (!DECIMAL_TEXT.test(value) || value.trim().startsWith('-')) return `${name} takes a non-negative number (e.g. 0.001), got '${value}'`;
  // An infinite tolerance would grade every value correct.
  const outside = writtenRangeProblem(value);
  return outside ? `${name}: ${outside}` : undefined;
}

/** An answers file to grade: its text, or the error met reading it (graded as that error). */
export type AnswersInput = { file: string; text: string } | { file: string; error: InputError };

/** One answers file graded: its report, or the input error that stopped it. */
export type GradedFile = { file: string; report: CheckReport } | { file: string; error: InputError };

export interface CheckAllOptions {
  tolerance?: Tolerance;
  /** Limits over the defaults (inputBytes bounds each answers text). */
  limits?: Partial<Limits>;
}

/** The graded reports behind their JSON, for the text, Markdown and summary printers. */
const graded = new WeakMap<object, FileReport>();

/**
 * Grades many answers files (a class) against one exact training, computed once as far as the furthest
 * answer goes, with the variants (diagnoses) shared. A file that cannot be read or parsed is graded as
 * its error, and the others still are; a single file's error is thrown instead, as check() does.
 */
export function checkAll(spec: Spec, inputs: AnswersInput[], options: CheckAllOptions = {}): GradedFile[] {
  return checkedFiles(spec, inputs, options).map((p): GradedFile => {
    if (p instanceof InputError) return { file: p.file, error: p };
    const report = JSON.parse(JSON.stringify(jsonReport(p))) as CheckReport;
    graded.set(report, p);
    return { file: p.file, report };
  });
}

/** Each file graded (its report, or the input error that stopped it), as checkAll's reports are made:
 *  grade's gradebooks read these directly, without the JSON report (and the recomputation of every
 *  wrong value it holds), which is a third of a class's grading. */
/** @internal gradeSheets grades sheets as checkAll grades files. */
export function checkedFiles(spec: Spec, inputs: AnswersInput[], options: CheckAllOptions): Array<FileReport | InputError> {
  const tolerance = options.tolerance ?? { kind: 'digits' };
  if (tolerance.kind === 'abs' || tolerance.kind === 'rel') {
    const problem = toleranceProblem(`tolerance ${tolerance.kind}`, tolerance.value);
    if (problem) throw new RangeError(problem);
  }
  const maxBytes = options.limits?.inputBytes;
  const shape = answerShape(spec);
  // Every file is read first: the exact training is computed once, as far as the furthest answer goes.
  const parsed: Array<Answers | InputError> = inputs.map((input) => {
    if ('error' in input) return input.error;
    try {
      if (maxBytes !== undefined && new TextEncoder().encode(input.text).length > maxBytes) {
        throw new LimitError('inputBytes', input.file, '', `the answers have more than ${maxBytes.toLocaleString('en-US')} bytes`, maxBytes);
      }
      return parseAnswers(input.text, input.file, shape);
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
  });
  const good = parsed.filter((p): p is Answers => !(p instanceof InputError));
  if (inputs.length === 1 && parsed[0] instanceof InputError) throw parsed[0];
  const checker = new Checker(spec, { ...extentOf(good), views: viewsOf(good) });
  if (good.length > 1) checker.prepare();
  return parsed.map((p) => {
    if (p instanceof InputError) return p;
    try {
      return checker.check(p, tolerance);
    } catch (e) {
      // A quantity a file names that its equations cannot give (checker.check says which): the file's
      // error, as for a file that cannot be read; a single file's is thrown.
      if (e instanceof InputError && inputs.length !== 1) return e;
      throw e;
    }
  });
}

function fileReportOf(report: CheckReport): FileReport {
  const r = graded.get(report);
  if (!r) throw new TypeError('check reports are printed from the values checkAll() returned');
  return r;
}

export interface CheckFormatOptions {
  /** Text only: colour the verdicts with terminal escapes. */
  colour?: boolean;
}

/**
 * The reports of graded files as `exactprop check --format FORMAT` prints them: text or Markdown, one
 * report after another (a file's error is not among them); JSON, one report for one file, or
 * `{ "files": [...] }` with each file's report or `{ file, error }`.
 */
export function checkReport(files: GradedFile[], format: 'text' | 'markdown' | 'json', options: CheckFormatOptions = {}): string {
  const reports = files.flatMap((f) => ('report' in f ? [fileReportOf(f.report)] : []));
  if (format === 'json') {
    const value = reports.length === 1 && files.length === 1 ? jsonReport(reports[0]!) : { files: files.map((f) => ('report' in f ? jsonReport(fileReportOf(f.report)) : { file: f.error.file, error: f.error.located() })) };
    return jsonSafe(JSON.stringify(value, null, 2)) + '\n';
  }
  if (format !== 'text' && format !== 'markdown') throw new RangeError(`unknown format '${String(format)}' (text, markdown, json)`);
  return reports.map((r) => (format === 'markdown' ? markdownReport(r) : textReport(r, { colour: options.colour === true }))).join('\n');
}

/**
 * A published answer key graded as a sheet, printed as its errata list (`exactprop check --key`): each
 * wrong value with its exact value, the first error it follows from, and what reproduces a new error;
 * values off only in their last digit apart. JSON gives `{ key, spec, errata, rounding, correct }`.
 */
export function checkErrata(file: GradedFile, format: 'text' | 'markdown' | 'json', options: CheckFormatOptions = {}): { text: string; errata: number } {
  if (!('report' in file)) throw new RangeError(`the key ${file.file} could not be read: ${file.error.located()}`);
  const e = errataOf(fileReportOf(file.report));
  const text = format === 'json' ? jsonSafe(JSON.stringify(errataJson(e), null, 2)) + '\n' : format === 'markdown' ? errataMarkdown(e) : errataText(e, options.colour === true);
  return { text, errata: e.errata.length };
}

/** One row per graded file (counts per verdict and the first new error, or the file's error), as
 *  `exactprop check --summary FORMAT` prints it: CSV or a Markdown table. */
export function checkSummary(files: GradedFile[], format: 'csv' | 'markdown'): string {
  const rows: SummaryRow[] = files.map((f) => ('report' in f ? { file: f.file, report: fileReportOf(f.report) } : { file: f.error.file, error: f.error.located() }));
  if (format === 'csv') return csvSummary(rows);
  if (format === 'markdown') return markdownSummary(rows);
  throw new RangeError(`unknown summary '${String(format)}' (csv, markdown)`);
}
