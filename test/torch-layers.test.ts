// torch.nn layers (src/spec/torch-layers.ts, read by src/spec/torch-model.ts): each case is small
// enough to work by hand, and its expected values are worked here in the comments (cases with a
// transcendental value are held to PyTorch instead, in the fixtures of test/fixtures/torch-layers).
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { TORCH_LAYERS } from '../src/spec/torch-layers.js';
import { check, run as runJson } from '../src/index.js';
import { cli, located } from './helpers/spec.js';

const spec = (lines: string[]) => parseSpec(lines.join('\n'), 'net.yaml');

/** Every value of the first sample at step 1, and the params after step 1, as text. */
function step1(lines: string[]) {
  const s = spec(lines);
  const trace = run(s);
  const sample = trace.steps[0]!.samples[0]!.values;
  const after = trace.steps[0]!.values;
  return {
    spec: s,
    value: (name: string) => sample.get(name)!.toString(),
    param: (name: string) => after.get(name)!.toString(),
  };
}


// conv (2 channels) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(2, 1), one SGD step at lr 0.1.
// By hand: channel 0 of the convolution is 1*x00 - x11 over each 2x2 window: 0, -1, -1, 0 (ReLU: all 0);
// channel 1 is 0.5(x00 + x01 - x10 + x11) + 0.1: 2.1, 2.1, 0.1, 2.1. Pooled: 0 and 2.1 (a three-way
// tie). fc = 0.3*0 - 0.2*2.1 + 0.05 = -0.37; loss = (0.5 + 0.37)^2 = 0.7569; dL/dfc = -1.74.
// fc.weight[0][1] -= 0.1 * (-1.74 * 2.1): 0.1654; fc.bias: 0.224. The pooled gradient -1.74 * -0.2 =
// 0.348 goes to the FIRST of the tied maxima (window x = 1, 2 / 0, 1), as PyTorch routes it:
// conv.weight[1] -= 0.1 * 0.348 * (1, 2, 0, 1): 0.4652, 0.4304, -0.5, 0.4652; conv.bias[1]: 0.0652
// (checked against torch 1.13 float64: the same). Split evenly instead, each of the three gets 0.116:
// conv.weight[1][0][0][0] -= 0.1 * 0.116 * (1 + 2 + 1) = 0.4536; [1][0][1][0] -= 0.1 * 0.116 * (0 + 1 + 2): -0.5232.
const CNN = [
  'model:',
  '  inputs: { x: [1, 3, 3] }',
  '  layers:',
  '    - { type: Conv2d, name: conv, in_channels: 1, out_channels: 2, kernel_size: 2 }',
  '    - { type: ReLU }',
  '    - { type: MaxPool2d, kernel_size: 2 }',
  '    - { type: Flatten }',
  '    - { type: Linear, name: fc, in_features: 2, out_features: 1 }',
  'params:',
  '  conv.weight: [[[[1, 0], [0, -1]]], [[[0.5, 0.5], [-0.5, 0.5]]]]',
  '  conv.bias: [0, 0.1]',
  '  fc.weight: [[0.3, -0.2]]',
  '  fc.bias: [0.05]',
  'data:',
  '  - { x: [[[1, 2, 0], [0, 1, 3], [2, 1, 1]]], y: [0.5] }',
  'loss: { name: mse, targets: [y] }',
  'training: { optimizer: sgd, lr: 0.1, epochs: 1 }',
];

