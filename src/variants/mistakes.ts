// The value each known mistake gives for a quantity, for partial credit in an exported quiz: check's
// diagnoses (check/diagnoses.ts, read-only) computed as check computes them, each a whole training
// its way (a transformed spec, or a rewiring of the graph of quantities), related node by node to the
// exact training (check/variant-graph.ts). Only single diagnoses: check also tries pairs, which would
// make a quiz's alternatives too many to read.
import { answerShape } from '../check/answers.js';
import { conventionVariants } from '../check/diagnoses.js';
import { VariantGraphs } from '../check/variant-graph.js';
import type { Dec } from '../numeric/context.js';
import type { Spec } from '../spec/model.js';

export interface MistakeValue {
  /** The diagnosis's id (as check's reports name it). */
  id: string;
  /** What the student did, worded for this spec. */
  text: string;
  value: Dec;
}

/** For each quantity (by its graph key, check/graph.ts nodeKey), the value each applicable mistake
 *  gives, where it differs from the exact value. */
export function mistakeValues(spec: Spec, keys: string[]): Map<string, MistakeValue[]> {
  const shape = answerShape(spec);
  const graphs = new VariantGraphs(spec, shape, shape.totalSteps, true);
  const exact = graphs.exact.graph;
  const out = new Map<string, MistakeValue[]>(keys.map((k) => [k, []]));
  for (const variant of conventionVariants(spec)) {
    const built = graphs.build(variant);
    if (!built) continue;
    for (const key of keys) {
      const n = exact.index.get(key);
      const id = n === undefined ? -1 : built.gidOfBase[n] ?? -1;
      if (id < 0) continue;
      const value = built.graph.values[id]!;
      if (value.cmp(exact.values[n!]!) !== 0) out.get(key)!.push({ id: variant.id, text: variant.text, value });
    }
  }
  return out;
}
