// Optimizers against published documentation examples (loss x^2/2, ../shared/notes/conventions.md)
// and against updates worked by hand from torch.optim's documented algorithms.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { KERAS } from '../src/optimizers/keras.js';
import { PRESETS } from '../src/optimizers/presets.js';
import { PYTORCH } from '../src/optimizers/pytorch.js';
import type { OptimizerDef } from '../src/optimizers/definitions.js';
import { at, runYaml, scalarSpec } from './helpers/spec.js';

const halfSquare = (x: string, training: string) => runYaml(scalarSpec('x^2/2', x, training));

describe('published examples', () => {
  it('SGD, lr 0.1, x = 1: one step gives 0.9', () => {
    expect(at(halfSquare('1', '{ optimizer: sgd, lr: 0.1 }'), 1, 'x')).toBe('0.9');
  });

  it('SGD with momentum 0.9: step sizes 0.1, then 0.18', () => {
    const t = halfSquare('1', '{ optimizer: sgd, lr: 0.1, momentum: 0.9, epochs: 2 }');
    expect(at(t, 1, 'x')).toBe('0.9');
    expect(at(t, 2, 'x')).toBe('0.72');
  });

  it('Adam, lr 0.1, x = 10: the first step is about lr * sign(g), 9.9', () => {
    const x = at(halfSquare('10', '{ optimizer: adam, lr: 0.1 }'), 1, 'x');
    // exactly 10 - 0.1 * 10 / (10 + 1e-8)
    expect(x).toBe("9.9000000000999999999000000000999999999000000001") // Python decimal, 50 digits;
  });
});

describe('hand-worked torch.optim updates', () => {
  it('SGD: the momentum buffer starts as the first gradient, then dampening applies', () => {
    const t = halfSquare('1', '{ optimizer: sgd, lr: 0.1, momentum: 0.9, dampening: 0.5, epochs: 2 }');
    expect(at(t, 1, 'buf[x]')).toBe('1');
    expect(at(t, 2, 'buf[x]')).toBe('1.35'); // 0.9*1 + 0.5*0.9
    expect(at(t, 2, 'x')).toBe('0.765');
  });

  it('SGD nesterov', () => {
    const t = halfSquare('1', '{ optimizer: sgd, lr: 0.1, momentum: 0.9, nesterov: true, epochs: 2 }');
    expect(at(t, 1, 'x')).toBe('0.81'); // 1 - 0.1*(1 + 0.9*1)
    expect(at(t, 2, 'x')).toBe('0.5751'); // buf 1.71; 0.81 - 0.1*(0.81 + 0.9*1.71)
  });

  it('SGD weight decay is added to the gradient (coupled)', () => {
    const t = halfSquare('1', '{ optimizer: sgd, lr: 0.1, weight_decay: 0.5 }');
    expect(at(t, 1, 'dL/dx')).toBe('1');
    expect(at(t, 1, 'g[x]')).toBe('1.5');
    expect(at(t, 1, 'x')).toBe('0.85');
  });

  it('AdamW decays the parameter first, then takes the Adam step on the plain gradient', () => {
    const t = halfSquare('1', '{ optimizer: adamw, lr: 0.1, weight_decay: 0.1 }');
    expect(at(t, 1, 'p_decayed[x]')).toBe('0.99');
    expect(at(t, 1, 'g[x]')).toBe('1');
    // 0.99 - 0.1 * 1 / (1 + 1e-8)
    expect(at(t, 1, 'x')).toMatch(/^0\.89000000099999999000000009999999900/);
  });

  it('Adam amsgrad keeps the largest raw second moment', () => {
    const t = halfSquare('1', '{ optimizer: adam, lr: 0.9, beta2: 0.5, amsgrad: true, epochs: 2 }');
    expect(at(t, 1, 'vmax[x]')).toBe('0.5');
    expect(Number(at(t, 2, 'v[x]'))).toBeLessThan(0.5);
    expect(at(t, 2, 'vmax[x]')).toBe('0.5');
    expect(at(t, 2, 'vhat[x]')).toBe('0.66666666666666666666666666666666666666666666666667'); // 0.5 / (1 - 0.25), 50 digits
  });

  it('Adagrad: accumulator from initial_accumulator_value, learning rate decayed by (t-1)', () => {
    const t = halfSquare('1', '{ optimizer: adagrad, lr: 0.1, lr_decay: 0.5, initial_accumulator_value: 3, eps: 0, epochs: 2 }');
    expect(at(t, 1, 'sum[x]')).toBe('4');
    expect(at(t, 1, 'x')).toBe('0.95'); // 1 - 0.1 * 1 / 2
    expect(at(t, 2, 'clr[x]')).toMatch(/^0\.06666666666/); // 0.1 / 1.5
    expect(at(t, 2, 'sum[x]')).toBe('4.9025');
  });

  it('RMSprop: eps outside the square root, no bias correction', () => {
    const t = halfSquare('2', '{ optimizer: rmsprop, lr: 0.01, alpha: 0.75, eps: 0 }');
    expect(at(t, 1, 'square_avg[x]')).toBe('1'); // 0.25 * 4
    expect(at(t, 1, 'x')).toBe('1.98'); // 2 - 0.01 * 2 / 1
  });

  it('RMSprop centered with momentum', () => {
    const t = halfSquare('2', '{ optimizer: rmsprop, lr: 0.01, alpha: 0.75, eps: 0, centered: true, momentum: 0.5 }');
    expect(at(t, 1, 'grad_avg[x]')).toBe('0.5');
    expect(at(t, 1, 'avg[x]')).toMatch(/^0\.866025403784438646763723170752936183471402626905/); // sqrt(1 - 0.25)
    expect(at(t, 1, 'buf[x]')).toMatch(/^2\.3094010767585030580/); // 2 / sqrt(0.75)
  });
});

