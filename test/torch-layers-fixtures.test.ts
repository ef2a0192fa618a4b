// Every torch.nn layer kind held to PyTorch: test/fixtures/torch-layers/expected.json was written by
// scripts/torch_layer_fixtures.py with real torch.nn modules and torch.optim in float64 (and checked
// there against an 80-digit recomputation without torch). Each spec is run exactly here and every value
// the fixture has is compared to 1e-12 relative: each step's loss, gradients and state_dict (buffers
// included), and for the rows of step 1 every layer's output and the gradient of the input.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import { parseSpec } from '../src/spec/validate.js';
import { run, type Trace } from '../src/graph/run.js';
import type { Spec } from '../src/spec/model.js';
import type { Dec } from '../src/numeric/context.js';

const dir = new URL('./fixtures/torch-layers/', import.meta.url);
type Nested = string | Nested[];
interface Fixture {
  steps: Array<{ step: number; rows: number[]; loss: string; gradients: Record<string, Nested>; params: Record<string, Nested> }>;
  forward: Array<{ row: number; outputs: Nested; layers: Nested[]; input_grads?: Record<string, Nested> }>;
  gradient_rounding_noise?: { entries: Array<{ step: number; param: string; index: number[] }> };
}
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, Fixture>;
const specs = readdirSync(new URL('specs/', dir)).filter((f) => f.endsWith('.yaml')).sort();

const flat = (v: Nested): string[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const RELATIVE = new Decimal('1e-12');
/** Values torch computes as rounding noise around an exact 0 (see the fixture's notes). */
const NOISE = new Decimal('1e-15');

function close(ours: Dec | undefined, theirs: string, what: string, absolute = false): void {
  expect(ours, `${what}: no value`).toBeDefined();
  const a = new Decimal(ours!.toString());
  const b = new Decimal(theirs);
  const diff = a.minus(b).abs();
  const ok = absolute ? diff.lte(NOISE) : diff.lte(Decimal.max(b.abs(), a.abs()).times(RELATIVE)) || diff.lte(NOISE);
  expect(ok, `${what}: exactprop ${a.toSignificantDigits(20).toString()}, torch ${theirs}`).toBe(true);
}

/** The scalar names of a param or buffer, by state_dict name. */
function tensorEntries(spec: Spec, name: string): string[] {
  const t = [...spec.tensors!.params, ...spec.tensors!.buffers].find((p) => p.name === name);
  expect(t, `the spec has ${name}`).toBeDefined();
  return t!.entries;
}

/** The values of sample `row` (1-based data row) at step 1, and where its entries sit in a packed batch. */
function sampleOf(spec: Spec, trace: Trace, row: number): { values: ReadonlyMap<string, Dec>; slice: <T>(entries: T[]) => T[] } {
  const batch = spec.tensors!.batchSize;
  if (batch === undefined) {
    const sample = trace.steps[0]!.samples.find((s) => s.row === row - 1)!;
    return { values: sample.values, slice: (e) => e };
  }
  // A batch-norm model packs a batch into one row: sample s of the batch is the s-th slice of each tensor.
  const position = (row - 1) % batch;
  const sample = trace.steps[0]!.samples[0]!;
  return { values: sample.values, slice: (e) => e.slice((e.length / batch) * position, (e.length / batch) * (position + 1)) };
}

describe('torch.nn layers against PyTorch float64 (test/fixtures/torch-layers)', () => {
  it('has a fixture for every spec', () => {
    expect(specs.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(expected).sort()).toEqual(specs.map((f) => f.replace(/\.yaml$/, '')).sort());
  });

  for (const file of specs) {
    const name = file.replace(/\.yaml$/, '');
    it(name, () => {
      const fixture = expected[name]!;
      const spec = parseSpec(readFileSync(new URL(`specs/${file}`, dir), 'utf8'), `test/fixtures/torch-layers/specs/${file}`);
      const trace = run(spec);
      expect(trace.steps.length).toBe(fixture.steps.length);
      const noise = new Set((fixture.gradient_rounding_noise?.entries ?? []).map((e) => `${e.step}|${e.param}|${e.index.join(',')}`));
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
          const shape = [...spec.tensors!.params].find((p) => p.name === param)!.shape;
          flat(value).forEach((v, k) => {
            // The fixture names a noise entry by its index in the tensor.
            const index = shape.map((_, d) => Math.floor(k / shape.slice(d + 1).reduce((a, b) => a * b, 1)) % shape[d]!);
            close(step.values.get(`dL/d${names[k]!}`), v, `step ${want.step} gradient of ${param} entry ${k}`, noise.has(`${want.step}|${param}|${index.join(',')}`));
          });
        }
      });
      for (const record of fixture.forward) {
        const { values, slice } = sampleOf(spec, trace, record.row);
        spec.tensors!.layers.forEach((layer, j) => {
          const names = slice(layer.entries);
          expect(flat(record.layers[j]!).length, `layer ${j + 1}'s size`).toBe(names.length);
          flat(record.layers[j]!).forEach((v, k) => close(values.get(names[k]!), v, `row ${record.row} layer ${j + 1} (${layer.type}) entry ${k}`));
        });
        const last = spec.tensors!.layers[spec.tensors!.layers.length - 1]!;
        flat(record.outputs).forEach((v, k) => close(values.get(slice(last.entries)[k]!), v, `row ${record.row} output ${k}`));
        for (const [input, grads] of Object.entries(record.input_grads ?? {})) {
          const names = slice(spec.tensors!.inputs.find((t) => t.name === input)!.entries);
          flat(grads).forEach((v, k) => close(values.get(`dL/d${names[k]!}`), v, `row ${record.row} dL/d${input} entry ${k}`));
        }
      }
    });
  }
});
