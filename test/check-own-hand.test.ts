// Checking follows the student's own hand: published walkthroughs graded with the derivatives they
// wrote (1 - h^2 and o (1 - o) from their own rounded values), every quantity they write (local
// derivatives, deltas, pre-activations, one time step's share of a tied weight) gradeable under the
// sheet's own names, and each verdict line naming the student's values that went in. The sources are
// cited in the headers of test/fixtures/published/*walkthrough*.yaml; every expectation below is
// derived by hand from the source's numbers (the exact values were recomputed with mpmath at 30 digits).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec/validate.js';
import { Checker, type FileReport, type Result } from '../src/check/check.js';
import { extentOf, parseAnswers, viewsOf } from '../src/check/answers.js';
import { DEFAULT_TOLERANCE } from '../src/check/tolerance.js';
import { textReport, jsonReport } from '../src/check/report.js';
import { InputError } from '../src/spec/errors.js';
import { cli, example } from './helpers/spec.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/published/${name}`, import.meta.url), 'utf8');

function grade(specText: string, answers: string): FileReport {
  const spec = parseSpec(specText, 'spec.yaml');
  const shape = new Checker(spec, { steps: 0, final: false }).shape;
  const parsed = parseAnswers(answers, 'answers.yaml', shape);
  const checker = new Checker(spec, { ...extentOf([parsed]), views: viewsOf([parsed]) });
  return checker.check(parsed, DEFAULT_TOLERANCE);
}

function at(report: FileReport, path: string): Result {
  const r = report.results.find((x) => x.path === path);
  if (!r) throw new Error(`no result for ${path}`);
  return r;
}

function parseError(specText: string, answers: string): string {
  const spec = parseSpec(specText, 'spec.yaml');
  const shape = new Checker(spec, { steps: 0, final: false }).shape;
  try {
    parseAnswers(answers, 'answers.yaml', shape);
  } catch (e) {
    if (e instanceof InputError) return e.located();
    throw e;
  }
  throw new Error('expected an input error');
}

const BPTT = fixture('bptt-tanh-walkthrough.yaml');

