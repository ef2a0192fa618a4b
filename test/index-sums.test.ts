// sum(body, i, a, b) and mean(body, i, a, b) written out when an expression is read (symbolic/parse.ts):
// each case worked by hand.
import { describe, expect, it } from 'vitest';
import { parseExpression, MAX_INDEX_TERMS } from '../src/symbolic/parse.js';
import { runYaml } from './helpers/spec.js';

const text = (e: string) => parseExpression(e).toString();

describe('index sums', () => {
  it('write the body out for each index, in names and as a value', () => {
    expect(text('sum(w_i * x_i, i, 1, 3)')).toBe('(w_1 * x_1 + w_2 * x_2 + w_3 * x_3)');
    expect(text('mean((y_k - o_k)^2, k, 1, 2)')).toBe('((y_1 - o_1) ^ 2 + (y_2 - o_2) ^ 2) / 2');
    // The index's own value, and an index inside a longer name; the tensor's own name is never an index.
    expect(text('sum(i * W1_j_i, i, 0, 1)')).toBe('(0 * W1_j_0 + 1 * W1_j_1)');
    expect(text('sum(sum(W1_j_i, i, 1, 2), j, 1, 2)')).toBe('((W1_1_1 + W1_1_2) + (W1_2_1 + W1_2_2))');
  });

  it('train as the written-out sums do', () => {
    // h = w_1 x_1 + w_2 x_2 + w_3 x_3 = 0.5 - 2 + 6 = 4.5, y = 4: loss 0.25, dL/dw_i = 2 (h - y) x_i = x_i;
    // one SGD step at lr 0.1: w = (0.4, -1.2, 1.7).
    const trace = runYaml([
      'model:', '  inputs: [x_1, x_2, x_3]', '  neurons:', '    h: sum(w_i * x_i, i, 1, 3)',
      'params: { w_1: 0.5, w_2: -1, w_3: 2 }',
      'data: [ { x_1: 1, x_2: 2, x_3: 3, y: 4 } ]',
      'loss: { sample: (h - y)^2 }',
      'training: { optimizer: sgd, lr: 0.1 }',
    ].join('\n'));
    expect(['w_1', 'w_2', 'w_3'].map((w) => trace.steps[0]!.values.get(w)!.toString())).toEqual(['0.4', '-1.2', '1.7']);
  });

  it('say what is wrong with a sum', () => {
    expect(() => parseExpression('sum(x_i, i, 1)')).toThrow(/sum takes 4 arguments/);
    expect(() => parseExpression('sum(x_i, 2, 1, 3)')).toThrow(/second argument is the index's name/);
    expect(() => parseExpression('sum(x_i, i, 1.5, 3)')).toThrow(/first index is a whole number/);
    expect(() => parseExpression('sum(x_i, i, 3, 1)')).toThrow(/last index comes before the first/);
    expect(() => parseExpression(`sum(sum(x_i_j, i, 1, 400), j, 1, 400)`)).toThrow(new RegExp(`more than ${MAX_INDEX_TERMS.toLocaleString('en-US')} terms`));
  });
});

describe('dot products', () => {
  it('write out the sum of products of two lists, or of vectors the spec defines', () => {
    expect(text('dot([a, b], [c, d - 1])')).toBe('(a * c + b * (d - 1))');
    const vectors: Record<string, string[]> = { w: ['w_1', 'w_2'], x: ['x1', 'x2'] };
    expect(parseExpression('dot(w, x) + 1', { vectorOf: (n) => vectors[n] }).toString()).toBe('(w_1 * x1 + w_2 * x2) + 1');
  });

  it('train as the written-out products do, on a param list, inputs by count and a matrix row', () => {
    // h = relu(w . x + b) = relu(1*1 + 2*2 - 1*3 + 0.5) = 2.5; g = dot([h, 2h], W row 2 with W_2_2 - 1)
    // = 2.5*3 + 5*3 = 22.5; loss (3 - 22.5)^2 = 380.25; dL/dg = 39, dL/dh = 39 * (3 + 2*3) = 351,
    // dL/dw_i = 351 x_i (relu active): one SGD step at lr 0.1 gives w = (1 - 35.1, 2 - 70.2, -1 - 105.3);
    // dL/dW_2_1 = 39 h = 97.5 and dL/dW_2_2 = 39 * 2h = 195: W_2_1 = 3 - 9.75, W_2_2 = 4 - 19.5.
    const trace = runYaml([
      'model:', '  inputs: 3', '  neurons:', '    h: relu(dot(w, x) + b)', '    g: "dot([h, 2*h], [W_2_1, W_2_2 - 1])"',
      'params: { w: [1, 2, -1], b: 0.5, W: [[1, 2], [3, 4]] }',
      'data: [ { x1: 1, x2: 2, x3: 3, y: 3 } ]',
      'loss: { sample: (y - g)^2 }',
      'training: { optimizer: sgd, lr: 0.1 }',
    ].join('\n'));
    expect(trace.steps[0]!.samples[0]!.values.get('loss')!.toString()).toBe('380.25');
    expect(['w_1', 'w_2', 'w_3', 'W_2_1', 'W_2_2'].map((w) => trace.steps[0]!.values.get(w)!.toString())).toEqual(['-34.1', '-68.2', '-106.3', '-6.75', '-15.5']);
  });

  it('say what is wrong with a dot product', () => {
    expect(() => parseExpression('dot([a, b], [c])')).toThrow(/vectors of 2 and 1 entries/);
    expect(() => parseExpression('dot([a], [c], [d])')).toThrow(/dot takes 2 arguments/);
    expect(() => parseExpression('dot(w, [c])')).toThrow(/'w' is not a vector the spec defines/);
    expect(() => parseExpression('dot([[a]], [c])')).toThrow(/vectors, not matrices/);
    expect(() => parseExpression('dot(2, [c])')).toThrow(/lists or names of vectors/);
    // An array anywhere else is still refused.
    expect(() => parseExpression('[a, b]')).toThrow(/matrix or array is not allowed/);
  });
});
