// The command line as users meet it: `--format json` follows the trace contract, text is a worked
// solution, and the bundled binary (what `npm start` runs) works end to end.
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './helpers/spec.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('exactprop run --format json', () => {
  it('follows the trace contract', async () => {
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.precision).toBe(50);
    expect(j.steps).toHaveLength(2);
    const s1 = j.steps[0];
    expect(s1).toMatchObject({ step: 1, epoch: 1 });
    expect(s1.samples[0]).toMatchObject({ sample: 1, values: { h1: '1.5', h2: '0', yhat: '3.5' }, loss: '20.25' });
    expect(s1.samples[0].adjoints).toMatchObject({ yhat: '-4.5', h1: '-9' });
    expect(s1.samples[1].gradients).toMatchObject({ w1: '-375', w5: '-43.75' });
    expect(s1.loss).toEqual({ data: '88.25', penalty: '1.275', total: '89.525' });
    expect(s1.gradients).toMatchObject({ w1: '-401.8', b1: '-34', b: '-17' });
    expect(s1.optimizer.m.w1).toBe('-40.18');
    expect(s1.optimizer.v.w1).toBe('161.44324');
    expect(s1.params.w1).toMatch(/^1\.09999999999751/);
    expect(j.warnings[0]).toMatchObject({ kind: 'kink', step: 1, sample: 1, neuron: 'h2' });
    // Values keep the working precision.
    expect(j.steps[1].params.w1.replace(/[-.]/g, '').length).toBeGreaterThanOrEqual(49);
  });

  it('--precision overrides the spec', async () => {
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json', '--precision', '80']);
    const j = JSON.parse(r.out);
    expect(j.precision).toBe(80);
    expect(j.steps[1].params.w1.replace(/[-.]/g, '').length).toBeGreaterThanOrEqual(79);
  });
});

describe('exactprop run (text)', () => {
  it('prints formula, substitution and value, and respects --digits', async () => {
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--digits', '6']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('h1 = relu(i1 * w1 + i2 * w2 + b1)');
    expect(r.out).toContain('= relu(3 * 1 + 2 * (-1) + 0.5)');
    expect(r.out).toContain('loss.total = loss.data + loss.penalty');
    expect(r.out).toContain('= 89.525');
    expect(r.out).toContain('w1 = w1 - lr * mhat[w1] / (sqrt(vhat[w1]) + eps)');
    expect(r.out).toContain('= 1.10000…'); // rounded, and marked as such
    expect(r.out).toMatch(/warnings:\n  - step 1, sample 1: the argument of relu in h2 is exactly 0/);
  });
});

describe('the bundled CLI', () => {
  beforeAll(() => {
    if (!existsSync(`${root}/dist/exactprop.cjs`)) execFileSync('node', ['scripts/build.mjs'], { cwd: root });
  });

  it('runs the hw7 example (what npm start runs) and exits 0', () => {
    const r = spawnSync('node', ['dist/exactprop.cjs', 'run', 'examples/hw7-q2.yaml'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('== Step 2 (epoch 2)');
    expect(r.stdout).toContain('final values: w1 = 1.19416067367…');
  });

  it('exits 2 with a one-line message on bad input', () => {
    const r = spawnSync('node', ['dist/exactprop.cjs', 'run', 'examples/nothing.yaml'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('grades in worker threads as in one (a worker runs its chunk of the built command line, a CommonJS script Node loads itself)', () => {
    // Preloaded: counts the worker threads the command starts, written to stderr as it exits.
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-workers-'));
    const counter = join(dir, 'count-workers.cjs');
    writeFileSync(counter, `const threads = require('node:worker_threads');
const Base = threads.Worker;
let started = 0;
threads.Worker = class extends Base { constructor(...args) { super(...args); started++; } };
// (Workers run the preload too: only the command's own thread reports.)
if (threads.isMainThread) process.on('exit', () => require('node:fs').writeSync(2, 'workers started: ' + started + '\\n'));`);
    try {
      const grade = (workers: string) => spawnSync('node', ['--require', counter, 'dist/exactprop.cjs', 'grade', 'examples/hw7-q2.yaml', 'examples/hw7-q2-class.csv', '--workers', workers], { cwd: root, encoding: 'utf8' });
      const one = grade('1');
      const two = grade('2');
      expect([one.status, two.status]).toEqual([0, 0]);
      expect([one.stderr, two.stderr]).toEqual(['workers started: 0\n', 'workers started: 2\n']);
      expect(two.stdout).toBe(one.stdout);
      expect(one.stdout.trim().split('\n')).toHaveLength(13);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
