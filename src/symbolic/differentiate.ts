// Symbolic differentiation of one equation's right-hand side with respect to one of its symbols.
// Local only: the chain rule across equations is composed by the graph (graph/program.ts), so trees
// stay as small as a hand calculation's. Every rule builds through the smart constructors of build.ts.
// Sums and products are n-ary (see build.ts): their rules loop over the arguments, so a derivative
// recurses only as deep as the tree's nesting, never once per term.
import { add, addAll, call, constant, dependsOn, div, mul, mulAll, neg, pow, sub, unwrap, type Node } from './build.js';
import { Nodes } from './mathjs.js';
import { FUNCTIONS } from './functions.js';
import { argsOf, callName, operatorFn, symbolName } from './tree.js';

// The derivative of what does not depend on x, and what such a term or argument adds to a sum of
// derivatives: a zero, which addAll drops (a sum's terms are mostly others' weights and inputs), one node
// rather than a new constant each time. It does not end up in a tree: the rules below combine it by
// add, mul and div, which return the other operand or a new constant for a zero (and trees are never
// changed once built, so one node may stand in many places anyway).
const NOTHING = constant(0);

export function differentiate(expr: Node, x: string): Node {
  const n = unwrap(expr);
  if (!dependsOn(n, x)) return NOTHING;
  switch (n.type) {
    case 'SymbolNode':
      return constant(symbolName(n) === x ? 1 : 0);
    case 'OperatorNode': {
      const fn = operatorFn(n);
      const args = argsOf(n);
      const [a, b] = args as [Node, Node];
      switch (fn) {
        case 'unaryPlus': return differentiate(a, x);
        case 'unaryMinus': return neg(differentiate(a, x));
        case 'add': {
          // Zeros before the first term that depends on x add up to one zero, which that term then
          // replaces: one is kept, the same tree without a sum of zeros computed for each (a unit's
          // pre-activation differentiated by one of its weights: its other terms all come first).
          const terms: Node[] = [];
          for (let k = 0; k < args.length; k++) {
            const t = args[k]!;
            if (dependsOn(t, x)) terms.push(differentiate(t, x));
            else if (terms.length !== 1 || terms[0] !== NOTHING) terms.push(NOTHING);
          }
          return addAll(terms);
        }
        case 'subtract': return sub(differentiate(a, x), differentiate(b, x));
        case 'multiply': return args.length === 2 ? add(mul(differentiate(a, x), b), mul(a, differentiate(b, x))) : productRule(args, x);
        case 'divide':
          if (!dependsOn(b, x)) return div(differentiate(a, x), b);
          return div(sub(mul(differentiate(a, x), b), mul(a, differentiate(b, x))), pow(b, constant(2)));
        case 'pow':
          if (!dependsOn(b, x)) return mul(mul(b, pow(a, sub(b, constant(1)))), differentiate(a, x));
          // d(a^b) = a^b * (b' * log(a) + b * a' / a)
          return mul(n, add(mul(differentiate(b, x), call('log', [a])), div(mul(b, differentiate(a, x)), a)));
      }
      throw new Error(`no derivative rule for operator ${fn}`);
    }
    case 'FunctionNode': {
      const name = callName(n);
      const args = argsOf(n);
      const rule = FUNCTIONS[name];
      if (!rule) throw new Error(`no derivative rule for function ${name}`);
      const terms = args.map((arg, i) => (dependsOn(arg, x) ? mul(rule.derivative(args, i), differentiate(arg, x)) : NOTHING));
      return addAll(terms);
    }
  }
  throw new Error(`no derivative rule for ${n.type}`);
}

/**
 * d(f0 * f1 * ... * fk) as the sum, over the factors fi that depend on x, of the product with fi replaced
 * by its derivative: f0 * ... * f(i-1) * fi' * f(i+1) * ... * fk, the factors before fi kept as they were
 * written. With one such factor (the usual case: a weight times inputs and constants) this is the very
 * tree the nested binary chain ((f0 * f1) * f2)... gave; with several, it is the textbook form, two
 * levels deep however many factors there are (the nested form would be two levels per factor).
 */
function productRule(factors: Node[], x: string): Node {
  const terms: Node[] = [];
  factors.forEach((f, i) => {
    if (!dependsOn(f, x)) return;
    const before = i === 0 ? [] : [i === 1 ? factors[0]! : new Nodes.Operator('*', 'multiply', factors.slice(0, i) as never) as Node];
    terms.push(mulAll([...before, differentiate(f, x), ...factors.slice(i + 1)]));
  });
  return addAll(terms);
}
