// Parses expression text into a tree and accepts only plain arithmetic: numeric constants, names,
// parentheses, + - * / ^ (and unary - +), and calls of the functions in functions.ts. Everything else
// the mathjs grammar can express (assignment, property access, matrices, strings, ranges, conditionals,
// function definitions...) is rejected here, before anything is evaluated.
//
// Nesting is bounded before anything recurses over it. mathjs parses parentheses, calls, unary signs
// and powers by recursion, so the text is scanned for how deep those go before it is parsed; chains of
// + and * are parsed in a loop, and are made single n-ary nodes here (a sum of 10,000 terms is one node
// with 10,000 arguments, not 10,000 nested ones), so that nothing downstream recurses once per term.
// Subtraction cannot be n-ary: a chain of them stays nested and its depth is measured after parsing.
import { Nodes, parse as mathParse } from './mathjs.js';
import { parsePlain } from './plain-parse.js';
import { constant, div, symbol, unwrap, type Node } from './build.js';
import { FUNCTIONS } from './functions.js';
import { didYouMean } from '../text/did-you-mean.js';
import { DEFAULT_LIMITS, overLimitMessage, type Limits } from '../limits/limits.js';
import { literalProblem } from '../numeric/literal.js';
import { argsOf, calleeOf, childrenOf, constantText, contentOf, operatorFn, operatorSymbol, symbolName } from './tree.js';

/** A problem with one expression's text. The caller knows where the text came from and locates it;
 *  `limit` names the limit it exceeds, when that is what is wrong. */
