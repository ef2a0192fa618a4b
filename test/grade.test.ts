// `grade`: a class at once. A generated class of 50 sheets from the exact training of homework 7
// (test/helpers/generated-class.ts: planted mistakes of every kind check diagnoses, rounding slips, a
// value carried from a planted mistake, blanks) is graded from a CSV and from a folder of answers
// files: every planted mistake is found and diagnosed, every other value gets the verdict it was made
// to have, the scores are the points of the scheme added up here independently, and both inputs give
// the same gradebook. Bad CSVs and points files are refused with located messages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  classReportDocument, defaultScheme, gradeClass, gradebookCsv, gradeReport, gradeSheets, readClassCsv, readPointsScheme,
  type Gradebook, type Sheet,
} from '../src/index.js';
import { gradeReport as gradeReportHtml, readClassFolder } from '../src/node.js';
import { gradeSheetsInWorkers, loadSpecSource } from '../src/node/grade-workers.js';
import { calculationOrder } from '../src/grade/gradebook.js';
import { pathPattern } from '../src/grade/glob.js';
import { classCsv, generatedClass, SPEC_FILE, yamlOf } from './helpers/generated-class.js';
import { cli, located } from './helpers/spec.js';
import { xmlProblems } from './helpers/xml.js';

const klass = generatedClass(50);
const POINTS = `# every value 1 point, a loss 2, the params after step 1 3 each
points: 1
credit: { rounding-slip: 0.5, carried: 0.75 }
quantities:
  "**.loss": 2
  "step1.params.*": 3
`;
const scheme = readPointsScheme(POINTS, 'points.yaml');
/** The scheme above, written out again: what each path is worth and what each verdict earns of it. */
const worth = (path: string) => new Decimal(path.endsWith('.loss') ? 2 : path.startsWith('step1.params.') ? 3 : 1);
const CREDIT = { correct: 1, 'rounding-slip': 0.5, carried: 0.75, wrong: 0 } as const;

const csvText = classCsv(klass);
const fromCsv = gradeClass(klass.spec, readClassCsv(csvText, 'class.csv', klass.spec, { aliases: scheme.aliases }), { scheme });
const rowsOf = (book: Gradebook) => parseCsv(gradebookCsv(book), { columns: true }) as Array<Record<string, string>>;

describe('a generated class of 1,000 sheets (the size the issue names), graded from a CSV', () => {
  it('recovers every planted mistake as the first new error with its diagnosis, and the scores add up', () => {
    const big = generatedClass(1000, { seed: 29 });
    const book = gradeClass(big.spec, readClassCsv(classCsv(big), 'class.csv', big.spec), { scheme: defaultScheme() });
    const planted = big.students.filter((s) => s.planted.length);
    expect(planted.length).toBe(900);
    const max = new Decimal(book.max.toString());
    for (const [i, s] of big.students.entries()) {
      const g = book.students[i]!;
      expect(g.id).toBe(s.id);
      if (s.planted.length) {
        expect(g.firstError?.path, s.id).toBe(s.planted[0]!.path);
        expect(g.results.find((r) => r.path === s.planted[0]!.path)!.diagnosis.map((d) => d.id), s.id).toContain(s.planted[0]!.diagnosis);
      } else expect(g.firstError, s.id).toBeUndefined();
      // The default scheme: a point a value, full credit for correct and carried, half for a slip.
      const credit = { correct: 1, carried: 1, 'rounding-slip': 0.5, wrong: 0 } as const;
      const score = g.results.reduce((sum, r) => sum.plus(credit[r.verdict]), new Decimal(0));
      expect(new Decimal(g.score!.toString()).eq(score), s.id).toBe(true);
      expect(score.lte(max)).toBe(true);
    }
  });
});

