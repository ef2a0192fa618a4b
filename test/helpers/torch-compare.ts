// What the tests that hold a torch-style spec to PyTorch float64 share (test/torch-layers-fixtures and
// test/examples-torch): the fixtures' nested lists, the 1e-12 comparison, and where a sample's values sit.
import { expect } from 'vitest';
import Decimal from 'decimal.js';
import type { Trace } from '../../src/graph/run.js';
import type { Spec } from '../../src/spec/model.js';
import type { Dec } from '../../src/numeric/context.js';

export type Nested = string | Nested[];
export const flat = (v: Nested): string[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
export const RELATIVE = new Decimal('1e-12');
/** Below this, a torch value is rounding noise around an exact 0 (float64 of sums that cancel). */
export const NOISE = new Decimal('1e-15');

/** Our exact value against torch's to 1e-12 relative (or, `absolute`, within the noise alone). */
export function close(ours: Dec | undefined, theirs: string, what: string, absolute = false): void {
  expect(ours, `${what}: no value`).toBeDefined();
  const a = new Decimal(ours!.toString());
  const b = new Decimal(theirs);
  const diff = a.minus(b).abs();
  const ok = absolute ? diff.lte(NOISE) : diff.lte(Decimal.max(b.abs(), a.abs()).times(RELATIVE)) || diff.lte(NOISE);
  expect(ok, `${what}: exactprop ${a.toSignificantDigits(20).toString()}, torch ${theirs}`).toBe(true);
}

/** The scalar names of a param or buffer, by state_dict name. */
export function tensorEntries(spec: Spec, name: string): string[] {
  const t = [...spec.tensors!.params, ...spec.tensors!.buffers].find((p) => p.name === name);
  expect(t, `the spec has ${name}`).toBeDefined();
  return t!.entries;
}

/** The values of sample `row` (1-based data row) at step 1, and where its entries sit: a batch-norm
 *  model packs a batch into one row, sample s of the batch being the s-th slice of each tensor. */
export function sampleOf(spec: Spec, trace: Trace, row: number): { values: ReadonlyMap<string, Dec>; slice: <T>(entries: T[]) => T[] } {
  const batch = spec.tensors!.batchSize;
  if (batch === undefined) {
    const sample = trace.steps[0]!.samples.find((s) => s.row === row - 1);
    expect(sample, `step 1 has data row ${row}`).toBeDefined();
    return { values: sample!.values, slice: (e) => e };
  }
  const position = (row - 1) % batch;
  const sample = trace.steps[0]!.samples[0]!;
  return { values: sample.values, slice: (e) => e.slice((e.length / batch) * position, (e.length / batch) * (position + 1)) };
}
