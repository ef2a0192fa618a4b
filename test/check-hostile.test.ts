// `exactprop check` against answers written to fool it: a value that is not a finite number is never
// graded correct (it is refused, located at its line), a value of the wrong magnitude is never a
// rounding slip, and the outputs a grader opens (a CSV summary in a spreadsheet, a report on a terminal)
// carry no formula and no control character from a file name.
import { describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { cli } from './helpers/spec.js';
import { makeContext } from '../src/numeric/context.js';
import { isCorrect, isRoundingSlip, reproduces, writtenNumber, writtenRangeProblem, DEFAULT_TOLERANCE } from '../src/check/tolerance.js';
import { csvCell } from '../src/check/report.js';

const SPEC = 'examples/hw7-q2-sheet.yaml';
/** An answers file with one value: h1 of sample 1 in epoch 1, whose exact value is 1.5. */
const h1 = (text: string) => `epoch1:\n  sample1: { h1: ${text} }\n`;
const GOOD = 'epoch1:\n  sample1: { h1: 1.5, h2: 0, yhat: 3.5, loss: 20.25 }\n';

async function grade(text: string) {
  return cli(['check', SPEC, 'a.yaml', '--format', 'json'], { 'a.yaml': h1(text) });
}

describe('a value that is not a finite number', () => {
  it('is refused at its line when it would overflow to Infinity (never graded correct)', async () => {
    const r = await grade('9e99999999999999999999');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe("exactprop: a.yaml:2: at epoch1.sample1.h1: '9e99999999999999999999' is too large to grade: beyond an exponent of 9e15 a number is read as Infinity\n");
    // An exponent of 100,000 digits: refused at once, and quoted short.
    const long = await grade(`1e${'9'.repeat(100_000)}`);
    expect(long.code).toBe(2);
    expect(long.err).toBe(`exactprop: a.yaml:2: at epoch1.sample1.h1: '1e${'9'.repeat(38)}…${'9'.repeat(12)}' (100,002 characters) is too large to grade: beyond an exponent of 9e15 a number is read as Infinity\n`);
    const negative = await grade('-1.5e99999999999999999999');
    expect(negative.code).toBe(2);
    expect(negative.err).toContain('is too large to grade');
  });

  it('is refused at its line when it would underflow to 0', async () => {
    const r = await grade('1e-99999999999999999999');
    expect(r.code).toBe(2);
    expect(r.err).toBe("exactprop: a.yaml:2: at epoch1.sample1.h1: '1e-99999999999999999999' is too small to grade: below an exponent of -9e15 a number is read as 0\n");
    // A zero whose last digit is out of range claims a precision that cannot be represented.
    const zero = await grade('0.0e-99999999999999999999');
    expect(zero.code).toBe(2);
    expect(zero.err).toContain('its last digit is at an exponent outside -9e15 to 9e15');
  });

  it('is refused when it is NaN or an infinity, in any spelling', async () => {
    for (const text of ['NaN', 'Infinity', '-Infinity', '.inf', '-.inf', '.nan', 'inf']) {
      const r = await grade(text);
      expect(r.code, text).toBe(2);
      expect(r.err, text).toBe(`exactprop: a.yaml:2: at epoch1.sample1.h1: '${text}' is not a finite number: only a finite number written in digits (e.g. 1.5, -85, 25e-7) can be graded\n`);
    }
  });

  it('accepts the largest exponents that are in range', async () => {
    const r = await grade('1e9000000000000000');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).results[0]).toMatchObject({ written: '1e9000000000000000', verdict: 'wrong' });
    expect(writtenRangeProblem('1e9000000000000000')).toBeUndefined();
    expect(writtenRangeProblem('1e9000000000000001')).toContain('too large');
    expect(writtenRangeProblem('0.1e9000000000000001')).toBeUndefined();
    expect(writtenRangeProblem('1e-9000000000000000')).toBeUndefined();
    expect(writtenRangeProblem('0.1e-9000000000000000')).toContain('too small');
  });

  it('in a class, is reported in its file\'s row while the others are graded', async () => {
    const files = { 'good.yaml': GOOD, 'inf.yaml': h1('9e99999999999999999999') };
    const r = await cli(['check', SPEC, 'good.yaml', 'inf.yaml', '--summary', 'csv'], files);
    expect(r.code).toBe(2);
    const rows = parseCsv(r.out, { columns: true }) as Array<Record<string, string>>;
    expect(rows[0]).toMatchObject({ file: 'good.yaml', correct: '4', wrong: '0', error: '' });
    expect(rows[1]).toMatchObject({ file: 'inf.yaml', correct: '', error: "inf.yaml:2: at epoch1.sample1.h1: '9e99999999999999999999' is too large to grade: beyond an exponent of 9e15 a number is read as Infinity" });
  });

  it('cannot be a grader\'s tolerance either (an infinite one grades everything correct)', async () => {
    const r = await cli(['check', SPEC, 'a.yaml', '--abs', '1e99999999999999999999'], { 'a.yaml': h1('7') });
    expect(r.code).toBe(2);
    expect(r.err).toContain("exactprop: --abs: '1e99999999999999999999' is too large to grade");
    expect(r.out).toBe('');
  });
});

