// A class graded: each student's score under the points scheme, the counts of each verdict and the
// first new error with its diagnosis, and the quantities the class was asked for in the order of the
// calculation. Grading itself is check's (the library's checkAll); this reads what it says of each
// sheet, in a plain form a worker thread can send back, and adds up the points, exactly.
// csv-stringify/sync needs Node's Buffer; a browser gets csv-stringify's own build with one (package.json imports).
import { stringify } from '#csv-stringify';
import { VERDICTS, type Diagnosis, type Verdict } from '../check/check.js';
import { csvCell } from '../check/report.js';
import { InputError } from '../spec/errors.js';
import { terminalSafeLine } from '../text/escape.js';
import { isUnread, type ClassAnswers, type Sheet } from './class.js';
import { pointsOf, unusedRules, type Exact, type PointsScheme } from './scheme.js';
import { ExactDecimal } from '../numeric/context.js';

/** One graded value, as much of check's result as a gradebook and a class report read. */
export interface GradedValue {
  path: string;
  written: string;
  /** At the working precision. */
  exact: string;
  verdict: Verdict;
  diagnosis: Diagnosis[];
}

/** One sheet graded (results in the order of the calculation), or the input error that stopped it. */
export type GradedSheet =
  | { id: string; results: GradedValue[]; firstError: string | null }
  | { id: string; error: { path: string; message: string; line?: number } };

export interface StudentGrade {
  id: string;
  /** Absent for a sheet that could not be read (then `error` says why). */
  score?: Exact;
  counts: Record<Verdict, number>;
  /** Quantities asked for and not answered. */
  blank: number;
  firstError?: GradedValue;
  results: GradedValue[];
  /** Located, one line. */
  error?: string;
}

export interface Gradebook {
  spec: string;
  source: string;
  scheme: PointsScheme;
  /** The quantities asked for, in the order of the calculation, with their points. */
  quantities: Array<{ path: string; points: Exact }>;
  /** What a student who answers every quantity correctly scores. */
  max: Exact;
  students: StudentGrade[];
  /** Things the grader should know (a pattern of the scheme that matches no quantity). */
  warnings: string[];
}

const zeroCounts = (): Record<Verdict, number> => Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;

/**
 * The gradebook of a class: `graded` holds, in order, what grading gave for each of the class's sheets
 * that could be read (the others are graded as their error).
 */
export function gradebookOf(spec: string, answers: ClassAnswers, graded: GradedSheet[], scheme: PointsScheme): Gradebook {
  const readable = answers.sheets.filter((s): s is Sheet => !isUnread(s));
  if (readable.length !== graded.length) throw new Error(`internal: ${graded.length} graded sheets for ${readable.length} readable ones`);
  const gradedOf = new Map(readable.map((s, i) => [s, graded[i]!]));
  const resultLists = graded.flatMap((g) => ('results' in g ? [g.results.map((r) => r.path)] : []));
  const asked = calculationOrder(resultLists, answers.asked ?? []);
  const quantities = asked.map((path) => ({ path, points: pointsOf(scheme, path) }));
  const pointsAt = new Map(quantities.map((q) => [q.path, q.points]));
  const max = quantities.reduce((sum, q) => sum.plus(q.points), new ExactDecimal(0));

  const students = answers.sheets.map((sheet): StudentGrade => {
    const base = { id: sheet.id, counts: zeroCounts(), blank: 0, results: [] as GradedValue[] };
    if (isUnread(sheet)) return { ...base, error: terminalSafeLine(sheet.error.located()) };
    const g = gradedOf.get(sheet)!;
    if ('error' in g) return { ...base, error: terminalSafeLine(locatedInSheet(sheet, g.error).located()) };
    let score = new ExactDecimal(0);
    const counts = zeroCounts();
    for (const r of g.results) {
      counts[r.verdict]++;
      score = score.plus(pointsAt.get(r.path)!.times(scheme.credit[r.verdict]));
    }
    const firstError = g.firstError === null ? undefined : g.results.find((r) => r.path === g.firstError);
    return { ...base, score, counts, blank: asked.length - g.results.length, results: g.results, ...(firstError ? { firstError } : {}) };
  });
  const warnings = unusedRules(scheme, asked).map((r) => `${scheme.file}${r.line !== undefined ? `:${r.line}` : ''}: the pattern '${terminalSafeLine(r.pattern.text)}' matches none of the quantities asked for`);
  return { spec, source: answers.source, scheme, quantities, max, students, warnings };
}

