// The usual alternative conventions and known mistakes, each a small named transformation of the spec
// (another penalty, reduction, convention or optimizer) or of the graph of the training (a rewiring of
// the quantities a hand calculation gets wrong). A written value that one of them reproduces is
// diagnosed by its name. None is a heuristic: each computes a whole training its way.
import { optionSymbol } from '../graph/names.js';
import { ExactDecimal } from '../numeric/context.js';
import { add, call, constant, pow, sum, symbol, symbolsOf, type Node as MathNode } from '../symbolic/build.js';
import { differentiate } from '../symbolic/differentiate.js';
import { parseExpression } from '../symbolic/parse.js';
import { FUNCTIONS } from '../symbolic/functions.js';
import { adjointName } from '../graph/program.js';
import type { OptimizerDef, Options } from '../optimizers/definitions.js';
import type { Spec } from '../spec/model.js';
import { addNode, nodeKey, setFormula, type Graph } from './graph.js';

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
}

const print = (n: MathNode) => n.toString({ parenthesis: 'auto', implicit: 'show' } as never);
const paramNames = (spec: Spec) => spec.params.map((p) => p.name);

const withPenalty = (spec: Spec, text: string): Spec => ({
  ...spec,
  loss: { ...spec.loss, penalty: { name: 'penalty', text, expr: parseExpression(text) } },
});
const withOptions = (spec: Spec, options: Options): Spec => ({ ...spec, training: { ...spec.training, options: { ...spec.training.options, ...options } } });
const withDefinition = (spec: Spec, definition: OptimizerDef): Spec => ({ ...spec, training: { ...spec.training, definition } });

/** A bias is a param that is only ever added to a pre-activation (never multiplied, divided or raised). */
export function biases(spec: Spec): string[] {
  const params = new Set(paramNames(spec));
  const additive = new Map<string, boolean>();
  const walk = (n: MathNode, onlyAdded: boolean) => {
    switch (n.type) {
      case 'SymbolNode': {
        const name = (n as unknown as { name: string }).name;
        if (params.has(name)) additive.set(name, (additive.get(name) ?? true) && onlyAdded);
        return;
      }
      case 'ParenthesisNode':
        return walk((n as unknown as { content: MathNode }).content, onlyAdded);
      case 'OperatorNode': {
        const { fn, args } = n as unknown as { fn: string; args: MathNode[] };
        const keeps = ['add', 'subtract', 'unaryMinus', 'unaryPlus'].includes(fn);
        return args.forEach((a) => walk(a, onlyAdded && keeps));
      }
      case 'FunctionNode':
        // A function's argument is a pre-activation of its own.
        return (n as unknown as { args: MathNode[] }).args.forEach((a) => walk(a, true));
    }
  };
  for (const n of spec.neurons) walk(n.expr, true);
  return paramNames(spec).filter((p) => additive.get(p) === true);
}

/** The penalty as an L2 penalty: c/2 * sum of squares of `penalised`, when it is one (every penalised
 *  param has the same constant second derivative c, and no cross terms). */
