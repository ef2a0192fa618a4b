// Every torch.nn layer kind held to PyTorch: test/fixtures/torch-layers/expected.json was written by
// scripts/torch_layer_fixtures.py with real torch.nn modules and torch.optim in float64 (and checked
// there against an 80-digit recomputation without torch). Each spec is run exactly here and every value
// the fixture has is compared to 1e-12 relative: each step's loss, gradients and state_dict (buffers
// included), and for the rows of step 1 every layer's output and the gradient of the input.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { close, flat, sampleOf, tensorEntries, type Nested } from './helpers/torch-compare.js';

const dir = new URL('./fixtures/torch-layers/', import.meta.url);
interface Fixture {
  steps: Array<{ step: number; rows: number[]; loss: string; gradients: Record<string, Nested>; params: Record<string, Nested> }>;
  forward: Array<{ row: number; outputs: Nested; layers: Nested[]; input_grads?: Record<string, Nested> }>;
  gradient_rounding_noise?: { entries: Array<{ step: number; param: string; index: number[] }> };
}
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, Fixture>;
const specs = readdirSync(new URL('specs/', dir)).filter((f) => f.endsWith('.yaml')).sort();


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