describe('a BPTT walkthrough (tanh RNN over two steps), as published', () => {
  const report = grade(BPTT, fixture('bptt-tanh-walkthrough.answers.yaml'));

  it('finds the source\'s one error: tanh(0.5*2 + 0.1*0.4621) = tanh(1.04621) = 0.780328..., not 0.7790', () => {
    const h2 = at(report, 'step1.sample1.h2');
    expect(h2.verdict).toBe('wrong');
    // The exact h2 = tanh(1 + 0.1*tanh(0.5)) = 0.78032918503928...
    expect(h2.exact.toString().slice(0, 16)).toBe('0.78032918503928');
    expect(report.firstError?.path).toBe('step1.sample1.h2');
    // The recomputation names the value of the student's that went in through a2 (it is not "none").
    const text = textReport(report, { colour: false });
    expect(text).toContain('(with a2 = 1.04621 recomputed from your step1.sample1.h1)');
    expect(text).not.toContain('none of yours go in');
  });

  it('the values before it are correct: h1 = tanh(0.5) = 0.46211..., y1 = 2*h1 = 0.92423...', () => {
    expect(at(report, 'step1.sample1.h1').verdict).toBe('correct');
    expect(at(report, 'step1.sample1.y1').verdict).toBe('correct');
  });

  it('everything after it is carried from the source\'s own values', () => {
    // y2 = 2*0.7790 = 1.558 exactly; dL/dy2 = 1.558 - 2 = -0.442; dL/dh2 = -0.442*2 = -0.884.
    for (const p of ['step1.sample1.y2', 'step1.sample1.adjoints.y2', 'step1.sample1.adjoints.h2']) {
      expect(at(report, p).verdict, p).toBe('carried');
      expect(at(report, p).slip, p).toBeUndefined();
    }
    // L = L1 + L2 = 0.00288 + 0.0978 = 0.10068 -> 0.1007, from the source's own terms.
    expect(at(report, 'step1.sample1.loss').verdict).toBe('carried');
    expect(at(report, 'step1.sample1.loss').used.map((u) => u.label)).toEqual(['L1', 'L2']);
  });

  it('tanh\'(a2) = 1 - 0.7790^2 = 0.393159 written 0.3931 is carried with a rounding slip, computed as 1 - h^2 from the source\'s h2', () => {
    const local = at(report, 'step1.sample1.local_derivatives.h2');
    expect(local.alias).toBe("tanh'(a2)");
    expect(local.verdict).toBe('carried');
    expect(local.slip).toBe(true);
    // The exact tanh'(a2) = 1 - 0.780329185^2 = 0.39108636...
    expect(local.exact.toString().slice(0, 10)).toBe('0.39108636');
    expect(local.used).toEqual([{ path: 'step1.sample1.h2', label: 'h2', written: '0.7790', form: '1 - h2 ^ 2' }]);
  });

  it('dL/da2 = -0.884 * 0.3931 = -0.3475004 is carried, the written tanh\'(a2) going in where the backward pass reads 1 - h2^2', () => {
    const r = at(report, 'step1.sample1.adjoints.a2');
    expect(r.verdict).toBe('carried');
    expect(r.slip).toBeUndefined();
    expect(r.used.map((u) => `${u.label} = ${u.written}`)).toEqual(['dL/dh2 = -0.884', "tanh'(a2) = 0.3931"]);
  });

  it('the time step t = 2\'s shares of the tied weights are carried: dL/dWx = -0.3475*2 = -0.695, dL/dWh = -0.3475*0.4621 = -0.16058', () => {
    const wx = at(report, 'step1.sample1.via.Wx.a2');
    expect(wx.verdict).toBe('carried');
    // Exact: dL/da2 * x2 = -0.34364104029978... * 2.
    expect(wx.exact.toString().slice(0, 15)).toBe('-0.687282080599');
    expect(at(report, 'step1.sample1.via.Wh.a2').verdict).toBe('carried');
  });

  it('L2 = (1.558 - 2)^2/2 = 0.097682, written 0.0978 (1.2 units off), is carried with a rounding slip: y2 = 1.558 +- 0.0005 moves L2 by 0.00022', () => {
    const r = at(report, 'step1.sample1.L2');
    expect(r.verdict).toBe('carried');
    expect(r.slip).toBe(true);
    expect(textReport(report, { colour: false })).toMatch(/step1\.sample1\.L2 +0\.0978 +carried, rounding slip with your y2 = 1\.558;/);
  });

  it('the JSON report gives the values that went in, their forms and the slip', () => {
    const json = jsonReport(report) as { results: Array<Record<string, unknown>> };
    const local = json.results.find((r) => r.path === 'step1.sample1.local_derivatives.h2')!;
    expect(local.rounding_slip).toBe(true);
    expect(local.alias).toBe("tanh'(a2)");
    expect(local.used).toEqual([{ path: 'step1.sample1.h2', written: '0.7790', form: '1 - h2 ^ 2' }]);
  });
});

describe('the issue\'s case: dL/da2 = -0.3475 written from h2 = 0.7790 alone', () => {
  const report = grade(BPTT, 'step1:\n  sample1: { h1: 0.4621, h2: 0.7790, adjoints: { h2: -0.884, a2: -0.3475 } }\n');

  it('is carried (with a rounding slip): -0.884 * (1 - 0.7790^2) = -0.3475526, 0.53 units of its last digit away', () => {
    const r = at(report, 'step1.sample1.adjoints.a2');
    expect(r.verdict).toBe('carried');
    expect(r.slip).toBe(true);
    expect(textReport(report, { colour: false })).toContain('carried, rounding slip with 1 - h2 ^ 2 from your h2 = 0.7790, your dL/dh2 = -0.884; exact -0.343641040299…');
  });
});

describe('a wrong adjoint is worked out again through the student\'s own h, not tanh of the pre-activation', () => {
  it('dL/da2 = -0.40 for -0.884 * (1 - 0.7790^2) = -0.347552556', () => {
    const report = grade(BPTT, 'step1:\n  sample1: { h1: 0.4621, h2: 0.7790, adjoints: { h2: -0.884, a2: -0.40 } }\n');
    expect(at(report, 'step1.sample1.adjoints.a2').verdict).toBe('wrong');
    expect(textReport(report, { colour: false })).toContain([
      '      dL/da2 = dL/dh2 * (1 - h2 ^ 2)',
      '             = (-0.884) * (1 - 0.779 ^ 2)',
      '             = -0.347552556   (with your dL/dh2 = -0.884 (step1.sample1.adjoints.h2), h2 = 0.779 (step1.sample1.h2) in 1 - h2 ^ 2)',
    ].join('\n'));
  });
});

