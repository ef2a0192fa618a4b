// Breadth: conventions presets against published documentation examples, dense layers, losses by
// name, softmax, optimizers written as equations, CSV data, frozen params, and the JSON Schema.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import { at, cli, example, runYaml, scalarSpec } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { specJsonSchema } from '../src/spec/json-schema.js';
import { run } from '../src/graph/run.js';
import { replaced } from './helpers/replaced.js';
import { allSpecs } from './helpers/specs.js';

const halfSquare = (x: string, training: string, conventions = '') => runYaml(scalarSpec('x^2/2', x, training, conventions));
const keras = 'conventions: keras\n';

describe('conventions: keras, against the Keras documentation examples (loss x^2/2)', () => {
  it('RMSprop, lr 0.1, x = 10: one step gives 9.683772', () => {
    const x = at(halfSquare('10', '{ optimizer: rmsprop, lr: 0.1 }', keras), 1, 'x');
    expect(x).toMatch(/^9\.683772/); // 10 - 0.1 * 10 / sqrt(10 + 1e-7)
  });
  it('Adam, lr 0.1, x = 10: the first step is about lr, 9.9', () => {
    const x = Number(at(halfSquare('10', '{ optimizer: adam, lr: 0.1 }', keras), 1, 'x'));
    expect(x).toBeCloseTo(9.9, 6);
  });
  it('SGD, lr 0.1, x = 1: 0.9; with momentum 0.9 the steps are 0.1 then 0.18', () => {
    expect(at(halfSquare('1', '{ optimizer: sgd, lr: 0.1 }', keras), 1, 'x')).toBe('0.9');
    const t = halfSquare('1', '{ optimizer: sgd, lr: 0.1, momentum: 0.9, epochs: 2 }', keras);
    expect(at(t, 1, 'velocity[x]')).toBe('-0.1');
    expect(at(t, 2, 'x')).toBe('0.72');
  });
  it('Adam with epsilon hat differs from the PyTorch form exactly by where eps sits', () => {
    const k = halfSquare('10', '{ optimizer: adam, lr: 0.1, eps: 1e-3 }', keras);
    const p = halfSquare('10', '{ optimizer: adam, lr: 0.1, eps: 1e-3 }');
    // Keras: 10 - (0.1 * sqrt(0.001) / 0.1) * 1 / (sqrt(0.1) + 1e-3); PyTorch: 10 - 0.1 * 10 / (10 + 1e-3)
    expect(at(k, 1, 'x')).toMatch(/^9\.90031523091832602119/);
    expect(at(p, 1, 'x')).toMatch(/^9\.900009999000099990/);
  });
  it('Adagrad: the accumulator starts at 0.1 and eps sits inside the square root', () => {
    const t = halfSquare('1', '{ optimizer: adagrad, lr: 0.1, eps: 0 }', keras);
    expect(at(t, 1, 'accumulator[x]')).toBe('1.1');
    expect(at(t, 1, 'x')).toMatch(/^0\.904653741075440768455/); // 1 - 0.1 / sqrt(1.1)
  });
  it('weight decay is decoupled: p - p*wd*lr before the step', () => {
    const t = halfSquare('1', '{ optimizer: sgd, lr: 0.1, weight_decay: 0.5 }', keras);
    expect(at(t, 1, 'p_decayed[x]')).toBe('0.95');
    expect(at(t, 1, 'x')).toBe('0.85'); // 0.95 - 0.1 * 1
  });
  it('a mapping overrides single keys of a preset, and the trace states the conventions in force', async () => {
    const spec = parseSpec(scalarSpec('x^2/2', '1', '{ optimizer: sgd, lr: 0.1 }', 'conventions: { preset: keras, relu_at_zero: 1 }\n'), 's.yaml');
    expect(spec.conventions).toEqual({ preset: 'keras', relu_at_zero: '1' });
    const r = await cli(['run', 's.yaml', '--format', 'json'], { 's.yaml': scalarSpec('x^2/2', '1', '{ optimizer: sgd, lr: 0.1 }', keras) });
    expect(JSON.parse(r.out).conventions).toEqual({ preset: 'keras', relu_at_zero: '0' });
    const text = await cli(['run', 's.yaml'], { 's.yaml': scalarSpec('x^2/2', '1', '{ optimizer: sgd, lr: 0.1 }', keras) });
    expect(text.out).toContain('conventions: keras; relu_at_zero = 0');
    const md = await cli(['run', 's.yaml', '--format', 'markdown'], { 's.yaml': scalarSpec('x^2/2', '1', '{ optimizer: sgd, lr: 0.1 }', keras) });
    expect(md.out).toContain('The conventions in force: the Keras 3 preset (conventions: keras)');
  });
  it("paper: two steps of the Adam paper's Algorithm 1, worked by hand on f(x) = x^2/2 from x = 10", () => {
    // Kingma & Ba (2015), Algorithm 1, with alpha = 0.1, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, m0 = v0 = 0:
    //   g_t = f'(x_{t-1}) = x_{t-1};  m_t = b1 m_{t-1} + (1 - b1) g_t;  v_t = b2 v_{t-1} + (1 - b2) g_t^2
    //   mhat_t = m_t / (1 - b1^t);  vhat_t = v_t / (1 - b2^t);  x_t = x_{t-1} - alpha mhat_t / (sqrt(vhat_t) + epsilon)
    // t = 1: g = 10, m = 1, v = 0.1, mhat = 1/0.1 = 10, vhat = 0.1/0.001 = 100,
    //        x = 10 - 0.1 * 10 / (10 + 1e-8) = 10 - 0.1/(1 + 1e-9) = 10 - 0.1 + 1e-10 - 1e-19 + 1e-28 - ...
    //          = 9.9000000000 999999999 000000000 999999999 ...
    // t = 2: g = x_1, m = 0.9 + 0.1 x_1 = 1.8900000000099999999900..., v = 0.0999 + 0.001 x_1^2 = 0.19791000000197999999803...,
    //        mhat = m / 0.19 = 9.9473684211052631578421..., vhat = v / 0.001999 = 99.004502252116058028029...,
    //        x = x_1 - 0.1 mhat / (sqrt(vhat) + 1e-8) = 9.8000274591596936642738562435...
    // (the long digits: the same five lines in Python's decimal at 80 digits). The Keras form (epsilon hat,
    // eps beside sqrt(v) and the corrections folded into the step size) gives x_1 = 9.90000000316..., so the
    // ninth decimal already tells the two apart.
    const t = halfSquare('10', '{ optimizer: adam, lr: 0.1, epochs: 2 }', 'conventions: paper\n');
    expect(at(t, 1, 'm[x]')).toBe('1');
    expect(at(t, 1, 'v[x]')).toBe('0.1');
    expect(at(t, 1, 'mhat[x]')).toBe('10');
    expect(at(t, 1, 'vhat[x]')).toBe('100');
    expect(at(t, 1, 'x')).toMatch(/^9\.900000000099999999900000000099999999900000000/);
    expect(at(t, 2, 'g[x]')).toMatch(/^9\.900000000099999999900000000099999999900000000/);
    expect(at(t, 2, 'm[x]')).toMatch(/^1\.890000000009999999990000000009999999990000000/);
    expect(at(t, 2, 'v[x]')).toMatch(/^0\.197910000001979999998030000001959999998050000/);
    expect(at(t, 2, 'mhat[x]')).toMatch(/^9\.947368421105263157842105263210526315736842105/);
    expect(at(t, 2, 'vhat[x]')).toMatch(/^99\.00450225211605802802901450823411705755377688/);
    expect(at(t, 2, 'x')).toMatch(/^9\.800027459159693664273856243506154703283342570002/);
  });
});

