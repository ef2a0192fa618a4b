// The parser of plain arithmetic: names, numbers, + - * / ^, unary signs, parentheses and calls, which is
// all that a spec's equations and every layer's generated neurons are written in. It builds the very tree
// mathjs's parser builds for the same text (the same node classes, fields and constants), and answers
// undefined for anything else (implicit products, other operators, other words, other characters), which
// mathjs then parses as before: mathjs stays the definition, this is a shortcut through it.
//
// Why: mathjs's recursive descent passes each token through some twenty levels of functions, which a
// spec's text meets cold; a dense layer's neurons are thousands of tokens, and the parse was most of
// reading such a spec (and a good part of the command line's start). Held to mathjs's parser on random
// expressions by test/plain-parse.test.ts.
//
// The grammar is mathjs's, cut down to the plain operators (its parseAddSubtract, parseMultiplyDivide,
// parseUnary, parsePow, parseAccessors and parseParentheses):
//   sum     = product (('+' | '-') product)*          left to right, one binary node per operator
//   product = unary (('*' | '/') unary)*              an operand right after an operand is mathjs's
//                                                     implicit product: not ours
//   unary   = ('-' | '+') unary | power
//   power   = operand ('^' unary)?                    right to left: a^b^c is a^(b^c), a^-b allowed
//   operand = number | name | name '(' (sum (',' sum)*)? ')' | '(' sum ')'
// Recursion follows the nesting, which parseExpression bounds (its scan) before anything is parsed.
import { Nodes, bigNumber } from './mathjs.js';
import type { Node } from './build.js';

/** Words mathjs's parser reads as operators or constants, not names. */
const NOT_NAMES = new Set(['mod', 'to', 'in', 'and', 'or', 'xor', 'not', 'true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);

const NUMBER = 1;
const NAME = 2;
const END = 3;
/** An operator or bracket: + - * / ^ ( ) , */
const MARK = 4;

/** Thrown inside the parser when the text leaves plain arithmetic; caught at its entry. */
const NOT_PLAIN: unique symbol = Symbol('not plain arithmetic');

const isDigit = (c: number) => c >= 48 && c <= 57;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNamePart = (c: number) => isNameStart(c) || isDigit(c);

class Tokens {
  kind = END;
  text = '';
  private at = 0;

  constructor(private readonly source: string) {
    this.next();
  }

  next(): void {
    const s = this.source;
    let i = this.at;
    while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
    if (i >= s.length) {
      this.kind = END;
      this.text = '';
      this.at = i;
      return;
    }
    const c = s.charCodeAt(i);
    const start = i;
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      // mathjs's number: digits, a decimal mark, digits, an exponent; a mark that starts .* ./ .^, a
      // trailing mark, a radix prefix and whatever follows the number without a space are left to it.
      while (isDigit(s.charCodeAt(i))) i++;
      if (s.charCodeAt(i) === 46) {
        i++;
        if (!isDigit(s.charCodeAt(i))) throw NOT_PLAIN;
        while (isDigit(s.charCodeAt(i))) i++;
      }
      const e = s.charCodeAt(i);
      if (e === 69 || e === 101) {
        i++;
        if (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) i++;
        if (!isDigit(s.charCodeAt(i))) throw NOT_PLAIN;
        while (isDigit(s.charCodeAt(i))) i++;
      }
      const after = s.charCodeAt(i);
      if (after === 46 || isNamePart(after) || after === 36 || after > 127) throw NOT_PLAIN;
      this.kind = NUMBER;
    } else if (isNameStart(c)) {
      while (isNamePart(s.charCodeAt(i))) i++;
      const after = s.charCodeAt(i);
      // mathjs's names also take $ and letters beyond ASCII; and a name followed by . [ or ?. is
      // accessed, not read.
      if (after === 36 || after > 127 || after === 46 || after === 91 || after === 63) throw NOT_PLAIN;
      this.kind = NAME;
    } else if (c === 43 || c === 45 || c === 42 || c === 47 || c === 94 || c === 40 || c === 41 || c === 44) {
      i++;
      this.kind = MARK;
    } else {
      throw NOT_PLAIN;
    }
    this.text = s.slice(start, i);
    this.at = i;
    if (this.kind === NAME && NOT_NAMES.has(this.text)) throw NOT_PLAIN;
  }

  is(mark: string): boolean {
    return this.kind === MARK && this.text === mark;
  }

  expect(mark: string): void {
    if (!this.is(mark)) throw NOT_PLAIN;
    this.next();
  }
}

/** The tree mathjs's parse(text) builds, when the text is plain arithmetic; undefined otherwise (then
 *  mathjs parses it, and words its errors). */
export function parsePlain(text: string): Node | undefined {
  try {
    const tokens = new Tokens(text);
    const tree = sum(tokens);
    return tokens.kind === END ? tree : undefined;
  } catch (e) {
    if (e === NOT_PLAIN) return undefined;
    throw e;
  }
}

function sum(t: Tokens): Node {
  let node = product(t);
  while (t.is('+') || t.is('-')) {
    const plus = t.text === '+';
    t.next();
    node = plus ? new Nodes.Operator('+', 'add', [node, product(t)]) : new Nodes.Operator('-', 'subtract', [node, product(t)]);
  }
  return node;
}

function product(t: Tokens): Node {
  let node = unary(t);
  for (;;) {
    // An operand right after an operand: mathjs reads an implicit product (or its rule for 2/3x).
    if (t.kind === NUMBER || t.kind === NAME || t.is('(')) throw NOT_PLAIN;
    if (!t.is('*') && !t.is('/')) return node;
    const times = t.text === '*';
    t.next();
    node = times ? new Nodes.Operator('*', 'multiply', [node, unary(t)]) : new Nodes.Operator('/', 'divide', [node, unary(t)]);
  }
}

function unary(t: Tokens): Node {
  if (t.is('-') || t.is('+')) {
    const minus = t.text === '-';
    t.next();
    return minus ? new Nodes.Operator('-', 'unaryMinus', [unary(t)]) : new Nodes.Operator('+', 'unaryPlus', [unary(t)]);
  }
  const base = operand(t);
  if (!t.is('^')) return base;
  t.next();
  return new Nodes.Operator('^', 'pow', [base, unary(t)]);
}

function operand(t: Tokens): Node {
  if (t.kind === NUMBER) {
    const node = new Nodes.Constant(bigNumber(t.text) as never);
    t.next();
    return node;
  }
  if (t.kind === NAME) {
    const name = new Nodes.Symbol(t.text);
    t.next();
    if (!t.is('(')) return name;
    t.next();
    const args: Node[] = [];
    if (!t.is(')')) {
      args.push(sum(t));
      while (t.is(',')) {
        t.next();
        args.push(sum(t));
      }
    }
    t.expect(')');
    // A call's result called again, f(x)(y), is mathjs's implicit product.
    if (t.is('(')) throw NOT_PLAIN;
    // mathjs's parser says `optional: false` of every call it reads (f?.(x) would be true).
    return new (Nodes.Function as unknown as new (fn: Node, args: Node[], optional: boolean) => Node)(name, args, false);
  }
  if (t.is('(')) {
    t.next();
    const inner = sum(t);
    t.expect(')');
    return new Nodes.Parenthesis(inner);
  }
  throw NOT_PLAIN;
}
