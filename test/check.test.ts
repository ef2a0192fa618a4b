// `exactprop check` on the first real case: the hand-written sheet of homework 7, question 2
// (examples/hw7-q2.answers.yaml) against the conventions it used (examples/hw7-q2-sheet.yaml: no penalty
// in the loss, Adam weight decay 0.1 on every param) and against the problem as set (hw7-q2.yaml).
// Every expectation is derived by hand from the sheet, in the comments.
import { describe, expect, it } from 'vitest';
import { example } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { Checker, type FileReport, type Result } from '../src/check/check.js';
import { parseAnswers } from '../src/check/answers.js';
import { DEFAULT_TOLERANCE, type Tolerance } from '../src/check/tolerance.js';
import { replaced } from './helpers/replaced.js';

function checkerFor(specText: string, file = 'spec.yaml'): Checker {
  const spec = parseSpec(specText, file);
  return new Checker(spec, { steps: spec.training.epochs * Math.ceil(spec.data.length / spec.training.batchSize), final: true });
}

function grade(checker: Checker, answers: string, tolerance: Tolerance = DEFAULT_TOLERANCE): FileReport {
  return checker.check(parseAnswers(answers, 'answers.yaml', checker.shape), tolerance);
}

function at(report: FileReport, path: string): Result {
  const r = report.results.find((x) => x.path === path);
  if (!r) throw new Error(`no result for ${path}`);
  return r;
}

const sheetSpec = checkerFor(example('hw7-q2-sheet.yaml'), 'examples/hw7-q2-sheet.yaml');
const literalSpec = checkerFor(example('hw7-q2.yaml'), 'examples/hw7-q2.yaml');
const sheet = grade(sheetSpec, example('hw7-q2.answers.yaml'));

