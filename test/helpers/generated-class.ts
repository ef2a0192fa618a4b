// A generated class for the grade tests and benchmark: answer sheets made from the exact training of
// examples/hw7-q2.yaml, each with planted mistakes of kinds check's diagnoses recognise, and what each
// value's verdict must be. A planted value is the one the mistake gives at the first asked quantity
// where it changes anything, so every value it reads is the student's exact one; it is computed here
// independently of check: by hand with decimal.js from the exact trace (sum-times-sum, updated weights
// in the backward pass, a param in the wrong slot, Adam without bias correction, the penalty left out of
// the loss), or by running the spec as the student would have written it (the loss summed, halved, the
// penalty's factor, the biases penalised, relu'(0)).
import Decimal from 'decimal.js';
import { check, parseSpec, run, type Spec, type TraceJson, type Verdict } from '../../src/index.js';
import { example } from './spec.js';
// The benchmarks' deterministic generator (xorshift), so every run makes the same class.
import { generator } from '../../bench/workloads.js';

export const SPEC_FILE = 'examples/hw7-q2.yaml';

export interface Planted {
  /** The canonical path (step1...) of the planted value. */
  path: string;
  diagnosis: string;
}

export interface StudentSheet {
  id: string;
  /** Canonical path -> the value as written. */
  values: Map<string, string>;
  /** Canonical path -> the verdict check must give it. */
  expected: Map<string, Verdict>;
  planted: Planted[];
}

export interface GeneratedClass {
  spec: Spec;
  specText: string;
  /** The quantities asked for, canonical, in the order of the calculation. */
  asked: string[];
  /** The CSV's heading for each (epoch1... as a sheet writes a full-batch step). */
  heading: Map<string, string>;
  students: StudentSheet[];
  /** Every kind of mistake planted, by diagnosis id. */
  kinds: string[];
}

type Values = Map<string, string>;

/** Every value of a trace by its canonical answers path. */
export function valuesOf(t: TraceJson, finalValues?: Values): Values {
  const out: Values = new Map();
  for (const s of t.steps) {
    for (const sm of s.samples) {
      const at = `step${s.step}.sample${sm.sample}`;
      for (const [k, v] of Object.entries(sm.values)) out.set(`${at}.${k}`, v);
      for (const [k, v] of Object.entries(sm.adjoints)) out.set(`${at}.adjoints.${k}`, v);
      for (const [k, v] of Object.entries(sm.gradients)) out.set(`${at}.gradients.${k}`, v);
      out.set(`${at}.loss`, sm.loss);
    }
    out.set(`step${s.step}.loss`, s.loss.total);
    out.set(`step${s.step}.loss.data`, s.loss.data);
    for (const [k, v] of Object.entries(s.gradients)) out.set(`step${s.step}.gradients.${k}`, v);
    for (const [o, m] of Object.entries(s.optimizer)) for (const [k, v] of Object.entries(m)) out.set(`step${s.step}.optimizer.${o}.${k}`, v);
    for (const [k, v] of Object.entries(s.params)) out.set(`step${s.step}.params.${k}`, v);
  }
  for (const [k, v] of finalValues ?? []) out.set(k, v);
  return out;
}

/** An answers file's YAML for values by canonical path (nested mappings), as a student would write it. */
export function yamlOf(values: Values): string {
  const tree: Record<string, unknown> = {};
  for (const [path, v] of values) {
    const names = path.split('.');
    let node = tree;
    for (const n of names.slice(0, -1)) node = (node[n] ??= {}) as Record<string, unknown>;
    node[names[names.length - 1]!] = v;
  }
  const write = (t: Record<string, unknown>, indent: string): string =>
    Object.entries(t).map(([k, v]) => (typeof v === 'string' ? `${indent}${k}: ${v}\n` : `${indent}${k}:\n${write(v as Record<string, unknown>, `${indent}  `)}`)).join('');
  return write(tree, '');
}

const ASKED = [
  'sample1.h1', 'sample1.h2', 'sample1.yhat', 'sample1.loss', 'sample1.adjoints.yhat', 'sample1.adjoints.h1',
  'sample1.gradients.w5', 'sample1.gradients.w3', 'sample1.gradients.w1',
  'sample2.h1', 'sample2.yhat', 'sample2.loss', 'sample2.adjoints.yhat', 'sample2.gradients.w5', 'sample2.gradients.w1',
  'loss', 'gradients.w1', 'gradients.w5', 'gradients.b',
  'optimizer.m.w1', 'optimizer.v.w1', 'optimizer.mhat.w1', 'optimizer.vhat.w1',
  'params.w1', 'params.w2', 'params.w3', 'params.w4', 'params.w5', 'params.w6', 'params.b1', 'params.b2', 'params.b',
].map((p) => `step1.${p}`).concat(['step2.sample1.h1', 'step2.sample1.h2', 'step2.sample1.yhat', 'step2.sample1.loss', 'step2.sample1.gradients.w5', 'step2.loss', 'step2.params.w1', 'step2.params.w5']);

