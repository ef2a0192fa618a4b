// Every function an expression may call, one entry each, and the single source of truth about it: its
// forward rule and local derivative side by side (the way a minimal autograd engine keeps them), how
// TeX writes a call, its kind (smooth, kinked, or a step that is a kinked function's derivative),
// whether it is exact on fractions, and whether a dense layer may use it as its activation. The
// whitelist of the parser, the TeX printer, the JSON Schema's activations and function list, the exact
// mode, check and the renderers' notes on kinks all read this table: adding a function (or an
// activation) is one entry here, plus a fast kernel in numeric/kernels.ts if it needs one.
// `evaluate` computes f(args) numerically; `derivative(args, i)` builds the tree of df/d(arg i) over the
// argument trees. A call to any function not in the table is rejected when a spec is read.
import type { Dec, NumericContext } from '../numeric/context.js';
import * as k from '../numeric/kernels.js';
import { add, call, constant, constantValue, div, mul, neg, pow, sub, type Node } from './build.js';
import { callName } from './tree.js';

/** smooth: differentiable everywhere it is defined; kink: piecewise, with a corner where its first
 *  argument (max/min: the difference of its two) is 0; step: a kinked function's derivative, a
 *  constant on each side, so only its argument's sign matters. */
export type FunctionKind = 'smooth' | 'kink' | 'step';

/** How TeX writes a call. */
export interface TexForm {
  /** An operator written before the parenthesised arguments (`\tanh` gives \tanh(x)), or a layout of
   *  the printed arguments (`paren` puts parentheses around a text as the printer would). */
  write: string | ((args: string[], paren: (tex: string) => string) => string);
  /** A customary symbol used instead of `write` when no name of the document already prints as it
   *  (sigmoid as \sigma, else \operatorname{sigmoid}). Only with a `write` operator. */
  symbol?: string;
  /** Written with its own brackets (\sqrt{x}, |x|) rather than as name(args): a power need not wrap it. */
  bracketed?: boolean;
}

export interface FunctionEntry {
  /** Fewest and most arguments. */
  arity: [number, number];
  /** What it computes, for help text and errors. */
  doc: string;
  evaluate(args: Dec[], c: NumericContext): Dec;
  derivative(args: Node[], i: number): Node;
  kind: FunctionKind;
  tex: TexForm;
  /** Its value on fractions is a fraction (so is its derivative's): the exact mode may use it. */
  rational?: boolean;
  /** A dense layer may name it as its `activation` (besides linear and softmax, which layers handle). */
  activation?: boolean;
  /** For a kinked activation: the step function its derivative calls on the same argument. A hand
   *  calculation decides that branch from the neuron's own value, and check does the same with the
   *  student's (check/graph.ts switched: step(z) becomes step(f(z))), so name one only when f(z) tells
   *  the branch as z does (relu, leaky_relu: f(z) > 0 exactly when z > 0). */
  stepDerivative?: string;
  /** A problem with the argument trees themselves, found when a spec is read. */
  checkArgs?(args: Node[]): string | undefined;
  /** Its derivative written in terms of its own value y, as hand calculations write it (sigmoid:
   *  y (1 - y); tanh: 1 - y^2; exp: y): the backward pass of a neuron y = f(z) reads y rather than
   *  computing f(z) again, so a hand calculation's own y goes in where it wrote it. */
  fromOutput?(y: Node): Node;
  /** A kink among all its (compared) arguments rather than at 0 of the first: maximum, and its
   *  derivative max_share (whose first argument says which argument's share). */
  comparesAll?: boolean;
}

export interface FunctionRule extends FunctionEntry {
  /** Its first argument is compared with 0 (a kink or a branch: kind kink or step): the value is
   *  checked for cancellation and an exact zero is reported. Derived from `kind`. */
  readonly kink: boolean;
}

const one = () => constant(1);
const zero = () => constant(0);
const a0 = (args: Node[]) => args[0]!;
const DEFAULT_LEAK = '0.01';

