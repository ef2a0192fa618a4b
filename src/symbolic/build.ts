// Smart constructors for expression trees. Derivatives are built through these so that they read like
// a hand calculation (no `1 * x`, `x + 0`, `w ^ (2 - 1)`), without ever calling mathjs simplify:
// constants are folded here with exact decimal arithmetic, and only + - * and integer powers are folded
// (a quotient such as 1/3 stays a quotient, so nothing is rounded).
import Decimal from 'decimal.js';
import { ExactDecimal } from '../numeric/context.js';
import { Nodes, type MathNode } from './mathjs.js';

export type Node = MathNode;

export function constant(value: Decimal.Value): Node {
  return new Nodes.Constant(new ExactDecimal(value) as never);
}
export function symbol(name: string): Node {
  return new Nodes.Symbol(name);
}
export function call(name: string, args: Node[]): Node {
  return new Nodes.Function(new Nodes.Symbol(name), args);
}

/** The exact value of a numeric constant node, or undefined for anything else. */
export function constantValue(n: Node): Decimal | undefined {
  const node = unwrap(n);
  if (node.type === 'ConstantNode') return new ExactDecimal(String((node as unknown as { value: unknown }).value));
  if (node.type === 'OperatorNode' && (node as unknown as { fn: string }).fn === 'unaryMinus') {
    const inner = constantValue((node as unknown as { args: Node[] }).args[0]!);
    return inner?.neg();
  }
  return undefined;
}
const isConst = (n: Node, v: number) => constantValue(n)?.eq(v) ?? false;
export const isZero = (n: Node) => isConst(n, 0);
export const isOne = (n: Node) => isConst(n, 1);

export function unwrap(n: Node): Node {
  let node = n;
  while (node.type === 'ParenthesisNode') node = (node as unknown as { content: Node }).content;
  return node;
}

function op(o: string, fn: string, args: Node[]): Node {
  return new Nodes.Operator(o as never, fn as never, args as never);
}

export function neg(a: Node): Node {
  const c = constantValue(a);
  if (c) return constant(c.neg());
  const u = unwrap(a);
  if (u.type === 'OperatorNode' && (u as unknown as { fn: string }).fn === 'unaryMinus') return (u as unknown as { args: Node[] }).args[0]!;
  return op('-', 'unaryMinus', [a]);
}

export function add(a: Node, b: Node): Node {
  const ca = constantValue(a), cb = constantValue(b);
  if (ca && cb) return constant(ca.plus(cb));
  if (ca?.isZero()) return b;
  if (cb?.isZero()) return a;
  if (cb?.isNegative()) return op('-', 'subtract', [a, constant(cb.neg())]);
  const ub = unwrap(b);
  if (ub.type === 'OperatorNode' && (ub as unknown as { fn: string }).fn === 'unaryMinus') return sub(a, (ub as unknown as { args: Node[] }).args[0]!);
  return op('+', 'add', [a, b]);
}

export function sub(a: Node, b: Node): Node {
  const ca = constantValue(a), cb = constantValue(b);
  if (ca && cb) return constant(ca.minus(cb));
  if (cb?.isZero()) return a;
  if (ca?.isZero()) return neg(b);
  if (cb?.isNegative()) return op('+', 'add', [a, constant(cb.neg())]);
  return op('-', 'subtract', [a, b]);
}

export function mul(a: Node, b: Node): Node {
  const ca = constantValue(a), cb = constantValue(b);
  if (ca && cb) return constant(ca.times(cb));
  if (ca?.isZero() || cb?.isZero()) return constant(0);
  if (ca?.eq(1)) return b;
  if (cb?.eq(1)) return a;
  if (ca?.eq(-1)) return neg(b);
  if (cb?.eq(-1)) return neg(a);
  // A constant factor reads best in front: 2 * lambda * w1, not lambda * w1 * 2.
  if (cb && !ca) return mul(b, a);
  // Pull a unary minus out of a product: -(a) * b reads as -(a * b).
  const ua = unwrap(a), ub = unwrap(b);
  // And a constant out of the right factor: lambda * (2 * w1) reads as 2 * lambda * w1, and
  // c * (2 * w) folds to (2c) * w.
  if (ub.type === 'OperatorNode' && (ub as unknown as { fn: string }).fn === 'multiply') {
    const [b0, b1] = (ub as unknown as { args: [Node, Node] }).args;
    const cb0 = constantValue(b0);
    if (cb0) return ca ? mul(constant(ca.times(cb0)), b1) : mul(mul(b0, a), b1);
  }
  if (ua.type === 'OperatorNode' && (ua as unknown as { fn: string }).fn === 'unaryMinus') return neg(mul((ua as unknown as { args: Node[] }).args[0]!, b));
  if (ub.type === 'OperatorNode' && (ub as unknown as { fn: string }).fn === 'unaryMinus') return neg(mul(a, (ub as unknown as { args: Node[] }).args[0]!));
  return op('*', 'multiply', [a, b]);
}

export function div(a: Node, b: Node): Node {
  if (isZero(a)) return constant(0);
  if (isOne(b)) return a;
  return op('/', 'divide', [a, b]);
}

export function pow(a: Node, b: Node): Node {
  const cb = constantValue(b);
  if (cb?.isZero()) return constant(1);
  if (cb?.eq(1)) return a;
  const ca = constantValue(a);
  if (ca && cb && cb.isInteger() && cb.abs().lte(64) && cb.gte(0)) return constant(ca.pow(cb));
  return op('^', 'pow', [a, b]);
}

/** Sum of many terms, dropping zeros. */
export function sum(terms: Node[]): Node {
  return terms.reduce<Node>((acc, t) => add(acc, t), constant(0));
}

/** Names of the symbols a tree depends on (function names excluded). */
export function symbolsOf(n: Node, out = new Set<string>()): Set<string> {
  n.traverse((node: Node, _path: string, parent: Node | null) => {
    if (node.type === 'SymbolNode') {
      const isFnName = parent?.type === 'FunctionNode' && (parent as unknown as { fn: Node }).fn === node;
      if (!isFnName) out.add((node as unknown as { name: string }).name);
    }
  });
  return out;
}

/** Whether a tree uses a symbol. Differentiation asks this at every level of a tree, so each subtree's
 *  symbols are collected once and kept with it (trees are never mutated, only rebuilt): a sum of k
 *  terms costs O(k) to ask about, not O(k) per level. */
export function dependsOn(n: Node, name: string): boolean {
  return symbolSet(n).has(name);
}

const symbolSets = new WeakMap<Node, ReadonlySet<string>>();
const NO_SYMBOLS: ReadonlySet<string> = new Set();
function symbolSet(node: Node): ReadonlySet<string> {
  const known = symbolSets.get(node);
  if (known) return known;
  const n = node as unknown as { type: string; name: string; args?: Node[]; content?: Node };
  let set: ReadonlySet<string>;
  if (n.type === 'SymbolNode') set = new Set([n.name]);
  else if (n.type === 'ConstantNode') set = NO_SYMBOLS;
  else if ((n.type === 'OperatorNode' || n.type === 'FunctionNode') && n.args) {
    const parts = n.args.map(symbolSet);
    const largest = parts.reduce((a, b) => (b.size > a.size ? b : a), NO_SYMBOLS);
    if (parts.every((p) => p === largest || [...p].every((x) => largest.has(x)))) set = largest;
    else {
      const union = new Set(largest);
      for (const p of parts) for (const x of p) union.add(x);
      set = union;
    }
  } else if (n.type === 'ParenthesisNode' && n.content) set = symbolSet(n.content);
  else set = symbolsOf(node);
  symbolSets.set(node, set);
  return set;
}
