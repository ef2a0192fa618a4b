// The function table (src/symbolic/functions.ts) is the single source of truth about each function:
// every entry is complete and its derivative is right; adding an activation is one entry in that one
// file (shown on a copy of src/ with a dummy `cube` added and nothing else edited); and the README's
// list of functions is the table's.
import { copyOfSource } from './helpers/source-copy.js';
import { describe, expect, it } from 'vitest';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FUNCTIONS, RATIONAL_FUNCTIONS, STEP_DERIVATIVE_OF, WRITTEN_FUNCTIONS, ACTIVATION_FUNCTIONS } from '../src/symbolic/functions.js';
import { constant, unwrap, type Node } from '../src/symbolic/build.js';
import { compile } from '../src/graph/evaluate.js';
import { makeContext, type Dec } from '../src/numeric/context.js';
import { Notation } from '../src/render/tex.js';
import { parseExpression } from '../src/symbolic/parse.js';
import { ACTIVATIONS } from '../src/spec/schema.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('every function of the table', () => {
  // At precision 40 with the engine's own context; h = 1e-12 gives a truncation error near 1e-24 and a
  // rounding error near 1e-28, far below the 1e-15 compared with.
  const ctx = makeContext(40);
  const D = ctx.D;
  const h = new D('1e-12');
  const candidates = [
    ['0.7', '1.3', '2.1'],
    ['-0.6', '0.45', '1.7'],
    ['1', '0.7', '-0.6'],
    ['2', '-0.3', '1.1'],
  ];
  /** The argument lists a function accepts among the candidates, as constant trees. */
  const pointsOf = (name: string) => {
    const rule = FUNCTIONS[name]!;
    const n = Math.min(Math.max(rule.arity[0], 1), rule.arity[1], 3);
    return candidates.map((c) => c.slice(0, Math.max(n, rule.arity[0]))).filter((p) => !rule.checkArgs?.(p.map((v) => constant(v))));
  };
  const evaluateTree = (tree: Node): Dec => compile(tree, () => -1, ctx)({ vals: [], kinks: [] });

  for (const name of Object.keys(FUNCTIONS)) {
    it(`${name}: TeX form, kind, and a derivative that matches a finite difference`, () => {
      const rule = FUNCTIONS[name]!;
      expect(['smooth', 'kink', 'step']).toContain(rule.kind);
      expect(rule.kink).toBe(rule.kind !== 'smooth');
      // Printed as its entry says: an operator (or the customary symbol) before the arguments, or its layout.
      const args = pointsOf(name)[0]!;
      const printed = new Notation([]).formula(parseExpression(`${name}(${args.join(', ')})`), { digits: 6 }).tex;
      const { write, symbol } = rule.tex;
      expect(printed).toBe(typeof write === 'string' ? `${symbol ?? write}(${args.join(', ')})` : write(args, (t) => `(${t})`));

      const points = pointsOf(name);
      expect(points.length).toBeGreaterThan(0);
      let compared = 0;
      for (const p of points) {
        const values = p.map((v) => new D(v));
        const f0 = rule.evaluate(values, ctx);
        if (!f0.isFinite()) continue;
        for (let i = 0; i < p.length; i++) {
          const moved = (delta: Dec) => values.map((v, j) => (j === i ? v.plus(delta) : v));
          // An argument that may not vary (softmax's index) is not differentiated.
          if (rule.checkArgs?.(moved(h).map((v) => constant(v.toString())))) continue;
          const numeric = rule.evaluate(moved(h), ctx).minus(rule.evaluate(moved(h.neg()), ctx)).div(h.times(2));
          const symbolic = evaluateTree(rule.derivative(p.map((v) => constant(v)), i));
          expect(symbolic.minus(numeric).abs().lte(new D('1e-15').times(numeric.abs().plus(1))), `d${name}/darg${i + 1} at (${p.join(', ')})`).toBe(true);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
    });
  }

  it('kinked activations name the step function their derivative calls, and it is of kind step', () => {
    for (const [fn, step] of Object.entries(STEP_DERIVATIVE_OF)) {
      expect(FUNCTIONS[fn]!.kind).toBe('kink');
      expect(FUNCTIONS[step]!.kind).toBe('step');
      const d = unwrap(FUNCTIONS[fn]!.derivative(FUNCTIONS[fn]!.arity[0] === 1 ? [constant('0.5')] : [constant('0.5'), constant('0.5')], 0));
      expect((d as unknown as { fn: { name: string } }).fn.name).toBe(step);
    }
    expect(STEP_DERIVATIVE_OF).toEqual({ relu: 'heaviside', leaky_relu: 'leaky_relu_prime' });
  });

  it('rational functions and activations are what the exact mode and the layers knew before', () => {
    expect([...RATIONAL_FUNCTIONS].sort()).toEqual(['abs', 'heaviside', 'leaky_relu', 'leaky_relu_prime', 'max', 'max_share', 'maximum', 'min', 'relu', 'sign']);
    expect(ACTIVATIONS).toEqual(['linear', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'softplus', 'gelu', 'softmax']);
    expect(ACTIVATION_FUNCTIONS.every((f) => FUNCTIONS[f]!.arity[0] === 1)).toBe(true);
  });
});