describe('a sigmoid neuron walkthrough with o (1 - o) from its own 4-decimal values', () => {
  const report = grade(fixture('sigmoid-neuron-walkthrough.yaml'), fixture('sigmoid-neuron-walkthrough.answers.yaml'));

  it('y_pred = sigmoid(-0.2) = 0.450166 -> 0.4502 and its derivative 0.4502*0.5498 = 0.24752 -> 0.2475 are correct', () => {
    expect(at(report, 'step1.sample1.y_pred').verdict).toBe('correct');
    expect(at(report, 'step1.sample1.local_derivatives.y_pred').verdict).toBe('correct');
  });

  it('dL/dz = -0.5498*0.2475 = -0.13608 written -0.1360 is within one unit of the exact -0.136093: a rounding slip', () => {
    expect(at(report, 'step1.sample1.adjoints.z').verdict).toBe('rounding-slip');
    expect(at(report, 'step1.gradients.w11').verdict).toBe('rounding-slip');
  });

  it('dL/dw12 = -0.1360*2 = -0.2720 is carried from the written dL/dz (exact -0.272186, 1.9 units away)', () => {
    const r = at(report, 'step1.gradients.w12');
    expect(r.verdict).toBe('carried');
    expect(r.used).toEqual([{ path: 'step1.sample1.adjoints.z', label: 'step1.sample1.adjoints.z', written: '-0.1360' }]);
  });

  it('the updated weights are correct: 0.5 + 0.1*0.136093 = 0.51361 -> 0.5136, -0.4 + 0.1*0.272186 = -0.37278 -> -0.3728', () => {
    for (const p of ['w11', 'w12', 'b']) expect(at(report, `step1.params.${p}`).verdict).toBe('correct');
    expect(report.summary.wrong).toBe(0);
  });
});

describe('the widely published 2-2-2 sigmoid example, every number under its own name', () => {
  // examples/sigmoid-2-2-2-sgd.yaml cites the example; its 9-digit values are each the exact value
  // rounded, except dE_o2/dout_h1 = -0.019049119 (exact -0.01904911826: the source's own rounding).
  const answers = `aliases:
  net_h1: step1.sample1.pre_activations.h1_1
  out_h1: step1.sample1.h1_1
  net_o1: step1.sample1.pre_activations.o_1
  out_o1: step1.sample1.o_1
  E_total: step1.sample1.loss
  dE/dout_o1: step1.sample1.adjoints.o_1
  dout_o1/dnet_o1: step1.sample1.local_derivatives.o_1
  dE/dnet_o1: step1.sample1.deltas.o_1
  dE_o1/dout_h1: step1.sample1.via.h1_1.o_1
  dE_o2/dout_h1: step1.sample1.via.h1_1.o_2
  dE/dout_h1: step1.sample1.adjoints.h1_1
  dout_h1/dnet_h1: step1.sample1.local_derivatives.h1_1
  dE/dw1: step1.gradients.W1_1_1
  w5+: step1.params.W2_1_1
net_h1: 0.3775
out_h1: 0.593269992
net_o1: 1.105905967
out_o1: 0.75136507
E_total: 0.298371109
dE/dout_o1: 0.74136507
dout_o1/dnet_o1: 0.186815602
dE/dnet_o1: 0.138498562
dE_o1/dout_h1: 0.055399425
dE_o2/dout_h1: -0.019049119
dE/dout_h1: 0.036350306
dout_h1/dnet_h1: 0.241300709
dE/dw1: 0.000438568
w5+: 0.35891648
`;
  const report = grade(example('sigmoid-2-2-2-sgd.yaml'), answers);

  it('grades the pre-activations, local derivatives, deltas and per-use shares it writes', () => {
    for (const p of ['pre_activations.h1_1', 'pre_activations.o_1', 'local_derivatives.o_1', 'deltas.o_1', 'via.h1_1.o_1', 'local_derivatives.h1_1']) {
      expect(at(report, `step1.sample1.${p}`).verdict, p).toBe('correct');
    }
    expect(at(report, 'step1.sample1.via.h1_1.o_2').verdict).toBe('rounding-slip');
    expect(report.summary).toEqual({ correct: 13, 'rounding-slip': 1, carried: 0, wrong: 0 });
  });

  it('a delta of its own: dE/dnet_o1 = (o_1 - t1) o_1 (1 - o_1) = 0.13849856162... (mpmath), published 0.138498562', () => {
    expect(at(report, 'step1.sample1.deltas.o_1').exact.toString().slice(0, 14)).toBe('0.138498561628');
  });
});

