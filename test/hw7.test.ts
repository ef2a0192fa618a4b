// The first real case, ../shared/hw7-q2.md, under both readings of the sheet, at precision 60.
// Expected values are exact hand-derived values (epoch 1) and the published digits (epoch 2),
// which an independent computation produced; the weight-decay reading also exercises the kink at 0.
import { describe, expect, it } from 'vitest';
import { at, example, runYaml } from './helpers/spec.js';
import { replaced } from './helpers/replaced.js';

const hw7 = example('hw7-q2.yaml');
const withWeightDecay = replaced(replaced(hw7, /^\s+penalty:.*$/m, ''), 'eps: 1e-8', 'eps: 1e-8\n  weight_decay: 0.1');

describe('hw7 with the penalty 0.1*(w1^2+...+w6^2) in the loss, biases not penalised', () => {
  const trace = runYaml(hw7, { precision: 60 });

  it('epoch 1: forward values per sample', () => {
    const [s1, s2] = trace.steps[0]!.samples;
    const v = (s: typeof s1, n: string) => s!.values.get(n)!.toString();
    expect([v(s1, 'h1'), v(s1, 'h2'), v(s1, 'yhat')]).toEqual(['1.5', '0', '3.5']);
    expect([v(s2, 'h1'), v(s2, 'h2'), v(s2, 'yhat')]).toEqual(['3.5', '0', '7.5']);
  });

  it('epoch 1: loss 89.525 = data 88.25 + penalty 1.275', () => {
    expect(at(trace, 1, 'loss.data')).toBe('88.25');
    expect(at(trace, 1, 'loss.penalty')).toBe('1.275');
    expect(at(trace, 1, 'loss.total')).toBe('89.525');
  });

  it('epoch 1: gradients of the total loss', () => {
    const expected = { w1: '-401.8', w2: '-318.2', w3: '-0.1', w4: '0.1', w5: '-50.1', w6: '-0.5', b1: '-34', b2: '0', b: '-17' };
    for (const [p, g] of Object.entries(expected)) expect(at(trace, 1, `dL/d${p}`), p).toBe(g);
  });

  it('epoch 1: Adam moments are exact', () => {
    expect(at(trace, 1, 'm[w1]')).toBe('-40.18');
    expect(at(trace, 1, 'v[w1]')).toBe('161.44324');
    expect(at(trace, 1, 'vhat[w1]')).toBe('161443.24');
  });

  it('after epoch 2', () => {
    expect(at(trace, 2, 'w1')).toMatch(/^1\.1941606736710068936/);
    expect(at(trace, 2, 'w6')).toMatch(/^-2\.3014176064315213072/);
    expect(at(trace, 2, 'b2')).toMatch(/^0\.4255863177790217594/);
  });

  it('computes at the requested precision', () => {
    expect(trace.ctx.precision).toBe(60);
    expect(at(trace, 2, 'w1').replace(/^-?0?\.?/, '').replace('.', '').length).toBeGreaterThanOrEqual(59);
  });
});

describe('hw7 without the penalty, Adam weight_decay 0.1 on every param', () => {
  const trace = runYaml(withWeightDecay, { precision: 60 });

  it('after epoch 2', () => {
    expect(at(trace, 2, 'w1')).toMatch(/^1\.1940641036903874408/);
    expect(at(trace, 2, 'w3')).toMatch(/^-0\.3011874610171547957/);
    expect(at(trace, 2, 'b2')).toMatch(/^0\.3011874610171547957/);
  });

  it('the gradient before weight decay, and the effective gradient g after it', () => {
    expect(at(trace, 1, 'dL/dw1')).toBe('-402');
    expect(at(trace, 1, 'g[w1]')).toBe('-401.9');
  });

  it('warns of the kink of h2 at sample 1 in epoch 2, where the pre-activation cancels to exactly 0', () => {
    const kinks = trace.warnings.filter((w) => w.kind === 'kink' && w.neuron === 'h2' && w.sample === 1);
    expect(kinks.map((w) => w.step)).toEqual([1, 2]);
    expect(kinks[1]!.message).toContain('exactly 0');
  });
});
