// Each known mistake and alternative convention is a named variant; each must reproduce, by its own
// computation, the value a student following it writes. Expected values are derived by hand (comments).
import { describe, expect, it } from 'vitest';
import { example, scalarSpec } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { Checker, type FileReport, type Result } from '../src/check/check.js';
import { parseAnswers } from '../src/check/answers.js';
import { DEFAULT_TOLERANCE, isCorrect, isRoundingSlip, reproduces, writtenNumber, type Tolerance } from '../src/check/tolerance.js';
import { makeContext } from '../src/numeric/context.js';
import { replaced } from './helpers/replaced.js';

function checkerFor(specText: string): Checker {
  const spec = parseSpec(specText, 'spec.yaml');
  return new Checker(spec, { steps: spec.training.epochs * Math.ceil(spec.data.length / spec.training.batchSize), final: false });
}
function only(checker: Checker, answers: string, path: string, tolerance: Tolerance = DEFAULT_TOLERANCE): Result {
  const report: FileReport = checker.check(parseAnswers(answers, 'answers.yaml', checker.shape), tolerance);
  const r = report.results.find((x) => x.path === path);
  if (!r) throw new Error(`no result for ${path}`);
  return r;
}
const ids = (r: Result) => r.diagnosis.map((d) => d.id);

// The sheet's conventions: no penalty, Adam weight_decay 0.1 on every param. The problem as set: the
// penalty 0.1 * (w1^2 + ... + w6^2) in the loss, biases not penalised.
const sheet = checkerFor(example('hw7-q2-sheet.yaml'));
const literal = checkerFor(example('hw7-q2.yaml'));

