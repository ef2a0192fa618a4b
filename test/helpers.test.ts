// The test helpers themselves: a helper that silently does nothing makes every test built on it pass
// without testing anything.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { replaced } from './helpers/replaced.js';
import { allSpecs, exampleSpecs, fixtureSpecs } from './helpers/specs.js';

describe('replaced', () => {
  const text = 'training:\n  optimizer: adam\n  lr: 0.1\n  epochs: 2\n';
  it('replaces as String.prototype.replace does: a string once, a RegExp by its flags', () => {
    expect(replaced(text, 'lr: 0.1', 'lr: 0.2')).toBe('training:\n  optimizer: adam\n  lr: 0.2\n  epochs: 2\n');
    expect(replaced('a a a', 'a', 'b')).toBe('b a a');
    expect(replaced('a a a', /a/g, 'b')).toBe('b b b');
    expect(replaced(text, /epochs: (\d+)/, 'epochs: $1$1')).toBe('training:\n  optimizer: adam\n  lr: 0.1\n  epochs: 22\n');
  });
  it('throws when the pattern does not occur, instead of returning the text unchanged', () => {
    expect(() => replaced(text, 'lr: 0.01', 'lr: 0.2')).toThrow(/"lr: 0\.01" does not occur in the text/);
    expect(() => replaced(text, /momentum: \d/, 'momentum: 0')).toThrow(/\/momentum: \\d\/ does not occur/);
    expect(() => replaced(text, /beta.*\n/g, '')).toThrow(/does not occur/);
    // A sticky RegExp matches only at the start, as in replace; a global one's lastIndex does not carry over.
    expect(() => replaced(text, /lr/y, 'LR')).toThrow(/does not occur/);
    expect(replaced(text, /training/y, 'TRAINING')).toMatch(/^TRAINING:/);
    const global = /epochs/g;
    expect(replaced(text, global, 'e')).toContain('  e: 2');
    expect(replaced(text, global, 'e')).toContain('  e: 2');
  });
});

describe('the shared list of every example and fixture spec', () => {
  const yamlIn = (dir: string) => readdirSync(new URL(dir, import.meta.url)).filter((f) => f.endsWith('.yaml')).sort();
  it('holds every example that trains, and no answers sheet', () => {
    const names = exampleSpecs().map((s) => s.file);
    expect(names).toContain('hw7-q2.yaml');
    expect(names).toContain('hw7-q2-sheet.yaml');
    expect(names).not.toContain('hw7-q2.answers.yaml');
    expect(names).toEqual(yamlIn('../examples/').filter((f) => !f.includes('.answers.')));
  });
  it('holds every PyTorch fixture, one per entry of expected.json', () => {
    const expected = JSON.parse(readFileSync(new URL('./fixtures/torch/expected.json', import.meta.url), 'utf8')) as { specs: Record<string, unknown> };
    const fixtures = fixtureSpecs();
    expect(fixtures.map((s) => s.file)).toEqual(yamlIn('./fixtures/torch/specs/'));
    expect(fixtures.map((s) => s.name).sort()).toEqual(Object.keys(expected.specs).sort());
    expect(allSpecs().map((s) => s.relative)).toEqual([
      ...exampleSpecs().map((s) => `examples/${s.file}`),
      ...fixtures.map((s) => `test/fixtures/torch/specs/${s.file}`),
    ]);
  });
  it('gives each its text, and a loader that reads the CSV data beside it', () => {
    const hw7 = exampleSpecs().find((s) => s.file === 'hw7-q2.yaml')!;
    expect(hw7.text).toBe(readFileSync(new URL('../examples/hw7-q2.yaml', import.meta.url), 'utf8'));
    expect(hw7.load().data).toEqual([{ i1: '3', i2: '2', y: '8' }, { i1: '15', i2: '12', y: '20' }]);
    const csv = fixtureSpecs().find((s) => s.name === 'data-csv')!;
    expect(csv.readDataFile('data-csv.csv', 10_000).split('\n')[1]).toBe('1.0, 0.5, 1, 0, 0');
    const spec = csv.load({ precision: 20 });
    expect(spec.precision).toBe(20);
    expect(spec.data).toHaveLength(4);
    expect(spec.data[3]).toMatchObject({ x1: '0.8', x2: '-0.9', y2: '1' });
  });
});
