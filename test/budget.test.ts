// Budgets of a run (issue 10, "budgets instead of crashes"): a time budget, an AbortSignal and a memory
// ceiling stop a run at its next step or sample; the work, output and --exact digit limits refuse it
// with a message that names the limit and its flag; a huge --steps selection is refused by its numbers.
// Each is asserted on the exit code and the message (through main) or on the error run() throws.
import { describe, expect, it } from 'vitest';
import { cli, example } from './helpers/spec.js';
import { main } from '../src/cli/main.js';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { BudgetError, estimatedWork } from '../src/graph/budget.js';
import { optimizerProgram } from '../src/graph/program.js';
import { InputError } from '../src/spec/errors.js';
import { LimitError } from '../src/spec/limits.js';
import { selectSteps } from '../src/render/steps.js';
import { certifiedRun } from '../src/certify/certify.js';
import { ExactDigitsError, makeRationalContext } from '../src/numeric/rational.js';
import { replaced } from './helpers/replaced.js';

/** hw7 trained for `epochs` epochs (one step each). */
const hw7 = (epochs: number) => replaced(example('hw7-q2.yaml'), /epochs: 2\n/, `epochs: ${epochs}\n`);
const long = { 'long.yaml': hw7(10_000) };

/** What run() throws, or undefined. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('time, abort and memory budgets', () => {
  it('--timeout stops a long run with exit code 2, saying when, where and which budget', async () => {
    const started = Date.now();
    const r = await cli(['run', 'long.yaml', '--format', 'json', '--timeout', '0.3'], long);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^exactprop: long\.yaml: stopped after \d+\.\d s at step [\d,]+ of 10,000: the run's time budget \(--timeout 0\.3\) is spent\n$/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const bad = await cli(['run', 'long.yaml', '--timeout', 'soon'], long);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--timeout takes a number of seconds greater than 0, got 'soon'");
  });

  it('an AbortSignal stops run() at the next step, with the reason', () => {
    const spec = parseSpec(hw7(100), 'hw7.yaml');
    const controller = new AbortController();
    const e = thrown(() => run(spec, { signal: controller.signal, retain: 'last', onStepDone: (s) => s.step === 5 && controller.abort('the page was closed') }));
    expect(e).toBeInstanceOf(BudgetError);
    expect(e).toBeInstanceOf(InputError);
    expect((e as BudgetError).budget).toBe('abort');
    expect((e as BudgetError).located()).toBe('hw7.yaml: stopped at step 6 of 100: the run was aborted (the page was closed)');
    // Aborted before it starts: no step is computed.
    let steps = 0;
    const e2 = thrown(() => run(spec, { signal: AbortSignal.abort(), onStepDone: () => steps++ }));
    expect((e2 as Error).message).toBe('stopped at step 1 of 100: the run was aborted (aborted)');
    expect(steps).toBe(0);
  });

  it('a deadline and a memory ceiling given to run()', () => {
    const spec = parseSpec(hw7(100), 'hw7.yaml');
    const late = thrown(() => run(spec, { deadline: Date.now() - 1 }));
    expect(late).toBeInstanceOf(BudgetError);
    expect((late as Error).message).toMatch(/^stopped after \d+\.\d s at step 1 of 100: the run's deadline \(\d{4}-.*\) is spent$/);
    const big = thrown(() => run(spec, { memoryCheck: () => 3 * 2 ** 30, maxMemory: 2 ** 30 }));
    expect((big as Error).message).toBe("stopped at step 1 of 100: the process uses 3,072 MB, more than the run's memory budget of 1,024 MB (raise it with --max-memory MB)");
    // Within budget, the run is the same run.
    const ok = run(spec, { memoryCheck: () => 1, maxMemory: 2 ** 30, deadline: Date.now() + 60_000, signal: new AbortController().signal });
    expect(ok.steps).toHaveLength(100);
  });

  it('--certify holds both of its runs to the budget', async () => {
    const r = await cli(['run', 'long.yaml', '--certify', '--timeout', '0.3'], long);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^exactprop: long\.yaml: stopped after \d+\.\d s at step [\d,]+ of 10,000: the run's time budget \(--timeout 0\.3\) is spent\n$/);
    // The reference run (20 more digits) is the second: a budget spent during it stops it too.
    const spec = parseSpec(hw7(300), 'hw7.yaml');
    let runs = 0;
    const controller = new AbortController();
    const e = thrown(() => certifiedRun(spec, { signal: controller.signal, onStart: () => runs++, onStepDone: (s) => s.step === 300 && controller.abort('enough') }));
    expect(runs).toBe(1);
    expect((e as Error).message).toBe('stopped at step 1 of 300: the run was aborted (enough)');
  });

  it('--max-memory through the CLI', async () => {
    const r = await cli(['run', 'long.yaml', '--max-memory', '1'], long);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^exactprop: long\.yaml: stopped at step 1 of 10,000: the process uses [\d,]+ MB, more than the run's memory budget of 1 MB \(raise it with --max-memory MB\)\n$/);
  });
});

describe('limits refused before the work starts', () => {
  it('the estimated work, over --max-work (nothing is computed or written)', async () => {
    const r = await cli(['run', 'long.yaml', '--max-work', '100000'], long);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^exactprop: long\.yaml: at training\.epochs: the run evaluates about ([\d,]+) equations \(10,000 epochs of ([\d,]+)\): /);
    expect(r.err).toContain(': more than the limit of 100,000 equations evaluated in the run (raise it with --max-work N or limits.work in the spec)\n');
    // The estimate: per epoch, every sample equation for each of the 2 rows, and the step's equations.
    const [, total, perEpoch] = /about ([\d,]+) equations \(10,000 epochs of ([\d,]+)\)/.exec(r.err)!.map((x) => Number(x.replace(/,/g, '')));
    const one = parseSpec(hw7(1), 'x.yaml');
    const sampleEquations = run(one).sampleEquations.length;
    expect(perEpoch).toBe(estimatedWork(one, sampleEquations, optimizerProgram(one).updates.length).perEpoch);
    expect(perEpoch).toBeGreaterThan(2 * sampleEquations);
    expect(total).toBe(10_000 * perEpoch!);
    // run() refuses it the same way, before its first step.
    let started = false;
    const e = thrown(() => run(parseSpec(hw7(10_000), 'long.yaml'), { limits: { work: 1000 }, onStart: () => (started = true) }));
    expect(e).toBeInstanceOf(LimitError);
    expect((e as LimitError).limit).toBe('work');
    expect(started).toBe(false);
  });

  it('--steps 1-1000000000 is refused by its numbers, and a huge range is never built', async () => {
    const started = Date.now();
    const r = await cli(['run', 'long.yaml', '--steps', '1-1000000000'], long);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--steps: step 1000000000 is outside the run (steps 1 to 10000)');
    const huge = await cli(['run', 'long.yaml', '--steps', '99999999999999999999999'], long);
    expect(huge.err).toContain('--steps: step 99999999999999999999999 is outside the run (steps 1 to 10000)');
    // A billion steps selected costs two numbers.
    const all = selectSteps('1-1000000000,5', 1_000_000_000);
    expect(all.size).toBe(1_000_000_000);
    expect(all.has(999_999_999)).toBe(true);
    expect(all.has(0)).toBe(false);
    expect([...selectSteps('7,2-4,3,last', 9)]).toEqual([2, 3, 4, 7, 9]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('the output budget', () => {
  it('--max-output-bytes stops the writer at the limit with exit code 2, in every format', async () => {
    for (const format of ['text', 'markdown', 'latex', 'html', 'json']) {
      let out = 0;
      let err = '';
      const code = await main(['run', 'long.yaml', '--format', format, '--max-output-bytes', '20000'], {
        out: (t) => (out += Buffer.byteLength(t)),
        err: (t) => (err += t),
        readFile: () => long['long.yaml'],
      });
      expect({ format, code }).toEqual({ format, code: 2 });
      expect(out).toBeLessThanOrEqual(20_000);
      expect(err).toMatch(/^exactprop: long\.yaml: the output (before the first step|at step [\d,]+ of 10,000): more than the limit of 20,000 bytes of output \(raise it with --max-output-bytes N\)\n$/);
    }
  }, 30_000);

  it('a run within the budget is printed whole', async () => {
    const whole = await cli(['run', 'examples/hw7-q2.yaml']);
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--max-output-bytes', String(Buffer.byteLength(whole.out))]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(whole.out);
  });

  it('--digits 1000 on a long run is written a sample at a time, never as one string', async () => {
    let largest = 0;
    let total = 0;
    let err = '';
    const code = await main(['run', 'mid.yaml', '--digits', '1000'], {
      out: (t) => {
        largest = Math.max(largest, t.length);
        total += t.length;
      },
      err: (t) => (err += t),
      readFile: () => hw7(60),
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(total).toBeGreaterThan(1_000_000);
    expect(largest).toBeLessThan(40_000);
  }, 30_000);
});

describe('--exact: fractions that grow without bound', () => {
  const growing = `model:\n  inputs: [x]\n  neurons:\n    yhat: x / w\nparams: { w: 3 }\ndata: [ { x: 1, y: 2 } ]\n` +
    `loss: { sample: (y - yhat)^2 }\ntraining: { optimizer: sgd, lr: 0.1, epochs: 40 }\n`;

  it('are refused past 10,000 digits, naming the step, the quantity and --max-exact-digits', async () => {
    const r = await cli(['run', 'grow.yaml', '--exact'], { 'grow.yaml': growing });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^exactprop: grow\.yaml: at step \d+(, sample 1)?, the fraction of \S+ grows too long: more than the limit of 10,000 digits of a fraction under --exact \(raise it with --max-exact-digits N or limits\.exact_digits in the spec\)\n$/);
    const low = await cli(['run', 'grow.yaml', '--exact', '--max-exact-digits', '50', '--format', 'json'], { 'grow.yaml': growing });
    expect(low.code).toBe(2);
    expect(low.err).toContain('more than the limit of 50 digits of a fraction under --exact (raise it with --max-exact-digits N');
    // A short run of the same spec is computed exactly.
    const short = await cli(['run', 'grow.yaml', '--exact', '--format', 'json'], { 'grow.yaml': replaced(growing, 'epochs: 40', 'epochs: 3') });
    expect(short.code).toBe(0);
    expect(JSON.parse(short.out).steps[2].params.w).toMatch(/^\d+\/\d+$/);
  }, 30_000);

  it('the check is on every result, and a power is refused before it is computed', () => {
    const { D } = makeRationalContext(50, '0', 20);
    const big = new D('12345678901234567890');
    expect(() => big.times(10)).toThrow(ExactDigitsError);
    expect(() => new D(3).div(new D('1e25'))).toThrow('a fraction has more than 20 digits');
    // 3^10000 would have 4,772 digits: refused by its size, not computed.
    const started = Date.now();
    expect(() => new D(3).pow(10_000)).toThrow(ExactDigitsError);
    expect(Date.now() - started).toBeLessThan(100);
    // Within the limit, nothing changes.
    expect(new D(2).pow(60).toString()).toBe('1152921504606846976');
  });
});
