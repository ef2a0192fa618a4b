// What grading tells about each written value: the verdicts, the diagnoses, and the recomputation a
// report shows for a value that is neither correct nor a rounding slip. The printers (report.ts) read
// these and nothing of the grading itself.
import type { Dec } from '../numeric/context.js';
import { pathOf, type Graph } from './graph.js';
import { printFormula, shortText } from './format.js';
import type { Scope } from './scope.js';

export type Verdict = 'correct' | 'rounding-slip' | 'carried' | 'wrong';
export const VERDICTS: readonly Verdict[] = ['correct', 'rounding-slip', 'carried', 'wrong'];

export interface Diagnosis {
  id: string;
  text: string;
}

/** A value's own formula evaluated with the numbers that should have gone in. */
export interface Recomputed {
  quantity: string;
  formula: string;
  /** The formula with the numbers put in. */
  substituted: string;
  inputs: Array<{ symbol: string; value: Dec; from: string; yours: boolean }>;
  value: Dec;
}

export interface Result {
  path: string;
  line: number | undefined;
  written: string;
  exact: Dec;
  verdict: Verdict;
  /** For a carried value: the student's earlier values (not equal to the exact ones) it was computed from. */
  because: string[];
  diagnosis: Diagnosis[];
  /** For a value that is neither correct nor a slip: its formula with the numbers that should have gone
   *  in (the student's own where written). Built on demand: a class summary never needs it. */
  recomputed?: () => Recomputed;
}

export interface FileReport {
  file: string;
  spec: string;
  results: Result[];
  summary: Record<Verdict, number>;
  /** The first new error, in the order of the calculation. */
  firstError: Result | undefined;
}

/** Node `id` of the exact graph `g` recomputed in scope `s` (the student's values): its formula, and
 *  each input with where it came from (the student's path where written, else the quantity's own). */
export function recomputedOf(g: Graph, s: Scope, id: number, value: Dec, paths: Array<string | undefined>): Recomputed {
  const node = g.nodes[id]!;
  const how = s.computation(id);
  const inputs = how.symbols.map((symbol, slot) => {
    const i = how.inputs[slot]!;
    const yours = s.isWritten(i);
    return { symbol, value: s.value(i), from: yours ? paths[i]! : pathOf(g, i), yours };
  });
  const values = new Map(inputs.map((i) => [i.symbol, i.value]));
  return {
    quantity: node.name,
    formula: how.formula ? printFormula(how.formula) : node.name,
    substituted: how.formula ? printFormula(how.formula, (name) => values.get(name)) : shortText(value),
    inputs,
    value,
  };
}