describe('dense layers', () => {
  const trace = run(parseSpec(example('sigmoid-2-2-2-sgd.yaml'), 'examples/sigmoid-2-2-2-sgd.yaml'));
  it('expand to named neurons and params', () => {
    expect(trace.spec.neurons.map((n) => n.name)).toEqual(['h1_1', 'h1_2', 'o_1', 'o_2']);
    expect(trace.spec.neurons[0]!.text).toBe('sigmoid(W1_1_1*i1 + W1_1_2*i2 + b1_1)');
    expect(trace.spec.outputs).toEqual(['o_1', 'o_2']);
  });
  it('reproduce the published step-by-step backpropagation example', () => {
    const s = trace.steps[0]!;
    expect(s.samples[0]!.values.get('h1_1')!.toSignificantDigits(9).toString()).toBe('0.593269992');
    expect(s.samples[0]!.values.get('o_1')!.toSignificantDigits(8).toString()).toBe('0.75136507');
    expect(s.values.get('loss.total')!.toSignificantDigits(9).toString()).toBe('0.298371109');
    expect(s.values.get('W2_1_1')!.toSignificantDigits(8).toString()).toBe('0.35891648'); // w5
    expect(s.values.get('W2_1_2')!.toSignificantDigits(9).toString()).toBe('0.408666186'); // w6
    expect(s.values.get('W2_2_1')!.toSignificantDigits(9).toString()).toBe('0.51130127'); // w7
    expect(s.values.get('W1_1_1')!.toSignificantDigits(9).toString()).toBe('0.149780716'); // w1
    expect(s.values.get('W1_2_2')!.toSignificantDigits(8).toString()).toBe('0.29950229'); // w4
  });
  it('frozen params keep their values', () => {
    expect(at(trace, 1, 'b1_1')).toBe('0.35');
    expect(at(trace, 1, 'b2_2')).toBe('0.6');
    expect(trace.steps[0]!.values.has('dL/db1_1')).toBe(true);
  });
  it('a matrix of the wrong shape is a located error', async () => {
    const bad = replaced(example('sigmoid-2-2-2-sgd.yaml'), 'W2: [[0.40, 0.45], [0.50, 0.55]]', 'W2: [[0.40, 0.45]]');
    const r = await cli(['run', 'l.yaml'], { 'l.yaml': bad });
    expect(r.code).toBe(2);
    expect(r.err).toContain('at params.W2: layer 2 needs params.W2, a 2x2 matrix (one row per unit, one column per input); got 1x2');
  });
});

