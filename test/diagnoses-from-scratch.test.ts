// The from-scratch fallback of check's diagnoses: a value that no diagnosis reproduces from the
// student's own values, but that one of them gives when the whole training is redone its way from the
// start. The case is the widely copied 2-2-2 sigmoid example (examples/sigmoid-2-2-2-sgd.yaml): its
// published weights after one update are the correct ones (w5 = 0.35891648, w1 = 0.149780716), but its
// published total error after the update, 0.291027924, is the one a training gets whose hidden layer's
// backward pass multiplies by the already updated output weights. Independently, with mpmath at 40
// digits (a dozen lines: the forward pass, the output deltas, W2 updated, then the hidden deltas through
// the updated or the original W2): the correct error after the update is 0.29102777369359935087..., the
// one through the updated W2 is 0.29102792390544187011..., and W1_1_1 would then be 0.14981763856...
// where the published (correct) one is 0.149780716.
import { describe, expect, it } from 'vitest';
import { cli, example } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { Checker } from '../src/check/check.js';
import { parseAnswers } from '../src/check/answers.js';
import { DEFAULT_TOLERANCE } from '../src/check/tolerance.js';

const spec = parseSpec(example('sigmoid-2-2-2-sgd.yaml'), 'examples/sigmoid-2-2-2-sgd.yaml');
const checker = new Checker(spec, { steps: 1, final: true });
const grade = (answers: string) => checker.check(parseAnswers(answers, 'answers.yaml', checker.shape), DEFAULT_TOLERANCE);

// The example's published values (to the digits it prints): the error before the update, every
// updated weight, and the error after it.
const published = example('sigmoid-2-2-2-sgd.answers.yaml');

describe('the from-scratch fallback', () => {
  it('the 2-2-2 example: every published weight correct, its error after the update diagnosed as the updated weights used in the backward pass, computed from the start', () => {
    const report = grade(published);
    const wrong = report.results.filter((r) => r.verdict === 'wrong');
    expect(wrong.map((r) => [r.path, r.written])).toEqual([['final.loss', '0.291027924']]);
    const loss = wrong[0]!;
    expect(loss.exact.toString()).toMatch(/^0\.2910277736935993508718/);
    // From the published weights, the error is the correct one: no diagnosis reproduces 0.291027924
    // with those as inputs; the training redone with the mistake does.
    expect(loss.diagnosis).toEqual([{
      id: 'updated-weights-in-backward',
      text: expect.stringMatching(/^matches the whole training redone from the start \(not from your values\) with this mistake: weights already updated used in the backward pass/),
    }]);
  });

  it('the command line: every published weight correct, the error a new error with that diagnosis, exit code 1', async () => {
    const r = await cli(['check', 'examples/sigmoid-2-2-2-sgd.yaml', 'examples/sigmoid-2-2-2-sgd.answers.yaml', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { results: Array<{ path: string; verdict: string; diagnosis: Array<{ id: string }> }>; summary: Record<string, number> };
    expect(report.summary).toEqual({ correct: 9, 'rounding-slip': 0, carried: 0, wrong: 1 });
    const loss = report.results.find((x) => x.path === 'final.loss')!;
    expect([loss.verdict, loss.diagnosis.map((d) => d.id)]).toEqual(['wrong', ['updated-weights-in-backward']]);
  });

  it('the same mistake with the student\'s own values is diagnosed as usual, not as from scratch', () => {
    // W1_1_1 as the mistake gives it (0.1498176385...), with the output deltas and W2 written right:
    // reproduced from the student's values, so reported without the from-scratch wording.
    const report = grade('step1:\n  params:\n    W2_1_1: 0.35891648\n    W2_2_1: 0.511301270\n    W1_1_1: 0.149817639\n');
    const r = report.results.find((x) => x.path === 'step1.params.W1_1_1')!;
    expect(r.verdict).toBe('wrong');
    expect(r.diagnosis.map((d) => d.id)).toEqual(['updated-weights-in-backward']);
    expect(r.diagnosis[0]!.text).not.toMatch(/from the start/);
  });

  it('a value that no training gives, from the student\'s values or from the start, has no diagnosis', () => {
    const r = grade('final:\n  loss: 0.2915\n').results[0]!;
    expect([r.verdict, r.diagnosis]).toEqual(['wrong', []]);
  });
});
