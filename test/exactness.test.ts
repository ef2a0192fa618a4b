// "Exact" as a promise the tool can prove: certified digits from two runs at two precisions, branch
// decisions compared between them, and exact fractions for rational specs.
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { agreeingDigits, certifiedRun } from '../src/certify/certify.js';
import { whyNotRational } from '../src/certify/exact.js';
import { parseSpec } from '../src/spec/validate.js';
import { finalValue, run } from '../src/graph/run.js';
import { exampleSpecs } from './helpers/specs.js';
import { Rational } from '../src/numeric/rational.js';
import { cli, example } from './helpers/spec.js';
import { replaced } from './helpers/replaced.js';

// h's pre-activation is w/3 - c with c = 0.333... (25 threes): 3.3e-26 above 0. At 20 digits that is
// below the cancellation threshold and reads as an exact 0; at 40 digits it is resolved.
const kinky = (precision: number) => `
precision: ${precision}
model: { inputs: [], neurons: { h: relu(w/3 - c) } }
params: { w: 1 }
constants: { c: 0.3333333333333333333333333 }
data: [ {} ]
loss: { sample: (h - 1)^2, reduce: sum }
training: { optimizer: sgd, lr: 0.1 }
`;

describe('agreeing digits', () => {
  const D = Decimal.clone({ precision: 60 });
  it('counts the significant digits two values share after rounding', () => {
    expect(agreeingDigits(new D('1.23456'), new D('1.23456'), 50)).toBe(50);
    expect(agreeingDigits(new D('1.23456'), new D('1.23457'), 50)).toBe(5);
    expect(agreeingDigits(new D('1.2349999'), new D('1.2350001'), 50)).toBe(7); // both round to 1.235000
    expect(agreeingDigits(new D('1.2349'), new D('1.2351'), 50)).toBe(4); // 1.235 both; 1.2349 vs 1.2351 differ
    expect(agreeingDigits(new D('0'), new D('1e-40'), 50)).toBe(0);
    expect(agreeingDigits(new D('0'), new D('0'), 50)).toBe(50);
  });
});

describe('--certify', () => {
  it('hw7 at precision 50: every value certified to at least 45 digits, no undecidable branch', () => {
    const { trace, certification } = certifiedRun(parseSpec(example('hw7-q2.yaml'), 'hw7.yaml'));
    expect(certification.referencePrecision).toBe(70);
    expect(certification.undecidable).toEqual([]);
    expect(certification.fewest).toBeGreaterThanOrEqual(45);
    // exact values are certified in full
    expect(certification.digits.get(trace.steps[0]!.values.get('loss.total')!)).toBe(50);
  });

  it('a kink undecidable at a low precision is reported, and decided at a higher one', () => {
    const low = certifiedRun(parseSpec(kinky(20), 'k.yaml'));
    const where = low.certification.undecidable.map((u) => `${u.step}|${u.sample}|${u.quantity}`);
    expect(where).toContain('1|1|h'); // the forward relu; the backward pass's step functions follow it
    expect(where.every((w) => w.startsWith('1|1|'))).toBe(true);
    expect(low.certification.undecidable[0]!.message).toContain('cannot be decided at precision 20');
    const high = certifiedRun(parseSpec(kinky(40), 'k.yaml'));
    expect(high.certification.undecidable).toEqual([]);
    expect(high.trace.steps[0]!.samples[0]!.values.get('h')!.gt(0)).toBe(true);
  });
});

