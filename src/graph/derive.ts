// The derivative of the loss with respect to each trained param, in the two forms a course teaches:
// - the chain rule: for every path from the loss down to the param through the neurons, the product of
//   the local partial derivatives along it (dL/dw1 = sum over samples of dL/dloss * dloss/dyhat *
//   dyhat/dh1 * dh1/dw1), each local factor differentiated symbolically from its own equation;
// - the expanded form: one sample's loss with every neuron substituted in, so that it is a function of
//   the params, inputs, targets and constants alone, differentiated as a whole.
// Both are built with the local, exact differentiation of symbolic/ (never mathjs simplify), so
// constants stay exact. Evaluated at one step and sample of a trace, the two must agree to the working
// precision, and with the engine's own backward pass: a disagreement is a bug.
//
// The expanded form is bounded (limits.deriveNodes): substituting a neuron copies its whole formula at
// every use, so a chain of neurons that each use the one before twice doubles the tree per neuron (25
// of them make 2^25 nodes). Its size and depth are counted before anything is built, and the
// derivative's size before it is returned: a spec over the limit is refused with the limit's name.
import { BATCH_SIZE } from './names.js';
import { DEFAULT_LIMITS, LimitError } from '../spec/limits.js';
import { InputError } from '../spec/errors.js';
import type { Spec } from '../spec/model.js';
import type { Dec, NumericContext } from '../numeric/context.js';
import { compile } from './evaluate.js';
import { constant, div, symbol, symbolsOf, type Node } from '../symbolic/build.js';
import { differentiate } from '../symbolic/differentiate.js';
import { adjointName, sampleRefOf } from './program.js';
import { resolve, valuesAt } from './values.js';
import { batches, type Trace } from './run.js';
import { symbolName } from '../symbolic/tree.js';

/** The local partial derivative d(of)/d(wrt) of one equation with respect to one of its symbols. */
export interface Factor {
  of: string;
  wrt: string;
  formula: Node;
}

/** A path from the sample's loss down to the param, through neurons: ['loss', 'yhat', 'h1', 'w1']. */
export interface Path {
  nodes: string[];
  /** Indices into `factors`, from the loss down: d(nodes[0])/d(nodes[1]), ... */
  factors: number[];
}

export interface ParamDerivative {
  param: string;
  /** dL/dloss: the weight of one sample's loss in the reduced loss, 1/n for mean, 1 for sum. */
  seed: Node;
  /** Every distinct local factor on some path, in order of first appearance from the loss down. */
  factors: Factor[];
  paths: Path[];
  /** d(penalty)/d(param), when the penalty depends on the param. */
  penalty?: Node;
  /** One sample's loss with the neurons substituted in. */
  expandedLoss: Node;
  /** d(expandedLoss)/d(param): one sample's loss differentiated as a whole. */
  expanded: Node;
}

/** Paths multiply: a deep, wide network has too many to print one by one. */
export const MAX_PATHS = 512;

export class TooManyPathsError extends Error {}

/**
 * How deep the expanded form may nest. Its trees are built, differentiated, evaluated and printed by
 * recursive functions (mathjs's and ours), whose depth is the tree's: about 1,400 levels exhaust
 * Node's default stack, so this keeps a wide margin, and is far above any network written out by hand.
 */
export const MAX_EXPANDED_DEPTH = 500;

export interface DeriveOptions {
  /** Nodes the expanded loss and each expanded derivative may have (default: the spec's limits). */
  maxNodes?: number;
}

