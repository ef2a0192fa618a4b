// `exactprop check --key SPEC KEY`: a published key's errata. The BPTT walkthrough (cited in
// test/fixtures/published/bptt-tanh-walkthrough.yaml) has one error of its own, h2 = tanh(1.04621)
// written 0.7790 for 0.78033, and every later value follows from it; the homework sheet
// (examples/hw7-q2.answers.yaml) read as a key for the problem as set (examples/hw7-q2.yaml) leaves the
// penalty out of its loss and sums the errors before multiplying (see test/check.test.ts).
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/spec.js';

const SPEC = 'test/fixtures/published/bptt-tanh-walkthrough.yaml';
const KEY = 'test/fixtures/published/bptt-tanh-walkthrough.answers.yaml';

describe('check --key', () => {
  it('lists each wrong value with its exact value and the first error it follows from, and exits 1', async () => {
    const r = await cli(['check', '--key', SPEC, KEY]);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(`exactprop check --key: errata of ${KEY} against ${SPEC}`);
    expect(r.out).toContain('- step1.sample1.h2 = 0.7790 (line 11): should be 0.780329185039…; a new error: no known convention or mistake reproduces it');
    // y2 = 2*0.7790 = 1.558 is right from there, wrong for the reader.
    expect(r.out).toContain('- step1.sample1.y2 = 1.558 (line 12): should be 1.56065837007…; follows from step1.sample1.h2 = 0.7790, computed correctly from there\n');
    // L2 = (1.558 - 2)^2/2 = 0.097682 written 0.0978.
    expect(r.out).toContain('- step1.sample1.L2 = 0.0978 (line 14): should be 0.096510533891…; follows from step1.sample1.h2 = 0.7790, computed correctly from there (with a rounding slip of its own)');
    // Under the key's own names.
    expect(r.out).toContain("- step1.sample1.adjoints.a2 (dL/da2) = -0.3475 (line 18): should be -0.343641040299…; follows from step1.sample1.h2 = 0.7790");
    // L1 = (0.9242 - 1)^2/2: exact 0.0028702..., written 0.00288, within one unit.
    expect(r.out).toContain('Rounded in the last digit (within one unit of it, not wrong):\n- step1.sample1.L1 = 0.00288, exact 0.00287021954812…');
    expect(lines.at(-2)).toBe('errata: 10 wrong values (1 new error, 9 following from it), 1 rounded in the last digit, 2 correct');
  });

  it('JSON: each erratum with its kind, exact value in full and first error', async () => {
    const r = await cli(['check', '--key', SPEC, KEY, '--format', 'json']);
    const j = JSON.parse(r.out) as { errata: Array<Record<string, unknown>>; rounding: unknown[]; correct: number };
    expect(j.errata[0]).toMatchObject({ path: 'step1.sample1.h2', written: '0.7790', kind: 'new', diagnosis: [] });
    expect(String(j.errata[0]!.exact).startsWith('0.78032918503928206717531397855')).toBe(true);
    expect(j.errata.filter((e) => e.kind === 'follows').every((e) => e.first_error === 'step1.sample1.h2')).toBe(true);
    expect(j.correct).toBe(2);
  });

  it('a key with every value right exits 0', async () => {
    const r = await cli(['check', '--key', SPEC, 'key.yaml'], { 'key.yaml': 'step1:\n  sample1: { h1: 0.4621, h2: 0.7803, a2: 1.0462 }\n' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('No wrong value.');
    expect(r.out).toContain('errata: 0 wrong values (0 new errors, 0 following from them), 0 rounded in the last digit, 3 correct');
  });

  it('names the diagnosis of a new error once in full, then by name', async () => {
    const r = await cli(['check', '--key', 'examples/hw7-q2.yaml', 'examples/hw7-q2.answers.yaml']);
    expect(r.out).toContain('- step1.loss = 88.25 (line 18): should be 89.525; a new error, reproduced by penalty-left-out: the penalty');
    expect(r.out).toContain('- step1.sample1.gradients.w2 = -68 (line 12): should be -18; a new error, reproduced by sum-times-sum (as above)');
  });

  it('an alias is the key\'s own text: Markdown escapes it, in the errata and in the report\'s table', async () => {
    const key = 'aliases: { "d|<b>": step1.sample1.h2 }\n"d|<b>": 0.7790\n';
    const errata = await cli(['check', '--key', SPEC, 'key.yaml', '--format', 'markdown'], { 'key.yaml': key });
    expect(errata.out).toContain('- `step1.sample1.h2` (d\\|&lt;b&gt;) = 0.7790 (line 2): should be 0.780329185039…');
    const report = await cli(['check', SPEC, 'key.yaml', '--format', 'markdown'], { 'key.yaml': key });
    expect(report.out).toContain('| ✗ | `step1.sample1.h2` (d\\|&lt;b&gt;) | 0.7790 |');
  });

  it('takes one key, not a class', async () => {
    const r = await cli(['check', '--key', SPEC, KEY, KEY]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('check --key takes a spec file and one answer key, got 2 files');
  });
});