const TABLE = {
  relu: {
    arity: [1, 1], doc: 'max(x, 0)', kind: 'kink', rational: true, activation: true, stepDerivative: 'heaviside',
    tex: { write: '\\operatorname{ReLU}' },
    evaluate: ([x], c) => k.relu(x!, c),
    derivative: (args) => call('heaviside', [a0(args)]),
  },
  leaky_relu: {
    arity: [1, 2], doc: 'x if x > 0 else a*x (a defaults to 0.01)', kind: 'kink', rational: true, activation: true,
    stepDerivative: 'leaky_relu_prime',
    // The slope, when written, as a subscript: LeakyReLU_{0.2}(x).
    tex: { write: (args, paren) => (args.length > 1 ? `\\operatorname{LeakyReLU}_{${args[1]}}${paren(args[0]!)}` : `\\operatorname{LeakyReLU}${paren(args.join(', '))}`) },
    evaluate: ([x, a], c) => (x!.isPositive() && !x!.isZero() ? x! : x!.times(a ?? new c.D(DEFAULT_LEAK))),
    derivative: (args, i) =>
      i === 0 ? call('leaky_relu_prime', [a0(args), args[1] ?? constant(DEFAULT_LEAK)]) : call('min', [a0(args), zero()]),
  },
  sigmoid: {
    arity: [1, 1], doc: '1 / (1 + exp(-x))', kind: 'smooth', activation: true,
    tex: { write: '\\operatorname{sigmoid}', symbol: '\\sigma' },
    evaluate: ([x], c) => k.sigmoid(x!, c),
    derivative: (args) => mul(call('sigmoid', [a0(args)]), sub(one(), call('sigmoid', [a0(args)]))),
    fromOutput: (y) => mul(y, sub(one(), y)),
  },
  tanh: {
    arity: [1, 1], doc: 'hyperbolic tangent', kind: 'smooth', activation: true, tex: { write: '\\tanh' },
    evaluate: ([x], c) => k.tanh(x!, c),
    derivative: (args) => sub(one(), pow(call('tanh', [a0(args)]), constant(2))),
    fromOutput: (y) => sub(one(), pow(y, constant(2))),
  },
  softplus: {
    arity: [1, 1], doc: 'log(1 + exp(x))', kind: 'smooth', activation: true, tex: { write: '\\operatorname{softplus}' },
    evaluate: ([x], c) => k.softplus(x!, c),
    derivative: (args) => call('sigmoid', [a0(args)]),
  },
  exp: {
    arity: [1, 1], doc: 'e^x', kind: 'smooth', tex: { write: '\\exp' },
    evaluate: ([x], c) => k.exp(x!, c),
    derivative: (args) => call('exp', [a0(args)]),
    fromOutput: (y) => y,
  },
  log: {
    arity: [1, 1], doc: 'natural logarithm', kind: 'smooth', tex: { write: '\\log' },
    evaluate: ([x], c) => k.ln(x!, c),
    derivative: (args) => div(one(), a0(args)),
  },
  sqrt: {
    arity: [1, 1], doc: 'square root', kind: 'smooth', tex: { write: (args) => `\\sqrt{${args.join(', ')}}`, bracketed: true },
    evaluate: ([x]) => x!.sqrt(),
    derivative: (args) => div(one(), mul(constant(2), call('sqrt', [a0(args)]))),
  },
  abs: {
    arity: [1, 1], doc: '|x|', kind: 'kink', rational: true,
    tex: { write: (args) => `\\left|${args.join(', ')}\\right|`, bracketed: true },
    evaluate: ([x]) => x!.abs(),
    derivative: (args) => call('sign', [a0(args)]),
  },
  max: {
    arity: [2, 1000], doc: 'the largest of its arguments (of two: relu_at_zero decides a tie; of more: conventions.max_tie, as maximum)', kind: 'kink', rational: true, tex: { write: '\\max' },
    // Of two, the branch is on a - b; of more, it is maximum's.
    evaluate: (args) => args.reduce((a, b) => (b.gt(a) ? b : a)),
    derivative: (args, i) => (args.length > 2 ? call('max_share', [constant(i + 1), ...args])
      : i === 0 ? call('heaviside', [sub(args[0]!, args[1]!)]) : call('heaviside', [sub(args[1]!, args[0]!)])),
  },
  min: {
    arity: [2, 1000], doc: 'the smallest of its arguments (of more than two, a tie as conventions.max_tie says)', kind: 'kink', rational: true, tex: { write: '\\min' },
    evaluate: (args) => args.reduce((a, b) => (b.lt(a) ? b : a)),
    // The smallest of a_k is the largest of -a_k.
    derivative: (args, i) => (args.length > 2 ? call('max_share', [constant(i + 1), ...args.map(neg)])
      : i === 0 ? call('heaviside', [sub(args[1]!, args[0]!)]) : call('heaviside', [sub(args[0]!, args[1]!)])),
  },
  maximum: {
    arity: [1, 1000], doc: 'the largest of its arguments (max pooling); at a tie the gradient follows conventions.max_tie', kind: 'kink', rational: true,
    comparesAll: true, tex: { write: '\\max' },
    evaluate: (args) => args.reduce((a, b) => (b.gt(a) ? b : a)),
    // d max / d a_i: the share of argument i, 1 for the maximum (the first one at a tie, or a split).
    derivative: (args, i) => call('max_share', [constant(i + 1), ...args]),
  },
  max_share: {
    arity: [2, 1001], doc: "maximum'(a1..an) in argument k: 1 if a_k is the largest (at a tie: the first, or 1/m of m, as conventions.max_tie says), else 0",
    kind: 'step', rational: true, comparesAll: true,
    tex: { write: (args, paren) => `\\mathbb{1}_{\\max}^{(${args[0]})}${paren(args.slice(1).join(', '))}` },
    checkArgs: (args) => {
      const k = constantValue(args[0]!);
      return k && k.isInteger() && k.gte(1) && k.lte(args.length - 1) ? undefined : `max_share's first argument must be a whole number from 1 to ${args.length - 1} (which argument)`;
    },
    evaluate: ([index, ...xs], c) => k.maxShare(index!.toNumber() - 1, xs, c),
    derivative: () => zero(),
  },
  gelu: {
    arity: [1, 1], doc: 'x * Phi(x), Phi the standard normal CDF (PyTorch GELU, the exact erf form)', kind: 'smooth', activation: true,
    tex: { write: '\\operatorname{GELU}' },
    evaluate: ([x], c) => k.gelu(x!, c),
    derivative: (args) => add(call('normal_cdf', [a0(args)]), mul(a0(args), call('normal_pdf', [a0(args)]))),
  },
  normal_cdf: {
    arity: [1, 1], doc: 'Phi(x) = (1 + erf(x / sqrt(2))) / 2, the standard normal CDF', kind: 'smooth',
    tex: { write: '\\Phi' },
    evaluate: ([x], c) => k.normalCdf(x!, c),
    derivative: (args) => call('normal_pdf', [a0(args)]),
  },
  normal_pdf: {
    arity: [1, 1], doc: 'phi(x) = exp(-x^2 / 2) / sqrt(2 pi), the standard normal density', kind: 'smooth',
    tex: { write: '\\varphi' },
    evaluate: ([x], c) => k.normalPdf(x!, c),
    derivative: (args) => neg(mul(a0(args), call('normal_pdf', [a0(args)]))),
  },
  softmax: {
    arity: [2, 1000], doc: 'softmax(k, z1, ..., zK): the k-th output of the softmax of z1..zK', kind: 'smooth',
    // A layer's activation too, but one that needs all the layer's pre-activations: layers.ts expands it.
    tex: { write: '\\operatorname{softmax}' },
    checkArgs: (args) => {
      const k = constantValue(args[0]!);
      return k && k.isInteger() && k.gte(1) && k.lte(args.length - 1) ? undefined : `softmax's first argument must be a whole number from 1 to ${args.length - 1} (which output)`;
    },
    evaluate: ([index, ...z], c) => {
      // Shifting by the largest logit changes nothing mathematically and keeps exp() small.
      const top = z.reduce((a, b) => (b.gt(a) ? b : a));
      const e = z.map((zi) => k.exp(zi.minus(top), c));
      const total = e.reduce((a, b) => a.plus(b), c.zero);
      return e[index!.toNumber() - 1]!.div(total);
    },
    // d softmax_k / d z_i = softmax_k * (delta_ki - softmax_i); the index itself is not differentiable.
    derivative: (args, i) => {
      if (i === 0) return zero();
      const k = constantValue(args[0]!)!.toNumber();
      const logits = args.slice(1);
      return mul(call('softmax', args), sub(constant(k === i ? 1 : 0), call('softmax', [constant(i), ...logits])));
    },
  },
  // Derivatives of the kinked functions. Their own derivative in x is 0 wherever it exists.
  heaviside: {
    arity: [1, 1], doc: "the step function relu'(x): 1 if x > 0, 0 if x < 0, conventions.relu_at_zero at 0", kind: 'step', rational: true,
    tex: { write: '\\operatorname{step}', symbol: 'H' },
    evaluate: ([x], c) => k.heaviside(x!, c),
    derivative: () => zero(),
  },
  leaky_relu_prime: {
    arity: [2, 2], doc: "leaky_relu'(x, a): 1 if x > 0, a if x < 0", kind: 'step', rational: true,
    tex: { write: (args, paren) => `\\operatorname{LeakyReLU}'_{${args[1]}}${paren(args[0]!)}` },
    evaluate: ([x, a], c) => k.leakyReluPrime(x!, a!, c),
    // Constant in x; in the slope a it is 1 - heaviside(x): 1 below 0, 0 above, 1 - relu_at_zero at 0.
    derivative: (args, i) => (i === 0 ? zero() : sub(one(), call('heaviside', [a0(args)]))),
  },
  sign: {
    arity: [1, 1], doc: "abs'(x): 1, -1, or 0 at 0 (as PyTorch)", kind: 'step', rational: true, tex: { write: '\\operatorname{sgn}' },
    evaluate: ([x], c) => (x!.isZero() ? c.zero : x!.isPositive() ? c.one : c.one.neg()),
    derivative: () => zero(),
  },
} satisfies Record<string, FunctionEntry>;

