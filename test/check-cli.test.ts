// `exactprop check` from the command line: the JSON contract, text and Markdown reports, a class graded
// at once with --summary, exit codes, and bad answers files reported like bad specs (located, with the
// closest valid name suggested, exit code 2).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { cli, example } from './helpers/spec.js';
import { readSubset } from '../src/check/read.js';
import { readYaml } from '../src/spec/yaml.js';
import { replaced } from './helpers/replaced.js';

const SPEC = 'examples/hw7-q2-sheet.yaml';
const SHEET = 'examples/hw7-q2.answers.yaml';
// Epoch 1 of hw7 under the sheet's conventions, every value exact or correctly rounded.
const GOOD = `epoch1:
  sample1: { h1: 1.5, h2: 0, yhat: 3.5, loss: 20.25 }
  loss: 88.25
  gradients: { w5: -50.5, w1: -402 }
  optimizer: { g: { w1: -401.9 }, m: { w1: -40.19 } }
  params: { w1: 1.1 }
`;

describe('exactprop check, one file', () => {
  it('follows the JSON contract', async () => {
    const r = await cli(['check', SPEC, SHEET, '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.results).toHaveLength(125);
    const w5 = j.results.find((x: { path: string }) => x.path === 'step1.gradients.w5');
    expect(w5).toMatchObject({ path: 'step1.gradients.w5', written: '-85', exact: '-50.5', verdict: 'carried', because: ['step1.sample1.gradients.w5', 'step1.sample2.gradients.w5'], diagnosis: [] });
    const share = j.results.find((x: { path: string }) => x.path === 'step1.sample1.gradients.w5');
    expect(share.verdict).toBe('wrong');
    expect(share.diagnosis[0]).toMatchObject({ id: 'sum-times-sum' });
    expect(share.recomputed).toMatchObject({ quantity: 'dL/dw5', value: '-6.75' });
    expect(share.line).toBe(12);
    expect(Object.keys(j.summary)).toEqual(['correct', 'rounding-slip', 'carried', 'wrong']);
    expect(j.summary.correct + j.summary['rounding-slip'] + j.summary.carried + j.summary.wrong).toBe(125);
    expect(j.first_error).toBe('step1.sample1.gradients.w1');
    // Exact values at full precision, as in the JSON trace.
    expect(j.results.find((x: { path: string }) => x.path === 'step1.params.w1').exact).toMatch(/^1\.0999999999975\d{30,}/);
  });

  it('exits 0 when every value is correct or a rounding slip', async () => {
    const r = await cli(['check', SPEC, 'good.yaml', '--format', 'json'], { 'good.yaml': GOOD });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).summary).toEqual({ correct: 10, 'rounding-slip': 0, carried: 0, wrong: 0 });
  });

  it('prints a text report without colour, unless asked', async () => {
    const plain = await cli(['check', SPEC, 'good.yaml'], { 'good.yaml': replaced(GOOD, 'w1: 1.1 }', 'w1: 1.099 }') });
    expect(plain.code).toBe(0);
    expect(plain.out).toContain('~ step1.params.w1');
    expect(plain.out).toContain('rounding slip exact 1.09999999999…');
    expect(plain.out).toMatch(/summary: 9 correct, 1 rounding slip, 0 carried, 0 wrong; no new error/);
    expect(plain.out).not.toContain('\x1b[');
    const coloured = await cli(['check', SPEC, 'good.yaml', '--color', 'always'], { 'good.yaml': GOOD });
    expect(coloured.out).toContain('\x1b[32m✓\x1b[0m');
  });

  it('shows a new error as its formula, the numbers that should have gone in, and the result', async () => {
    const r = await cli(['check', SPEC, SHEET]);
    expect(r.out).toContain([
      '✗ step2.sample1.h2            0.198      wrong                  exact 0',
      '      h2 = relu(i1 * w3 + i2 * w4 + b2)',
      '         = relu(3 * (-0.401) + 2 * 0.401 + 0.401)',
      '         = 0   (with your w3 = -0.401 (step1.params.w3), w4 = 0.401 (step1.params.w4), b2 = 0.401 (step1.params.b2))',
      '      reproduced by wrong-slot: b1 used in place of b2 in h2: h2 = relu(i1 * w3 + i2 * w4 + b1)',
    ].join('\n'));
  });

  it('prints Markdown', async () => {
    const r = await cli(['check', SPEC, SHEET, '--format', 'markdown']);
    expect(r.out).toContain('| | value | written | exact | verdict | notes |');
    expect(r.out).toContain('| ✗ | `step1.sample1.gradients.w5` | -25.5 | -6.75 | **wrong** | sum-times-sum |');
    expect(r.out).toContain('### New errors');
    // A repeated mistake is explained once in the text report, then named.
    const text = await cli(['check', SPEC, SHEET]);
    expect(text.out.split('\n').filter((l) => l.includes('reproduced by sum-times-sum:'))).toHaveLength(1);
    expect(text.out).toContain('reproduced by sum-times-sum (as above)');
  });

  it('takes a grader\'s tolerance', async () => {
    const loose = await cli(['check', SPEC, 'a.yaml', '--format', 'json', '--abs', '0.01'], { 'a.yaml': 'step1:\n  params: { w1: 1.099 }\n' });
    expect(JSON.parse(loose.out).results[0].verdict).toBe('correct');
    const strict = await cli(['check', SPEC, 'a.yaml', '--format', 'json', '--sig', '4'], { 'a.yaml': 'step1:\n  params: { w1: 1.099 }\n' });
    expect(JSON.parse(strict.out).results[0].verdict).toBe('rounding-slip');
    const both = await cli(['check', SPEC, 'a.yaml', '--abs', '0.1', '--rel', '0.1'], { 'a.yaml': GOOD });
    expect(both.code).toBe(2);
    expect(both.err).toContain('give one tolerance');
  });
});