/** The derivatives of the loss with respect to every trained param (or only `only`). */
export function derivatives(spec: Spec, only?: string, options: DeriveOptions = {}): ParamDerivative[] {
  const maxNodes = options.maxNodes ?? spec.limits?.deriveNodes ?? DEFAULT_LIMITS.deriveNodes;
  const equations = new Map<string, Node>(spec.neurons.map((n) => [n.name, n.expr]));
  equations.set('loss', spec.loss.sample.expr);
  const tooLarge = (found: string) => new LimitError('deriveNodes', spec.file, '', found, maxNodes);
  const planned = expandedSize(spec);
  if (planned.nodes > maxNodes) {
    throw tooLarge(`the expanded form of the loss (every neuron substituted into it) would have ${countText(planned.nodes)} nodes`);
  }
  if (planned.depth > MAX_EXPANDED_DEPTH) {
    throw new InputError(spec.file, '', `the expanded form of the loss (every neuron substituted into it) would nest ${countText(planned.depth)} levels deep, more than the ${MAX_EXPANDED_DEPTH.toLocaleString('en-US')} levels it can be written with; the chain-rule form is not expanded, and 'exactprop run' shows it evaluated (the backward pass)`);
  }
  const expandedLoss = expand(spec);
  const seed = spec.loss.reduce === 'mean' ? div(constant(1), symbol(BATCH_SIZE)) : constant(1);
  const params = spec.params.map((p) => p.name).filter((p) => only === undefined || p === only);

  return params.map((param): ParamDerivative => {
    const factors: Factor[] = [];
    const factorIndex = new Map<string, number>();
    const paths: Path[] = [];
    const factorOf = (of: string, wrt: string): number => {
      const key = `${of}\u0000${wrt}`;
      let i = factorIndex.get(key);
      if (i === undefined) {
        i = factors.length;
        factors.push({ of, wrt, formula: differentiate(equations.get(of)!, wrt) });
        factorIndex.set(key, i);
      }
      return i;
    };
    // Depth-first from the loss, in the order symbols appear in each equation, so paths read in the
    // order a hand calculation takes them. Factors are recorded only for paths that reach the param.
    // Only into neurons from which the param can be reached: every branch taken then ends in a path,
    // so MAX_PATHS bounds the walk (without this, a wide network whose param sits in one place would
    // be walked through every one of its exponentially many paths). A stack, not recursion: a chain
    // of thousands of neurons is as deep as it is long.
    const reaches = reachingNeurons(equations, param);
    const stack: Array<{ at: string; nodes: string[]; next: string[] }> = [{ at: 'loss', nodes: ['loss'], next: [...symbolsOf(equations.get('loss')!)] }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const s = top.next.shift();
      if (s === undefined) {
        stack.pop();
        continue;
      }
      if (s === param) {
        if (paths.length >= MAX_PATHS) throw new TooManyPathsError(`more than ${MAX_PATHS} chain-rule paths lead to ${param}`);
        const all = [...top.nodes, s];
        paths.push({ nodes: all, factors: all.slice(1).map((wrt, i) => factorOf(all[i]!, wrt)) });
      } else if (s !== 'loss' && reaches.has(s)) {
        stack.push({ at: s, nodes: [...top.nodes, s], next: [...symbolsOf(equations.get(s)!)] });
      }
    }
    const penaltyExpr = spec.loss.penalty?.expr;
    const penalty = penaltyExpr && symbolsOf(penaltyExpr).has(param) ? differentiate(penaltyExpr, param) : undefined;
    const expanded = differentiate(expandedLoss, param);
    // A derivative can be larger than what it differentiates (the product rule writes each factor
    // twice, the chain rule the inner function again): counted as printed, shared subtrees and all.
    const printed = printedSize(expanded);
    if (printed > maxNodes) throw tooLarge(`the expanded derivative dloss/d${param} would have ${countText(printed)} nodes`);
    return { param, seed, factors, paths, ...(penalty ? { penalty } : {}), expandedLoss, expanded };
  });
}

/** The neurons (and 'loss') from whose equation `param` can be reached through neurons. */
function reachingNeurons(equations: ReadonlyMap<string, Node>, param: string): Set<string> {
  // Neurons come in evaluation order, each using only earlier ones: one pass from the first decides.
  const reaches = new Set<string>();
  for (const [name, expr] of equations) {
    for (const s of symbolsOf(expr)) {
      if (s === param || (s !== name && reaches.has(s))) {
        reaches.add(name);
        break;
      }
    }
  }
  return reaches;
}

const countText = (n: number) => (Number.isFinite(n) && n < 1e15 ? n.toLocaleString('en-US') : `more than ${(1e15).toLocaleString('en-US')}`);

