// A published answer key checked as a student's sheet is (check --key): its errata list. A key is held
// to a higher standard than a sheet: a value carried from an earlier error is still an erratum (a
// reader copies it), so every value that is neither correct nor a rounding of the exact value is
// listed, with its exact value, the first error it follows from, and what reproduces a new error.
// Values only off by their last digit are listed apart, as rounding.
import type { Dec } from '../numeric/context.js';
import type { Diagnosis, FileReport, Result } from './report-data.js';

export interface Erratum {
  path: string;
  alias?: string;
  line: number | undefined;
  written: string;
  exact: Dec;
  /** 'new': an error of its own; 'follows': computed correctly from earlier errata. */
  kind: 'new' | 'follows';
  /** For one that follows: the first new error it follows from (in the order of the calculation),
   *  or, where it follows from rounded values alone, the first of those. */
  firstError?: string;
  /** For one that follows: it also has a rounding slip of its own (see Result.slip). */
  slip?: boolean;
  /** For a new error: what reproduces it. */
  diagnosis: Diagnosis[];
}

export interface Errata {
  key: string;
  spec: string;
  errata: Erratum[];
  /** Values within one unit of their last digit of the exact value (or of a recomputation). */
  rounding: Array<{ path: string; alias?: string; written: string; exact: Dec }>;
  correct: number;
}

/** The errata of a key graded as a sheet. */
export function errataOf(report: FileReport): Errata {
  const byPath = new Map(report.results.map((r) => [r.path, r]));
  const order = new Map(report.results.map((r, i) => [r.path, i]));
  const roots = new Map<string, string | undefined>();
  /** The first new error a carried value goes back to (through the carried values it was computed
   *  from), else the first rounded value it goes back to. Iterative: a key's chains can be long. */
  const rootOf = (start: Result): string | undefined => {
    if (roots.has(start.path)) return roots.get(start.path);
    let firstWrong: string | undefined;
    let firstRounded: string | undefined;
    const earlier = (a: string | undefined, b: string) => (a === undefined || order.get(b)! < order.get(a)! ? b : a);
    const seen = new Set<string>();
    const stack = [...start.because];
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      const r = byPath.get(p);
      if (!r) continue;
      if (r.verdict === 'wrong') firstWrong = earlier(firstWrong, p);
      else if (r.verdict === 'carried') stack.push(...r.because);
      else firstRounded = earlier(firstRounded, p);
    }
    const root = firstWrong ?? firstRounded;
    roots.set(start.path, root);
    return root;
  };
  const errata: Erratum[] = [];
  const rounding: Errata['rounding'] = [];
  for (const r of report.results) {
    const alias = r.alias !== undefined ? { alias: r.alias } : {};
    if (r.verdict === 'correct') continue;
    if (r.verdict === 'rounding-slip') {
      rounding.push({ path: r.path, ...alias, written: r.written, exact: r.exact });
      continue;
    }
    const base = { path: r.path, ...alias, line: r.line, written: r.written, exact: r.exact };
    if (r.verdict === 'wrong') errata.push({ ...base, kind: 'new', diagnosis: r.diagnosis });
    else {
      const root = rootOf(r);
      errata.push({ ...base, kind: 'follows', ...(root !== undefined ? { firstError: root } : {}), ...(r.slip ? { slip: true } : {}), diagnosis: [] });
    }
  }
  return { key: report.file, spec: report.spec, errata, rounding, correct: report.summary.correct };
}
