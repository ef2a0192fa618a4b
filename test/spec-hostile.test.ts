// Hostile or unusual specs that the validator must refuse before any work, each with a located message
// that says what to change, and exit code 2 through the CLI; and the names that must simply work.
import { describe, expect, it } from 'vitest';
import { cli, example } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { literalProblem } from '../src/numeric/literal.js';
import { replaced } from './helpers/replaced.js';

const hw7 = example('hw7-q2.yaml');

async function refused(yaml: string, args: string[] = []): Promise<string> {
  const r = await cli(['run', 'bad.yaml', ...args], { 'bad.yaml': yaml });
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  return r.err;
}

const tiny = (extra: string) => `model: { inputs: [x], neurons: { yhat: w*x } }\nparams: { w: 1 }\ndata: [ { x: 1, y: 2 } ]\nloss: { sample: (y - yhat)^2 }\ntraining: { optimizer: sgd, lr: 0.1 }\n${extra}`;

describe('sizes are checked before any work', () => {
  it('a billion inputs, by count', async () => {
    const t0 = Date.now();
    const err = await refused(replaced(hw7, 'inputs: [i1, i2]', 'inputs: 1000000000'));
    expect(err).toContain('bad.yaml:7: at model.inputs: 1,000,000,000 inputs: more than the limit of 20,000');
    expect(err).toContain('raise it with --max-neurons N or limits.neurons in the spec');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a layer of 10^9 units', async () => {
    const yaml = `model: { inputs: 2, layers: [ { units: 1000000000, activation: relu }, { units: 1 } ] }\nparams: { W1: [[1, 1]], b1: [0], W2: [[1]], b2: [0] }\ndata: [ { x1: 1, x2: 1, y: 1 } ]\nloss: { name: mse }\ntraining: { optimizer: sgd }\n`;
    const err = await refused(yaml);
    expect(err).toMatch(/at model\.layers: 1,000,000,001 neurons: more than the limit of 20,000 neurons/);
  });

  it('a dense 200-200-200 net: 80,400 weights and biases', async () => {
    const yaml = `model: { inputs: 200, layers: [ { units: 200 }, { units: 200 } ] }\nparams: {}\ndata: [ { x1: 1 } ]\nloss: { name: mse }\ntraining: { optimizer: sgd }\n`;
    const err = await refused(yaml);
    expect(err).toContain('at model.layers: 80,400 weights and biases: more than the limit of 20,000 params');
  });

  it('epochs: 100000 is refused by the step limit, and runs when the limit is raised in the spec', async () => {
    const err = await refused(replaced(hw7, 'epochs: 2', 'epochs: 100000'));
    expect(err).toContain('bad.yaml:28: at training.epochs: 100,000 optimizer steps (100000 epochs of 1 batch): more than the limit of 10,000 optimizer steps');
    expect(err).toContain('--max-steps N or limits.steps in the spec');
    const raised = parseSpec(replaced(tiny('limits: { steps: 20000 }'), 'lr: 0.1', 'lr: 0.1, epochs: 12000'), 'ok.yaml');
    expect(raised.training.epochs).toBe(12000);
    expect(raised.limits.steps).toBe(20000);
  });

  it('a host that runs specs it did not write does not let them raise limits', () => {
    const text = replaced(tiny('limits: { steps: 20000 }'), 'lr: 0.1', 'lr: 0.1, epochs: 12000');
    expect(() => parseSpec(text, 'web.yaml', { specMayRaise: false })).toThrow(/more than the limit of 10,000 optimizer steps/);
    // ...but may lower them.
    expect(() => parseSpec(replaced(tiny('limits: { steps: 1 }'), 'lr: 0.1', 'lr: 0.1, epochs: 2'), 'web.yaml', { specMayRaise: false })).toThrow(/2 optimizer steps .*limit of 1 optimizer/);
  });

  it('a caller limit (a flag) wins over the spec', () => {
    const text = replaced(tiny('limits: { steps: 20000 }'), 'lr: 0.1', 'lr: 0.1, epochs: 12000');
    expect(() => parseSpec(text, 's.yaml', { limits: { steps: 100 } })).toThrow(/limit of 100 optimizer steps/);
  });

  it('an epoch count too long to be a number', async () => {
    const err = await refused(replaced(hw7, 'epochs: 2', 'epochs: 99999999999999999999999'));
    expect(err).toContain('99999999999999999999999 optimizer steps');
  });

  it('rows over the limit', () => {
    expect(() => parseSpec(replaced(tiny('limits: { rows: 1 }'), 'data: [ { x: 1, y: 2 } ]', 'data: [ { x: 1, y: 2 }, { x: 2, y: 3 } ]'), 's.yaml'))
      .toThrow(/2 data rows: more than the limit of 1 data rows/);
  });
});