describe('a small CNN, worked by hand', () => {
  it('convolves, pools and trains one step as PyTorch does', () => {
    const r = step1(CNN);
    expect(['conv_0_0_0', 'conv_0_0_1', 'conv_0_1_0', 'conv_0_1_1'].map(r.value)).toEqual(['0', '-1', '-1', '0']);
    expect(['conv_1_0_0', 'conv_1_0_1', 'conv_1_1_0', 'conv_1_1_1'].map(r.value)).toEqual(['2.1', '2.1', '0.1', '2.1']);
    expect(r.value('maxpool2d3_1_0_0')).toBe('2.1');
    expect(r.value('fc_0')).toBe('-0.37');
    expect(r.value('loss')).toBe('0.7569');
    expect(r.param('fc_weight_0_1')).toBe('0.1654');
    expect(r.param('fc_bias_0')).toBe('0.224');
    expect(['conv_weight_1_0_0_0', 'conv_weight_1_0_0_1', 'conv_weight_1_0_1_0', 'conv_weight_1_0_1_1', 'conv_bias_1'].map(r.param))
      .toEqual(['0.4652', '0.4304', '-0.5', '0.4652', '0.0652']);
  });

  it('splits a tied maximum evenly with conventions.max_tie: split', () => {
    const r = step1(['conventions: { max_tie: split }', ...CNN]);
    expect(r.param('conv_weight_1_0_0_0')).toBe('0.4536');
    expect(r.param('conv_weight_1_0_1_0')).toBe('-0.5232');
  });

  it('keeps the tensors by their state_dict names and shapes', () => {
    const s = spec(CNN);
    expect(s.tensors!.params.map((p) => [p.name, p.shape])).toEqual([
      ['conv.weight', [2, 1, 2, 2]], ['conv.bias', [2]], ['fc.weight', [1, 2]], ['fc.bias', [1]],
    ]);
    expect(s.tensors!.layers.map((l) => [l.name, l.shape])).toEqual([
      ['conv', [2, 2, 2]], ['relu2', [2, 2, 2]], ['maxpool2d3', [2, 1, 1]], ['flatten4', [2]], ['fc', [1]],
    ]);
    expect(s.outputs).toEqual(['fc_0']);
  });
});