export class ExpressionError extends Error {
  constructor(message: string, readonly limit?: keyof Limits) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** The default length limit (limits.expressionChars). */
export const MAX_EXPRESSION_LENGTH = DEFAULT_LIMITS.expressionChars;
/** What parseExpression is bounded by; omitted ones take their defaults. */
export type ExpressionLimits = Partial<Pick<Limits, 'expressionChars' | 'expressionDepth'>> & {
  /** The entries of a vector a spec names (a param list w: [..] is w_1, w_2, ...), for dot(w, x). */
  vectorOf?: (name: string) => string[] | undefined;
};

/**
 * The deepest nesting allowed whatever the limit says. Every walker of a tree (checks, differentiation,
 * evaluation, the printers, mathjs's own toString and transform) recurses once per level, and some of
 * them several frames deep: past this, a raised --max-expression-depth would trade the clear refusal for
 * a stack overflow. (mathjs's parser itself gives out earlier for parentheses, about 250 levels; that is
 * caught and refused with the same message.)
 */
export const MAX_SAFE_DEPTH = 1000;

const OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus']);
/** Names a user cannot give a quantity: the functions, and mathjs's word operators. */
export const RESERVED_NAMES = new Set([...Object.keys(FUNCTIONS), 'mod', 'to', 'in', 'and', 'or', 'not', 'xor', 'end']);

const NODE_WORDS: Record<string, string> = {
  AssignmentNode: 'assignment', FunctionAssignmentNode: 'function definition', AccessorNode: 'property or index access',
  IndexNode: 'indexing', ArrayNode: 'matrix or array', ObjectNode: 'object', RangeNode: 'range', BlockNode: 'several statements',
  ConditionalNode: 'conditional (?:)', RelationalNode: 'comparison',
};

export function parseExpression(text: string, limits: ExpressionLimits = {}): Node {
  const maxChars = limits.expressionChars ?? DEFAULT_LIMITS.expressionChars;
  const maxDepth = Math.min(limits.expressionDepth ?? DEFAULT_LIMITS.expressionDepth, MAX_SAFE_DEPTH);
  if (text.length > maxChars) {
    throw new ExpressionError(overLimitMessage('expressionChars', `an expression of ${text.length.toLocaleString('en-US')} characters`, maxChars), 'expressionChars');
  }
  if (text.trim() === '') throw new ExpressionError('empty expression');
  // Before mathjs sees the text: how deep its recursive descent would go, and every numeric literal.
  const scanned = scan(text);
  if (scanned.depth > maxDepth) throw tooDeep(scanned.depth, maxDepth, limits);
  let tree: Node;
  try {
    // Plain arithmetic (every layer's neurons, most equations) by the short parser, which builds
    // mathjs's own tree for it; anything else by mathjs.
    tree = parsePlain(text) ?? mathParse(text);
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw tooDeep(scanned.depth, maxDepth, limits, true);
    throw new ExpressionError(`cannot parse '${text}': ${(e as Error).message}`);
  }
  tree = flattenChains(tree);
  const depth = depthOf(tree);
  if (depth > maxDepth) throw tooDeep(depth, maxDepth, limits);
  // Each expansion rebuilds the whole tree (mathjs's transform copies every node), which for the long
  // sums of a dense layer is most of reading it: skipped when the text cannot call what it expands.
  // (A `?` keeps the copy: it drops the optional-call flag of `f?.(x)`, as it always has.)
  const copies = text.includes('?');
  if (copies || text.includes('sum') || text.includes('mean')) tree = expandIndexSums(tree, text);
  if (copies || text.includes('dot')) tree = expandDots(tree, text, limits.vectorOf);
  check(tree, text);
  return tree;
}

/** The number of nodes of a tree, counted with an explicit stack. */
function sizeOf(tree: Node): number {
  let n = 0;
  const stack = [tree];
  while (stack.length) {
    n++;
    stack.push(...childrenOf(stack.pop()!));
  }
  return n;
}

/** Most nodes the index sums of one expression may write in all (each copy of a body counts its size). */
export const MAX_INDEX_TERMS = 100_000;

/**
 * sum(body, i, a, b) and mean(body, i, a, b): the body written out for i = a..b, as a course writes
 * sum_{i=1}^{3} w_i x_i. In the body, i stands for its value, and so does every `_i` part of a name
 * (x_i is x_1, x_2, ...; W1_j_i is W1_2_1 when j = 2, i = 1), so a tensor's entries (W1_j_i of a dense
 * layer, conv_weight_0_0_i_j of a torch one) are reached by index. Expanded when the expression is read,
 * so everything after sees plain sums; inner sums are written out first.
 */
function expandIndexSums(tree: Node, text: string): Node {
  let written = 0;
  return tree.transform(function expand(node: Node): Node {
    if (node.type !== 'FunctionNode') return node;
    const name = symbolName(calleeOf(node));
    if (name !== 'sum' && name !== 'mean') return node;
    const args = argsOf(node);
    const usage = `${name}(body, i, first, last), e.g. ${name}(w_i * x_i, i, 1, 3)`;
    if (args.length !== 4) throw new ExpressionError(`${name} takes 4 arguments, ${usage}, in '${text}'`);
    const [body, index, from, to] = args.map(unwrap) as [Node, Node, Node, Node];
    if (index.type !== 'SymbolNode') throw new ExpressionError(`${name}'s second argument is the index's name: ${usage}, in '${text}'`);
    const bound = (b: Node, which: string) => {
      const v = b.type === 'ConstantNode' ? constantText(b) : '';
      if (!/^\d{1,6}$/.test(v)) throw new ExpressionError(`${name}'s ${which} index is a whole number (0 or more): ${usage}, in '${text}'`);
      return Number(v);
    };
    const [first, last] = [bound(from, 'first'), bound(to, 'last')];
    if (last < first) throw new ExpressionError(`${name} runs from ${first} to ${last}: the last index comes before the first, in '${text}'`);
    const i = symbolName(index);
    // The body's own sums first, so that their indices are written out before this one is.
    const inner = args[0]!.transform(expand);
    const size = sizeOf(inner);
    const terms: Node[] = [];
    for (let k = first; k <= last; k++) {
      if ((written += size) > MAX_INDEX_TERMS) throw new ExpressionError(`the index sums of '${text}' write more than ${MAX_INDEX_TERMS.toLocaleString('en-US')} terms`);
      terms.push(inner.transform((n: Node, path: string) => {
        if (n.type !== 'SymbolNode' || path === 'fn') return n;
        const s = symbolName(n);
        if (s === i) return constant(k);
        const parts = s.split('_');
        return parts.includes(i) && parts[0] !== i ? symbol(parts.map((p, j) => (j > 0 && p === i ? String(k) : p)).join('_')) : n;
      }));
    }
    const total: Node = terms.length === 1 ? terms[0]! : new Nodes.Operator('+', 'add', terms.map((t) => (t.type === 'OperatorNode' && operatorFn(t) === 'add' ? new Nodes.Parenthesis(t) : t)));
    const grouped: Node = new Nodes.Parenthesis(total);
    return name === 'sum' ? grouped : div(grouped, constant(last - first + 1));
  });
}

/**
 * dot(a, b): the sum of the products of two vectors' entries, written out when read, as w . x or w^T x
 * is written out by hand. Each argument is a list [e1, ..., en] of expressions or the name of a vector
 * the spec defines (a param given as a list, w: [..] is w_1..w_n; a matrix row W_2 is W_2_1..W_2_n;
 * x_0..x_n of a torch-style tensor; inputs x1..xn). Both must have the same number of entries.
 */
function expandDots(tree: Node, text: string, vectorOf: ExpressionLimits['vectorOf']): Node {
  let written = 0;
  const usage = 'dot(a, b) with a and b lists [a1, ..., an] or names of vectors (a param given as a list)';
  return tree.transform(function expand(node: Node): Node {
    if (node.type !== 'FunctionNode' || symbolName(calleeOf(node)) !== 'dot') return node;
    const args = argsOf(node);
    if (args.length !== 2) throw new ExpressionError(`dot takes 2 arguments, ${usage}, in '${text}'`);
    const entries = args.map((a) => {
      const arg = unwrap(a);
      if (arg.type === 'ArrayNode') {
        const items = (arg as unknown as { items: Node[] }).items;
        if (items.some((i) => i.type === 'ArrayNode')) throw new ExpressionError(`dot multiplies vectors, not matrices: ${usage}, in '${text}'`);
        return items.map((i) => i.transform(expand));
      }
      if (arg.type === 'SymbolNode') {
        const names = vectorOf?.(symbolName(arg));
        if (!names || names.length === 0) throw new ExpressionError(`dot: '${symbolName(arg)}' is not a vector the spec defines (a param given as a list, or entries ${symbolName(arg)}_1, ${symbolName(arg)}_2, ...); ${usage}, in '${text}'`);
        return names.map((n) => symbol(n));
      }
      throw new ExpressionError(`dot's arguments are lists or names of vectors: ${usage}, in '${text}'`);
    }) as [Node[], Node[]];
    const [a, b] = entries;
    if (a.length !== b.length) throw new ExpressionError(`dot of vectors of ${a.length} and ${b.length} entries: they must have as many, in '${text}'`);
    if (a.length === 0) throw new ExpressionError(`dot of empty vectors in '${text}'`);
    if ((written += a.length) > MAX_INDEX_TERMS) throw new ExpressionError(`the dot products of '${text}' write more than ${MAX_INDEX_TERMS.toLocaleString('en-US')} terms`);
    const factor = (t: Node) => (t.type === 'OperatorNode' && ['add', 'subtract', 'unaryMinus'].includes(operatorFn(t)) ? new Nodes.Parenthesis(t) : t);
    const terms = a.map((x, k) => new Nodes.Operator('*', 'multiply', [factor(x), factor(b[k]!)]) as Node);
    return new Nodes.Parenthesis(terms.length === 1 ? terms[0]! : new Nodes.Operator('+', 'add', terms));
  });
}

function tooDeep(depth: number, max: number, limits: ExpressionLimits, parserGaveOut = false): ExpressionError {
  const levels = 'each parenthesis, call, unary sign, power and subtraction in a chain is a level';
  if (parserGaveOut) {
    return new ExpressionError(`an expression nested too deeply to parse (${depth.toLocaleString('en-US')} levels of parentheses, calls, signs and powers): ` +
      'split it into neurons of their own', 'expressionDepth');
  }
  const asked = limits.expressionDepth ?? DEFAULT_LIMITS.expressionDepth;
  if (asked > MAX_SAFE_DEPTH && max === MAX_SAFE_DEPTH) {
    return new ExpressionError(`an expression nested ${depth.toLocaleString('en-US')} levels deep (${levels}): more than ` +
      `${MAX_SAFE_DEPTH.toLocaleString('en-US')}, the deepest this program handles whatever the limit; split it into neurons of their own`, 'expressionDepth');
  }
  return new ExpressionError(overLimitMessage('expressionDepth', `an expression nested ${depth.toLocaleString('en-US')} levels deep (${levels})`, max), 'expressionDepth');
}

const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME_START = /[\p{L}_$]/u;
const NAME_PART = /[\p{L}\p{N}_$]/u;
/** mathjs's word operators that stand between two operands. */
const BINARY_WORDS = new Set(['mod', 'to', 'in', 'and', 'or', 'xor']);

/**
 * A linear scan of the text, without recursion: the deepest nesting mathjs's recursive descent would
 * reach (each open bracket or call, and within one operand each prefix sign and each `^`, is a level;
 * a binary operator ends the operand), and each numeric literal checked against the exponent range
 * (outside it, decimal arithmetic would read it as Infinity or 0 without a word).
 * The count never exceeds the depth of the tree mathjs would build (each level it counts is a node of
 * that tree on one path from the root), so the limit can be checked on it without refusing anything
 * the tree's own depth would allow. `?` and `=` (which mathjs also parses by recursion, and which are
 * refused anyway) count without ever being reset.
 */
function scan(text: string): { depth: number } {
  let max = 0;
  // Per open bracket: where it starts, `?`/`=` seen in it, and the prefix signs and powers of the
  // current operand.
  const outer: Array<{ base: number; sticky: number; chain: number }> = [];
  let base = 0, sticky = 0, chain = 0;
  let afterOperand = false; // an operand just ended: + - are binary, and a new operand multiplies implicitly
  let afterName = false; // ... and it was a name: a `(` calls it
  const reach = () => { const d = base + sticky + chain; if (d > max) max = d; };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') { i++; continue; }
    if ((ch >= '0' && ch <= '9') || (ch === '.' && text[i + 1]! >= '0' && text[i + 1]! <= '9')) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)![0];
      const problem = literalProblem(literal);
      if (problem) throw new ExpressionError(problem);
      if (afterOperand) chain = 0;
      afterOperand = true; afterName = false;
      i += literal.length;
      continue;
    }
    if (NAME_START.test(ch)) {
      let j = i + 1;
      while (j < n && NAME_PART.test(text[j]!)) j++;
      const word = text.slice(i, j);
      i = j;
      if (afterOperand && BINARY_WORDS.has(word)) { chain = 0; afterOperand = false; afterName = false; continue; }
      if (!afterOperand && word === 'not') { chain++; reach(); continue; }
      if (afterOperand) chain = 0;
      afterOperand = true; afterName = true;
      continue;
    }
    i++;
    switch (ch) {
      case '(': case '[': case '{':
        if (afterOperand && !afterName) chain = 0; // (a)(b), 2(x): an implicit product, not a call
        outer.push({ base, sticky, chain });
        base = base + sticky + chain + 1;
        sticky = 0; chain = 0;
        reach();
        afterOperand = false; afterName = false;
        break;
      case ')': case ']': case '}': {
        const o = outer.pop();
        if (o) ({ base, sticky, chain } = o);
        afterOperand = true; afterName = false;
        break;
      }
      case '"': case "'":
        if (ch === "'" && afterOperand) break; // a transpose; refused later
        // A string (refused later): its brackets are not brackets.
        while (i < n && text[i] !== ch) i += text[i] === '\\' ? 2 : 1;
        i++;
        afterOperand = true; afterName = false;
        break;
      case '^':
        chain++; reach();
        afterOperand = false; afterName = false;
        break;
      case '+': case '-':
        if (afterOperand) chain = 0;
        else { chain++; reach(); }
        afterOperand = false; afterName = false;
        break;
      case '!':
        if (text[i] === '=') { i++; chain = 0; afterOperand = false; }
        break; // a factorial: the operand goes on
      case '?':
        sticky++; reach();
        afterOperand = false; afterName = false;
        break;
      case '=':
        if (text[i] === '=') i++;
        else { sticky++; reach(); }
        chain = 0;
        afterOperand = false; afterName = false;
        break;
      case '.':
        if (text[i] === '^') { i++; chain++; reach(); }
        else if (text[i] === '*' || text[i] === '/') { i++; chain = 0; }
        afterOperand = false; afterName = false;
        break;
      default: // * / , ; : % & | < > and anything mathjs will refuse
        chain = 0;
        afterOperand = false; afterName = false;
    }
  }
  return { depth: max };
}

