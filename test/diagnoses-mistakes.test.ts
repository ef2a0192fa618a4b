// The diagnoses of common mistakes (src/check/mistakes.ts, src/check/neuron-slips.ts), each reproduced
// from a deliberately wrong hand-made sheet: the sheet writes what a student making that one mistake
// writes, and check must name the mistake and explain it. Every expected value is derived by hand or
// independently with mpmath at 30 digits (the short script is described at each case); the exact
// values are the spec's own (examples/ or a spec written here).
import { describe, expect, it } from 'vitest';
import { example, scalarSpec } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { Checker, type Result } from '../src/check/check.js';
import { parseAnswers } from '../src/check/answers.js';
import { DEFAULT_TOLERANCE } from '../src/check/tolerance.js';
import { transposedPairs } from '../src/check/neuron-slips.js';
import { COMMON_MISTAKES } from '../src/check/mistakes.js';

function checkerFor(specText: string): Checker {
  const spec = parseSpec(specText, 'spec.yaml');
  return new Checker(spec, { steps: spec.training.epochs * Math.ceil(spec.data.length / spec.training.batchSize), final: false });
}
function graded(checker: Checker, answers: string): Result[] {
  return checker.check(parseAnswers(answers, 'answers.yaml', checker.shape), DEFAULT_TOLERANCE).results;
}
function only(checker: Checker, answers: string, path: string): Result {
  const r = graded(checker, answers).find((x) => x.path === path);
  if (!r) throw new Error(`no result for ${path}`);
  return r;
}
const ids = (r: Result) => r.diagnosis.map((d) => d.id);

// One weight, one sample: yhat = w x = 2 (w = 1, x = 2), loss (y - yhat)^2 = 1 with y = 3,
// dL/dw = 2 (yhat - y) x = -4; SGD lr 0.1: w = 1 - 0.1 * (-4) = 1.4.
const tiny = [
  'model: { inputs: [x], neurons: { yhat: w*x } }',
  'params: { w: 1 }',
  'data: [ { x: 2, y: 3 } ]',
  'loss: { sample: (y - yhat)^2, reduce: sum }',
  'training: { optimizer: sgd, lr: 0.1, epochs: 1 }',
].join('\n');

// The 2-2-2 sigmoid example (inputs 0.05, 0.10; W1 [[0.15, 0.20], [0.25, 0.30]], biases 0.35 and 0.60).
const sigmoid222 = checkerFor(example('sigmoid-2-2-2-sgd.yaml'));

