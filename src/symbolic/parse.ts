// Parses expression text into a tree and accepts only plain arithmetic: numeric constants, names,
// parentheses, + - * / ^ (and unary - +), and calls of the functions in functions.ts. Everything else
// the mathjs grammar can express (assignment, property access, matrices, strings, ranges, conditionals,
// function definitions...) is rejected here, before anything is evaluated.
import { parse as mathParse } from './mathjs.js';
import { unwrap, type Node } from './build.js';
import { FUNCTIONS } from './functions.js';
import { didYouMean } from '../spec/errors.js';

export class ExpressionError extends Error {}

export const MAX_EXPRESSION_LENGTH = 20_000;
const OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus']);
/** Names a user cannot give a quantity: the functions, and mathjs's word operators. */
export const RESERVED_NAMES = new Set([...Object.keys(FUNCTIONS), 'mod', 'to', 'in', 'and', 'or', 'not', 'xor', 'end']);

const NODE_WORDS: Record<string, string> = {
  AssignmentNode: 'assignment', FunctionAssignmentNode: 'function definition', AccessorNode: 'property or index access',
  IndexNode: 'indexing', ArrayNode: 'matrix or array', ObjectNode: 'object', RangeNode: 'range', BlockNode: 'several statements',
  ConditionalNode: 'conditional (?:)', RelationalNode: 'comparison',
};

export function parseExpression(text: string): Node {
  if (text.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  if (text.trim() === '') throw new ExpressionError('empty expression');
  let tree: Node;
  try {
    tree = mathParse(text);
  } catch (e) {
    throw new ExpressionError(`cannot parse '${text}': ${(e as Error).message}`);
  }
  check(tree, text);
  return tree;
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
      return check((node as unknown as { content: Node }).content, text);
    case 'OperatorNode': {
      const { fn, op, args } = node as unknown as { fn: string; op: string; args: Node[] };
      if (!OPERATORS.has(fn)) throw new ExpressionError(`operator '${op}' is not allowed in '${text}' (use + - * / ^)`);
      args.forEach((a) => check(a, text));
      if (fn === 'pow') checkExponent(args[1]!, text);
      return;
    }
    case 'FunctionNode': {
      const f = node as unknown as { fn: Node; args: Node[] };
      if (f.fn.type !== 'SymbolNode') throw new ExpressionError(`only named functions may be called in '${text}'`);
      const name = (f.fn as unknown as { name: string }).name;
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
  if (e.type === 'OperatorNode' && (e as unknown as { fn: string }).fn === 'pow') {
    throw new ExpressionError(`a power of a power is not allowed in '${text}': write the exponent out, or use parentheses on the base`);
  }
}