describe('--exact', () => {
  const noAdamOptions = replaced(example('hw7-q2.yaml'), /  beta1.*\n  beta2.*\n  eps.*\n/, '');
  const sgdMomentum = replaced(replaced(noAdamOptions, 'optimizer: adam', 'optimizer: sgd\n  momentum: 0.9'), 'lr: 0.1', 'lr: 0.01');
  const reluSgd = replaced(sgdMomentum, '- { i1: 15, i2: 12, y: 20 }', '- { i1: 15, i2: 12, y: 20 }\n  - { i1: 1, i2: 1, y: 1 }');

  it('says why a spec is not rational', () => {
    expect(whyNotRational(parseSpec(example('hw7-q2.yaml'), 'hw7.yaml'))).toBe('the Adam update p = p - lr * mhat / (sqrt(vhat) + eps): sqrt has no exact rational value');
    expect(whyNotRational(parseSpec(reluSgd, 'r.yaml'))).toBeUndefined();
  });

  it('computes a ReLU network with SGD and momentum in exact fractions, agreeing with the decimal run', () => {
    const spec = parseSpec(reluSgd, 'r.yaml');
    const exact = run(spec, { arithmetic: 'rational' });
    const decimal = run(spec);
    const loss = exact.steps[0]!.values.get('loss.data')! as unknown as Rational;
    expect(loss).toBeInstanceOf(Rational);
    // ((8 - 3.5)^2 + (20 - 7.5)^2 + (1 - 0.25)^2) / 3 = 177.0625 / 3
    expect(loss.toString()).toBe('2833/48');
    for (const name of ['w1', 'w3', 'b', 'loss.total']) {
      const e = exact.steps[1]!.values.get(name)! as unknown as Rational;
      const d = decimal.steps[1]!.values.get(name)!;
      // the decimal run rounds at each operation, so only its last digit or two may differ
      expect(agreeingDigits(d, e.toDecimal(60), 50), name).toBeGreaterThanOrEqual(48);
    }
  });

  it('reads decimal text exactly and prints finite expansions as decimals, others as fractions', () => {
    expect(new Rational('1e-8').toString()).toBe('0.00000001');
    expect(new Rational('-2.50').toString()).toBe('-2.5');
    expect(new Rational('1').div(new Rational('3')).toString()).toBe('1/3');
    expect(new Rational('0.1').times('3').eq('0.3')).toBe(true);
  });

  it('gives the exponent of the leading digit as decimal.js does', () => {
    for (const [n, d] of [[1n, 3n], [10n, 1n], [9n, 1n], [1n, 10n], [1n, 11n], [-250n, 3n], [99999n, 100000n], [100000n, 99999n], [7n, 700000n]] as const) {
      expect(new Rational(n, d).e, `${n}/${d}`).toBe(new Decimal(n.toString()).div(d.toString()).e);
    }
    expect(new Rational(0n).e).toBe(0);
  });
});

