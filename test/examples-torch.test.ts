// The torch-style examples held to PyTorch: test/fixtures/examples-torch.json was written by
// scripts/torch_examples.py, which builds each example's model from real torch.nn modules in float64,
// loads its params with load_state_dict and runs it as the example says (a torch.optim step, or with no
// training section one forward and backward pass; `loss: { upstream: g }` as output.backward(g)); that
// script also checks step 1 against an 80-digit recomputation without torch. Here each example runs exactly
// and every value of the fixture is compared to 1e-12 relative: each step's loss, gradients and state_dict
// (buffers included), and for the rows of step 1 every layer's output and dL/d(input). Editing an example's
// numbers without regenerating the fixture fails here; so does a layer kind that no example shows.
import { describe, expect, it } from 'vitest';
import { run } from '../src/graph/run.js';
import { expectTorchRecord, type Nested } from './helpers/torch-compare.js';
import { TORCH_LAYERS } from '../src/spec/torch-layers.js';
import { readFileSync } from 'node:fs';
import { exampleSpecs } from './helpers/specs.js';

interface Fixture {
  training: boolean;
  steps: Array<{ step: number; rows: number[]; loss: string; gradients: Record<string, Nested>; params: Record<string, Nested> }>;
  forward: Array<{ row: number; outputs: Nested; layers: Nested[]; input_grads?: Record<string, Nested> }>;
  kink_watch: { relu_inputs_exactly_0?: unknown[]; maxpool_ties?: unknown[]; softplus_linear_region?: unknown[] };
}
const expected = JSON.parse(readFileSync(new URL('./fixtures/examples-torch.json', import.meta.url), 'utf8')) as Record<string, Fixture>;
/** The examples written the torch.nn way (tensor inputs and torch.nn layers: the spec has tensors). */
const examples = exampleSpecs().filter((s) => s.load().tensors !== undefined);


describe('the torch-style examples against PyTorch float64 (test/fixtures/examples-torch.json)', () => {
  it('has a fixture for every torch-style example, and an example for every torch.nn layer kind', () => {
    expect(examples.length).toBeGreaterThanOrEqual(14);
    expect(Object.keys(expected).sort()).toEqual(examples.map((s) => s.name).sort());
    const shown = new Set(examples.flatMap((s) => s.load().tensors!.layers.map((l) => l.type)));
    expect(Object.keys(TORCH_LAYERS).filter((kind) => !shown.has(kind))).toEqual([]);
  });

  it("the README's torch.nn section names exactly these examples", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const bullet = /^- Every layer kind has an example[^:]*\):([^]*?)\.\n/m.exec(readme);
    expect(bullet, 'the README bullet listing the examples').not.toBeNull();
    expect(bullet![1]!.split(',').map((n) => n.trim()).sort()).toEqual(examples.map((s) => s.name).sort());
  });

  it('conv-transpose2d reproduces its published case exactly (Dive into Deep Learning, 14.10 Transposed Convolution)', () => {
    // X = K = [[0, 1], [2, 3]], stride 1: Y = [[0, 0, 1], [0, 4, 6], [4, 12, 9]] as the book prints it.
    const example = examples.find((s) => s.name === 'conv-transpose2d')!;
    const spec = example.load();
    const sample = run(spec).steps[0]!.samples[0]!.values;
    const layer = spec.tensors!.layers[0]!;
    expect(layer.entries.map((n) => sample.get(n)!.toString())).toEqual(['0', '0', '1', '0', '4', '6', '4', '12', '9']);
  });

  it('sits at no kink: no ReLU input exactly 0, no tie in a max-pool window, no Softplus past its threshold', () => {
    for (const [name, fixture] of Object.entries(expected)) {
      expect([fixture.kink_watch.relu_inputs_exactly_0, fixture.kink_watch.maxpool_ties, fixture.kink_watch.softplus_linear_region], name).toEqual([undefined, undefined, undefined]);
    }
  });

  for (const example of examples) {
    it(example.name, () => {
      const fixture = expected[example.name];
      expect(fixture, `${example.relative} has no fixture: run /usr/bin/python3 scripts/torch_examples.py`).toBeDefined();
      const spec = example.load();
      expect(fixture!.training, 'the fixture trains exactly when the example has a training section').toBe(/^training:/m.test(example.text));
      expectTorchRecord(spec, run(spec), fixture!);
    });
  }
});
