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
