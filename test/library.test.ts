// The library entry (src/index.ts, 'exactprop') on hw7: each function gives what the command line gives,
// and importing it leaves zod's global configuration alone.
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  BudgetError, check, checkAll, checkReport, checkSummary, derive, deriveAtProblem, deriveReport, InputError, LimitError, parseSpec, render, run,
  runStream, selectSteps, SpecError, stepCount, toleranceProblem, whyNotExact, type StreamOptions, type Undecidable,
} from '../src/index.js';
import { checkFile, loadSpecFile, readInputFile, render as renderNode, runStream as runStreamNode } from '../src/node.js';
import { cli, example, scalarSpec } from './helpers/spec.js';

const FILE = 'examples/hw7-q2.yaml';
const hw7 = () => parseSpec(example('hw7-q2.yaml'), { file: FILE });

describe('the library', () => {
  it('parseSpec reads a spec and throws located errors', () => {
    expect(hw7().params.map((p) => p.name)).toContain('w1');
    let caught: unknown;
    try {
      parseSpec('params: { w1: 1 }\ndata: [ { y: 1 } ]\nloss: { sample: (y - w1)^2 }\ntraining: { optimizer: sgd, lr: 0.1, epochs: x }\n', { file: 'bad.yaml' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SpecError);
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).located()).toMatch(/^bad\.yaml:4: at training\.epochs: /);
  });

  it('importing it and reading specs changes no global state of zod', () => {
    expect(() => parseSpec('params: []', { file: 'x.yaml' })).toThrow(InputError);
    expect(z.config().localeError).toBeUndefined();
  });

  it('run returns the JSON trace: the CLI\'s JSON, value for value', async () => {
    const trace = run(hw7());
    expect(trace.steps[0]!.loss.total).toBe('89.525');
    const { out, code } = await cli(['run', FILE, '--format', 'json']);
    expect(code).toBe(0);
    expect(trace).toEqual(JSON.parse(out));
    expect(render(trace, 'json')).toBe(out);
  });

  it("arithmetic 'decimal.js' and 'rational' give the same step-1 loss; certify adds certified digits", () => {
    expect(run(hw7(), { arithmetic: 'decimal.js' }).steps[0]!.loss.total).toBe('89.525');
    const rational = parseSpec(scalarSpec('(x - 1)^2 / 3', '0', '{ optimizer: sgd, lr: 0.1, epochs: 1 }'), { file: 'x.yaml' });
    const exact = run(rational, { arithmetic: 'rational' });
    expect(exact.arithmetic).toBe('rational');
    expect(exact.steps[0]!.loss.total).toBe('1/3');
    expect(() => run(hw7(), { arithmetic: 'rational' })).toThrow(/cannot be computed in exact fractions/);
    const certified = run(hw7(), { certify: true });
    expect(certified.certify?.fewest_certified_digits).toBeGreaterThan(40);
    expect(certified.steps[0]!.certified_digits).toBeDefined();
  });

  it('render text, markdown and html equal the CLI output', async () => {
    const trace = run(hw7());
    for (const format of ['text', 'markdown', 'latex'] as const) {
      expect(render(trace, format), format).toBe((await cli(['run', FILE, '--format', format])).out);
    }
    expect(render(trace, 'text', { digits: 20 })).toBe((await cli(['run', FILE, '--digits', '20'])).out);
    expect(() => render(trace, 'html')).toThrow(/exactprop\/node/);
    expect(renderNode(trace, 'html')).toBe((await cli(['run', FILE, '--format', 'html'])).out);
    expect(() => render({ ...trace }, 'text')).toThrow(/the value run\(\) returned/);
  });

  it('an AbortSignal already aborted makes run throw the budget error', () => {
    const controller = new AbortController();
    controller.abort();
    let caught: unknown;
    try {
      run(hw7(), { signal: controller.signal });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(BudgetError);
    expect((caught as BudgetError).budget).toBe('abort');
    expect((caught as BudgetError).message).toMatch(/the run was aborted/);
  });

  it('derive gives dL/dw1 in chain-rule form, and the report derive prints', async () => {
    const { derivatives, report } = derive(hw7(), { param: 'w1', at: { step: 1, sample: 1 } });
    const [d] = derivatives;
    expect(d!.param).toBe('w1');
    expect(d!.chain).toBe('dL/dw1 = sum over the samples of dL/dloss * dloss/dyhat * dyhat/dh1 * dh1/dw1 + dpenalty/dw1');
    expect(d!.factors.map((f) => `d${f.of}/d${f.wrt}`)).toEqual(['dloss/dyhat', 'dyhat/dh1', 'dh1/dw1']);
    expect(d!.at?.[0]!.gradient).toBe(run(hw7()).steps[0]!.gradients.w1);
    expect(report).toBe((await cli(['derive', FILE, '--param', 'w1', '--at', '1,1'])).out);
    expect(() => derive(hw7(), { param: 'w9' })).toThrow(/unknown param 'w9'/);
  });

  it('check grades an answers file with the verdicts of the CLI', async () => {
    const sheet = parseSpec(example('hw7-q2-sheet.yaml'), { file: 'examples/hw7-q2-sheet.yaml' });
    const report = check(sheet, example('hw7-q2.answers.yaml'), { file: 'examples/hw7-q2.answers.yaml' });
    const { out } = await cli(['check', 'examples/hw7-q2-sheet.yaml', 'examples/hw7-q2.answers.yaml', '--format', 'json']);
    const cliReport = JSON.parse(out);
    expect(report.summary).toEqual(cliReport.summary);
    expect(report.summary.wrong).toBeGreaterThan(0);
    expect(report).toEqual(cliReport);
  });

  it("exactprop/node reads spec and answers files by path", () => {
    const spec = loadSpecFile(FILE);
    expect(run(spec).steps[0]!.loss.total).toBe('89.525');
    expect(checkFile(loadSpecFile('examples/hw7-q2-sheet.yaml'), 'examples/hw7-q2.answers.yaml').file).toBe('examples/hw7-q2.answers.yaml');
    expect(() => loadSpecFile('examples/no-such-file.yaml')).toThrow(/does not exist/);
  });

  it("importing it leaves zod's shared registry without our schema ids", async () => {
    const { NumberText, SCHEMA_METADATA } = await import('../src/spec/schema.js');
    const { specJsonSchema } = await import('../src/spec/json-schema.js');
    expect(JSON.stringify(specJsonSchema())).toContain('"number"');
    expect(SCHEMA_METADATA.get(NumberText)?.id).toBe('number');
    // A host's own schemas may take these ids.
    expect(z.globalRegistry._idmap.has('number')).toBe(false);
    expect(z.globalRegistry._idmap.has('count')).toBe(false);
    expect(z.globalRegistry.has(NumberText)).toBe(false);
    expect(() => z.globalRegistry.add(z.string(), { id: 'number' })).not.toThrow();
  });
});

/** What runStream writes, gathered, and the pieces it was written in. */
function streamed(spec: ReturnType<typeof hw7>, options: StreamOptions = {}, stream = runStream): { text: string; pieces: number } {
  let text = '';
  let pieces = 0;
  stream(spec, (chunk) => {
    text += chunk;
    pieces++;
  }, options);
  return { text, pieces };
}

describe('runStream: the command run, streamed to a sink', () => {
  it('writes what `exactprop run` prints in every format, a piece at a time', async () => {
    for (const format of ['text', 'markdown', 'latex', 'json'] as const) {
      const { text, pieces } = streamed(hw7(), { format });
      expect(text, format).toBe((await cli(['run', FILE, '--format', format])).out);
      expect(pieces, format).toBeGreaterThan(2);
    }
    expect(() => streamed(hw7(), { format: 'html' })).toThrow(/exactprop\/node/);
    expect(streamed(hw7(), { format: 'html' }, runStreamNode).text).toBe((await cli(['run', FILE, '--format', 'html'])).out);
  });

  it('steps, digits, certify and exact arithmetic as the flags give them', async () => {
    const spec = hw7();
    expect(stepCount(spec)).toBe(2);
    expect(streamed(spec, { steps: selectSteps(spec, 'last'), digits: 5 }).text).toBe((await cli(['run', FILE, '--steps', 'last', '--digits', '5'])).out);
    expect(streamed(spec, { format: 'json', certify: true }).text).toBe((await cli(['run', FILE, '--format', 'json', '--certify'])).out);
    expect(() => selectSteps(spec, '3')).toThrow(/step 3 is outside the run \(steps 1 to 2\)/);
    expect(whyNotExact(spec)).toMatch(/sqrt has no exact rational value/);
    const exact = parseSpec(example('relu-momentum-exact.yaml'), { file: 'examples/relu-momentum-exact.yaml' });
    expect(whyNotExact(exact)).toBeUndefined();
    expect(streamed(exact, { arithmetic: 'rational' }).text).toBe((await cli(['run', 'examples/relu-momentum-exact.yaml', '--exact'])).out);
  });

  it('reports progress and finished steps, and undecidable branches of a certified run before writing', () => {
    const progress: string[] = [];
    const done: string[] = [];
    streamed(hw7(), { onProgress: (step, total) => progress.push(`${step}/${total}`), onStepDone: (step, total) => done.push(`${step}/${total}`) });
    expect(progress).toEqual(['1/2', '2/2']);
    expect(done).toEqual(['1/2', '2/2']);
    const kink = parseSpec(scalarSpec('max(x - 1/3, 0)^2', '0.33333333333333333333', '{ optimizer: sgd, lr: 1, epochs: 1 }', 'precision: 20\n'), { file: 'k.yaml' });
    const undecidable: Undecidable[] = [];
    let writtenBefore = -1;
    let text = '';
    runStream(kink, (chunk) => (text += chunk), { certify: true, onUndecidable: (u) => {
      writtenBefore = text.length;
      undecidable.push(u);
    } });
    expect(undecidable.length).toBeGreaterThan(0);
    expect(writtenBefore).toBe(0);
    expect(text).toContain('UNDECIDABLE');
  });

  it('holds the output to limits.outputBytes in UTF-8 bytes, and says where the run was', () => {
    const whole = streamed(hw7(), { format: 'text' }).text;
    const bytes = new TextEncoder().encode(whole).length;
    // The solution has characters of more than one byte, so bytes and characters differ.
    expect(bytes).toBeGreaterThan(whole.length);
    expect(streamed(hw7(), { format: 'text', limits: { outputBytes: bytes } }).text).toBe(whole);
    let caught: unknown;
    try {
      streamed(hw7(), { format: 'text', limits: { outputBytes: bytes - 1 } });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LimitError);
    expect((caught as LimitError).message).toMatch(/the output after the last step/);
    expect(() => streamed(hw7(), { format: 'json', limits: { outputBytes: 100 } })).toThrow(/the output at step 1 of 2/);
  });

  it('writes nothing when the run fails in its first step', () => {
    const controller = new AbortController();
    controller.abort();
    let text = '';
    expect(() => runStream(hw7(), (chunk) => (text += chunk), { signal: controller.signal })).toThrow(BudgetError);
    expect(text).toBe('');
  });
});

describe('derive and check as the commands give them', () => {
  it('deriveReport is the report of derive; deriveAtProblem names a point outside the run', async () => {
    expect(deriveReport(hw7(), { param: 'w1', format: 'latex' })).toBe((await cli(['derive', FILE, '--param', 'w1', '--format', 'latex'])).out);
    expect(deriveAtProblem(hw7(), { step: 3, sample: 1 })).toBe('step 3 is outside the run (steps 1 to 2)');
    expect(deriveAtProblem(hw7(), { step: 1, sample: 1 })).toBeUndefined();
    expect(() => deriveReport(hw7(), { at: { step: 3, sample: 1 } })).toThrow(/^at: step 3 is outside the run/);
    expect(() => deriveReport(hw7(), { maxNodes: 1 })).toThrow(LimitError);
  });

  it('checkAll grades a class once; checkReport and checkSummary print what check prints', async () => {
    const sheetFile = 'examples/hw7-q2-sheet.yaml';
    const answersFile = 'examples/hw7-q2.answers.yaml';
    const sheet = loadSpecFile(sheetFile);
    const missing = (() => {
      try {
        readInputFile('examples/no-such.yaml');
      } catch (e) {
        return e as InputError;
      }
      throw new Error('the file exists');
    })();
    const graded = checkAll(sheet, [{ file: answersFile, text: readInputFile(answersFile) }, { file: 'examples/no-such.yaml', error: missing }, { file: 'b.yaml', text: 'step1: { loss: 88.25 }' }]);
    expect(graded.map((g) => ('report' in g ? g.report.summary.wrong > 0 : g.error.located()))).toEqual([true, expect.stringMatching(/^examples\/no-such\.yaml: .*does not exist/), false]);
    const files = { 'b.yaml': 'step1: { loss: 88.25 }' };
    const args = ['check', sheetFile, answersFile, 'examples/no-such.yaml', 'b.yaml'];
    for (const format of ['text', 'markdown', 'json'] as const) {
      const r = await cli([...args, '--format', format, '--color', 'never'], files);
      expect(r.code).toBe(2);
      expect(checkReport(graded, format), format).toBe(r.out);
    }
    for (const summary of ['csv', 'markdown'] as const) expect(checkSummary(graded, summary), summary).toBe((await cli([...args, '--summary', summary], files)).out);
    expect(checkReport(graded, 'text', { colour: true })).toContain('\x1b[');
    // A single file's error is thrown, as check() does.
    expect(() => checkAll(sheet, [{ file: 'c.yaml', text: 'nope: 1' }])).toThrow(InputError);
    expect(toleranceProblem('--abs', '-1')).toBe("--abs takes a non-negative number (e.g. 0.001), got '-1'");
    expect(toleranceProblem('--abs', '0.001')).toBeUndefined();
  });
});

describe('exactprop run --arithmetic', () => {
  it('decimal.js gives the same JSON trace as the default arithmetic', async () => {
    const fast = await cli(['run', FILE, '--format', 'json']);
    const reference = await cli(['run', FILE, '--format', 'json', '--arithmetic', 'decimal.js']);
    expect(reference.code).toBe(0);
    expect(reference.out).toBe(fast.out);
  });

  it('is refused with --exact, and an unknown arithmetic is named', async () => {
    const both = await cli(['run', FILE, '--exact', '--arithmetic', 'decimal.js']);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/--arithmetic and --exact do not go together/);
    const unknown = await cli(['run', FILE, '--arithmetic', 'float']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown arithmetic 'float' \(decimal, decimal\.js\)/);
  });
});