describe('mistakes that compute the whole training another way', () => {
  it('each applies only where the spec has the part it changes (a variant that changes nothing is not computed)', () => {
    const applying = (text: string) => COMMON_MISTAKES.filter((d) => d.applies(parseSpec(text, 'spec.yaml')) !== undefined).map((d) => d.id);
    // One weight, plain SGD: the direction of the step and the sign of the error.
    expect(applying(tiny)).toEqual(['update-wrong-direction', 'error-sign-flipped']);
    // Sigmoid neurons and a squared error: the activation's derivative three ways.
    expect(applying(example('sigmoid-2-2-2-sgd.yaml'))).toEqual(['update-wrong-direction', 'error-sign-flipped', 'pre-activation-for-activation', 'activation-for-pre-activation', 'output-derivative-left-out']);
    // Batch norm: its epsilon and its variance, no activation with a derivative from its output.
    expect(applying(example('batchnorm.yaml'))).toEqual(['update-wrong-direction', 'error-sign-flipped', 'norm-eps-left-out', 'variance-unbiased']);
    // Layer norm: the same two, by the form of its equations; a square root of another sum is no
    // normalisation.
    const layerNorm = [
      'model: { inputs: { x: [3] }, layers: [ { type: LayerNorm, name: ln, normalized_shape: 3 } ] }',
      'data: [ { x: [1, 2, 6], y: [0, 0, 1] } ]',
      'loss: { name: mse, targets: [y] }',
      'training: { optimizer: sgd, lr: 0.1 }',
    ].join('\n');
    expect(applying(layerNorm)).toEqual(['update-wrong-direction', 'error-sign-flipped', 'norm-eps-left-out', 'variance-unbiased']);
    expect(applying(tiny.replace('yhat: w*x', 'yhat: w*sqrt(x^2 + 1)'))).toEqual(['update-wrong-direction', 'error-sign-flipped']);
    // SGD with momentum: the state's three conventions; Adam: its epsilon (already outside its root).
    expect(applying(scalarSpec('x^2/2', '1', '{ optimizer: sgd, lr: 0.1, momentum: 0.9 }'))).toEqual(['update-wrong-direction', 'momentum-velocity-for-buffer', 'momentum-averaged']);
    expect(applying(scalarSpec('x^2/2', '1', '{ optimizer: adam, lr: 0.1 }'))).toEqual(['update-wrong-direction', 'eps-left-out']);
  });

  it('update-wrong-direction: w + lr*g = 1 + 0.1 * (-4) = 0.6, with the gradient -4 written right', () => {
    const r = only(checkerFor(tiny), 'step1:\n  gradients: { w: -4 }\n  params: { w: 0.6 }\n', 'step1.params.w');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '1.4']);
    expect(r.diagnosis).toEqual([{ id: 'update-wrong-direction', text: 'the update in the wrong direction: p = p + lr * g instead of p = p - lr * g' }]);
  });

  it('error-sign-flipped: dL/dyhat written 2 (t - o) = 2, not 2 (yhat - y) = -2, and the gradient 4 from it; the update, w + 0.1 * 4 on that sheet, right', () => {
    const results = graded(checkerFor(tiny), 'step1:\n  sample1: { adjoints: { yhat: 2 } }\n  gradients: { w: 4 }\n  params: { w: 1.4 }\n');
    expect(results.map((r) => [r.path, r.verdict])).toEqual([['step1.sample1.adjoints.yhat', 'wrong'], ['step1.gradients.w', 'carried'], ['step1.params.w', 'correct']]);
    expect(results[0]!.diagnosis).toEqual([{ id: 'error-sign-flipped', text: 'the output error with the opposite sign: dL/dyhat written (t - o) where the loss gives (o - t), and so every gradient' }]);
    // The gradient alone, written 4: the same diagnosis.
    expect(ids(only(checkerFor(tiny), 'step1:\n  gradients: { w: 4 }\n', 'step1.gradients.w'))).toEqual(['error-sign-flipped']);
  });

  it('error-sign-flipped is never tried in a pair: with another mistake it would match unrelated values by chance', () => {
    // The hw7 sheet's b after epoch 2, 0.618: from its own values the update gives 0.68438918...; no
    // single diagnosis reproduces it, and the pairs with the sign flipped (the summed loss or the summed
    // error, each with every gradient's sign flipped) would, within a unit of its last digit.
    const hw7 = new Checker(parseSpec(example('hw7-q2-sheet.yaml'), 'examples/hw7-q2-sheet.yaml'), { steps: 2, final: true });
    const b = hw7.check(parseAnswers(example('hw7-q2.answers.yaml'), 'answers.yaml', hw7.shape), DEFAULT_TOLERANCE).results.find((r) => r.path === 'step2.params.b')!;
    expect([b.verdict, b.written, b.diagnosis]).toEqual(['wrong', '0.618', []]);
  });

  it('the variants are held to the limit on a run\'s work: with room for the exact training alone, nothing is diagnosed', () => {
    // The exact graph of this one-weight training holds 15 quantities (inputs, forward, backward,
    // update); limits.work 29 leaves room for no variant beside it.
    const sheet = 'step1:\n  gradients: { w: -4 }\n  params: { w: 0.6 }\n';
    const bounded = checkerFor(`${tiny}\nlimits: { work: 29 }`);
    expect(bounded.base.graph.nodes).toHaveLength(15);
    const r = only(bounded, sheet, 'step1.params.w');
    expect([r.verdict, r.diagnosis]).toEqual(['wrong', []]);
    expect(ids(only(checkerFor(`${tiny}\nlimits: { work: 1000 }`), sheet, 'step1.params.w'))).toEqual(['update-wrong-direction']);
  });

  it("eps-left-out, Adam: x = 1, loss x^2/2, lr 0.1, eps 1: mhat = vhat = 1, so 1 - 0.1/sqrt(1) = 0.9 where the exact step gives 1 - 0.1/(1 + 1) = 0.95", () => {
    const r = only(checkerFor(scalarSpec('x^2/2', '1', '{ optimizer: adam, lr: 0.1, eps: 1 }')), 'step1:\n  params: { x: 0.90 }\n', 'step1.params.x');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '0.95']);
    expect(r.diagnosis).toEqual([{ id: 'eps-left-out', text: 'eps left out of the denominator (eps = 0, where the spec has 1)' }]);
  });

  describe('Keras RMSprop (eps inside the square root): x = 1, loss x^2/2, lr 0.1, rho 0.9, eps 1, so v = 0.1', () => {
    // mpmath: exact 1 - 0.1/sqrt(1.1) = 0.90465374107544...; eps outside 1 - 0.1/(sqrt(0.1) + 1) =
    // 0.92402530733520...; eps left out 1 - 0.1/sqrt(0.1) = 0.68377223398316...
    const keras = checkerFor(scalarSpec('x^2/2', '1', '{ optimizer: rmsprop, lr: 0.1, rho: 0.9, eps: 1 }', 'conventions: { preset: keras }'));
    it('eps-outside-sqrt: sqrt(v) + eps', () => {
      const r = only(keras, 'step1:\n  params: { x: 0.92403 }\n', 'step1.params.x');
      expect([r.verdict, r.exact.toString().slice(0, 16)]).toEqual(['wrong', '0.90465374107544']);
      expect(r.diagnosis).toEqual([{ id: 'eps-outside-sqrt', text: 'eps outside the square root: sqrt(v) + eps instead of sqrt(v + eps)' }]);
    });
    it('eps-left-out: sqrt(v) alone', () => {
      expect(ids(only(keras, 'step1:\n  params: { x: 0.68377 }\n', 'step1.params.x'))).toEqual(['eps-left-out']);
    });
  });

  describe('momentum in the other convention: x = 1, loss x^2/2, SGD lr 0.1, momentum 0.9, two steps', () => {
    // PyTorch: g1 = 1, buf1 = 1, x1 = 0.9; g2 = 0.9, buf2 = 0.9 * 1 + 0.9 = 1.8, x2 = 0.9 - 0.1 * 1.8 = 0.72
    // (the step sizes 0.1 then 0.18). Keras's velocity: v1 = -0.1 * 1 = -0.1, x1 = 0.9; v2 = 0.9 * (-0.1)
    // - 0.1 * 0.9 = -0.18, x2 = 0.72: the same params, the state -lr times the buffer.
    const sgd = '{ optimizer: sgd, lr: 0.1, momentum: 0.9, epochs: 2 }';
    it('momentum-velocity-for-buffer: the PyTorch buffer written as the velocity -0.1, -0.18, the params right', () => {
      const results = graded(checkerFor(scalarSpec('x^2/2', '1', sgd)),
        'step1:\n  optimizer: { buf: { x: -0.1 } }\n  params: { x: 0.9 }\nstep2:\n  optimizer: { buf: { x: -0.18 } }\n  params: { x: 0.72 }\n');
      expect(results.map((r) => [r.path, r.verdict])).toEqual([
        ['step1.optimizer.buf.x', 'wrong'], ['step1.params.x', 'correct'], ['step2.optimizer.buf.x', 'wrong'], ['step2.params.x', 'correct'],
      ]);
      expect(ids(results[0]!)).toEqual(['momentum-velocity-for-buffer']);
      expect(results[0]!.diagnosis[0]!.text).toBe('buf written as a velocity: buf = momentum * buf - lr * g and p = p + buf, which is -lr times the buffer buf = momentum * buf + g that the step p - lr * buf reads (the same params)');
      expect(ids(results[2]!)).toEqual(['momentum-velocity-for-buffer']);
    });
    it('momentum-buffer-for-velocity: the Keras velocity written as the buffer 1, 1.8', () => {
      const keras = checkerFor(scalarSpec('x^2/2', '1', sgd, 'conventions: { preset: keras }'));
      const results = graded(keras, 'step1:\n  optimizer: { velocity: { x: 1 } }\nstep2:\n  optimizer: { velocity: { x: 1.8 } }\n  params: { x: 0.72 }\n');
      expect(results.map((r) => [r.path, r.verdict, r.exact.toString()])).toEqual([
        ['step1.optimizer.velocity.x', 'wrong', '-0.1'], ['step2.optimizer.velocity.x', 'wrong', '-0.18'], ['step2.params.x', 'correct', '0.72'],
      ]);
      expect(ids(results[0]!)).toEqual(['momentum-buffer-for-velocity']);
      expect(ids(results[1]!)).toEqual(['momentum-buffer-for-velocity']);
    });
    it('momentum-averaged: v = 0.9 v + 0.1 g from 0, so v1 = 0.1, x1 = 0.99, v2 = 0.09 + 0.1 * 0.99 = 0.189, x2 = 0.99 - 0.0189 = 0.9711', () => {
      const results = graded(checkerFor(scalarSpec('x^2/2', '1', sgd)),
        'step1:\n  optimizer: { buf: { x: 0.1 } }\n  params: { x: 0.99 }\nstep2:\n  optimizer: { buf: { x: 0.189 } }\n  params: { x: 0.9711 }\n');
      // The first buffer is the first new error; the rest follow from it (carried).
      expect(results.map((r) => [r.path, r.verdict])).toEqual([
        ['step1.optimizer.buf.x', 'wrong'], ['step1.params.x', 'carried'], ['step2.optimizer.buf.x', 'wrong'], ['step2.params.x', 'carried'],
      ]);
      expect(ids(results[0]!)).toEqual(['momentum-averaged']);
      expect(results[0]!.diagnosis[0]!.text).toBe('momentum as an average of the gradients: buf = momentum * buf + (1 - dampening) * (1 - momentum) * g, starting from 0');
      expect(ids(results[2]!)).toEqual(['momentum-averaged']);
    });
  });

  describe('batch norm (examples/batchnorm.yaml, torch-style BatchNorm1d, eps 1e-5): feature 0 over the batch is 1, 2, 6', () => {
    // mean 3; biased variance (4 + 1 + 9)/3 = 14/3, unbiased 14/2 = 7. mpmath: x-hat of row 1 is
    // -2/sqrt(14/3 + 1e-5) = -0.92581910782403...; without eps -2/sqrt(14/3) = -0.92582009977255...;
    // with the unbiased variance -2/sqrt(7 + 1e-5) = -0.75592840606978...
    const bn = checkerFor(example('batchnorm.yaml'));
    it('variance-unbiased: the variance written as 7, and x-hat from the student\'s own 7', () => {
      const r = only(bn, 'step1:\n  sample1: { bn_var_0: 7 }\n', 'step1.sample1.bn_var_0');
      expect([r.verdict, r.exact.toString().slice(0, 8)]).toEqual(['wrong', '4.666666']);
      expect(r.diagnosis).toEqual([{ id: 'variance-unbiased', text: 'the unbiased variance in bn_var_0, bn_var_1: the squared deviations divided by 2, not 3' }]);
      // x-hat computed from the written 7 is carried, not a new error.
      const xhat = only(bn, 'step1:\n  sample1: { bn_var_0: 7, bn_s0_xhat_0: -0.7559284 }\n', 'step1.sample1.bn_s0_xhat_0');
      expect(xhat.verdict).toBe('carried');
      // Without the variance written, x-hat itself is diagnosed.
      expect(ids(only(bn, 'step1:\n  sample1: { bn_s0_xhat_0: -0.7559284 }\n', 'step1.sample1.bn_s0_xhat_0'))).toEqual(['variance-unbiased']);
    });
    it('norm-eps-left-out: x-hat = -2/sqrt(14/3) = -0.92582010, the exact -0.92581911', () => {
      const r = only(bn, 'step1:\n  sample1: { bn_var_0: 4.6666667, bn_s0_xhat_0: -0.92582010 }\n', 'step1.sample1.bn_s0_xhat_0');
      expect([r.verdict, r.exact.toString().slice(0, 12)]).toEqual(['wrong', '-0.925819107']);
      expect(r.diagnosis).toEqual([{ id: 'norm-eps-left-out', text: expect.stringMatching(/^the epsilon under the square root left out in bn_s0_xhat_0, bn_s1_xhat_0, bn_s2_xhat_0 and 3 more: sqrt\(var\) instead of sqrt\(var \+ eps\)$/) }]);
    });
  });

  it('dropout-without-scale: [0.2, 0.4, 0.6] * mask [1, 0, 1] is [0.2, 0, 0.6], not scaled by 1/(1 - 0.5) to [0.4, 0, 1.2]', () => {
    const spec = [
      'model:',
      '  inputs: { x: [3] }',
      '  layers: [ { type: Dropout, p: 0.5, mask: [[1, 0, 1]] }, { type: Linear, name: fc, in_features: 3, out_features: 1 } ]',
      'params: { fc.weight: [[1, 1, 1]], fc.bias: [0] }',
      'data: [ { x: [0.2, 0.4, 0.6], y: [1.6] } ]',
      'loss: { name: mse, targets: [y] }',
      'training: { optimizer: sgd, lr: 0.1 }',
    ].join('\n');
    const dropout = checkerFor(spec);
    const r = only(dropout, 'step1:\n  sample1: { dropout1_0: 0.2 }\n', 'step1.sample1.dropout1_0');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '0.4']);
    expect(r.diagnosis).toEqual([{ id: 'dropout-without-scale', text: 'dropout without the 1/(1 - p) scale in dropout1_0, dropout1_1, dropout1_2: x * mask, not x * mask / (1 - p)' }]);
    // The layer after it, written alone: fc = 0.2 + 0 + 0.6 = 0.8 (exact 1.6).
    expect(ids(only(dropout, 'step1:\n  sample1: { fc_0: 0.8 }\n', 'step1.sample1.fc_0'))).toEqual(['dropout-without-scale']);
  });

  // dL/dW2_1_1 = (o_1 - t_1) * o_1 (1 - o_1) * h1_1 with z_o1 = 1.10590596705977..., o_1 = 0.75136506955231...,
  // h1_1 = 0.59326999210718... (mpmath): exact 0.08216704056423...; with the pre-activation in the
  // derivative, (o_1 - t_1) * z (1 - z) * h1_1 = -0.05151374614293...; with the derivative taken at the
  // output, (o_1 - t_1) * sigmoid(o_1) (1 - sigmoid(o_1)) * h1_1 = 0.09578976954248...
  it("pre-activation-for-activation: sigmoid's derivative written o (1 - o) but fed the pre-activation z", () => {
    const r = only(sigmoid222, 'step1:\n  sample1: { gradients: { W2_1_1: -0.0515137 } }\n', 'step1.sample1.gradients.W2_1_1');
    expect([r.verdict, r.exact.toString().slice(0, 12)]).toEqual(['wrong', '0.0821670405']);
    expect(ids(r)).toEqual(['pre-activation-for-activation']);
    expect(r.diagnosis[0]!.text).toMatch(/^the pre-activation z put where the activation's output belongs in its derivative: h1_1 \* \(1 - h1_1\) became/);
  });

  it("activation-for-pre-activation: sigmoid'(z) evaluated at the output o instead of at z", () => {
    const r = only(sigmoid222, 'step1:\n  sample1: { gradients: { W2_1_1: 0.0957898 } }\n', 'step1.sample1.gradients.W2_1_1');
    expect(ids(r)).toEqual(['activation-for-pre-activation']);
    expect(r.diagnosis[0]!.text).toMatch(/o_1 \* \(1 - o_1\) became sigmoid\(o_1\) \* \(1 - sigmoid\(o_1\)\)/);
  });

  it("output-derivative-left-out: the output delta (o_1 - t_1) without o_1 (1 - o_1): dL/dW2_1_1 = 0.74136506955231... * 0.59326999210718... = 0.43982964896184...", () => {
    const r = only(sigmoid222, 'step1:\n  sample1: { gradients: { W2_1_1: 0.4398296 } }\n', 'step1.sample1.gradients.W2_1_1');
    expect(ids(r)).toEqual(['output-derivative-left-out']);
    expect(r.diagnosis[0]!.text).toBe("the output activation's derivative left out of the output layer's delta: o_1 * (1 - o_1) became 1, o_2 * (1 - o_2) became 1");
  });
});

