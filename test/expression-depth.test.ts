// Expressions whose size a user controls never overflow the stack: sums and products of thousands of
// terms are single n-ary nodes that every stage handles in a loop (parsing, differentiating, evaluating,
// printing), full-batch data of thousands of rows likewise, and nesting (parentheses, calls, signs,
// powers, chains of subtractions) is refused past limits.expressionDepth with a message that names the
// limit, while an expression at exactly the limit goes through every stage.
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { depthOf, ExpressionError, parseExpression } from '../src/symbolic/parse.js';
import { symbolsOf } from '../src/symbolic/build.js';
import { differentiate } from '../src/symbolic/differentiate.js';
import { compile } from '../src/graph/evaluate.js';
import { makeContext } from '../src/numeric/context.js';
import { DEFAULT_LIMITS } from '../src/spec/limits.js';
import { print } from '../src/render/text.js';
import { at, cli } from './helpers/spec.js';

const LIMIT = DEFAULT_LIMITS.expressionDepth;

/** Evaluates a tree at a point, at a given precision. */
function valueAt(tree: ReturnType<typeof parseExpression>, point: Record<string, string>, precision = 50): string {
  const ctx = makeContext(precision);
  const names = [...symbolsOf(tree)];
  const f = compile(tree, (s) => names.indexOf(s), ctx);
  return f({ vals: names.map((n) => new ctx.D(point[n]!)), kinks: [] }).toString();
}

