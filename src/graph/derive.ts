// The derivative of the loss with respect to each trained param, in the two forms a course teaches:
// - the chain rule: for every path from the loss down to the param through the neurons, the product of
//   the local partial derivatives along it (dL/dw1 = sum over samples of dL/dloss * dloss/dyhat *
//   dyhat/dh1 * dh1/dw1), each local factor differentiated symbolically from its own equation;
// - the expanded form: one sample's loss with every neuron substituted in, so that it is a function of
//   the params, inputs, targets and constants alone, differentiated as a whole.
// Both are built with the local, exact differentiation of symbolic/ (never mathjs simplify), so
// constants stay exact. Evaluated at one step and sample of a trace, the two must agree to the working
// precision, and with the engine's own backward pass: a disagreement is a bug.
import type { Spec } from '../spec/model.js';
import type { Dec, NumericContext } from '../numeric/context.js';
import { compile } from '../numeric/evaluate.js';
import { constant, div, symbol, symbolsOf, type Node } from '../symbolic/build.js';
import { differentiate } from '../symbolic/differentiate.js';
import { adjointName } from './program.js';
import type { Trace } from './run.js';

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

/** The derivatives of the loss with respect to every trained param (or only `only`). */
export function derivatives(spec: Spec, only?: string): ParamDerivative[] {
  const equations = new Map<string, Node>(spec.neurons.map((n) => [n.name, n.expr]));
  equations.set('loss', spec.loss.sample.expr);
  const expandedLoss = expand(spec);
  const seed = spec.loss.reduce === 'mean' ? div(constant(1), symbol('n')) : constant(1);
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
    const walk = (at: string, nodes: string[]): void => {
      for (const s of symbolsOf(equations.get(at)!)) {
        if (s === param) {
          if (paths.length >= MAX_PATHS) throw new TooManyPathsError(`more than ${MAX_PATHS} chain-rule paths lead to ${param}`);
          const all = [...nodes, s];
          paths.push({ nodes: all, factors: all.slice(1).map((wrt, i) => factorOf(all[i]!, wrt)) });
        } else if (equations.has(s) && s !== 'loss') {
          walk(s, [...nodes, s]);
        }
      }
    };
    walk('loss', ['loss']);
    const penaltyExpr = spec.loss.penalty?.expr;
    const penalty = penaltyExpr && symbolsOf(penaltyExpr).has(param) ? differentiate(penaltyExpr, param) : undefined;
    return { param, seed, factors, paths, ...(penalty ? { penalty } : {}), expandedLoss, expanded: differentiate(expandedLoss, param) };
  });
}

/** One sample's loss with every neuron replaced by its formula (itself expanded), in evaluation order. */
export function expand(spec: Spec): Node {
  const expanded = new Map<string, Node>();
  const substitute = (tree: Node): Node =>
    tree.transform((node: Node, path: string) => {
      if (node.type !== 'SymbolNode' || path === 'fn') return node;
      const inner = expanded.get((node as unknown as { name: string }).name);
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
  const values = new Map<string, Dec>();
  for (const [k, v] of Object.entries(spec.data[row]!)) values.set(k, new ctx.D(v));
  for (const [k, v] of Object.entries(spec.constants)) values.set(k, new ctx.D(v));
  for (const p of spec.params) values.set(p.name, before.get(p.name)!);
  values.set('n', new ctx.D(record.rows.length));
  for (const n of spec.neurons) values.set(n.name, sample.values.get(n.name)!);
  values.set('loss', sample.values.get('loss')!);
  return values;
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