describe('variants, each reproducing a hand-derived value', () => {
  // Epoch 1 of hw7: dL/dyhat = yhat - y = -4.5 and -12.5 (mean of two squared errors); dL/dw1 of the
  // data term = -4.5*2*3 - 12.5*2*15 = -402; dL/db = -17.

  it('penalty-gradient-halved: lambda*w where the penalty lambda * sum w^2 gives 2*lambda*w', () => {
    // exact -402 + 2*0.1*1 = -401.8; halved: -402 + 0.1*1 = -401.9 (written to two decimals: one decimal
    // would be within one unit of the exact value, a rounding slip).
    const r = only(literal, 'step1:\n  gradients: { w1: -401.90 }\n', 'step1.gradients.w1');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '-401.8']);
    expect(ids(r)).toContain('penalty-gradient-halved');
  });

  it('penalty-gradient-doubled: weight decay 2*lambda*w (the gradient of lambda * sum w^2) where the spec has lambda*w', () => {
    // g = -402 + 0.1*1 = -401.9; doubled: -402 + 0.2*1 = -401.8.
    const r = only(sheet, 'step1:\n  optimizer: { g: { w1: -401.80 } }\n', 'step1.optimizer.g.w1');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '-401.9']);
    expect(ids(r)).toContain('penalty-gradient-doubled');
  });

  it('biases-regularised: the biases in the penalty too', () => {
    // dL/db = -17, plus 2*0.1*b = 0.1 with b = 0.5: -16.9.
    const r = only(literal, 'step1:\n  gradients: { b: -16.90 }\n', 'step1.gradients.b');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '-17']);
    expect(ids(r)).toContain('biases-regularised');
  });

  it('biases-not-regularised, penalty form: the spec penalises the biases, the student does not', () => {
    const withBiases = checkerFor(replaced(example('hw7-q2.yaml'), 'w6^2)', 'w6^2 + b1^2 + b2^2 + b^2)'));
    // exact -17 + 0.1 = -16.9; without the bias term: -17.
    const r = only(withBiases, 'step1:\n  gradients: { b: -17.00 }\n', 'step1.gradients.b');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '-16.9']);
    expect(ids(r)).toContain('biases-not-regularised');
  });

  it('biases-not-regularised, weight-decay form: no decay on the biases', () => {
    // g[b] = -17 + 0.1*0.5 = -16.95; without decay: -17.
    const r = only(sheet, 'step1:\n  optimizer: { g: { b: -17.00 } }\n', 'step1.optimizer.g.b');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '-16.95']);
    expect(ids(r)).toEqual(['biases-not-regularised']);
  });

  it('penalty-left-out: the loss value without the penalty', () => {
    const r = only(literal, 'step1:\n  loss: 88.25\n', 'step1.loss');
    expect(ids(r)).toEqual(['penalty-left-out']);
  });

  it('relu-at-zero-1: relu\'(0) = 1 at h2 of sample 1, whose pre-activation is exactly 0', () => {
    // dL/dh2 = dL/dyhat * relu'(3.5 > 0) * w6 = -4.5 * (-2.5) = 11.25; dL/dw3 = 11.25 * relu'(0) * i1 = 33.75.
    const r = only(sheet, 'step1:\n  sample1: { gradients: { w3: 33.75 } }\n', 'step1.sample1.gradients.w3');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '0']);
    expect(ids(r)).toEqual(['relu-at-zero-1']);
    // relu'(0) = 0.5 gives half of it.
    expect(ids(only(sheet, 'step1:\n  sample1: { gradients: { w3: 16.875 } }\n', 'step1.sample1.gradients.w3'))).toEqual(['relu-at-zero-0.5']);
  });

  it('mse-without-1-over-n and mse-with-half: the loss 20.25 + 156.25 = 176.5, or half of the mean, 44.125', () => {
    expect(ids(only(sheet, 'step1:\n  loss: 176.5\n', 'step1.loss'))).toEqual(['mse-without-1-over-n']);
    expect(ids(only(sheet, 'step1:\n  loss: 44.125\n', 'step1.loss'))).toEqual(['mse-with-half']);
  });

  it('adam-no-bias-correction: the first step is then lr * 0.1*g / sqrt(0.001*g^2) = 0.1 * 3.16227766...', () => {
    const r = only(sheet, 'step1:\n  params: { w1: 1.3162 }\n', 'step1.params.w1');
    expect(ids(r)).toEqual(['adam-no-bias-correction']);
  });

  it('eps-inside-sqrt: x = 1, loss x^2/2, Adam lr 0.1, eps 1: 1 - 0.1/sqrt(1 + 1) = 0.92928..., not 1 - 0.1/(1 + 1) = 0.95', () => {
    const scalar = checkerFor(scalarSpec('x^2/2', '1', '{ optimizer: adam, lr: 0.1, eps: 1 }'));
    const r = only(scalar, 'step1:\n  params: { x: 0.9293 }\n', 'step1.params.x');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '0.95']);
    expect(ids(r)).toEqual(['eps-inside-sqrt']);
  });

  it('sum-times-sum: -17 * (1.5 + 3.5) = -85 for dL/dw5, and -17 * 1.5 = -25.5 for sample 1\'s share', () => {
    expect(ids(only(sheet, 'step1:\n  gradients: { w5: -85 }\n', 'step1.gradients.w5'))).toContain('sum-times-sum');
    expect(ids(only(sheet, 'step1:\n  sample1: { gradients: { w5: -25.5 } }\n', 'step1.sample1.gradients.w5'))).toEqual(['sum-times-sum']);
  });

  it('updated-weights-in-backward: dL/dh1 through w5 after its update (2.0999999999...): -4.5 * 2.1 * 3 = -28.35', () => {
    const r = only(sheet, 'step1:\n  sample1: { gradients: { w1: -28.35 } }\n', 'step1.sample1.gradients.w1');
    expect([r.verdict, r.exact.toString()]).toEqual(['wrong', '-27']);
    expect(ids(r)).toEqual(['updated-weights-in-backward']);
  });

  it('wrong-slot: the value of another param written under this one, exactly or the way the file computes elsewhere', () => {
    // dL/dw2 = -4.5*2*2 - 12.5*2*12 = -318, written under w3 (whose gradient is 0).
    const exact = only(sheet, 'step1:\n  gradients: { w3: -318 }\n', 'step1.gradients.w3');
    expect(exact.diagnosis).toEqual([{ id: 'wrong-slot', text: 'the value of step1.gradients.w2, written under w3' }]);
    // The sheet's own w3/w4 label: -17 * 2 * (2 + 12) = -476 is dL/dw2 under sum-times-sum, which this
    // file shows at sample 1.
    const sts = only(sheet, 'step1:\n  sample1: { gradients: { w5: -25.5 } }\n  gradients: { w3: -476 }\n', 'step1.gradients.w3');
    expect(sts.diagnosis.map((d) => d.text)).toContainEqual(expect.stringMatching(/^the value of step1\.gradients\.w2 under sum-times-sum .* written under w3$/));
  });

  it('a value no variant reproduces has no diagnosis', () => {
    expect(only(sheet, 'step1:\n  gradients: { w5: -12345 }\n', 'step1.gradients.w5').diagnosis).toEqual([]);
  });

  it('a variant that contradicts a value the student got right explains nothing', () => {
    // Under "no 1/n" the loss would be 176.5: a file that writes the mean 88.25 (correct) cannot be
    // using it, even where it would reproduce a gradient (2 * -50.5 = -101).
    const alone = only(sheet, 'step1:\n  gradients: { w5: -101 }\n', 'step1.gradients.w5');
    expect(ids(alone)).toContain('mse-without-1-over-n');
    const withDerivative = only(sheet, 'step1:\n  sample1: { adjoints: { yhat: -4.5 } }\n  gradients: { w5: -101 }\n', 'step1.gradients.w5');
    // Not from the student's values; only as the whole training redone from the start, which the
    // report says is not from them (the from-scratch fallback, test/diagnoses-from-scratch.test.ts).
    expect(withDerivative.diagnosis.map((d) => [d.id, /^matches the whole training redone from the start/.test(d.text)])).toEqual([['mse-without-1-over-n', true]]);
  });
});

