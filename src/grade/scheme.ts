// A points scheme: what each quantity of a class's answers is worth, and how much of it each verdict
// earns. Read from YAML or JSON (JSON is YAML), every number kept as its text and every mistake an
// InputError located at its line and key, like a spec's.
//
//   points: 1                  # each quantity's points (default 1)
//   credit:                    # the fraction of its points a verdict earns
//     rounding-slip: 0.5       # default 0.5
//     carried: 1               # default 1: error carried forward costs nothing more
//   quantities:                # points by path pattern (* within a name, ** for whole names); the
//     "**.loss": 2             # last pattern that matches a path decides its points
//     "step2.params.*": 3
//   tolerance: { abs: 0.001 }  # what counts as correct: digits (default), { abs }, { rel } or { sig }
//   aliases:                   # a class's CSV may name a column by its own word for a quantity
//     E1: epoch1.loss
import { InputError } from '../spec/errors.js';
import { lineOf, readYaml, type Plain, type ReadDocument } from '../spec/yaml.js';
import type { Limits } from '../limits/limits.js';
import { DECIMAL_TEXT, ExactDecimal } from '../numeric/context.js';
import { VERDICTS, type Verdict } from '../check/check.js';
import { writtenRangeProblem, type Tolerance } from '../check/tolerance.js';
import { didYouMean } from '../text/did-you-mean.js';
import { pathPattern, patternProblem, type PathPattern } from './glob.js';

/** An exact decimal (points and fractions are added and multiplied without rounding). */
export type Exact = InstanceType<typeof ExactDecimal>;

export interface PointsRule {
  pattern: PathPattern;
  points: Exact;
  line: number | undefined;
}

export interface PointsScheme {
  /** Where it was read from ('' for the defaults). */
  file: string;
  points: Exact;
  /** The fraction of a quantity's points each verdict earns: one entry per verdict of check. */
  credit: Record<Verdict, Exact>;
  rules: PointsRule[];
  tolerance: Tolerance;
  /** A column's word for a quantity -> the quantity's path. */
  aliases: Map<string, string>;
}

/** Correct earns all, wrong nothing; a carried value all (its mistake was counted where it was made),
 *  a rounding slip half. */
const DEFAULT_CREDIT: Record<Verdict, string> = { correct: '1', 'rounding-slip': '0.5', carried: '1', wrong: '0' };

export function defaultScheme(): PointsScheme {
  return {
    file: '',
    points: new ExactDecimal(1),
    credit: Object.fromEntries(VERDICTS.map((v) => [v, new ExactDecimal(DEFAULT_CREDIT[v])])) as Record<Verdict, Exact>,
    rules: [],
    tolerance: { kind: 'digits' },
    aliases: new Map(),
  };
}

const KEYS = ['points', 'credit', 'quantities', 'tolerance', 'aliases'];
/** Points above this are surely a slip of the keyboard, and would make the gradebook unreadable. */
const MOST_POINTS = new ExactDecimal('1e9');

const isMapping = (v: Plain): v is { [key: string]: Plain } => v !== null && typeof v === 'object' && !Array.isArray(v);