describe('layers worked by hand', () => {
  const one = (input: string, layers: string[], params: string[], row: string, extra: string[] = []) => [
    'model:', `  inputs: { ${input} }`, '  layers:', ...layers.map((l) => `    - ${l}`),
    ...(params.length ? ['params:', ...params.map((p) => `  ${p}`)] : []),
    'data:', `  - ${row}`, 'loss: { name: mse, targets: [y] }', 'training: { optimizer: sgd, lr: 0.1 }', ...extra,
  ];

  it('AvgPool1d with padding counts the padding (count_include_pad)', () => {
    // [1, 2, 4] padded to [0, 1, 2, 4, 0], windows of 2 at stride 1: 0.5, 1.5, 3, 2.
    const r = step1(one('x: [1, 3]', ['{ type: AvgPool1d, kernel_size: 2, stride: 1, padding: 1 }', '{ type: Flatten }', '{ type: Linear, name: fc, in_features: 4, out_features: 1 }'],
      ['fc.weight: [[1, 1, 1, 1]]', 'fc.bias: [0]'], '{ x: [[1, 2, 4]], y: [7] }'));
    expect(['avgpool1d1_0_0', 'avgpool1d1_0_1', 'avgpool1d1_0_2', 'avgpool1d1_0_3'].map(r.value)).toEqual(['0.5', '1.5', '3', '2']);
    // fc = 7 = y: no gradient, nothing moves.
    expect(r.value('loss')).toBe('0');
  });

  it('ConvTranspose1d scatters the kernel times each input', () => {
    // x = [1, 2], kernel [1, -1], stride 2: [1, -1, 2, -2], plus the bias 0.5.
    const r = step1(one('x: [1, 2]', ['{ type: ConvTranspose1d, name: up, in_channels: 1, out_channels: 1, kernel_size: 2, stride: 2 }', '{ type: Flatten }'],
      ['up.weight: [[[1, -1]]]', 'up.bias: [0.5]'], '{ x: [[1, 2]], y: [0, 0, 0, 0] }'));
    expect(['up_0_0', 'up_0_1', 'up_0_2', 'up_0_3'].map(r.value)).toEqual(['1.5', '-0.5', '2.5', '-1.5']);
  });

  it('LayerNorm normalises each sample, then weight and bias', () => {
    // [1, 3]: mean 2, variance 1; with eps 0, x-hat = -1, 1; y = (2 * -1 + 0.1, 0.5 * 1 + 0) = (-1.9, 0.5).
    const r = step1(one('x: [2]', ['{ type: LayerNorm, name: ln, normalized_shape: 2, eps: 0 }'],
      ['ln.weight: [2, 0.5]', 'ln.bias: [0.1, 0]'], '{ x: [1, 3], y: [-1.9, 0.5] }'));
    expect([r.value('ln_mean'), r.value('ln_var'), r.value('ln_xhat_0'), r.value('ln_0'), r.value('ln_1')]).toEqual(['2', '1', '-1', '-1.9', '0.5']);
  });

  it('Dropout applies the given mask of each row, scaled by 1/(1 - p)', () => {
    // [0.2, 0.4, 0.6] * [1, 0, 1] / 0.5 = [0.4, 0, 1.2].
    const r = step1(one('x: [3]', ['{ type: Dropout, p: 0.5, mask: [[1, 0, 1]] }', '{ type: Linear, name: fc, in_features: 3, out_features: 1 }'],
      ['fc.weight: [[1, 1, 1]]', 'fc.bias: [0]'], '{ x: [0.2, 0.4, 0.6], y: [1.6] }'));
    expect(['dropout1_0', 'dropout1_1', 'dropout1_2'].map(r.value)).toEqual(['0.4', '0', '1.2']);
  });

  it('Embedding looks up rows; only the rows looked up get a gradient', () => {
    // indices [2, 0] pick rows [5, 6] and [1, 2]; flattened and summed by fc: 14; y 13, mse over one
    // output: loss 1, dL/dfc = 2; each looked-up entry gets 2 (fc weights 1): W[2] and W[0] drop by 0.2.
    const r = step1(one('idx: [2]', ['{ type: Embedding, name: emb, num_embeddings: 3, embedding_dim: 2 }', '{ type: Flatten }', '{ type: Linear, name: fc, in_features: 4, out_features: 1 }'],
      ['emb.weight: [[1, 2], [3, 4], [5, 6]]', 'fc.weight: [[1, 1, 1, 1]]', 'fc.bias: [0]'], '{ idx: [2, 0], y: [13] }'));
    expect(['emb_0_0', 'emb_0_1', 'emb_1_0', 'emb_1_1'].map(r.value)).toEqual(['5', '6', '1', '2']);
    expect(['emb_weight_0_0', 'emb_weight_1_0', 'emb_weight_2_1'].map(r.param)).toEqual(['0.8', '3', '5.8']);
  });

  it('RNN (relu) over two steps, from a zero state, with tied weights', () => {
    // h0 = relu(2*1 + 0 + 0.1) = 2.1 (no W_hh term from the zero state, b_hh still added);
    // h1 = relu(2*2 + 0 + 0.5*2.1 + 0.1) = 5.15.
    const r = step1(one('x: [2, 1]', ['{ type: RNN, name: rnn, input_size: 1, hidden_size: 1, nonlinearity: relu }', '{ type: Flatten }'],
      ['rnn.weight_ih_l0: [[2]]', 'rnn.weight_hh_l0: [[0.5]]', 'rnn.bias_ih_l0: [0]', 'rnn.bias_hh_l0: [0.1]'], '{ x: [[1], [2]], y: [2.1, 5.15] }'));
    expect([r.value('rnn_0_0'), r.value('rnn_1_0')]).toEqual(['2.1', '5.15']);
  });

  it('MultiheadAttention with is_causal: the first position attends to itself alone', () => {
    const r = step1(one('x: [2, 1]', ['{ type: MultiheadAttention, name: attn, embed_dim: 1, num_heads: 1, is_causal: true }', '{ type: Flatten }'],
      ['attn.in_proj_weight: [[1], [1], [1]]', 'attn.in_proj_bias: [0, 0, 0]', 'attn.out_proj.weight: [[1]]', 'attn.out_proj.bias: [0]'],
      '{ x: [[1], [2]], y: [1, 1.5] }'));
    expect([r.value('attn_weight_0_0_0'), r.value('attn_0_0')]).toEqual(['1', '1']);
    // The second attends to both: weights e^2 / (e^2 + e^4) and e^4 / (e^2 + e^4), so its output lies between 1 and 2.
    const second = Number(r.value('attn_1_0'));
    expect(second).toBeGreaterThan(1.8);
    expect(second).toBeLessThan(1.9);
  });
});

