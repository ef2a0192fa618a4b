// The symbolic layer: local derivative rules checked against central finite differences at high
// precision, readable smart-constructor output, exact constants, and the cancellation rule at kinks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { childrenOf } from '../src/symbolic/tree.js';
import { differentiate } from '../src/symbolic/differentiate.js';
import { parseExpression } from '../src/symbolic/parse.js';
import { symbolsOf } from '../src/symbolic/build.js';
import { compile } from '../src/graph/evaluate.js';
import { makeContext, type Dec } from '../src/numeric/context.js';
import { print } from '../src/render/text.js';

const ctx = makeContext(60);
const D = ctx.D;

function evaluateAt(text: string | ReturnType<typeof parseExpression>, point: Record<string, string | Dec>): Dec {
  const tree = typeof text === 'string' ? parseExpression(text) : text;
  const names = [...symbolsOf(tree)];
  const f = compile(tree, (s) => names.indexOf(s), ctx);
  return f({ vals: names.map((n) => new D(point[n]!)), kinks: [] });
}

/** Central difference (f(x+h) - f(x-h)) / 2h with h = 1e-25: truncation error O(h^2) = 1e-50,
 *  rounding error about 1e-60 / h = 1e-35; we compare to 1e-30. */
function finiteDifference(text: string, x: string, point: Record<string, string>): Dec {
  const h = new D('1e-25');
  const up = evaluateAt(text, { ...point, [x]: new D(point[x]!).plus(h) });
  const down = evaluateAt(text, { ...point, [x]: new D(point[x]!).minus(h) });
  return up.minus(down).div(h.times(2));
}

describe('local derivatives agree with central finite differences', () => {
  const point = { x: '0.7', y: '-1.3', a: '0.05' };
  const cases: Array<[string, string]> = [
    ['x*y + x^3 - 2/x', 'x'],
    ['(x - y)^2 / 2', 'y'],
    ['sigmoid(x*y)', 'x'],
    ['tanh(2*x + y)', 'x'],
    ['softplus(x - y)', 'y'],
    ['exp(x) * log(x + 2)', 'x'],
    ['sqrt(x^2 + y^2)', 'y'],
    ['relu(x + y + 1)', 'x'],
    ['leaky_relu(x + y, a)', 'x'],
    ['leaky_relu(x + y, a)', 'a'],
    ['abs(x - y)', 'x'],
    ['x^y', 'y'],
    ['x^y', 'x'],
    ['-(x*y) / (1 + x^2)', 'x'],
    ['-(y*log(sigmoid(x)) + (1 - y)*log(1 - sigmoid(x)))', 'x'],
  ];
  for (const [f, x] of cases) {
    it(`d/d${x} ${f}`, () => {
      const symbolic = evaluateAt(differentiate(parseExpression(f), x), point);
      const numeric = finiteDifference(f, x, point);
      expect(symbolic.minus(numeric).abs().lte(new D('1e-30').times(numeric.abs().plus(1)))).toBe(true);
    });
  }
});

describe('derivatives read like a hand calculation', () => {
  const d = (f: string, x: string) => print(differentiate(parseExpression(f), x));
  it('drops 1*, +0 and folds exponents', () => {
    expect(d('i1*w1 + i2*w2 + b1', 'w1')).toBe('i1');
    expect(d('w^2', 'w')).toBe('2 * w');
    expect(d('w^3', 'w')).toBe('3 * w ^ 2');
    expect(d('lambda * (w1^2 + w2^2)', 'w1')).toBe('2 * lambda * w1');
  });
  it('writes the chain rule through an activation with its step function', () => {
    expect(d('relu(h1*w5 + h2*w6 + b)', 'h1')).toBe('heaviside(h1 * w5 + h2 * w6 + b) * w5');
    expect(d('sigmoid(z)', 'z')).toBe('sigmoid(z) * (1 - sigmoid(z))');
  });
  it('keeps constants exact: no double, no simplify', () => {
    // mathjs simplify would print 2 * (t + -1 / 3) here and lose the literal.
    expect(d('(t - 0.3333333333333333333333)^2', 't')).toBe('2 * (t - 0.3333333333333333333333)');
    expect(d('-0.1234567890123456789*w^2', 'w')).toBe('-0.2469135780246913578 * w');
    expect(d('1e-16*x', 'x')).toBe('1e-16');
  });
});