export function readPointsScheme(text: string, file: string, limits: Partial<Limits> = {}): PointsScheme {
  const doc: ReadDocument = readYaml(text, file, { limits, kind: 'a points scheme' });
  const fail = (path: string, message: string): never => {
    throw new InputError(file, path, message, lineOf(doc, path));
  };
  const scheme = { ...defaultScheme(), file };
  if (doc.value === null) return scheme;
  if (!isMapping(doc.value)) fail('', `a points scheme is a mapping of ${KEYS.join(', ')}`);
  const top = doc.value as { [key: string]: Plain };
  const mapping = (v: Plain, at: string, what: string) => {
    if (!isMapping(v)) fail(at, `expected a mapping of ${what}`);
    return v as { [key: string]: Plain };
  };
  const number = (v: Plain, at: string, what: string, most?: Exact): Exact => {
    if (typeof v !== 'string' || !DECIMAL_TEXT.test(v.trim())) fail(at, `expected ${what}, a number written in digits (e.g. 2, 0.5), got ${describe(v)}`);
    const outside = writtenRangeProblem(v as string);
    if (outside) fail(at, outside);
    const x = new ExactDecimal((v as string).trim());
    if (x.isNegative() && !x.isZero()) fail(at, `expected ${what}, got a negative number ${(v as string).trim()}`);
    const top = most ?? MOST_POINTS;
    if (x.gt(top)) fail(at, `expected ${what}, at most ${top.toString()}, got ${(v as string).trim()}`);
    return x;
  };

  for (const [key, value] of Object.entries(top)) {
    switch (key) {
      case 'points':
        scheme.points = number(value, key, "a quantity's points");
        break;
      case 'credit':
        for (const [verdict, fraction] of Object.entries(mapping(value, key, 'verdicts to fractions'))) {
          if (!(VERDICTS as readonly string[]).includes(verdict)) fail(`credit.${verdict}`, `unknown verdict '${verdict}'${didYouMean(verdict, VERDICTS)}; expected ${VERDICTS.join(', ')}`);
          scheme.credit[verdict as Verdict] = number(fraction, `credit.${verdict}`, 'a fraction from 0 to 1', new ExactDecimal(1));
        }
        break;
      case 'quantities':
        for (const [pattern, points] of Object.entries(mapping(value, key, 'path patterns to points'))) {
          const at = `quantities.${pattern}`;
          const problem = patternProblem(pattern);
          if (problem) fail(at, problem);
          scheme.rules.push({ pattern: pathPattern(pattern), points: number(points, at, 'the points of the quantities it matches'), line: lineOf(doc, at) });
        }
        break;
      case 'tolerance':
        scheme.tolerance = toleranceOf(value, fail, number);
        break;
      case 'aliases':
        for (const [alias, path] of Object.entries(mapping(value, key, "a column's words to quantity paths"))) {
          if (typeof path !== 'string' || path.trim() === '') fail(`aliases.${alias}`, `expected the path of a quantity (e.g. step1.sample1.h1), got ${describe(path)}`);
          scheme.aliases.set(alias, (path as string).trim());
        }
        break;
      default:
        fail(key, `unknown key '${key}'${didYouMean(key, KEYS)}; expected ${KEYS.join(', ')}`);
    }
  }
  return scheme;
}

function toleranceOf(v: Plain, fail: (path: string, message: string) => never, number: (v: Plain, at: string, what: string) => Exact): Tolerance {
  const expected = 'digits (half a unit of the last written digit, the default), { abs: X }, { rel: X } or { sig: N }';
  if (v === 'digits') return { kind: 'digits' };
  if (!isMapping(v) || Object.keys(v).length !== 1) return fail('tolerance', `expected ${expected}`);
  const [kind, value] = Object.entries(v)[0]!;
  const at = `tolerance.${kind}`;
  if (kind === 'abs' || kind === 'rel') {
    number(value, at, 'a tolerance');
    return { kind, value: (value as string).trim() };
  }
  if (kind === 'sig') {
    if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 1000) fail(at, `expected a whole number of significant digits from 1 to 1000, got ${describe(value)}`);
    return { kind: 'sig', digits: Number(value) };
  }
  return fail(at, `unknown tolerance '${kind}'${didYouMean(kind, ['abs', 'rel', 'sig'])}; expected ${expected}`);
}

function describe(v: Plain): string {
  if (v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const text = String(v);
  return `'${text.length > 40 ? `${text.slice(0, 40)}…` : text}'`;
}

/** A quantity's points: the last rule whose pattern matches its path, else the scheme's points. */
export function pointsOf(scheme: PointsScheme, path: string): Exact {
  for (let i = scheme.rules.length - 1; i >= 0; i--) if (scheme.rules[i]!.pattern.matches(path)) return scheme.rules[i]!.points;
  return scheme.points;
}

/** The rules whose pattern matches none of `paths` (a misspelt pattern grades nothing). */
export function unusedRules(scheme: PointsScheme, paths: string[]): PointsRule[] {
  return scheme.rules.filter((r) => !paths.some((p) => r.pattern.matches(p)));
}