describe('batch norm: statistics over the batch, running statistics as buffers', () => {
  // A batch of two samples x = 1 and x = 3 (one feature): mean 2, biased variance 1; with eps 0,
  // x-hat = -1 and 1; y = 1.5 x-hat + 0.1 = -1.4 and 1.6. The running mean moves to 0.9*0 + 0.1*2 = 0.2,
  // the running variance (unbiased: 1 * 2/1 = 2) to 0.9*1 + 0.1*2 = 1.1; num_batches_tracked to 1.
  // The targets equal the outputs, so nothing trains and the buffers alone move.
  const BN = [
    'model:', '  inputs: { x: [1] }', '  layers:', '    - { type: BatchNorm1d, name: bn, num_features: 1, eps: 0 }',
    'params: { bn.weight: [1.5], bn.bias: [0.1] }',
    'data: [ { x: [1], y: [-1.4] }, { x: [3], y: [1.6] } ]',
    'loss: { name: mse, targets: [y] }', 'training: { optimizer: sgd, lr: 0.1, batch: full }',
  ];
  it('normalises over the batch and updates running_mean and running_var with momentum', () => {
    const s = spec(BN);
    const trace = run(s);
    const step = trace.steps[0]!;
    const sample = step.samples[0]!.values;
    expect(['bn_mean_0', 'bn_var_0', 'bn_s0_xhat_0', 'bn_s1_xhat_0', 'bn_s0_0', 'bn_s1_0'].map((n) => sample.get(n)!.toString())).toEqual(['2', '1', '-1', '1', '-1.4', '1.6']);
    expect(['bn_running_mean_0', 'bn_running_var_0', 'bn_num_batches_tracked', 'bn_weight_0'].map((n) => step.values.get(n)!.toString())).toEqual(['0.2', '1.1', '1', '1.5']);
    expect(s.tensors!.batchSize).toBe(2);
  });
  it('trains on whole batches only', () => {
    expect(located(() => spec(BN.map((l) => l.replace('batch: full', 'batch: 3'))))).toMatch(/training\.batch.*2 data rows do not divide into batches of 3/);
  });
});

describe('forward-only problems with a given upstream gradient', () => {
  // No training section: one pass, no update. loss: { upstream: g } gives dL/d(conv) = g per sample.
  // Kernel [[1, 0], [0, -1]] over x = [[1, 2, 0], [0, 1, 3], [2, 1, 1]] with g = [[1, 0], [0, 1]]:
  // dL/dW[k] = sum over outputs of g * (the input under k): W00: x00 + x11 = 2, W01: x01 + x12 = 5,
  // W10: x10 + x21 = 1, W11: x11 + x22 = 2. dL/dx scatters g through the kernel: dL/dx00 = g00 * W00 = 1,
  // dL/dx11 = g00 * W11 + g11 * W00 = 0, dL/dx22 = g11 * W11 = -1, dL/dx01 = g00 * W01 + g01 * W00 = 0.
  const FWD = [
    'model:', '  inputs: { x: [1, 3, 3] }', '  layers:', '    - { type: Conv2d, name: conv, in_channels: 1, out_channels: 1, kernel_size: 2, bias: false }',
    'params: { conv.weight: [[[[1, 0], [0, -1]]]] }',
    'data: [ { x: [[[1, 2, 0], [0, 1, 3], [2, 1, 1]]], g: [[[1, 0], [0, 1]]] } ]',
    'loss: { upstream: g }',
  ];
  it('gives the gradients of the params and of the input, and changes nothing', () => {
    const trace = run(spec(FWD));
    expect(trace.steps).toHaveLength(1);
    const step = trace.steps[0]!;
    const sample = step.samples[0]!.values;
    expect(['dL/dconv_weight_0_0_0_0', 'dL/dconv_weight_0_0_0_1', 'dL/dconv_weight_0_0_1_0', 'dL/dconv_weight_0_0_1_1'].map((n) => step.values.get(n)!.toString())).toEqual(['2', '5', '1', '2']);
    expect(['dL/dx_0_0_0', 'dL/dx_0_1_1', 'dL/dx_0_2_2', 'dL/dx_0_0_1'].map((n) => sample.get(n)!.toString())).toEqual(['1', '0', '-1', '0']);
    expect(step.values.get('conv_weight_0_0_0_1')!.toString()).toBe('0');
  });
});