/** The message of the ExpressionError that parsing `text` throws. */
function refusal(text: string, limits: Parameters<typeof parseExpression>[1] = {}): string {
  try {
    parseExpression(text, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpressionError);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

const spec = (neurons: Record<string, string>, params: string, data: string, extra = '') =>
  `model:\n  inputs: [x]\n  neurons:\n${Object.entries(neurons).map(([n, e]) => `    ${n}: "${e}"`).join('\n')}\n` +
  `params: { ${params} }\ndata: ${data}\nloss: { sample: "(y - yhat)^2", reduce: mean }\n` +
  `training: { optimizer: sgd, lr: 0.001, epochs: 1, batch: full }\n${extra}`;

describe('sums and products are n-ary nodes', () => {
  it('a chain of + or * written out is one node, evaluated left to right as the nested chain was', () => {
    const sum = parseExpression('a + b + c + d');
    expect(sum.type).toBe('OperatorNode');
    expect((sum as unknown as { args: unknown[] }).args).toHaveLength(4);
    expect(depthOf(sum)).toBe(1);
    expect((parseExpression('a * b * c') as unknown as { args: unknown[] }).args).toHaveLength(3);
    // Left to right: (1e20 + -1e20) + 1 = 1 at 10 digits, where 1e20 + (-1e20 + 1) would round to 0.
    expect(valueAt(parseExpression('a + b + c'), { a: '1e20', b: '-1e20', c: '1' }, 10)).toBe('1');
    // A sum in parentheses on the right is another order of rounding, and keeps its own node.
    expect(valueAt(parseExpression('a + (b + c)'), { a: '1e20', b: '-1e20', c: '1' }, 10)).toBe('0');
    expect(print(parseExpression('a + b - c + d * e * f'))).toBe('a + b - c + d * e * f');
  });

  it('the product rule of a long product: one term per factor that depends on x, the others as written', () => {
    const d = differentiate(parseExpression('2 * 3 * x * y * x'), 'x');
    expect(print(d)).toBe('2 * 3 * y * x + 2 * 3 * x * y');
    expect(valueAt(d, { x: '1.5', y: '-2' })).toBe('-36');
    // With one factor depending on x, the constants before it stay as they were written.
    expect(print(differentiate(parseExpression('2 * 3 * x * y'), 'x'))).toBe('2 * 3 * y');
  });

  it('a sum of 10,000 terms and a product of 1,000 factors parse, differentiate and evaluate exactly', () => {
    const terms = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? 'w' : 'v')).join(' + ');
    const sum = parseExpression(terms, { expressionChars: 100_000 });
    expect(valueAt(sum, { w: '0.3', v: '0.7' })).toBe('5000');
    expect(print(differentiate(sum, 'w'))).toBe('5000');
    // All 1,000 factors depend on w: d(w^1000)/dw = 1000 w^999, one term per factor, two levels deep.
    const product = parseExpression(Array(1000).fill('w').join(' * '));
    expect(valueAt(product, { w: '-1' })).toBe('1');
    const d = differentiate(product, 'w');
    expect(depthOf(d)).toBe(2);
    expect(valueAt(d, { w: '-1' })).toBe('-1000');
  });

  it('a spec with a 10,000-term sum runs, prints in every format and derives, with the exact value', async () => {
    // yhat = 5000 w + 5000 v at w = 0.3, v = 0.7: 5000; loss = (1 - 5000)^2; dL/dw = -2 (1 - 5000) 5000.
    const terms = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? 'w' : 'v')).join(' + ');
    const yaml = spec({ yhat: terms }, 'w: 0.3, v: 0.7', '[ { x: 1, y: 1 } ]', 'limits: { expression_chars: 100000 }\n');
    const trace = run(parseSpec(yaml, 'sum.yaml', { limits: { expressionChars: 100_000 } }));
    expect(trace.steps[0]!.samples[0]!.values.get('yhat')!.toString()).toBe('5000');
    expect(at(trace, 1, 'loss.data')).toBe(String(4999n * 4999n));
    expect(at(trace, 1, 'dL/dw')).toBe(String(2n * 4999n * 5000n));
    // (HTML is left out here only for time: KaTeX writes some 750 bytes per term. It is run at the
    // depth limit below.)
    for (const format of ['text', 'markdown', 'latex']) {
      const r = await cli(['run', 'sum.yaml', '--format', format], { 'sum.yaml': yaml });
      expect({ format, code: r.code, err: r.err }).toEqual({ format, code: 0, err: '' });
      expect(r.out).toContain('w + v + w');
    }
    const d = await cli(['derive', 'sum.yaml', '--param', 'w', '--at', '1,1'], { 'sum.yaml': yaml });
    expect(d.code).toBe(0);
    expect(d.out).toContain('dyhat/dw = 5000');
    expect(d.out).toContain('the two forms agree');
  });

  it('a spec with a 1,000-factor product runs and derives, with the exact value', async () => {
    // w * 2 * 0.5 * 2 * ... * w * w: 997 constants whose product is 2, so yhat = 2 w^3 = 6.75 at
    // w = 1.5, dyhat/dw = 6 w^2 = 13.5, and with y = 0, dL/dw = 2 yhat * 13.5 = 182.25.
    const factors = ['w', ...Array.from({ length: 997 }, (_, i) => (i % 2 ? '0.5' : '2')), 'w', 'w'];
    const yaml = spec({ yhat: factors.join(' * ') }, 'w: 1.5', '[ { x: 1, y: 0 } ]');
    const trace = run(parseSpec(yaml, 'product.yaml'));
    expect(trace.steps[0]!.samples[0]!.values.get('yhat')!.toString()).toBe('6.75');
    expect(at(trace, 1, 'dL/dw')).toBe('182.25');
    const r = await cli(['run', 'product.yaml'], { 'product.yaml': yaml });
    expect(r.code).toBe(0);
    const d = await cli(['derive', 'product.yaml', '--at', '1,1'], { 'product.yaml': yaml });
    expect(d.code).toBe(0);
    expect(d.out).toContain('dyhat/dw = 13.5');
    expect(d.out).toContain('the two forms agree');
  });

  it('2,000 full-batch rows give the exact mean loss and gradient', async () => {
    // Row i: x = i, y = 2i; yhat = w x with w = 1.5, so loss_i = (i/2)^2 and dloss_i/dw = -i^2. With
    // S = sum of i^2 = n(n+1)(2n+1)/6: L = S/(4n), dL/dw = -S/n.
    const n = 2000n;
    const rows = Array.from({ length: 2000 }, (_, i) => `  - { x: ${i + 1}, y: ${2 * (i + 1)} }`).join('\n');
    const yaml = spec({ yhat: 'w*x' }, 'w: 1.5', `\n${rows}`);
    const S = (n * (n + 1n) * (2n * n + 1n)) / 6n;
    const trace = run(parseSpec(yaml, 'rows.yaml'));
    const decimal = (num: bigint, den: bigint) => `${num / den}${num % den ? `.${String((num % den) * 1000n / den).padStart(3, '0').replace(/0+$/, '')}` : ''}`;
    expect(at(trace, 1, 'loss.data')).toBe(decimal(S, 4n * n)); // 333583.375
    expect(at(trace, 1, 'dL/dw')).toBe(`-${decimal(S, n)}`); // -1334333.5
    const r = await cli(['run', 'rows.yaml'], { 'rows.yaml': yaml });
    expect(r.code).toBe(0);
    expect(r.out).toContain('loss[1] + loss[2] + loss[3]');
    expect(r.out).toContain('333583.375');
  });
});