type Chain = { type: string; fn: string; args: Node[]; isPercentage?: boolean };
const isChain = (n: Node, fn: string) => n.type === 'OperatorNode' && (n as unknown as Chain).fn === fn && (n as unknown as Chain).args.length >= 2;

/**
 * Makes every left-nested chain of + (and of *) one n-ary node: ((a + b) + c) + d becomes a + b + c + d
 * with four arguments, evaluated left to right exactly as the chain was. Only the left spine is
 * gathered: a + (b + c) rounds differently and keeps its shape. The tree is fresh from the parser and
 * owned here, so its nodes are updated in place, by an explicit stack rather than recursion.
 */
function flattenChains(root: Node): Node {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'OperatorNode') {
      const op = node as unknown as Chain;
      if ((op.fn === 'add' || op.fn === 'multiply') && !op.isPercentage && isChain(op.args[0]!, op.fn)) {
        const spine: Chain[] = [op];
        let left = op.args[0]!;
        while (isChain(left, op.fn)) {
          spine.push(left as unknown as Chain);
          left = (left as unknown as Chain).args[0]!;
        }
        const args = [...spine[spine.length - 1]!.args];
        for (let k = spine.length - 2; k >= 0; k--) for (const a of spine[k]!.args.slice(1)) args.push(a);
        op.args = args;
      }
    }
    node.forEach((child: Node) => { stack.push(child); });
  }
  return root;
}