describe('answers files: aliases, views and hints', () => {
  it('a bare pre-activation is the neuron it names, and its delta that neuron\'s adjoint', () => {
    const r = grade(BPTT, 'step1:\n  sample1:\n    pre_activations: { h2: 1.0462 }\n    deltas: { h2: -0.3436 }\n');
    expect(r.results.map((x) => [x.path, x.verdict])).toEqual([
      ['step1.sample1.pre_activations.h2', 'correct'],
      ['step1.sample1.deltas.h2', 'correct'],
    ]);
    // The same quantity twice, once as a2 and once as h2's pre-activation.
    expect(parseError(BPTT, 'step1:\n  sample1:\n    a2: 1\n    pre_activations: { h2: 1 }\n')).toContain('is given twice');
  });

  it('a view is added only where it is written, also in the final forward pass', () => {
    const spec = parseSpec(example('sigmoid-2-2-2-sgd.yaml'), 'spec.yaml');
    const shape = new Checker(spec, { steps: 0, final: false }).shape;
    const parsed = parseAnswers('final:\n  sample1:\n    pre_activations: { o_1: 1.0568 }\n', 'answers.yaml', shape);
    expect(viewsOf([parsed])).toEqual([{ kind: 'pre', of: 'o_1', step: 2, row: 0 }]);
    const checker = new Checker(spec, { steps: 1, final: true, views: viewsOf([parsed]) });
    // After the step: 0.35891648*out_h1' + 0.408666186*out_h2' + 0.6 with the updated hidden weights,
    // 1.0568499..., one view node in the graph.
    expect(checker.check(parsed, DEFAULT_TOLERANCE).results[0]!.verdict).toBe('correct');
    expect(checker.base.graph.nodes.filter((n) => n.role === 'view')).toHaveLength(1);
  });

  it('a share the equations do not keep apart is an input error at its line: softmax with cross-entropy is one rule, p - y', async () => {
    const r = await cli(['check', 'examples/softmax-classifier.yaml', 'a.yaml'], { 'a.yaml': 'step1:\n  sample1:\n    via: { z1_1: { p_1: 0.1 } }\n' });
    expect(r.code).toBe(2);
    expect(r.err).toBe("exactprop: a.yaml:3: at step1.sample1.via.z1_1.p_1: step1.sample1.via.z1_1.p_1 cannot be graded: the training has no such part of its equations (its backward formula does not keep that use's term apart)\n");
  });

  it('dL/dy as a key says where an adjoint or a gradient goes', () => {
    expect(parseError(BPTT, 'step1:\n  sample1:\n    dL/dy2: 2\n')).toContain("unknown neuron 'dL/dy2' in step1.sample1 (an adjoint: write it as adjoints: { y2: ... })");
    expect(parseError(BPTT, 'step1:\n  sample1:\n    dL/dWx: 2\n')).toContain('(a gradient: write it as gradients: { Wx: ... }');
    expect(parseError(BPTT, 'step1:\n  dE/dWh: 2\n')).toContain("unknown key 'dE/dWh' in step1 (a gradient: write it as gradients: { Wh: ... })");
  });

  it('an unknown use lists the accepted ones, with a did-you-mean', () => {
    expect(parseError(BPTT, 'step1:\n  sample1:\n    via: { Wx: { a3: 2 } }\n')).toBe(
      "answers.yaml:3: at step1.sample1.via.Wx.a3: unknown use 'a3' of 'Wx' (a quantity whose equation reads it) (did you mean 'a1'?); expected a1, a2",
    );
  });

  it('an alias to a quantity that does not exist is located at the alias, with the path it read', () => {
    expect(parseError(BPTT, 'aliases: { d2: step1.sample1.adjoints.a9 }\nd2: 1\n')).toBe(
      "answers.yaml:2: at d2: unknown neuron 'a9' (did you mean 'a1'?); expected a1, h1, y1, a2, h2, y2, L1, L2 (read as step1.sample1.adjoints.a9, by the alias d2: step1.sample1.adjoints.a9)",
    );
    expect(parseError(BPTT, 'aliases: { step1: step1.loss }\n')).toContain("'step1' is a key of the answers themselves");
    expect(parseError(BPTT, 'aliases: { E: loss }\n')).toContain('expected the path of a quantity');
    expect(parseError(BPTT, 'aliases: { E: step1.loss }\nE2: 1\n')).toContain("unknown key 'E2' (did you mean 'E'?); expected step1, epoch1, final, aliases, E");
  });
});

