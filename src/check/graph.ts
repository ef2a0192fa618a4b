// The whole training as one graph of quantities: every value of every step and sample is a node with
// the nodes it was computed from. Checking needs this flat form rather than the trace's step-by-step
// maps for three reasons: a student's written value must be able to replace any node (and everything
// downstream is recomputed from it); a variant (another convention, a known mistake) is a rewiring
// of a few nodes; and a value's cone (what it was computed from, back to the values the student wrote)
// must be walkable in both directions.
import type { Dec, NumericContext } from '../numeric/context.js';
import { compile } from '../graph/evaluate.js';
import { call as callNode, mul as mulNode, symbol as symbolNode, symbolsOf, type Node as MathNode } from '../symbolic/build.js';
import { FUNCTIONS, STEP_DERIVATIVE_OF } from '../symbolic/functions.js';
import { adjointName, stepProgram, type Equation, type Role } from '../graph/program.js';
import { activationOf, localDerivative, termsByUse, VIEW_SECTIONS, viewName, type ViewKind } from './views.js';
import type { Trace } from '../graph/run.js';
import { resolve, type ValueSource } from '../graph/values.js';
import type { Spec } from '../spec/model.js';
import { quantityPath } from '../graph/answer-paths.js';
import { argsOf, callName, childrenOf, contentOf, operatorFn as callOperator, symbolName } from '../symbolic/tree.js';

export interface GNode {
  /** Unique in its graph, and the same for the same quantity across the graphs of one spec's variants. */
  key: string;
  /** 0: before training (initial params and optimizer state); 1..K: training steps; K+1: `final`, the
   *  forward pass over every row with the trained params. */
  step: number;
  /** Data row (from 0) of a per-sample quantity. */
  row: number | undefined;
  /** Quantity name as in the trace: h1, dL/dh1, loss, loss.total, dL/dw1, m[w1], w1, ... */
  name: string;
  /** 'view': a quantity a hand calculation writes that the training does not name (views.ts). */
  role: Role | 'leaf' | 'view';
  /** For a view, its kind, and for a 'via' view the use it goes through (`of` is its neuron or param). */
  view?: ViewKind;
  use?: string;
  /** For a leaf, what kind of given value it is: a value before the first step, a data column, a
   *  constant, an optimizer option, the batch size, the step number, or the zero penalty of a step of
   *  a spec without a penalty (the JSON trace shows it; an answer may claim one). */
  leaf?: 'initial' | 'data' | 'constant' | 'option' | 'n' | 't' | 'no-penalty';
  /** The neuron or param it is about (adjoints, shares, gradients, optimizer quantities, params). */
  of?: string;
  /** The optimizer's own name for it (m, v, g...). */
  local?: string;
  /** How it is computed; leaves (data, constants, options, n, t, initial values) have none. */
  formula?: MathNode;
  /** The formula's symbols, in slot order, and the node each takes its value from. */
  symbols: string[];
  inputs: number[];
  /** Computes from the input values; the names of kinked functions met at exactly 0 go to `kinks`. */
  compute?: (vals: Dec[], kinks?: string[]) => Dec;
  /** Formula, inputs and convention in one string: two nodes with the same signature compute the same
   *  function of the same quantities. */
  signature: string;
}

export interface Graph {
  spec: Spec;
  ctx: NumericContext;
  nodes: GNode[];
  index: Map<string, number>;
  /** Evaluation order (inputs before the nodes that use them). */
  order: number[];
  values: Dec[];
  /** Training steps in the graph. */
  steps: number;
  /** Whether step `steps + 1` holds the forward pass with the trained params. */
  final: boolean;
}

/** A view an answers file names: its kind, its neuron or param, for 'via' the use, and where (only
 *  the views written are added: a graph grows by what the files write, not by steps times samples). */
export interface ViewRequest {
  kind: ViewKind;
  of: string;
  use?: string;
  step: number;
  row: number;
}

export const nodeKey = (step: number, row: number | undefined, name: string) => `${step}|${row ?? ''}|${name}`;
const leafKey = (kind: string, row: number | undefined, name: string) => `${kind}|${row ?? ''}|${name}`;

