// Softmax followed by cross-entropy: the logits' adjoints are written as textbooks write them,
// dL/dz_k = dL/dloss * (p_k - y_k), when every row's targets sum to 1 (graph/program.ts).
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';

const spec = (rows: string) => parseSpec([
  'model: { inputs: [x1], layers: [ { units: 2, activation: softmax, name: p } ] }',
  'params: { W1: [[0], [0]], b1: [0, 0] }',
  `data: ${rows}`,
  'loss: { name: cross_entropy }',
  'training: { optimizer: sgd, lr: 1 }',
].join('\n'), 'net.yaml');
const formula = (trace: ReturnType<typeof run>, name: string) => trace.sampleEquations.find((e) => e.name === name)!.formula.toString();

describe('softmax with cross-entropy', () => {
  it('writes dL/dz as p - y, and its value is p - y', () => {
    // Logits 0 and 0: p = (1/2, 1/2); y = (1, 0), one row (dL/dloss = 1): dL/dz = (-1/2, 1/2).
    const trace = run(spec('[ { x1: 1, y1: 1, y2: 0 } ]'));
    expect(formula(trace, 'dL/dz1_1')).toBe('dL/dloss * (p_1 - y1)');
    const adjoints = trace.steps[0]!.samples[0]!.values;
    expect([adjoints.get('dL/dz1_1')!.toString(), adjoints.get('dL/dz1_2')!.toString()]).toEqual(['-0.5', '0.5']);
    // One SGD step at lr 1 with x1 = 1: b1 = (0.5, -0.5).
    expect([trace.steps[0]!.values.get('b1_1')!.toString(), trace.steps[0]!.values.get('b1_2')!.toString()]).toEqual(['0.5', '-0.5']);
  });

  it('keeps the chain rule through the softmax when targets do not sum to 1 (p - y would be wrong there)', () => {
    // y = (1, 1): dL/dz_k = p_k (y_1 + y_2) - y_k = 1 - 1 = 0 for both, not p - y = -1/2.
    const trace = run(spec('[ { x1: 1, y1: 1, y2: 1 } ]'));
    expect(formula(trace, 'dL/dz1_1')).not.toContain('p_1 - y1');
    const adjoints = trace.steps[0]!.samples[0]!.values;
    expect(adjoints.get('dL/dz1_1')!.isZero()).toBe(true);
  });
});
