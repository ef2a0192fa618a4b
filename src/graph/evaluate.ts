// Compiles an expression tree (already checked against the whitelist) into a closure over the run's
// values (BigDecimals, or exact fractions). Symbols are resolved to slots once, at compile time; a run
// then fills the slots and calls. A sum or product may have any number of arguments (see
// symbolic/build.ts): it is evaluated left to right, ((a + b) + c) + d, as the nested chain it stands for.
import type { Dec, NumericContext } from '../numeric/context.js';
import { FUNCTIONS, COMPARES_ALL_ARGUMENTS, COMPARES_TWO_ARGUMENTS } from '../symbolic/functions.js';
import { maxShare } from '../numeric/kernels.js';
import { unwrap, type Node } from '../symbolic/build.js';
import { argsOf, callName, constantText, NodeMemo, operatorFn, symbolName } from '../symbolic/tree.js';

/** Where the values of one evaluation come from, and where branch decisions at exactly 0 are noted. */
export interface Env {
  vals: Dec[];
  /** Functions (by name) that met an exact zero at their kink during this evaluation. */
  kinks: string[];
  /** When set, the side taken at every kink or branch (-1, 0, 1), in evaluation order: two runs at
   *  different precisions must take the same sides for their values to be comparable. */
  branches?: number[];
  /** Values of shared subexpressions for this evaluation scope (one sample of one step), by id. */
  memo?: Array<Dec | undefined>;
}
export type Compiled = (env: Env) => Dec;

/**
 * Shared subexpressions across the equations of one scope. The backward pass restates what the
 * forward pass computed (relu'(z) needs the pre-activation z that relu(z) had; tanh'(z) = 1 - tanh(z)^2
 * needs tanh(z)), and every weight into a unit restates that unit's dL/dh * f'(z), the "delta" of
 * hand backpropagation. Within one sample every symbol means one value, so any subexpression that calls
 * a function, written the same way in two places, is the same value and is computed once.
 */
export interface MemoTable {
  /** Memo slots, by shape (and by `switch:` shape for the switch of a kinked function). */
  ids: Map<string, number>;
  /** Each distinct tree shape gets a number, and a shape's key is built from its children's numbers:
   *  keys stay a few characters long however deep the trees (a unit's pre-activation has one term per
   *  input, and every weight into the unit restates it). */
  shapes: Map<string, number>;
  shapeOf: NodeMemo<number>;
  /** How often each shape is evaluated in the equations of the scope (countUses): only shapes met more
   *  than once get a memo slot. Without it, every subexpression that calls a function gets one. */
  uses?: Map<number, number>;
  /** Counts the uses when the first equation of the scope is compiled (countUses is only the closures'
   *  concern: a run on the tape never compiles them). */
  countLater?: () => void;
}

export const memoTable = (): MemoTable => ({ ids: new Map(), shapes: new Map(), shapeOf: new NodeMemo<number>() });

/** Counts, for every function-calling subexpression of these trees, how often its shape is evaluated
 *  when shared subexpressions are computed once: a repeated subtree counts, its insides do not again. */
export function countUses(exprs: Node[], memo: MemoTable): void {
  const uses = (memo.uses ??= new Map());
  const visit = (node: Node) => {
    const n = unwrap(node);
    if ((n.type !== 'FunctionNode' && n.type !== 'OperatorNode') || !callsFunction(n)) return;
    const shape = shapeId(n, memo);
    const seen = uses.get(shape) ?? 0;
    uses.set(shape, seen + 1);
    if (seen === 0) for (const arg of argsOf(n)) visit(arg);
  };
  for (const e of exprs) visit(e);
}

/** One tree being compiled: where its symbols are, the run's arithmetic, and what it shares. */
interface Compilation {
  slotOf: (name: string) => number;
  c: NumericContext;
  memo: MemoTable | undefined;
  /** Each node object compiled once, however often the tree refers to it. */
  done: Map<Node, Compiled>;
  /** Arithmetic-only nodes the tree refers to more than once (see repeatedArithmetic). */
  repeated: Set<Node>;
  /** Counts the evaluations of the whole tree: a repeated node's value is kept for one evaluation. */
  evaluation: number;
}

export function compile(expr: Node, slotOf: (name: string) => number, c: NumericContext, memo?: MemoTable): Compiled {
  if (memo?.countLater) {
    const count = memo.countLater;
    memo.countLater = undefined;
    count();
  }
  const s: Compilation = { slotOf, c, memo, done: new Map(), repeated: repeatedArithmetic(expr), evaluation: 0 };
  const f = compileIn(expr, s);
  if (s.repeated.size === 0) return f;
  return (env) => {
    s.evaluation++;
    return f(env);
  };
}

