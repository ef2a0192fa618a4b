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

/** What a fixture holds of a run, as the fixture scripts write it (scripts/torch_layer_fixtures.py,
 *  scripts/torch_examples.py). */
export interface TorchRecord {
  steps: Array<{ step: number; loss: string; gradients: Record<string, Nested>; params: Record<string, Nested> }>;
  forward: Array<{ row: number; outputs: Nested; layers: Nested[]; input_grads?: Record<string, Nested> }>;
}

/** The index of entry k of a tensor of `shape` (row-major). */
const indexOf = (shape: readonly number[], k: number) => shape.map((_, d) => Math.floor(k / shape.slice(d + 1).reduce((a, b) => a * b, 1)) % shape[d]!);

/**
 * Every value of a torch fixture against the run, to 1e-12: each step's loss, params (and buffers) and
 * gradients, and for each recorded row of step 1 every layer's output, the final output and dL/d(input).
 * `noise(step, param, index)` names a gradient entry torch computes as rounding noise around an exact 0.
 */
export function expectTorchRecord(spec: Spec, trace: Trace, fixture: TorchRecord, noise: (step: number, param: string, index: number[]) => boolean = () => false): void {
  expect(trace.steps.length).toBe(fixture.steps.length);
  fixture.steps.forEach((want, i) => {
    const step = trace.steps[i]!;
    close(step.values.get('loss.total'), want.loss, `step ${want.step} loss`);
    for (const [param, value] of Object.entries(want.params)) {
      const names = tensorEntries(spec, param);
      expect(flat(value).length, `${param}'s size`).toBe(names.length);
      flat(value).forEach((v, k) => close(step.values.get(names[k]!), v, `step ${want.step} ${param} entry ${k}`));
    }
    for (const [param, value] of Object.entries(want.gradients)) {
      const names = tensorEntries(spec, param);
      const shape = spec.tensors!.params.find((p) => p.name === param)!.shape;
      expect(flat(value).length, `the gradient of ${param}'s size`).toBe(names.length);
      flat(value).forEach((v, k) => close(step.values.get(`dL/d${names[k]!}`), v, `step ${want.step} gradient of ${param} entry ${k}`, noise(want.step, param, indexOf(shape, k))));
    }
  });
  for (const record of fixture.forward) {
    const { values, slice } = sampleOf(spec, trace, record.row);
    expect(record.layers.length, 'one output per layer').toBe(spec.tensors!.layers.length);
    spec.tensors!.layers.forEach((layer, j) => {
      const names = slice(layer.entries);
      expect(flat(record.layers[j]!).length, `layer ${j + 1}'s size`).toBe(names.length);
      flat(record.layers[j]!).forEach((v, k) => close(values.get(names[k]!), v, `row ${record.row} layer ${j + 1} (${layer.type}) entry ${k}`));
    });
    const last = spec.tensors!.layers[spec.tensors!.layers.length - 1]!;
    flat(record.outputs).forEach((v, k) => close(values.get(slice(last.entries)[k]!), v, `row ${record.row} output ${k}`));
    for (const [input, grads] of Object.entries(record.input_grads ?? {})) {
      const names = slice(spec.tensors!.inputs.find((t) => t.name === input)!.entries);
      expect(flat(grads).length, `dL/d${input}'s size`).toBe(names.length);
      flat(grads).forEach((v, k) => close(values.get(`dL/d${names[k]!}`), v, `row ${record.row} dL/d${input} entry ${k}`));
    }
  }
}