describe('kinks', () => {
  it('a pre-activation that cancels to zero is exactly zero, and the kink is reported', () => {
    // w3 = -0.5 + d and w4 = b2 = 0.5 - d with d = 1/7 at 60 digits: 3*w3 + 2*w4 + b2 is 0 exactly,
    // but the rounded terms leave a residue in the last digit.
    const third = new D(1).div(7);
    const point = { w3: new D('-0.5').plus(third), w4: new D('0.5').minus(third), b2: new D('0.5').minus(third) };
    const z = parseExpression('3*w3 + 2*w4 + b2');
    const raw = evaluateAt(z, point);
    expect(raw.isZero()).toBe(false); // the plain evaluation is not 0
    const tree = parseExpression('heaviside(3*w3 + 2*w4 + b2)');
    const names = [...symbolsOf(tree)];
    const env = { vals: names.map((n) => (point as Record<string, Dec>)[n]!), kinks: [] as string[] };
    expect(compile(tree, (s) => names.indexOf(s), ctx)(env).toString()).toBe('0');
    expect(env.kinks).toEqual(['heaviside']);
  });

  it('relu_at_zero sets the derivative at 0', () => {
    for (const r of ['0', '0.5', '1']) {
      const c = makeContext(30, r);
      const f = compile(parseExpression('heaviside(x)'), () => 0, c);
      expect(f({ vals: [new c.D(0)], kinks: [] }).toString()).toBe(r);
    }
  });

  it('a value that is small but not a cancellation keeps its sign', () => {
    expect(evaluateAt('heaviside(x - y)', { x: '1e-70', y: '0' }).toString()).toBe('1');
  });
});

describe('the cancellation threshold', () => {
  // At precision 30 the threshold is 10^-20 times the largest term (here 1).
  const c30 = makeContext(30);
  const at = (x: string) => {
    const tree = parseExpression('heaviside(1 + x - 1)');
    return compile(tree, () => 0, c30)({ vals: [new c30.D(x)], kinks: [] }).toString();
  };
  it('a sum below it is an exact 0, one above it keeps its sign, measured exactly near the boundary', () => {
    expect(at('1e-25')).toBe('0'); // far below: 0, so heaviside(0) = relu_at_zero = 0
    expect(at('5e-21')).toBe('0'); // below, within a factor of ten
    expect(at('1e-20')).toBe('0'); // at the threshold: "below or at" counts as cancelled
    expect(at('2e-20')).toBe('1'); // above, within a factor of ten
    expect(at('1e-15')).toBe('1'); // far above
  });
});

// A tree's symbols in order of first appearance (symbolsOf: an equation's slot order, which the tape and
// the closures both read) are kept per subtree and joined, so that shared subtrees are listed once. They
// must be the plain depth-first walk's, occurrence by occurrence, on trees that share subtrees the way
// derivatives do.
describe('symbolsOf lists a tree\'s symbols as a depth-first walk meets them first', () => {
  /** The reference: every occurrence walked, left to right, nothing kept between calls. */
  function firstAppearances(n: ReturnType<typeof parseExpression>, out: string[] = []): string[] {
    if (n.type === 'SymbolNode') {
      const name = (n as unknown as { name: string }).name;
      if (!out.includes(name)) out.push(name);
      return out;
    }
    for (const child of childrenOf(n)) firstAppearances(child, out);
    return out;
  }
  const leaf = fc.constantFrom('a', 'b', 'c', 'w1', 'w2', 'x', '2', '0.5');
  const expression = fc.letrec<{ node: string; op: string; fn: string }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('op'), tie('fn')),
    op: fc.tuple(tie('node'), fc.constantFrom('+', '-', '*', '/'), tie('node')).map(([l, o, r]) => `(${l} ${o} ${r})`),
    fn: fc.tuple(fc.constantFrom('tanh', 'relu', 'exp', 'sigmoid'), tie('node')).map(([f, x]) => `${f}(${x})`),
  })).node;

  it('on random formulas and their derivatives (which share subtrees), in the same order', () => {
    fc.assert(
      fc.property(expression, fc.constantFrom('a', 'b', 'w1', 'x'), (text, wrt) => {
        const tree = parseExpression(text);
        expect([...symbolsOf(tree)]).toEqual(firstAppearances(tree));
        const derivative = differentiate(tree, wrt);
        expect([...symbolsOf(derivative)]).toEqual(firstAppearances(derivative));
        // Asked again, and for a subtree first: the kept lists give the same answer.
        for (const child of childrenOf(derivative)) expect([...symbolsOf(child)]).toEqual(firstAppearances(child));
        expect([...symbolsOf(derivative)]).toEqual(firstAppearances(derivative));
      }),
      { numRuns: 400, seed: 7 },
    );
  });

  it('adds to a set it is given, after what the set holds', () => {
    const tree = parseExpression('w2 * x + b * w1');
    expect([...symbolsOf(tree, new Set(['b', 'z']))]).toEqual(['b', 'z', 'w2', 'x', 'w1']);
  });
});