describe('the JSON trace gives tensors back', () => {
  it('state_dict and gradients per step, layer outputs and dL/dx per sample, in PyTorch\'s layout', () => {
    const trace = runJson(spec(CNN)) as unknown as { steps: Array<{ tensors: Record<string, unknown>; tensor_gradients: Record<string, unknown>; samples: Array<{ tensors: { input: Record<string, unknown>; input_gradient: Record<string, unknown>; layers: Record<string, unknown> } }> }> };
    const step = trace.steps[0]!;
    // After the step (worked above): conv.weight[1] = [[0.4652, 0.4304], [-0.5, 0.4652]], fc.bias = [0.224].
    expect(step.tensors['conv.weight']).toEqual([[[['1', '0'], ['0', '-1']]], [[['0.4652', '0.4304'], ['-0.5', '0.4652']]]]);
    expect(step.tensors['fc.bias']).toEqual(['0.224']);
    // dL/d fc.weight = -1.74 * (0, 2.1).
    expect(step.tensor_gradients['fc.weight']).toEqual([['0', '-3.654']]);
    const sample = step.samples[0]!.tensors;
    expect(sample.input.x).toEqual([[['1', '2', '0'], ['0', '1', '3'], ['2', '1', '1']]]);
    expect(sample.layers.conv).toEqual([[['0', '-1'], ['-1', '0']], [['2.1', '2.1'], ['0.1', '2.1']]]);
    expect(sample.layers.flatten4).toEqual(['0', '2.1']);
    // dL/dx: 0.348 (the pooled gradient) routed to conv_1_0_0, times the kernel [[0.5, 0.5], [-0.5, 0.5]] at the top-left window.
    expect((sample.input_gradient.x as string[][][])[0]![0]).toEqual(['0.174', '0.174', '0']);
  });
});

describe('the worked solution shows layer outputs as tensors', () => {
  it('a matrix per channel, as rows in text and as pmatrix in TeX', async () => {
    // Channel 1 of the convolution (worked above): [[2.1, 2.1], [0.1, 2.1]].
    const text = await cli(['run', 'net.yaml'], { 'net.yaml': CNN.join('\n') });
    expect(text.out).toContain('      conv[1] = [ 2.1  2.1 ]\n                [ 0.1  2.1 ]\n');
    const md = await cli(['run', 'net.yaml', '--format', 'markdown'], { 'net.yaml': CNN.join('\n') });
    expect(md.out).toContain('\\mathrm{conv}_{1} &= \\begin{pmatrix} 2.1 & 2.1 \\\\ 0.1 & 2.1 \\end{pmatrix}');
    // Max pooling names the element it chose: of the tied 2.1s, the first in scan order.
    expect(text.out).toContain('= 2.1   (the largest: relu2_1_0_0)');
  });
});

