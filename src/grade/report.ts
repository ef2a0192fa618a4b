// The class report: how the class scored, and where in the calculation it went wrong. One document
// (render/document.ts), printed in Markdown by render's printer and as a web page by the HTML one; its
// charts are SVG drawn by svg.ts, so the report opens offline.
import type { Block, Doc, Inline } from '../render/document.js';
import { VERDICTS, type Verdict } from '../check/check.js';
import { ExactDecimal } from '../numeric/context.js';
import { barChart, columnChart } from './svg.js';
import type { Gradebook, StudentGrade } from './gradebook.js';
import type { Exact } from './scheme.js';

const WORD: Record<Verdict, string> = { correct: 'correct', 'rounding-slip': 'rounding slip', carried: 'carried', wrong: 'wrong' };
const literal = (text: string): Inline => ({ literal: text });
const code = (text: string): Inline => ({ code: text });
/** How many of the most common first errors and diagnoses the report lists. */
const MOST_COMMON = 10;

/** A score as a short decimal (scores are exact; a share of the maximum is shown to 0.1 %). */
const percent = (part: Exact | number, whole: Exact | number): string => {
  const w = new ExactDecimal(whole.toString());
  return w.isZero() ? '-' : `${new ExactDecimal(part.toString()).times(100).div(w).toDecimalPlaces(1).toFixed(1)}%`;
};

export function classReportDocument(book: Gradebook): Doc {
  const graded = book.students.filter((s): s is StudentGrade & { score: Exact } => s.score !== undefined);
  const unread = book.students.filter((s) => s.error !== undefined);
  const blocks: Block[] = [];
  blocks.push({ kind: 'heading', level: 1, content: ['exactprop grade: ', code(book.source)] });
  blocks.push({
    kind: 'paragraph',
    content: [
      'Against ', code(book.spec), literal(`. ${graded.length} ${graded.length === 1 ? 'student' : 'students'} graded`),
      literal(unread.length ? `, ${unread.length} could not be (below)` : ''),
      literal(`; ${book.quantities.length} quantities asked for, ${book.max.toFixed()} points in all.`),
    ],
  });
  if (graded.length) {
    const scores = graded.map((s) => s.score).sort((a, b) => a.cmp(b));
    const mean = scores.reduce((a, b) => a.plus(b), new ExactDecimal(0)).div(scores.length);
    const mid = scores.length % 2 ? scores[(scores.length - 1) / 2]! : scores[scores.length / 2 - 1]!.plus(scores[scores.length / 2]!).div(2);
    blocks.push({
      kind: 'table',
      head: [['score'], ['points'], ['share of the maximum']],
      rows: ([['mean', mean], ['median', mid], ['lowest', scores[0]!], ['highest', scores[scores.length - 1]!]] as const).map(([name, v]) =>
        [[name], [literal(v.toDecimalPlaces(2).toFixed())], [literal(percent(v, book.max))]]),
    });
    blocks.push(...distribution(book, graded));
  }
  blocks.push(...whereWrong(book, graded));
  blocks.push(...diagnoses(graded));
  if (unread.length) {
    blocks.push({ kind: 'heading', level: 2, content: ['Sheets that could not be graded'] });
    blocks.push({ kind: 'list', items: unread.map((s) => [code(s.id), literal(': '), literal(s.error!)]) });
  }
  if (book.warnings.length) {
    blocks.push({ kind: 'heading', level: 2, content: ['Warnings'] });
    blocks.push({ kind: 'list', items: book.warnings.map((w) => [literal(w)]) });
  }
  return { title: `exactprop grade: ${book.source}`, blocks };
}

/** Scores in ten bins of a tenth of the maximum each, the last one closed (a full score is in it). */
function distribution(book: Gradebook, graded: Array<{ score: Exact }>): Block[] {
  const counts = new Array<number>(10).fill(0);
  for (const s of graded) {
    const bin = book.max.isZero() ? 9 : Math.min(9, s.score.times(10).div(book.max).floor().toNumber());
    counts[bin]!++;
  }
  const bars = counts.map((count, i) => ({ label: `${i * 10}-${i === 9 ? 100 : i * 10 + 10}`, count }));
  return [
    { kind: 'heading', level: 2, content: ['Score distribution'] },
    {
      kind: 'figure',
      svg: columnChart(bars, { title: 'Scores', xLabel: 'score, % of the maximum', yLabel: 'students' }),
      caption: [literal(`Students by score, in tenths of the maximum (${book.max.toFixed()} points); a bin holds its lower end, the last one 100% too.`)],
      alt: `Students per tenth of the maximum score: ${bars.map((b) => `${b.label}%: ${b.count}`).join(', ')}.`,
    },
  ];
}

