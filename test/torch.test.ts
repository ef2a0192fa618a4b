// Agreement with PyTorch: test/fixtures/torch/expected.json holds torch.optim float64 results for the
// specs beside it (made by scripts/torch-fixtures.sh, by hand; CI never runs torch). Every loss,
// gradient and param of every step must agree within 1e-12 relative.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { run } from '../src/graph/run.js';
import type { Dec } from '../src/numeric/context.js';
import { fixtureSpecs } from './helpers/specs.js';

const dir = new URL('./fixtures/torch/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as {
  specs: Record<string, { steps: Array<{ step: number; loss: Record<string, string>; gradients: Record<string, string>; params: Record<string, string> }> }>;
};
// Each read from its own path, so that `data: file.csv` is read from beside it.
const specFiles = fixtureSpecs();

function close(ours: Dec, theirs: string): boolean {
  const t = new (ours.constructor as new (v: string) => Dec)(theirs);
  const scale = ours.abs().gt(t.abs()) ? ours.abs() : t.abs();
  return ours.minus(t).abs().lte(scale.times('1e-12').plus('1e-15'));
}

describe('PyTorch float64 agreement (1e-12 relative)', () => {
  it('covers every spec, every optimizer, every preset and every named loss', () => {
    expect(specFiles.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected.specs).sort()).toEqual(specFiles.map((f) => f.name).sort());
    const specs = specFiles.map((f) => f.load());
    const optimizers = new Set(specs.map((s) => s.training.optimizer));
    expect([...optimizers].sort()).toEqual(['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd']);
    const presetOptimizers = (preset: string) => [...new Set(specs.filter((s) => s.conventions.preset === preset).map((s) => s.training.optimizer))].sort();
    expect(presetOptimizers('keras')).toEqual(['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd']);
    expect(presetOptimizers('paper')).toEqual(['adam']);
    const losses = new Set(specs.flatMap((s) => (s.loss.name ? [s.loss.name] : [])));
    expect([...losses].sort()).toEqual(['bce', 'cross_entropy', 'half_sse', 'mae', 'mse', 'sse']);
    expect(specs.some((s) => s.frozen.length > 0)).toBe(true);
  });

  for (const file of specFiles) {
    const name = file.name;
    it(name, () => {
      const trace = run(file.load());
      const want = expected.specs[name]!.steps;
      expect(trace.steps).toHaveLength(want.length);
      const mismatches: string[] = [];
      for (const w of want) {
        const values = trace.steps[w.step - 1]!.values;
        const check = (label: string, ours: Dec | undefined, theirs: string) => {
          if (!ours || !close(ours, theirs)) mismatches.push(`step ${w.step} ${label}: ours ${ours?.toString()} torch ${theirs}`);
        };
        for (const part of ['data', 'penalty', 'total'] as const) check(`loss.${part}`, values.get(`loss.${part}`) ?? trace.ctx.zero, w.loss[part]!);
        for (const [p, g] of Object.entries(w.gradients)) check(`dL/d${p}`, values.get(`dL/d${p}`), g);
        for (const [p, v] of Object.entries(w.params)) check(p, values.get(p), v);
      }
      expect(mismatches).toEqual([]);
    });
  }
});