const formulaTexts = new WeakMap<object, string>();
function formulaText(f: MathNode): string {
  let t = formulaTexts.get(f);
  if (t === undefined) formulaTexts.set(f, (t = f.toString()));
  return t;
}

/** Whether a formula calls a function whose value at a kink depends on the relu_at_zero convention. */
function hasKink(f: MathNode): boolean {
  let found = false;
  f.traverse((n: MathNode) => {
    if (n.type === 'FunctionNode' && FUNCTIONS[callName(n)]?.kink) found = true;
  });
  return found;
}

function signatureOf(g: Graph, n: GNode): string {
  if (!n.formula) return `leaf:${g.values[g.index.get(n.key)!]!.toString()}`;
  const convention = hasKink(n.formula) ? `relu'(0)=${g.ctx.reluAtZero.toString()}|` : '';
  return `${convention}${formulaText(n.formula)}|${n.inputs.map((i) => g.nodes[i]!.key).join(',')}`;
}

/**
 * The graph of a run: its first `steps` steps, and with `final` the forward pass over every row with
 * the params after the last of them. Values are the trace's own, so they are exactly what `run`
 * prints; only the `final` pass is evaluated here.
 */
export function graphOf(trace: Trace, steps: number, final: boolean, views: readonly ViewRequest[] = []): Graph {
  const { spec, ctx } = trace;
  const D = ctx.D;
  const g: Graph = { spec, ctx, nodes: [], index: new Map(), order: [], values: [], steps, final };
  const add = (node: Omit<GNode, 'signature'>, value: Dec | undefined): number => {
    const id = g.nodes.length;
    g.nodes.push({ ...node, signature: '' });
    g.index.set(node.key, id);
    g.order.push(id);
    g.values.push(value as Dec);
    return id;
  };
  const leaf = (kind: NonNullable<GNode['leaf']>, key: string, name: string, value: () => Dec, step = 0, row?: number): number =>
    g.index.get(key) ?? add({ key, step, row, name, role: 'leaf', leaf: kind, symbols: [], inputs: [] }, value());

  // The params and the optimizer's state before the first step; a state is about a param.
  for (const [name, v] of trace.initial) {
    const id = trace.quantities.idOf(name);
    const about = id.kind === 'state' ? { of: id.param, local: id.local } : { of: name };
    add({ key: nodeKey(0, undefined, name), step: 0, row: undefined, name, role: 'leaf', leaf: 'initial', ...about, symbols: [], inputs: [] }, v);
  }

  // The node each Ref of an equation at (step, row) reads: a leaf for a given value (made on first use,
  // with the run's own parsed value), or the node of a computed quantity.
  const { given } = trace;
  const sourceAt = (step: number, row: number | undefined, batchSize: number): ValueSource<number> => ({
    row: (name) => leaf('data', leafKey('data', row, name), name, () => given.rows[row!]!.get(name)!, 0, row),
    constant: (name) => leaf('constant', leafKey('constant', undefined, name), name, () => given.constants.get(name)!),
    option: (name) => leaf('option', leafKey('option', undefined, name), name, () => given.options.get(name)!),
    batchSize: () => leaf('n', leafKey('n', step, ''), 'n', () => new D(batchSize)),
    stepNumber: () => leaf('t', leafKey('t', step, ''), 't', () => new D(step)),
    sample: (name) => g.index.get(nodeKey(step, row, name))!,
    sampleOf: (of, name) => g.index.get(nodeKey(step, of, name))!,
    step: (name) => g.index.get(nodeKey(step, undefined, name))!,
    before: (name) => g.index.get(nodeKey(step - 1, undefined, name))!,
  });
  const equationNode = (eq: Equation, source: ValueSource<number>, step: number, row: number | undefined, value: Dec | undefined) => {
    const inputs = eq.refs.map((r) => resolve(r, source));
    const run = eq.run;
    add({
      key: nodeKey(step, row, eq.name), step, row, name: eq.name, role: eq.role,
      ...(eq.of !== undefined ? { of: eq.of } : {}), ...(eq.local !== undefined ? { local: eq.local } : {}),
      formula: eq.formula, symbols: eq.symbols, inputs,
      compute: (vals, kinks = []) => run({ vals, kinks }),
    }, value);
  };

  // The views an answers file names (views.ts), after the sample's own equations: each reads them.
  const viewsAt = new Map<string, ViewRequest[]>();
  for (const v of views) {
    const k = `${v.step}|${v.row}`;
    const list = viewsAt.get(k) ?? [];
    list.push(v);
    viewsAt.set(k, list);
  }
  const addViews = (step: number, row: number, backward: boolean) => {
    for (const v of viewsAt.get(`${step}|${row}`) ?? []) {
      if (v.kind !== 'pre' && !backward) continue;
      const target = g.index.get(nodeKey(step, row, v.kind === 'via' ? adjointName(v.of) : v.of));
      if (target === undefined) continue;
      const t = g.nodes[target]!;
      if (!t.formula) continue;
      const before = new Map(t.symbols.map((s, i) => [s, t.inputs[i]!]));
      // A delta reads the neuron's adjoint; a local derivative (and a delta) the neuron itself.
      const adjoint = v.kind === 'delta' ? g.index.get(nodeKey(step, row, adjointName(v.of))) : undefined;
      if (adjoint !== undefined) before.set(adjointName(v.of), adjoint);
      if (v.kind === 'local' || v.kind === 'delta') before.set(v.of, target);
      let formula: MathNode | undefined;
      if (v.kind === 'local') formula = localDerivative(v.of, t.formula, symbolNode);
      else if (v.kind === 'pre') formula = activationOf(t.formula)?.arg;
      else if (v.kind === 'delta') {
        const local = adjoint !== undefined ? localDerivative(v.of, t.formula, symbolNode) : undefined;
        formula = local && mulNode(symbolNode(adjointName(v.of)), local);
      } else formula = termsByUse(t.formula, (s) => useOfAdjoint(g, before.get(s)))?.get(v.use!);
      if (!formula) continue;
      const name = viewName(v.kind, v.of, v.use);
      const id = addNode(g, { key: nodeKey(step, row, name), step, row, name, role: 'view' }, formula, (s) => before.get(s)!);
      Object.assign(g.nodes[id]!, { view: v.kind, of: v.of, ...(v.use !== undefined ? { use: v.use } : {}) });
      g.order.push(id);
      const n = g.nodes[id]!;
      g.values[id] = n.compute!(n.inputs.map((i) => g.values[i]!));
    }
  };

  for (const record of trace.steps.slice(0, steps)) {
    for (const sample of record.samples) {
      const source = sourceAt(record.step, sample.row, record.rows.length);
      for (const eq of trace.sampleEquations) equationNode(eq, source, record.step, sample.row, sample.values.get(eq.name));
      if (views.length) addViews(record.step, sample.row, true);
    }
    const source = sourceAt(record.step, undefined, record.rows.length);
    for (const eq of record.equations) equationNode(eq, source, record.step, undefined, record.values.get(eq.name));
    // The JSON trace shows a penalty of 0 when the spec has none; an answer may claim one.
    if (!spec.loss.penalty) leaf('no-penalty', nodeKey(record.step, undefined, 'loss.penalty'), 'loss.penalty', () => ctx.zero, record.step);
  }

  if (final) {
    const step = steps + 1;
    const rows = spec.data.map((_, i) => i);
    const forward = trace.sampleEquations.filter((e) => e.role === 'neuron' || e.role === 'loss');
    for (const row of rows) {
      const source = sourceAt(step, row, rows.length);
      for (const eq of forward) equationNode(eq, source, step, row, undefined);
    }
    const shareParams = new Set(trace.sampleEquations.filter((e) => e.role === 'share').map((e) => e.of!));
    const losses = stepProgram(spec, trace.optimizer, rows, step, shareParams, ctx).filter((e) => e.role.startsWith('loss.'));
    const source = sourceAt(step, undefined, rows.length);
    for (const eq of losses) equationNode(eq, source, step, undefined, undefined);
    if (!spec.loss.penalty) leaf('no-penalty', nodeKey(step, undefined, 'loss.penalty'), 'loss.penalty', () => ctx.zero, step);
    for (const id of g.order) if (g.values[id] === undefined) g.values[id] = g.nodes[id]!.compute!(g.nodes[id]!.inputs.map((i) => g.values[i]!));
    if (views.length) for (const row of rows) addViews(step, row, false);
  }
  for (const n of g.nodes) n.signature = signatureOf(g, n);
  return g;
}