const D = Decimal.clone({ precision: 60 });
const dec = (s: string) => new D(s);
/** `v` rounded to `digits` significant digits, as text (a short exact value stays as it is). */
export const rounded = (v: string, digits: number): string => dec(v).toSignificantDigits(digits, Decimal.ROUND_HALF_UP).toString();
/** `v` written with `digits` significant digits, trailing zeros kept: it claims all of them. */
const toDigits = (v: string, digits: number): string => dec(v).toPrecision(digits, Decimal.ROUND_HALF_UP);

/** One unit of the last digit of a written number. */
function unit(text: string): Decimal {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)!;
  return new D(`1e${Number(m[3] ?? 0) - (m[2] ?? '').length}`);
}

/** A value the given spec text's training gives at `path`. */
function variantValues(specText: string): Values {
  return valuesOf(run(parseSpec(specText, { file: SPEC_FILE })));
}

function replaced(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the spec has no '${from}'`);
  return text.replace(from, to);
}

/** A mistake: where it shows first among the asked quantities, and the value it gives there. */
interface Mistake {
  diagnosis: string;
  path: string;
  value: string;
}

function mistakes(specText: string, exact: Values, asked: string[]): Mistake[] {
  const x = (p: string) => dec(exact.get(p)!);
  const out: Mistake[] = [];
  // Spec-level mistakes: the first asked quantity the student's own spec changes.
  const penalty = 'lambda * (w1^2 + w2^2 + w3^2 + w4^2 + w5^2 + w6^2)';
  const asWritten: Array<[string, string]> = [
    ['mse-without-1-over-n', replaced(specText, 'reduce: mean', 'reduce: sum')],
    ['mse-with-half', replaced(specText, 'sample: (y - yhat)^2', 'sample: (y - yhat)^2 / 2')],
    ['penalty-gradient-halved', replaced(specText, `penalty: ${penalty}`, `penalty: (${penalty}) / 2`)],
    ['penalty-gradient-doubled', replaced(specText, `penalty: ${penalty}`, `penalty: 2 * (${penalty})`)],
    ['biases-regularised', replaced(specText, `penalty: ${penalty}`, `penalty: ${penalty} + lambda * (b1^2 + b2^2 + b^2)`)],
    ['relu-at-zero-1', replaced(specText, 'relu_at_zero: 0', 'relu_at_zero: 1')],
    ['relu-at-zero-0.5', replaced(specText, 'relu_at_zero: 0', 'relu_at_zero: 0.5')],
  ];
  for (const [diagnosis, text] of asWritten) {
    const v = variantValues(text);
    const path = asked.find((p) => !dec(v.get(p)!).eq(x(p)));
    if (!path) throw new Error(`${diagnosis} changes no asked quantity`);
    out.push({ diagnosis, path, value: v.get(path)! });
  }
  // By hand. The loss written without its penalty: the data term alone.
  out.push({ diagnosis: 'penalty-left-out', path: 'step1.loss', value: exact.get('step1.loss.data')! });
  // Adam without bias correction: mhat = m.
  out.push({ diagnosis: 'adam-no-bias-correction', path: 'step1.optimizer.mhat.w1', value: exact.get('step1.optimizer.m.w1')! });
  // The batch's summed output error times sample 1's h1 (yhat > 0, so relu' is 1).
  out.push({ diagnosis: 'sum-times-sum', path: 'step1.sample1.gradients.w5', value: x('step1.sample1.adjoints.yhat').plus(x('step1.sample2.adjoints.yhat')).times(x('step1.sample1.h1')).toString() });
  // dL/dh1 = dL/dyhat * relu'(yhat) * w5 with w5 already updated in this step.
  out.push({ diagnosis: 'updated-weights-in-backward', path: 'step1.sample1.adjoints.h1', value: x('step1.sample1.adjoints.yhat').times(x('step1.params.w5')).toString() });
  // Step 2's h2 with b1 read in b2's place: relu(3 w3 + 2 w4 + b1) with the params after step 1.
  const slot = D.max(0, x('step1.params.w3').times(3).plus(x('step1.params.w4').times(2)).plus(x('step1.params.b1')));
  if (!slot.isZero()) out.push({ diagnosis: 'wrong-slot', path: 'step2.sample1.h2', value: slot.toString() });
  return out;
}


/** A written value within (half a unit, one unit] of the exact `v` at 6 significant digits: a slip. */
function slipOf(v: string): string | undefined {
  const r = rounded(v, 6);
  const u = unit(r);
  for (const t of [dec(r).plus(u), dec(r).minus(u)]) {
    const text = t.toString();
    const diff = t.minus(dec(v)).abs();
    if (diff.gt(unit(text).div(2)) && diff.lte(unit(text)) && Math.abs(t.e - dec(v).e) <= 1) return text;
  }
  return undefined;
}

/**
 * `n` students. Student k plants mistake k mod (the number of kinds), so every kind is planted, except
 * every tenth, who writes the exact calculation; a third slip on one other value as well; the first
 * students with the sum-times-sum mistake also write the step's gradient summed from their own shares
 * (carried); a few values are left blank. Correct values are written to 8 significant digits, planted
 * ones to 6 (trailing zeros kept).
 */
export function generatedClass(n: number, { seed = 13, quantities = ASKED.length }: { seed?: number; quantities?: number } = {}): GeneratedClass {
  const specText = example('hw7-q2.yaml');
  const spec = parseSpec(specText, { file: SPEC_FILE });
  const exact = valuesOf(run(spec));
  // The 40 quantities above, and as many more of the training as asked for (a benchmark's 100).
  const more = [...exact.keys()].filter((p) => !ASKED.includes(p) && !p.endsWith('.loss.data'));
  if (quantities < ASKED.length || quantities > ASKED.length + more.length) throw new Error(`from ${ASKED.length} to ${ASKED.length + more.length} quantities`);
  const chosen = [...ASKED, ...more.slice(0, quantities - ASKED.length)];
  // The order of the calculation, as check grades a sheet with every asked value.
  const asked = check(spec, yamlOf(new Map(chosen.map((p) => [p, exact.get(p)!])))).results.map((r) => r.path);
  if (asked.length !== chosen.length) throw new Error('every asked value is graded');
  const kinds = mistakes(specText, exact, asked);
  const r = generator(seed);
  const students: StudentSheet[] = [];
  for (let k = 0; k < n; k++) {
    const values: Values = new Map();
    const expected = new Map<string, Verdict>();
    const planted: Planted[] = [];
    for (const p of asked) {
      // A few blanks, never where something is planted below.
      if (r() < 0.05) continue;
      values.set(p, rounded(exact.get(p)!, 8));
      expected.set(p, 'correct');
    }
    const mistake = k % 10 === 0 ? undefined : kinds[k % kinds.length]!;
    const write = (path: string, text: string, verdict: Verdict) => {
      values.set(path, text);
      expected.set(path, verdict);
    };
    if (mistake) {
      const text = toDigits(mistake.value, 6);
      // Planted far enough from the exact value to be neither correct nor a rounding slip.
      if (!dec(text).minus(dec(exact.get(mistake.path)!)).abs().gt(unit(text))) throw new Error(`${mistake.diagnosis} at ${mistake.path} is within a unit of the exact value`);
      write(mistake.path, text, 'wrong');
      planted.push({ path: mistake.path, diagnosis: mistake.diagnosis });
      if (mistake.diagnosis === 'sum-times-sum' && k < 30) {
        // dL/dw5 summed from their own shares: the exact gradient with their share 1 in place of the exact one.
        const mine = dec(exact.get('step1.gradients.w5')!).minus(dec(exact.get(mistake.path)!)).plus(dec(values.get(mistake.path)!))
          .minus(dec(exact.get('step1.sample2.gradients.w5')!)).plus(dec(values.get('step1.sample2.gradients.w5') ?? exact.get('step1.sample2.gradients.w5')!));
        write('step1.gradients.w5', toDigits(mine.toString(), 6), 'carried');
      }
    }
    if (k % 3 === 1) {
      // A rounding slip on a value the mistake does not read: one after it in the calculation (a slip
      // in an input moves the value the mistake gives by more than its last digit), and none of the
      // shares the carried gradient adds up.
      const after = mistake ? asked.indexOf(mistake.path) : -1;
      const candidates = asked.filter((p, i) => i > after && expected.get(p) === 'correct' && !dec(exact.get(p)!).isZero() && slipOf(exact.get(p)!) !== undefined
        && !(mistake && /^step1\.(sample\d+\.)?gradients\.w5$/.test(p)));
      const p = candidates[Math.floor(r() * candidates.length)];
      if (p !== undefined) write(p, slipOf(exact.get(p)!)!, 'rounding-slip');
    }
    for (const p of asked) {
      if (!values.has(p)) expected.delete(p);
      else if (!expected.has(p)) expected.set(p, 'correct');
    }
    students.push({ id: `s${String(k + 1).padStart(3, '0')}`, values, expected, planted });
  }
  const heading = new Map(asked.map((p) => [p, p.replace(/^step(\d+)\./, 'epoch$1.')]));
  return { spec, specText, asked, heading, students, kinds: kinds.map((m) => m.diagnosis) };
}

/** The class as a CSV: an id column, a column per asked quantity headed as a sheet writes it. */
export function classCsv(c: GeneratedClass): string {
  const rows = [['id', ...c.asked.map((p) => c.heading.get(p)!)].join(',')];
  for (const s of c.students) rows.push([s.id, ...c.asked.map((p) => s.values.get(p) ?? '')].join(','));
  return `${rows.join('\n')}\n`;
}
