// The one typed window onto mathjs's expression trees. mathjs types a parsed tree as its base class,
// so reading a symbol's name or an operator's arguments needs a downcast; those downcasts live here,
// each behind a name that says what it reads, and nowhere else. The rest of the code asks
// `symbolName(n)`, `argsOf(n)`... after checking `n.type`, as mathjs's own guards would.
import type { ConstantNode, FunctionNode, MathNode, OperatorNode, ParenthesisNode, SymbolNode } from './mathjs.js';

type Node = MathNode;

/** A SymbolNode's name. */
export const symbolName = (n: Node): string => (n as SymbolNode).name;

/** The name of the function a FunctionNode calls (relu, tanh, ...). */
export const callName = (n: Node): string => (n as FunctionNode).fn.name;

/** The function of an OperatorNode (add, subtract, multiply, divide, pow, unaryMinus, ...). */
export const operatorFn = (n: Node): string => (n as OperatorNode).fn as string;

/** The operator's symbol as written (+, -, *, /, ^). */
export const operatorSymbol = (n: Node): string => (n as OperatorNode).op;

/** Whether `n` is an OperatorNode of function `fn`. */
export const isOperator = (n: Node, fn: string): boolean => n.type === 'OperatorNode' && operatorFn(n) === fn;

/** The arguments of an OperatorNode or a FunctionNode (none for other nodes). */
export const argsOf = (n: Node): Node[] => (n as OperatorNode | FunctionNode).args ?? [];

/** What a ParenthesisNode encloses. */
export const contentOf = (n: Node): Node => (n as ParenthesisNode).content;

/** A ConstantNode's value as mathjs holds it (a BigNumber from a literal's text, or a plain value). */
export const constantRaw = (n: Node): unknown => (n as ConstantNode).value;

/** A ConstantNode's value as text (a BigNumber's own digits: never through a double). */
export const constantText = (n: Node): string => String(constantRaw(n));

/** The direct children of a node: arguments, or a parenthesis's content. */
export function childrenOf(n: Node): Node[] {
  if (n.type === 'ParenthesisNode') return [contentOf(n)];
  return argsOf(n);
}

/**
 * A value kept with each node, as a WeakMap keyed by nodes would keep it, but on the node itself under a
 * symbol of its own. A program's folds ask at every node of thousands of trees, and a WeakMap lookup (a
 * hash of the node's identity; an entry the collector must trace as an ephemeron) cost more than the
 * folding. mathjs never sees the entry: it compares, copies and prints nodes by their string keys.
 * Trees are never changed once built, so a value kept with a node stays true of it.
 */
export class NodeMemo<T> {
  readonly #key = Symbol('memo');

  get(n: Node): T | undefined {
    return (n as unknown as Record<symbol, T | undefined>)[this.#key];
  }

  has(n: Node): boolean {
    return (n as unknown as Record<symbol, T | undefined>)[this.#key] !== undefined;
  }

  set(n: Node, value: T): void {
    (n as unknown as Record<symbol, T>)[this.#key] = value;
  }
}

/**
 * `tree` folded from its leaves up: `combine(node, its children's values)`, once per distinct node (a
 * subtree shared by reference, as derivatives share them, is folded once) and kept in `memo` for the
 * trees asked about later (trees are never changed once built). Post-order with an explicit stack: the
 * depth is the formula's, not the call stack's. The stack is two arrays (nodes, and whether each one's
 * children are pushed) and the children's values one array reused from node to node, so that folding
 * allocates nothing of its own per node: `combine` reads `parts` during its call and keeps none of it.
 */
export function foldTree<T>(tree: Node, memo: NodeMemo<T>, children: (n: Node) => Node[], combine: (node: Node, parts: T[]) => T): T {
  const known = memo.get(tree);
  if (known !== undefined) return known;
  const nodes: Node[] = [tree];
  const opened: boolean[] = [false];
  const parts: T[] = [];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top]!;
    if (memo.has(node)) {
      nodes.pop();
      opened.pop();
      continue;
    }
    const kids = children(node);
    if (!opened[top]) {
      opened[top] = true;
      for (let i = kids.length - 1; i >= 0; i--) {
        if (memo.has(kids[i]!)) continue;
        nodes.push(kids[i]!);
        opened.push(false);
      }
      continue;
    }
    nodes.pop();
    opened.pop();
    parts.length = kids.length;
    for (let i = 0; i < kids.length; i++) parts[i] = memo.get(kids[i]!)!;
    memo.set(node, combine(node, parts));
  }
  return memo.get(tree)!;
}

/** What a FunctionNode calls, as a node (a SymbolNode for a named function). */
export const calleeOf = (n: Node): Node => (n as FunctionNode).fn as unknown as Node;
