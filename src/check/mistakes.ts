// Training diagnoses for mistakes common in hand calculations and published solutions, each a whole
// training recomputed the student's way: the step taken uphill, the output error's sign flipped, an
// epsilon left out or moved out of its square root, batch norm's variance divided by n - 1, dropout
// without its 1/(1 - p), momentum's state in another convention, and the local derivative of an
// activation fed the wrong quantity or left out at the output. They are entries of DIAGNOSES
// (diagnoses.ts) like the others; this file holds them because each needs its own recognition of the
// part of a spec it changes. Every recognition is by the form of an equation (a variance is a sum of
// squared deviations divided by their count) or by an optimizer's declared roles, never by a name.
import { add, call, constant, constantValue, mulAll, neg, symbol, symbolsOf, unwrap, type Node as MathNode } from '../symbolic/build.js';
import { FUNCTIONS } from '../symbolic/functions.js';
import { parseExpression } from '../symbolic/parse.js';
import type { Equation, Spec } from '../spec/model.js';
import type { TrainingDiagnosisEntry } from './diagnoses.js';
import { nodeKey, type Graph } from './graph.js';
import { NotApplicable, print, rewire, substitute, withDefinition, withOptions } from './variants.js';
import { argsOf, callName, contentOf, operatorFn, symbolName } from '../symbolic/tree.js';

const isOp = (n: MathNode, fn: string) => n.type === 'OperatorNode' && operatorFn(n) === fn;

/** The optimizer's update of the param with its step's sign flipped: `p - X` becomes `p + X`, and a
 *  step added last (`p + velocity`) is subtracted; undefined for any other form. */
function flippedStep(formula: string): string | undefined {
  const n = unwrap(parseExpression(formula));
  const args = argsOf(n);
  if (isOp(n, 'subtract') && args.length === 2) return `${print(args[0]!)} + (${print(args[1]!)})`;
  if (isOp(n, 'add') && args.length >= 2) {
    const rest = args.slice(0, -1).map(print).join(' + ');
    return `${rest} - (${print(args[args.length - 1]!)})`;
  }
  return undefined;
}

/** Every `sqrt(X + eps)` written as `sqrt(X) + eps` (`eps` the optimizer's epsilon option): the reverse
 *  of variants.ts's epsInside. */
export function epsOutside(n: MathNode, eps: string): MathNode {
  if (n.type === 'FunctionNode' && callName(n) === 'sqrt') {
    const inner = unwrap(argsOf(n)[0]!);
    const terms = argsOf(inner);
    if (isOp(inner, 'add') && terms.length === 2) {
      const last = unwrap(terms[1]!);
      if (last.type === 'SymbolNode' && symbolName(last) === eps) return add(call('sqrt', [terms[0]!]), symbol(eps));
    }
  }
  return n.map((child: MathNode) => epsOutside(child, eps));
}

/** A spec whose neurons are rewritten by `change` (the same equation where it changes nothing). */
const withNeurons = (spec: Spec, change: (e: Equation) => MathNode | undefined): Spec => ({
  ...spec,
  neurons: spec.neurons.map((e) => {
    const expr = change(e);
    return expr ? { ...e, text: print(expr), expr } : e;
  }),
});

/** Every `sqrt(var + c)` with c a positive constant (a normalisation's epsilon) and var a variance
 *  (a neuron of `variances`, or written in place: see varianceCount) as `sqrt(var)`. */
function withoutEpsUnderRoot(n: MathNode, variances: Set<string>): MathNode {
  if (n.type === 'FunctionNode' && callName(n) === 'sqrt') {
    const inner = unwrap(argsOf(n)[0]!);
    const terms = argsOf(inner);
    const c = terms.length === 2 && isOp(inner, 'add') ? constantValue(terms[1]!) : undefined;
    const v = terms[0] && unwrap(terms[0]);
    const isVariance = v !== undefined && (v.type === 'SymbolNode' ? variances.has(symbolName(v)) : varianceCount(v) !== undefined);
    if (c?.isPositive() && !c.isZero() && isVariance) return call('sqrt', [terms[0]!]);
  }
  return n.map((child: MathNode) => withoutEpsUnderRoot(child, variances));
}