describe('a convolution is shown as its window times its kernel', () => {
  it('with the zero padding in the window, per input channel, and the bias', async () => {
    // Conv2d(2 -> 1, kernel 2, padding 1) on x = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]: output [0][0][0]'s
    // window is the top-left corner of the padded input, [[0, 0], [0, 1]] in channel 0 and [[0, 0], [0, 5]]
    // in channel 1; kernels [[1, 2], [3, 4]] and [[-1, 0], [0, 1]]: 4*1 + 1*5 + bias 0.5 = 9.5.
    const yaml = ['model:', '  inputs: { x: [2, 2, 2] }', '  layers:', '    - { type: Conv2d, name: conv, in_channels: 2, out_channels: 1, kernel_size: 2, padding: 1 }',
      'params: { conv.weight: [[[[1, 2], [3, 4]], [[-1, 0], [0, 1]]]], conv.bias: [0.5] }',
      'data: [ { x: [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], g: [[[1, 1, 1], [1, 1, 1], [1, 1, 1]]] } ]', 'loss: { upstream: g }'].join('\n');
    const text = (await cli(['run', 'net.yaml'], { 'net.yaml': yaml })).out;
    expect(text).toContain([
      '      conv_0_0_0 = sum([0 0; 0 x_0_0_0] .* conv_weight_0_0) + sum([0 0; 0 x_1_0_0] .* conv_weight_0_1) + conv_bias_0',
      '                 = sum([0 0; 0 1] .* [1 2; 3 4]) + sum([0 0; 0 5] .* [-1 0; 0 1]) + 0.5',
      '                 = 9.5',
    ].join('\n'));
    // The centre: the whole input in each channel: (1 + 4 + 9 + 16) + (-5 + 8) + 0.5 = 33.5.
    expect(text).toContain('                 = sum([1 2; 3 4] .* [1 2; 3 4]) + sum([5 6; 7 8] .* [-1 0; 0 1]) + 0.5\n                 = 33.5');
    const md = (await cli(['run', 'net.yaml', '--format', 'markdown'], { 'net.yaml': yaml })).out;
    expect(md).toContain('\\mathrm{conv}_{0,0,0} &= \\sum \\begin{pmatrix} 0 & 0 \\\\ 0 & x_{0,0,0} \\end{pmatrix} \\odot \\mathrm{conv\\_weight}_{0,0}');
    expect(md).toContain(' &= \\sum \\begin{pmatrix} 0 & 0 \\\\ 0 & 1 \\end{pmatrix} \\odot \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix} + \\sum');
  });
});

describe('attention shows its score and weight matrices', () => {
  it('with the causal mask as a dot', async () => {
    // x = [[1], [2]], every projection 1: scores q_t k_s / sqrt(1) = [[1, .], [2, 4]]; the first query sees
    // only itself (weight 1).
    const yaml = ['model:', '  inputs: { x: [2, 1] }', '  layers:', '    - { type: MultiheadAttention, name: attn, embed_dim: 1, num_heads: 1, is_causal: true, bias: false }',
      'params: { attn.in_proj_weight: [[1], [1], [1]], attn.out_proj.weight: [[1]] }', 'data: [ { x: [[1], [2]], g: [[1], [1]] } ]', 'loss: { upstream: g }'].join('\n');
    const text = (await cli(['run', 'net.yaml'], { 'net.yaml': yaml })).out;
    expect(text).toContain('      attn_score_0 = [ 1  . ]\n                     [ 2  4 ]\n');
    expect(text).toMatch(/attn_weight_0 = \[ +1 +\. \]/);
  });
});

describe('a loss over the inputs', () => {
  it('may read an input column, as a reconstruction loss does', () => {
    // (x - w x)^2 at x = 2, w = 0.5: loss 1; dL/dw = 2 (x - w x)(-x) = -4; w = 0.5 + 0.1 * 4 = 0.9.
    const trace = run(spec(['model: { inputs: [x], neurons: { h: w*x } }', 'params: { w: 0.5 }', 'data: [ { x: 2 } ]', 'loss: { sample: (x - h)^2 }', 'training: { optimizer: sgd, lr: 0.1 }']));
    expect([trace.steps[0]!.values.get('loss.total')!.toString(), trace.steps[0]!.values.get('w')!.toString()]).toEqual(['1', '0.9']);
  });
});

describe('answers given as tensors', () => {
  it('grades a layer output and a param whole, entry by entry', () => {
    // The CNN above: conv channel 1 is 2.1, 2.1, 0.1, 2.1 (one written wrong); after the step
    // fc.weight = (0.3, 0.1654) (0.165 is its rounding to the digits written).
    const answers = ['step1:', '  sample1:', '    conv: [[[0, -1], [-1, 0]], [[2.1, 2.1], [0.5, 2.1]]]', '  params:', '    fc.weight: [[0.3, 0.165]]'].join('\n');
    const report = check(spec(CNN), answers);
    const verdicts = Object.fromEntries(report.results.map((r) => [r.path, r.verdict]));
    expect(verdicts['step1.sample1.conv_0_0_1']).toBe('correct');
    expect(verdicts['step1.sample1.conv_1_1_0']).toBe('wrong');
    expect(verdicts['step1.params.fc_weight_0_1']).toBe('correct');
    expect(report.results).toHaveLength(10);
  });
  it('wants the whole tensor', () => {
    expect(located(() => check(spec(CNN), 'step1:\n  sample1:\n    conv: [[1, 2]]\n'))).toMatch(/step1\.sample1\.conv: expected the whole tensor, 8 numbers/);
  });
});

