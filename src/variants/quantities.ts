// Every quantity of a variant's training by its answers-file path (step1.sample1.h1, epoch1.params.w1,
// final.loss.total), in the order of the calculation, with its value: the vocabulary of the answer key,
// the worksheet, the `ask` and `of` patterns and the conditions. Read off check's graph of the training
// (check/graph.ts, read-only), whose values are the run's own, so a key holds exactly what `run` prints.
import type { Dec } from '../numeric/context.js';
import { graphOf, pathOf, type Graph } from '../check/graph.js';
import { compile } from '../graph/evaluate.js';
import { run as runSpec, type Trace } from '../graph/run.js';
import { oneStepPerEpoch } from '../graph/answer-paths.js';
import type { Spec } from '../spec/model.js';
import type { BudgetOptions } from '../graph/budget.js';
import { FUNCTIONS } from '../symbolic/functions.js';
import type { Node as MathNode } from '../symbolic/build.js';
import { argsOf, callName } from '../symbolic/tree.js';

export interface Quantity {
  /** Its path as an answers file writes it: epochN for a full batch (one step per epoch), else stepN. */
  path: string;
  value: Dec;
  /** Its node in the graph. */
  node: number;
}

export interface Quantities {
  trace: Trace;
  graph: Graph;
  /** One step per epoch: epochN names step N (answers files write it so). */
  full: boolean;
  list: Quantity[];
  byPath: Map<string, Quantity>;
}

/** The whole training of a spec, with the forward pass after the last step (`final`). */
export function quantitiesOf(spec: Spec, budget: BudgetOptions = {}): Quantities {
  const trace = runSpec(spec, budget);
  const graph = graphOf(trace, trace.steps.length, true);
  const full = oneStepPerEpoch(spec);
  const list: Quantity[] = [];
  graph.nodes.forEach((n, id) => {
    if (!n.compute && n.leaf !== 'no-penalty') return;
    list.push({ path: displayPath(pathOf(graph, id), full), value: graph.values[id]!, node: id });
  });
  return { trace, graph, full, list, byPath: new Map(list.map((q) => [q.path, q])) };
}

/** Whether each epoch is one step (a full batch), so that answers files may write epochN: the graph's
 *  own test, which the worked solution's paths use too. */
export { oneStepPerEpoch };

/** The path an answers file would use: a full batch's steps are its epochs. */
function displayPath(path: string, full: boolean): string {
  return full ? path.replace(/^step(\d+)\./, 'epoch$1.') : path;
}

/** A path as the quantities name it, from how a user may write it: stepN and epochN alike for a full
 *  batch, and `X.loss` for the total loss `X.loss.total`, as answers files allow. */
export function normalPath(path: string, full: boolean): string {
  let p = full ? path.replace(/^step(\d+)\./, 'epoch$1.') : path;
  if (/^(?:epoch|step)\d+\.loss$|^final\.loss$/.test(p)) p += '.total';
  return p;
}

/** A pattern over paths: `*` stands for any part of one segment (`epoch1.*.h*`). Matched segment by
 *  segment with a table rather than a regular expression, so that no pattern (a*a*a*...b, from a
 *  spec anyone may write) makes the match take exponential time. */
export function patternMatcher(pattern: string, full: boolean): (path: string) => boolean {
  const segments = normalPath(pattern.trim(), full).split('.');
  return (path) => {
    const parts = path.split('.');
    return parts.length === segments.length && segments.every((s, i) => segmentMatches(s, parts[i]!));
  };
}

/** Whether `text` matches `glob` (`*` any run of characters): the usual table over both lengths. */
function segmentMatches(glob: string, text: string): boolean {
  if (!glob.includes('*')) return glob === text;
  // row[j]: glob's first i characters match text's first j.
  let row = new Uint8Array(text.length + 1);
  row[0] = 1;
  for (const g of glob) {
    const next = new Uint8Array(text.length + 1);
    if (g === '*') {
      next[0] = row[0]!;
      for (let j = 1; j <= text.length; j++) next[j] = row[j] || next[j - 1] ? 1 : 0;
    } else {
      for (let j = 1; j <= text.length; j++) next[j] = row[j - 1] && text[j - 1] === g ? 1 : 0;
    }
    row = next;
  }
  return row[text.length] === 1;
}

/** The quantities some pattern matches, in the order of the calculation. */
export function matching(q: Quantities, patterns: string[], full: boolean): Quantity[] {
  const tests = patterns.map((p) => patternMatcher(p, full));
  return q.list.filter((x) => tests.some((t) => t(x.path)));
}

/** A kink met in the forward pass: how far the deciding value is from the corner. */
export interface KinkDistance {
  path: string;
  /** The call, as text (relu(i1 * w1 + i2 * w2 + b1)). */
  call: string;
  /** |argument| (relu, abs, leaky_relu), or the gap between the two values max/min compare. */
  distance: Dec;
}

/** The distance from its corner of every kinked call in the neurons and sample losses of every step
 *  and of the final pass, evaluated from the graph's own values. */
export function kinkDistances(q: Quantities): KinkDistance[] {
  const g = q.graph;
  const out: KinkDistance[] = [];
  const byNode = new Map(q.list.map((x) => [x.node, x.path]));
  g.nodes.forEach((n, id) => {
    if ((n.role !== 'neuron' && n.role !== 'loss') || n.row === undefined || !n.formula) return;
    const vals = n.inputs.map((i) => g.values[i]!);
    const slot = new Map(n.symbols.map((s, i) => [s, i]));
    const valueOf = (tree: MathNode) => compile(tree, (s) => slot.get(s)!, g.ctx)({ vals, kinks: [] });
    n.formula.traverse((node: MathNode) => {
      if (node.type !== 'FunctionNode') return;
      const entry = FUNCTIONS[callName(node)];
      if (!entry || entry.kind !== 'kink') return;
      const args = argsOf(node);
      let distance: Dec;
      if (entry.comparesAll || callName(node) === 'max' || callName(node) === 'min') {
        // The corner is a tie between the two values the call chooses from.
        const values = args.map(valueOf).sort((a, b) => a.cmp(b));
        const [lo, hi] = callName(node) === 'min' ? [values[0]!, values[1]!] : [values[values.length - 2]!, values[values.length - 1]!];
        distance = hi.minus(lo).abs();
      } else {
        distance = valueOf(args[0]!).abs();
      }
      out.push({ path: byNode.get(id) ?? String(id), call: node.toString(), distance });
    });
  });
  return out;
}