describe('exactprop check, a class', () => {
  it('gives one row per file, with a bad file\'s error in its row, and exits 2', async () => {
    const files = { 'good.yaml': GOOD, 'bad.yaml': 'step1:\n  params: { w9: 1 }\n' };
    const r = await cli(['check', SPEC, 'good.yaml', SHEET, 'bad.yaml', '--summary', 'csv'], files);
    expect(r.code).toBe(2);
    const rows = parseCsv(r.out, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((x) => x.file)).toEqual(['good.yaml', SHEET, 'bad.yaml']);
    expect(rows[0]).toMatchObject({ correct: '10', rounding_slip: '0', carried: '0', wrong: '0', first_error: '', error: '' });
    expect(rows[1]).toMatchObject({ first_error: 'step1.sample1.gradients.w1', written: '-102', exact: '-27', diagnosis: 'sum-times-sum' });
    expect(Number(rows[1]!.correct) + Number(rows[1]!.rounding_slip) + Number(rows[1]!.carried) + Number(rows[1]!.wrong)).toBe(125);
    expect(rows[2]!.error).toContain("bad.yaml:2: at step1.params.w9: unknown param 'w9'");
    expect(r.err).toContain("bad.yaml:2: at step1.params.w9: unknown param 'w9'");
  });

  it('exits 1 when a file has a new error, and prints a Markdown table', async () => {
    const r = await cli(['check', SPEC, 'good.yaml', SHEET, '--summary', 'markdown'], { 'good.yaml': GOOD });
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('| file | correct | rounding_slip | carried | wrong | first_error | written | exact | diagnosis | error |');
    expect(r.out).toContain('| good.yaml | 10 | 0 | 0 | 0 |');
  });

  it('gives each file its report in JSON', async () => {
    const r = await cli(['check', SPEC, 'good.yaml', 'good2.yaml', '--format', 'json'], { 'good.yaml': GOOD, 'good2.yaml': GOOD });
    const j = JSON.parse(r.out);
    expect(j.files.map((f: { file: string }) => f.file)).toEqual(['good.yaml', 'good2.yaml']);
    expect(j.files[1].summary.correct).toBe(10);
  });
});