describe('mistakes in a torch-style spec are located', () => {
  it('names an unknown layer type with a suggestion', () => {
    expect(located(() => spec(CNN.map((l) => l.replace('MaxPool2d', 'MaxPool2D'))))).toMatch(/model\.layers\[3\]\.type.*unknown layer type 'MaxPool2D'.*did you mean 'MaxPool2d'/);
  });
  it('says which param is missing and its shape', () => {
    expect(located(() => spec(CNN.filter((l) => !l.includes('conv.bias'))))).toMatch(/needs params\.conv\.bias, shape \[2\]/);
  });
  it('points into a param of the wrong shape', () => {
    expect(located(() => spec(CNN.map((l) => l.replace('fc.weight: [[0.3, -0.2]]', 'fc.weight: [[0.3, -0.2, 1]]'))))).toMatch(/params\.fc\.weight\[1\].*shape \[1, 2\].*expected 2 entries/);
  });
  it('refuses a param no layer has', () => {
    expect(located(() => spec([...CNN.slice(0, 13), '  fc.weights: [[1]]', ...CNN.slice(13)]))).toMatch(/no layer has a param fc\.weights.*did you mean 'fc\.weight'/);
  });
  it('checks a layer against its input', () => {
    expect(located(() => spec(CNN.map((l) => l.replace('in_features: 2', 'in_features: 3'))))).toMatch(/model\.layers\[5\]\.in_features.*in_features is 3 but the input's last dimension is 2/);
  });
  it('wants a mask for Dropout and an index in range for Embedding', () => {
    const drop = ['model: { inputs: { x: [2] }, layers: [ { type: Dropout, p: 0.5 } ] }', 'data: [ { x: [1, 2], y: [1, 2] } ]', 'loss: { name: mse, targets: [y] }', 'training: { optimizer: sgd, lr: 0.1 }'];
    expect(located(() => spec(drop))).toMatch(/model\.layers\[1\]\.mask.*gives its mask/);
    const emb = ['model: { inputs: { idx: [1] }, layers: [ { type: Embedding, name: e, num_embeddings: 2, embedding_dim: 1 } ] }', 'params: { e.weight: [[1], [2]] }', 'data: [ { idx: [2], y: [[1]] } ]', 'loss: { name: mse, targets: [y] }', 'training: { optimizer: sgd, lr: 0.1 }'];
    expect(located(() => spec(emb))).toMatch(/data\[1\]\.idx.*from 0 to 1/);
  });
  it('refuses a layer too large to expand before writing any of it', () => {
    const big = ['model: { inputs: { x: [16, 100, 60] }, layers: [ { type: Conv2d, name: c, in_channels: 16, out_channels: 16, kernel_size: 7 } ] }',
      'data: [ { x: 0, y: 0 } ]', 'loss: { name: mse, targets: [y] }', 'training: { optimizer: sgd, lr: 0.1 }'];
    const started = Date.now();
    expect(located(() => spec(big))).toMatch(/model\.layers\[1\].*63,\d{3},\d{3} terms written by the layers/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
  it('lists every kind it knows', () => {
    expect(Object.keys(TORCH_LAYERS)).toEqual(expect.arrayContaining(['Linear', 'Conv1d', 'Conv2d', 'ConvTranspose2d', 'MaxPool1d', 'MaxPool2d', 'AvgPool1d', 'AvgPool2d',
      'Flatten', 'ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'Softplus', 'GELU', 'Softmax', 'LayerNorm', 'Dropout', 'Embedding', 'RNN', 'GRU', 'LSTM', 'MultiheadAttention']));
  });
});
