// The layer-kind table (src/spec/layers.ts) is the single source of truth about each kind: the dense
// kind writes exactly the equations it always did, and adding a kind is one entry in that one file
// (shown on a copy of src/ with a dummy `scale` kind appended and nothing else edited).
import { copyOfSource } from './helpers/source-copy.js';
import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSpec } from '../src/spec/validate.js';
import { DEFAULT_LAYER_KIND, LAYER_KINDS } from '../src/spec/layers.js';
import { located } from './helpers/spec.js';

const texts = (yaml: string) => parseSpec(yaml, 'net.yaml').neurons.map((n) => [n.name, n.text]);

describe('the dense kind', () => {
  it('is the default and the only kind today', () => {
    expect(DEFAULT_LAYER_KIND).toBe('dense');
    expect(Object.keys(LAYER_KINDS)).toEqual(['dense']);
  });

  it('expands a 2-3-2 softmax net to the same equations as before', () => {
    const yaml = [
      'model: { inputs: 2, layers: [ { units: 3, activation: relu }, { units: 2, activation: softmax } ] }',
      'params: { W1: [[1, 2], [3, 4], [5, 6]], b1: [0, 0, 0], W2: [[1, 0, 1], [0, 1, 0]], b2: [0, 1] }',
      'data: [ { x1: 1, x2: 2, y1: 1, y2: 0 } ]',
      'loss: { name: cross_entropy }',
      'training: { optimizer: sgd, lr: 0.1 }',
    ].join('\n');
    const expected = [
      ['h1_1', 'relu(W1_1_1*x1 + W1_1_2*x2 + b1_1)'],
      ['h1_2', 'relu(W1_2_1*x1 + W1_2_2*x2 + b1_2)'],
      ['h1_3', 'relu(W1_3_1*x1 + W1_3_2*x2 + b1_3)'],
      ['z2_1', 'W2_1_1*h1_1 + W2_1_2*h1_2 + W2_1_3*h1_3 + b2_1'],
      ['z2_2', 'W2_2_1*h1_1 + W2_2_2*h1_2 + W2_2_3*h1_3 + b2_2'],
      ['h2_1', 'softmax(1, z2_1, z2_2)'],
      ['h2_2', 'softmax(2, z2_1, z2_2)'],
    ];
    expect(texts(yaml)).toEqual(expected);
    // With `type: dense` written out, the same.
    expect(texts(yaml.replace('{ units: 3,', '{ type: dense, units: 3,'))).toEqual(expected);
    expect(parseSpec(yaml, 'net.yaml').outputs).toEqual(['h2_1', 'h2_2']);
  });

  it('expands a 2-2-1 sigmoid net (a named output, no bias) to the same equations as before', () => {
    const yaml = [
      'model: { inputs: [a, b], layers: [ { units: 2, activation: sigmoid }, { units: 1, activation: sigmoid, name: out, bias: false } ] }',
      'params: { W1: [[1, 2], [3, 4]], b1: [0, 0], W2: [[1, -1]] }',
      'data: [ { a: 1, b: 2, y: 1 } ]',
      'loss: { name: mse }',
      'training: { optimizer: sgd, lr: 0.1 }',
    ].join('\n');
    expect(texts(yaml)).toEqual([
      ['h1_1', 'sigmoid(W1_1_1*a + W1_1_2*b + b1_1)'],
      ['h1_2', 'sigmoid(W1_2_1*a + W1_2_2*b + b1_2)'],
      ['out', 'sigmoid(W2_1_1*h1_1 + W2_1_2*h1_2)'],
    ]);
  });

  it('states the params it needs, located, as before', () => {
    const base = 'model: { inputs: 2, layers: [ { units: 2 } ] }\ndata: [ { x1: 1, x2: 2, y: 1 } ]\nloss: { sample: (y - h1_1)^2 }\ntraining: { optimizer: sgd, lr: 0.1 }\n';
    expect(() => parseSpec(`${base}params: { W1: [[1, 2]], b1: [0, 0] }`, 'net.yaml')).toThrow('layer 1 needs params.W1, a 2x2 matrix (one row per unit, one column per input); got 1x2');
    expect(() => parseSpec(`${base}params: { W1: [[1, 2], [3, 4]], b1: [0] }`, 'net.yaml')).toThrow('layer 1 needs params.b1, a vector of 2 numbers; got 1 (or bias: false)');
    expect(located(() => parseSpec(`${base}params: { b1: [0, 0] }`, 'net.yaml'))).toMatch(/: at model\.layers\[1\]: layer 1 needs params\.W1, /);
    expect(located(() => parseSpec(base.replace('units: 2', 'units: 0') + 'params: {}', 'net.yaml'))).toMatch(/: at model\.layers\[1\]\.units: a layer has at least one unit$/);
  });
});