/** An error check found in a sheet, shown where the grader wrote it: a CSV row's cell, or the file. */
function locatedInSheet(sheet: Sheet, e: { path: string; message: string; line?: number }): InputError {
  if (!sheet.columns) return new InputError(sheet.file, e.path, e.message, e.line);
  const heading = sheet.columns.get(e.path) ?? [...sheet.columns].find(([path]) => path.startsWith(`${e.path}.`))?.[1];
  return new InputError(sheet.file, `${heading ?? e.path} of '${terminalSafeLine(sheet.id)}'`, e.message, sheet.line);
}

/**
 * The order of the calculation over every path: each student's results come in that order, so the
 * order of each pair of neighbours is kept (a topological sort of their union, which has no cycle).
 * A path asked for that no student answered comes right after the answered path asked for before it.
 */
export function calculationOrder(lists: string[][], asked: string[]): string[] {
  const rank = new Map<string, number>();
  const after = new Map<string, Set<string>>();
  const before = new Map<string, number>();
  const node = (p: string, r: number) => {
    if (rank.has(p)) return;
    rank.set(p, r);
    after.set(p, new Set());
    before.set(p, 0);
  };
  const edge = (a: string, b: string) => {
    if (a === b || after.get(a)!.has(b)) return;
    after.get(a)!.add(b);
    before.set(b, before.get(b)! + 1);
  };
  for (const list of lists) {
    for (const p of list) node(p, rank.size);
    for (let i = 1; i < list.length; i++) edge(list[i - 1]!, list[i]!);
  }
  let previous: string | undefined;
  asked.forEach((p, i) => {
    if (rank.has(p)) {
      previous = p;
      return;
    }
    node(p, (previous === undefined ? -1 : rank.get(previous)!) + (i + 1) / (asked.length + 1));
    if (previous !== undefined) edge(previous, p);
  });
  // Kahn's algorithm, the lowest rank first among those ready.
  const ready = [...rank.keys()].filter((p) => before.get(p) === 0);
  const out: string[] = [];
  while (ready.length) {
    ready.sort((x, y) => rank.get(x)! - rank.get(y)!);
    const p = ready.shift()!;
    out.push(p);
    for (const q of after.get(p)!) {
      const n = before.get(q)! - 1;
      before.set(q, n);
      if (n === 0) ready.push(q);
    }
  }
  // A cycle would mean two sheets disagree about the order (they cannot): the rest by rank.
  if (out.length < rank.size) {
    const placed = new Set(out);
    out.push(...[...rank.keys()].filter((p) => !placed.has(p)).sort((x, y) => rank.get(x)! - rank.get(y)!));
  }
  return out;
}

export const GRADEBOOK_HEADER = ['id', 'score', 'max', ...VERDICTS.map((v) => v.replace(/-/g, '_')), 'blank', 'first_error', 'written', 'exact', 'diagnosis', 'error'];

/** The gradebook as CSV: a row per student, the scores exact, every cell safe to open in a spreadsheet. */
export function gradebookCsv(book: Gradebook): string {
  const rows = book.students.map((s) => {
    const f = s.firstError;
    const cells = s.error !== undefined
      ? [s.id, '', book.max.toFixed(), ...VERDICTS.map(() => ''), '', '', '', '', '', s.error]
      : [s.id, s.score!.toFixed(), book.max.toFixed(), ...VERDICTS.map((v) => String(s.counts[v])), String(s.blank), f?.path ?? '', f?.written ?? '', f?.exact ?? '', f ? f.diagnosis.map((d) => d.id).join(' ') : '', ''];
    cells[0] = terminalSafeLine(cells[0]!);
    return cells.map(csvCell);
  });
  return stringify([GRADEBOOK_HEADER, ...rows]);
}