/** A copy that a variant may rewire without touching the original. */
export function copyGraph(g: Graph): Graph {
  return { ...g, nodes: g.nodes.map((n) => ({ ...n })), index: new Map(g.index), order: [...g.order], values: [...g.values] };
}

/** Gives node `id` a new formula; `inputOf` says which node each of its symbols reads. */
export function setFormula(g: Graph, id: number, formula: MathNode, inputOf: (symbol: string) => number): void {
  const node = g.nodes[id]!;
  const symbols = [...symbolsOf(formula)];
  const slot = new Map(symbols.map((s, i) => [s, i]));
  const run = compile(formula, (s) => slot.get(s)!, g.ctx);
  node.formula = formula;
  node.symbols = symbols;
  node.inputs = symbols.map(inputOf);
  node.compute = (vals, kinks = []) => run({ vals, kinks });
}

/** Adds a computed node (a variant's own intermediate quantity). */
export function addNode(g: Graph, node: Pick<GNode, 'key' | 'step' | 'row' | 'name' | 'role'>, formula: MathNode, inputOf: (symbol: string) => number): number {
  const id = g.nodes.length;
  g.nodes.push({ ...node, symbols: [], inputs: [], signature: '' });
  g.index.set(node.key, id);
  g.values.push(g.ctx.zero);
  setFormula(g, id, formula, inputOf);
  return id;
}