describe('adding an activation is one entry in src/symbolic/functions.ts', () => {
  it('a copy of src/ with `cube` added to its table parses, runs, prints and publishes it', { timeout: 60_000 }, async () => {
    const dir = copyOfSource('registry');
    try {
      const table = join(dir, 'src/symbolic/functions.ts');
      const text = readFileSync(table, 'utf8');
      const marker = '  // Derivatives of the kinked functions.';
      expect(text.split(marker).length).toBe(2);
      const entry = [
        '  cube: {',
        "    arity: [1, 1], doc: 'x^3', kind: 'smooth', rational: true, activation: true, tex: { write: '\\\\operatorname{cube}' },",
        '    evaluate: ([x]) => x!.times(x!).times(x!),',
        '    derivative: (args) => mul(constant(3), pow(a0(args), constant(2))),',
        '  },',
        '',
      ].join('\n');
      writeFileSync(table, text.replace(marker, entry + marker));

      const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dir, 'src', path)).href)) as T;
      const { parseSpec } = await load<typeof import('../src/spec/validate.js')>('spec/validate.ts');
      const { run, finalValue } = await load<typeof import('../src/graph/run.js')>('graph/run.ts');
      const { main } = await load<typeof import('../src/cli/main.js')>('cli/main.ts');
      const schema = await load<typeof import('../src/spec/schema.js')>('spec/schema.ts');
      const { specJsonSchema } = await load<typeof import('../src/spec/json-schema.js')>('spec/json-schema.ts');

      // A neuron: h = cube(w x) = 1, yhat = v h = 2, loss (y - yhat)^2 = 1; dL/dyhat = 2, dL/dv = 2 h = 2,
      // dL/dh = 2 v = 4, dL/dw = 4 * 3 (w x)^2 * x = 24. One SGD step with lr 0.1: w = -1.9, v = 1.8.
      const neuronSpec = [
        'model: { inputs: [x], neurons: { h: cube(w*x), yhat: v*h } }',
        'params: { w: 0.5, v: 2 }',
        'data: [ { x: 2, y: 1 } ]',
        'loss: { sample: (y - yhat)^2, reduce: sum }',
        'training: { optimizer: sgd, lr: 0.1, epochs: 1 }',
      ].join('\n');
      const t1 = run(parseSpec(neuronSpec, 'cube.yaml'));
      const step1 = t1.steps[0]!.values;
      expect(step1.get('loss.total')!.toString()).toBe('1');
      expect(step1.get('dL/dw')!.toString()).toBe('24');
      expect(step1.get('dL/dv')!.toString()).toBe('2');
      expect(finalValue(t1, 'w').toString()).toBe('-1.9');
      expect(finalValue(t1, 'v').toString()).toBe('1.8');

      // A layer: z = 0.5 * 2 + 1 = 2, h = 8, loss (1 - 8)^2 = 49; dL/dh = 14, dh/dz = 3 z^2 = 12,
      // dL/dW1_1_1 = 14 * 12 * 2 = 336, dL/db1_1 = 168.
      const layerSpec = [
        'model: { inputs: [x], layers: [ { units: 1, activation: cube, name: h } ] }',
        'params: { W1: [[0.5]], b1: [1] }',
        'data: [ { x: 2, y: 1 } ]',
        'loss: { sample: (y - h)^2, reduce: sum }',
        'training: { optimizer: sgd, lr: 0.01, epochs: 1 }',
      ].join('\n');
      const t2 = run(parseSpec(layerSpec, 'cube-layer.yaml'));
      expect(t2.steps[0]!.values.get('loss.total')!.toString()).toBe('49');
      expect(t2.steps[0]!.values.get('dL/dW1_1_1')!.toString()).toBe('336');
      expect(t2.steps[0]!.values.get('dL/db1_1')!.toString()).toBe('168');

      // Printed with its TeX form, in a worked solution.
      let out = '';
      let err = '';
      const code = await main(['run', 'cube.yaml', '--format', 'markdown'], {
        out: (t) => (out += t), err: (t) => (err += t), readFile: (p) => ({ 'cube.yaml': neuronSpec, 'cube-layer.yaml': layerSpec })[p] ?? readFileSync(p, 'utf8'),
      });
      expect(err).toBe('');
      expect(code).toBe(0);
      expect(out).toContain('\\operatorname{cube}(w x)');

      // The published schema and the activations list include it.
      expect(schema.ACTIVATIONS).toContain('cube');
      const published = JSON.stringify(specJsonSchema());
      expect(published).toContain('"cube"');
      expect(published).toMatch(/the functions [^"]*\bcube\b/);

      // The project itself, without the entry, rejects both.
      const { parseSpec: ownParse } = await import('../src/spec/validate.js');
      expect(() => ownParse(neuronSpec, 'cube.yaml')).toThrow(/cube/);
      expect(() => ownParse(layerSpec, 'cube-layer.yaml')).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the README's list of functions is the table's", () => {
  it('names every function a spec writes, and no other', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const bullet = /^- Functions: ([\s\S]*?)(?=\n- |\n\n)/m.exec(readme);
    expect(bullet, 'a "- Functions:" bullet in the README').not.toBeNull();
    const named = new Set([...bullet![1]!.matchAll(/`([a-z_]+)(?:\([^`]*\))?`/g)].map((m) => m[1]!));
    expect([...named].sort()).toEqual([...WRITTEN_FUNCTIONS].sort());
  });
});