describe('the hw7 sheet against the conventions it used', () => {
  it('holds every hand value of the sheet (125 of them) and grades each', () => {
    expect(sheet.results).toHaveLength(125);
    const s = sheet.summary;
    expect(s.correct + s['rounding-slip'] + s.carried + s.wrong).toBe(125);
  });

  it('epoch 1 forward: h1 = relu(3 - 2 + 0.5) = 1.5, h2 = relu(-1.5 + 1 + 0.5) = 0, yhat = 3.5; sample 2: 3.5, 0, 7.5', () => {
    for (const [path, written] of [['sample1.h1', '1.5'], ['sample1.h2', '0'], ['sample1.yhat', '3.5'], ['sample2.h1', '3.5'], ['sample2.h2', '0'], ['sample2.yhat', '7.5']]) {
      const r = at(sheet, `step1.${path}`);
      expect([r.written, r.verdict, r.exact.toString()]).toEqual([written, 'correct', written]);
    }
    // (4.5^2 + 12.5^2) / 2 = 88.25: the sheet's conventions leave the penalty out of the loss.
    expect(at(sheet, 'step1.loss').verdict).toBe('correct');
  });

  it('dL/dw5 = -85 is (sum of errors) * (sum of inputs): -17 * 5, where the sum of products is -4.5*1.5 - 12.5*3.5 = -50.5', () => {
    // The sheet writes the per-sample terms -17*1.5 = -25.5 and -17*3.5 = -59.5: those are the new errors...
    const share = at(sheet, 'step1.sample1.gradients.w5');
    expect([share.written, share.exact.toString(), share.verdict]).toEqual(['-25.5', '-6.75', 'wrong']);
    expect(share.diagnosis.map((d) => d.id)).toContain('sum-times-sum');
    // ...and the sum -85 adds them correctly: carried.
    const sum = at(sheet, 'step1.gradients.w5');
    expect([sum.written, sum.exact.toString(), sum.verdict]).toEqual(['-85', '-50.5', 'carried']);
    expect(sum.because).toEqual(['step1.sample1.gradients.w5', 'step1.sample2.gradients.w5']);
  });

  it('written alone, dL/dw5 = -85 is wrong and diagnosed as sum-times-sum, under either reading of the sheet', () => {
    const alone = 'epoch1:\n  gradients: { w5: -85 }\n';
    const r = at(grade(sheetSpec, alone), 'step1.gradients.w5');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '-50.5']);
    expect(r.diagnosis.map((d) => d.id)).toContain('sum-times-sum');
    // With the penalty 0.1 * sum w^2 in the loss: -50.5 + 2*0.1*2 = -50.1; sum-times-sum gives -85 + 0.4,
    // which -85 (written to the unit) reproduces.
    const literal = at(grade(literalSpec, alone), 'step1.gradients.w5');
    expect([literal.verdict, literal.exact.toString()]).toEqual(['wrong', '-50.1']);
    expect(literal.diagnosis.map((d) => d.id)).toContain('sum-times-sum');
  });

  it('w1 = 1.099 after epoch 1 is a rounding slip: Adam\'s first step is 0.1 * 401.9 / (401.9 + 1e-8), so w1 = 1.0999999999975...', () => {
    const r = at(sheet, 'step1.params.w1');
    expect(r.verdict).toBe('rounding-slip');
    expect(r.exact.toString()).toMatch(/^1\.09999999999/);
  });

  it('the sheet\'s "gradient used" is the optimizer\'s g = dL/dw + 0.1*w, carried from its own gradients', () => {
    // -612 + 0.1*1 = -611.9; -476 + 0.1*(-1) = -476.1; -85 + 0.1*2 = -84.8 (exact: -402 + 0.1 = -401.9, ...).
    for (const [p, written, exact] of [['w1', '-611.9', '-401.9'], ['w2', '-476.1', '-318.1'], ['w5', '-84.8', '-50.3']] as const) {
      const r = at(sheet, `step1.optimizer.g.${p}`);
      expect([r.written, r.verdict, r.exact.toString()]).toEqual([written, 'carried', exact]);
      expect(r.because).toEqual([`step1.gradients.${p}`]);
    }
  });

  it('epoch 2, h2 of sample 1 written 0.198 is a new error: with the sheet\'s own params, 3*(-0.401) + 2*0.401 + 0.401 = 0', () => {
    const r = at(sheet, 'step2.sample1.h2');
    expect(r.verdict).toBe('wrong');
    expect(r.recomputed!().value.toString()).toBe('0');
    expect(r.recomputed!().inputs.filter((i) => i.yours).map((i) => i.from)).toEqual(['step1.params.w3', 'step1.params.w4', 'step1.params.b2']);
    // b1 = 0.599 read for b2: -1.203 + 0.802 + 0.599 = 0.198.
    expect(r.diagnosis).toContainEqual({ id: 'wrong-slot', text: 'b1 used in place of b2 in h2: h2 = relu(i1 * w3 + i2 * w4 + b1)' });
  });

  it('epoch 2 forward uses the sheet\'s epoch-1 params: h1 = 3*1.099 - 2*0.901 + 0.599 = 2.094 is carried', () => {
    const r = at(sheet, 'step2.sample1.h1');
    expect(r.verdict).toBe('carried');
    expect(r.because).toEqual(['step1.params.w1', 'step1.params.w2', 'step1.params.b1']);
    expect(r.recomputed!().value.toString()).toBe('2.094');
  });

  it('epoch 2, yhat of sample 1 written 4.32: the sheet added b2 = 0.401 for b (2.094*2.099 - 0.198*2.401 + 0.401 = 4.320908)', () => {
    const r = at(sheet, 'step2.sample1.yhat');
    expect(r.verdict).toBe('wrong');
    expect(r.recomputed!().value.toString()).toBe('4.518908'); // with b = 0.599
    expect(r.diagnosis).toContainEqual({ id: 'wrong-slot', text: 'b2 used in place of b in yhat: yhat = relu(h1 * w5 + h2 * w6 + b2)' });
  });

  it('epoch 2 loss (3.68^2 + 6.437^2) / 2 = 27.4886845 is carried from the sheet\'s yhat values', () => {
    const r = at(sheet, 'step2.loss');
    expect([r.written, r.verdict]).toEqual(['27.488', 'carried']);
    expect(r.because).toEqual(['step2.sample1.yhat', 'step2.sample2.yhat']);
  });

  it('a derivative takes the branch of the student\'s own activation: relu\'(h2 = 0.198) = 1', () => {
    // dL/dw3 of sample 1 in epoch 2, from the sheet's yhat 4.32 (dL/dyhat = 4.32 - 8 = -3.68) and w6 = -2.401:
    // -3.68 * (-2.401) * 1 * 3 = 26.50704; the sheet writes 72.872 = -10.117 * (-2.401) * 3 (summed error).
    const r = at(sheet, 'step2.sample1.gradients.w3');
    expect(r.recomputed!().value.toString()).toBe('26.50704');
    expect(r.recomputed!().formula).toBe('dL/dh2 * heaviside(h2) * i1');
    expect(r.diagnosis.map((d) => d.id)).toEqual(['sum-times-sum']);
  });

  it('v_hat = 374921.61 (sic) is a new error with no known cause: 374.42161 / (1 - 0.999) = 374421.61', () => {
    const r = at(sheet, 'step1.optimizer.vhat.w1');
    expect(r.verdict).toBe('wrong');
    const rc = r.recomputed!();
    expect(rc.value.toString()).toBe('374421.61');
    expect(rc.formula).toBe('v[w1] / (1 - beta2 ^ t)');
    expect(rc.substituted).toBe('374.42161 / (1 - 0.999 ^ 1)');
    expect(r.diagnosis).toEqual([]);
  });

  it('the first new error is the first per-sample gradient share, in the order of the calculation', () => {
    expect(sheet.firstError?.path).toBe('step1.sample1.gradients.w1');
  });
});

describe('the hw7 sheet against the problem as set (penalty 0.1 * sum w^2 in the loss)', () => {
  const literal = grade(literalSpec, example('hw7-q2.answers.yaml'));

  it('the loss 88.25 leaves the penalty out: exact 88.25 + 0.1*(1 + 1 + 0.25 + 0.25 + 4 + 6.25) = 89.525', () => {
    const r = at(literal, 'step1.loss');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '89.525']);
    expect(r.diagnosis.map((d) => d.id)).toContain('penalty-left-out');
  });

  it('a bare zero is no evidence of a wrong slot', () => {
    // The sheet's dL/dw3 = 0 leaves out the penalty's 2*0.1*(-0.5); b2's gradient is 0 too, by chance.
    const r = at(literal, 'step1.gradients.w3');
    expect(r.verdict).toBe('wrong');
    expect(r.diagnosis.map((d) => d.id)).not.toContain('wrong-slot');
  });
});

describe('the final forward pass', () => {
  it('uses the params after the last step, over every row: it equals the forward pass of one more epoch', () => {
    const three = checkerFor(replaced(example('hw7-q2-sheet.yaml'), 'epochs: 2', 'epochs: 3'));
    const base = three.base.graph;
    const final = sheetSpec.base.graph;
    for (const name of ['h1', 'h2', 'yhat']) {
      const a = final.values[final.index.get(`3|0|${name}`)!]!;
      const b = base.values[base.index.get(`3|0|${name}`)!]!;
      expect(a.toString(), name).toBe(b.toString());
    }
    expect(final.values[final.index.get('3||loss.total')!]!.toString()).toBe(base.values[base.index.get('3||loss.data')!]!.toString());
  });
});