describe('losses by name', () => {
  const net = (loss: string, activation = 'linear', units = 1, targets = '') => `
model: { inputs: [x], layers: [ { units: ${units}, activation: ${activation}, name: o } ] }
params: { W1: [${Array.from({ length: units }, (_, k) => `[${(k + 1) / 10}]`).join(', ')}], b1: [${Array.from({ length: units }, () => '0').join(', ')}] }
data: [ { x: 2, ${units === 1 ? 'y: 1' : Array.from({ length: units }, (_, k) => `y${k + 1}: ${k === 0 ? 1 : 0}`).join(', ')} }, { x: -1, ${units === 1 ? 'y: 0' : Array.from({ length: units }, (_, k) => `y${k + 1}: ${k === units - 1 ? 1 : 0}`).join(', ')} } ]
loss: { name: ${loss}${targets} }
training: { optimizer: sgd, lr: 0.1 }
`;
  it('mse, sse, half_sse: expressions and reductions as the textbooks write them', () => {
    // o = 0.1 x: outputs 0.2 and -0.1; errors 0.8 and 0.1
    expect(at(runYaml(net('mse')), 1, 'loss.data')).toBe('0.325'); // (0.64 + 0.01) / 2
    expect(at(runYaml(net('sse')), 1, 'loss.data')).toBe('0.65');
    expect(at(runYaml(net('half_sse')), 1, 'loss.data')).toBe('0.325');
    expect(runYaml(net('half_sse')).spec.loss.sample.text).toBe('(y - o)^2 / 2');
  });
  it('mae, with its kink at 0', () => {
    expect(at(runYaml(net('mae')), 1, 'loss.data')).toBe('0.45');
    expect(at(runYaml(net('mae')), 1, 'dL/dW1_1_1')).toBe('-0.5'); // (-2 + -1 * 1... ) mean of sign(o - y) * x: (-1*2 + 1*-1)/2
  });
  it('bce on a sigmoid output', () => {
    const t = runYaml(net('bce', 'sigmoid'));
    // sigmoid(0.2) = 0.549833997..., sigmoid(-0.1) = 0.475020812...; mean of -log(p1) and -log(1 - p2)
    expect(at(t, 1, 'loss.data')).toMatch(/^0\.621267764727581367/);
    // d/dW of bce through a sigmoid is (p - y) x: ((0.5498 - 1)*2 + (0.4750 - 0)*(-1)) / 2
    expect(at(t, 1, 'dL/dW1_1_1')).toMatch(/^-0\.68767/);
  });
  it('softmax with categorical cross-entropy', () => {
    const t = runYaml(net('cross_entropy', 'softmax', 3));
    expect(t.spec.neurons.map((n) => n.name)).toEqual(['z1_1', 'z1_2', 'z1_3', 'o_1', 'o_2', 'o_3']);
    const s1 = t.steps[0]!.samples[0]!.values;
    const total = ['o_1', 'o_2', 'o_3'].map((n) => s1.get(n)!).reduce((a, b) => a.plus(b));
    expect(total.minus(1).abs().lt('1e-48')).toBe(true);
    // dL/dz_k = (p_k - y_k) / n for softmax + cross-entropy, per sample
    const adj = t.steps[0]!.samples[0]!.values;
    expect(adj.get('dL/dz1_1')!.minus(adj.get('o_1')!.minus(1).div(2)).abs().lt('1e-48')).toBe(true);
    expect(adj.get('dL/dz1_2')!.minus(adj.get('o_2')!.div(2)).abs().lt('1e-48')).toBe(true);
  });
});