/** After rewiring: orders the nodes again and recomputes every value. Throws on a cycle (the rewiring
 *  made a quantity depend on itself) and on a value that is not a finite number. */
export function reevaluate(g: Graph): void {
  const state = new Uint8Array(g.nodes.length); // 0 new, 1 on the stack, 2 done
  const order: number[] = [];
  for (let start = 0; start < g.nodes.length; start++) {
    if (state[start]) continue;
    const stack: Array<[number, number]> = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [id, next] = top;
      const inputs = g.nodes[id]!.inputs;
      if (next < inputs.length) {
        top[1]++;
        const i = inputs[next]!;
        if (state[i] === 1) throw new CycleError(g.nodes[i]!.key);
        if (state[i] === 0) {
          state[i] = 1;
          stack.push([i, 0]);
        }
        continue;
      }
      state[id] = 2;
      order.push(id);
      stack.pop();
    }
  }
  g.order = order;
  for (const id of order) {
    const n = g.nodes[id]!;
    if (!n.compute) continue;
    const v = n.compute(n.inputs.map((i) => g.values[i]!));
    if (!v.isFinite()) throw new NotFiniteError(n.key);
    g.values[id] = v;
  }
  for (const n of g.nodes) n.signature = signatureOf(g, n);
}

export class CycleError extends Error {}
export class NotFiniteError extends Error {}

/** The path of a node in the answers' vocabulary (step1.sample2.adjoints.h1, step1.optimizer.m.w1...),
 *  or a plain description for leaves. */
export function pathOf(g: Graph, id: number): string {
  const n = g.nodes[id]!;
  switch (n.leaf) {
    case 'initial': return n.local !== undefined ? `initial.optimizer.${n.local}.${n.of}` : `initial.params.${n.name}`;
    case 'data': return `data[${n.row! + 1}].${n.name}`;
    case 'constant': return `constants.${n.name}`;
    case 'option': return `training.${n.name}`;
    case 'n': case 't': return n.name;
  }
  const step = n.step === g.steps + 1 && g.final ? 'final' : n.step === 0 ? 'initial' : `step${n.step}`;
  if (n.role === 'leaf') return `${step}.${n.name}`; // the zero penalty of a step without one
  if (n.role === 'view') return `${step}.sample${n.row! + 1}.${VIEW_SECTIONS[n.view!]}.${n.of}${n.use !== undefined ? `.${n.use}` : ''}`;
  // An equation's node: the worked solution names its calculation by the same path.
  return quantityPath(g.spec, step, n.row, { role: n.role, name: n.name, ...(n.of !== undefined ? { of: n.of } : {}), ...(n.local !== undefined ? { local: n.local } : {}) });
}

