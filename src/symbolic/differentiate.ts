// Symbolic differentiation of one equation's right-hand side with respect to one of its symbols.
// Local only: the chain rule across equations is composed by the graph (graph/program.ts), so trees
// stay as small as a hand calculation's. Every rule builds through the smart constructors of build.ts.
import { add, call, constant, dependsOn, div, mul, neg, pow, sub, unwrap, type Node } from './build.js';
import { FUNCTIONS } from './functions.js';

export function differentiate(expr: Node, x: string): Node {
  const n = unwrap(expr);
  if (!dependsOn(n, x)) return constant(0);
  switch (n.type) {
    case 'SymbolNode':
      return constant((n as unknown as { name: string }).name === x ? 1 : 0);
    case 'OperatorNode': {
      const { fn, args } = n as unknown as { fn: string; args: Node[] };
      const [a, b] = args as [Node, Node];
      switch (fn) {
        case 'unaryPlus': return differentiate(a, x);
        case 'unaryMinus': return neg(differentiate(a, x));
        case 'add': return add(differentiate(a, x), differentiate(b, x));
        case 'subtract': return sub(differentiate(a, x), differentiate(b, x));
        case 'multiply': return add(mul(differentiate(a, x), b), mul(a, differentiate(b, x)));
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
      const f = n as unknown as { fn: { name: string }; args: Node[] };
      const rule = FUNCTIONS[f.fn.name];
      if (!rule) throw new Error(`no derivative rule for function ${f.fn.name}`);
      const terms = f.args.map((arg, i) => (dependsOn(arg, x) ? mul(rule.derivative(f.args, i), differentiate(arg, x)) : constant(0)));
      return terms.reduce((acc, t) => add(acc, t));
    }
  }
  throw new Error(`no derivative rule for ${n.type}`);
}