describe('a value of the wrong magnitude', () => {
  it('is wrong, never a rounding slip, even when its last digit is coarse enough to cover the error', async () => {
    const texts = ['1e100', '1.0e100', '-1e100', '1e20'];
    // Graded as a class: one exact training for all.
    const files = Object.fromEntries(texts.map((t, i) => [`${i}.yaml`, h1(t)]));
    const r = await cli(['check', SPEC, ...Object.keys(files), '--format', 'json'], files);
    expect(r.code).toBe(1);
    const results = (JSON.parse(r.out) as { files: Array<{ results: unknown[] }> }).files.map((f) => f.results[0]);
    expect(results).toEqual(texts.map((written) => expect.objectContaining({ written, exact: '1.5', verdict: 'wrong' })));
  });

  it('still leaves real slips and roundings alone', async () => {
    // 2 is 1.5 to one significant digit; 1.4 is 1.5 off by one unit of its last digit.
    expect(JSON.parse((await grade('2')).out).results[0].verdict).toBe('correct');
    expect(JSON.parse((await grade('1.4')).out).results[0].verdict).toBe('rounding-slip');
    expect(JSON.parse((await grade('15e-1')).out).results[0].verdict).toBe('correct');
  });

  it('is held to the same rules by the grading functions themselves', () => {
    const { D } = makeContext(50);
    const exact = new D('1.5');
    const w = (t: string) => writtenNumber(t, D);
    expect(isRoundingSlip(w('1e100'), exact)).toBe(false);
    expect(isRoundingSlip(w('1.4'), exact)).toBe(true);
    // A recomputed value is reproduced only by a written value of its size, too ("carried" is not wrong).
    expect(reproduces(w('1e100'), new D('3'), DEFAULT_TOLERANCE)).toBe(false);
    expect(reproduces(w('3.1'), new D('3'), DEFAULT_TOLERANCE)).toBe(true);
    // Nothing infinite is ever within a tolerance, however it got there.
    const inf = { ...w('1'), value: new D('Infinity'), unit: new D('Infinity'), half: new D('Infinity') };
    expect(isCorrect(inf, exact, DEFAULT_TOLERANCE)).toBe(false);
    expect(isRoundingSlip(inf, exact)).toBe(false);
    expect(isCorrect(w('1.5'), new D('Infinity'), { kind: 'abs', value: '1e9' })).toBe(false);
    expect(reproduces(inf, exact, { kind: 'rel', value: '1' })).toBe(false);
  });
});