/** The children of a node, with the name each has in its parent ('fn' for a function's name). */
function children(node: Node): Array<[Node, string]> {
  const out: Array<[Node, string]> = [];
  node.forEach((child: Node, path: string) => out.push([child, path]));
  return out;
}

/**
 * The size (nodes) and depth of the expanded loss, counted without building it: a neuron's symbol in a
 * formula stands for the whole expanded formula of that neuron. Iterative: a formula may be deep.
 */
export function expandedSize(spec: Spec): { nodes: number; depth: number } {
  const sizes = new Map<string, { nodes: number; depth: number }>();
  const measure = (tree: Node): { nodes: number; depth: number } => {
    let nodes = 0;
    let depth = 0;
    const stack: Array<[Node, number]> = [[tree, 1]];
    while (stack.length) {
      const [node, level] = stack.pop()!;
      const inner = node.type === 'SymbolNode' ? sizes.get(symbolName(node)) : undefined;
      // A doubling chain of a thousand neurons overflows a double to Infinity, which still compares right.
      nodes += inner ? inner.nodes : 1;
      depth = Math.max(depth, level - 1 + (inner ? inner.depth : 1));
      for (const [child, path] of children(node)) if (path !== 'fn') stack.push([child, level + 1]);
    }
    return { nodes, depth };
  };
  for (const n of spec.neurons) sizes.set(n.name, measure(n.expr));
  return measure(spec.loss.sample.expr);
}

/** Nodes of a tree as printed: a subtree shared by reference counts at every place it appears. */
export function printedSize(tree: Node): number {
  const known = new Map<Node, number>();
  // Post-order with an explicit stack: a node's size once its children's are known.
  const stack: Array<[Node, boolean]> = [[tree, false]];
  while (stack.length) {
    const [node, done] = stack.pop()!;
    if (known.has(node)) continue;
    const kids = children(node).filter(([, path]) => path !== 'fn').map(([child]) => child);
    if (done) {
      known.set(node, kids.reduce((sum, k) => sum + known.get(k)!, 1));
      continue;
    }
    stack.push([node, true]);
    for (const k of kids) if (!known.has(k)) stack.push([k, false]);
  }
  return known.get(tree)!;
}

/** One sample's loss with every neuron replaced by its formula (itself expanded), in evaluation order. */
export function expand(spec: Spec): Node {
  const expanded = new Map<string, Node>();
  const substitute = (tree: Node): Node =>
    tree.transform((node: Node, path: string) => {
      if (node.type !== 'SymbolNode' || path === 'fn') return node;
      const inner = expanded.get(symbolName(node));
      return inner ? inner.cloneDeep() : node;
    });
  for (const n of spec.neurons) expanded.set(n.name, substitute(n.expr));
  return substitute(spec.loss.sample.expr);
}

/** A value, and whether a kinked function met an exact zero (so a convention decided it). */
export interface PointValue {
  value: Dec;
  atKink: boolean;
}

/** Evaluates a tree with the values of its symbols, applying the cancellation rule at kinks. */
export function evaluateTree(tree: Node, values: ReadonlyMap<string, Dec>, ctx: NumericContext): PointValue {
  const names = [...symbolsOf(tree)];
  const missing = names.find((n) => !values.has(n));
  if (missing) throw new Error(`no value for ${missing}`);
  const slot = new Map(names.map((n, i) => [n, i]));
  const env = { vals: names.map((n) => values.get(n)!), kinks: [] as string[] };
  const value = compile(tree, (s) => slot.get(s)!, ctx)(env);
  return { value, atKink: env.kinks.length > 0 };
}

/**
 * The values one sample sees at one step: its data row, the constants, the params as they were before
 * the step, the batch size n, and the sample's neurons and loss as the trace computed them.
 */