describe('numbers outside the exponent range are input errors, not Infinity or 0', () => {
  it('read from the text', () => {
    expect(literalProblem('1e99999999999999999999')).toMatch(/outside the range of exponents.*Infinity/);
    expect(literalProblem('1e-99999999999999999999')).toMatch(/outside the range.*become 0/);
    expect(literalProblem('123.5e9000000000000000')).toMatch(/outside/);
    // decimal.js's own bounds: 9e9000000000000000 and 1e-9000000000000000 are still finite and nonzero.
    expect(literalProblem('9.9e9000000000000000')).toBeUndefined();
    expect(literalProblem('1e-9000000000000000')).toBeUndefined();
    expect(literalProblem('0e99999999999999999999')).toBeUndefined();
  });

  it('in params, constants, data and options, located', async () => {
    expect(await refused(replaced(hw7, 'w1: 1,', 'w1: 1e99999999999999999999,'))).toContain('bad.yaml:13: at params.w1: the number 1e99999999999999999999 is outside the range of exponents');
    expect(await refused(replaced(hw7, 'lambda: 0.1', 'lambda: 1e-99999999999999999999'))).toContain('at constants.lambda: the number 1e-99999999999999999999');
    expect(await refused(replaced(hw7, '{ i1: 3, i2: 2, y: 8 }', '{ i1: 3, i2: 2e99999999999999999999, y: 8 }'))).toContain('at data[1].i2: the number');
    expect(await refused(replaced(hw7, 'lr: 0.1', 'lr: 1e99999999999999999999'))).toContain('at training.lr: the number');
  });
});