function compileIn(expr: Node, s: Compilation): Compiled {
  const n = unwrap(expr);
  const known = s.done.get(n);
  if (known) return known;
  const f = compileShared(n, s);
  s.done.set(n, f);
  return f;
}

function compileShared(n: Node, s: Compilation): Compiled {
  const { memo } = s;
  if (memo && (n.type === 'FunctionNode' || n.type === 'OperatorNode') && callsFunction(n)) {
    const shape = shapeId(n, memo);
    if (!memo.uses || (memo.uses.get(shape) ?? 0) > 1) {
      const id = internId(memo, String(shape));
      const f = compileNode(n, s);
      return (env) => {
        const m = env.memo;
        if (!m) return f(env);
        const hit = m[id];
        if (hit !== undefined) return hit;
        return (m[id] = f(env));
      };
    }
  }
  const f = compileNode(n, s);
  if (!s.repeated.has(n)) return f;
  // Computed once per evaluation of the whole tree: arithmetic has no side effects (no kink is met,
  // no branch recorded), so the second use of the same node is the same value.
  let at = -1;
  let value: Dec;
  return (env) => {
    if (at !== s.evaluation) {
      value = f(env);
      at = s.evaluation;
    }
    return value;
  };
}

/**
 * The arithmetic nodes (no function call inside) that a tree refers to more than once. Derivatives
 * share subtrees by reference: the product rule of f1 * ... * fk repeats each factor object in k - 1
 * terms, and computing them again at every use would make a long product's derivative cost the square
 * of its length in arithmetic. Found with an explicit stack; a node met again is not descended into.
 */
function repeatedArithmetic(root: Node): Set<Node> {
  const seen = new Set<Node>();
  const repeated = new Set<Node>();
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = unwrap(stack.pop()!);
    if (n.type !== 'OperatorNode' && n.type !== 'FunctionNode') continue;
    if (seen.has(n)) {
      if (n.type === 'OperatorNode' && !callsFunction(n)) repeated.add(n);
      continue;
    }
    seen.add(n);
    for (const a of argsOf(n)) stack.push(a);
  }
  return repeated;
}

/** The number of a tree's shape: equal for trees written the same way (parentheses aside). */
function shapeId(node: Node, memo: MemoTable): number {
  const n = unwrap(node);
  const known = memo.shapeOf.get(n);
  if (known !== undefined) return known;
  let key: string;
  switch (n.type) {
    case 'SymbolNode': key = `$${symbolName(n)}`; break;
    case 'ConstantNode': key = `#${constantText(n)}`; break;
    case 'OperatorNode': {
      key = `${operatorFn(n)}(${argsOf(n).map((a) => shapeId(a, memo)).join(',')})`;
      break;
    }
    case 'FunctionNode': {
      key = `${callName(n)}(${argsOf(n).map((a) => shapeId(a, memo)).join(',')})`;
      break;
    }
    default: key = `?${n.toString()}`;
  }
  let id = memo.shapes.get(key);
  if (id === undefined) memo.shapes.set(key, (id = memo.shapes.size));
  memo.shapeOf.set(n, id);
  return id;
}

const calls = new NodeMemo<boolean>();
function callsFunction(node: Node): boolean {
  const n = unwrap(node);
  let known = calls.get(n);
  if (known === undefined) {
    known = n.type === 'FunctionNode' || (n.type === 'OperatorNode' && argsOf(n).some(callsFunction));
    calls.set(n, known);
  }
  return known;
}

function internId(memo: MemoTable, key: string): number {
  let id = memo.ids.get(key);
  if (id === undefined) memo.ids.set(key, (id = memo.ids.size));
  return id;
}

