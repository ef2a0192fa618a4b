// A spec's numbers never depend on what its names are called. Random valid specs (dense or hand-written
// neurons, every optimizer, penalties, constants used and unused, custom optimizers) are run once with
// plain names and once with every user name renamed, to names the engine also uses internally (n, t,
// p, g, lr, eps, m...), JavaScript's own property names (constructor, toString...) and the expression
// language's constants (e, pi): every value of the trace must be the same, quantity for quantity.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSpec } from '../src/spec/validate.js';
import { run, type Trace } from '../src/graph/run.js';

/** Names a spec may use that mean something elsewhere: the engine's own quantities and options,
 *  optimizer locals, JavaScript's Object.prototype, mathjs's constants, and names of the other kinds. */
const TRICKY = [
  'n', 't', 'p', 'g', 'grad', 'lr', 'eps', 'beta1', 'beta2', 'm', 'v', 'mhat', 'vhat', 'vmax', 'buf', 'momentum',
  'alpha', 'weight_decay', 'dampening', 'square_avg', 'grad_avg', 'avg', 'clr', 'lr_decay', 'initial_accumulator_value',
  'p_decayed', 'sum', 'e', 'pi', 'i', 'E', 'PI', 'tau', 'phi', 'constructor', 'toString', 'valueOf', 'hasOwnProperty',
  'prototype', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', 'length', 'name',
  'x1', 'i1', 'w1', 'b1', 'h1', 'y', 'yhat', 'lambda', 'W1_1_1', 'b', '_', 'A_b_3',
];
/** The optimizer language's own words: a custom optimizer's hyperparameters and state may not take them. */
const OPTIMIZER_WORDS = new Set(['p', 'g', 'grad', 't']);

interface Shape {
  inputs: number;
  neurons: Array<{ activation: string; reads: number[]; bias: boolean; scale: boolean }>;
  rows: Array<{ x: string[]; y: string }>;
  params: string[];
  loss: 'sq' | 'abs';
  reduce: 'mean' | 'sum';
  penalty: boolean;
  unusedConstant: boolean;
  optimizer: { kind: string; options: Record<string, string | boolean> };
  epochs: number;
  batch: 'full' | number;
}

const small = fc.integer({ min: -20, max: 20 }).map((k) => (k / 10).toString());
const activation = fc.constantFrom('relu', 'tanh', 'sigmoid', 'leaky_relu', 'softplus', '');
const optimizer = fc.oneof(
  fc.record({ kind: fc.constant('sgd'), options: fc.record({ lr: fc.constantFrom('0.1', '0.05'), momentum: fc.constantFrom('0', '0.9'), weight_decay: fc.constantFrom('0', '0.01') }) }),
  fc.record({ kind: fc.constant('adam'), options: fc.record({ lr: fc.constantFrom('0.1', '0.01'), weight_decay: fc.constantFrom('0', '0.1'), amsgrad: fc.boolean() }) }),
  fc.record({ kind: fc.constant('adamw'), options: fc.record({ lr: fc.constant('0.1') }) }),
  fc.record({ kind: fc.constant('rmsprop'), options: fc.record({ centered: fc.boolean(), momentum: fc.constantFrom('0', '0.5') }) }),
  fc.record({ kind: fc.constant('adagrad'), options: fc.record({ lr_decay: fc.constantFrom('0', '0.1') }) }),
  fc.record({ kind: fc.constant('custom'), options: fc.constant({}) }),
);

