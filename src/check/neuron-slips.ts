// Local diagnoses of a neuron's value (evidence.ts): slips of one neuron's forward computation, tried on
// the written value with the student's own values around it, as wrong-slot.ts's are. A bias left out,
// a weight matrix read transposed, the activation left out. Each rewrites the neuron's own equation
// once (per formula, compiled once per checker) and evaluates it with the student's values. None is
// claimed for a written 0: a zero is no evidence of how it was computed.
import { compile, type Compiled } from '../graph/evaluate.js';
import { addAll, constant, symbol, symbolsOf, unwrap, type Node as MathNode } from '../symbolic/build.js';
import { FUNCTIONS } from '../symbolic/functions.js';
import type { Spec } from '../spec/model.js';
import type { ExactTraining, LocalDiagnosisEntry, WrittenEvidence } from './evidence.js';
import { nodeKey } from './graph.js';
import { biases, print, substitute } from './variants.js';
import { argsOf, callName, operatorFn, symbolName } from '../symbolic/tree.js';

/** One rewriting of a neuron's equation, and the report's text for it. */
interface Slip {
  formula: MathNode;
  text: string;
}

/** An explainer from a rewriting of neuron formulas: each rewrite compiled once per formula object
 *  (one for every sample and step), evaluated with the student's values. */
function neuronExplainer(rewrites: (neuron: string, formula: MathNode) => Slip[]) {
  return ({ graph, params, totalSteps }: ExactTraining) => {
    const paramSet = new Set(params);
    const compiled = new Map<object, Array<Slip & { run: Compiled; symbols: string[] }>>();
    const slipsOf = (formula: MathNode, neuron: string) => {
      let found = compiled.get(formula);
      if (!found) {
        found = rewrites(neuron, formula).map((slip) => {
          const symbols = [...symbolsOf(slip.formula)];
          const slot = new Map(symbols.map((s, i) => [s, i]));
          return { ...slip, symbols, run: compile(slip.formula, (s) => slot.get(s)!, graph.ctx) };
        });
        compiled.set(formula, found);
      }
      return found;
    };
    return ({ id, written, reproduces, value }: WrittenEvidence): string[] => {
      const node = graph.nodes[id]!;
      if (node.role !== 'neuron' || written.value.isZero()) return [];
      const inputOf = new Map(node.symbols.map((s, i) => [s, node.inputs[i]!]));
      // A param the equation does not read comes from the params in force at this step.
      const before = node.step > totalSteps ? totalSteps : node.step - 1;
      const texts: string[] = [];
      for (const slip of slipsOf(node.formula!, node.name)) {
        const ids = slip.symbols.map((s) => inputOf.get(s) ?? (paramSet.has(s) ? graph.index.get(nodeKey(before, undefined, s)) : undefined));
        if (ids.some((i) => i === undefined)) continue;
        if (reproduces(slip.run({ vals: ids.map((i) => value(i!)), kinks: [] }))) texts.push(slip.text);
      }
      return texts;
    };
  };
}

/** The biases of a spec, by the one rule variants.ts has (a param only ever added to a pre-activation). */
const biasCache = new WeakMap<Spec, Set<string>>();
function biasesOf(spec: Spec): Set<string> {
  let b = biasCache.get(spec);
  if (!b) biasCache.set(spec, (b = new Set(biases(spec))));
  return b;
}

/** The formula with the term `b` dropped from the sums it is added in (substituted by 0 where it is
 *  not a term of a sum). */
function withoutTerm(formula: MathNode, b: string): MathNode {
  const isB = (n: MathNode) => {
    const u = unwrap(n);
    return u.type === 'SymbolNode' && symbolName(u) === b;
  };
  const dropped = formula.transform((n: MathNode) => {
    if (n.type !== 'OperatorNode' || operatorFn(n) !== 'add') return n;
    const kept = argsOf(n).filter((a) => !isB(a));
    if (kept.length === argsOf(n).length) return n;
    return kept.length === 1 ? kept[0]! : addAll(kept);
  });
  return substitute(dropped, b, constant(0));
}