describe('nesting is refused past the limit, before anything recurses over it', () => {
  it('says how deep, the limit, and how to raise it', () => {
    const message = refusal('('.repeat(LIMIT + 1) + 'x' + ')'.repeat(LIMIT + 1));
    expect(message).toContain(`nested ${LIMIT + 1} levels deep`);
    expect(message).toContain(`limit of ${LIMIT}`);
    expect(message).toContain('--max-expression-depth');
  });

  it('counts parentheses, calls, unary signs, powers and subtraction chains, each at limit + 1', () => {
    const over = LIMIT + 1;
    const cases = [
      '('.repeat(over) + 'x' + ')'.repeat(over),
      'relu('.repeat(over) + 'x' + ')'.repeat(over),
      '-'.repeat(over) + 'x',
      'x' + ' - 1'.repeat(over),
      // A sum inside parentheses inside a call: each construct adds one level.
      '2 * ' + 'relu(1 + '.repeat(over) + 'x' + ')'.repeat(over),
    ];
    for (const text of cases) expect(refusal(text)).toContain(`nested ${over} levels deep`);
    // Long chains of + and * add nothing, whatever their length.
    expect(depthOf(parseExpression('x' + ' + 1'.repeat(5000), { expressionChars: 100_000 }))).toBe(1);
    expect(depthOf(parseExpression('x' + ' * 2'.repeat(5000), { expressionChars: 100_000 }))).toBe(1);
  });

  it('a raised limit is honoured, up to the deepest nesting the program handles', () => {
    const chain = 'x' + ' - 1'.repeat(500);
    expect(refusal(chain)).toContain('nested 500 levels deep');
    expect(depthOf(parseExpression(chain, { expressionDepth: 500 }))).toBe(500);
    const lower = refusal('((x))', { expressionDepth: 1 });
    expect(lower).toContain('limit of 1 ');
    expect(refusal('x' + ' - 1'.repeat(5000), { expressionDepth: 1_000_000, expressionChars: 100_000 })).toContain('the deepest this program handles');
    // mathjs's own parser gives out at a few hundred parentheses: refused, not a stack overflow.
    expect(refusal('('.repeat(5000) + 'x' + ')'.repeat(5000), { expressionDepth: 1_000_000, expressionChars: 100_000 })).toMatch(/nested/);
  });

  it('100,000 nested parentheses are refused by a scan, in linear time', () => {
    const text = '('.repeat(100_000) + 'x' + ')'.repeat(100_000);
    const message = refusal(text, { expressionChars: 1_000_000 });
    expect(message).toContain('nested 100,000 levels deep');
    // The text itself is not quoted back.
    expect(message.length).toBeLessThan(400);
  });

  it('through the CLI: exit 2, located, with the limit', async () => {
    // Both within the default length limit of 20,000 characters.
    const deep = '('.repeat(9000) + 'w*x' + ')'.repeat(9000);
    const subtractions = 'w' + ' -1'.repeat(5000);
    for (const [text, depth] of [[deep, '9,000'], [subtractions, '5,000']] as const) {
      const r = await cli(['run', 'deep.yaml'], { 'deep.yaml': spec({ yhat: text }, 'w: 1', '[ { x: 1, y: 1 } ]') });
      expect(r.code).toBe(2);
      expect(r.err).toContain('model.neurons.yhat');
      expect(r.err).toContain(`nested ${depth} levels deep`);
      expect(r.err).toContain(`limit of ${LIMIT}`);
      expect(r.err).not.toMatch(/call stack|    at /);
    }
    // 100,000 parentheses with the length limit raised in the spec: the depth is what is refused.
    const huge = '('.repeat(100_000) + 'w*x' + ')'.repeat(100_000);
    const r = await cli(['run', 'huge.yaml'], { 'huge.yaml': spec({ yhat: huge }, 'w: 1', '[ { x: 1, y: 1 } ]', 'limits: { expression_chars: 1000000 }\n') });
    expect(r.code).toBe(2);
    expect(r.err).toContain('nested 100,000 levels deep');
  });

  it('an expression at exactly the limit goes through every stage and every format', async () => {
    const n = LIMIT;
    const neurons = {
      h1: '('.repeat(n - 1) + 'w1*x' + ')'.repeat(n - 1), // n - 1 parentheses and a product
      h2: '-'.repeat(n) + 'w2', // n signs: +w2
      // A product of n - 2 nested calls of a sum, and w2: the chain of calls is printed, evaluated and
      // expanded, and differentiated once (by w2), which keeps the backward pass small.
      h3: 'relu('.repeat(n - 2) + 'x + 1' + ')'.repeat(n - 2) + ' * w2',
      h4: 'w3' + ' - 0.001'.repeat(n), // a chain of n subtractions
      yhat: 'h1 + h2 + h3 + h4',
    };
    for (const name of ['h1', 'h2', 'h3', 'h4'] as const) expect(depthOf(parseExpression(neurons[name]))).toBe(n);
    const yaml = spec(neurons, 'w1: 0.5, w2: 0.25, w3: 1', '[ { x: 1, y: 3 } ]');
    const trace = run(parseSpec(yaml, 'limit.yaml'));
    // yhat = 0.5 + 0.25 + 2 * 0.25 + (1 - 0.2) = 2.05; dyhat/dw2 = 1 + 2, so dL/dw2 = -2 (3 - 2.05) * 3.
    expect(trace.steps[0]!.samples[0]!.values.get('yhat')!.toString()).toBe('2.05');
    expect(at(trace, 1, 'dL/dw2')).toBe('-5.7');
    for (const format of ['text', 'markdown', 'latex', 'html', 'json']) {
      const r = await cli(['run', 'limit.yaml', '--format', format], { 'limit.yaml': yaml });
      expect({ format, code: r.code, err: r.err }).toEqual({ format, code: 0, err: '' });
    }
    for (const format of ['text', 'latex']) {
      const d = await cli(['derive', 'limit.yaml', '--at', '1,1', '--format', format], { 'limit.yaml': yaml });
      expect({ format, code: d.code, err: d.err }).toEqual({ format, code: 0, err: '' });
      if (format === 'text') expect(d.out).not.toContain('DISAGREEMENT');
    }
    // Grading walks the same trees: h2 with its sign lost is wrong, and yhat (1.55) carries it.
    const answers = 'epoch1:\n  sample1:\n    h1: 0.5\n    h2: -0.25\n    yhat: 1.55\n    gradients: { w2: -5.7 }\n';
    const c = await cli(['check', 'limit.yaml', 'answers.yaml'], { 'limit.yaml': yaml, 'answers.yaml': answers });
    expect({ code: c.code, err: c.err }).toEqual({ code: 1, err: '' });
    expect(c.out).toMatch(/step1\.sample1\.h2 +-0\.25 +wrong/);
    expect(c.out).toMatch(/step1\.sample1\.yhat +1\.55 +carried/);
  });
});

