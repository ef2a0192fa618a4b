// Variants of an exercise (issue 15): the documented hash, reproducible generation, the same id always
// the same variant, every variant meeting its constraints, and every key equal to a run of its spec.
// Expected values are derived by hand (decimal.js on the variant's own numbers, for the one-neuron
// fixture and for homework 7's forward pass), never read from the code under test.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it, vi } from 'vitest';
import { check, makeVariants, parseSpec, run, variantSpecText, type TraceJson, type VariantsResult } from '../src/index.js';
import { Draws } from '../src/variants/draws.js';
import { patternMatcher } from '../src/variants/quantities.js';
import { cli, example, located } from './helpers/spec.js';

const D = Decimal.clone({ precision: 200 });
const fixture = (name: string) => readFileSync(new URL(`./fixtures/variants/${name}`, import.meta.url), 'utf8');
const linear = fixture('linear.yaml');
const course = readFileSync(new URL('../examples/course/hw7-q2.yaml', import.meta.url), 'utf8');

/** A key (an answers file) as path -> value. */
function flat(node: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(path, v);
    else for (const [p, x] of flat(v, path)) out.set(p, x);
  }
  return out;
}

/** A quantity of a JSON trace by its answers-file path (epochN or stepN, sampleK). */
function fromTrace(t: TraceJson, path: string): string {
  const [stepPart, ...rest] = path.split('.');
  const step = t.steps[Number(/\d+/.exec(stepPart!)![0]) - 1]!;
  if (rest[0]!.startsWith('sample')) {
    const s = step.samples[Number(rest[0]!.slice(6)) - 1]!;
    if (rest[1] === 'gradients') return s.gradients[rest[2]!]!;
    return rest[1] === 'loss' ? s.loss : s.values[rest[1]!]!;
  }
  if (rest[0] === 'loss') return step.loss[(rest[1] ?? 'total') as 'total']!;
  if (rest[0] === 'gradients') return step.gradients[rest[1]!]!;
  if (rest[0] === 'params') return step.params[rest[1]!]!;
  if (rest[0] === 'optimizer') return step.optimizer[rest[1]!]![rest[2]!]!;
  throw new Error(`no ${path}`);
}

/** The one-neuron fixture by hand: yhat = w x + b over rows (1, 3) and (2, y2), mean squared error,
 *  one SGD step with lr 0.1, then the forward pass with the new params. */
function linearByHand(v: Record<string, string>) {
  const w = new D(v.w!), b = new D(v.b!);
  const rows = [{ x: new D(1), y: new D(3) }, { x: new D(2), y: new D(v['data[2].y']!) }];
  const forward = (w: Decimal, b: Decimal) => {
    const yhat = rows.map((r) => w.times(r.x).plus(b));
    const e = rows.map((r, k) => r.y.minus(yhat[k]!));
    return { yhat, e, loss: e[0]!.pow(2).plus(e[1]!.pow(2)).div(2) };
  };
  const f = forward(w, b);
  // dL/dw = (1/2) sum -2 e x = -(e1 x1 + e2 x2); dL/db = -(e1 + e2).
  const gw = f.e[0]!.times(rows[0]!.x).plus(f.e[1]!.times(rows[1]!.x)).neg();
  const gb = f.e[0]!.plus(f.e[1]!).neg();
  const w1 = w.minus(gw.times('0.1')), b1 = b.minus(gb.times('0.1'));
  return { ...f, gw, gb, w1, b1, final: forward(w1, b1), rows };
}

const same = (a: string, b: string | Decimal) => new D(a).eq(b);