describe('the command line', () => {
  it('--certify: certified digit counts in JSON, the promise in the text', async () => {
    const j = await cli(['run', 'examples/hw7-q2.yaml', '--certify', '--format', 'json']);
    expect(j.code).toBe(0);
    const trace = JSON.parse(j.out);
    expect(trace.certify.reference_precision).toBe(70);
    expect(trace.steps[0].certified_digits.loss.total).toBe(50);
    expect(trace.steps[1].certified_digits.params.w1).toBeGreaterThanOrEqual(45);
    expect(trace.undecidable).toEqual([]);
    const t = await cli(['run', 'examples/hw7-q2.yaml', '--certify']);
    expect(t.out).toMatch(/certified: every value was computed again at 70 digits; every value agrees to at least \d+ significant digits/);
  });

  it('--certify at a precision that cannot decide a kink says so', async () => {
    const r = await cli(['run', 'k.yaml', '--certify'], { 'k.yaml': kinky(20) });
    expect(r.err).toContain('step 1, sample 1, h: a branch (kink, max or abs) goes one way at precision 20 and another at 40');
    expect(r.out).toContain('UNDECIDABLE branches at this precision');
  });

  it('--exact refuses, with the reason, a spec that is not rational', async () => {
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--exact']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--exact: this spec cannot be computed in exact fractions: the Adam update p = p - lr * mhat / (sqrt(vhat) + eps): sqrt has no exact rational value');
  });

  it('--exact prints fractions where a value has no finite decimal expansion', async () => {
    const spec = `model: { inputs: [x], neurons: { yhat: relu(w*x) } }
params: { w: 1 }
data: [ { x: 1, y: 0 }, { x: 2, y: 0 }, { x: 3, y: 1 } ]
loss: { sample: (y - yhat)^2, reduce: mean }
training: { optimizer: sgd, lr: 0.1 }
`;
    const r = await cli(['run', 'e.yaml', '--exact', '--format', 'json'], { 'e.yaml': spec });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.arithmetic).toBe('rational');
    expect(j.steps[0].loss.data).toBe('3'); // (1 + 4 + 4) / 3
    expect(j.steps[0].samples[2].adjoints.yhat).toBe('4/3'); // (1/3) * -(2 * (1 - 3))
    expect(j.steps[0].gradients.w).toBe('22/3'); // (2*1 + 4*2 + 4*3) / 3
    expect(j.steps[0].params.w).toBe('4/15'); // 1 - 0.1 * 22/3
    const t = await cli(['run', 'e.yaml', '--exact'], { 'e.yaml': spec });
    expect(t.out).toContain('= 4/3 ≈ 1.33333333333…');
  });

  it('--format json streams the steps that --steps selects', async () => {
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json', '--steps', 'last']);
    const j = JSON.parse(r.out);
    expect(j.steps.map((s: { step: number }) => s.step)).toEqual([2]);
    expect(j.steps[0].params.w1).toMatch(/^1\.19416067367100689/);
  });
});

describe('every example', () => {
  const specs = exampleSpecs().map((s) => s.file);

  it.each(specs)('%s: --certify certifies every value to within 5 digits of the precision, every branch decided', (f) => {
    const spec = parseSpec(example(f), `examples/${f}`);
    const { trace, certification } = certifiedRun(spec);
    expect(certification.undecidable).toEqual([]);
    expect(certification.fewest).toBeGreaterThanOrEqual(spec.precision - 5);
    expect(certification.digits.get(finalValue(trace, spec.params[0]!.name))).toBeGreaterThanOrEqual(spec.precision - 5);
  });

  it.each(specs)('%s: --exact computes it, agreeing with the decimal run, or says which operation is not rational', (f) => {
    const spec = parseSpec(example(f), `examples/${f}`);
    const reason = whyNotRational(spec);
    if (reason) {
      expect(reason).toMatch(/(sqrt|exp|log|tanh|sigmoid|softplus|softmax|power)/);
      return;
    }
    const exact = run(spec, { arithmetic: 'rational' });
    const decimal = run(spec);
    for (const p of spec.params) {
      const e = finalValue(exact, p.name) as unknown as Rational;
      expect(e).toBeInstanceOf(Rational);
      // the decimal run rounds at each operation, so only its last digit or two may differ
      expect(agreeingDigits(finalValue(decimal, p.name), e.toDecimal(spec.precision + 10), spec.precision), p.name).toBeGreaterThanOrEqual(spec.precision - 2);
    }
  });

  it('has a rational one, and its exact final params are what an independent fraction computation gives', () => {
    expect(specs.filter((f) => !whyNotRational(parseSpec(example(f), `examples/${f}`)))).toContain('relu-momentum-exact.yaml');
    const trace = run(parseSpec(example('relu-momentum-exact.yaml'), 'examples/relu-momentum-exact.yaml'), { arithmetic: 'rational' });
    // From scripts/relu-momentum-exact.py (Python's fractions, the formulas written out by hand).
    const python = { w1: '9222853/31640625', w2: '-18967849/506250000', w3: '-361141117/1265625000', w4: '111354728/158203125', b1: '51303433/506250000', b2: '-1008317/10125000', v1: '169409357/202500000', v2: '487495631/1012500000', c: '17269/27000' };
    for (const [name, fraction] of Object.entries(python)) expect(finalValue(trace, name).toString(), name).toBe(fraction);
  });
});
