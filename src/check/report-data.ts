// What grading tells about each written value: the verdicts, the diagnoses, and the recomputation a
// report shows for a value that is neither correct nor a rounding slip. The printers (report.ts) read
// these and nothing of the grading itself.
import type { Dec } from '../numeric/context.js';
import { handFormsOf, pathOf, useOfAdjoint, type Graph } from './graph.js';
import { printFormula, shortText } from './format.js';
import type { Scope } from './scope.js';
import type { Node as MathNode } from '../symbolic/build.js';
import { contentOf } from '../symbolic/tree.js';

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
  inputs: RecomputedInput[];
  value: Dec;
}

/** An input of a recomputed formula: the student's written value (`yours`), or a value recomputed from
 *  the student's values (`via` names them), or the exact value (neither). */
export interface RecomputedInput {
  symbol: string;
  value: Dec;
  /** The student's path where written, else the quantity's own. */
  from: string;
  yours: boolean;
  /** For an input not written but recomputed from written values: those values' paths. */
  via: string[];
  /** The form in which the formula reads it, when more than the symbol (`1 - h2 ^ 2`). */
  form?: string;
}

/** One of the student's values that went into a recomputation. */
export interface UsedValue {
  path: string;
  /** How a verdict line names it: the quantity's name in the same sample and step, else its path. */
  label: string;
  written: string;
  /** The form in which the value's own formula reads it, as hand calculations write it (`1 - h2 ^ 2`
   *  from the student's h2, `o_1 * (1 - o_1)`), when it is read in one. */
  form?: string;
}

export interface Result {
  path: string;
  /** The sheet's own name for the quantity, when written under an alias. */
  alias?: string;
  line: number | undefined;
  written: string;
  exact: Dec;
  verdict: Verdict;
  /** For a carried value: the student's earlier values (not equal to the exact ones) it was computed from. */
  because: string[];
  /** A carried value that is also a rounding slip of its own: within one unit of its last written digit
   *  of the recomputation from the student's values, but not within the tolerance of a correct value
   *  (judged against the recomputation as a rounding slip is against the exact value). */
  slip?: boolean;
  /** For a carried or wrong value: every value of the student's that went into its recomputation (the
   *  nearest written ones, through the quantities recomputed from them), in the order of the calculation. */
  used: UsedValue[];
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
  const forms = how.formula ? formsOf(g, id, how.formula, how.symbols, how.inputs, how) : new Map<string, string>();
  const inputs = how.symbols.map((symbol, slot): RecomputedInput => {
    const i = how.inputs[slot]!;
    const yours = s.isWritten(i);
    const via = yours ? [] : s.sourcesOfInput(i).map((j) => paths[j]!);
    const form = forms.get(symbol);
    return { symbol, value: s.value(i), from: yours ? paths[i]! : pathOf(g, i), yours, via, ...(form !== undefined ? { form } : {}) };
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

/** The hand forms of a computation, by the computation (a node, or its form with the student's switches
 *  and factors: the same object for every file of a class). */
const formsCache = new WeakMap<object, Map<string, string>>();

/** The hand forms of a formula's neuron inputs (see handFormsOf), printed, by symbol. */
function formsOf(g: Graph, id: number, formula: MathNode, symbols: string[], inputs: number[], how?: object): Map<string, string> {
  const known = how && formsCache.get(how);
  if (known) return known;
  const forms = formsOfUncached(g, id, formula, symbols, inputs);
  if (how) formsCache.set(how, forms);
  return forms;
}

function formsOfUncached(g: Graph, id: number, formula: MathNode, symbols: string[], inputs: number[]): Map<string, string> {
  // Only a backward formula reads a neuron for a local derivative; a local derivative is one whole.
  const node = g.nodes[id]!;
  const nodeOf = new Map(symbols.map((sym, slot) => [sym, inputs[slot]!]));
  if (node.view === 'local') return node.of !== undefined && nodeOf.has(node.of) ? new Map([[node.of, printFormula(unwrapped(formula))]]) : new Map();
  if (node.role !== 'adjoint' && node.role !== 'share' && node.view !== 'via' && node.view !== 'delta') return new Map();
  const isNeuron = (sym: string) => {
    const i = nodeOf.get(sym);
    return i !== undefined && g.nodes[i]!.role === 'neuron';
  };
  const isAdjoint = (sym: string) => useOfAdjoint(g, nodeOf.get(sym)) !== undefined;
  return new Map([...handFormsOf(formula, isNeuron, isAdjoint)].map(([sym, form]) => [sym, printFormula(unwrapped(form))]));
}

const unwrapped = (n: MathNode): MathNode => (n.type === 'ParenthesisNode' ? unwrapped(contentOf(n)) : n);

/** The student's values that went into node `id` computed in scope `s` (see Result.used). */
export function usedValuesOf(g: Graph, s: Scope, id: number, sources: number[], paths: Array<string | undefined>, written: (i: number) => string, aliases: Array<string | undefined> = []): UsedValue[] {
  const how = s.computation(id);
  const forms = how.formula ? formsOf(g, id, how.formula, how.symbols, how.inputs, how) : new Map<string, string>();
  const formOfNode = new Map<number, string>();
  how.symbols.forEach((sym, slot) => {
    const f = forms.get(sym);
    if (f !== undefined) formOfNode.set(how.inputs[slot]!, f);
  });
  const node = g.nodes[id]!;
  return sources.map((i) => {
    const n = g.nodes[i]!;
    const sameSample = n.step === node.step && n.row === node.row && n.row !== undefined;
    const form = formOfNode.get(i);
    return { path: paths[i]!, label: aliases[i] ?? (sameSample ? n.name : paths[i]!), written: written(i), ...(form !== undefined ? { form } : {}) };
  });
}
