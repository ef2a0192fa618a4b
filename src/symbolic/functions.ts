// Every function an expression may call, with its forward rule and its local derivative side by side
// (the way a minimal autograd engine keeps them): `evaluate` computes f(args) numerically; `derivative(args, i)` builds the tree
// of df/d(arg i) over the argument trees. This table is also the whitelist: a call to any other
// function is rejected when a spec is read.
import type { Dec, NumericContext } from '../numeric/context.js';
import * as k from '../numeric/kernels.js';
import { call, constant, constantValue, div, mul, pow, sub, type Node } from './build.js';

export interface FunctionRule {
  /** Fewest and most arguments. */
  arity: [number, number];
  /** What it computes, for help text and errors. */
  doc: string;
  evaluate(args: Dec[], c: NumericContext): Dec;
  derivative(args: Node[], i: number): Node;
  /** Its first argument is compared with 0 (a kink or a branch): the value is checked for cancellation
   *  and an exact zero is reported. */
  kink?: boolean;
  /** A problem with the argument trees themselves, found when a spec is read. */
  checkArgs?(args: Node[]): string | undefined;
}

const one = () => constant(1);
const zero = () => constant(0);
const a0 = (args: Node[]) => args[0]!;
const DEFAULT_LEAK = '0.01';

// Without a prototype: a call of `constructor(x)` or `toString(x)` finds no rule here, rather than one
// of Object's methods.
export const FUNCTIONS: Record<string, FunctionRule> = Object.assign(Object.create(null) as Record<string, FunctionRule>, {
  relu: {
    arity: [1, 1], doc: 'max(x, 0)', kink: true,
    evaluate: ([x], c) => k.relu(x!, c),
    derivative: (args) => call('heaviside', [a0(args)]),
  },
  leaky_relu: {
    arity: [1, 2], doc: 'x if x > 0 else a*x (a defaults to 0.01)', kink: true,
    evaluate: ([x, a], c) => (x!.isPositive() && !x!.isZero() ? x! : x!.times(a ?? new c.D(DEFAULT_LEAK))),
    derivative: (args, i) =>
      i === 0 ? call('leaky_relu_prime', [a0(args), args[1] ?? constant(DEFAULT_LEAK)]) : call('min', [a0(args), zero()]),
  },
  sigmoid: {
    arity: [1, 1], doc: '1 / (1 + exp(-x))',
    evaluate: ([x], c) => k.sigmoid(x!, c),
    derivative: (args) => mul(call('sigmoid', [a0(args)]), sub(one(), call('sigmoid', [a0(args)]))),
  },
  tanh: {
    arity: [1, 1], doc: 'hyperbolic tangent',
    evaluate: ([x], c) => k.tanh(x!, c),
    derivative: (args) => sub(one(), pow(call('tanh', [a0(args)]), constant(2))),
  },
  softplus: {
    arity: [1, 1], doc: 'log(1 + exp(x))',
    evaluate: ([x], c) => k.softplus(x!, c),
    derivative: (args) => call('sigmoid', [a0(args)]),
  },
  exp: {
    arity: [1, 1], doc: 'e^x',
    evaluate: ([x], c) => k.exp(x!, c),
    derivative: (args) => call('exp', [a0(args)]),
  },
  log: {
    arity: [1, 1], doc: 'natural logarithm',
    evaluate: ([x], c) => k.ln(x!, c),
    derivative: (args) => div(one(), a0(args)),
  },
  sqrt: {
    arity: [1, 1], doc: 'square root',
    evaluate: ([x]) => x!.sqrt(),
    derivative: (args) => div(one(), mul(constant(2), call('sqrt', [a0(args)]))),
  },
  abs: {
    arity: [1, 1], doc: '|x|', kink: true,
    evaluate: ([x]) => x!.abs(),
    derivative: (args) => call('sign', [a0(args)]),
  },
  max: {
    arity: [2, 2], doc: 'the larger of a and b', kink: true,
    // The branch is on a - b; written max(a, b) it compares its two arguments.
    evaluate: ([a, b]) => (a!.gte(b!) ? a! : b!),
    derivative: (args, i) => (i === 0 ? call('heaviside', [sub(args[0]!, args[1]!)]) : call('heaviside', [sub(args[1]!, args[0]!)])),
  },
  min: {
    arity: [2, 2], doc: 'the smaller of a and b', kink: true,
    evaluate: ([a, b]) => (a!.lte(b!) ? a! : b!),
    derivative: (args, i) => (i === 0 ? call('heaviside', [sub(args[1]!, args[0]!)]) : call('heaviside', [sub(args[0]!, args[1]!)])),
  },
  softmax: {
    arity: [2, 1000], doc: 'softmax(k, z1, ..., zK): the k-th output of the softmax of z1..zK',
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
  // Derivatives of the kinked functions. Their own derivative is 0 wherever it exists.
  heaviside: {
    arity: [1, 1], doc: "the step function relu'(x): 1 if x > 0, 0 if x < 0, conventions.relu_at_zero at 0", kink: true,
    evaluate: ([x], c) => k.heaviside(x!, c),
    derivative: () => zero(),
  },
  leaky_relu_prime: {
    arity: [2, 2], doc: "leaky_relu'(x, a): 1 if x > 0, a if x < 0", kink: true,
    evaluate: ([x, a], c) => k.leakyReluPrime(x!, a!, c),
    derivative: () => zero(),
  },
  sign: {
    arity: [1, 1], doc: "abs'(x): 1, -1, or 0 at 0 (as PyTorch)", kink: true,
    evaluate: ([x], c) => (x!.isZero() ? c.zero : x!.isPositive() ? c.one : c.one.neg()),
    derivative: () => zero(),
  },
} satisfies Record<string, FunctionRule>);

/** A max/min compares its two arguments; the others compare their first argument with 0. */
export const COMPARES_TWO_ARGUMENTS = new Set(['max', 'min']);