/** A neuron that is a variance over a batch or a layer: (sum of k squared deviations (x_i - m)^2 from
 *  one m) / k, with k > 1. Its k, or undefined. */
function varianceCount(expr: MathNode): number | undefined {
  const n = unwrap(expr);
  if (!isOp(n, 'divide')) return undefined;
  const [top, bottom] = argsOf(n).map(unwrap) as [MathNode, MathNode];
  const k = constantValue(bottom);
  const terms = isOp(top, 'add') ? argsOf(top).map(unwrap) : [top];
  if (!k || !k.isInteger() || k.lte(1) || !k.eq(terms.length)) return undefined;
  let mean: string | undefined;
  for (const t of terms) {
    const [base, exponent] = argsOf(t).map(unwrap);
    if (!isOp(t, 'pow') || !constantValue(exponent!)?.eq(2)) return undefined;
    const dev = unwrap(base!);
    const m = argsOf(dev)[1] && unwrap(argsOf(dev)[1]!);
    if (!isOp(dev, 'subtract') || m?.type !== 'SymbolNode' || (mean !== undefined && symbolName(m) !== mean)) return undefined;
    mean = symbolName(m);
  }
  return terms.length;
}

/** The data columns that can be a dropout mask: 0s and 1s in every row (once per spec). */
const masks = new WeakMap<Spec['data'], Set<string>>();
function maskColumns(spec: Spec): Set<string> {
  let found = masks.get(spec.data);
  if (!found) {
    const isMask = (c: string) => spec.data.length > 0 && spec.data.every((row) => row[c] === '0' || row[c] === '1');
    masks.set(spec.data, (found = new Set(Object.keys(spec.data[0] ?? {}).filter(isMask))));
  }
  return found;
}

/** A dropout neuron `x * mask / (1 - p)` (mask a data column of 0s and 1s, p a constant): `x * mask`,
 *  or undefined. */
function unscaledDropout(e: Equation, spec: Spec): MathNode | undefined {
  const n = unwrap(e.expr);
  if (!isOp(n, 'divide')) return undefined;
  const [top, bottom] = argsOf(n).map(unwrap) as [MathNode, MathNode];
  const [one, p] = argsOf(bottom).map(unwrap);
  if (!isOp(bottom, 'subtract') || !constantValue(one!)?.eq(1) || !constantValue(p!)) return undefined;
  const columns = maskColumns(spec);
  const factors = isOp(top, 'multiply') ? argsOf(top).map(unwrap) : [];
  return factors.some((f) => f.type === 'SymbolNode' && columns.has(symbolName(f))) ? top : undefined;
}

/** Whether two trees are the same expression (parentheses aside). Compared node by node, so that
 *  looking for a small form in a large formula costs the form's size at each node, not the formula's. */
function sameTree(a: MathNode, b: MathNode): boolean {
  const x = unwrap(a), y = unwrap(b);
  if (x.type !== y.type) return false;
  switch (x.type) {
    case 'SymbolNode': return symbolName(x) === symbolName(y);
    case 'ConstantNode': return constantValue(x)!.eq(constantValue(y)!);
    case 'OperatorNode': if (operatorFn(x) !== operatorFn(y)) return false; break;
    case 'FunctionNode': if (callName(x) !== callName(y)) return false; break;
    default: return false;
  }
  const xs = argsOf(x), ys = argsOf(y);
  return xs.length === ys.length && xs.every((c, i) => sameTree(c, ys[i]!));
}

/** The neurons y = f(z) whose derivative the backward pass writes from y (sigmoid's y (1 - y), tanh's
 *  1 - y^2: the function table's fromOutput), with f's name and z. */
function fromOutputNeurons(spec: Spec): Array<{ name: string; fn: string; z: MathNode }> {
  return spec.neurons.flatMap((e) => {
    let f = e.expr;
    while (f.type === 'ParenthesisNode') f = contentOf(f);
    const args = argsOf(f);
    return f.type === 'FunctionNode' && FUNCTIONS[callName(f)]?.fromOutput && args.length === 1 ? [{ name: e.name, fn: callName(f), z: args[0]! }] : [];
  });
}