/** A derivative branch a hand calculation decides from its own forward pass: relu'(z) (heaviside(z)),
 *  or leaky_relu'(z), in a backward node, where z is the pre-activation of a neuron `relu(z)` of the
 *  same sample. A written activation tells the branch the student took: 0.198 means z > 0. */
export interface Switch {
  /** The neuron node whose value decides the branch. */
  neuron: number;
  name: string;
  /** The call's first argument, as text. */
  arg: string;
}

/** Kinked activation -> the step function of its derivative, from the function table (relu -> heaviside). */
const DERIVATIVE_OF = STEP_DERIVATIVE_OF;
/** The step functions a switch can decide: those derivatives. */
const SWITCHED = new Set(Object.values(DERIVATIVE_OF));
const switchCache = new WeakMap<Graph, { neurons: Map<string, number>; byNode: Map<number, Switch[]> }>();
const NO_SWITCHES: Switch[] = [];
const switchLists = new WeakMap<Graph, Switch[][]>();

/** The switches of every node of a graph, by node (the same array, empty, for the many without). */
export function allSwitches(g: Graph): Switch[][] {
  let lists = switchLists.get(g);
  if (!lists) {
    lists = g.nodes.map((n, id) => (decidesBranches(n) ? switchesOf(g, id) : NO_SWITCHES));
    switchLists.set(g, lists);
  }
  return lists;
}

/** The nodes whose derivative branches a hand calculation decides from its own activations: the backward
 *  pass, and the views of it a sheet writes (a local derivative relu'(z), a delta, one use's share). */
const decidesBranches = (n: GNode) => n.role === 'adjoint' || n.role === 'share' || (n.role === 'view' && n.view !== 'pre');

export function switchesOf(g: Graph, id: number): Switch[] {
  let cache = switchCache.get(g);
  if (!cache) {
    // Pre-activations of relu-like neurons, by step, row, derivative function and argument text.
    const neurons = new Map<string, number>();
    g.nodes.forEach((n, nid) => {
      if (n.role !== 'neuron' || n.row === undefined || !n.formula) return;
      let f = n.formula;
      while (f.type === 'ParenthesisNode') f = contentOf(f);
      if (f.type !== 'FunctionNode') return;
      const derivative = DERIVATIVE_OF[callName(f)];
      if (derivative) neurons.set(`${n.step}|${n.row}|${derivative}|${formulaText(argsOf(f)[0]!)}`, nid);
    });
    switchCache.set(g, (cache = { neurons, byNode: new Map() }));
  }
  let found = cache.byNode.get(id);
  if (!found) {
    found = [];
    const n = g.nodes[id]!;
    if (decidesBranches(n) && n.row !== undefined && n.formula && cache.neurons.size) {
      const seen = new Set<number>();
      n.formula.traverse((node: MathNode) => {
        if (node.type !== 'FunctionNode') return;
        const fn = callName(node);
        if (!SWITCHED.has(fn)) return;
        const arg = formulaText(argsOf(node)[0]!);
        const neuron = cache!.neurons.get(`${n.step}|${n.row}|${fn}|${arg}`);
        if (neuron !== undefined && !seen.has(neuron)) {
          seen.add(neuron);
          found!.push({ neuron, name: g.nodes[neuron]!.name, arg });
        }
      });
    }
    cache.byNode.set(id, found);
  }
  return found;
}

/** How a node computes, possibly with some derivative branches read from neurons (see Switch). */
export interface Computation {
  formula?: MathNode;
  symbols: string[];
  inputs: number[];
  compute?: (vals: Dec[], kinks?: string[]) => Dec;
}

const switchedCache = new WeakMap<Graph, Map<string, Computation>>();