describe('verdict rules', () => {
  const D = makeContext(50).D;
  const w = (t: string) => writtenNumber(t, D);

  it('a written value claims half a unit of its last digit; a slip is within one unit', () => {
    expect(w('1.099').unit!.toString()).toBe('0.001');
    expect(w('25e-7').unit!.toString()).toBe('1e-7');
    expect(w('-85').unit!.toString()).toBe('1');
    expect(w('0').unit).toBeUndefined(); // a bare zero claims exactly 0
    const exact = new D('1.0999999999975');
    expect(isCorrect(w('1.1'), exact, DEFAULT_TOLERANCE)).toBe(true);
    expect(isCorrect(w('1.099'), exact, DEFAULT_TOLERANCE)).toBe(false);
    expect(isRoundingSlip(w('1.099'), exact)).toBe(true); // truncated
    expect(isRoundingSlip(w('1.098'), exact)).toBe(false);
    expect(isCorrect(w('0'), new D('0.3'), DEFAULT_TOLERANCE)).toBe(false);
    expect(isCorrect(w('0'), new D('0'), DEFAULT_TOLERANCE)).toBe(true);
    expect(isCorrect(w('25e-7'), new D('0.0000025'), DEFAULT_TOLERANCE)).toBe(true);
  });

  it('a grader\'s tolerance replaces "correct": absolute, relative or significant digits', () => {
    const exact = new D('1.0999999999975');
    expect(isCorrect(w('1.099'), exact, { kind: 'abs', value: '0.001' })).toBe(true);
    expect(isCorrect(w('1.099'), exact, { kind: 'abs', value: '0.0005' })).toBe(false);
    expect(isCorrect(w('1.099'), exact, { kind: 'rel', value: '0.001' })).toBe(true);
    expect(isCorrect(w('1.099'), exact, { kind: 'rel', value: '0.0001' })).toBe(false);
    expect(isCorrect(w('1.099'), exact, { kind: 'sig', digits: 3 })).toBe(true); // 1.10 +- 0.005
    expect(isCorrect(w('1.099'), exact, { kind: 'sig', digits: 4 })).toBe(false); // 1.100 +- 0.0005
    expect(isCorrect(w('0'), new D('0'), { kind: 'sig', digits: 3 })).toBe(true);
  });

  it('a recomputed value reproduces what was written within one unit of its last digit', () => {
    expect(reproduces(w('27.488'), new D('27.4886845'), DEFAULT_TOLERANCE)).toBe(true);
    expect(reproduces(w('27.488'), new D('27.4895'), DEFAULT_TOLERANCE)).toBe(false);
    expect(reproduces(w('0'), new D('0'), DEFAULT_TOLERANCE)).toBe(true);
    expect(reproduces(w('0'), new D('0.0001'), DEFAULT_TOLERANCE)).toBe(false);
  });
});