describe('the draws: SHA-256 of the documented text, read 8 bytes at a time', () => {
  const block = (seed: string, id: string, attempt: number, k: number) =>
    createHash('sha256').update(`exactprop-variants/1\0${seed}\0${id}\0${attempt}\0${k}`, 'utf8').digest('hex');

  it('a count of 2^64 takes each 64-bit word as it is, four to a block, then the next block', () => {
    const d = new Draws('S', 'ann', 3);
    const words = Array.from({ length: 5 }, () => d.below(1n << 64n));
    const b0 = block('S', 'ann', 3, 0), b1 = block('S', 'ann', 3, 1);
    expect(words.map((w) => w.toString(16).padStart(16, '0'))).toEqual([b0.slice(0, 16), b0.slice(16, 32), b0.slice(32, 48), b0.slice(48, 64), b1.slice(0, 16)]);
  });

  it('a smaller count: the word modulo the count, below the largest multiple of it', () => {
    const d = new Draws('seed', '17', 0);
    const word = BigInt(`0x${block('seed', '17', 0, 0).slice(0, 16)}`);
    const limit = (1n << 64n) - ((1n << 64n) % 7n);
    expect(word < limit).toBe(true); // (fails with odds 2^-61: then the next word is taken)
    expect(d.below(7n)).toBe(word % 7n);
  });

  it('a count past 2^64 draws two words, the first most significant', () => {
    const d = new Draws('s', 'x', 0);
    const b = block('s', 'x', 0, 0);
    const v = (BigInt(`0x${b.slice(0, 16)}`) << 64n) | BigInt(`0x${b.slice(16, 32)}`);
    const count = (1n << 100n) + 1n;
    const span = 1n << 128n;
    expect(v < span - (span % count)).toBe(true);
    expect(d.below(count)).toBe(v % count);
  });
});