describe('the other functions hand calculations write from their own values', () => {
  it('softmax with cross-entropy: dL/dz1_1 = (p_1 - y1)/3 from the written p_1 = 0.2600 is (0.26 - 1)/3 = -0.24667, carried', () => {
    const report = grade(example('softmax-classifier.yaml'), 'step1:\n  sample1:\n    p_1: 0.2600\n    adjoints: { z1_1: -0.2467 }\n');
    // The exact p_1 = softmax(0, 0.6, 0.2)_1 = 1/(1 + e^0.6 + e^0.2) = 0.24730917976...
    expect(at(report, 'step1.sample1.p_1').verdict).toBe('wrong');
    const r = at(report, 'step1.sample1.adjoints.z1_1');
    expect(r.verdict).toBe('carried');
    expect(r.used).toEqual([{ path: 'step1.sample1.p_1', label: 'p_1', written: '0.2600', form: 'p_1 - y1' }]);
  });

  it('exp: de/dz = e, read from the written e = 2.9 (exp(1) = 2.71828...), so dL/dz = 2.9 is carried', () => {
    const spec = 'model:\n  inputs: [x]\n  neurons:\n    z: w*x\n    e: exp(z)\n  outputs: [e]\nparams: { w: 1 }\ndata:\n  - { x: 1 }\nloss: { sample: e, reduce: sum }\ntraining: { optimizer: sgd, lr: 0.1, epochs: 1 }\n';
    const report = grade(spec, 'step1:\n  sample1:\n    e: 2.9\n    adjoints: { z: 2.9 }\n    local_derivatives: { e: 2.9 }\n');
    expect(at(report, 'step1.sample1.e').verdict).toBe('wrong');
    expect(at(report, 'step1.sample1.adjoints.z').verdict).toBe('carried');
    expect(at(report, 'step1.sample1.local_derivatives.e').verdict).toBe('carried');
  });
});

describe('batch statistics of a torch-style BatchNorm layer, a step\'s `batch:` section', () => {
  // test/fixtures/published/so-pytorch-batchnorm1d.yaml: the batch [[3, 2], [1, 4]]; feature 0 has mean
  // 2 and biased variance ((3-2)^2 + (1-2)^2)/2 = 1, feature 1 mean 3 and variance 1. The question's
  // own attempt divides by n - 1, a variance of 2.
  const spec = fixture('so-pytorch-batchnorm1d.yaml');

  it('grades them whole (by channel) or one by one', () => {
    const report = grade(spec, 'step1:\n  batch:\n    bn_mean: [2, 3]\n    bn_var_0: 1\n');
    expect(report.results.map((r) => [r.path, r.verdict])).toEqual([
      ['step1.batch.bn_mean_0', 'correct'],
      ['step1.batch.bn_var_0', 'correct'],
      ['step1.batch.bn_mean_1', 'correct'],
    ]);
  });

  it('the Bessel-corrected variance 2.0 is wrong, and what follows from it carried: xhat = (3 - 2)/sqrt(2 + 1e-5)', () => {
    const report = grade(spec, 'step1:\n  batch: { bn_var_0: 2.0 }\n  sample1: { bn_s0_xhat_0: 0.7071 }\n');
    expect(at(report, 'step1.batch.bn_var_0').verdict).toBe('wrong');
    // 1/sqrt(2.00001) = 0.70710501..., 0.7071 within half a unit of it.
    expect(at(report, 'step1.sample1.bn_s0_xhat_0').verdict).toBe('carried');
  });

  it('a layer\'s output is the whole batch\'s, as PyTorch prints it: [[1.0000, -1.0000], [-1.0000, 1.0000]] (exact 1/sqrt(1 + 1e-5) = 0.999995)', () => {
    const report = grade(spec, 'step1:\n  sample1:\n    bn: [[1.0000, -1.0000], [-1.0000, 1.0000]]\n');
    expect(report.results.map((r) => [r.path, r.verdict])).toEqual([
      ['step1.sample1.bn_s0_0', 'correct'],
      ['step1.sample1.bn_s1_0', 'correct'],
      ['step1.sample1.bn_s0_1', 'correct'],
      ['step1.sample1.bn_s1_1', 'correct'],
    ]);
    expect(parseError(spec, 'step1:\n  sample1:\n    bn: [1, -1]\n')).toContain('expected the whole tensor, 4 numbers');
  });

  it('a model without batch norm has no `batch:` section', () => {
    expect(parseError(BPTT, 'step1:\n  batch: { m: 1 }\n')).toContain("unknown key 'batch' in step1");
  });
});