describe('bad answers files', () => {
  const bad = async (answers: string) => {
    const r = await cli(['check', SPEC, 'a.yaml'], { 'a.yaml': answers });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    return r.err.trim();
  };

  it('unknown steps, samples, neurons, params and optimizer quantities, with the closest valid name', async () => {
    expect(await bad('step3:\n  loss: 1\n')).toBe("exactprop: a.yaml:1: at step3: unknown step 'step3': the spec trains 2 steps (step1 to step2)");
    expect(await bad('stpe1:\n  loss: 1\n')).toBe("exactprop: a.yaml:1: at stpe1: unknown key 'stpe1' (did you mean 'step1'?); expected step1, step2, epoch1, epoch2, final, aliases");
    expect(await bad('epoch1:\n  sample3: { h1: 1 }\n')).toBe("exactprop: a.yaml:2: at epoch1.sample3: unknown sample 'sample3' in step1: its samples are sample1, sample2 (the data has 2 rows)");
    expect(await bad('epoch1:\n  sample1: { h3: 1 }\n')).toContain("a.yaml:2: at epoch1.sample1.h3: unknown neuron 'h3' in step1.sample1 (did you mean 'h1'?); expected h1, h2, yhat, loss, values, adjoints, gradients");
    expect(await bad('epoch1:\n  params:\n    w1: 1\n    w7: 2\n')).toContain("a.yaml:4: at epoch1.params.w7: unknown param 'w7' (did you mean 'w1'?)");
    expect(await bad('epoch1:\n  optimizer: { mhatt: { w1: 1 } }\n')).toContain("unknown optimizer quantity 'mhatt' (did you mean 'mhat'?); expected g, m, v, mhat, vhat");
    expect(await bad('epoch1:\n  gradient: { w1: 1 }\n')).toContain("unknown key 'gradient' in step1 (did you mean 'gradients'?)");
  });

  it('non-numeric values and wrong shapes', async () => {
    expect(await bad('epoch1:\n  loss: abc\n')).toBe("exactprop: a.yaml:2: at epoch1.loss: expected a number as written (e.g. 1.5, -85, 25e-7), got 'abc'");
    expect(await bad('epoch1:\n  params: 3\n')).toBe('exactprop: a.yaml:2: at epoch1.params: expected a mapping of param names to values');
    expect(await bad('epoch1:\n  loss: { data: 1, extra: 2 }\n')).toContain("unknown part of the loss 'extra'");
    expect(await bad('epoch1:\n  loss: 1\nstep1:\n  loss: 2\n')).toBe('exactprop: a.yaml:3: at step1: step 1 is given twice (as epoch1 and step1)');
    expect(await bad('step1: [1, 2]\n')).toContain('a.yaml:1: at step1: expected a mapping');
    expect(await bad('step1: {\n')).toContain('a.yaml');
  });

  it('epochN only names a step when the batch is full', async () => {
    const minibatch = replaced(example('hw7-q2-sheet.yaml'), 'batch: full', 'batch: 1');
    const r = await cli(['check', 'mb.yaml', 'a.yaml'], { 'mb.yaml': minibatch, 'a.yaml': 'epoch1:\n  loss: 1\n' });
    expect(r.code).toBe(2);
    expect(r.err).toContain("at epoch1: 'epoch1' names a step only when batch is full (one step per epoch); this spec takes 2 steps per epoch: use step1 to step4");
    // With batches of one row, step 2 holds sample 2 only.
    const s = await cli(['check', 'mb.yaml', 'a.yaml'], { 'mb.yaml': minibatch, 'a.yaml': 'step2:\n  sample1: { h1: 1 }\n' });
    expect(s.err).toContain("unknown sample 'sample1' in step2: its sample is sample2 (row 1 is in another step's batch)");
  });

  it('leaves blank values and sections unanswered', async () => {
    const r = await cli(['check', SPEC, 'a.yaml', '--format', 'json'], { 'a.yaml': 'epoch1:\n  loss:\n  sample1:\n  params: { w1: 1.1, w2: }\n' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).results.map((x: { path: string }) => x.path)).toEqual(['step1.params.w1']);
  });
});

describe('the fast reader of answers files', () => {
  it('reads what the general YAML reader reads, or leaves the file to it', () => {
    const cases = [
      readFileSync(new URL('../examples/hw7-q2.answers.yaml', import.meta.url), 'utf8'),
      GOOD,
      '{"step1": {"sample1": {"h1": 1.5, "h2": 0}, "loss": 88.25}, "final": {"loss": null}}',
      '{\n  "step1": {\n    "params": { "w1": "1.099" }\n  }\n}\n',
      'step1:\n  sample1: {h1: 1.5,\n    h2: 0}  # note\n  loss:\n  params:\n    w1: 1e-3\nfinal:\n  loss: ~\n',
      '# top\n\nstep1:   # c\n    params:   {   }\n    gradients: { w1: true, w2: .inf , w3: 0x1F, w4: +1.5 }\n',
      "a: 1.5 # x\nb: 'q' # y\nc: \"r\"\n",
    ];
    for (const text of cases) {
      const fast = readSubset(text);
      expect(fast, text).toBeDefined();
      const general = readYaml(text, 'a.yaml');
      expect(fast!.value).toEqual(general.value);
      expect([...fast!.lines].sort()).toEqual([...general.lines].sort());
    }
    // Outside the subset: sequences, anchors, escapes, tabs, duplicate keys, keys the general reader
    // rewrites, misplaced indentation.
    for (const text of ['step1:\n  - 1\n', 'step1: &a 1\n', 'step1: "x\\ty"\n', 'step1:\n\tparams: 1\n', 'a: 1\na: 2\n', 'True: 1\n', 'a:\n  b: 1\n c: 2\n']) {
      expect(readSubset(text), text).toBeUndefined();
    }
  });
});

describe('the README section on check', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Checking hand calculations with `check`'));

  it('shows the report of the hw7 sheet as the command prints it', async () => {
    const whole = section.slice(section.indexOf('<details><summary>The whole report</summary>'));
    const shown = /```\n([\s\S]*?)\n```/.exec(whole)![1]!;
    const r = await cli(['check', SPEC, SHEET]);
    expect(shown).toBe(r.out.trimEnd());
  });

  it('describes an answers file that reads without error', async () => {
    const yaml = /### The answers file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const r = await cli(['check', SPEC, 'readme.yaml', '--format', 'json'], { 'readme.yaml': yaml });
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).results).toHaveLength(12);
  });
});