describe('quantity patterns', () => {
  it('* stands for any part of one segment; epochN and stepN alike for a full batch; X.loss is the total', () => {
    const m = (p: string, path: string, full = true) => patternMatcher(p, full)(path);
    expect([m('epoch1.*.h*', 'epoch1.sample2.h1'), m('epoch1.*.h*', 'epoch1.sample2.yhat'), m('epoch1.*', 'epoch1.params.w1'), m('*1.params.*', 'epoch1.params.w1')]).toEqual([true, false, false, true]);
    expect([m('step1.loss', 'epoch1.loss.total'), m('epoch1.loss', 'epoch1.loss.data'), m('step1.params.w1', 'step1.params.w1', false)]).toEqual([true, false, true]);
  });

  it('a pattern written to make a matcher backtrack is matched at once', () => {
    const started = Date.now();
    expect(patternMatcher(`epoch1.${'a*'.repeat(200)}b`, true)(`epoch1.${'a'.repeat(5000)}`)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('generation', () => {
  const a = makeVariants(linear, { file: 'linear.yaml', seed: 'class of 2026', count: 12 });

  it('the same spec, seed and count give the same files, byte for byte; another seed other numbers', () => {
    const again = makeVariants(linear, { file: 'linear.yaml', seed: 'class of 2026', count: 12 });
    expect([...again.files]).toEqual([...a.files]);
    const other = makeVariants(linear, { file: 'linear.yaml', seed: 'another seed', count: 12 });
    expect(other.variants.map((v) => v.values)).not.toEqual(a.variants.map((v) => v.values));
  });

  it('the files of an output: the manifest, and per variant its spec, key and worksheet; the quizzes', () => {
    expect([...a.files.keys()].slice(0, 4)).toEqual(['manifest.json', 'v01/spec.yaml', 'v01/key.json', 'v01/worksheet.yaml']);
    expect(a.files.has('moodle.xml') && a.files.has('booklet.tex') && a.files.has('qti/imsmanifest.xml') && a.files.has('qti/form012.xml')).toBe(true);
    const manifest = JSON.parse(a.files.get('manifest.json')!);
    expect(manifest.variants[4]).toMatchObject({ index: 5, id: '5', spec: 'v05/spec.yaml', key: 'v05/key.json', worksheet: 'v05/worksheet.yaml' });
    expect(manifest.spec.text).toBe(linear);
  });

  it("a variant's spec is the base text with its numbers rewritten and no variants: section", () => {
    const v = a.variants[2]!;
    const expected = `# A variant of linear.yaml: its numbers drawn by exactprop variants from the base spec's variants: section.\n`
      + linear.slice(0, linear.indexOf('variants:'))
        .replace('params: { w: 1, b: 0 }', `params: { w: ${v.values.w}, b: ${v.values.b} }`)
        .replace('- { x: 2, y: 5 }', `- { x: 2, y: ${v.values['data[2].y']} }`);
    expect(v.specText).toBe(expected);
    // Every value drawn is in its range or set.
    for (const x of a.variants) {
      expect(new D(x.values.w!).times(2).isInteger() && new D(x.values.w!).abs().lte(2)).toBe(true);
      expect(['0', '1']).toContain(x.values.b);
      expect(['4', '5', '6', '7', '8']).toContain(x.values['data[2].y']);
    }
  });

  it('an id always gets the same variant, whatever the other ids and their order', () => {
    const one = makeVariants(linear, { file: 'linear.yaml', seed: 'S', ids: ['ann', 'bob', 'cy'] });
    const two = makeVariants(linear, { file: 'linear.yaml', seed: 'S', ids: ['cy', 'dee'] });
    expect(two.variants[0]!.values).toEqual(one.variants[2]!.values);
    expect(two.files.get('v01/spec.yaml')).toBe(one.files.get('v03/spec.yaml'));
    expect(two.files.get('v01/key.json')).toBe(one.files.get('v03/key.json'));
  });

  it("the manifest alone gives each student's spec text (the hook for grading)", () => {
    const r = makeVariants(linear, { file: 'linear.yaml', seed: 'S', ids: ['ann', 'bob', 'cy'] });
    const manifest = JSON.parse(r.files.get('manifest.json')!);
    for (const v of manifest.variants) expect(variantSpecText(manifest, v.id)).toBe(r.files.get(v.spec));
    expect(() => variantSpecText(manifest, 'zed')).toThrow("no variant for id 'zed'");
    // A manifest edited to write something else into the spec is refused.
    const edited = JSON.parse(JSON.stringify(manifest));
    edited.variants[0].values.w = '1\nfrozen: [w]';
    expect(() => variantSpecText(edited, 'ann')).toThrow("the manifest's value of w for id 'ann' is not a plain decimal: \"1\\nfrozen: [w]\"");
  });

  it('every variant meets its constraints, checked by hand; some draws were rejected on the way', () => {
    for (const v of a.variants) {
      const h = linearByHand(v.values);
      expect(h.final.loss.lt(h.loss), `variant ${v.index}: loss decreasing`).toBe(true);
      expect(h.yhat[0]!.eq(h.yhat[1]!), `variant ${v.index}: the two outputs differ`).toBe(false);
      for (const x of [...h.yhat, h.loss, h.gw, h.gb, h.w1, h.b1]) expect(x.decimalPlaces()).toBeLessThanOrEqual(3);
    }
    expect(a.variants.some((v) => v.attempt > 0)).toBe(true);
  });

  it('every key is the run of its spec (library and command line), and the hand values', async () => {
    for (const v of a.variants) {
      const key = flat(JSON.parse(a.files.get(`${v.folder}/key.json`)!));
      const trace = run(parseSpec(v.specText));
      const h = linearByHand(v.values);
      expect([...key.keys()]).toEqual(['epoch1.sample1.yhat', 'epoch1.sample2.yhat', 'epoch1.loss.total', 'epoch1.gradients.w', 'epoch1.gradients.b', 'epoch1.params.w', 'epoch1.params.b']);
      for (const [path, value] of key) expect(same(value, fromTrace(trace, path)), path).toBe(true);
      const byHand = [h.yhat[0]!, h.yhat[1]!, h.loss, h.gw, h.gb, h.w1, h.b1];
      [...key.values()].forEach((value, i) => expect(same(value, byHand[i]!), `${v.index} ${[...key.keys()][i]}`).toBe(true));
      // check grades the key all correct against the variant's spec.
      const report = check(parseSpec(v.specText), a.files.get(`${v.folder}/key.json`)!);
      expect(report.summary).toMatchObject({ correct: key.size, wrong: 0 });
    }
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-variant-'));
    try {
      writeFileSync(join(dir, 'v.yaml'), a.variants[0]!.specText);
      const { code, out } = await cli(['run', join(dir, 'v.yaml'), '--format', 'json']);
      expect(code).toBe(0);
      for (const [path, value] of flat(JSON.parse(a.files.get('v01/key.json')!))) expect(same(value, fromTrace(JSON.parse(out), path)), path).toBe(true);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("a file name is text in every output: escaped for XML, HTML and LaTeX", () => {
    const name = `a&b<c>"d'#%_{x}.yaml`;
    const r = makeVariants(linear, { file: name, seed: 's', count: 1 });
    for (const f of ['moodle.xml', 'qti/imsmanifest.xml', 'qti/form001.xml']) expect(XMLValidator.validate(r.files.get(f)!), f).toBe(true);
    const quiz = new XMLParser({ ignoreAttributes: false, cdataPropName: '#cdata', processEntities: true, htmlEntities: true }).parse(r.files.get('moodle.xml')!).quiz;
    expect(quiz.question[1].name.text).toBe(`a&b<c>"d'#%_{x} form 1`);
    expect(quiz.question[1].questiontext.text['#cdata']).toContain('<p>a&amp;b&lt;c&gt;&quot;d\'#%_{x}, form 1.');
    expect(r.files.get('booklet.tex')).toContain('\\title{a\\&b$<$c$>$"d\'\\#\\%\\_\\{x\\}: forms and keys}');
  });

  it('the worksheet is an answers file with every asked quantity blank', () => {
    const sheet = a.files.get('v01/worksheet.yaml')!;
    expect(sheet).toContain('epoch1:\n  sample1:\n    yhat:\n  sample2:\n    yhat:\n  loss:\n    total:\n  gradients:\n    w:\n    b:\n  params:\n    w:\n    b:\n');
    expect(check(parseSpec(a.variants[0]!.specText), sheet).results).toEqual([]);
  });
});

describe('kinks and terminating decimals', () => {
  // h = relu(w - 1) meets its corner at w = 1, m = max(w, 2) at w = 2; yhat = h/3 + m terminates
  // exactly when 3 divides w - 1 (w = 1, 4, 7). No training: the final pass has the same params.
  const spec = (constraints: string) => `model:\n  inputs: [x]\n  neurons:\n    h: relu(x*w - 1)\n    m: max(x*w, 2)\n    yhat: h/3 + m\nparams: { w: 1 }\ndata:\n  - { x: 1, y: 0 }\nloss:\n  sample: (y - yhat)^2\nvariants:\n  vary:\n    w: { from: 1, to: 9 }\n  constraints:\n${constraints}  ask: [step1.sample1.yhat]\n`;
  const drawn = (constraints: string) => new Set(makeVariants(spec(constraints), { seed: 'k', count: 40, exports: [] }).variants.map((v) => v.values.w));

  it('terminating: only the w that make yhat a terminating decimal', () => {
    expect([...drawn('    friendly: { terminating: true }\n')].sort()).toEqual(['1', '4', '7']);
  });
  it('kinks none: no relu or max exactly at its corner', () => {
    expect([...drawn('    friendly: { terminating: true }\n    kinks: none\n')].sort()).toEqual(['4', '7']);
    expect([...drawn('    kinks: none\n')].sort()).toEqual(['3', '4', '5', '6', '7', '8', '9']);
  });
  it('a margin: |w - 1| and |w - 2| at least 4', () => {
    expect([...drawn('    kinks: { margin: 4 }\n')].sort()).toEqual(['6', '7', '8', '9']);
    // And one significant digit: yhat = (w - 1)/3 + w is 9 at w = 7 only (6 + 5/3, 8 + 7/3, 9 + 8/3).
    expect([...drawn('    friendly: { digits: 1 }\n    kinks: { margin: 4 }\n')].sort()).toEqual(['7']);
  });
});

describe("homework 7's variants (examples/course/hw7-q2.yaml)", () => {
  it('the variants: section changes nothing of the run: it is homework 7', () => {
    const withSection = run(parseSpec(course));
    const hw7 = run(parseSpec(example('hw7-q2.yaml')));
    expect(withSection).toEqual(hw7);
    expect(course.startsWith(example('hw7-q2.yaml'))).toBe(true);
    // And check grades the sheet's answers against it as against homework 7.
    const answers = example('hw7-q2.answers.yaml');
    expect(check(parseSpec(course), answers)).toEqual(check(parseSpec(example('hw7-q2.yaml')), answers));
  });

  const r: VariantsResult = makeVariants(course, { file: 'hw7-q2.yaml', seed: 'test', count: 4, exports: [] });

  it('every variant meets every constraint, checked on its run and by hand', () => {
    for (const v of r.variants) {
      const trace = run(parseSpec(v.specText));
      const spec = parseSpec(v.specText);
      // Kinks: every pre-activation at least 0.25 from 0, with the params before each step and after the last.
      const paramSets = [trace.initial.params, ...trace.steps.map((s) => s.params)];
      let losses = trace.steps.map((s) => new D(s.loss.total));
      for (const [k, p] of paramSets.entries()) {
        const P = (n: string) => new D(p[n]!);
        let dataLoss = new D(0);
        for (const row of spec.data) {
          const i1 = new D(row.i1!), i2 = new D(row.i2!);
          const z1 = i1.times(P('w1')).plus(i2.times(P('w2'))).plus(P('b1'));
          const z2 = i1.times(P('w3')).plus(i2.times(P('w4'))).plus(P('b2'));
          const h1 = D.max(z1, 0), h2 = D.max(z2, 0);
          const z3 = h1.times(P('w5')).plus(h2.times(P('w6'))).plus(P('b'));
          for (const z of [z1, z2, z3]) expect(z.abs().gte('0.25'), `variant ${v.index}, params ${k}: ${z}`).toBe(true);
          dataLoss = dataLoss.plus(new D(row.y!).minus(D.max(z3, 0)).pow(2));
        }
        if (k === paramSets.length - 1) {
          const penalty = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].reduce((s, w) => s.plus(P(w).pow(2)), new D(0)).times('0.1');
          losses = [...losses, dataLoss.div(2).plus(penalty)];
        }
      }
      for (let i = 1; i < losses.length; i++) expect(losses[i]!.lt(losses[i - 1]!), `variant ${v.index}: loss ${i}`).toBe(true);
      // Friendly and bounded epoch 1.
      const e1 = trace.steps[0]!;
      const friendly = [...e1.samples.flatMap((s) => [s.values.h1!, s.values.h2!, s.values.yhat!]), e1.loss.total, ...Object.values(e1.gradients)];
      for (const x of friendly) expect(new D(x).decimalPlaces() <= 4 && new D(x).sd() <= 6, `variant ${v.index}: ${x}`).toBe(true);
      for (const g of Object.values(e1.gradients)) expect(new D(g).abs().lte(500)).toBe(true);
      // The conditions.
      const [s1, s2] = e1.samples;
      expect(new D(s1!.values.yhat!).gt(0) && new D(s2!.values.yhat!).gt(0)).toBe(true);
      expect(new D(s1!.values.h1!).gt(0) || new D(s1!.values.h2!).gt(0)).toBe(true);
      // And the key is the run.
      const key = flat(JSON.parse(r.files.get(`${v.folder}/key.json`)!));
      expect(key.size).toBe(6 + 1 + 6 + 6);
      for (const [path, value] of key) expect(same(value, fromTrace(trace, path)), path).toBe(true);
    }
  });
});

describe('bad input: located errors, exit code 2', () => {
  const section = (body: string) => linear.slice(0, linear.indexOf('variants:')) + body;

  it('constraints no draw meets: the constraint that failed, how often, and what to change', () => {
    const spec = section("variants:\n  vary:\n    w: { from: 1, to: 2, step: 0.5 }\n  constraints:\n    conditions: ['epoch1.loss < 0']\n  ask: ['epoch1.loss']\n  attempts: 20\n");
    expect(located(() => makeVariants(spec, { file: 'l.yaml', seed: 's', count: 2 }))).toBe(
      "l.yaml:20: at variants: no variant for variant 1 met the constraints in 20 attempts: condition epoch1.loss < 0 failed 20 times (e.g. epoch1.loss < 0 is false). Widen the ranges, loosen the constraints, or raise variants.attempts");
  });

  it('a place that is no number of the spec, a bad range, a condition or pattern over no quantity', () => {
    const bad = (vary: string, rest = "  ask: ['epoch1.loss']\n") => located(() => makeVariants(section(`variants:\n  vary:\n${vary}${rest}`), { file: 'l.yaml', seed: 's', count: 1 }));
    expect(bad('    ww: { from: 1, to: 2 }\n')).toBe("l.yaml:22: at variants.vary.ww: no param, constant or training option 'ww' (did you mean 'w'?) (or give its place: data[1].i1)");
    expect(bad('    data[3].x: { from: 1, to: 2 }\n')).toBe('l.yaml:22: at variants.vary.data[3].x: no entry 3 in data');
    expect(bad('    training.epochs: { from: 1, to: 2 }\n')).toBe('l.yaml:22: at variants.vary.training.epochs: training.epochs fixes the exercise\'s shape and cannot vary');
    expect(bad('    w: { from: 2, to: 1 }\n')).toBe('l.yaml:22: at variants.vary.w.to: the range ends (1) before it starts (2)');
    expect(bad('    w: { from: 0, to: 0, exclude: [0] }\n')).toBe('l.yaml:22: at variants.vary.w.exclude: every value of the range is excluded');
    expect(bad('    w: { from: 0, to: 1 }\n', "  constraints:\n    conditions: ['epoch1.los > 1']\n  ask: ['epoch1.loss']\n")).toBe(
      "l.yaml:24: at variants.constraints.conditions[1]: 'epoch1.los' is no quantity of the training (paths as answers files write them: epoch1.loss.total, final.sample1.yhat)");
    expect(bad('    w: { from: 0, to: 1 }\n', "  constraints:\n    conditions: ['epoch1.loss']\n  ask: ['epoch1.loss']\n")).toBe(
      "l.yaml:24: at variants.constraints.conditions[1]: in the condition 'epoch1.loss': a number where a comparison is needed (e.g. x > 0)");
    expect(located(() => makeVariants(section('variants:\n  vary:\n    w: { from: 0, to: 1 }\n  ask: [epoch1.loss]\n').replace(/data:\n(  - .*\n)+/, 'data: rows.csv\n'), { file: 'l.yaml', seed: 's', count: 1, readDataFile: () => 'x,y\n1,3\n' }))).toBe(
      'l.yaml:9: at data: variants of a spec whose data is a CSV file are not made yet: write the rows in the spec');
    expect(bad('    w: { from: 0, to: 1 }\n', "  ask: ['epoch1.loss']\n  tolerance: { abs: -1 }\n")).toBe("l.yaml:24: at variants.tolerance: abs takes a non-negative number (e.g. 0.001), got '-1'");
    expect(() => makeVariants(linear, { seed: 's', count: 1, tolerance: { sig: 0 } })).toThrow('sig takes a whole number of significant digits from 1 to 100, got 0');
    expect(bad('    w: { from: 0, to: 1 }\n', "  ask: ['epoch3.*']\n")).toBe(
      "l.yaml:23: at variants.ask[1]: 'epoch3.*' asks for no quantity of the training (paths as answers files write them: epoch1.sample1.h1, epoch1.params.w1, final.loss.total)");
  });

  it('a time budget for the whole call, every draw included', async () => {
    expect(located(() => makeVariants(linear, { file: 'l.yaml', seed: 's', count: 3, timeout: 0.001 }))).toBe(
      'l.yaml: the variants took more than the time allowed (0.001 s), at attempt 1 for variant 1 (raise it with --timeout SECONDS)');
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-variant-'));
    try {
      writeFileSync(join(dir, 'l.yaml'), linear);
      const r = await cli(['variants', join(dir, 'l.yaml'), '--count', '2', '--seed', 's', '--out', join(dir, 'o'), '--timeout', '0.001']);
      expect(r.code).toBe(2);
      expect(r.err).toContain('the variants took more than the time allowed (0.001 s)');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('a draw\'s run that meets the call\'s deadline is the call\'s time up, said of the variants', () => {
    // A clock that moves a millisecond each time it is read: the deadline passes within the first draw's
    // run (its budget checks read the clock), after the call's own check before the draw.
    let now = 1_000_000;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => (now += 1));
    try {
      expect(located(() => makeVariants(linear, { file: 'l.yaml', seed: 's', count: 3, timeout: 0.0025 }))).toBe(
        'l.yaml: the variants took more than the time allowed (0.0025 s), at attempt 1 for variant 1 (raise it with --timeout SECONDS)');
    } finally {
      clock.mockRestore();
    }
  });

  it('the section is read with the spec: a malformed one is an error of every command', async () => {
    const spec = section('variants:\n  vary:\n    w: { form: 1, to: 2 }\n');
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-variant-'));
    try {
      writeFileSync(join(dir, 's.yaml'), spec);
      const r = await cli(['run', join(dir, 's.yaml')]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('s.yaml:22: at variants.vary.w');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('the command: --ids from a CSV (its id column), deterministic files, a repeated id at its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-variant-'));
    try {
      writeFileSync(join(dir, 'linear.yaml'), linear);
      writeFileSync(join(dir, 'class.csv'), 'name,id\nAnn,s001\nBob,s002\n');
      const go = (out: string) => cli(['variants', join(dir, 'linear.yaml'), '--ids', join(dir, 'class.csv'), '--seed', 'S', '--out', join(dir, out)]);
      const first = await go('a');
      expect(first).toMatchObject({ code: 0, err: '' });
      expect(first.out).toMatch(/^2 variants of .*linear\.yaml in .*a \(14 files; \d+ draws tried, \d+ rejected by the constraints\)\n$/);
      expect((await go('b')).code).toBe(0);
      const files = (d: string) => readdirSync(join(dir, d), { recursive: true }).map(String).sort();
      expect(files('b')).toEqual(files('a'));
      for (const f of files('a')) if (f.includes('.')) expect(readFileSync(join(dir, 'b', f), 'utf8'), f).toBe(readFileSync(join(dir, 'a', f), 'utf8'));
      const manifest = JSON.parse(readFileSync(join(dir, 'a', 'manifest.json'), 'utf8'));
      expect(manifest.variants.map((v: { id: string }) => v.id)).toEqual(['s001', 's002']);
      expect((await go('a')).err).toContain('is not empty (give --force to write into it)');
      // --ask and a tolerance on the command line, over the spec's.
      const asked = await cli(['variants', join(dir, 'linear.yaml'), '--count', '1', '--seed', 'S', '--out', join(dir, 'asked'), '--ask', 'epoch1.loss, epoch1.params.w', '--abs', '0.5', '--exports', 'moodle', '--solutions', 'none']);
      expect(asked.code).toBe(0);
      expect(Object.keys(JSON.parse(readFileSync(join(dir, 'asked', 'v01', 'key.json'), 'utf8')).epoch1)).toEqual(['loss', 'params']);
      expect(readFileSync(join(dir, 'asked', 'moodle.xml'), 'utf8').match(/\{1:NUMERICAL:=[-\d.]+:0\.5/g)!.length).toBe(2);
      expect(readdirSync(join(dir, 'asked')).sort()).toEqual(['manifest.json', 'moodle.xml', 'v01']);
      writeFileSync(join(dir, 'class.csv'), 'id\ns001\ns002\ns001\n');
      const twice = await go('c');
      expect(twice.code).toBe(2);
      expect(twice.err).toContain("class.csv:4: the id 's001' is given twice (first at row 2)");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

