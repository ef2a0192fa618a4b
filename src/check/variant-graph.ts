// The graph of the exact training and the graph of each variant (a convention or a known mistake),
// each related node by node to the exact one, so that grading can tell where a variant computes
// differently and so where it could explain a written value.
import { run } from '../graph/run.js';
import type { Spec } from '../spec/model.js';
import type { AnswerShape } from './answers.js';
import { copyGraph, graphOf, kinksOf, reevaluate, type Graph, type ViewRequest } from './graph.js';
import { SharedResults } from './shared-results.js';
import type { WrittenNumber } from './tolerance.js';
import type { Variant } from './variants.js';

/** One graph (the exact training, or a variant's) with its correspondence to the exact graph. */
export interface VariantGraph {
  variant: Variant | undefined;
  graph: Graph;
  /** Node of the exact graph with the same key, or -1. */
  baseIdOf: Int32Array;
  gidOfBase: Int32Array;
  /** Computes differently from the exact graph's node (formula, inputs or convention). */
  own: Uint8Array;
  /** Itself or something upstream computes differently. */
  ownUpstream: Uint8Array;
  /** Differs from the exact graph only where a kink is met at exactly 0 (see Variant.atKinks). */
  atKinks: boolean;
  /** Values computed from students' values, shared by every file of a class (see Scope.computed). */
  results: SharedResults;
  /** Written numbers in this graph's constructor, by text serial. */
  converted: Map<number, WrittenNumber>;
}

/** Builds the graphs of one spec's training, as far as the answers go: the exact one at once, a
 *  variant's when asked. */
export class VariantGraphs {
  readonly exact: VariantGraph;
  private readonly exactTrace: ReturnType<typeof run>;
  /** Where the exact graph meets a kink at exactly 0; computed for the first relu'(0) variant. */
  private exactKinks?: Uint8Array;
  /** Quantities the variants' trainings may still compute between them. Each variant is a whole
   *  training as far as the answers go (about as many quantities as the exact graph), and together
   *  they are held to the limit on one run's work (limits.work, --max-work): a spec near that limit
   *  gets the variants that fit, in the table's order, and the rest explain nothing. Every diagnosis
   *  reads these graphs, the from-scratch fallback included, so none is computed twice. */
  private workLeft: number;

  constructor(private readonly spec: Spec, private readonly shape: AnswerShape, private readonly steps: number, private readonly final: boolean, private readonly views: readonly ViewRequest[] = []) {
    this.exactTrace = run(this.limited(spec));
    const graph = graphOf(this.exactTrace, steps, final, views);
    const n = graph.nodes.length;
    const identity = Int32Array.from({ length: n }, (_, i) => i);
    this.exact = { variant: undefined, graph, baseIdOf: identity, gidOfBase: identity, own: new Uint8Array(n), ownUpstream: new Uint8Array(n), atKinks: false, results: new SharedResults(), converted: new Map() };
    this.workLeft = spec.limits.work - n;
  }

  /** The variant's graph, or undefined when it cannot be computed for this spec. */
  build(variant: Variant): VariantGraph | undefined {
    const cost = this.exact.graph.nodes.length;
    if (this.workLeft < cost) return undefined;
    this.workLeft -= cost;
    try {
      const trace = variant.spec ? run(this.limited(variant.spec(this.spec))) : this.exactTrace;
      let graph = graphOf(trace, this.steps, this.final, this.views);
      if (variant.graph) {
        graph = copyGraph(graph);
        variant.graph(graph);
        reevaluate(graph);
      }
      return this.relate(variant, graph);
    } catch {
      // A variant that cannot be computed for this spec (a cycle, a value that is not finite, a
      // change that does not apply) explains nothing.
      return undefined;
    }
  }

  /** A spec trained only as far as the answers go (the final forward pass needs all of it). */
  private limited(spec: Spec): Spec {
    const epochs = this.final ? spec.training.epochs : Math.max(1, Math.ceil(this.steps / this.shape.stepsPerEpoch));
    return { ...spec, training: { ...spec.training, epochs: Math.min(epochs, spec.training.epochs) } };
  }

  private relate(variant: Variant, graph: Graph): VariantGraph {
    const base = this.exact.graph;
    const n = graph.nodes.length;
    const baseIdOf = new Int32Array(n);
    const gidOfBase = new Int32Array(base.nodes.length).fill(-1);
    const own = new Uint8Array(n);
    // A relu'(0) variant computes like the exact graph except where a kink is met at 0; elsewhere
    // its formulas only look different (their signatures name the convention).
    const atKinks = variant.atKinks === true;
    const kinks = atKinks ? kinksOf(graph) : undefined;
    if (atKinks) this.exactKinks ??= kinksOf(base);
    graph.nodes.forEach((node, id) => {
      const b = base.index.get(node.key) ?? -1;
      baseIdOf[id] = b;
      if (b >= 0) gidOfBase[b] = id;
      own[id] = b < 0 || (atKinks ? kinks![id] || this.exactKinks![b] : base.nodes[b]!.signature !== node.signature) ? 1 : 0;
    });
    const ownUpstream = new Uint8Array(n);
    for (const id of graph.order) ownUpstream[id] = own[id] || graph.nodes[id]!.inputs.some((i) => ownUpstream[i]) ? 1 : 0;
    return { variant, graph, baseIdOf, gidOfBase, own, ownUpstream, atKinks, results: new SharedResults(), converted: new Map() };
  }
}