/** Node `id` with the derivative branches of `active` switches decided by the neurons' values:
 *  heaviside(z) becomes heaviside(h2), which is the same for z > 0 and for z < 0 whenever h2 = relu(z)
 *  is what the student wrote (and leaky_relu'(z) keeps the sign of leaky_relu(z) likewise). */
export function switched(g: Graph, id: number, active: Switch[]): Computation {
  const node = g.nodes[id]!;
  if (!active.length) return node;
  let cache = switchedCache.get(g);
  if (!cache) switchedCache.set(g, (cache = new Map()));
  const key = `${id}|${active.map((s) => s.neuron).join(',')}`;
  let c = cache.get(key);
  if (!c) {
    const byArg = new Map(active.map((s) => [s.arg, s]));
    const formula = node.formula!.transform((n: MathNode) => {
      if (n.type !== 'FunctionNode') return n;
      const fn = callName(n);
      if (!SWITCHED.has(fn)) return n;
      const args = argsOf(n);
      const s = byArg.get(formulaText(args[0]!));
      return s ? callNode(fn, [symbolNode(s.name), ...args.slice(1)]) : n;
    });
    const symbols = [...symbolsOf(formula)];
    const before = new Map(node.symbols.map((s, i) => [s, node.inputs[i]!]));
    const extra = new Map(active.map((s) => [s.name, s.neuron]));
    const slot = new Map(symbols.map((s, i) => [s, i]));
    const run = compile(formula, (s) => slot.get(s)!, g.ctx);
    c = { formula, symbols, inputs: symbols.map((s) => extra.get(s) ?? before.get(s)!), compute: (vals, kinks = []) => run({ vals, kinks }) };
    cache.set(key, c);
  }
  return c;
}

/** The nodes whose evaluation in the graph's own values meets a kink at exactly 0 (a ReLU's argument
 *  cancelling to 0): the only places where the relu'(0) convention matters. */
export function kinksOf(g: Graph): Uint8Array {
  const hit = new Uint8Array(g.nodes.length);
  for (const id of g.order) {
    const n = g.nodes[id]!;
    if (!n.compute || !n.formula) continue;
    const kinks: string[] = [];
    n.compute(n.inputs.map((i) => g.values[i]!), kinks);
    if (kinks.length) hit[id] = 1;
  }
  return hit;
}

/**
 * The forms in which a backward formula reads the neurons it reads: for each symbol of `formula` that
 * names a neuron read for a local derivative, the factors of a product free of adjoints that read it,
 * when that is more than the symbol itself (`1 - h2 ^ 2` in dL/dh2 * (1 - h2 ^ 2), `o_1 * (1 - o_1)` for
 * a sigmoid, `p_1 - y1` for softmax with cross-entropy, `heaviside(yhat)` for a ReLU decided by its
 * written value; h1 in dL/dyhat * heaviside(yhat) * h1 is read as it is). A report says in which form a
 * written value went in: as hand calculations write it, from the neuron's own value (the function
 * table's fromOutput), never from the pre-activation.
 */
export function handFormsOf(formula: MathNode, isNeuron: (symbol: string) => boolean, isAdjoint: (symbol: string) => boolean): Map<string, MathNode> {
  const forms = new Map<string, MathNode>();
  const unwrap = (n: MathNode): MathNode => (n.type === 'ParenthesisNode' ? unwrap(contentOf(n)) : n);
  const symbols = (n: MathNode): Set<string> => {
    const out = new Set<string>();
    n.traverse((m: MathNode) => {
      if (m.type === 'SymbolNode') out.add(symbolName(m));
    });
    return out;
  };
  const hasAdjoint = (n: MathNode) => [...symbols(n)].some(isAdjoint);
  const factorsOf = (n: MathNode): MathNode[] => {
    const u = unwrap(n);
    return u.type === 'OperatorNode' && callOperator(u) === 'multiply' ? argsOf(u).flatMap(factorsOf) : [n];
  };
  /** Adjoint-free parts side by side (a product's factors): each neuron's form is the product of those
   *  that read it, unless that is the bare symbol. */
  const attribute = (parts: MathNode[]) => {
    const readers = new Map<string, MathNode[]>();
    for (const p of parts) for (const s of symbols(p)) if (isNeuron(s)) readers.set(s, [...(readers.get(s) ?? []), p]);
    for (const [s, ps] of readers) {
      if (forms.has(s) || (ps.length === 1 && unwrap(ps[0]!).type === 'SymbolNode')) continue;
      forms.set(s, ps.length === 1 ? ps[0]! : ps.slice(1).reduce((a, b) => mulNode(a, b), ps[0]!));
    }
  };
  const walk = (n: MathNode): void => {
    if (!hasAdjoint(n)) return;
    const factors = factorsOf(n);
    if (factors.length > 1) {
      factors.filter(hasAdjoint).forEach(walk);
      attribute(factors.filter((f) => !hasAdjoint(f)));
      return;
    }
    const u = unwrap(n);
    for (const child of childrenOf(u)) {
      if (hasAdjoint(child)) walk(child);
      else attribute([child]);
    }
  };
  walk(formula);
  return forms;
}