describe('nesting at the limit: every walker', () => {
  it('differentiates, evaluates and prints n nested calls', () => {
    const chain = parseExpression('relu('.repeat(LIMIT) + 'w' + ')'.repeat(LIMIT));
    expect(depthOf(chain)).toBe(LIMIT);
    const d = differentiate(chain, 'w');
    // relu'(relu(...)) * relu'(...) * ... : a product of LIMIT steps, each 1 for a positive argument.
    expect(valueAt(d, { w: '0.5' })).toBe('1');
    expect(valueAt(d, { w: '-0.5' })).toBe('0');
    expect(print(d).match(/heaviside/g)).toHaveLength(LIMIT);
  });
});

describe('numeric literals outside the exponent range', () => {
  it.each([
    ['1e99999999999999999999', 'Infinity'],
    ['2.5E+99999999999999999999', 'Infinity'],
    ['1e-99999999999999999999', '0'],
    ['0.3e-9000000000000001', '0'],
  ])('%s is refused, not read as %s', (literal, silent) => {
    const message = refusal(`w * ${literal}`);
    expect(message).toContain(`the number ${literal} is outside the range of exponents +-9e15`);
    expect(message).toContain(`it would become ${silent}`);
  });

  it('a zero written with a huge exponent is still zero, and a large exponent in range is kept', () => {
    expect(valueAt(parseExpression('w + 0e-99999999999999999999'), { w: '2' })).toBe('2');
    expect(valueAt(parseExpression('w * 1e9000000000000000 * 1e-9000000000000000'), { w: '2' })).toBe('2');
  });

  it('through the CLI: exit 2, located', async () => {
    const r = await cli(['run', 'big.yaml'], { 'big.yaml': spec({ yhat: 'w*x*1e-99999999999999999999' }, 'w: 1', '[ { x: 1, y: 1 } ]') });
    expect(r.code).toBe(2);
    expect(r.err).toContain('model.neurons.yhat');
    expect(r.err).toContain('outside the range of exponents');
  });
});

describe('function names', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('%s(x) is an unsupported function, not an Object method', (name) => {
    expect(refusal(`${name}(x)`)).toContain(`unsupported function '${name}'`);
  });
});
