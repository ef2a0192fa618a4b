// What may vary: each `variants.vary` entry names one number of the spec (by its place, or by the name
// of a param or constant) and the values it may take, a range by a step or a set of choices. Values are
// decimal text from start to end: a range's value is from + k*step with k a whole number drawn from the
// variant's hash (draws.ts), computed in exact decimal arithmetic, never through a double. A variant's
// spec is the base spec's text with those numbers rewritten and its `variants:` section removed.
import { isMap, isScalar, parseDocument } from 'yaml';
import { ExactDecimal } from '../numeric/context.js';
import { DECIMAL_TEXT } from '../numeric/context.js';
import { InputError } from '../spec/errors.js';
import type { RawVariants } from '../spec/schema.js';
import { lineOf, type Plain, type ReadDocument } from '../spec/yaml.js';
import { didYouMean } from '../text/did-you-mean.js';
import type { Draws } from './draws.js';

type D = InstanceType<typeof ExactDecimal>;

/** One number that varies: its place in the spec and the values it may take. */
export interface Varied {
  /** Its place as the user wrote it in `vary` (the manifest's key for its value). */
  key: string;
  /** Its place in the spec's YAML: keys and list indices from 0. */
  path: Array<string | number>;
  /** How many values it may take. */
  count: bigint;
  /** The k-th value (0 <= k < count), as decimal text. */
  value: (k: bigint) => string;
  /** Values never drawn. */
  excluded: Set<string>;
}

/** The sections whose numbers may vary; the rest (precision, epochs, limits) would change the exercise's shape. */
const VARIABLE_SECTIONS = ['params', 'constants', 'data', 'training'];
const FIXED_TRAINING = ['epochs', 'batch', 'optimizer'];
/** Numbers a vary entry may name: well inside decimal arithmetic and a hand calculation. */
const MAX_PLACES = 30;
const MAX_MAGNITUDE = new ExactDecimal('1e30');

/** Reads `variants.vary` against the spec it belongs to: every place exists and holds a number, every
 *  range is well formed and not empty. Problems are located at the entry. */
export function variedNumbers(doc: ReadDocument, section: RawVariants): Varied[] {
  const fail = (path: string, message: string): never => {
    throw new InputError(doc.file, path, message, lineOf(doc, path));
  };
  const root = doc.value as Record<string, Plain>;
  const entries = Object.entries(section.vary);
  if (!entries.length) fail('variants.vary', 'give at least one number that varies (e.g. params.w1: { from: -1, to: 1, step: 0.5 })');
  const seen = new Map<string, string>();
  return entries.map(([key, domain]) => {
    const at = `variants.vary.${key}`;
    const path = placeOf(key, root, (m) => fail(at, m));
    const joined = path.join('|');
    if (seen.has(joined)) fail(at, `names the same number as ${seen.get(joined)}`);
    seen.set(joined, key);
    const number = (text: string, where: string): D => {
      const d = new ExactDecimal(text);
      if (!d.isFinite() || d.abs().gt(MAX_MAGNITUDE) || (!d.isZero() && d.decimalPlaces() > MAX_PLACES)) fail(`${at}.${where}`, `a varied number is at most 1e30 in size with at most ${MAX_PLACES} decimal places, got ${text}`);
      return d;
    };
    const excluded = new Set<string>();
    if ('choices' in domain) {
      const choices = domain.choices.map((c, i) => {
        return decimalText(number(c, `choices[${i + 1}]`));
      });
      return { key, path, count: BigInt(choices.length), value: (k: bigint) => choices[Number(k)]!, excluded };
    }
    const from = number(domain.from, 'from');
    const to = number(domain.to, 'to');
    if (domain.step !== undefined && domain.places !== undefined) fail(at, 'give a step or decimal places, not both');
    if (domain.places !== undefined && Number(domain.places) > MAX_PLACES) fail(`${at}.places`, `at most ${MAX_PLACES} decimal places`);
    const step = domain.step !== undefined ? number(domain.step, 'step') : domain.places !== undefined ? new ExactDecimal(10).pow(-Number(domain.places)) : new ExactDecimal(1);
    if (!step.gt(0)) fail(`${at}.step`, `the step is greater than 0, got ${domain.step}`);
    if (to.lt(from)) fail(`${at}.to`, `the range ends (${domain.to}) before it starts (${domain.from})`);
    const count = BigInt(to.minus(from).div(step).floor().toFixed(0)) + 1n;
    const value = (k: bigint) => decimalText(from.plus(step.times(k.toString())));
    for (const [i, e] of (domain.exclude ?? []).entries()) excluded.add(decimalText(number(e, `exclude[${i + 1}]`)));
    // Every value excluded: nothing could ever be drawn.
    if (count <= BigInt(excluded.size)) {
      let k = 0n;
      while (k < count && excluded.has(value(k))) k++;
      if (k === count) fail(`${at}.exclude`, 'every value of the range is excluded');
    }
    return { key, path, count, value, excluded };
  });
}

/** A decimal as plain text, without an exponent or trailing zeros (0.5, -2, 0.0625). */
const decimalText = (d: D): string => (d.isZero() ? '0' : d.toFixed());

