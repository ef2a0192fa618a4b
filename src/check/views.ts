// Quantities a hand calculation writes that the training itself never names: a neuron's local
// derivative (tanh'(a2) = 1 - h2^2 = 0.3931), its pre-activation (the z of a dense layer's unit), and
// one use's share of an adjoint or of a param's gradient (dL/dWx through a2 alone: the time step t = 2
// of a tied weight). Each is a view of equations that exist: a part of a neuron's formula, or one term
// of a backward formula's sum. check adds a node for each view an answers file names (graph.ts
// addViews), so a sheet's every number can be graded, and a written local derivative goes into the
// adjoints that read it (scope.ts).
import { FUNCTIONS } from '../symbolic/functions.js';
import { add, type Node as MathNode } from '../symbolic/build.js';
import type { Spec } from '../spec/model.js';
import { argsOf, callName, childrenOf, contentOf, isOperator, symbolName } from '../symbolic/tree.js';

/** The kinds of view, by the answers section that names them. */
export type ViewKind = 'local' | 'pre' | 'delta' | 'via';

/** The answers file's section of each kind, inside a sample. */
export const VIEW_SECTIONS: Record<ViewKind, string> = { local: 'local_derivatives', pre: 'pre_activations', delta: 'deltas', via: 'via' };

/** A view's quantity name (the graph's node name, and the report's): h2' (the derivative of h2's
 *  function at its argument), z(h1_1), dL/dz(o_1) (the delta of backpropagation), dL/dWx via a2. */
export const viewName = (kind: ViewKind, of: string, use?: string): string =>
  kind === 'local' ? `${of}'` : kind === 'pre' ? `z(${of})` : kind === 'delta' ? `dL/dz(${of})` : `dL/d${of} via ${use}`;

const unwrap = (n: MathNode): MathNode => (n.type === 'ParenthesisNode' ? unwrap(contentOf(n)) : n);

/** A neuron y = f(z) with one argument z compared or differentiated (f a function of the table whose
 *  first argument is the pre-activation; leaky_relu's slope, a constant, is its second). */
export function activationOf(expr: MathNode): { fn: string; call: MathNode; arg: MathNode } | undefined {
  const call = unwrap(expr);
  if (call.type !== 'FunctionNode') return undefined;
  const fn = callName(call);
  const rule = FUNCTIONS[fn];
  const args = argsOf(call);
  if (!rule || rule.kind === 'step' || args.length === 0 || fn === 'softmax') return undefined;
  if (args.length > 1 && fn !== 'leaky_relu') return undefined;
  return { fn, call, arg: args[0]! };
}

/** The local derivative of neuron `name` = f(z) as a hand calculation writes it: in terms of the
 *  neuron's own value where the table says that is the custom (1 - h2^2, o (1 - o)), else f'(z). */
export function localDerivative(name: string, expr: MathNode, symbolOfNeuron: (n: string) => MathNode): MathNode | undefined {
  const a = activationOf(expr);
  if (!a) return undefined;
  const rule = FUNCTIONS[a.fn]!;
  if (rule.fromOutput) return rule.fromOutput(symbolOfNeuron(name));
  return rule.derivative(argsOf(a.call), 0);
}

/** Which views a spec offers: neurons with a local derivative, those with a pre-activation of their
 *  own (a bare symbol z is a neuron already: its pre-activation is that neuron), and who uses what. */
export interface ViewShape {
  /** Neurons with a local derivative. */
  local: Set<string>;
  /** Neuron -> the neuron its pre-activation is (a bare symbol), or undefined for a node of its own. */
  pre: Map<string, string | undefined>;
  /** Neuron or param -> the neurons (and `loss`) whose equations use it. */
  users: Map<string, string[]>;
}

export function viewShape(spec: Spec): ViewShape {
  const local = new Set<string>();
  const pre = new Map<string, string | undefined>();
  const users = new Map<string, string[]>();
  const neurons = new Set(spec.neurons.map((n) => n.name));
  for (const n of spec.neurons) {
    const a = activationOf(n.expr);
    if (!a) continue;
    local.add(n.name);
    const arg = unwrap(a.arg);
    pre.set(n.name, arg.type === 'SymbolNode' && neurons.has(symbolName(arg)) ? symbolName(arg) : undefined);
  }
  for (const e of [...spec.neurons, spec.loss.sample]) {
    const seen = new Set<string>();
    e.expr.traverse((node: MathNode) => {
      if (node.type !== 'SymbolNode') return;
      const s = symbolName(node);
      if (seen.has(s)) return;
      seen.add(s);
      const list = users.get(s) ?? [];
      list.push(e.name);
      users.set(s, list);
    });
  }
  return { local, pre, users };
}

/**
 * The terms of a backward formula by the use each comes through: dL/dWx = dL/da1 * x1 + dL/da2 * x2
 * gives a1 -> dL/da1 * x1 and a2 -> dL/da2 * x2. A term is known by the one adjoint it reads;
 * `useOf` says which quantity a symbol is the adjoint of (`loss` for the loss's own), undefined for
 * any other symbol. Undefined when a term reads no adjoint or several.
 */
export function termsByUse(formula: MathNode, useOf: (symbol: string) => string | undefined): Map<string, MathNode> | undefined {
  const terms: MathNode[] = [];
  const flatten = (n: MathNode) => {
    const u = unwrap(n);
    if (isOperator(u, 'add')) argsOf(u).forEach(flatten);
    else terms.push(n);
  };
  flatten(formula);
  const out = new Map<string, MathNode>();
  for (const t of terms) {
    const adjoints = new Set<string>();
    const walk = (n: MathNode) => {
      if (n.type === 'SymbolNode') {
        const use = useOf(symbolName(n));
        if (use !== undefined) adjoints.add(use);
      } else childrenOf(n).forEach(walk);
    };
    walk(t);
    if (adjoints.size !== 1) return undefined;
    const use = [...adjoints][0]!;
    // Two terms through one use (a symbol read twice by one equation) are one use's share.
    const before = out.get(use);
    out.set(use, before ? add(before, t) : t);
  }
  return out;
}
