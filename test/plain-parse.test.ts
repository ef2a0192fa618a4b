// The short parser of plain arithmetic (symbolic/plain-parse.ts) against mathjs's parser, which defines
// what a text means: on every text it takes, it builds mathjs's tree exactly (node classes, operators,
// functions, flags, constants' values and classes), and it leaves to mathjs every text that is not
// plain arithmetic. Random expressions from a grammar of plain arithmetic (which it must take) and from
// one that mixes in what mathjs also reads (implicit products, %, !, words, strings, accessors...).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse as mathParse, type MathNode } from '../src/symbolic/mathjs.js';
import { parsePlain } from '../src/symbolic/plain-parse.js';
import { parseExpression } from '../src/symbolic/parse.js';

/** Everything of a node that anything downstream can see: its class, its fields, a constant's value
 *  and class (a BigNumber made from the literal's text), in order. */
function shape(n: MathNode): unknown {
  const node = n as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type: n.type, class: n.constructor.name };
  for (const key of Object.keys(node).sort()) {
    const v = node[key];
    if (key === 'args') out.args = (v as MathNode[]).map(shape);
    else if (key === 'content' || key === 'fn') out[key] = typeof v === 'object' && v !== null && 'type' in v ? shape(v as MathNode) : v;
    else if (key === 'value') out.value = { text: String(v), class: (v as object)?.constructor?.name, isBigNumber: (v as { isBigNumber?: boolean })?.isBigNumber };
    else out[key] = v;
  }
  return out;
}

const same = (text: string) => {
  const ours = parsePlain(text);
  if (ours === undefined) return 'left to mathjs';
  expect(shape(ours)).toEqual(shape(mathParse(text)));
  expect(ours.equals(mathParse(text))).toBe(true);
  return 'taken';
};

