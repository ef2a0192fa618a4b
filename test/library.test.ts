// The library entry (src/index.ts, 'exactprop') on hw7: each function gives what the command line gives,
// and importing it leaves zod's global configuration alone.
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { BudgetError, check, derive, InputError, parseSpec, render, run, SpecError } from '../src/index.js';
import { checkFile, loadSpecFile, render as renderNode } from '../src/node.js';
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
