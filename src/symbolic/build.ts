// Smart constructors for expression trees. Derivatives are built through these so that they read like
// a hand calculation (no `1 * x`, `x + 0`, `w ^ (2 - 1)`), without ever calling mathjs simplify:
// constants are folded here with exact decimal arithmetic, and only + - * and integer powers are folded
// (a quotient such as 1/3 stays a quotient, so nothing is rounded).
//
// Sums and products are n-ary: adding to a sum (or multiplying a product) extends its argument list
// rather than nesting it, so a sum of 10,000 terms is one node and no walker recurses once per term.
// The arguments are evaluated left to right, ((a + b) + c) + d, exactly as the nested chain was.
import Decimal from 'decimal.js';
import { ExactDecimal } from '../numeric/context.js';
import { Nodes, type MathNode } from './mathjs.js';
import { argsOf, constantRaw, constantText, contentOf, foldTree, isOperator, NodeMemo, operatorFn, symbolName } from './tree.js';

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
  if (node.type === 'ConstantNode') {
    // A constant made here holds its exact value already (decimal.js values are immutable, and every
    // clone shares one prototype, hence the constructor's identity rather than instanceof); a parsed
    // literal holds mathjs's BigNumber, read again from its text.
    const raw = constantRaw(node) as { constructor?: unknown } | null;
    if (raw?.constructor === ExactDecimal) return raw as Decimal;
    return new ExactDecimal(constantText(node));
  }
  if (node.type === 'OperatorNode' && operatorFn(node) === 'unaryMinus') {
    const inner = constantValue(argsOf(node)[0]!);
    return inner?.neg();
  }
  return undefined;
}
const isConst = (n: Node, v: number) => constantValue(n)?.eq(v) ?? false;
export const isZero = (n: Node) => isConst(n, 0);
export const isOne = (n: Node) => isConst(n, 1);

export function unwrap(n: Node): Node {
  let node = n;
  while (node.type === 'ParenthesisNode') node = contentOf(node);
  return node;
}

function op(o: string, fn: string, args: Node[]): Node {
  return new Nodes.Operator(o as never, fn as never, args as never);
}

const isOp = isOperator;
const isUnaryMinus = (n: Node) => isOp(unwrap(n), 'unaryMinus');

/** a + b, or a with one more argument when a is already a sum. */
function addNode(a: Node, b: Node): Node {
  return op('+', 'add', isOp(a, 'add') ? [...argsOf(a), b] : [a, b]);
}
/** a * b, or a with one more factor when a is already a product. */
function mulNode(a: Node, b: Node): Node {
  return op('*', 'multiply', isOp(a, 'multiply') ? [...argsOf(a), b] : [a, b]);
}

export function neg(a: Node): Node {
  const c = constantValue(a);
  if (c) return constant(c.neg());
  const u = unwrap(a);
  if (u.type === 'OperatorNode' && operatorFn(u) === 'unaryMinus') return argsOf(u)[0]!;
  return op('-', 'unaryMinus', [a]);
}

export function add(a: Node, b: Node): Node {
  const ca = constantValue(a), cb = constantValue(b);
  if (ca && cb) return constant(ca.plus(cb));
  if (ca?.isZero()) return b;
  if (cb?.isZero()) return a;
  if (cb?.isNegative()) return op('-', 'subtract', [a, constant(cb.neg())]);
  const ub = unwrap(b);
  if (ub.type === 'OperatorNode' && operatorFn(ub) === 'unaryMinus') return sub(a, argsOf(ub)[0]!);
  return addNode(a, b);
}

export function sub(a: Node, b: Node): Node {
  const ca = constantValue(a), cb = constantValue(b);
  if (ca && cb) return constant(ca.minus(cb));
  if (cb?.isZero()) return a;
  if (ca?.isZero()) return neg(b);
  if (cb?.isNegative()) return addNode(a, constant(cb.neg()));
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
  // c * (2 * w) folds to (2c) * w. (Only out of a product of two: in a longer one the constant is not
  // the left factor of the last multiplication.)
  if (isOp(ub, 'multiply') && argsOf(ub).length === 2) {
    const [b0, b1] = argsOf(ub) as [Node, Node];
    const cb0 = constantValue(b0);
    if (cb0) return ca ? mul(constant(ca.times(cb0)), b1) : mul(mul(b0, a), b1);
  }
  if (ua.type === 'OperatorNode' && operatorFn(ua) === 'unaryMinus') return neg(mul(argsOf(ua)[0]!, b));
  if (ub.type === 'OperatorNode' && operatorFn(ub) === 'unaryMinus') return neg(mul(a, argsOf(ub)[0]!));
  return mulNode(a, b);
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

/** Sum of many terms, dropping zeros: the same tree as adding them one by one with add, from 0. */
export function sum(terms: Node[]): Node {
  return addAll([constant(0), ...terms]);
}

/**
 * items[0] op items[1] op ... as `combine` (add or mul) would build it one item at a time, in linear time:
 * while the chain being built is an n-ary node made here, an item that `combine` would simply append is
 * pushed onto its arguments instead of copying them all again. `fate` says what `combine` would do with
 * an item joining such a chain: drop it, append it, or something else (then `combine` is called).
 */
function chainAll(items: Node[], empty: Node, combine: (a: Node, b: Node) => Node, o: string, fn: string,
  fate: (item: Node) => 'drop' | 'append' | 'combine'): Node {
  if (items.length === 0) return empty;
  let acc = items[0]!;
  let open: Node[] | undefined; // the arguments of `acc` when it is a chain of our own
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    if (open) {
      const f = fate(item);
      if (f === 'drop') continue;
      if (f === 'append') { open.push(item); continue; }
    }
    acc = combine(acc, item);
    open = undefined;
    if (isOp(acc, fn)) {
      // Copied once, so that pushing never changes a node someone else holds.
      acc = op(o, fn, [...argsOf(acc)]);
      open = argsOf(acc);
    }
  }
  return acc;
}