export function pointValues(trace: Trace, step: number, row: number): Map<string, Dec> {
  const { spec, ctx } = trace;
  const record = trace.steps[step - 1];
  if (!record) throw new RangeError(`no step ${step}`);
  const sample = record.samples.find((s) => s.row === row);
  if (!sample) throw new RangeError(`data row ${row + 1} is not in step ${step}`);
  const before = step > 1 ? trace.steps[step - 2]!.values : trace.initial;
  const source = valuesAt(ctx.D, trace.given, record, before, sample);
  const refOf = sampleRefOf(spec);
  const names = [...spec.inputs, ...spec.targets, ...Object.keys(spec.constants), ...spec.params.map((p) => p.name), BATCH_SIZE, ...spec.neurons.map((n) => n.name), 'loss'];
  return new Map(names.map((name) => [name, resolve(refOf(name), source)]));
}

export interface DerivativeAt {
  step: number;
  /** Data row, from 1. */
  sample: number;
  seed: Dec;
  factors: PointValue[];
  /** The product of the factors along each path (the seed left out). */
  paths: Dec[];
  /** This sample's share of dL/dparam by the chain rule: seed times the sum over paths. */
  share: Dec;
  /** The expanded derivative d(loss)/d(param) of this sample. */
  expanded: PointValue;
  /** seed times the expanded derivative: this sample's share by the expanded form. */
  expandedShare: Dec;
  /** The engine's own share (its backward pass), 0 when no equation uses the param. */
  engineShare: Dec;
  /** d(penalty)/d(param) at the step's params. */
  penalty?: Dec;
  /** The engine's gradient of the total loss at this step: the shares of every sample of the batch plus the penalty's. */
  gradient: Dec;
}

/** Both forms evaluated at one step and one sample (data row from 1) of a trace. */
export function derivativeAt(d: ParamDerivative, trace: Trace, step: number, sample: number): DerivativeAt {
  const { ctx } = trace;
  const values = pointValues(trace, step, sample - 1);
  const seed = evaluateTree(d.seed, values, ctx).value;
  const factors = d.factors.map((f) => evaluateTree(f.formula, values, ctx));
  const paths = d.paths.map((p) => p.factors.reduce((acc, i) => acc.times(factors[i]!.value), ctx.one));
  const share = seed.times(paths.reduce((acc, v) => acc.plus(v), ctx.zero));
  const expanded = evaluateTree(d.expanded, values, ctx);
  const record = trace.steps[step - 1]!;
  const engine = record.samples.find((s) => s.row === sample - 1)!.values.get(adjointName(d.param));
  return {
    step,
    sample,
    seed,
    factors,
    paths,
    share,
    expanded,
    expandedShare: seed.times(expanded.value),
    engineShare: engine ?? ctx.zero,
    ...(d.penalty ? { penalty: evaluateTree(d.penalty, values, ctx).value } : {}),
    gradient: record.values.get(adjointName(d.param))!,
  };
}

/** Why (step, sample) is not a point of the run (a step outside it, or a data row, from 1, not in that
 *  step's batch), or undefined when it is. */
export function atProblem(spec: Spec, step: number, sample: number): string | undefined {
  const schedule = batches(spec);
  const total = schedule.length * spec.training.epochs;
  if (!Number.isInteger(step) || step < 1 || step > total) return `step ${step} is outside the run (steps 1 to ${total})`;
  const rows = schedule[(step - 1) % schedule.length]!.map((r) => r + 1);
  if (!rows.includes(sample)) return `sample ${sample} is not in step ${step}, whose batch has samples ${rows.join(', ')}`;
  return undefined;
}

/** Each derivative's values at one step, for every sample of its batch, from a run of the epochs up to
 *  that step only (`train` runs a spec: the command line's shows progress). */
export function derivativesAt(spec: Spec, derivs: ParamDerivative[], at: { step: number; sample: number }, train: (spec: Spec) => Trace):
  { step: number; sample: number; ctx: NumericContext; byParam: Map<string, DerivativeAt[]> } {
  const perEpoch = batches(spec).length;
  const trace = train({ ...spec, training: { ...spec.training, epochs: Math.ceil(at.step / perEpoch) } });
  const rows = trace.steps[at.step - 1]!.rows.map((r) => r + 1);
  return { step: at.step, sample: at.sample, ctx: trace.ctx, byParam: new Map(derivs.map((d) => [d.param, rows.map((s) => derivativeAt(d, trace, at.step, s))])) };
}
