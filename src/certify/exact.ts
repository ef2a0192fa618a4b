// Whether a spec can be computed in exact fractions: every operation it needs (its equations, their
// derivatives, the optimizer's updates) must be rational. Derivatives of rational operations are
// rational, so looking at the written equations and the optimizer's is enough.
import type { Spec } from '../spec/model.js';
import { parseExpression } from '../symbolic/parse.js';
import { constantValue, unwrap, type Node } from '../symbolic/build.js';
import { RATIONAL_FUNCTIONS } from '../symbolic/functions.js';
import { argsOf, callName, operatorFn, symbolName } from '../symbolic/tree.js';

// Which functions are exact on fractions is each function's `rational` in symbolic/functions.ts.

/** Why `tree` is not rational, or undefined when it is. `wholeSymbols` are names known to hold whole
 *  numbers (the optimizer's step counter t), so that beta1^t is a rational power. */
function irrational(tree: Node, wholeSymbols: Set<string> = new Set()): string | undefined {
  let reason: string | undefined;
  tree.traverse((node: Node) => {
    if (reason) return;
    if (node.type === 'FunctionNode') {
      const name = callName(node);
      if (!RATIONAL_FUNCTIONS.has(name)) reason = `${name} has no exact rational value`;
    }
    if (node.type === 'OperatorNode' && operatorFn(node) === 'pow') {
      const exponent = unwrap(argsOf(node)[1]!);
      const c = constantValue(exponent);
      const whole = c ? c.isInteger() : exponent.type === 'SymbolNode' && wholeSymbols.has(symbolName(exponent));
      if (!whole) reason = `the power ^${exponent.toString()} is not a whole number`;
    }
  });
  return reason;
}

/** Why the spec cannot be computed exactly in fractions, or undefined when it can. */
export function whyNotRational(spec: Spec): string | undefined {
  const equations: Array<[string, Node]> = [
    ...spec.neurons.map((n): [string, Node] => [`neuron ${n.name}`, n.expr]),
    ['the loss', spec.loss.sample.expr],
    ...(spec.loss.penalty ? [['the penalty', spec.loss.penalty.expr] as [string, Node]] : []),
  ];
  const def = spec.training.definition;
  for (const u of def.updates(spec.training.options)) {
    equations.push([`the ${def.title} update ${u.name} = ${u.formula}`, parseExpression(u.formula)]);
    if (u.first) equations.push([`the ${def.title} update ${u.name} = ${u.first}`, parseExpression(u.first)]);
  }
  for (const [what, tree] of equations) {
    const reason = irrational(tree, what.startsWith('the ' + def.title) ? new Set(['t']) : undefined);
    if (reason) return `${what}: ${reason}`;
  }
  for (const [name, value] of Object.entries(def.state(spec.training.options))) {
    const reason = irrational(parseExpression(value));
    if (reason) return `the initial value of ${name}: ${reason}`;
  }
  return undefined;
}