const shape: fc.Arbitrary<Shape> = fc.integer({ min: 1, max: 2 }).chain((inputs) =>
  fc.record({
    inputs: fc.constant(inputs),
    neurons: fc.array(fc.record({ activation, reads: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }), bias: fc.boolean(), scale: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    rows: fc.array(fc.record({ x: fc.array(small, { minLength: inputs, maxLength: inputs }), y: small }), { minLength: 1, maxLength: 3 }),
    params: fc.array(small, { minLength: 12, maxLength: 12 }),
    loss: fc.constantFrom('sq' as const, 'abs' as const),
    reduce: fc.constantFrom('mean' as const, 'sum' as const),
    penalty: fc.boolean(),
    unusedConstant: fc.boolean(),
    optimizer,
    epochs: fc.integer({ min: 1, max: 2 }),
    batch: fc.constantFrom('full' as const, 1),
  }),
);

/** The spec of a shape, with its user names given by `name` (canonical name -> name used). */
function specOf(s: Shape, name: (canonical: string) => string): { json: string; userNames: string[]; optimizerNames: string[] } {
  const inputs = Array.from({ length: s.inputs }, (_, i) => `in${i + 1}`);
  const neurons: Record<string, string> = {};
  const params: Record<string, string> = {};
  let nextParam = 0;
  const param = () => {
    const p = `par${++nextParam}`;
    params[name(p)] = s.params[(nextParam - 1) % s.params.length]!;
    return p;
  };
  const available = [...inputs];
  s.neurons.forEach((n, k) => {
    const terms = [...new Set(n.reads.map((r) => available[r % available.length]!))].map((x) => `${name(param())}*${name(x)}`);
    if (n.bias) terms.push(name(param()));
    let body = terms.join(' + ');
    if (n.scale) body = `${name('c1')}*(${body})`;
    const neuron = `neu${k + 1}`;
    neurons[name(neuron)] = n.activation ? `${n.activation}(${body})` : body;
    available.push(neuron);
  });
  const out = name(`neu${s.neurons.length}`);
  const y = name('target');
  const sample = s.loss === 'sq' ? `(${y} - ${out})^2` : `abs(${y} - ${out})`;
  const constants: Record<string, string> = { [name('c1')]: '0.5', [name('c2')]: '0.01' };
  if (s.unusedConstant) constants[name('c3')] = '7';
  const penalty = s.penalty ? `${name('c2')} * (${Object.keys(params).map((p) => `${p}^2`).join(' + ')})` : undefined;
  const optimizerNames: string[] = [];
  let training: Record<string, unknown>;
  if (s.optimizer.kind === 'custom') {
    // Momentum written by hand, with its own hyperparameter and state names (renamed too).
    const [rate, decay, velocity] = [name('hyp1'), name('hyp2'), name('st1')];
    optimizerNames.push(rate, decay, velocity);
    training = {
      optimizer: { title: 'momentum', hyperparameters: { [rate]: '0.1', [decay]: '0.9' }, state: { [velocity]: '0' }, update: [{ [velocity]: `${decay}*${velocity} + g` }, { p: `p - ${rate}*${velocity}` }] },
    };
  } else {
    training = { optimizer: s.optimizer.kind, ...s.optimizer.options };
  }
  training.epochs = String(s.epochs);
  training.batch = String(s.batch);
  const data = s.rows.map((r) => Object.fromEntries([...inputs.map((x, i) => [name(x), r.x[i]!]), [y, r.y]]));
  const spec = {
    precision: '20',
    model: { inputs: inputs.map(name), neurons, outputs: [out] },
    params,
    constants,
    data,
    loss: { sample, reduce: s.reduce, ...(penalty ? { penalty } : {}) },
    training,
  };
  const userNames = [...inputs, ...Object.keys(params), ...Object.keys(neurons), ...Object.keys(constants), y];
  return { json: JSON.stringify(spec), userNames, optimizerNames };
}

/** Every value of a trace, keyed by quantity with user names mapped back through `back`. */
function dump(trace: Trace, back: (name: string) => string, backLocal: (name: string) => string): Map<string, string> {
  const key = (q: string): string => {
    if (q.startsWith('dL/d')) return `dL/d${key(q.slice(4))}`;
    const indexed = /^(.+)\[(.+)\]$/.exec(q);
    if (indexed) return `${backLocal(indexed[1]!)}[${back(indexed[2]!)}]`;
    return back(q);
  };
  const out = new Map<string, string>();
  for (const [q, v] of trace.initial) out.set(`initial ${key(q)}`, v.toString());
  for (const s of trace.steps) {
    for (const [q, v] of s.values) out.set(`${s.step} ${key(q)}`, v.toString());
    for (const sample of s.samples) for (const [q, v] of sample.values) out.set(`${s.step}.${sample.row} ${key(q)}`, v.toString());
  }
  return out;
}

describe('renaming never changes a number', () => {
  it('random specs, every user name renamed (to n, t, p, lr, constructor, e, ...): the same trace', () => {
    fc.assert(
      fc.property(shape, fc.shuffledSubarray(TRICKY, { minLength: TRICKY.length, maxLength: TRICKY.length }), (s, order) => {
        const plain = specOf(s, (c) => c);
        // The renaming: each canonical name to a distinct tricky name (optimizer-scope names avoid p, g, grad, t).
        const pool = [...order];
        const forward = new Map<string, string>();
        const rename = (c: string) => {
          let r = forward.get(c);
          if (r === undefined) {
            const optimizerScope = /^(hyp|st)\d/.test(c);
            const at = pool.findIndex((n) => !(optimizerScope && OPTIMIZER_WORDS.has(n)));
            r = at >= 0 ? pool.splice(at, 1)[0]! : `${c}_renamed`;
            forward.set(c, r);
          }
          return r;
        };
        const renamed = specOf(s, rename);
        const backMap = new Map([...forward].map(([c, r]) => [r, c]));
        const back = (n: string) => backMap.get(n) ?? n;
        // A built-in optimizer's locals (m, v...) keep their names; only a custom one's are renamed.
        const localMap = new Map([...forward].filter(([c]) => /^(hyp|st)\d/.test(c)).map(([c, r]) => [r, c]));
        const backLocal = (n: string) => localMap.get(n) ?? n;
        const a = run(parseSpec(plain.json, 'plain.json'));
        const b = run(parseSpec(renamed.json, 'renamed.json'));
        const da = dump(a, (n) => n, (n) => n);
        const db = dump(b, back, backLocal);
        expect(db.size).toBe(da.size);
        for (const [k, v] of da) expect(db.get(k), k).toBe(v);
      }),
      { numRuns: 200, seed: 20261201 },
    );
    // About 2 s alone; a loaded CI machine needs the margin.
  }, 30_000);

  it('one case spelled out: a param called n does not replace the batch size, a param called lr not the learning rate', () => {
    const spec = (w: string, b: string) => JSON.stringify({
      model: { inputs: ['x'], neurons: { yhat: `${w}*x + ${b}` } },
      params: { [w]: '1', [b]: '0' },
      data: [{ x: '1', y: '3' }, { x: '2', y: '5' }],
      loss: { sample: '(y - yhat)^2', reduce: 'mean' },
      training: { optimizer: 'sgd', lr: '0.1', epochs: '1' },
    });
    const a = run(parseSpec(spec('w', 'b'), 'a.json'));
    const b = run(parseSpec(spec('n', 'lr'), 'b.json'));
    // By hand: yhat = (1, 2), residuals (2, 3); dL/dw = mean(-2*r*x) = -(2*2*1 + 2*3*2)/2 = -8,
    // dL/db = -(2*2 + 2*3)/2 = -5; w = 1 + 0.8 = 1.8, b = 0 + 0.5 = 0.5.
    expect(a.steps[0]!.values.get('w')!.toString()).toBe('1.8');
    expect(b.steps[0]!.values.get('n')!.toString()).toBe('1.8');
    expect(b.steps[0]!.values.get('lr')!.toString()).toBe('0.5');
  });
});