/** A written local derivative (a view, views.ts) that a backward formula reads in place of its own form
 *  of it: the sheet's tanh'(a2) = 0.3931 goes into dL/da2 = dL/dh2 * tanh'(a2) as written. */
export interface Factor {
  /** The view node of the local derivative. */
  node: number;
  /** Its formula as text (`1 - h2 ^ 2`), which the backward formula holds as a part. */
  text: string;
}

const factoredCache = new WeakMap<Graph, Map<string, Computation>>();

/** Computation `how` of node `id` with every part that is one of `factors`' formulas read from the
 *  factor's node instead; `how` itself when none is a part of it. */
export function factored(g: Graph, id: number, how: Computation, factors: Factor[]): Computation {
  if (!how.formula || !factors.length) return how;
  let cache = factoredCache.get(g);
  if (!cache) factoredCache.set(g, (cache = new Map()));
  const key = `${id}|${how.inputs.join(',')}|${factors.map((f) => f.node).join(',')}`;
  let c = cache.get(key);
  if (c === undefined) {
    const byText = new Map(factors.map((f) => [f.text, f]));
    const used = new Map<string, number>();
    const formula = how.formula.transform((n: MathNode) => {
      let inner = n;
      while (inner.type === 'ParenthesisNode') inner = contentOf(inner);
      const f = byText.get(formulaText(inner));
      if (!f) return n;
      const name = g.nodes[f.node]!.name;
      used.set(name, f.node);
      return symbolNode(name);
    });
    if (!used.size) c = how;
    else {
      const symbols = [...symbolsOf(formula)];
      const before = new Map(how.symbols.map((s, i) => [s, how.inputs[i]!]));
      const slot = new Map(symbols.map((s, i) => [s, i]));
      const run = compile(formula, (s) => slot.get(s)!, g.ctx);
      c = { formula, symbols, inputs: symbols.map((s) => used.get(s) ?? before.get(s)!), compute: (vals, kinks = []) => run({ vals, kinks }) };
    }
    cache.set(key, c);
  }
  return c;
}

const localCache = new WeakMap<Graph, Map<number, Factor>>();

/** The local-derivative views of a graph, by the neuron node they are of. */
export function localViews(g: Graph): Map<number, Factor> {
  let m = localCache.get(g);
  if (!m) {
    m = new Map();
    g.nodes.forEach((n, id) => {
      if (n.view !== 'local' || !n.formula) return;
      const neuron = g.index.get(nodeKey(n.step, n.row, n.of!));
      if (neuron !== undefined) m!.set(neuron, { node: id, text: formulaText(n.formula) });
    });
    localCache.set(g, m);
  }
  return m;
}

/** The quantity whose adjoint node `id` is (`loss` for the loss's own, the seed), or undefined for a
 *  node that is no adjoint: what a backward formula's term goes through. */
export function useOfAdjoint(g: Graph, id: number | undefined): string | undefined {
  if (id === undefined) return undefined;
  const n = g.nodes[id]!;
  return n.role === 'adjoint' ? n.of : n.role === 'seed' ? 'loss' : undefined;
}