/** terms[0] + terms[1] + ... as add would build it one term at a time (add(add(t0, t1), t2)...). */
export function addAll(terms: Node[]): Node {
  return chainAll(terms, constant(0), add, '+', 'add', (t) => {
    const c = constantValue(t);
    if (c?.isZero()) return 'drop';
    return !c?.isNegative() && !isUnaryMinus(t) ? 'append' : 'combine';
  });
}

/** factors[0] * factors[1] * ... as mul would build it one factor at a time. */
export function mulAll(factors: Node[]): Node {
  return chainAll(factors, constant(1), mul, '*', 'multiply', (f) => {
    // What mul does with a product on the left and a factor that is no constant, no negation and no
    // product with a constant in front: appends it.
    const u = unwrap(f);
    const rearranged = constantValue(f) !== undefined || isUnaryMinus(f) ||
      (isOp(u, 'multiply') && argsOf(u).length === 2 && constantValue(argsOf(u)[0]!) !== undefined);
    return rearranged ? 'combine' : 'append';
  });
}

/** Names of the symbols a tree depends on (function names excluded), in order of first appearance
 *  (depth first, left to right), added to `out`. */
export function symbolsOf(n: Node, out = new Set<string>()): Set<string> {
  const list = symbolListOf(n);
  for (let i = 0; i < list.length; i++) out.add(list[i]!);
  return out;
}

/** A tree's symbols in order of first appearance, kept with each subtree (trees are never mutated, only
 *  rebuilt): a subtree that equations share (derivatives share them, within an equation and across a
 *  program's equations) is listed once. A node's list is its children's lists joined, each name where it
 *  first appears, which is the depth-first order (foldTree: an explicit stack, not recursion).
 *  The lists are shared: a caller copies one before changing it. */
export function symbolListOf(root: Node): readonly string[] {
  return foldTree(root, symbolLists, symbolChildren, (node, lists) => {
    if (node.type === 'SymbolNode') return [symbolName(node)];
    // The first child's list as it is when the others add nothing new (most nodes). Indexed loops and,
    // while the list is short, a scan rather than a Set: this runs at every node of a program's trees
    // once, in code not yet optimized, where iterators and Sets are most of the cost.
    let list: readonly string[] = NO_NAMES;
    let grown: string[] | undefined;
    let names: Set<string> | undefined;
    for (let k = 0; k < lists.length; k++) {
      const more = lists[k]!;
      if (more.length === 0 || more === list) continue;
      if (list.length === 0) {
        list = more;
        continue;
      }
      for (let i = 0; i < more.length; i++) {
        const name = more[i]!;
        const current = grown ?? list;
        // A Set once scanning the rest of `more` through `current` would cost more than making one.
        if (names === undefined && current.length > SCAN_AT_MOST && current.length * (more.length - i) > SCAN_WORK) names = new Set(current);
        if (names ? names.has(name) : current.includes(name)) continue;
        names?.add(name);
        (grown ??= list.slice()).push(name);
      }
    }
    return grown ?? list;
  });
}

/** Lists up to this long are searched by a scan; a longer one through a Set when the scans would
 *  compare more than SCAN_WORK names (a long list merged with one or two names is scanned). */
const SCAN_AT_MOST = 32;
const SCAN_WORK = 512;

const symbolLists = new NodeMemo<readonly string[]>();
const NO_NAMES: readonly string[] = [];

/** The children whose symbols a node depends on: its arguments (a function's name is not one). The
 *  node kinds of an equation are read directly (mathjs's forEach builds a path string per child); any
 *  other kind through forEach. */
function symbolChildren(node: Node): Node[] {
  if (node.type === 'OperatorNode' || node.type === 'FunctionNode') return argsOf(node);
  if (node.type === 'ParenthesisNode') return [contentOf(node)];
  const children: Node[] = [];
  node.forEach((child: Node, path: string) => { if (path !== 'fn') children.push(child); });
  return children;
}

/** Whether a tree uses a symbol. Differentiation asks this at every level of a tree: it reads the
 *  subtree's symbol list (symbolListOf, kept with each subtree), scanned while short, through a Set kept
 *  beside it when long (a sum of k terms costs O(k) to ask about once, not O(k) per level). */
export function dependsOn(n: Node, name: string): boolean {
  const list = symbolListOf(n);
  if (list.length <= SCAN_AT_MOST) return list.includes(name);
  let set = symbolSets.get(n);
  if (set === undefined) symbolSets.set(n, (set = new Set(list)));
  return set.has(name);
}

const symbolSets = new NodeMemo<ReadonlySet<string>>();