describe('the CSV summary in a spreadsheet', () => {
  it('neutralises a cell that starts like a formula, and leaves numbers as numbers', async () => {
    const names = ['=1+1.yaml', '+SUM(A1).yaml', '-2+3.yaml', '@cmd.yaml'];
    const files = Object.fromEntries(names.map((n) => [n, GOOD]));
    files['=HYPERLINK("x").yaml'] = 'epoch1:\n  params: { w9: 1 }\n';
    // After `--`, a file name that starts with - is a file name.
    files['negative.yaml'] = 'epoch1:\n  gradients: { w5: -40 }\n';
    const r = await cli(['check', '--summary', 'csv', '--', SPEC, ...Object.keys(files)], files);
    expect(r.code).toBe(2);
    const lines = r.out.split('\n');
    expect(lines[1]).toBe("'=1+1.yaml,4,0,0,0,,,,,");
    expect(lines[2]).toBe("'+SUM(A1).yaml,4,0,0,0,,,,,");
    expect(lines[3]).toBe("'-2+3.yaml,4,0,0,0,,,,,");
    expect(lines[4]).toBe("'@cmd.yaml,4,0,0,0,,,,,");
    // Quoted as CSV (the name holds a quote), and neutralised in both cells that start with it.
    expect(lines[5]).toBe(`"'=HYPERLINK(""x"").yaml",,,,,,,,,"'=HYPERLINK(""x"").yaml:2: at epoch1.params.w9: unknown param 'w9' (did you mean 'w1'?); expected w1, w2, w3, w4, w5, w6, b1, b2, b"`);
    // Negative numbers stay numbers: they are data, and no formula.
    expect(lines[6]).toMatch(/^negative\.yaml,0,0,0,1,step1\.gradients\.w5,-40,-50\.5,/);
    const rows = parseCsv(r.out, { columns: true }) as Array<Record<string, string>>;
    expect(rows[4]!.file).toBe('\'=HYPERLINK("x").yaml');
    expect(rows[5]).toMatchObject({ file: 'negative.yaml', written: '-40', exact: '-50.5' });
  });

  it('neutralises by the rule OWASP gives', () => {
    expect(['=1', '+1+1', '-1-', '@A', '\tx', '\rx', 'a=1', '-85', '+1.5e3', '-0.25'].map(csvCell)).toEqual(["'=1", "'+1+1", "'-1-", "'@A", "'\tx", "'\\x0Dx", 'a=1', '-85', '+1.5e3', '-0.25']);
  });
});

describe('file names in reports', () => {
  const evil = 'a\x1b[2J\u202eevil.yaml';

  it('are written out, not obeyed, in the text report, with no raw control character anywhere', async () => {
    const r = await cli(['check', SPEC, evil], { [evil]: GOOD });
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`exactprop check: a\\x1B[2J\\u202Eevil.yaml against ${SPEC}`);
    expect(r.out).not.toMatch(/[\x1b\u202e]/);
  });

  it('are \\u-escaped in JSON, which still reads back as the file name', async () => {
    const r = await cli(['check', SPEC, evil, '--format', 'json'], { [evil]: GOOD });
    expect(r.out).not.toMatch(/[\x1b\u202e]/);
    expect(r.out).toContain('"file": "a\\u001b[2J\\u202eevil.yaml"');
    expect(JSON.parse(r.out).file).toBe(evil);
  });

  it('are escaped in the Markdown summary and report: no live mathematics, no broken code span', async () => {
    const files = { '$x$_1.yaml': GOOD, 'a`b.yaml': GOOD };
    const summary = await cli(['check', SPEC, ...Object.keys(files), '--summary', 'markdown'], files);
    expect(summary.out).toContain('| \\$x\\$\\_1.yaml | 4 | 0 | 0 | 0 |');
    const report = await cli(['check', SPEC, 'a`b.yaml', '--format', 'markdown'], files);
    expect(report.out.split('\n')[0]).toBe('## exactprop check: ``a`b.yaml``');
  });

  it('are escaped in the message of a file that cannot be read', async () => {
    const r = await cli(['check', SPEC, 'good.yaml', evil, '--summary', 'csv'], { 'good.yaml': GOOD, [evil]: 'epoch1:\n  params: { w9: 1 }\n' });
    expect(r.code).toBe(2);
    expect(r.err).toContain("exactprop: a\\x1B[2J\\u202Eevil.yaml:2: at epoch1.params.w9: unknown param 'w9'");
    expect(r.err + r.out).not.toMatch(/[\x1b\u202e]/);
  });
});

describe('a recomputation names the data row its inputs come from', () => {
  it('data[1].i1, not data[NaN].i1', async () => {
    const { cli } = await import('./helpers/spec.js');
    const r = await cli(['check', 'examples/hw7-q2-sheet.yaml', 'examples/hw7-q2.answers.yaml', '--format', 'json']);
    expect(r.out).not.toContain('NaN');
    const froms = [...r.out.matchAll(/"from": "(data\[[^"]*)"/g)].map((m) => m[1]);
    expect(new Set(froms)).toEqual(new Set(['data[1].i1', 'data[1].i2', 'data[2].i1', 'data[2].i2']));
  });
});
