// Every torch.nn layer kind held to PyTorch: test/fixtures/torch-layers/expected.json was written by
// scripts/torch_layer_fixtures.py with real torch.nn modules and torch.optim in float64 (and checked
// there against an 80-digit recomputation without torch). Each spec is run exactly here and every value
// the fixture has is compared to 1e-12 relative: each step's loss, gradients and state_dict (buffers
// included), and for the rows of step 1 every layer's output and the gradient of the input.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { expectTorchRecord, type Nested } from './helpers/torch-compare.js';

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
      const noise = new Set((fixture.gradient_rounding_noise?.entries ?? []).map((e) => `${e.step}|${e.param}|${e.index.join(',')}`));
      expectTorchRecord(spec, run(spec), fixture, (step, param, index) => noise.has(`${step}|${param}|${index.join(',')}`));
    });
  }
});
