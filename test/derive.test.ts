// The two derivative forms of `exactprop derive` (chain rule, expanded) checked on every example spec
// and every PyTorch fixture spec, for every param, at the first and the last step, for every sample:
// - the chain-rule value, the expanded form's value and the engine's backward pass agree to the working
//   precision P (they are three different computations of one exact number);
// - a central finite difference of the sample's loss at precision 2P agrees to about P/2 digits (an
//   independent check: it never differentiates anything);
// - the samples' shares plus the penalty's term make the engine's step gradient.
// Finite differences are skipped only where a kinked function's switch crosses 0 inside the
// difference's interval (there the one-sided derivatives differ and the convention decides).
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { derivativeAt, derivatives, evaluateTree, pointValues, type ParamDerivative } from '../src/graph/derive.js';
import { makeContext, type Dec, type DecimalCtor, type NumericContext } from '../src/numeric/context.js';
import { compile } from '../src/graph/evaluate.js';
import { FUNCTIONS, COMPARES_TWO_ARGUMENTS } from '../src/symbolic/functions.js';
import { sub, symbolsOf, type Node } from '../src/symbolic/build.js';
import { print } from '../src/render/text.js';
import type { Spec } from '../src/spec/model.js';
import { cli, example, runYaml } from './helpers/spec.js';
import { replaced } from './helpers/replaced.js';
import { allSpecs, type SpecFile } from './helpers/specs.js';

const specFiles = allSpecs();

/** |a - b| <= 10^-digits * max(1, |a|, |b|). */
function agree(a: Dec, b: Dec, digits: number): boolean {
  const D = a.constructor as DecimalCtor;
  const scale = [a.abs(), b.abs()].reduce((m, v) => (v.gt(m) ? v : m), new D(1));
  return a.minus(b).abs().lte(scale.times(new D(10).pow(-digits)));
}

/** The switches of the kinked functions in `tree` that move with `param` (relu's argument, max's a - b). */
function kinkSwitches(tree: Node, param: string): Node[] {
  const out: Node[] = [];
  tree.traverse((node: Node) => {
    if (node.type !== 'FunctionNode') return;
    const f = node as unknown as { fn: { name: string }; args: Node[] };
    if (!FUNCTIONS[f.fn.name]?.kink) return;
    const s = COMPARES_TWO_ARGUMENTS.has(f.fn.name) ? sub(f.args[0]!, f.args[1]!) : f.args[0]!;
    if (symbolsOf(s).has(param)) out.push(s);
  });
  return out;
}

function raw(tree: Node, values: Map<string, Dec>, ctx: NumericContext): Dec {
  const names = [...symbolsOf(tree)];
  return compile(tree, (s) => names.indexOf(s), ctx)({ vals: names.map((n) => values.get(n)!), kinks: [] });
}

interface Check { file: string; step: number; sample: number; param: string }

function checkSpec(file: SpecFile, spec: Spec, hi: Spec) {
  const trace = run(spec);
  const P = spec.precision;
  const hiCtx = makeContext(hi.precision, hi.conventions.relu_at_zero);
  const h = new hiCtx.D(10).pow(-Math.floor((2 * hi.precision) / 3));
  const derivs = derivatives(spec);
  const skipped: Check[] = [];
  let fdChecks = 0;
  const steps = [...new Set([1, trace.steps.length])];
  for (const step of steps) {
    const record = trace.steps[step - 1]!;
    const shares = new Map<string, Dec>();
    for (const { row } of record.samples) {
      const values = pointValues(trace, step, row);
      // The same point at twice the precision: the values are exact decimals, read again from their text.
      const hiValues = new Map([...values].map(([k, v]) => [k, new hiCtx.D(v.toString())]));
      for (const d of derivs) {
        const at = derivativeAt(d, trace, step, row + 1);
        const where = `${file.file} step ${step} sample ${row + 1} ${d.param}`;
        expect(agree(at.share, at.engineShare, P - 5), `${where}: chain rule ${at.share} vs engine ${at.engineShare}`).toBe(true);
        expect(agree(at.share, at.expandedShare, P - 5), `${where}: chain rule ${at.share} vs expanded ${at.expandedShare}`).toBe(true);
        shares.set(d.param, (shares.get(d.param) ?? trace.ctx.zero).plus(at.share));

        // Central finite difference of seed * loss at 2P, away from kinks.
        const p = hiValues.get(d.param)!;
        const moved = (x: Dec) => new Map([...hiValues, [d.param, x]]);
        const crosses = kinkSwitches(d.expandedLoss, d.param).some((s) => {
          const [lo, mid, up] = [p.minus(h), p, p.plus(h)].map((x) => raw(s, moved(x), hiCtx));
          return mid!.isZero() || lo!.isNegative() !== up!.isNegative() || lo!.isZero() || up!.isZero();
        });
        if (crosses) {
          skipped.push({ file: file.file, step, sample: row + 1, param: d.param });
          continue;
        }
        const f = (x: Dec) => evaluateTree(d.expandedLoss, moved(x), hiCtx).value;
        const seed = evaluateTree(d.seed, hiValues, hiCtx).value;
        const fd = f(p.plus(h)).minus(f(p.minus(h))).div(h.times(2)).times(seed);
        expect(agree(new hiCtx.D(at.share.toString()), fd, Math.floor(P / 2)), `${where}: chain rule ${at.share} vs finite difference ${fd}`).toBe(true);
        fdChecks++;
      }
    }
    for (const d of derivs) {
      const pen = d.penalty ? evaluateTree(d.penalty, pointValues(trace, step, record.rows[0]!), trace.ctx).value : trace.ctx.zero;
      const total = shares.get(d.param)!.plus(pen);
      const gradient = record.values.get(`dL/d${d.param}`)!;
      expect(agree(total, gradient, P - 5), `step ${step} ${d.param}: sum of shares + penalty ${total} vs gradient ${gradient}`).toBe(true);
    }
  }
  return { skipped, fdChecks };
}