describe('adding a layer kind is one entry in src/spec/layers.ts', () => {
  // h1_j = s1_j * x_j (the scale kind), h2_1 = W2 h1 + b2 (dense). With x = (1, 2), s1 = (2, 1),
  // W2 = (1, 3), b2 = 0, y = 1: h1 = (2, 2), h2_1 = 8, loss (y - h2_1)^2 = 49, dL/dh2_1 = 14;
  // dL/dW2 = 14 h1 = (28, 28), dL/db2 = 14; dL/dh1 = 14 W2 = (14, 42), dL/ds1 = dL/dh1 * x = (14, 84).
  // One SGD step with lr 0.1: s1 = (0.6, -7.4), W2 = (-1.8, 0.2), b2 = -1.4.
  const scaleSpec = [
    'model: { inputs: 2, layers: [ { type: scale }, { units: 1 } ] }',
    'params: { s1: [2, 1], W2: [[1, 3]], b2: [0] }',
    'data: [ { x1: 1, x2: 2, y: 1 } ]',
    'loss: { sample: (y - h2_1)^2, reduce: sum }',
    'training: { optimizer: sgd, lr: 0.1, epochs: 1 }',
  ].join('\n');

  it('a copy of src/ with `scale` appended to its table parses and runs it', { timeout: 60_000 }, async () => {
    const dir = copyOfSource('layer-kinds');
    try {
      const table = join(dir, 'src/spec/layers.ts');
      const entry = [
        '',
        'LAYER_KINDS.scale = {',
        "  description: 'each input times a weight of its own: unit j = s<l>_j * x_j',",
        '  options: () => ({}),',
        '  size: (_layer, inputs) => inputs,',
        '  neuronCount: (_layer, inputs) => inputs,',
        '  params: (_layer, l, inputs) => [{ name: `s${l}`, shape: [inputs], what: `a vector of ${inputs} numbers` }],',
        '  expand: (layer, l, previous) => {',
        '    const outputs = previous.map((_, k) => unitName(layer, previous.length, l, k + 1));',
        '    return { neurons: outputs.map((n, k): [string, string] => [n, `s${l}_${k + 1}*${previous[k]}`]), outputs };',
        '  },',
        '};',
        '',
      ].join('\n');
      writeFileSync(table, readFileSync(table, 'utf8') + entry);

      const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dir, 'src', path)).href)) as T;
      const { parseSpec: copyParse } = await load<typeof import('../src/spec/validate.js')>('spec/validate.ts');
      const { run, finalValue } = await load<typeof import('../src/graph/run.js')>('graph/run.ts');
      const { specJsonSchema } = await load<typeof import('../src/spec/json-schema.js')>('spec/json-schema.ts');

      const spec = copyParse(scaleSpec, 'scale.yaml');
      expect(spec.neurons.map((n) => [n.name, n.text])).toEqual([
        ['h1_1', 's1_1*x1'],
        ['h1_2', 's1_2*x2'],
        ['h2_1', 'W2_1_1*h1_1 + W2_1_2*h1_2 + b2_1'],
      ]);
      const trace = run(spec);
      const step1 = trace.steps[0]!.values;
      expect(step1.get('loss.total')!.toString()).toBe('49');
      expect(step1.get('dL/ds1_1')!.toString()).toBe('14');
      expect(step1.get('dL/ds1_2')!.toString()).toBe('84');
      expect(step1.get('dL/dW2_1_1')!.toString()).toBe('28');
      expect(step1.get('dL/db2_1')!.toString()).toBe('14');
      expect(Object.fromEntries(['s1_1', 's1_2', 'W2_1_1', 'W2_1_2', 'b2_1'].map((p) => [p, finalValue(trace, p).toString()])))
        .toEqual({ s1_1: '0.6', s1_2: '-7.4', W2_1_1: '-1.8', W2_1_2: '0.2', b2_1: '-1.4' });

      // Its param shape is checked from its entry, and dense stays the default beside it.
      expect(() => copyParse(scaleSpec.replace('s1: [2, 1]', 's1: [2]'), 'scale.yaml')).toThrow('layer 1 needs params.s1, a vector of 2 numbers; got 1');
      expect(copyParse(scaleSpec.replace('{ type: scale }, ', '').replace('s1: [2, 1], W2: [[1, 3]], b2: [0]', 'W1: [[1, 3]], b1: [0]').replace('h2_1', 'h1_1'), 'dense.yaml').neurons.map((n) => n.text))
        .toEqual(['W1_1_1*x1 + W1_1_2*x2 + b1_1']);
      // A kind it does not know is refused with the known ones; a dense key on a scale layer too.
      expect(located(() => copyParse(scaleSpec.replace('type: scale', 'type: conv'), 'scale.yaml'))).toMatch(/at model\.layers\[1\]\.type: expected one of dense, scale \(the layer kinds\)$/);
      expect(() => copyParse(scaleSpec.replace('type: scale', 'type: scale, units: 2'), 'scale.yaml')).toThrow(/unknown key 'units'/);
      // The published schema names it.
      expect(JSON.stringify(specJsonSchema())).toContain('"scale"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the project itself refuses `type: scale`, listing the kinds it knows', () => {
    expect(located(() => parseSpec(scaleSpec, 'scale.yaml'))).toBe('scale.yaml:1: at model.layers[1].type: expected one of dense');
  });
});

describe('weights: in_out', () => {
  it('reads W as a row per input (x W), and names its entries as written', () => {
    // x = (1, 2), W = [[1, 2, 3], [4, 5, 6]] in_out: unit j = x1 W_1j + x2 W_2j = 9, 12, 15.
    const yaml = [
      'model: { inputs: 2, layers: [ { units: 3, weights: in_out, bias: false } ] }',
      'params: { W1: [[1, 2, 3], [4, 5, 6]] }',
      'data: [ { x1: 1, x2: 2, y1: 0, y2: 0, y3: 0 } ]',
      'loss: { name: mse }',
      'training: { optimizer: sgd, lr: 0.1 }',
    ].join('\n');
    expect(texts(yaml)).toEqual([['h1_1', 'W1_1_1*x1 + W1_2_1*x2'], ['h1_2', 'W1_1_2*x1 + W1_2_2*x2'], ['h1_3', 'W1_1_3*x1 + W1_2_3*x2']]);
    expect(located(() => parseSpec(yaml.replace('[[1, 2, 3], [4, 5, 6]]', '[[1, 2], [3, 4], [5, 6]]'), 'net.yaml'))).toMatch(/a 2x3 matrix \(one row per input, one column per unit: weights: in_out\)/);
  });
});