describe('a generated class, graded from a CSV', () => {
  it('plants every kind of mistake check diagnoses, and every kind of verdict', () => {
    expect(klass.kinds).toEqual(expect.arrayContaining(['mse-without-1-over-n', 'mse-with-half', 'penalty-gradient-halved', 'penalty-gradient-doubled',
      'biases-regularised', 'relu-at-zero-1', 'relu-at-zero-0.5', 'penalty-left-out', 'adam-no-bias-correction', 'sum-times-sum', 'updated-weights-in-backward', 'wrong-slot']));
    const verdicts = new Set(klass.students.flatMap((s) => [...s.expected.values()]));
    expect([...verdicts].sort()).toEqual(['carried', 'correct', 'rounding-slip', 'wrong']);
    expect(klass.students).toHaveLength(50);
  });

  it('gives every value the verdict it was made to have', () => {
    for (const [i, s] of klass.students.entries()) {
      const g = fromCsv.students[i]!;
      expect(g.id).toBe(s.id);
      expect(new Map(g.results.map((r) => [r.path, r.verdict])), s.id).toEqual(s.expected);
    }
  });

  it('recovers every planted mistake as the first new error, with its diagnosis', () => {
    let planted = 0;
    for (const [i, s] of klass.students.entries()) {
      const g = fromCsv.students[i]!;
      if (!s.planted.length) {
        expect(g.firstError, s.id).toBeUndefined();
        continue;
      }
      for (const p of s.planted) {
        planted++;
        const r = g.results.find((x) => x.path === p.path)!;
        expect(r.diagnosis.map((d) => d.id), `${s.id} ${p.path}`).toContain(p.diagnosis);
      }
      expect(g.firstError?.path, s.id).toBe(s.planted[0]!.path);
    }
    expect(planted).toBe(45);
  });

  it('adds up: each score is the points of the scheme times the credit of each verdict, summed here', () => {
    const max = klass.asked.reduce((sum, p) => sum.plus(worth(p)), new Decimal(0));
    const rows = rowsOf(fromCsv);
    for (const [i, s] of klass.students.entries()) {
      let score = new Decimal(0);
      for (const [p, v] of s.expected) score = score.plus(worth(p).times(CREDIT[v]));
      const row = rows[i]!;
      expect([row.id, row.score, row.max], s.id).toEqual([s.id, score.toFixed(), max.toFixed()]);
      const counts = ['correct', 'rounding_slip', 'carried', 'wrong', 'blank'].map((k) => Number(row[k]));
      expect(counts.reduce((a, b) => a + b), s.id).toBe(klass.asked.length);
      expect(Number(row.wrong)).toBe([...s.expected.values()].filter((v) => v === 'wrong').length);
      expect(row.first_error).toBe(s.planted[0]?.path ?? '');
    }
    // The maximum by hand: 40 quantities, 5 of them losses (2 points), 9 params after step 1 (3 points).
    expect(max.toFixed()).toBe(String(26 * 1 + 5 * 2 + 9 * 3));
  });

  it('is the generator of the class of twelve in examples/hw7-q2-class.csv', () => {
    expect(readFileSync(new URL('../examples/hw7-q2-class.csv', import.meta.url), 'utf8')).toBe(classCsv(generatedClass(12)));
  });

  it('writes the scores exactly: a half and a three-quarter credit give decimals, never a double\'s digits', () => {
    const scores = rowsOf(fromCsv).map((r) => r.score!);
    expect(scores.some((s) => /\.(25|5|75)$/.test(s))).toBe(true);
    for (const s of scores) expect(s).toMatch(/^\d+(\.\d{1,2})?$/);
  });
});

