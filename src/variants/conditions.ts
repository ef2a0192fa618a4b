// A condition every variant must meet, written over the training's quantities by their paths:
//   step2.loss.total < step1.loss.total and abs(epoch1.gradients.w1) >= 0.5
// Numbers are read from their text and computed in exact decimal arithmetic (ExactDecimal, 2000
// digits: sums, products and quotients of the run's values, never a double). A small grammar of its
// own, since mathjs would read `step1.loss` as a property access:
//   or := and ('or' and)* ; and := not ('and' not)* ; not := 'not' not | compare
//   compare := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
//   sum := product (('+' | '-') product)* ; product := unary (('*' | '/') unary)* ; unary := '-' unary | atom
//   atom := number | path | ('abs' | 'min' | 'max') '(' sum (',' sum)* ')' | '(' or ')'
import { ExactDecimal } from '../numeric/context.js';

type D = InstanceType<typeof ExactDecimal>;
type Value = { kind: 'number'; value: D } | { kind: 'truth'; value: boolean };
type Expr = (lookup: (path: string) => D) => Value;

export class ConditionError extends Error {}

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|(<=|>=|==|!=|<|>|\+|-|\*|\/|\(|\)|,))/y;
const FUNCTIONS: Record<string, (args: D[]) => D> = {
  abs: (a) => {
    if (a.length !== 1) throw new ConditionError('abs takes one argument');
    return a[0]!.abs();
  },
  min: (a) => a.reduce((x, y) => (y.lt(x) ? y : x)),
  max: (a) => a.reduce((x, y) => (y.gt(x) ? y : x)),
};

export interface Condition {
  text: string;
  /** The quantity paths it reads. */
  paths: string[];
  holds: (lookup: (path: string) => D) => boolean;
}

/** Reads a condition; `normal` writes a path as the quantities name it. Throws a ConditionError. */
export function parseCondition(text: string, normal: (path: string) => string): Condition {
  const tokens: Array<{ kind: 'number' | 'name' | 'op'; text: string }> = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new ConditionError(`cannot read '${text.slice(at).trim().slice(0, 20)}'`);
    tokens.push(m[1] !== undefined ? { kind: 'number', text: m[1] } : m[2] !== undefined ? { kind: 'name', text: m[2] } : { kind: 'op', text: m[3]! });
    at = TOKEN.lastIndex;
  }
  if (tokens.length > 500) throw new ConditionError('a condition has at most 500 parts');
  let i = 0;
  let depth = 0;
  const paths: string[] = [];
  const peek = () => tokens[i];
  const take = (op: string) => (tokens[i]?.kind !== 'number' && tokens[i]?.text === op ? (i++, true) : false);
  const expect = (op: string) => {
    if (!take(op)) throw new ConditionError(`expected '${op}'${tokens[i] ? ` before '${tokens[i]!.text}'` : ' at the end'}`);
  };
  const num = (e: Expr): ((l: (p: string) => D) => D) => (l) => {
    const v = e(l);
    if (v.kind !== 'number') throw new ConditionError('a comparison where a number is needed');
    return v.value;
  };
  const truth = (e: Expr): ((l: (p: string) => D) => boolean) => (l) => {
    const v = e(l);
    if (v.kind !== 'truth') throw new ConditionError('a number where a comparison is needed (e.g. x > 0)');
    return v.value;
  };
  const nested = <T>(f: () => T): T => {
    if (++depth > 50) throw new ConditionError('nested too deeply');
    try {
      return f();
    } finally {
      depth--;
    }
  };
  const or = (): Expr => nested(() => {
    let left = and();
    while (take('or')) {
      const [a, b] = [truth(left), truth(and())];
      left = (l) => ({ kind: 'truth', value: a(l) || b(l) });
    }
    return left;
  });
  const and = (): Expr => {
    let left = not();
    while (take('and')) {
      const [a, b] = [truth(left), truth(not())];
      left = (l) => ({ kind: 'truth', value: a(l) && b(l) });
    }
    return left;
  };
  const not = (): Expr => {
    if (take('not')) {
      const a = truth(nested(not));
      return (l) => ({ kind: 'truth', value: !a(l) });
    }
    return compare();
  };
  const COMPARE: Record<string, (c: number) => boolean> = { '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0, '==': (c) => c === 0, '!=': (c) => c !== 0 };
  const compare = (): Expr => {
    const left = sum();
    const op = peek();
    if (op?.kind === 'op' && op.text in COMPARE) {
      i++;
      const [a, b, test] = [num(left), num(sum()), COMPARE[op.text]!];
      return (l) => ({ kind: 'truth', value: test(a(l).cmp(b(l))) });
    }
    return left;
  };
  const sum = (): Expr => {
    let left = product();
    for (;;) {
      const plus = take('+');
      if (!plus && !take('-')) return left;
      const [a, b] = [num(left), num(product())];
      left = (l) => ({ kind: 'number', value: plus ? a(l).plus(b(l)) : a(l).minus(b(l)) });
    }
  };
  const product = (): Expr => {
    let left = unary();
    for (;;) {
      const times = take('*');
      if (!times && !take('/')) return left;
      const [a, b] = [num(left), num(unary())];
      left = (l) => {
        const d = b(l);
        if (!times && d.isZero()) throw new ConditionError('divides by zero');
        return { kind: 'number', value: times ? a(l).times(d) : a(l).div(d) };
      };
    }
  };
  const unary = (): Expr => {
    if (take('-')) {
      const a = num(nested(unary));
      return (l) => ({ kind: 'number', value: a(l).neg() });
    }
    return atom();
  };
  const atom = (): Expr => {
    const t = tokens[i++];
    if (!t) throw new ConditionError('ends too soon');
    if (t.kind === 'number') {
      const value = new ExactDecimal(t.text);
      return () => ({ kind: 'number', value });
    }
    if (t.text === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.kind === 'name') {
      const fn = FUNCTIONS[t.text];
      if (fn && take('(')) {
        const args = [num(sum())];
        while (take(',')) args.push(num(sum()));
        expect(')');
        return (l) => ({ kind: 'number', value: fn(args.map((a) => a(l))) });
      }
      if (['and', 'or', 'not'].includes(t.text)) throw new ConditionError(`'${t.text}' where a value is needed`);
      const path = normal(t.text);
      paths.push(path);
      return (l) => ({ kind: 'number', value: l(path) });
    }
    throw new ConditionError(`unexpected '${t.text}'`);
  };
  const whole = or();
  if (i < tokens.length) throw new ConditionError(`unexpected '${tokens[i]!.text}'`);
  const holds = truth(whole);
  // A bare number is not a condition: found now, on a lookup that reads zeros.
  try {
    holds(() => new ExactDecimal(1));
  } catch (e) {
    if (e instanceof ConditionError && !/divides by zero/.test(e.message)) throw e;
  }
  return { text, paths, holds };
}