function compileNode(n: Node, s: Compilation): Compiled {
  const { slotOf, c } = s;
  switch (n.type) {
    case 'ConstantNode': {
      // Re-read the literal's text into this run's constructor: exact, and at this run's precision.
      const v = new c.D(constantText(n));
      return () => v;
    }
    case 'SymbolNode': {
      const slot = slotOf(symbolName(n));
      return (env) => env.vals[slot]!;
    }
    case 'OperatorNode': {
      const fn = operatorFn(n);
      const args = argsOf(n);
      const parts = args.map((arg) => compileIn(arg, s));
      const [a, b] = parts as [Compiled, Compiled];
      if (parts.length > 2) {
        if (fn === 'add') return sumOf(parts);
        if (fn === 'multiply') return productOf(parts, c);
      }
      switch (fn) {
        case 'unaryPlus': return a;
        case 'unaryMinus': return (env) => a(env).neg();
        case 'add': return (env) => a(env).plus(b(env));
        case 'subtract': return (env) => a(env).minus(b(env));
        // A factor that is exactly 0 or 1 (a step function's value, mostly) needs no multiplication:
        // the backward pass of a ReLU network is full of them. Values are finite (the runner checks),
        // so 0 * x is 0.
        case 'multiply': {
          const { zero, one } = c;
          return (env) => {
            const x = a(env);
            if (x === zero) return zero;
            const y = b(env);
            if (x === one) return y;
            if (y === one) return x;
            if (y === zero) return zero;
            return x.times(y);
          };
        }
        case 'divide': return (env) => a(env).div(b(env));
        case 'pow': {
          // A square is a product: as exact as pow's rounding, and much cheaper.
          const e = unwrap(args[1]!);
          if (e.type === 'ConstantNode' && constantText(e) === '2') return (env) => { const x = a(env); return x.times(x); };
          return (env) => a(env).pow(b(env));
        }
      }
      throw new Error(`cannot evaluate operator ${fn}`);
    }
    case 'FunctionNode': {
      const name = callName(n);
      const rule = FUNCTIONS[name];
      if (!rule) throw new Error(`cannot evaluate function ${name}`);
      if (rule.kink) return compileKink(name, argsOf(n), s);
      const args = argsOf(n).map((arg) => compileIn(arg, s));
      if (args.length === 1) {
        const [x] = args as [Compiled];
        return (env) => rule.evaluate([x(env)], c);
      }
      return (env) => rule.evaluate(args.map((g) => g(env)), c);
    }
  }
  throw new Error(`cannot evaluate ${n.type}`);
}

/** A sum of many terms, added left to right. */
function sumOf(terms: Compiled[]): Compiled {
  const [first, ...rest] = terms as [Compiled, ...Compiled[]];
  return (env) => {
    let total = first(env);
    for (const t of rest) total = total.plus(t(env));
    return total;
  };
}

/** A product of many factors, multiplied left to right with the binary product's shortcuts: a factor
 *  that is exactly 1 is skipped, and once the product so far is exactly 0 the remaining factors are
 *  not evaluated (as ((0 * b) * c) never evaluated b or c). */
function productOf(factors: Compiled[], c: NumericContext): Compiled {
  const { zero, one } = c;
  const [first, ...rest] = factors as [Compiled, ...Compiled[]];
  return (env) => {
    let x = first(env);
    for (const f of rest) {
      if (x === zero) return zero;
      const y = f(env);
      if (x === one) x = y;
      else if (y === zero) x = zero;
      else if (y !== one) x = x.times(y);
    }
    return x;
  };
}

/**
 * A kinked function's switch (its argument, or the difference of max/min's two arguments) is evaluated
 * with the size of its largest term. When the terms cancel to within the last digits of the working
 * precision, the switch is an exact 0 that rounding has smeared (e.g. 3*w3 + 2*w4 + b2 with
 * w3 = -0.5 + d, w4 = b2 = 0.5 - d): it is set to 0, so the branch follows the convention rather than
 * the rounding error, and the decision is reported.
 */
function compileKink(name: string, argNodes: Node[], s: Compilation): Compiled {
  const { c, memo } = s;
  const rule = FUNCTIONS[name]!;
  if (COMPARES_ALL_ARGUMENTS.has(name) || (COMPARES_TWO_ARGUMENTS.has(name) && argNodes.length > 2)) return compileMaximum(name, argNodes, s);
  const rest = argNodes.slice(1).map((arg) => compileIn(arg, s));
  if (COMPARES_TWO_ARGUMENTS.has(name)) {
    const switchTerms = [...additiveTerms(argNodes[0]!, 1), ...additiveTerms(argNodes[1]!, -1)];
    const first = compileIn(argNodes[0]!, s);
    const terms = switchTerms.map(([sign, t]) => [sign, compileIn(t, s)] as const);
    const larger = name === 'max';
    return (env) => {
      const a = first(env);
      const b = rest[0]!(env);
      const d = snapped(terms, env, c); // a - b
      env.branches?.push(d.isZero() ? 0 : d.isPositive() ? 1 : -1);
      if (d.isZero()) {
        env.kinks.push(name);
        return a; // a tie: a and b are the same value up to rounding
      }
      return d.isPositive() === larger ? a : b;
    };
  }
  const terms = additiveTerms(argNodes[0]!, 1).map(([sign, t]) => [sign, compileIn(t, s)] as const);
  // relu(z), heaviside(z) and abs(z) share the switch z (snapped the same way) within a scope.
  const switchId = memo ? internId(memo, `switch:${shapeId(argNodes[0]!, memo)}`) : -1;
  const switchValue = (env: Env): Dec => {
    const m = env.memo;
    if (!m || switchId < 0) return snapped(terms, env, c);
    const hit = m[switchId];
    if (hit !== undefined) return hit;
    return (m[switchId] = snapped(terms, env, c));
  };
  return (env) => {
    const x = switchValue(env);
    env.branches?.push(x.isZero() ? 0 : x.isPositive() ? 1 : -1);
    if (x.isZero()) env.kinks.push(name);
    return rule.evaluate([x, ...rest.map((g) => g(env))], c);
  };
}