describe('the same class as a folder of answers files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exactprop-grade-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const s of klass.students) writeFileSync(join(dir, `${s.id}.yaml`), yamlOf(s.values));

  it('grades a file that cannot be read as its error, the others still; only answers files are read', () => {
    const other = mkdtempSync(join(tmpdir(), 'exactprop-grade-'));
    try {
      writeFileSync(join(other, 'a.yaml'), 'epoch1:\n  loss: 89.525\n');
      writeFileSync(join(other, 'b.yaml'), 'epoch1:\n  los: 89.525\n');
      writeFileSync(join(other, 'notes.txt'), 'not a sheet');
      writeFileSync(join(other, 'spec.yaml'), klass.specText);
      const book = gradeClass(klass.spec, readClassFolder(other, { skip: [join(other, 'spec.yaml')] }));
      expect(book.students.map((s) => s.id)).toEqual(['a', 'b']);
      expect(book.students[0]!.score!.toFixed()).toBe('1');
      expect(book.students[1]!.error).toBe(`${join(other, 'b.yaml')}:2: at epoch1.los: unknown key 'los' in step1 (did you mean 'loss'?); expected sample1, sample2, loss, gradients, optimizer, params`);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('gives the same gradebook as the CSV', () => {
    const book = gradeClass(klass.spec, readClassFolder(dir), { scheme });
    expect(gradebookCsv(book)).toBe(gradebookCsv(fromCsv));
    expect(book.quantities.map((q) => q.path)).toEqual(klass.asked);
  });
});

describe('worker threads', () => {
  it('give the results the sequential path gives', async () => {
    const { spec, source } = loadSpecSource(SPEC_FILE);
    const cls = readClassCsv(csvText, 'class.csv', spec);
    const sheets = cls.sheets as Sheet[];
    const sequential = gradeSheets(spec, sheets, { tolerance: scheme.tolerance });
    const parallel = await gradeSheetsInWorkers(spec, source, sheets, { tolerance: scheme.tolerance }, 2);
    expect(parallel).toEqual(sequential);
    expect(sequential.filter((g) => 'results' in g && g.firstError !== null)).toHaveLength(45);
  }, 120_000);
});

describe('the class report', () => {
  const md = gradeReport(fromCsv, 'markdown');
  const page = gradeReportHtml(fromCsv, 'html');

  it('the well-formedness check finds what would keep an SVG from showing', () => {
    expect(xmlProblems('<svg><text x="1">a &amp; b</text><rect/></svg>')).toEqual([]);
    expect(xmlProblems('<svg><text>a < b</text></svg>')).toEqual(["raw '<' in text"]);
    expect(xmlProblems('<svg><g></svg>')).toEqual(['</svg> closes <g>', 'unclosed: svg']);
    expect(xmlProblems('<svg><text>R&D</text></svg>')).toEqual(["stray '&' in text"]);
    expect(xmlProblems('<svg x="1" x="2"></svg>')).toEqual(['<svg> repeats an attribute']);
  });

  it('charts the scores and where the class went wrong, as well-formed SVG', () => {
    const doc = classReportDocument(fromCsv);
    const figures = doc.blocks.filter((b) => b.kind === 'figure');
    expect(figures).toHaveLength(2);
    for (const f of figures) expect(xmlProblems((f as { svg: string }).svg)).toEqual([]);
    expect(xmlProblems(page.slice(page.indexOf('<main>'), page.indexOf('</main>') + 7))).toEqual([]);
    expect(md.match(/<svg /g)).toHaveLength(2);
    expect(page.match(/<svg /g)).toHaveLength(2);
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('counts first errors per quantity, in the order of the calculation', () => {
    // The chart's bars: one per asked quantity, in the order check grades them.
    const bars = [...md.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="end" font-family="monospace" font-size="11">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(bars).toEqual(klass.asked);
    const firsts = new Map<string, number>();
    for (const s of klass.students) if (s.planted[0]) firsts.set(s.planted[0].path, (firsts.get(s.planted[0].path) ?? 0) + 1);
    // step1.loss is the first error of the penalty-left-out students, and of three spec-level kinds.
    const row = md.split('\n').find((l) => l.startsWith('| `step1.loss` | 2 | '))!;
    expect(row.split('|').at(-2)!.trim()).toBe(String(firsts.get('step1.loss')));
    expect(md).toContain('## The most common diagnoses');
    for (const kind of klass.kinds) expect(md).toContain(`| \`${kind}\` |`);
  });
});

describe('bad input, located', () => {
  const spec = klass.spec;
  const read = (text: string) => () => readClassCsv(text, 'class.csv', spec);

  it('an unknown column, at its heading, with check\'s did-you-mean', () => {
    expect(located(read('id,epoch1.sample1.h1,epoch1.sample1.hh2\na,1.5,0\n'))).toBe(
      "class.csv:1: at column 3 'epoch1.sample1.hh2': unknown neuron 'hh2' in step1.sample1 (did you mean 'h2'?); expected h1, h2, yhat, loss, values, adjoints, gradients, local_derivatives, pre_activations, deltas, via; a column is headed by a quantity's path (e.g. step1.sample1.h1), by an alias of the points scheme, or is the id column");
    expect(located(read('id,epoch3.loss\na,1\n'))).toMatch(/^class\.csv:1: at column 2 'epoch3\.loss': unknown epoch 'epoch3': the spec trains 2 epochs/);
  });

  it('an alias of the points scheme heads a column', () => {
    const s = readPointsScheme('aliases: { E1: epoch1.loss, h: epoch1.sample1.h1 }\n', 'points.yaml');
    const c = readClassCsv('id,h,E1\na,1.5,89.525\n', 'class.csv', spec, { aliases: s.aliases });
    expect(c.asked).toEqual(['step1.sample1.h1', 'step1.loss']);
    const book = gradeClass(spec, c, { scheme: s });
    expect(book.students[0]!.counts.correct).toBe(2);
  });

  it('a cell that is not a number: that student only, at the row and column', () => {
    const c = readClassCsv('id,epoch1.loss\na,89.525\nb,"89,5"\n', 'class.csv', spec);
    const book = gradeClass(spec, c);
    expect(book.students[1]!.error).toBe("class.csv:3: at epoch1.loss of 'b': expected a number as written (e.g. 1.5, -85, 25e-7), got '89,5'");
    expect(book.students[0]!.score!.toFixed()).toBe('1');
  });

  it('the CSV itself: a ragged row, an unclosed quote, an empty file, a repeated id or heading, no quantity', () => {
    expect(located(read('id,epoch1.loss\na,1,2\n'))).toBe('class.csv:2: not a well-formed CSV: the row has another number of cells than the header');
    expect(located(read('id,epoch1.loss\na,"1\n'))).toMatch(/^class\.csv:2: not a well-formed CSV: Quote Not Closed/);
    expect(located(read(''))).toMatch(/^class\.csv: the file is empty/);
    expect(located(read('id,epoch1.loss\na,1\na,2\n'))).toBe("class.csv:3: at column 1 'id': the id 'a' is given twice (also on line 2)");
    expect(located(read('id,epoch1.loss,epoch1.loss\na,1,2\n'))).toBe("class.csv:1: at column 3 'epoch1.loss': the heading is given twice (also column 2)");
    expect(located(read('id\na\n'))).toMatch(/^class\.csv:1: the class has an id column and no quantity/);
    expect(located(read('id,epoch1.loss,epoch1.loss.data\na,1,2\n'))).toMatch(/^class\.csv:1: at column 3 'epoch1\.loss\.data': epoch1\.loss\.data and epoch1\.loss \(column 2\) cannot both be given/);
  });

  it('a points scheme: unknown keys and verdicts with did-you-mean, credit above 1, negative points, a bad pattern or tolerance', () => {
    const bad = (text: string) => located(() => readPointsScheme(text, 'points.yaml'));
    expect(bad('points: 1\npionts: 2\n')).toBe("points.yaml:2: at pionts: unknown key 'pionts' (did you mean 'points'?); expected points, credit, quantities, tolerance, aliases");
    expect(bad('credit:\n  rounding_slip: 0.5\n')).toBe("points.yaml:2: at credit.rounding_slip: unknown verdict 'rounding_slip' (did you mean 'rounding-slip'?); expected correct, rounding-slip, carried, wrong");
    expect(bad('credit: { carried: 1.5 }\n')).toBe('points.yaml:1: at credit.carried: expected a fraction from 0 to 1, at most 1, got 1.5');
    expect(bad('points: -1\n')).toBe('points.yaml:1: at points: expected a quantity\'s points, got a negative number -1');
    expect(bad('quantities:\n  "step1..loss": 2\n')).toBe("points.yaml:2: at quantities.step1..loss: 'step1..loss' has an empty name between dots");
    expect(bad('quantities:\n  "**.loss": two\n')).toBe("points.yaml:2: at quantities.**.loss: expected the points of the quantities it matches, a number written in digits (e.g. 2, 0.5), got 'two'");
    expect(bad('tolerance: { abss: 0.1 }\n')).toMatch(/^points\.yaml:1: at tolerance\.abss: unknown tolerance 'abss' \(did you mean 'abs'\?\)/);
    expect(bad('- 1\n')).toMatch(/^points\.yaml:1: a points scheme is a mapping/);
  });

  it('a points scheme in JSON reads as the same scheme in YAML', () => {
    const json = readPointsScheme('{ "points": 2, "credit": { "carried": 0.25 }, "quantities": { "**.loss": 3, "step1.params.*": 0.5 } }', 'points.json');
    expect([json.points.toFixed(), json.credit.carried.toFixed(), json.rules.map((r) => [r.pattern.text, r.points.toFixed()])]).toEqual(['2', '0.25', [['**.loss', '3'], ['step1.params.*', '0.5']]]);
    expect(located(() => readPointsScheme('{ "points": "2x" }', 'points.json'))).toBe("points.json:1: at points: expected a quantity's points, a number written in digits (e.g. 2, 0.5), got '2x'");
  });

  it('the defaults: a point each, half for a rounding slip, all for a carried value', () => {
    const d = defaultScheme();
    expect([d.points.toFixed(), d.credit.correct.toFixed(), d.credit['rounding-slip'].toFixed(), d.credit.carried.toFixed(), d.credit.wrong.toFixed()]).toEqual(['1', '1', '0.5', '1', '0']);
    expect(readPointsScheme('', 'points.yaml').rules).toEqual([]);
  });
});

describe('path patterns and the order of the calculation', () => {
  it('* within a name, ** for whole names', () => {
    const m = (p: string, path: string) => pathPattern(p).matches(path);
    expect([m('**.loss', 'step1.loss'), m('**.loss', 'step1.sample2.loss'), m('**.loss', 'step1.loss.data'), m('step*.params.w?', 'step1.params.w1')]).toEqual([true, true, false, false]);
    expect([m('step*.params.*', 'step2.params.w1'), m('step1.**', 'step1'), m('**', 'a.b.c'), m('step1.sample*.gradients.*', 'step1.sample2.gradients.w5')]).toEqual([true, true, true, true]);
  });

  it('merges each sheet\'s order; a path nobody answered follows the one asked before it', () => {
    expect(calculationOrder([['a', 'c', 'd'], ['b', 'c'], ['a', 'b']], ['a', 'x', 'b', 'c', 'd'])).toEqual(['a', 'x', 'b', 'c', 'd']);
  });
});

describe('exactprop grade', () => {
  it('writes the gradebook and the report, and exits 0', async () => {
    const written = new Map<string, string>();
    const files = { 'class.csv': csvText, 'points.yaml': POINTS };
    let out = '';
    let err = '';
    const { main } = await import('../src/cli/main.js');
    const code = await main(['grade', SPEC_FILE, 'class.csv', '--points', 'points.yaml', '--out', 'book.csv', '--report', 'report.html', '--workers', '1'], {
      out: (t) => (out += t), err: (t) => (err += t),
      readFile: (p) => (p in files ? files[p as keyof typeof files] : readFileSync(p, 'utf8')),
      writeFile: (p, t) => written.set(p, t),
    });
    expect([code, err]).toEqual([0, '']);
    expect(written.get('book.csv')).toBe(gradebookCsv(fromCsv));
    expect(written.get('report.html')).toMatch(/^<!DOCTYPE html>[\s\S]*<svg [\s\S]*<\/html>\n$/);
    expect(out).toBe('graded 50 of 50 students, 40 quantities, 63 points; gradebook: book.csv; report: report.html\n');
  });

  it('prints the gradebook without --out; bad input is located, exit 2', async () => {
    const ok = await cli(['grade', SPEC_FILE, 'c.csv'], { 'c.csv': 'id,epoch1.loss\na,89.525\n' });
    expect([ok.code, ok.out]).toEqual([0, 'id,score,max,correct,rounding_slip,carried,wrong,blank,first_error,written,exact,diagnosis,error\na,1,1,1,0,0,0,0,,,,,\n']);
    const bad = await cli(['grade', SPEC_FILE, 'c.csv'], { 'c.csv': 'id,epoch1.los\na,1\n' });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^exactprop: c\.csv:1: at column 2 'epoch1\.los': unknown key 'los' in step1 \(did you mean 'loss'\?\)/);
    const cell = await cli(['grade', SPEC_FILE, 'c.csv'], { 'c.csv': 'id,epoch1.loss\na,x\nb,89.525\n' });
    expect([cell.code, cell.err]).toEqual([2, "exactprop: c.csv:2: at epoch1.loss of 'a': expected a number as written (e.g. 1.5, -85, 25e-7), got 'x'\n"]);
    expect(cell.out).toContain('\nb,1,1,1,');
    const over = await cli(['grade', SPEC_FILE, 'c.csv', '--out', 'c.csv'], { 'c.csv': 'id,epoch1.loss\na,1\n' });
    expect([over.code, over.err.split('\n')[0]]).toEqual([2, 'exactprop: --out c.csv would write over an input file']);
    const many = await cli(['grade', SPEC_FILE, 'c.csv', '--max-students', '1'], { 'c.csv': 'id,epoch1.loss\na,1\nb,2\n' });
    expect([many.code, many.err]).toEqual([2, 'exactprop: c.csv:3: the class has 2 rows of students: more than the limit of 1 students of a class graded at once (CSV rows or answers files) (raise it with --max-students N)\n']);
    const format = await cli(['grade', SPEC_FILE, 'c.csv', '--report', 'r.pdf'], { 'c.csv': 'id,epoch1.loss\na,1\n' });
    expect(format.err.split('\n')[0]).toBe('exactprop: --report r.pdf: the report is Markdown (a name ending in .md) or HTML (.html)');
  });
});