describe('chain rule = expanded form = engine = finite difference, on every example and fixture spec', () => {
  it('finds the specs', () => {
    expect(specFiles.length).toBeGreaterThanOrEqual(15);
  });
  for (const file of specFiles) {
    it(file.file, () => {
      const spec = file.load();
      const { skipped, fdChecks } = checkSpec(file, spec, file.load({ precision: 2 * spec.precision }));
      expect(fdChecks).toBeGreaterThan(skipped.length);
      if (file.relative === 'examples/hw7-q2.yaml') {
        // Step 1, sample 1: h2's pre-activation 3*(-0.5) + 2*0.5 + 0.5 is exactly 0, and it moves with
        // w3, w4 and b2; those three, there, are the only points a finite difference cannot check.
        expect(skipped.map((s) => `${s.step}/${s.sample}/${s.param}`)).toEqual(['1/1/w3', '1/1/w4', '1/1/b2']);
      }
    }, 120_000);
  }
});

describe('the forms read like a hand calculation', () => {
  const spec = parseSpec(example('hw7-q2.yaml'), 'hw7-q2.yaml');
  const [w1] = derivatives(spec, 'w1') as [ParamDerivative];

  it('chain rule for hw7 w1: loss <- yhat <- h1 <- w1, each factor from its own equation', () => {
    expect(w1.paths.map((p) => p.nodes)).toEqual([['loss', 'yhat', 'h1', 'w1']]);
    expect(w1.factors.map((f) => `d${f.of}/d${f.wrt} = ${print(f.formula)}`)).toEqual([
      'dloss/dyhat = -(2 * (y - yhat))',
      'dyhat/dh1 = heaviside(h1 * w5 + h2 * w6 + b) * w5',
      'dh1/dw1 = heaviside(i1 * w1 + i2 * w2 + b1) * i1',
    ]);
    expect(print(w1.seed)).toBe('1 / n');
    expect(print(w1.penalty!)).toBe('2 * lambda * w1');
  });

  it('expanded form for hw7 w1: neurons substituted, no 1 *, ^ (2 - 1) or + -', () => {
    const text = print(w1.expanded);
    expect(text).toBe(
      '-(2 * (y - relu(relu(i1 * w1 + i2 * w2 + b1) * w5 + relu(i1 * w3 + i2 * w4 + b2) * w6 + b)) * ' +
        'heaviside(relu(i1 * w1 + i2 * w2 + b1) * w5 + relu(i1 * w3 + i2 * w4 + b2) * w6 + b) * heaviside(i1 * w1 + i2 * w2 + b1) * i1 * w5)',
    );
    expect(text).not.toMatch(/\b1 \*|\^ \(2 - 1\)|\+ -/);
  });

  it('values at step 1: the sheet-independent hand values -27 (sample 1) and -375 (sample 2)', () => {
    const trace = run(spec);
    const s1 = derivativeAt(w1, trace, 1, 1);
    expect(s1.factors.map((f) => f.value.toString())).toEqual(['-9', '2', '3']); // -2(8 - 3.5), H(3.5) * 2, H(1.5) * 3
    expect(s1.seed.toString()).toBe('0.5');
    expect(s1.share.toString()).toBe('-27');
    expect(s1.expandedShare.toString()).toBe('-27');
    expect(derivativeAt(w1, trace, 1, 2).share.toString()).toBe('-375');
    expect(s1.penalty!.toString()).toBe('0.2');
    expect(s1.gradient.toString()).toBe('-401.8'); // -27 - 375 + 0.2
  });

  it('at the kink, the step function takes the convention (relu_at_zero)', () => {
    const [w3] = derivatives(spec, 'w3') as [ParamDerivative];
    const trace = run(spec);
    const at = derivativeAt(w3, trace, 1, 1);
    const dh2dw3 = w3.factors.findIndex((f) => f.of === 'h2' && f.wrt === 'w3');
    expect(at.factors[dh2dw3]).toMatchObject({ atKink: true });
    expect(at.factors[dh2dw3]!.value.toString()).toBe('0');
    const one = run(parseSpec(replaced(example('hw7-q2.yaml'), 'relu_at_zero: 0', 'relu_at_zero: 1'), 'hw7-q2.yaml'));
    const atOne = derivativeAt(w3, one, 1, 1);
    expect(atOne.factors[dh2dw3]!.value.toString()).toBe('3'); // H(0) = 1, times i1 = 3
    expect(atOne.share.toString()).toBe(atOne.expandedShare.toString());
    expect(atOne.share.toString()).toBe('33.75'); // 0.5 * -9 * (1 * -2.5) * 3
  });

  it('keeps long constants exact (nothing through a double, no simplify)', () => {
    const trace = runYaml(`
params: { w: 0.75 }
data: [ {} ]
loss: { sample: "-0.1234567890123456789 * w^2 + w/3", reduce: sum }
training: { optimizer: sgd, lr: 0.1, epochs: 1 }
`);
    const [w] = derivatives(trace.spec) as [ParamDerivative];
    expect(print(w.expanded)).toBe('-0.2469135780246913578 * w + 1 / 3');
    expect(w.paths).toEqual([{ nodes: ['loss', 'w'], factors: [0] }]);
    const at = derivativeAt(w, trace, 1, 1);
    // -0.2469135780246913578 * 0.75 + 1/3 at 50 digits (Python's decimal module gives the same).
    expect(at.share.toString()).toBe('0.14814814981481481498333333333333333333333333333333');
    expect(at.share.eq(at.expandedShare)).toBe(true);
  });

  it('sums over every path when a param reaches the loss in several ways', () => {
    const trace = runYaml(`
model:
  inputs: [x]
  neurons:
    a: w*x
    b: w*a
    out: a + b
params: { w: 2 }
data: [ { x: 3, y: 1 } ]
loss: { sample: (out - y)^2, reduce: mean }
training: { optimizer: sgd, lr: 0.1, epochs: 1 }
`);
    const [w] = derivatives(trace.spec) as [ParamDerivative];
    expect(w.paths.map((p) => p.nodes.join(' <- '))).toEqual(['loss <- out <- a <- w', 'loss <- out <- b <- w', 'loss <- out <- b <- a <- w']);
    // out = w x + w^2 x = 18, d out / dw = x + 2 w x = 15, dL/dw = 2 (out - y) * 15 = 510.
    const at = derivativeAt(w, trace, 1, 1);
    expect(at.share.toString()).toBe('510');
    expect(at.expandedShare.toString()).toBe('510');
  });
});