function l2Penalty(spec: Spec): { c: MathNode; penalised: string[] } | undefined {
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

const squares = (names: string[]) => sum(names.map((n) => pow(symbol(n), constant(2))));

/** Every `sqrt(X) + eps` in a formula written as `sqrt(X + eps)`. */
function epsInside(n: MathNode): MathNode {
  if (n.type === 'OperatorNode') {
    const { fn, args } = n as unknown as { fn: string; args: MathNode[] };
    const [a, b] = args.map((x) => (x.type === 'ParenthesisNode' ? (x as unknown as { content: MathNode }).content : x));
    // Only a sum of exactly these two: a longer sum (an n-ary node) has more terms to keep.
    if (fn === 'add' && args.length === 2 && a?.type === 'FunctionNode' && (a as unknown as { fn: { name: string } }).fn.name === 'sqrt' &&
      b?.type === 'SymbolNode' && (b as unknown as { name: string }).name === 'eps') {
      return call('sqrt', [add((a as unknown as { args: MathNode[] }).args[0]!, symbol('eps'))]);
    }
  }
  return n.map((child: MathNode) => epsInside(child));
}

/** Renames symbols that are not inside a function's argument (a ReLU's derivative reads the forward
 *  pass's pre-activation, whatever a hand calculation does to the weights it multiplies by). */
function renameOutsideCalls(n: MathNode, rename: (s: string) => string | undefined): MathNode {
  if (n.type === 'SymbolNode') {
    const r = rename((n as unknown as { name: string }).name);
    return r ? symbol(r) : n;
  }
  if (n.type === 'FunctionNode') return n;
  return n.map((child: MathNode) => renameOutsideCalls(child, rename));
}

/** Replaces symbol `from` by `to` everywhere (function names excepted). */
function substitute(n: MathNode, from: string, to: MathNode): MathNode {
  return n.transform((node: MathNode, path: string) =>
    node.type === 'SymbolNode' && path !== 'fn' && (node as unknown as { name: string }).name === from ? to : node,
  );
}

/** Gives node `id` a formula derived from its own: symbols it keeps read what they read before. */
function rewire(g: Graph, id: number, formula: MathNode, extra: Record<string, number> = {}): void {
  const node = g.nodes[id]!;
  const before = new Map(node.symbols.map((s, i) => [s, node.inputs[i]!]));
  setFormula(g, id, formula, (s) => extra[s] ?? before.get(s)!);
}

const stepNodes = (g: Graph, step: number) => g.nodes.map((n, id) => [n, id] as const).filter(([n]) => n.step === step);

/** The catalogue, for one spec: the variants that apply to it (the others would change nothing). */
export function conventionVariants(spec: Spec): Variant[] {
  const out: Variant[] = [];
  const opts = spec.training.options;
  const penalty = spec.loss.penalty;
  const wd = typeof opts.weight_decay === 'string' && !new ExactDecimal(opts.weight_decay).isZero() ? new ExactDecimal(opts.weight_decay) : undefined;
  const biasNames = biases(spec);

  // The penalty's gradient: lambda*w (a (lambda/2)*sum w^2 penalty, or weight decay lambda) against
  // 2*lambda*w (the gradient of lambda*sum w^2).
  for (const [id, factor, word] of [['penalty-gradient-halved', '1/2', 'half'], ['penalty-gradient-doubled', '2', 'twice']] as const) {
    const parts: string[] = [];
    let change = (s: Spec) => s;
    if (penalty) {
      const text = factor === '2' ? `2 * (${penalty.text})` : `(${penalty.text}) / 2`;
      parts.push(`the penalty taken as ${text}, so its gradient is ${word} the spec's`);
      const before = change;
      change = (s) => withPenalty(before(s), text);
    }
    if (wd) {
      const value = factor === '2' ? wd.times(2) : wd.div(2);
      parts.push(`weight decay ${value.toString()} instead of ${wd.toString()} (a penalty gradient ${factor === '2' ? '2*lambda*w, as for lambda * sum w^2' : 'lambda/2*w'}, where the spec has lambda*w)`);
      const before = change;
      change = (s) => withOptions(before(s), { weight_decay: value.toString() });
    }
    if (parts.length) out.push({ id, family: 'penalty-gradient', text: parts.join('; '), spec: change });
  }

  // Biases regularised or not.
  const l2 = l2Penalty(spec);
  if (l2) {
    const missing = biasNames.filter((b) => !l2.penalised.includes(b));
    const included = biasNames.filter((b) => l2.penalised.includes(b));
    if (missing.length) {
      const text = `${penalty!.text} + (${print(l2.c)}) / 2 * (${print(squares(missing))})`;
      out.push({ id: 'biases-regularised', family: 'biases', text: `the biases (${missing.join(', ')}) penalised too: penalty ${text}`, spec: (s) => withPenalty(s, text) });
    }
    if (included.length) {
      const text = `${penalty!.text} - (${print(l2.c)}) / 2 * (${print(squares(included))})`;
      out.push({ id: 'biases-not-regularised', family: 'biases', text: `the biases (${included.join(', ')}) left out of the penalty`, spec: (s) => withPenalty(s, text) });
    }
  }
  if (wd && biasNames.length) {
    out.push({
      id: 'biases-not-regularised', family: 'biases',
      text: `no weight decay on the biases (${biasNames.join(', ')}): their update uses the plain gradient`,
      graph: (g) => {
        for (const [n, id] of g.nodes.map((n, id) => [n, id] as const)) {
          if ((n.role === 'optimizer' || n.role === 'param') && biasNames.includes(n.of!) && n.symbols.includes(optionSymbol('weight_decay'))) {
            rewire(g, id, substitute(n.formula!, optionSymbol('weight_decay'), constant(0)));
          }
        }
      },
    });
  }

  if (penalty) {
    out.push({
      id: 'penalty-left-out', family: 'penalty-value',
      text: `the penalty (${penalty.text}) left out of the loss value: the total written is the data term alone`,
      graph: (g) => {
        for (let step = 1; step <= g.steps + (g.final ? 1 : 0); step++) {
          const total = g.index.get(nodeKey(step, undefined, 'loss.total'));
          if (total !== undefined) rewire(g, total, symbol('loss.data'), { 'loss.data': g.index.get(nodeKey(step, undefined, 'loss.data'))! });
        }
      },
    });
  }

  // relu'(0): only matters where a kink function is used.
  const usesKinks = [...spec.neurons, spec.loss.sample].some((e) => {
    let found = false;
    e.expr.traverse((n: MathNode) => {
      if (n.type === 'FunctionNode' && FUNCTIONS[(n as unknown as { fn: { name: string } }).fn.name]?.kink) found = true;
    });
    return found;
  });
  if (usesKinks) {
    for (const v of ['1', '0', '0.5'].filter((v) => v !== spec.conventions.relu_at_zero)) {
      out.push({
        id: `relu-at-zero-${v}`, family: 'relu-at-zero', atKinks: true,
        text: `relu'(0) taken as ${v} (the spec takes ${spec.conventions.relu_at_zero})`,
        spec: (s) => ({ ...s, conventions: { ...s.conventions, relu_at_zero: v } }),
      });
    }
  }

  // The loss's constants.
  if (spec.loss.reduce === 'mean' && spec.training.batchSize > 1) {
    out.push({ id: 'mse-without-1-over-n', family: 'reduce', text: 'the loss summed over the batch, not averaged (no 1/n)', spec: (s) => ({ ...s, loss: { ...s.loss, reduce: 'sum' } }) });
  }
  if (spec.loss.reduce === 'sum' && spec.training.batchSize > 1) {
    out.push({ id: 'mse-with-1-over-n', family: 'reduce', text: 'the loss averaged over the batch (1/n), not summed', spec: (s) => ({ ...s, loss: { ...s.loss, reduce: 'mean' } }) });
  }
  {
    const text = `(${spec.loss.sample.text}) / 2`;
    out.push({
      id: 'mse-with-half', family: 'half',
      text: `the sample loss with a factor 1/2: ${text}`,
      spec: (s) => ({ ...s, loss: { ...s.loss, sample: { ...s.loss.sample, text, expr: parseExpression(text) } } }),
    });
  }

  // The optimizer's equations.
  const def = spec.training.definition;
  const updates = def.updates(opts);
  const corrected = updates.filter((u) => (u.name === 'mhat' || u.name === 'vhat') && parseExpression(u.formula).type === 'OperatorNode' &&
    (parseExpression(u.formula) as unknown as { fn: string }).fn === 'divide');
  if (corrected.length === 2) {
    out.push({
      id: 'adam-no-bias-correction', family: 'bias-correction',
      text: `${def.title} without bias correction: mhat = m and vhat = ${print((parseExpression(corrected[1]!.formula) as unknown as { args: MathNode[] }).args[0]!)}`,
      spec: (s) => withDefinition(s, {
        ...s.training.definition,
        title: `${s.training.definition.title} without bias correction`,
        updates: (o) => s.training.definition.updates(o).map((u) =>
          u.name === 'mhat' || u.name === 'vhat' ? { name: u.name, formula: print((parseExpression(u.formula) as unknown as { args: MathNode[] }).args[0]!) } : u),
      }),
    });
  }
  if (updates.some((u) => print(epsInside(parseExpression(u.formula))) !== print(parseExpression(u.formula)))) {
    out.push({
      id: 'eps-inside-sqrt', family: 'eps',
      text: 'eps inside the square root: sqrt(vhat + eps) instead of sqrt(vhat) + eps',
      spec: (s) => withDefinition(s, {
        ...s.training.definition,
        title: `${s.training.definition.title}, eps inside the square root`,
        updates: (o) => s.training.definition.updates(o).map((u) => ({ ...u, formula: print(epsInside(parseExpression(u.formula))) })),
      }),
    });
  }

  // Backward-pass mistakes.
  const lossUses = symbolsOf(spec.loss.sample.expr);
  const outputs = spec.neurons.map((n) => n.name).filter((n) => lossUses.has(n));
  if (spec.training.batchSize > 1 && outputs.length) {
    out.push({
      id: 'sum-times-sum', family: 'sum-times-sum',
      text: `the summed error times the summed inputs: the batch's total output error (the sum of ${outputs.map(adjointName).join(', ')} over its samples) multiplied into every sample's terms, so a gradient is (sum of errors) * (sum of inputs) instead of the sum of (error * input)`,
      graph: (g) => {
        for (let step = 1; step <= g.steps; step++) {
          const rows = [...new Set(stepNodes(g, step).map(([n]) => n.row).filter((r): r is number => r !== undefined))];
          if (rows.length < 2) continue;
          for (const o of outputs) {
            const ids = rows.map((r) => g.index.get(nodeKey(step, r, adjointName(o)))!);
            const names = rows.map((r) => `${adjointName(o)}[${r + 1}]`);
            const total = addNode(g, { key: nodeKey(step, undefined, `sum ${adjointName(o)}`), step, row: undefined, name: `sum ${adjointName(o)}`, role: 'adjoint' },
              sum(names.map(symbol)), (s) => ids[names.indexOf(s)]!);
            for (const [n] of stepNodes(g, step)) {
              if (n.row === undefined) continue;
              n.inputs = n.inputs.map((i) => (ids.includes(i) ? total : i));
            }
          }
        }
      },
    });
  }
  const params = new Set(spec.params.map((p) => p.name).filter((p) => !(spec.frozen ?? []).includes(p)));
  const updatedName = (p: string) => `${p} (updated)`;
  out.push({
    id: 'updated-weights-in-backward', family: 'updated-weights',
    text: 'weights already updated used in the backward pass: the adjoints of earlier neurons multiply by the weights after this step\'s update',
    graph: (g) => {
      let changed = false;
      for (let step = 1; step <= g.steps; step++) {
        for (const [n, id] of stepNodes(g, step)) {
          if (n.role !== 'adjoint' || n.row === undefined) continue;
          const formula = renameOutsideCalls(n.formula!, (s) => (params.has(s) ? updatedName(s) : undefined));
          const renamed = [...symbolsOf(formula)].filter((s) => s.endsWith(' (updated)'));
          if (!renamed.length) continue;
          changed = true;
          rewire(g, id, formula, Object.fromEntries(renamed.map((s) => [s, g.index.get(nodeKey(step, undefined, s.slice(0, -' (updated)'.length)))!])));
        }
      }
      if (!changed) throw new NotApplicable();
    },
  });
  return out;
}

/** A parameter from the wrong slot: a neuron's equation with one param read in place of another. It is a
 *  local slip (one lookup, in one equation, at one step), so it is tried on that equation alone, with
 *  the student's own values as inputs, not as a convention applied throughout the training. */
export interface SlotSwap {
  param: string;
  instead: string;
  formula: MathNode;
  text: string;
}

export function slotSwaps(neuron: string, formula: MathNode, params: string[]): SlotSwap[] {
  const used = [...symbolsOf(formula)].filter((s) => params.includes(s));
  const out: SlotSwap[] = [];
  for (const p of used) {
    for (const q of params) {
      if (q === p) continue;
      const swapped = substitute(formula, p, symbol(q));
      out.push({ param: q, instead: p, formula: swapped, text: `${q} used in place of ${p} in ${neuron}: ${neuron} = ${print(swapped)}` });
    }
  }
  return out;
}

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