/** First new errors per quantity, in the order of the calculation, and every verdict per quantity. */
function whereWrong(book: Gradebook, graded: StudentGrade[]): Block[] {
  const first = new Map<string, number>();
  const verdicts = new Map<string, Record<Verdict, number>>(book.quantities.map((q) => [q.path, Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>]));
  for (const s of graded) {
    if (s.firstError) first.set(s.firstError.path, (first.get(s.firstError.path) ?? 0) + 1);
    for (const r of s.results) verdicts.get(r.path)![r.verdict]++;
  }
  const bars = book.quantities.map((q) => ({ label: q.path, count: first.get(q.path) ?? 0 }));
  const withFirst = bars.filter((b) => b.count > 0);
  const blocks: Block[] = [{ kind: 'heading', level: 2, content: ['Where in the calculation the class went wrong'] }];
  blocks.push({
    kind: 'figure',
    svg: barChart(bars, { title: 'First new errors', xLabel: 'students whose first new error it is' }),
    caption: [literal('Each quantity asked for, in the order of the calculation, with the students whose first new error (a value neither correct, a rounding slip nor carried from their own earlier values) it is.')],
    alt: withFirst.length ? `First new errors: ${withFirst.map((b) => `${b.label}: ${b.count}`).join(', ')}.` : 'No student made a new error.',
  });
  const common = [...withFirst].sort((a, b) => b.count - a.count).slice(0, MOST_COMMON);
  if (common.length) {
    blocks.push({ kind: 'heading', level: 3, content: ['The most common first errors'] });
    blocks.push({
      kind: 'table',
      head: [['quantity'], ['students'], ['share'], ['diagnoses of these errors']],
      rows: common.map((b) => {
        const ds = countDiagnoses(graded.flatMap((s) => (s.firstError?.path === b.label ? [s.firstError] : [])));
        return [[code(b.label)], [literal(String(b.count))], [literal(percent(b.count, graded.length))],
          [literal(ds.length ? ds.map((d) => `${d.id} (${d.count})`).join(', ') : 'none known')]];
      }),
    });
  }
  blocks.push({ kind: 'heading', level: 3, content: ['Every quantity'] });
  blocks.push({
    kind: 'table',
    head: [['quantity'], ['points'], ...VERDICTS.map((v): Inline[] => [WORD[v]]), ['first errors']],
    rows: book.quantities.map((q) => [[code(q.path)], [literal(q.points.toFixed())], ...VERDICTS.map((v) => [literal(String(verdicts.get(q.path)![v]))]), [literal(String(first.get(q.path) ?? 0))]]),
  });
  return blocks;
}

/** The diagnoses of the class's new errors: how many first errors, and how many wrong values, each explains. */
function diagnoses(graded: StudentGrade[]): Block[] {
  const firsts = countDiagnoses(graded.flatMap((s) => (s.firstError ? [s.firstError] : [])));
  const all = countDiagnoses(graded.flatMap((s) => s.results.filter((r) => r.verdict === 'wrong')));
  const students = new Map<string, number>();
  for (const s of graded) for (const id of new Set(s.results.filter((r) => r.verdict === 'wrong').flatMap((r) => r.diagnosis.map((d) => d.id)))) students.set(id, (students.get(id) ?? 0) + 1);
  const blocks: Block[] = [{ kind: 'heading', level: 2, content: ['The most common diagnoses'] }];
  if (!all.length) {
    blocks.push({ kind: 'paragraph', content: ['No new error of the class is reproduced by a known mistake or convention.'] });
    return blocks;
  }
  blocks.push({
    kind: 'table',
    head: [['diagnosis'], ['first errors'], ['wrong values'], ['students'], ['what it is (one instance)']],
    // Every diagnosis met: the catalogue is short, and a rare mistake is worth seeing too.
    rows: all.map((d) => [[code(d.id)], [literal(String(firsts.find((f) => f.id === d.id)?.count ?? 0))], [literal(String(d.count))], [literal(String(students.get(d.id) ?? 0))], [literal(d.text)]]),
  });
  return blocks;
}

/** Diagnosis ids by how many of `values` each explains, most first (ties by id), with one text each. */
function countDiagnoses(values: Array<{ diagnosis: Array<{ id: string; text: string }> }>): Array<{ id: string; count: number; text: string }> {
  const found = new Map<string, { count: number; text: string }>();
  for (const v of values) {
    for (const id of new Set(v.diagnosis.map((d) => d.id))) {
      const f = found.get(id);
      if (f) f.count++;
      else found.set(id, { count: 1, text: v.diagnosis.find((d) => d.id === id)!.text });
    }
  }
  return [...found].map(([id, f]) => ({ id, ...f })).sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