describe('exactprop derive', () => {
  it('prints both forms for hw7 w1, and their values agree at --at 1,1', async () => {
    const r = await cli(['derive', 'examples/hw7-q2.yaml', '--param', 'w1', '--at', '1,1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('dL/dw1 = sum over the samples of dL/dloss * dloss/dyhat * dyhat/dh1 * dh1/dw1 + dpenalty/dw1');
    expect(r.out).toContain('dh1/dw1 = heaviside(i1 * w1 + i2 * w2 + b1) * i1');
    expect(r.out).toContain("heaviside(z) = relu'(z): 1 if z > 0, 0 if z < 0, and 0 at z = 0 (conventions.relu_at_zero)");
    expect(r.out).toContain('dloss/dw1 = -(2 * (y - relu(relu(i1 * w1');
    expect(r.out).toMatch(/chain rule: 0\.5 \* \(-9\) \* 2 \* 3 = -27\n/);
    expect(r.out).toMatch(/expanded: 0\.5 \* \(-54\) = -27\n/);
    expect(r.out).toContain('the two forms agree');
  });

  it('names the kink in --at output', async () => {
    const r = await cli(['derive', 'examples/hw7-q2.yaml', '--param', 'b2', '--at', '1,1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/dh2\/db2 = 0 \(at the kink: heaviside\(0\) = 0 by conventions\.relu_at_zero\)/);
  });

  it('prints every param by default, and Markdown and LaTeX on request', async () => {
    const text = await cli(['derive', 'examples/hw7-q2.yaml']);
    for (const p of ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'b1', 'b2', 'b']) expect(text.out).toContain(`dL/d${p} = sum over the samples of`);
    const md = await cli(['derive', 'examples/hw7-q2.yaml', '--param', 'w1', '--format', 'markdown']);
    expect(md.out).toContain('\\frac{\\partial h_{1}}{\\partial w_{1}} &= H(i_{1} w_{1} + i_{2} w_{2} + b_{1}) i_{1}');
    const tex = await cli(['derive', 'examples/hw7-q2.yaml', '--param', 'w1', '--format', 'latex']);
    expect(tex.out).toMatch(/^\\documentclass/);
    expect(tex.out.trimEnd()).toMatch(/\\end\{document\}$/);
  });

  it('rejects an unknown param, a bad --at and a sample outside the step', async () => {
    const bad = await cli(['derive', 'examples/hw7-q2.yaml', '--param', 'w9']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown param 'w9'");
    for (const at of ['1', '0,1', '3,1', '1,3', 'x,y']) {
      const r = await cli(['derive', 'examples/hw7-q2.yaml', '--at', at]);
      expect(r.code, at).toBe(2);
      expect(r.err.split('\n')[0], at).toMatch(/^exactprop: --at/);
    }
  });
});
