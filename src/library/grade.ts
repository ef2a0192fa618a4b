// The library's grading of a class: every sheet checked, points by a scheme, into a gradebook.
import type { Spec } from '../spec/model.js';
import { InputError } from '../spec/errors.js';
import type { Limits } from '../spec/limits.js';
import { markdown } from '../render/markdown.js';
import type { FileReport } from '../check/check.js';
import { isUnread, type ClassAnswers, type Sheet } from '../grade/class.js';
import { defaultScheme, type PointsScheme } from '../grade/scheme.js';
import { gradebookOf, type GradedSheet, type Gradebook } from '../grade/gradebook.js';
import { classReportDocument } from '../grade/report.js';
import { variantSpecText, type Manifest } from '../variants/generate.js';
import { parseSpec } from './run.js';
import { checkedFiles, type CheckAllOptions } from './check.js';
// Answers, class folders and variants read more than a spec: every reader is provided (spec/readers.ts).
import '../spec/all-readers.js';

export { classOfFiles, type ClassAnswers, type Sheet, type UnreadSheet } from '../grade/class.js';
export { readClassCsv, type CsvOptions } from '../grade/class-csv.js';
export { defaultScheme, pointsOf, readPointsScheme, type PointsScheme } from '../grade/scheme.js';
export { gradebookCsv, gradebookOf, type GradedSheet, type GradedValue, type Gradebook, type StudentGrade } from '../grade/gradebook.js';

export interface GradeOptions {
  /** Points per quantity, credit per verdict, tolerance (default: defaultScheme()). */
  scheme?: PointsScheme;
  /** Limits over the defaults (inputBytes bounds each sheet). */
  limits?: Partial<Limits>;
}

/**
 * Grades a class (readClassCsv, or classOfFiles for a folder of answers files) with check, the exact
 * training computed once for the whole class, and adds up each student's points under the scheme.
 */
export function gradeClass(spec: Spec, answers: ClassAnswers, options: GradeOptions = {}): Gradebook {
  const scheme = options.scheme ?? defaultScheme();
  const sheets = answers.sheets.filter((s): s is Sheet => !isUnread(s));
  return gradebookOf(spec.file, answers, gradeSheets(spec, sheets, { tolerance: scheme.tolerance, ...(options.limits ? { limits: options.limits } : {}) }), scheme);
}

/**
 * What check says of each sheet, in the plain form a gradebook reads (and a worker thread can send):
 * graded as checkAll grades files, all at once, so the exact training and the variants are computed once.
 */
export function gradeSheets(spec: Spec, sheets: Sheet[], options: CheckAllOptions = {}): GradedSheet[] {
  let checked: Array<FileReport | InputError>;
  try {
    checked = checkedFiles(spec, sheets.map((s) => ({ file: s.file, text: s.text })), options);
  } catch (e) {
    // One sheet alone: its input error is thrown rather than graded as one (as checkAll does).
    if (!(e instanceof InputError) || sheets.length !== 1) throw e;
    checked = [e];
  }
  return checked.map((c, i): GradedSheet => {
    const id = sheets[i]!.id;
    if (c instanceof InputError) return { id, error: { path: c.path, message: c.message, ...(c.line !== undefined ? { line: c.line } : {}) } };
    // The values of check's JSON report, as plain data a worker thread can send.
    return {
      id,
      results: c.results.map((r) => ({ path: r.path, written: r.written, exact: r.exact.toString(), verdict: r.verdict, diagnosis: r.diagnosis.map((d) => ({ id: d.id, text: d.text })) })),
      firstError: c.firstError?.path ?? null,
    };
  });
}

/**
 * Grades a class that was given one variant each (`exactprop variants`): each student's sheet against
 * their own variant, whose spec the manifest rebuilds from the student's id (variantSpecText), and the
 * points added up as gradeClass does. The variants share the base spec's quantities, so the CSV's
 * headings are read against the base spec. A student the manifest has no variant for, or whose
 * variant's spec cannot be read, is graded as that error.
 */
export function gradeVariants(manifest: Manifest, answers: ClassAnswers, options: GradeOptions = {}): Gradebook {
  const scheme = options.scheme ?? defaultScheme();
  const sheets = answers.sheets.filter((s): s is Sheet => !isUnread(s));
  const graded = sheets.map((sheet): GradedSheet => {
    let spec: Spec;
    try {
      spec = parseSpec(variantSpecText(manifest, sheet.id), { file: `${manifest.spec.file} (the variant of ${sheet.id})`, ...(options.limits ? { limits: options.limits } : {}) });
    } catch (e) {
      if (e instanceof RangeError) return { id: sheet.id, error: { path: '', message: e.message } };
      if (e instanceof InputError) return { id: sheet.id, error: { path: e.path, message: e.message } };
      throw e;
    }
    return gradeSheets(spec, [sheet], { tolerance: scheme.tolerance, ...(options.limits ? { limits: options.limits } : {}) })[0]!;
  });
  return gradebookOf(manifest.spec.file, answers, graded, scheme);
}

/** The class report: Markdown here; 'exactprop/node' prints HTML too (one self-contained page). */
export function gradeReport(book: Gradebook, format: 'markdown'): string {
  if (format !== 'markdown') throw new RangeError(`unknown report format '${String(format)}' (markdown; html from 'exactprop/node')`);
  return markdown(classReportDocument(book));
}

/** The class report as a document, for a printer of one's own. */
export { classReportDocument };