describe('a torch.nn.RNN\'s tied weight, one time step at a time', () => {
  // One unit, x = [1, 2], W_ih = 0.5, W_hh = 0.1, zero biases, MSE against [1, 2]: h_0 = tanh(0.5),
  // h_1 = tanh(1 + 0.1 h_0). By hand (mpmath, 30 digits): the share of dL/dW_ih through time step 1 is
  // (h_1 - 2)(1 - h_1^2) * 2 = -0.95399324610..., through time step 0 ((h_0 - 1) + (h_1 - 2)(1 - h_1^2)
  // * 0.1)(1 - h_0^2) * 1 = -0.46053003355...; together PyTorch's float64 gradient -1.4145232796589613.
  const spec = `model:
  inputs: { x: [2, 1] }
  layers:
    - { type: RNN, name: rnn, input_size: 1, hidden_size: 1 }
params: { rnn.weight_ih_l0: [[0.5]], rnn.weight_hh_l0: [[0.1]], rnn.bias_ih_l0: [0], rnn.bias_hh_l0: [0] }
data:
  - { x: [[1.0], [2.0]], y: [[1.0], [2.0]] }
loss: { name: mse, targets: [y] }
`;
  const report = grade(spec, 'step1:\n  sample1:\n    via: { rnn_weight_ih_l0_0_0: { rnn_0_0: -0.4605, rnn_1_0: -0.9540 } }\n  gradients: { rnn.weight_ih_l0: [[-1.4145]] }\n');

  it('grades each time step\'s share of dL/dW_ih under the output it goes through', () => {
    expect(at(report, 'step1.sample1.via.rnn_weight_ih_l0_0_0.rnn_0_0').exact.toString().slice(0, 13)).toBe('-0.4605300335');
    expect(at(report, 'step1.sample1.via.rnn_weight_ih_l0_0_0.rnn_1_0').exact.toString().slice(0, 13)).toBe('-0.9539932461');
    expect(report.summary).toEqual({ correct: 3, 'rounding-slip': 0, carried: 0, wrong: 0 });
    expect(Number(at(report, 'step1.gradients.rnn_weight_ih_l0_0_0').exact.toString())).toBeCloseTo(-1.4145232796589613, 14);
  });

  it('the hidden-to-hidden weight is used from time step 1 on (h_{-1} = 0)', () => {
    expect(parseError(spec, 'step1:\n  sample1:\n    via: { rnn_weight_hh_l0_0_0: { rnn_0_0: 1 } }\n')).toContain("unknown use 'rnn_0_0' of 'rnn_weight_hh_l0_0_0' (a quantity whose equation reads it) (did you mean 'rnn_1_0'?); expected rnn_1_0");
  });
});

describe('a ReLU\'s local derivative follows the student\'s own activation', () => {
  it('hw7 epoch 2: z of h2 is exactly 0 with the exact params (relu\'(0) = 0), but the sheet wrote h2 = 0.198, so relu\' = 1.0 is carried', () => {
    const report = grade(example('hw7-q2-sheet.yaml'), 'epoch2:\n  sample1:\n    h2: 0.198\n    local_derivatives: { h2: 1.0 }\n');
    const r = at(report, 'step2.sample1.local_derivatives.h2');
    expect(r.exact.isZero()).toBe(true);
    expect(r.verdict).toBe('carried');
    expect(r.used).toEqual([{ path: 'step2.sample1.h2', label: 'h2', written: '0.198', form: 'heaviside(h2)' }]);
  });
});