type Activated = { name: string; fn: string; z: MathNode };

/** In the backward pass, an activation's local derivative f'(z), written from its output y, written
 *  another way: `instead(neuron)` gives what replaces it, in terms of the neuron's own inputs and
 *  itself, or undefined to keep it. A graph rewiring: the forward pass is right. */
function derivativeFed(text: string, instead: (n: Activated, spec: Spec) => MathNode | undefined) {
  return (spec: Spec) => {
    const forms = fromOutputNeurons(spec).flatMap((n) => {
      const from = FUNCTIONS[n.fn]!.fromOutput!(symbol(n.name));
      const to = instead(n, spec);
      return to ? [{ ...n, form: from, from: print(from), factors: isOp(from, 'multiply') ? argsOf(from) : [from], to }] : [];
    });
    if (!forms.length) return undefined;
    // The forms by the neuron they read, so that a node of a formula is compared only with the forms
    // of the symbols near its top (a form is at most a few levels deep).
    const byName = new Map(forms.map((f) => [f.name, f]));
    const near = (node: MathNode, depth: number, out: Set<string>): Set<string> => {
      const u = unwrap(node);
      if (u.type === 'SymbolNode') out.add(symbolName(u));
      else if (depth > 0) for (const c of argsOf(u)) near(c, depth - 1, out);
      return out;
    };
    /** A formula with the forms replaced, and the neurons whose forms it replaced; undefined when it
     *  has none. Once per formula object (every sample and step of an equation shares one). */
    const rewritten = new Map<object, { formula: MathNode; neurons: string[] } | undefined>();
    const rewrite = (formula: MathNode) => {
      if (rewritten.has(formula)) return rewritten.get(formula);
      const neurons = new Set<string>();
      const result = formula.transform((node: MathNode) => {
        if (node.type === 'SymbolNode' || node.type === 'ConstantNode') return node;
        for (const name of near(node, 3, new Set())) {
          const f = byName.get(name);
          if (f && sameTree(node, f.form)) {
            neurons.add(f.name);
            return f.to;
          }
        }
        // A product is n-ary: y (1 - y) is a run of its factors (dL/dh * h * (1 - h) * w).
        if (!isOp(node, 'multiply')) return node;
        const factors = argsOf(node);
        for (let i = 0; i < factors.length; i++) {
          const first = unwrap(factors[i]!);
          const f = first.type === 'SymbolNode' ? byName.get(symbolName(first)) : undefined;
          const k = f?.factors.length ?? 0;
          if (f && k > 1 && i + k <= factors.length && f.factors.every((x, j) => sameTree(factors[i + j]!, x))) {
            neurons.add(f.name);
            return mulAll([...factors.slice(0, i), f.to, ...factors.slice(i + k)]);
          }
        }
        return node;
      });
      const out = neurons.size ? { formula: result, neurons: [...neurons] } : undefined;
      rewritten.set(formula, out);
      return out;
    };
    return {
      text: `${text}: ${forms.slice(0, 4).map((f) => `${f.from} became ${print(f.to)}`).join(', ')}${forms.length > 4 ? `, and ${forms.length - 4} more` : ''}`,
      graph: (g: Graph) => {
        let changed = false;
        // One pass over the nodes (not one per step).
        const count = g.nodes.length;
        for (let id = 0; id < count; id++) {
          const n = g.nodes[id]!;
          if ((n.role !== 'adjoint' && n.role !== 'share') || n.row === undefined || n.step < 1 || n.step > g.steps) continue;
          const r = rewrite(n.formula!);
          if (!r) continue;
          // The symbols of a replacement read the neuron's own inputs (and the neuron) of this sample.
          const extra: Record<string, number> = {};
          for (const name of r.neurons) {
            const neuron = g.index.get(nodeKey(n.step, n.row, name))!;
            const nn = g.nodes[neuron]!;
            nn.symbols.forEach((s, i) => (extra[s] = nn.inputs[i]!));
            extra[name] = neuron;
          }
          changed = true;
          rewire(g, id, r.formula, extra);
        }
        if (!changed) throw new NotApplicable();
      },
    };
  };
}

