// Compiles an expression tree (already checked against the whitelist) into a closure over decimal.js
// values. Symbols are resolved to slots once, at compile time; a run then fills the slots and calls.
import type { Dec, NumericContext } from './context.js';
import { FUNCTIONS, COMPARES_TWO_ARGUMENTS } from '../symbolic/functions.js';
import { unwrap, type Node } from '../symbolic/build.js';

/** Where the values of one evaluation come from, and where branch decisions at exactly 0 are noted. */
export interface Env {
  vals: Dec[];
  /** Functions (by name) that met an exact zero at their kink during this evaluation. */
  kinks: string[];
  /** When set, the side taken at every kink or branch (-1, 0, 1), in evaluation order: two runs at
   *  different precisions must take the same sides for their values to be comparable. */
  branches?: number[];
}
export type Compiled = (env: Env) => Dec;

export function compile(expr: Node, slotOf: (name: string) => number, c: NumericContext): Compiled {
  const n = unwrap(expr);
  switch (n.type) {
    case 'ConstantNode': {
      // Re-read the literal's text into this run's constructor: exact, and at this run's precision.
      const v = new c.D(String((n as unknown as { value: unknown }).value));
      return () => v;
    }
    case 'SymbolNode': {
      const slot = slotOf((n as unknown as { name: string }).name);
      return (env) => env.vals[slot]!;
    }
    case 'OperatorNode': {
      const { fn, args } = n as unknown as { fn: string; args: Node[] };
      const [a, b] = args.map((arg) => compile(arg, slotOf, c)) as [Compiled, Compiled];
      switch (fn) {
        case 'unaryPlus': return a;
        case 'unaryMinus': return (env) => a(env).neg();
        case 'add': return (env) => a(env).plus(b(env));
        case 'subtract': return (env) => a(env).minus(b(env));
        case 'multiply': return (env) => a(env).times(b(env));
        case 'divide': return (env) => a(env).div(b(env));
        case 'pow': return (env) => a(env).pow(b(env));
      }
      throw new Error(`cannot evaluate operator ${fn}`);
    }
    case 'FunctionNode': {
      const f = n as unknown as { fn: { name: string }; args: Node[] };
      const name = f.fn.name;
      const rule = FUNCTIONS[name];
      if (!rule) throw new Error(`cannot evaluate function ${name}`);
      if (rule.kink) return compileKink(name, f.args, slotOf, c);
      const args = f.args.map((arg) => compile(arg, slotOf, c));
      if (args.length === 1) {
        const [x] = args as [Compiled];
        return (env) => rule.evaluate([x(env)], c);
      }
      return (env) => rule.evaluate(args.map((g) => g(env)), c);
    }
  }
  throw new Error(`cannot evaluate ${n.type}`);
}

/**
 * A kinked function's switch (its argument, or the difference of max/min's two arguments) is evaluated
 * with the size of its largest term. When the terms cancel to within the last digits of the working
 * precision, the switch is an exact 0 that rounding has smeared (e.g. 3*w3 + 2*w4 + b2 with
 * w3 = -0.5 + d, w4 = b2 = 0.5 - d): it is set to 0, so the branch follows the convention rather than
 * the rounding error, and the decision is reported.
 */
function compileKink(name: string, argNodes: Node[], slotOf: (name: string) => number, c: NumericContext): Compiled {
  const rule = FUNCTIONS[name]!;
  const rest = argNodes.slice(1).map((arg) => compile(arg, slotOf, c));
  if (COMPARES_TWO_ARGUMENTS.has(name)) {
    const switchTerms = [...additiveTerms(argNodes[0]!, 1), ...additiveTerms(argNodes[1]!, -1)];
    const first = compile(argNodes[0]!, slotOf, c);
    const terms = switchTerms.map(([sign, t]) => [sign, compile(t, slotOf, c)] as const);
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
  const terms = additiveTerms(argNodes[0]!, 1).map(([sign, t]) => [sign, compile(t, slotOf, c)] as const);
  return (env) => {
    const x = snapped(terms, env, c);
    env.branches?.push(x.isZero() ? 0 : x.isPositive() ? 1 : -1);
    if (x.isZero()) env.kinks.push(name);
    return rule.evaluate([x, ...rest.map((g) => g(env))], c);
  };
}

type SignedTerm = readonly [1 | -1, Compiled];

function snapped(terms: readonly SignedTerm[], env: Env, c: NumericContext): Dec {
  let total = c.zero;
  let largest = c.zero;
  for (const [sign, term] of terms) {
    const v = term(env);
    total = sign > 0 ? total.plus(v) : total.minus(v);
    const size = v.abs();
    if (size.gt(largest)) largest = size;
  }
  if (!total.isZero() && total.abs().lte(largest.times(c.cancellation))) return c.zero;
  return total;
}

/** The terms of a sum, with their signs, through parentheses, unary minus and nested sums. */
function additiveTerms(expr: Node, sign: 1 | -1): Array<[1 | -1, Node]> {
  const n = unwrap(expr);
  if (n.type === 'OperatorNode') {
    const { fn, args } = n as unknown as { fn: string; args: Node[] };
    const flip = (s: 1 | -1): 1 | -1 => (s === 1 ? -1 : 1);
    if (fn === 'add') return [...additiveTerms(args[0]!, sign), ...additiveTerms(args[1]!, sign)];
    if (fn === 'subtract') return [...additiveTerms(args[0]!, sign), ...additiveTerms(args[1]!, flip(sign))];
    if (fn === 'unaryMinus') return additiveTerms(args[0]!, flip(sign));
    if (fn === 'unaryPlus') return additiveTerms(args[0]!, sign);
  }
  return [[sign, n]];
}