/**
 * maximum(a1..an) and its derivative max_share(k, a1..an). The largest argument is found by exact
 * comparison; any other within the cancellation threshold of it counts as a tie (rounding has merely
 * smeared an exact one), which is reported, and max_share resolves it by conventions.max_tie. The
 * branch recorded is the index of the largest (negative at a tie), so a second run at more digits
 * that finds another largest shows the decision undecidable.
 */
function compileMaximum(name: string, argNodes: Node[], s: Compilation): Compiled {
  const { c } = s;
  const share = name === 'max_share';
  // The smallest is the largest of the negatives.
  const smallest = name === 'min';
  const compared = (share ? argNodes.slice(1) : argNodes).map((arg) => {
    const f = compileIn(arg, s);
    return smallest ? (env: Env) => f(env).neg() : f;
  });
  const index = share ? compileIn(argNodes[0]!, s) : undefined;
  const tie = (top: Dec, x: Dec) => {
    if (x.eq(top)) return true;
    if (c.cancellation.isZero()) return false;
    const larger = top.abs().gt(x.abs()) ? top.abs() : x.abs();
    return top.minus(x).abs().lte(larger.times(c.cancellation));
  };
  return (env) => {
    const xs = compared.map((f) => f(env));
    let top = 0;
    for (let j = 1; j < xs.length; j++) if (xs[j]!.gt(xs[top]!)) top = j;
    const tied = xs.map((x, j) => j !== top && tie(xs[top]!, x));
    const anyTie = tied.some(Boolean);
    env.branches?.push(anyTie ? -(top + 1) : top + 1);
    if (anyTie) env.kinks.push(name);
    if (!index) return smallest ? xs[top]!.neg() : xs[top]!;
    return maxShare(index(env).toNumber() - 1, xs, c, tied);
  };
}

type SignedTerm = readonly [1 | -1, Compiled];

function snapped(terms: readonly SignedTerm[], env: Env, c: NumericContext): Dec {
  let total = c.zero;
  // Exact fractions leave no residue: only 0 is 0, and there is nothing to measure.
  if (c.cancellation.isZero()) {
    for (const [sign, term] of terms) total = sign > 0 ? total.plus(term(env)) : total.minus(term(env));
    return total;
  }
  // Sizes are compared by decimal exponent first (e: the value is d.ddd * 10^e), which costs
  // no arithmetic; only a sum within a factor of ten of the threshold, |sum| <= 10^-(precision - 10)
  // times the largest term, is measured exactly.
  let largestE = -Infinity;
  const values: Dec[] = [];
  for (const [sign, term] of terms) {
    const v = term(env);
    values.push(v);
    total = sign > 0 ? total.plus(v) : total.minus(v);
    const e = v.e;
    if (!v.isZero() && e > largestE) largestE = e;
  }
  if (total.isZero()) return total;
  const gap = largestE - total.e - (c.precision - 10);
  if (gap > 1) return c.zero;
  if (gap < -1) return total;
  let largest = c.zero;
  for (const v of values) if (v.abs().gt(largest)) largest = v.abs();
  return total.abs().lte(largest.times(c.cancellation)) ? c.zero : total;
}
/** The terms of a sum, with their signs, through parentheses, unary minus and nested sums, in order
 *  (with an explicit stack: a chain of subtractions is as deep as it is long). */
export function additiveTerms(expr: Node, sign: 1 | -1): Array<[1 | -1, Node]> {
  const out: Array<[1 | -1, Node]> = [];
  const stack: Array<[1 | -1, Node]> = [[sign, expr]];
  while (stack.length > 0) {
    const [s, e] = stack.pop()!;
    const n = unwrap(e);
    const flipped: 1 | -1 = s === 1 ? -1 : 1;
    const fn = n.type === 'OperatorNode' ? operatorFn(n) : '';
    const args = argsOf(n);
    // Pushed last to first, so that they come off the stack in order.
    if (fn === 'add') for (let i = args.length - 1; i >= 0; i--) stack.push([s, args[i]!]);
    else if (fn === 'subtract') stack.push([flipped, args[1]!], [s, args[0]!]);
    else if (fn === 'unaryMinus') stack.push([flipped, args[0]!]);
    else if (fn === 'unaryPlus') stack.push([s, args[0]!]);
    else out.push([s, n]);
  }
  return out;
}