/** The optimizer's momentum state (by its declared role) where the spec's options give it one. */
function momentumOf(spec: Spec) {
  const m = spec.training.definition.roles?.momentum;
  return m && m.state in spec.training.definition.state(spec.training.options) ? m : undefined;
}

/** The optimizer with its momentum state kept as `c` times the spec's (the same steps, another state):
 *  every update reads state/c where it read the state, and the state's own update is c times its
 *  formula. A buffer becomes a velocity with c = -lr (v = -lr*buf = mu*v - lr*g, p + v); a velocity a
 *  buffer with c = -1/lr. */
function momentumScaled(spec: Spec, c: string): Spec {
  const { state } = momentumOf(spec)!;
  const read = (f: string) => substitute(parseExpression(f), state, parseExpression(`${state} / (${c})`));
  const own = (f: string) => print(parseExpression(`(${c}) * (${print(read(f))})`));
  return withDefinition(spec, {
    ...spec.training.definition,
    updates: (o) => spec.training.definition.updates(o).map((u) => u.name === state
      ? { ...u, formula: own(u.formula), ...(u.first !== undefined ? { first: own(u.first) } : {}) }
      : { ...u, formula: print(read(u.formula)) }),
  });
}

export const COMMON_MISTAKES: TrainingDiagnosisEntry[] = [
  {
    id: 'update-wrong-direction', family: 'update-direction',
    text: 'the update in the wrong direction: w + lr*g instead of w - lr*g (a step up the gradient)',
    applies: (spec) => {
      const def = spec.training.definition;
      const updates = def.updates(spec.training.options);
      const last = updates[updates.length - 1];
      const flipped = last?.name === 'p' ? flippedStep(last.formula) : undefined;
      if (!flipped) return undefined;
      return {
        text: `the update in the wrong direction: p = ${print(parseExpression(flipped))} instead of p = ${print(parseExpression(last!.formula))}`,
        spec: (s) => withDefinition(s, {
          ...s.training.definition,
          title: `${s.training.definition.title}, stepping up the gradient`,
          updates: (o) => s.training.definition.updates(o).map((u) => (u.name === 'p' ? { ...u, formula: flippedStep(u.formula) ?? u.formula } : u)),
        }),
      };
    },
  },
  {
    // Written (t - o) where the loss's derivative is (o - t): "how did he get 2*(y - output) where I
    // got 2*(output - y)?" is asked of many published solutions, which write the error t - o and then
    // add the step (w + lr * delta * h), right in the end with every gradient of the wrong sign.
    id: 'error-sign-flipped', family: 'error-sign', alone: true,
    text: "the output error written (t - o) where the loss's derivative is (o - t): every gradient with the opposite sign",
    applies: (spec) => {
      const outputs = new Set(spec.neurons.map((n) => n.name).filter((n) => symbolsOf(spec.loss.sample.expr).has(n)));
      if (!outputs.size) return undefined;
      return {
        text: `the output error with the opposite sign: ${[...outputs].slice(0, 4).map((o) => `dL/d${o}`).join(', ')}${outputs.size > 4 ? ', ...' : ''} written (t - o) where the loss gives (o - t), and so every gradient`,
        graph: (g: Graph) => {
          let changed = false;
          for (let id = 0; id < g.nodes.length; id++) {
            const n = g.nodes[id]!;
            if (n.role !== 'adjoint' || n.row === undefined || n.step < 1 || n.step > g.steps || !outputs.has(n.of!)) continue;
            changed = true;
            rewire(g, id, neg(n.formula!));
          }
          if (!changed) throw new NotApplicable();
        },
      };
    },
  },
  {
    id: 'eps-left-out', family: 'eps',
    text: "the optimizer's epsilon left out of its denominator (sqrt(vhat) alone)",
    applies: (spec) => {
      const eps = spec.training.definition.roles?.epsilon;
      const value = eps === undefined ? undefined : spec.training.options[eps];
      if (typeof value !== 'string' || constantValue(parseExpression(value))?.isZero() !== false) return undefined;
      return { text: `${eps} left out of the denominator (${eps} = 0, where the spec has ${value})`, spec: (s) => withOptions(s, { [eps!]: '0' }) };
    },
  },
  {
    id: 'eps-outside-sqrt', family: 'eps',
    text: "the optimizer's epsilon added to the square root instead of inside it",
    applies: (spec) => {
      const eps = spec.training.definition.roles?.epsilon;
      if (eps === undefined) return undefined;
      const moved = (formula: string) => print(epsOutside(parseExpression(formula), eps));
      if (!spec.training.definition.updates(spec.training.options).some((u) => moved(u.formula) !== print(parseExpression(u.formula)))) return undefined;
      return {
        text: `${eps} outside the square root: sqrt(v) + ${eps} instead of sqrt(v + ${eps})`,
        spec: (s) => withDefinition(s, {
          ...s.training.definition,
          title: `${s.training.definition.title}, ${eps} outside the square root`,
          updates: (o) => s.training.definition.updates(o).map((u) => ({ ...u, formula: moved(u.formula) })),
        }),
      };
    },
  },
  {
    id: 'norm-eps-left-out', family: 'norm-eps',
    text: 'the epsilon under a normalisation\'s square root left out: (x - mean) / sqrt(var), not sqrt(var + eps)',
    applies: (spec) => {
      const variances = new Set(spec.neurons.filter((e) => varianceCount(e.expr) !== undefined).map((e) => e.name));
      const changed = spec.neurons.filter((e) => print(withoutEpsUnderRoot(e.expr, variances)) !== print(e.expr)).map((e) => e.name);
      const changedSet = new Set(changed);
      if (!changed.length) return undefined;
      return {
        text: `the epsilon under the square root left out in ${listed(changed)}: sqrt(var) instead of sqrt(var + eps)`,
        spec: (s) => withNeurons(s, (e) => (changedSet.has(e.name) ? withoutEpsUnderRoot(e.expr, variances) : undefined)),
      };
    },
  },
  {
    id: 'variance-unbiased', family: 'variance',
    text: 'the unbiased variance (divided by n - 1) where the normalisation uses the biased one (divided by n)',
    applies: (spec) => {
      const variances = spec.neurons.flatMap((e) => {
        const k = varianceCount(e.expr);
        return k === undefined ? [] : [{ name: e.name, k }];
      });
      if (!variances.length) return undefined;
      return {
        text: `the unbiased variance in ${listed(variances.map((v) => v.name))}: the squared deviations divided by ${variances[0]!.k - 1}, not ${variances[0]!.k}`,
        spec: (s) => withNeurons(s, (e) => {
          const k = varianceCount(e.expr);
          return k === undefined ? undefined : parseExpression(`(${print(argsOf(unwrap(e.expr))[0]!)}) / ${k - 1}`);
        }),
      };
    },
  },
  {
    id: 'dropout-without-scale', family: 'dropout',
    text: 'dropout without its 1/(1 - p) scale: the kept activations not scaled up',
    applies: (spec) => {
      const changed = spec.neurons.filter((e) => unscaledDropout(e, spec) !== undefined).map((e) => e.name);
      if (!changed.length) return undefined;
      return {
        text: `dropout without the 1/(1 - p) scale in ${listed(changed)}: x * mask, not x * mask / (1 - p)`,
        spec: (s) => withNeurons(s, (e) => unscaledDropout(e, s)),
      };
    },
  },
  {
    id: 'momentum-velocity-for-buffer', family: 'momentum-form',
    text: "the momentum state written as a velocity v = mu*v - lr*g (Keras, CS231n) where the optimizer keeps a buffer buf = mu*buf + g (PyTorch)",
    applies: (spec) => {
      const m = momentumOf(spec);
      if (m?.form !== 'buffer') return undefined;
      return {
        text: `${m.state} written as a velocity: ${m.state} = ${m.option} * ${m.state} - ${m.lr} * g and p = p + ${m.state}, which is -${m.lr} times the buffer ${m.state} = ${m.option} * ${m.state} + g that the step p - ${m.lr} * ${m.state} reads (the same params)`,
        spec: (s) => momentumScaled(s, `-${m.lr}`),
      };
    },
  },
  {
    id: 'momentum-buffer-for-velocity', family: 'momentum-form',
    text: "the momentum state written as a buffer buf = mu*buf + g (PyTorch) where the optimizer keeps a velocity v = mu*v - lr*g (Keras)",
    applies: (spec) => {
      const m = momentumOf(spec);
      if (m?.form !== 'velocity') return undefined;
      return {
        text: `${m.state} written as a buffer: ${m.state} = ${m.option} * ${m.state} + g and p = p - ${m.lr} * ${m.state}, which is -1/${m.lr} times the velocity ${m.state} = ${m.option} * ${m.state} - ${m.lr} * g (the same params)`,
        spec: (s) => momentumScaled(s, `-1 / ${m.lr}`),
      };
    },
  },
  {
    // The form taught in the deep learning specialisation's course Improving Deep Neural Networks
    // (week 2, "Gradient descent with momentum": v = beta v + (1 - beta) dW, W = W - alpha v), an average of the
    // gradients rather than their sum, and its state starts at 0 (PyTorch's buffer starts at g).
    id: 'momentum-averaged', family: 'momentum-form',
    text: 'momentum as an average of the gradients, v = mu*v + (1 - mu)*g from v = 0, where the optimizer adds the whole gradient',
    applies: (spec) => {
      const m = momentumOf(spec);
      if (!m) return undefined;
      const averaged = (f: string) => print(substitute(parseExpression(f), 'g', parseExpression(`(1 - ${m.option}) * g`)));
      return {
        text: `momentum as an average of the gradients: ${m.state} = ${averaged(spec.training.definition.updates(spec.training.options).find((u) => u.name === m.state)!.formula)}, starting from 0`,
        spec: (s) => withDefinition(s, {
          ...s.training.definition,
          updates: (o) => s.training.definition.updates(o).map((u) => (u.name === m.state ? { name: u.name, formula: averaged(u.formula) } : u)),
        }),
      };
    },
  },
  {
    id: 'pre-activation-for-activation', family: 'activation-slot',
    text: "the pre-activation used where the activation belongs: an activation's derivative in terms of its output, fed the pre-activation (z (1 - z) for sigmoid)",
    applies: derivativeFed("the pre-activation z put where the activation's output belongs in its derivative", (n) => FUNCTIONS[n.fn]!.fromOutput!(n.z)),
  },
  {
    id: 'activation-for-pre-activation', family: 'activation-slot',
    text: "the activation used where the pre-activation belongs: the derivative f'(z) evaluated at the output y = f(z) (sigmoid(y) (1 - sigmoid(y)))",
    applies: derivativeFed("the derivative evaluated at the activation's output instead of at its pre-activation", (n) => FUNCTIONS[n.fn]!.fromOutput!(call(n.fn, [symbol(n.name)]))),
  },
  {
    // The output layer's delta written as (o - t), the shortcut of a sigmoid output with cross-entropy
    // (a widely taken machine learning course, week 5: delta(L) = a(L) - y), used with a squared error, whose
    // delta is (o - t) o (1 - o); a question asked again and again ("Do we need to add the sigmoid
    // derivative term in the final layer's error value?", Cross Validated).
    id: 'output-derivative-left-out', family: 'output-derivative',
    text: "the output activation's derivative left out of the output layer's delta: (o - t), not (o - t) o (1 - o)",
    applies: derivativeFed("the output activation's derivative left out of the output layer's delta", (n, spec) => (symbolsOf(spec.loss.sample.expr).has(n.name) ? constant(1) : undefined)),
  },
];

/** A few names, the rest counted. */
function listed(names: string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}