describe("the README's optimizers are the registries' (src/optimizers/pytorch.ts, keras.ts)", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const bullet = readme.slice(readme.indexOf('- Optimizers and their options'), readme.indexOf('\n- ', readme.indexOf('- Optimizers and their options') + 1)).replace(/\s+/g, ' ');
  const [pytorchPart, kerasPart] = bullet.split('Under `conventions: keras`');

  /** `sgd` (lr, momentum), `adam` and `adamw` (lr, eps): each optimizer named with its options. */
  const listed = (text: string): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const [, names, options] of text.matchAll(/((?:`[a-z]+`(?:, | and )?)+) \(([^)]*)\)/g)) {
      for (const [, name] of names!.matchAll(/`([a-z]+)`/g)) {
        expect(out.has(name!), `${name} listed twice`).toBe(false);
        out.set(name!, options!.split(', ').sort());
      }
    }
    return out;
  };
  const registry = (table: Record<string, OptimizerDef>) => new Map(Object.entries(table).map(([name, def]) => [name, Object.keys(def.options).sort()]));

  it('PyTorch: every optimizer with exactly its options', () => {
    expect(listed(pytorchPart!)).toEqual(registry(PYTORCH));
    // A real value, so that an empty parse cannot pass.
    expect(listed(pytorchPart!).get('rmsprop')).toEqual(['alpha', 'centered', 'eps', 'lr', 'momentum', 'weight_decay']);
  });

  it('Keras: every optimizer with exactly its options', () => {
    expect(kerasPart).toBeDefined();
    expect(listed(kerasPart!)).toEqual(registry(KERAS));
    expect(listed(kerasPart!).get('rmsprop')).toEqual(['centered', 'eps', 'lr', 'momentum', 'rho', 'weight_decay']);
  });

  it("every preset's optimizers are those two tables' (the paper preset's Adam is PyTorch's), and the example spec's comment names them", () => {
    for (const preset of Object.values(PRESETS)) {
      for (const [name, def] of Object.entries(preset.optimizers)) {
        expect([PYTORCH[name]?.options, KERAS[name]?.options]).toContainEqual(def.options);
      }
    }
    const comment = /optimizer: adam +# (.*)/.exec(readme)![1]!;
    expect(comment.split(' | ').sort()).toEqual(Object.keys(PYTORCH).sort());
  });
});