describe('optimizers written as equations', () => {
  const adamAsEquations = `
  optimizer:
    title: Adam, as on the slides
    hyperparameters: { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }
    state: { m: 0, v: 0 }
    update:
      - m: beta1*m + (1 - beta1)*g
      - v: beta2*v + (1 - beta2)*g^2
      - mhat: m / (1 - beta1^t)
      - vhat: v / (1 - beta2^t)
      - p: p - lr*mhat / (sqrt(vhat) + eps)
  epochs: 2`;
  it('a custom optimizer restating Adam gives exactly the built-in Adam trace on hw7', () => {
    const builtIn = runYaml(example('hw7-q2.yaml'));
    const custom = runYaml(replaced(example('hw7-q2.yaml'), /training:[\s\S]*?batch: full/, `training:${adamAsEquations}\n  batch: full`));
    expect(custom.spec.training.optimizer).toBe('custom');
    for (const step of [1, 2]) {
      for (const name of ['w1', 'w6', 'b2', 'm[w1]', 'v[w3]', 'mhat[b]', 'g[w5]', 'loss.total']) {
        expect(at(custom, step, name), `${name} at step ${step}`).toBe(at(builtIn, step, name));
      }
    }
  });
  it('an undefined name in an update is a located error', async () => {
    const bad = replaced(example('hw7-q2.yaml'), /training:[\s\S]*?batch: full/, `training:${replaced(adamAsEquations, 'mhat: m /', 'mhat: mm /')}\n  batch: full`);
    const r = await cli(['run', 'c.yaml'], { 'c.yaml': bad });
    expect(r.code).toBe(2);
    expect(r.err).toContain("at training.optimizer.update[3].mhat: undefined name 'mm' (did you mean 'm'?)");
  });
});

describe('data from CSV, and specs without inputs', () => {
  it('reads rows from a CSV file beside the spec, numbers as text', () => {
    const spec = replaced(example('hw7-q2.yaml'), /data:\n(  - .*\n)+/, 'data: data/hw7.csv\n');
    const csv = 'i1,i2,y\n3,2,8\n15,12,20\n';
    const viaCsv = run(parseSpec(spec, 'examples/hw7-csv.yaml', { readDataFile: (p) => (p === 'data/hw7.csv' ? csv : '') }));
    expect(at(viaCsv, 1, 'loss.total')).toBe('89.525');
  });
  it('a bad CSV value is located', async () => {
    const spec = replaced(example('hw7-q2.yaml'), /data:\n(  - .*\n)+/, 'data: rows.csv\n');
    const r = await cli(['run', 'x/s.yaml'], { 'x/s.yaml': spec, [`${process.cwd()}/x/rows.csv`]: 'i1,i2,y\n3,two,8\n' });
    expect(r.code).toBe(2);
    expect(r.err).toContain("rows.csv: row 1 (line 2), column 'i2': expected a number, got 'two'");
  });
  it('optimises a function of the params alone (one empty data row)', () => {
    expect(at(halfSquare('1', '{ optimizer: sgd, lr: 0.1 }'), 1, 'x')).toBe('0.9');
  });
});

describe('the JSON Schema', () => {
  const schema = specJsonSchema();
  it('is published in the package as generated from the validator (npm run schema)', () => {
    const committed = JSON.parse(readFileSync(new URL('../schema/exactprop.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(schema);
  });
  it('accepts every example and fixture spec, and rejects what the validator rejects', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const files = allSpecs();
    expect(files.length).toBeGreaterThanOrEqual(35);
    for (const f of files) {
      const ok = validate(parseYaml(f.text));
      expect(ok, `${f.relative}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(validate(parseYaml(example('hw7-q2.yaml') + 'trainig: {}\n'))).toBe(false);
    expect(validate(parseYaml(replaced(example('hw7-q2.yaml'), 'lr: 0.1', 'lr: fast')))).toBe(false);
  });
  it('is referenced from the examples for editors', () => {
    expect(example('sigmoid-2-2-2-sgd.yaml')).toContain('# yaml-language-server: $schema=../schema/exactprop.schema.json');
  });
});