/** The depth of a tree (a name or a number is 0, -x is 1), without recursion. */
export function depthOf(root: Node): number {
  let max = 0;
  const stack: Array<[Node, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [node, d] = stack.pop()!;
    if (d > max) max = d;
    node.forEach((child: Node) => { stack.push([child, d + 1]); });
  }
  return max;
}

function check(node: Node, text: string): void {
  switch (node.type) {
    case 'ConstantNode': {
      const v = (node as unknown as { value: unknown }).value as unknown as { isFinite?: () => boolean } | unknown;
      const isNumber = typeof v === 'object' && v !== null && (v as unknown as { constructor?: { isDecimal?: boolean } }).constructor?.isDecimal;
      if (!isNumber) throw new ExpressionError(`only numbers may appear as constants in '${text}'`);
      if (!(v as unknown as { isFinite: () => boolean }).isFinite()) throw new ExpressionError(`constant is not finite in '${text}'`);
      return;
    }
    case 'SymbolNode':
      return;
    case 'ParenthesisNode':
      return check(contentOf(node), text);
    case 'OperatorNode': {
      const fn = operatorFn(node);
      const op = operatorSymbol(node);
      const args = argsOf(node);
      if (!OPERATORS.has(fn)) throw new ExpressionError(`operator '${op}' is not allowed in '${text}' (use + - * / ^)`);
      args.forEach((a) => check(a, text));
      if (fn === 'pow') checkExponent(args[1]!, text);
      return;
    }
    case 'FunctionNode': {
      const f = { fn: calleeOf(node), args: argsOf(node) };
      if (f.fn.type !== 'SymbolNode') throw new ExpressionError(`only named functions may be called in '${text}'`);
      const name = symbolName(f.fn);
      const rule = FUNCTIONS[name];
      if (!rule) {
        throw new ExpressionError(`unsupported function '${name}'${didYouMean(name, Object.keys(FUNCTIONS))} in '${text}'; available: ${Object.keys(FUNCTIONS).join(', ')}`);
      }
      const [min, max] = rule.arity;
      if (f.args.length < min || f.args.length > max) {
        const want = min === max ? `${min}` : `${min} or ${max}`;
        throw new ExpressionError(`${name} takes ${want} argument${max === 1 ? '' : 's'}, got ${f.args.length} in '${text}'`);
      }
      f.args.forEach((a) => check(a, text));
      const problem = rule.checkArgs?.(f.args);
      if (problem) throw new ExpressionError(`${problem} in '${text}'`);
      return;
    }
  }
  throw new ExpressionError(`${NODE_WORDS[node.type] ?? node.type} is not allowed in '${text}': only arithmetic on names and numbers`);
}

/** A tower of powers (9^9^9^9) is a denial of service, not a network: exponents may not themselves be powers
 *  of constants, and a constant exponent is bounded. */
function checkExponent(exponent: Node, text: string): void {
  const e = unwrap(exponent);
  if (e.type === 'ConstantNode') {
    const v = (e as unknown as { value: { abs: () => { gt: (n: number) => boolean } } }).value;
    if (v.abs().gt(10_000)) throw new ExpressionError(`exponent too large in '${text}' (at most 10000 in size)`);
  }
  if (e.type === 'OperatorNode' && operatorFn(e) === 'pow') {
    throw new ExpressionError(`a power of a power is not allowed in '${text}': write the exponent out, or use parentheses on the base`);
  }
}