describe('names', () => {
  it('JavaScript property names are names like any other', () => {
    const text = `model: { inputs: [constructor], neurons: { toString: valueOf*constructor + hasOwnProperty } }
params: { valueOf: 2, hasOwnProperty: 1 }
constants: { prototype: 3 }
data: [ { constructor: 1, y: 4 } ]
loss: { sample: (y - toString)^2 + 0*prototype }
training: { optimizer: sgd, lr: 0.1 }
`;
    const trace = run(parseSpec(text, 's.yaml'));
    // toString = 2*1 + 1 = 3; dL/dvalueOf = -2*(4 - 3)*1 = -2; valueOf = 2 + 0.2; hasOwnProperty = 1 + 0.2.
    expect(trace.steps[0]!.samples[0]!.values.get('toString')!.toString()).toBe('3');
    expect(trace.steps[0]!.values.get('valueOf')!.toString()).toBe('2.2');
    expect(trace.steps[0]!.values.get('hasOwnProperty')!.toString()).toBe('1.2');
  });

  it('an optimizer, an option or a preset looked up by a property name is unknown, not a function', async () => {
    expect(await refused(replaced(hw7, 'optimizer: adam', 'optimizer: toString'))).toContain("at training.optimizer: unknown optimizer 'toString'");
    expect(await refused(replaced(hw7, 'optimizer: adam', 'optimizer: constructor'))).toContain("unknown optimizer 'constructor'");
    expect(await refused(replaced(hw7, 'lr: 0.1', 'lr: 0.1\n  valueOf: 1'))).toContain("at training.valueOf: unknown option 'valueOf' for adam");
  });

  it("the expression language's constants are not names", async () => {
    for (const word of ['true', 'null', 'NaN', 'Infinity']) {
      const err = await refused(tiny(`constants: { ${word === 'true' || word === 'null' ? `"${word}"` : word}: 1 }`));
      expect(err).toContain(`'${word}' is a constant of the expression language`);
    }
  });

  it('a name that cannot be scoped is refused with why and another to take', async () => {
    expect(await refused(tiny('constants: { loss: 1 }'))).toContain("at constants.loss: 'loss' is reserved (the per-sample loss's own name); choose another name (e.g. loss_1)");
    expect(await refused(tiny('constants: { relu: 1 }'))).toContain("at constants.relu: 'relu' is reserved (a function of expressions); choose another name (e.g. relu_1)");
  });

  it('a key that is not an ASCII name is named in the message', async () => {
    expect(await refused(replaced(hw7, 'params: {', 'params: { wé: 1,'))).toContain("at params.wé: 'wé' is not a name: a name is ASCII letters, digits and _");
  });

  describe('a custom optimizer cannot shadow p, g, grad or t, nor assign a hyperparameter', () => {
    const custom = (hyper: string, state: string, update: string) =>
      replaced(tiny(''), 'training: { optimizer: sgd, lr: 0.1 }', `training:\n  optimizer:\n    hyperparameters: { ${hyper} }\n    state: { ${state} }\n    update:\n${update}`);
    it('a hyperparameter t', async () => {
      const err = await refused(custom('lr: 0.1, t: 5', 'm: 0', '      - m: m + g\n      - p: p - lr*m*t'));
      expect(err).toContain("at training.optimizer.hyperparameters.t: 't' is the step counter in an optimizer's equations; name the hyperparameter otherwise (e.g. t0)");
    });
    it('a hyperparameter p and a state g', async () => {
      expect(await refused(custom('lr: 0.1, p: 5', 'm: 0', '      - p: p - lr*g'))).toContain("hyperparameters.p: 'p' is the param");
      expect(await refused(custom('lr: 0.1', 'g: 0', '      - p: p - lr*g'))).toContain("state.g: 'g' is the gradient");
    });
    it('an update of grad, t, or a hyperparameter', async () => {
      expect(await refused(custom('lr: 0.1', 'm: 0', '      - grad: 2*grad\n      - p: p - lr*grad'))).toContain("'grad' is the gradient, given to the optimizer: an update cannot assign it (name the new value otherwise, e.g. g)");
      expect(await refused(custom('lr: 0.1', 'm: 0', '      - lr: lr/2\n      - p: p - lr*g'))).toContain("'lr' is a hyperparameter, fixed for the run: an update cannot assign it");
    });
    it('a state variable with a hyperparameter\'s name', async () => {
      expect(await refused(custom('lr: 0.1', 'lr: 0', '      - p: p - lr*g'))).toContain("state.lr: 'lr' is already a hyperparameter");
    });
  });
});

describe('the README documents every limit', () => {
  it('each flag, spec key and default of src/limits/limits.ts is in the table of "Limits and safety"', async () => {
    const { readFileSync } = await import('node:fs');
    const { LIMIT_INFO, DEFAULT_LIMITS } = await import('../src/limits/limits.js');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [name, info] of Object.entries(LIMIT_INFO)) {
      const row = `| ${info.what} | ${DEFAULT_LIMITS[name as keyof typeof DEFAULT_LIMITS].toLocaleString('en-US')} | \`--${info.flag}\` | ${info.key ? `\`${info.key}\`` : ''} |`;
      expect(readme, name).toContain(row);
    }
  });
});
