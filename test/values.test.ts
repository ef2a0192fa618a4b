// graph/values.ts is the one place that knows where a symbol's value comes from: every other module
// hands a Ref to resolve() instead of switching on its kind.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { example, runYaml } from './helpers/spec.js';
import { adjointName } from '../src/graph/program.js';

const SEED = adjointName('loss');
import { BATCH_SIZE, optionSymbol } from '../src/graph/names.js';
import { resolve, valuesAt } from '../src/graph/values.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('where a value comes from is resolved only in src/graph/', () => {
  it('no module outside src/graph/ switches on the kinds of a Ref', () => {
    const outside = sources(SRC).filter((f) => !relative(SRC, f).startsWith(`graph${sep}`));
    expect(outside.length).toBeGreaterThan(10);
    const found = outside.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return ["case 'batchSize'", "case 'stepNumber'", "case 'sampleOf'"].filter((c) => text.includes(c)).map((c) => `${relative(SRC, f)}: ${c}`);
    });
    expect(found).toEqual([]);
  });
});

describe('resolve() on hw7 step 1', () => {
  const trace = runYaml(example('hw7-q2.yaml'));
  const record = trace.steps[0]!;
  const refOf = (eqs: typeof record.equations, name: string, symbol: string) => {
    const eq = eqs.find((e) => e.name === name)!;
    const i = eq.symbols.indexOf(symbol);
    expect(i, `${symbol} in ${name}`).toBeGreaterThanOrEqual(0);
    return eq.refs[i]!;
  };

  it('the n of dL/dloss is the batch size, 2', () => {
    const ref = refOf(trace.sampleEquations, SEED, BATCH_SIZE);
    expect(ref).toEqual({ kind: 'batchSize' });
    const source = valuesAt(trace.ctx.D, trace.given, record, trace.initial, record.samples[0]);
    expect(resolve(ref, source).toString()).toBe('2');
  });

  it('an option is its parsed value (lr 0.1), a before ref the value before the step (w1 = 1)', () => {
    const source = valuesAt(trace.ctx.D, trace.given, record, trace.initial);
    const lr = refOf(record.equations, 'w1', optionSymbol('lr'));
    expect(lr).toEqual({ kind: 'option', name: 'lr' });
    expect(resolve(lr, source).toString()).toBe('0.1');
    const w1 = refOf(record.equations, 'w1', 'w1');
    expect(w1).toEqual({ kind: 'before', name: 'w1' });
    expect(resolve(w1, source).toString()).toBe('1');
  });

  it('a data value, a sample quantity and a batch sample quantity', () => {
    const [s1, s2] = record.samples;
    const sample = valuesAt(trace.ctx.D, trace.given, record, trace.initial, s2);
    expect(resolve({ kind: 'row', name: 'i1' }, sample).toString()).toBe('15');
    expect(resolve({ kind: 'sample', name: 'yhat' }, sample).toString()).toBe('7.5');
    const step = valuesAt(trace.ctx.D, trace.given, record, trace.initial);
    expect(resolve({ kind: 'sampleOf', row: 0, name: 'yhat' }, step).toString()).toBe(s1!.values.get('yhat')!.toString());
    expect(resolve({ kind: 'step', name: 'loss.total' }, step).toString()).toBe('89.525');
    expect(resolve({ kind: 'stepNumber' }, step).toString()).toBe('1');
    expect(resolve({ kind: 'constant', name: 'lambda' }, step).toString()).toBe('0.1');
  });
});