export const BIAS_FORGOTTEN: LocalDiagnosisEntry = {
  id: 'bias-forgotten', family: 'bias-forgotten',
  text: 'a neuron computed without its bias',
  explainer: (training) => {
    const spec = training.graph.spec;
    const own = biasesOf(spec);
    if (!own.size) return undefined;
    return neuronExplainer((neuron, formula) => [...symbolsOf(formula)].filter((s) => own.has(s)).map((b) => {
      const without = withoutTerm(formula, b);
      return { formula: without, text: `${neuron} computed without its bias ${b}: ${neuron} = ${print(without)}` };
    }))(training);
  },
};

/** The square weight matrices of a spec, as pairs of their entries' names (W1_1_2 and W1_2_1): a
 *  matrix's entries are named `name_i_j` (a dense spec's W1_2_1, a torch-style spec's fc_weight_0_1),
 *  with no third index (a convolution's kernel is not a matrix to transpose). Only a square matrix
 *  with every entry a param: another shape cannot stand in for its transpose. */
export function transposedPairs(params: string[]): Map<string, string> {
  const matrices = new Map<string, Array<[string, number, number]>>();
  for (const p of params) {
    const m = /^(.+)_(\d+)_(\d+)$/.exec(p);
    if (!m || /_\d+$/.test(m[1]!)) continue;
    const entries = matrices.get(m[1]!) ?? [];
    entries.push([p, Number(m[2]), Number(m[3])]);
    matrices.set(m[1]!, entries);
  }
  const pairs = new Map<string, string>();
  for (const entries of matrices.values()) {
    const rows = new Set(entries.map((e) => e[1]));
    const cols = new Set(entries.map((e) => e[2]));
    if (rows.size !== cols.size || entries.length !== rows.size * cols.size || [...rows].some((r) => !cols.has(r))) continue;
    const byIndex = new Map(entries.map(([name, i, j]) => [`${i},${j}`, name]));
    for (const [name, i, j] of entries) if (i !== j) pairs.set(name, byIndex.get(`${j},${i}`)!);
  }
  return pairs;
}

export const WEIGHTS_TRANSPOSED: LocalDiagnosisEntry = {
  id: 'weights-transposed', family: 'weights-transposed',
  text: 'a weight matrix used transposed (W^T instead of W) in a neuron\'s equation',
  explainer: (training) => {
    const pairs = transposedPairs(training.params);
    if (!pairs.size) return undefined;
    return neuronExplainer((neuron, formula) => {
      const used = [...symbolsOf(formula)].filter((s) => pairs.has(s));
      if (!used.length) return [];
      // Every entry of a matrix the equation reads, swapped with its mirror at once.
      const swapped = formula.transform((n: MathNode, path: string) =>
        n.type === 'SymbolNode' && path !== 'fn' && pairs.has(print(n)) ? symbol(pairs.get(print(n))!) : n);
      const shown = used.slice(0, 2).map((s) => `${pairs.get(s)} for ${s}`).join(', ');
      return [{ formula: swapped, text: `${neuron} computed with the weights transposed (${shown}${used.length > 2 ? ', ...' : ''}): ${neuron} = ${print(swapped)}` }];
    })(training);
  },
};

export const ACTIVATION_LEFT_OUT: LocalDiagnosisEntry = {
  id: 'activation-left-out', reportAs: 'pre-activation-for-activation', family: 'activation-slot',
  text: "a neuron's pre-activation written where its activation belongs (the activation function left out)",
  explainer: neuronExplainer((neuron, formula) => {
    const f = unwrap(formula);
    if (f.type !== 'FunctionNode' || !FUNCTIONS[callName(f)]?.activation || argsOf(f).length !== 1) return [];
    const z = argsOf(f)[0]!;
    return [{ formula: z, text: `${neuron} written as its pre-activation, without ${callName(f)}: ${print(z)}` }];
  }),
};