// Without a prototype: a call of `constructor(x)` or `toString(x)` finds no rule here, rather than one
// of Object's methods.
export const FUNCTIONS: Record<string, FunctionRule> = Object.assign(
  Object.create(null) as Record<string, FunctionRule>,
  Object.fromEntries(Object.entries(TABLE as Record<string, FunctionEntry>).map(([name, e]) => [name, { ...e, kink: e.kind !== 'smooth' }])),
);

/** The functions a dense layer may name as its activation, in the table's order. */
export type ActivationFunction = { [K in keyof typeof TABLE]: (typeof TABLE)[K] extends { activation: true } ? K : never }[keyof typeof TABLE];
export const ACTIVATION_FUNCTIONS = Object.keys(FUNCTIONS).filter((name) => FUNCTIONS[name]!.activation) as ActivationFunction[];

/** The functions a spec is meant to write, in the table's order: all but the step functions, which are
 *  derivatives (a spec may still call them; the derivation writes them). */
export const WRITTEN_FUNCTIONS = Object.keys(FUNCTIONS).filter((name) => FUNCTIONS[name]!.kind !== 'step');

/** Functions whose value (and derivative) on fractions is a fraction. */
export const RATIONAL_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS).filter((name) => FUNCTIONS[name]!.rational));

/** Kinked activation -> the step function of its derivative (relu -> heaviside). */
export const STEP_DERIVATIVE_OF: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FUNCTIONS).flatMap(([name, f]) => (f.stepDerivative ? [[name, f.stepDerivative]] : [])),
);

/** Whether a tree calls a function for which `test` holds. */
export function callsFunction(tree: Node, test: (name: string, rule: FunctionRule | undefined) => boolean): boolean {
  let found = false;
  tree.traverse((n: Node) => {
    if (found || n.type !== 'FunctionNode') return;
    const name = callName(n);
    if (test(name, FUNCTIONS[name])) found = true;
  });
  return found;
}

/** A max/min compares its two arguments; maximum and max_share all theirs (after max_share's index);
 *  the others compare their first argument with 0. */
export const COMPARES_TWO_ARGUMENTS = new Set(['max', 'min']);
export const COMPARES_ALL_ARGUMENTS: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS).filter((name) => FUNCTIONS[name]!.comparesAll));