const space = fc.constantFrom('', '', ' ', '  ', '\t');
const number = fc.oneof(
  fc.nat({ max: 1000 }).map(String),
  fc.tuple(fc.nat({ max: 99 }), fc.nat({ max: 9999 })).map(([a, b]) => `${a}.${b}`),
  fc.nat({ max: 999 }).map((b) => `.${b}`),
  fc.tuple(fc.nat({ max: 99 }), fc.constantFrom('e', 'E', 'e-', 'e+', 'E-'), fc.nat({ max: 400 })).map(([a, e, x]) => `${a}${e}${x}`),
  fc.constantFrom('0', '00012', '1e0', '0.000', '123456789012345678901234567890.5'),
);
const name = fc.oneof(
  fc.constantFrom('x', 'w1', 'W1_2_3', 'h2_10', 'b', '_t', 'pi', 'e', 'relu', 'tanh', 'xy_z9'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/).filter((s) => !['mod', 'to', 'in', 'and', 'or', 'xor', 'not', 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity'].includes(s)),
);

/** Plain arithmetic, as specs and layers write it: the short parser must take every one of these. */
const plain = fc.letrec<{ expr: string; operand: string }>((tie) => ({
  operand: fc.oneof(
    { weight: 4, arbitrary: number },
    { weight: 5, arbitrary: name },
    { weight: 2, arbitrary: fc.tuple(name, fc.array(tie('expr'), { maxLength: 3 })).map(([f, args]) => `${f}(${args.join(', ')})`) },
    { weight: 2, arbitrary: tie('expr').map((e) => `(${e})`) },
  ),
  expr: fc.oneof(
    { depthSize: 'small' },
    { weight: 3, arbitrary: tie('operand') },
    { weight: 3, arbitrary: fc.tuple(tie('expr'), space, fc.constantFrom('+', '-', '*', '/', '^'), space, tie('operand')).map((p) => p.join('')) },
    { weight: 2, arbitrary: fc.tuple(tie('operand'), space, fc.constantFrom('+', '-', '*', '/', '^'), space, tie('expr')).map((p) => p.join('')) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('-', '+', '- ', '--', '-+'), tie('operand')).map((p) => p.join('')) },
  ),
})).expr;

/** Plain arithmetic with something else spliced in: whatever mathjs makes of it, the short parser
 *  either builds the same tree or leaves it to mathjs. */
const other = fc.constantFrom(
  ' x', '2', '(y)', '%', '!', "'", ' mod 3', ' in 2', 'true', ' NaN', '"s"', '[1]', '.a', '?.b', ' ? 1 : 2', '.*x', './2', '.^2', '2x', '\n',
  '#c', '$', 'é', ' == 1', ' < 2', ':3', ';', ',', ')', '(', '0x1F', '2.', '1e', '1e+', '3.e2', ' not y', '(1)(2)', 'f(1)(2)', '\u00a0', '&1', ' to cm',
);
const mixed = fc.tuple(plain, fc.nat(), other).map(([text, at, insert]) => {
  const i = at % (text.length + 1);
  return text.slice(0, i) + insert + text.slice(i);
});

describe('the short parser of plain arithmetic', () => {
  it('builds the very tree mathjs builds for every plain expression, and takes them all', () => {
    fc.assert(fc.property(plain, (text) => {
      expect(same(text)).toBe('taken');
    }), { numRuns: 3000 });
  });

  it('on anything else builds the same tree or leaves the text to mathjs', () => {
    let taken = 0;
    let left = 0;
    fc.assert(fc.property(mixed, (text) => {
      let mathjsThrows = false;
      try {
        mathParse(text);
      } catch {
        mathjsThrows = true;
      }
      const outcome = mathjsThrows ? (parsePlain(text) === undefined ? 'left to mathjs' : 'taken') : same(text);
      // What mathjs refuses, this never accepts.
      if (mathjsThrows) expect(outcome).toBe('left to mathjs');
      if (outcome === 'taken') taken++;
      else left++;
    }), { numRuns: 3000 });
    // Both kinds occur: the splices are not all harmless, nor all refused.
    expect(taken).toBeGreaterThan(100);
    expect(left).toBeGreaterThan(1000);
  });

  it('reads precedence and associativity as mathjs does (by hand)', () => {
    // The tree as nested calls of the operators' functions.
    const nested = (n: MathNode): string => {
      const node = n as unknown as { fn?: string | MathNode; args?: MathNode[]; name?: string; content?: MathNode; value?: unknown };
      if (n.type === 'OperatorNode') return `${node.fn as string}(${node.args!.map(nested).join(', ')})`;
      if (n.type === 'ParenthesisNode') return `(${nested(node.content!)})`;
      if (n.type === 'FunctionNode') return `${(node.fn as unknown as { name: string }).name}[${node.args!.map(nested).join(', ')}]`;
      return n.type === 'SymbolNode' ? node.name! : String(node.value);
    };
    const cases: Array<[string, string]> = [
      ['-a^b', 'unaryMinus(pow(a, b))'],
      ['a^-b', 'pow(a, unaryMinus(b))'],
      ['a^b^c', 'pow(a, pow(b, c))'],
      ['a - b - c', 'subtract(subtract(a, b), c)'],
      ['a / b * c', 'multiply(divide(a, b), c)'],
      ['-a * b', 'multiply(unaryMinus(a), b)'],
      ['2^3 * 4 + 5', 'add(multiply(pow(2, 3), 4), 5)'],
      ['f(x, -(y))^2', 'pow(f[x, unaryMinus((y))], 2)'],
    ];
    for (const [text, tree] of cases) {
      expect(same(text)).toBe('taken');
      expect(nested(parsePlain(text)!)).toBe(tree);
    }
    expect(parsePlain('2x')).toBeUndefined();
    expect(parsePlain('a mod b')).toBeUndefined();
    expect(parsePlain('f(x)(y)')).toBeUndefined();
  });

  it('leaves the errors to mathjs: the same messages as before', () => {
    expect(() => parseExpression('a +')).toThrow(/cannot parse 'a \+': Unexpected end of expression/);
    expect(() => parseExpression('(a')).toThrow(/Parenthesis \) expected/);
  });
});
