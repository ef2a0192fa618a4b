// What the steps of validate.ts share: how a problem is reported at its key path, the limits in force,
// the reading of numbers and expressions under them, and the one table of names every section defines
// into (a name is defined once, across every section).
import { InputError } from './errors.js';
import { lineOf, type ReadDocument } from './yaml.js';
import type { Equation } from './model.js';
import { LimitError, type Limits } from './limits.js';
import { literalProblem } from '../numeric/literal.js';
import { ExpressionError, parseExpression, RESERVED_NAMES } from '../symbolic/parse.js';

/** Throws the InputError of `message` at `path` (on the line the path was written on, unless given). */
export type Fail = (path: string, message: string, line?: number) => never;

export function failIn(doc: ReadDocument): Fail {
  return (path, message, line) => {
    throw new InputError(doc.file, path, message, line ?? lineOf(doc, path));
  };
}

/** Words the expression parser reads as constants, not names: a quantity cannot be called so. */
const CONSTANT_WORDS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);

/** What the steps share; its functions are closures, so a step may take them out of it. */
export interface Checks {
  doc: ReadDocument;
  limits: Limits;
  fail: Fail;
  /** Refuses `found` things counted against `limit` when they are more than it allows. */
  tooMany: (limit: keyof Limits, path: string, found: number, what: string) => void;
  /** Every number of the spec is read from its text; one outside decimal arithmetic's exponent range
   *  would silently become Infinity or 0. */
  checkNumber: (text: string, path: string) => void;
  /** The equation `name = text`, parsed and whitelisted; a problem with it is located at `path`. */
  expression: (text: string, path: string, name: string) => Equation;
  /** Each defined name and the key path that defined it. */
  owner: Map<string, string>;
  /** Defines `name` at `path`: refused if reserved, a constant word, or already defined. */
  define: (name: string, path: string) => void;
}

export function checksFor(doc: ReadDocument, limits: Limits, fail: Fail): Checks {
  const owner = new Map<string, string>();
  // A vector named in dot(w, x): its entries w_0.. or w_1.. (a param list, a matrix row, a tensor), or
  // x1.. (inputs given as a count), as far as they are defined, in order.
  const vectorOf = (name: string): string[] | undefined => {
    for (const [start, sep] of [[0, '_'], [1, '_'], [1, '']] as const) {
      const names: string[] = [];
      for (let k = start; owner.has(`${name}${sep}${k}`); k++) names.push(`${name}${sep}${k}`);
      if (names.length > 0) return names;
    }
    return undefined;
  };
  return {
    doc,
    limits,
    fail,
    tooMany: (limit, path, found, what) => {
      if (found > limits[limit]) throw new LimitError(limit, doc.file, path, `${found.toLocaleString('en-US')} ${what}`, limits[limit], lineOf(doc, path));
    },
    checkNumber: (text, path) => {
      const problem = literalProblem(text);
      if (problem) fail(path, problem);
    },
    expression: (text, path, name) => {
      try {
        return { name, text, expr: parseExpression(text, { ...limits, vectorOf }) };
      } catch (e) {
        if (e instanceof ExpressionError) fail(path, e.message);
        throw e;
      }
    },
    owner,
    define: (name, path) => {
      if (RESERVED_NAMES.has(name) || name === 'loss') fail(path, `'${name}' is reserved (${name === 'loss' ? "the per-sample loss's own name" : 'a function of expressions'}); choose another name (e.g. ${name}_1)`);
      if (CONSTANT_WORDS.has(name)) fail(path, `'${name}' is a constant of the expression language (${[...CONSTANT_WORDS].join(', ')}), not a name; choose another name (e.g. ${name}_1)`);
      const before = owner.get(name);
      if (before) fail(path, `'${name}' is already defined at ${before}`);
      owner.set(name, path);
    },
  };
}
