// What a variant is (a named transformation of the spec or of the graph of the training) and the
// pieces the diagnoses in diagnoses.ts are built from; the catalogue itself is diagnoses.ts's table.
// Also the pairing of two variants.
import { add, call, constant, pow, sum, symbol, symbolsOf, type Node as MathNode } from '../symbolic/build.js';
import { differentiate } from '../symbolic/differentiate.js';
import { parseExpression } from '../symbolic/parse.js';
import type { OptimizerDef, Options } from '../optimizers/definitions.js';
import type { Spec } from '../spec/model.js';
import { setFormula, type Graph } from './graph.js';
import { argsOf, callName, contentOf, operatorFn, symbolName } from '../symbolic/tree.js';

export interface Variant {
  /** Stable name, used in the JSON report. */
  id: string;
  /** Variants of one family are alternatives to each other and are never combined. */
  family: string;
  text: string;
  spec?: (s: Spec) => Spec;
  /** Rewires a graph in place (graph.ts reevaluates it afterwards). */
  graph?: (g: Graph) => void;
  /** Changes values only where a kink is met at exactly 0 (another relu'(0)). */
  atKinks?: boolean;
  /** Never combined with another variant (see TrainingDiagnosisEntry.alone). */
  alone?: boolean;
}

export const print = (n: MathNode) => n.toString({ parenthesis: 'auto', implicit: 'show' } as never);
export const paramNames = (spec: Spec) => spec.params.map((p) => p.name);

export const withPenalty = (spec: Spec, text: string): Spec => ({
  ...spec,
  loss: { ...spec.loss, penalty: { name: 'penalty', text, expr: parseExpression(text) } },
});
export const withOptions = (spec: Spec, options: Options): Spec => ({ ...spec, training: { ...spec.training, options: { ...spec.training.options, ...options } } });
export const withDefinition = (spec: Spec, definition: OptimizerDef): Spec => ({ ...spec, training: { ...spec.training, definition } });

/** A bias is a param that is only ever added to a pre-activation (never multiplied, divided or raised). */
export function biases(spec: Spec): string[] {
  const params = new Set(paramNames(spec));
  const additive = new Map<string, boolean>();
  const walk = (n: MathNode, onlyAdded: boolean) => {
    switch (n.type) {
      case 'SymbolNode': {
        const name = symbolName(n);
        if (params.has(name)) additive.set(name, (additive.get(name) ?? true) && onlyAdded);
        return;
      }
      case 'ParenthesisNode':
        return walk(contentOf(n), onlyAdded);
      case 'OperatorNode': {
        const fn = operatorFn(n);
        const args = argsOf(n);
        const keeps = ['add', 'subtract', 'unaryMinus', 'unaryPlus'].includes(fn);
        return args.forEach((a) => walk(a, onlyAdded && keeps));
      }
      case 'FunctionNode':
        // A function's argument is a pre-activation of its own.
        return argsOf(n).forEach((a) => walk(a, true));
    }
  };
  for (const n of spec.neurons) walk(n.expr, true);
  return paramNames(spec).filter((p) => additive.get(p) === true);
}

/** The penalty as an L2 penalty: c/2 * sum of squares of `penalised`, when it is one (every penalised
 *  param has the same constant second derivative c, and no cross terms). */
export function l2Penalty(spec: Spec): { c: MathNode; penalised: string[] } | undefined {
  const penalty = spec.loss.penalty?.expr;
  if (!penalty) return undefined;
  const params = new Set(paramNames(spec));
  const penalised = [...symbolsOf(penalty)].filter((s) => params.has(s));
  let c: MathNode | undefined;
  for (const w of penalised) {
    const d1 = differentiate(penalty, w);
    if ([...symbolsOf(d1)].some((s) => params.has(s) && s !== w)) return undefined;
    const d2 = differentiate(d1, w);
    if ([...symbolsOf(d2)].some((s) => params.has(s))) return undefined;
    if (c && print(c) !== print(d2)) return undefined;
    c = d2;
  }
  return c ? { c, penalised } : undefined;
}

export const squares = (names: string[]) => sum(names.map((n) => pow(symbol(n), constant(2))));

/** Every `sqrt(X) + eps` in a formula written as `sqrt(X + eps)` (`eps` the optimizer's epsilon option). */
export function epsInside(n: MathNode, eps = 'eps'): MathNode {
  if (n.type === 'OperatorNode') {
    const fn = operatorFn(n);
    const args = argsOf(n);
    const [a, b] = args.map((x) => (x.type === 'ParenthesisNode' ? contentOf(x) : x));
    // Only a sum of exactly these two: a longer sum (an n-ary node) has more terms to keep.
    if (fn === 'add' && args.length === 2 && a?.type === 'FunctionNode' && callName(a) === 'sqrt' &&
      b?.type === 'SymbolNode' && symbolName(b) === eps) {
      return call('sqrt', [add(argsOf(a)[0]!, symbol(eps))]);
    }
  }
  return n.map((child: MathNode) => epsInside(child, eps));
}

/** Renames symbols that are not inside a function's argument (a ReLU's derivative reads the forward
 *  pass's pre-activation, whatever a hand calculation does to the weights it multiplies by). */
export function renameOutsideCalls(n: MathNode, rename: (s: string) => string | undefined): MathNode {
  if (n.type === 'SymbolNode') {
    const r = rename(symbolName(n));
    return r ? symbol(r) : n;
  }
  if (n.type === 'FunctionNode') return n;
  return n.map((child: MathNode) => renameOutsideCalls(child, rename));
}

/** Replaces symbol `from` by `to` everywhere (function names excepted). */
export function substitute(n: MathNode, from: string, to: MathNode): MathNode {
  return n.transform((node: MathNode, path: string) =>
    node.type === 'SymbolNode' && path !== 'fn' && symbolName(node) === from ? to : node,
  );
}

/** Gives node `id` a formula derived from its own: symbols it keeps read what they read before. */
export function rewire(g: Graph, id: number, formula: MathNode, extra: Record<string, number> = {}): void {
  const node = g.nodes[id]!;
  const before = new Map(node.symbols.map((s, i) => [s, node.inputs[i]!]));
  setFormula(g, id, formula, (s) => extra[s] ?? before.get(s)!);
}

export const stepNodes = (g: Graph, step: number) => g.nodes.map((n, id) => [n, id] as const).filter(([n]) => n.step === step);

/** Two variants of different families at once, for a value that no single one explains. */
export function combined(a: Variant, b: Variant): Variant {
  const spec = a.spec && b.spec ? (s: Spec) => b.spec!(a.spec!(s)) : a.spec ?? b.spec;
  const graph = a.graph && b.graph ? (g: Graph) => { a.graph!(g); b.graph!(g); } : a.graph ?? b.graph;
  return {
    id: `${a.id}+${b.id}`, family: `${a.family}+${b.family}`, text: `${a.text}; and ${b.text}`,
    ...(spec ? { spec } : {}), ...(graph ? { graph } : {}), ...(a.atKinks && b.atKinks ? { atKinks: true } : {}),
  };
}

/** Thrown by a variant that turns out to change nothing in this spec. */
export class NotApplicable extends Error {}