describe("slips in one neuron's forward computation, from the student's own values", () => {
  // h1_1 = sigmoid(0.15 * 0.05 + 0.20 * 0.10 + 0.35) = sigmoid(0.3775) = 0.59326999210718... (mpmath).
  it('bias-forgotten: h1_1 = sigmoid(0.0275) = 0.50687456676453...', () => {
    const r = only(sigmoid222, 'step1:\n  sample1: { h1_1: 0.5068746 }\n', 'step1.sample1.h1_1');
    expect([r.verdict, r.exact.toString().slice(0, 12)]).toEqual(['wrong', '0.5932699921']);
    expect(r.diagnosis).toEqual([{ id: 'bias-forgotten', text: 'h1_1 computed without its bias b1_1: h1_1 = sigmoid(W1_1_1 * i1 + W1_1_2 * i2)' }]);
  });

  it('bias-forgotten from the student\'s own hidden values: o_1 = sigmoid(0.40 * 0.5933 + 0.45 * 0.5969) = 0.62385...', () => {
    // With h1_1 = 0.5933 and h1_2 = 0.5969 written (correct to 4 digits), the bias 0.60 left out gives
    // sigmoid(0.23732 + 0.268605) = sigmoid(0.505925) = 0.6238507145780... (mpmath); the exact o_1 is
    // 0.75136507.
    const r = only(sigmoid222, 'step1:\n  sample1: { h1_1: 0.5933, h1_2: 0.5969, o_1: 0.62385 }\n', 'step1.sample1.o_1');
    expect(ids(r)).toEqual(['bias-forgotten']);
  });

  it('weights-transposed: the hidden layer with W1^T, h1_1 = sigmoid(0.15 * 0.05 + 0.25 * 0.10 + 0.35) = 0.59447593074824... and h1_2 = sigmoid(0.20 * 0.05 + 0.30 * 0.10 + 0.35) = 0.59628269929678...', () => {
    // mpmath: sigmoid(0.3825) = 0.594475930748240..., sigmoid(0.39) = 0.596282699296787...
    const results = graded(sigmoid222, 'step1:\n  sample1: { h1_1: 0.5944759, h1_2: 0.5962827 }\n');
    const [h1, h2] = ['step1.sample1.h1_1', 'step1.sample1.h1_2'].map((p) => results.find((r) => r.path === p)!);
    expect(h1!.diagnosis).toContainEqual({ id: 'weights-transposed', text: 'h1_1 computed with the weights transposed (W1_2_1 for W1_1_2): h1_1 = sigmoid(W1_1_1 * i1 + W1_2_1 * i2 + b1_1)' });
    expect(h2!.diagnosis).toContainEqual({ id: 'weights-transposed', text: 'h1_2 computed with the weights transposed (W1_1_2 for W1_2_1): h1_2 = sigmoid(W1_1_2 * i1 + W1_2_2 * i2 + b1_2)' });
    // In one neuron of a 2x2 matrix, the transposition reads one entry from the wrong slot: that
    // diagnosis names the same swap (and for h1_1, by this example's coincidence 0.25 * 0.05 + 0.20 *
    // 0.10 = 0.15 * 0.05 + 0.25 * 0.10, another one).
    expect(h2!.diagnosis.map((d) => d.id)).toEqual(['wrong-slot', 'weights-transposed']);
  });

  it('weights-transposed applies to square matrices only: a 2x3 matrix has no transpose in its place, a kernel is no matrix', () => {
    const square = ['W1_1_1', 'W1_1_2', 'W1_2_1', 'W1_2_2', 'b1_1'];
    expect([...transposedPairs(square)]).toEqual([['W1_1_2', 'W1_2_1'], ['W1_2_1', 'W1_1_2']]);
    const wide = ['fc_weight_0_0', 'fc_weight_0_1', 'fc_weight_0_2', 'fc_weight_1_0', 'fc_weight_1_1', 'fc_weight_1_2'];
    expect(transposedPairs(wide).size).toBe(0);
    expect(transposedPairs(['conv_weight_0_0_0_1', 'conv_weight_0_0_1_0', 'conv_weight_0_0_0_0', 'conv_weight_0_0_1_1']).size).toBe(0);
  });

  it('pre-activation-for-activation, forward: h1_1 written as its pre-activation 0.3775', () => {
    const r = only(sigmoid222, 'step1:\n  sample1: { h1_1: 0.3775 }\n', 'step1.sample1.h1_1');
    expect(r.diagnosis).toEqual([{ id: 'pre-activation-for-activation', text: 'h1_1 written as its pre-activation, without sigmoid: W1_1_1 * i1 + W1_1_2 * i2 + b1_1' }]);
  });
});
