// Where a computed quantity sits in an answers file (step1.sample2.adjoints.h1, epoch1.optimizer.m.w1,
// step1.loss.total): the vocabulary `check` reads, written from an equation's role and what it is about,
// never from its symbol's text. It lives here, below both rooms that need it: check names the nodes of
// its graph with it (check/graph.ts pathOf), and the worked solution carries each calculation's path so
// that a worksheet can lay out a cell for it (render/solution-doc.ts).
import type { Spec } from '../spec/model.js';
import type { Role } from './program.js';
import { batches } from './run.js';

/** What a path is made from: an equation's role, its symbol, and the neuron or param (and the
 *  optimizer's own name) it is about. */
export interface PathedQuantity {
  role: Role;
  name: string;
  of?: string;
  local?: string;
}

/**
 * The path of a computed quantity under `at` (`step1`, `epoch1`, `final`), in a sample's row (from 0) or
 * at the step's level. Seeds and buffers get the path check's messages use for them, though no answers
 * file may name them (see answerable).
 */
export function quantityPath(spec: Spec, at: string, row: number | undefined, q: PathedQuantity): string {
  if (row !== undefined) {
    const sample = `${at}.sample${row + 1}`;
    // A batch norm model's batch statistics (its batch one program): the step's `batch:` section.
    if (q.role === 'neuron' && isBatchStatistic(spec, q.name)) return `${at}.batch.${q.name}`;
    switch (q.role) {
      case 'adjoint': return `${sample}.adjoints.${q.of}`;
      case 'share': return `${sample}.gradients.${q.of}`;
      case 'seed': return `${sample}.adjoints.loss`;
      default: return `${sample}.${q.name}`;
    }
  }
  switch (q.role) {
    case 'gradient': return `${at}.gradients.${q.of}`;
    case 'optimizer': return `${at}.optimizer.${q.local}.${q.of}`;
    case 'param': return `${at}.params.${q.of}`;
    default: return `${at}.${q.name}`;
  }
}

/** Roles an answers file has no place for: the loss's own adjoint (the seed, which a sheet does not
 *  work out) and a buffer's running statistic (not a value of the training's answers). */
const UNANSWERED = new Set<Role>(['seed', 'buffer']);

/** Whether an answers file may give a quantity: not one of the roles above, nor the adjoint of an input
 *  (dL/dx, which a convolution's worked solution shows; an answers file's adjoints are the neurons'). */
export function answerable(spec: Spec, q: PathedQuantity): boolean {
  if (UNANSWERED.has(q.role)) return false;
  return !(q.role === 'adjoint' && q.of !== undefined && spec.inputs.includes(q.of));
}

/** Whether each epoch is one step (a full batch): answers files may then write epochN for stepN. */
export function oneStepPerEpoch(spec: Spec): boolean {
  return batches(spec).length === 1;
}

/** How an answers file names training step `step`: epochN when each epoch is one step, else stepN. */
export const stepKey = (step: number, full: boolean): string => (full ? `epoch${step}` : `step${step}`);

/**
 * The path an answers file gives a quantity of the worked solution under, or undefined for one it has
 * no place for: epochN when each epoch is one step (as answers files are written for a full batch).
 */
export function answersPath(spec: Spec, step: number, full: boolean, row: number | undefined, q: PathedQuantity): string | undefined {
  return answerable(spec, q) ? quantityPath(spec, stepKey(step, full), row, q) : undefined;
}

/** Whether a neuron is a batch statistic a layer declares (batch norm's mean and variance of a channel)
 *  in a model whose batch is one program. */
export function isBatchStatistic(spec: Spec, name: string): boolean {
  if (spec.tensors?.batchSize === undefined) return false;
  return spec.tensors.layers.some((l) => l.statistics.some((t) => t.entries.includes(name)));
}