/** A value of each varied number, drawn in the order of `vary`; an excluded value is drawn again. */
export function drawValues(varied: Varied[], draws: Draws): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of varied) {
    let value = v.value(draws.below(v.count));
    // Bounded: at least one value is not excluded (variedNumbers checked), and each redraw is fair.
    for (let tries = 0; v.excluded.has(value) && tries < 10_000; tries++) value = v.value(draws.below(v.count));
    if (v.excluded.has(value)) throw new RangeError(`no value of ${v.key} outside its exclusions was drawn`);
    out[v.key] = value;
  }
  return out;
}

/**
 * The place in the spec that `key` names: `params.w1`, `data[2].i1`, `params.W1[1][2]` (lists counted
 * from 1, as error messages count them), or the bare name of a param, a constant or a training option.
 */
export function placeOf(key: string, root: Record<string, Plain>, fail: (message: string) => never): Array<string | number> {
  const segments = key.includes('.') || key.includes('[') ? parsePlace(key, fail) : bareName(key, root, fail);
  const section = segments[0];
  if (typeof section !== 'string' || !VARIABLE_SECTIONS.includes(section)) fail(`only numbers under ${VARIABLE_SECTIONS.join(', ')} may vary`);
  if (section === 'training' && FIXED_TRAINING.includes(String(segments[1]))) fail(`training.${String(segments[1])} fixes the exercise's shape and cannot vary`);
  let node: Plain = root;
  const walked: string[] = [];
  for (const s of segments) {
    const where = walked.length ? ` in ${walked.join('.')}` : '';
    if (typeof s === 'number') {
      if (!Array.isArray(node) || s >= node.length) fail(`no entry ${s + 1}${where}`);
      node = (node as Plain[])[s]!;
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !(s in node)) {
        const keys = node !== null && typeof node === 'object' && !Array.isArray(node) ? Object.keys(node) : [];
        fail(`no '${s}'${where}${didYouMean(s, keys)}`);
      }
      node = (node as Record<string, Plain>)[s]!;
    }
    walked.push(String(s));
  }
  if (typeof node !== 'string' || !DECIMAL_TEXT.test(node)) fail('names no number of the spec (a matrix entry is params.W1[1][2])');
  return segments;
}

function parsePlace(key: string, fail: (message: string) => never): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of key.split('.')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) fail(`'${key}' is not a place in the spec (params.w1, data[2].i1, params.W1[1][2])`);
    out.push(m![1]!);
    for (const index of m![2]!.matchAll(/\[(\d+)\]/g)) {
      const i = Number(index[1]);
      if (i < 1) fail('lists are counted from 1');
      out.push(i - 1);
    }
  }
  return out;
}

function bareName(name: string, root: Record<string, Plain>, fail: (message: string) => never): Array<string | number> {
  for (const section of ['params', 'constants', 'training']) {
    const s = root[section];
    if (s && typeof s === 'object' && !Array.isArray(s) && name in s) return [section, name];
  }
  const names = ['params', 'constants', 'training'].flatMap((s) => {
    const v = root[s];
    return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
  });
  return fail(`no param, constant or training option '${name}'${didYouMean(name, names)} (or give its place: data[1].i1)`);
}

/** The variant's spec: the base text with each varied number's text replaced where it is written and
 *  the `variants:` section cut out, a comment saying which variant it is on top; every other byte is
 *  the base's. The text is read with YAML's failsafe schema (every scalar is its text), so nothing is
 *  read as a double. */
export function variantText(base: string, varied: Array<{ path: Array<string | number> }>, values: string[], heading: string): string {
  const doc = parseDocument(base, { schema: 'failsafe' });
  const cuts: Array<[number, number, string]> = [];
  varied.forEach((v, i) => {
    const node = doc.getIn(v.path, true);
    if (!isScalar(node) || !node.range) throw new RangeError(`no number at ${v.path.join('.')}`);
    cuts.push([node.range[0], node.range[1], values[i]!]);
  });
  const contents = doc.contents;
  if (isMap(contents)) {
    const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'variants');
    if (pair && isScalar(pair.key) && pair.key.range) {
      let from = base.lastIndexOf('\n', pair.key.range[0] - 1) + 1;
      // The comment lines just above the section are about it (unless they open the file).
      for (let above = from; above > 0;) {
        const start = base.lastIndexOf('\n', above - 2) + 1;
        if (start === 0 || !/^\s*#/.test(base.slice(start, above))) break;
        from = above = start;
      }
      const valueEnd = (pair.value as { range?: [number, number, number] } | null)?.range?.[2] ?? pair.key.range[2];
      // To the end of the section's last line.
      const lineEnd = base.indexOf('\n', Math.max(valueEnd - 1, from));
      cuts.push([from, lineEnd < 0 ? base.length : lineEnd + 1, '']);
    }
  }
  let text = base;
  for (const [from, to, replacement] of cuts.sort((a, b) => b[0] - a[0])) text = text.slice(0, from) + replacement + text.slice(to);
  return `#${heading}\n${text.endsWith('\n') || !text ? text : `${text}\n`}`;
}
