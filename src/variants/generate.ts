// `exactprop variants`: one variant of an exercise per student (or per number), each drawn from the
// spec's `variants:` section by a documented hash (draws.ts), kept only when its run meets every
// constraint, with its spec, answer key, blank worksheet and worked solution, and a manifest that
// says which student has which. Everything is a pure function of the spec text, the seed and the ids:
// the same inputs give the same files byte for byte. Files are returned, not written: the command line
// writes them (the library reads and writes no file).
import { parseSpec as readSpec, type ReadOptions } from '../spec/validate.js';
import type { Spec } from '../spec/model.js';
import { InputError } from '../spec/errors.js';
import { VariantsSchema, type RawVariants } from '../spec/schema.js';
import { readYaml, type Plain, type ReadDocument } from '../spec/yaml.js';
import { EvaluationError } from '../graph/run.js';
import { toleranceProblem } from './policy.js';
import { BudgetError } from '../graph/budget.js';
import { ExactDecimal } from '../numeric/context.js';
import { constraintsOf, type Constraint } from './constraints.js';
import { Draws, DRAWS_VERSION } from './draws.js';
import { mistakeValues } from './mistakes.js';
import { DEFAULT_PARTIAL_CREDIT, DEFAULT_POLICY, MOODLE_PERCENTS, plainDecimal, toleranceOf, type GradingPolicy } from './policy.js';
import { matching, oneStepPerEpoch, patternMatcher, quantitiesOf, type Quantities, type Quantity } from './quantities.js';
import { notationOf, statementOf, whereOf, type Statement } from './statement.js';
import { drawValues, placeOf, variantText, variedNumbers, type Varied } from './vary.js';
import { moodleXml, type QuizInfo } from './moodle.js';
import { qtiItem, qtiItemFile, qtiManifest } from './qti.js';
import { bookletLatex } from './booklet.js';

/** The quiz formats an output may hold: Moodle XML, a QTI 2.1 package's files, a LaTeX booklet. */
export const VARIANT_EXPORTS = ['moodle', 'qti', 'booklet'] as const;
export type VariantExport = (typeof VARIANT_EXPORTS)[number];

/** What a blank asks and accepts. */
export interface Blank {
  /** The quantity's answers-file path (epoch1.sample1.h1). */
  path: string;
  /** In words and TeX, for a question: "Epoch 1, sample 1" and h_1. */
  where: string;
  tex: string;
  /** The exact value (the key's), as plain decimal text. */
  value: string;
  /** Marked right within this absolute distance. */
  tolerance: string;
  /** A known mistake's value, with what the student did (several mistakes giving one value are one). */
  mistakes: Array<{ ids: string[]; text: string; value: string }>;
}

export interface Variant {
  /** From 1, in the order of the ids (or 1..count). */
  index: number;
  /** The student's id (or the variant's number, with --count). */
  id: string;
  /** Its folder in the output, v01..vNN. */
  folder: string;
  /** The draw that met the constraints (0 = the first). */
  attempt: number;
  /** Each varied number's value, by its `vary` key. */
  values: Record<string, string>;
  specText: string;
  statement: Statement;
  blanks: Blank[];
}

export interface ManifestVariant {
  index: number;
  id: string;
  attempt: number;
  values: Record<string, string>;
  spec: string;
  key: string;
  worksheet: string;
  solution?: string;
}

/** The manifest: what grading needs to mark each student against their own variant (their spec
 *  and key by id), and what regenerates every variant (the base spec, the seed, the hash). */
export interface Manifest {
  format: typeof DRAWS_VERSION;
  /** The base spec: its file name and its text (variantSpecText rebuilds a variant's spec from it). */
  spec: { file: string; text: string };
  seed: string;
  draws: string;
  ask: string[];
  tolerance: GradingPolicy;
  partial_credit: number;
  variants: ManifestVariant[];
}

export interface VariantsOptions {
  /** The spec's file name (for messages and the manifest; default 'spec.yaml'). */
  file?: string;
  seed: string;
  /** Variants 1..count, or one per id (exactly one of the two). */
  count?: number;
  ids?: string[];
  /** Asked quantities by path pattern, over the spec's `variants.ask`. */
  ask?: string[];
  /** The grading policy, over the spec's `variants.tolerance`. */
  tolerance?: GradingPolicy;
  /** The worked solution's format: a function of the variant's spec that returns its text (the
   *  command line gives one in the format asked), or none. */
  solution?: { extension: string; write: (spec: Spec) => string };
  /** The quiz formats written (default all of VARIANT_EXPORTS). */
  exports?: readonly VariantExport[];
  readDataFile?: ReadOptions['readDataFile'];
  /** Limits over the spec's, for every variant's run. */
  limits?: ReadOptions['limits'];
  /** Seconds the whole call may take (every draw's run included) before it stops with a BudgetError;
   *  counted from `startedAt` (Date.now() milliseconds; default: when the call starts). */
  timeout?: number;
  startedAt?: number;
}

export interface VariantsResult {
  manifest: Manifest;
  variants: Variant[];
  /** Every file, by its path in the output folder, in a fixed order. */
  files: Map<string, string>;
}

/** The most variants (or ids) one call makes. */
export const MAX_VARIANTS = 10_000;
const DEFAULT_ATTEMPTS = 1000;

/** The base spec's `variants:` section, read and checked (located errors), with what it varies. */
interface Prepared {
  text: string;
  doc: ReadDocument;
  base: Spec;
  section: RawVariants;
  varied: Varied[];
  full: boolean;
}

function prepare(text: string, file: string, options: Pick<VariantsOptions, 'readDataFile' | 'limits'>): Prepared {
  const read: ReadOptions = { ...(options.readDataFile ? { readDataFile: options.readDataFile } : {}), ...(options.limits ? { limits: options.limits } : {}) };
  // The whole spec is read first: the section's shape is checked there, with every other section.
  const base = readSpec(text, file, read);
  const doc = readYaml(text, file, read);
  const raw = (doc.value as Record<string, Plain>).variants;
  if (raw === undefined || raw === null) throw new InputError(file, '', 'this spec has no variants: section (what may vary, and what every variant must meet)');
  if (base.tensors) throw new InputError(file, 'variants', 'variants of a torch-style spec are not made yet; write the network with neurons or dense layers', lineAt(doc, 'variants'));
  // A variant's spec is written to another folder, where a data file named relative to the base
  // spec would not be found.
  if (typeof (doc.value as Record<string, Plain>).data === 'string') throw new InputError(file, 'data', 'variants of a spec whose data is a CSV file are not made yet: write the rows in the spec', lineAt(doc, 'data'));
  const section = VariantsSchema.parse(raw);
  return { text, doc, base, section, varied: variedNumbers(doc, section), full: oneStepPerEpoch(base) };
}

/** Makes the variants of a spec that has a `variants:` section. Throws an InputError (located) for a
 *  problem with the spec, the section or the options, and when some id's variant cannot be made within
 *  its attempts (naming the constraint that failed most). */
export function makeVariants(text: string, options: VariantsOptions): VariantsResult {
  const started = options.startedAt ?? Date.now();
  const file = options.file ?? 'spec.yaml';
  const p = prepare(text, file, options);
  const { doc, base, section } = p;
  const ids = idsOf(options, file);
  const ask = options.ask ?? section.ask ?? [];
  if (!ask.length) throw new InputError(file, 'variants', 'say which quantities are asked: variants.ask in the spec, or --ask (e.g. epoch1.*.h*,epoch1.params.*)', lineAt(doc, 'variants'));
  const policy = options.tolerance ?? policyOf(section.tolerance);
  const policyProblem = problemOf(policy);
  if (policyProblem) throw options.tolerance ? new RangeError(policyProblem) : new InputError(file, 'variants.tolerance', policyProblem, lineAt(doc, 'variants.tolerance'));
  const partial = section.partial_credit !== undefined ? Number(section.partial_credit) : DEFAULT_PARTIAL_CREDIT;
  if (!MOODLE_PERCENTS.includes(partial)) throw new InputError(file, 'variants.partial_credit', `a share Moodle accepts: ${MOODLE_PERCENTS.join(', ')} (percent)`, lineAt(doc, 'variants.partial_credit'));
  const attempts = section.attempts !== undefined ? Number(section.attempts) : DEFAULT_ATTEMPTS;
  if (attempts < 1 || attempts > 100_000) throw new InputError(file, 'variants.attempts', 'from 1 to 100,000 attempts', lineAt(doc, 'variants.attempts'));

  // Patterns and conditions are checked against the base spec's own run.
  const baseQ = quantitiesOf(base);
  ask.forEach((pattern, i) => {
    const test = patternMatcher(pattern, p.full);
    if (!baseQ.list.some((x) => test(x.path))) {
      const where = options.ask ? '' : `variants.ask[${i + 1}]`;
      throw new InputError(file, where, `'${pattern}' asks for no quantity of the training (paths as answers files write them: ${p.full ? 'epoch1' : 'step1'}.sample1.h1, ${p.full ? 'epoch1' : 'step1'}.params.w1, final.loss.total)`, where ? lineAt(doc, where) : undefined);
    }
  });
  const constraints = constraintsOf(section, { doc, full: p.full, precision: base.precision, ask, base: baseQ });

  if (options.timeout !== undefined && !(options.timeout > 0 && Number.isFinite(options.timeout))) throw new RangeError(`timeout takes a number of seconds greater than 0, got ${options.timeout}`);
  const budget: Budget = options.timeout === undefined ? {} : { timeout: options.timeout, deadline: started + options.timeout * 1000 };
  const exports = options.exports ?? VARIANT_EXPORTS;
  for (const e of exports) if (!VARIANT_EXPORTS.includes(e)) throw new RangeError(`unknown export '${String(e)}' (${VARIANT_EXPORTS.join(', ')})`);
  // The mistakes' values are for the quizzes' partial credit: computed only when a quiz offers them.
  const withMistakes = partial > 0 && (exports.includes('moodle') || exports.includes('qti'));
  const width = String(ids.length).length < 2 ? 2 : String(ids.length).length;
  const variants: Variant[] = ids.map((id, i) => {
    const index = i + 1;
    const made = drawVariant(p, id, constraints, attempts, options, file, budget);
    const folder = `v${String(index).padStart(width, '0')}`;
    const { attempt, values, specText, statement } = made;
    outOfTime(budget, file, `variant ${index}'s quiz alternatives`);
    return { index, id, folder, attempt, values, specText, statement, blanks: blanksOf(made.spec, made.q, ask, p.full, policy, withMistakes) };
  });

  const manifest: Manifest = {
    format: DRAWS_VERSION,
    spec: { file: baseName(file), text },
    seed: options.seed,
    draws: 'attempt a of id i under seed s draws from SHA-256("exactprop-variants/1" NUL s NUL i NUL a NUL k), k = 0, 1, ..., 8 bytes at a time, big-endian; a whole number below c by rejection (docs/variants.md)',
    ask,
    tolerance: policy,
    partial_credit: partial,
    variants: variants.map((v) => ({
      index: v.index, id: v.id, attempt: v.attempt, values: v.values,
      spec: `${v.folder}/spec.yaml`, key: `${v.folder}/key.json`, worksheet: `${v.folder}/worksheet.yaml`,
      ...(options.solution ? { solution: `${v.folder}/solution.${options.solution.extension}` } : {}),
    })),
  };
  const files = new Map<string, string>();
  files.set('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  for (const v of variants) {
    files.set(`${v.folder}/spec.yaml`, v.specText);
    files.set(`${v.folder}/key.json`, keyText(v.blanks));
    files.set(`${v.folder}/worksheet.yaml`, worksheetText(v, baseName(file)));
    if (options.solution) files.set(`${v.folder}/solution.${options.solution.extension}`, options.solution.write(parseVariant(v.specText, file, options)));
  }
  const info: QuizInfo = { title: baseName(file).replace(/\.(ya?ml|json)$/i, ''), policy, partialCredit: partial };
  if (exports.includes('moodle')) files.set('moodle.xml', moodleXml(variants, info));
  if (exports.includes('qti')) {
    files.set('qti/imsmanifest.xml', qtiManifest(variants, info));
    for (const v of variants) files.set(`qti/${qtiItemFile(v)}`, qtiItem(v, info));
  }
  if (exports.includes('booklet')) files.set('booklet.tex', bookletLatex(variants, info));
  return { manifest, variants, files };
}

function parseVariant(text: string, file: string, options: Pick<VariantsOptions, 'readDataFile' | 'limits'>): Spec {
  return readSpec(text, file, { ...(options.readDataFile ? { readDataFile: options.readDataFile } : {}), ...(options.limits ? { limits: options.limits } : {}) });
}

/** The time budget of a call: the deadline every draw's run is held to too. */
type Budget = { timeout?: number; deadline?: number };

function outOfTime(budget: Budget, file: string, where: string): void {
  if (budget.deadline !== undefined && Date.now() > budget.deadline) throw timeUp(budget, file, where);
}

/** The call's time is up: said of the variants (the call's budget, whichever run or draw met it). */
function timeUp(budget: Budget, file: string, where: string): BudgetError {
  return new BudgetError('time', file, `the variants took more than the time allowed (${budget.timeout} s), at ${where} (raise it with --timeout SECONDS)`, 0, 0);
}

/** The first draw for `id` whose run meets every constraint; an error naming the constraints that
 *  failed most when none does within `attempts`. */
function drawVariant(p: Prepared, id: string, constraints: Constraint[], attempts: number, options: VariantsOptions, file: string, budget: Budget) {
  const failures = new Map<string, { count: number; example: string }>();
  const failed = (name: string, why: string) => {
    const f = failures.get(name);
    if (f) f.count++;
    else failures.set(name, { count: 1, example: why });
  };
  for (let attempt = 0; attempt < attempts; attempt++) {
    const where = `attempt ${attempt + 1} for ${options.ids ? `id '${id}'` : `variant ${id}`}`;
    outOfTime(budget, file, where);
    const values = drawValues(p.varied, new Draws(options.seed, id, attempt));
    const specText = variantText(p.text, p.varied, p.varied.map((v) => values[v.key]!), heading(baseName(file)));
    let spec: Spec;
    let q: Quantities;
    try {
      spec = parseVariant(specText, file, options);
      q = quantitiesOf(spec, budget);
    } catch (e) {
      // The draw's run held to the call's deadline stopped there: the call's time is up.
      if (e instanceof BudgetError && e.budget === 'time' && budget.deadline !== undefined) throw timeUp(budget, file, where);
      // A draw whose spec cannot run (a log of 0, a value out of range) is a failed draw like another.
      if (e instanceof EvaluationError || (e instanceof InputError && !(e instanceof BudgetError))) {
        failed('the run', e.message);
        continue;
      }
      throw e;
    }
    const why = constraints.map((c) => [c.name, c.fails(q)] as const).filter(([, w]) => w !== undefined);
    if (!why.length) return { attempt, values, specText, spec, q, statement: statementOf(spec, notationOf(spec, q)) };
    for (const [name, w] of why) failed(name, w!);
  }
  const worst = [...failures.entries()].sort((a, b) => b[1].count - a[1].count).slice(0, 3)
    .map(([name, f]) => `${name} failed ${f.count} times (e.g. ${f.example})`).join('; ');
  throw new InputError(file, 'variants', `no variant for ${options.ids ? `id '${id}'` : `variant ${id}`} met the constraints in ${attempts} attempts: ${worst}. Widen the ranges, loosen the constraints, or raise variants.attempts`, lineAt(p.doc, 'variants'));
}

// The same for every variant: a variant's spec is a function of the base spec, the seed and the id alone.
const heading = (file: string) => ` A variant of ${file}: its numbers drawn by exactprop variants from the base spec's variants: section.`;
const baseName = (file: string) => file.replace(/^.*[\\/]/, '');

function idsOf(options: VariantsOptions, file: string): string[] {
  if ((options.count === undefined) === (options.ids === undefined)) throw new RangeError('give a count of variants or a list of ids, not both');
  if (options.count !== undefined) {
    if (!Number.isInteger(options.count) || options.count < 1 || options.count > MAX_VARIANTS) throw new RangeError(`count takes a whole number from 1 to ${MAX_VARIANTS}, got ${options.count}`);
    return Array.from({ length: options.count }, (_, i) => String(i + 1));
  }
  const ids = options.ids!;
  if (!ids.length) throw new InputError(file, '', 'the list of ids is empty');
  if (ids.length > MAX_VARIANTS) throw new RangeError(`at most ${MAX_VARIANTS} ids, got ${ids.length}`);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new RangeError(`the id '${id}' is given twice`);
    seen.add(id);
  }
  return ids;
}

function policyOf(t: RawVariants['tolerance']): GradingPolicy {
  if (!t) return DEFAULT_POLICY;
  if ('abs' in t) return { abs: t.abs };
  if ('rel' in t) return { rel: t.rel };
  return { sig: Number(t.sig) };
}

/** What is wrong with a grading policy: a tolerance that is not a non-negative number in decimal
 *  arithmetic's range, or a count of significant digits outside 1..100. */
function problemOf(policy: GradingPolicy): string | undefined {
  if ('sig' in policy) return Number.isInteger(policy.sig) && policy.sig >= 1 && policy.sig <= 100 ? undefined : `sig takes a whole number of significant digits from 1 to 100, got ${policy.sig}`;
  const [name, value] = 'abs' in policy ? ['abs', policy.abs] : ['rel', policy.rel];
  return toleranceProblem(name, value);
}

const lineAt = (doc: ReadDocument, path: string) => doc.lines.get(path);
const plain = (v: { toString(): string }) => plainDecimal(new ExactDecimal(v.toString()));

/** The asked quantities of a variant, with their exact values, tolerances and mistakes' values. */
function blanksOf(spec: Spec, q: Quantities, ask: string[], full: boolean, policy: GradingPolicy, withMistakes: boolean): Blank[] {
  const asked: Quantity[] = matching(q, ask, full);
  const notation = notationOf(spec, q);
  const keys = asked.map((x) => q.graph.nodes[x.node]!.key);
  const mistakes = withMistakes ? mistakeValues(spec, keys) : new Map();
  return asked.map((x, i) => {
    const value = plain(x.value);
    const tolerance = toleranceOf(policy, value);
    const tol = new ExactDecimal(tolerance);
    // A mistake's value Moodle could not tell from the right one (or from an earlier mistake's) is
    // left out; mistakes giving the same value are one alternative with every text.
    const alternatives: Blank['mistakes'] = [];
    for (const m of mistakes.get(keys[i]!) ?? []) {
      const v = plain(m.value);
      const d = new ExactDecimal(v);
      if (d.minus(value).abs().lte(tol.times(2))) continue;
      const same = alternatives.find((a) => a.value === v);
      if (same) {
        same.ids.push(m.id);
        same.text += `; or ${m.text}`;
        continue;
      }
      if (alternatives.some((a) => new ExactDecimal(a.value).minus(d).abs().lte(tol.times(2)))) continue;
      alternatives.push({ ids: [m.id], text: m.text, value: v });
    }
    return { path: x.path, where: whereOf(x.path), tex: notation.name(q.graph.nodes[x.node]!.name), value, tolerance, mistakes: alternatives };
  });
}

/** The answer key: an answers file (JSON, shaped like the trace) holding every asked quantity's exact
 *  value, so that `exactprop check` of the variant's spec grades it all correct. */
export function keyText(blanks: Blank[]): string {
  const root: Record<string, unknown> = {};
  for (const b of blanks) setPath(root, b.path.split('.'), b.value);
  return JSON.stringify(root, null, 2) + '\n';
}

function setPath(root: Record<string, unknown>, parts: string[], value: unknown): void {
  let node = root;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

/** The blank worksheet: an answers file with every asked quantity left blank, for the student to fill
 *  in and `exactprop check` (or grade) to read. */
function worksheetText(v: Variant, file: string): string {
  const lines = [`# Worksheet of variant ${v.index} of ${file}: write each value after its colon.`, '# Your spec is spec.yaml beside this file. Keep the digits you worked with.'];
  const root: Record<string, unknown> = {};
  for (const b of v.blanks) setPath(root, b.path.split('.'), null);
  const walk = (node: Record<string, unknown>, indent: string) => {
    for (const [k, child] of Object.entries(node)) {
      if (child === null) lines.push(`${indent}${k}:`);
      else {
        lines.push(`${indent}${k}:`);
        walk(child as Record<string, unknown>, `${indent}  `);
      }
    }
  };
  walk(root, '');
  return lines.join('\n') + '\n';
}

/** The manifest's variant for a student id (or a variant's number with --count). */
export function manifestVariant(manifest: Manifest, id: string): ManifestVariant | undefined {
  return manifest.variants.find((v) => v.id === id);
}

/**
 * The spec text of student `id`'s variant, rebuilt from the manifest alone (its base spec and the
 * student's values): the very text `makeVariants` wrote to that variant's spec.yaml. This is the hook
 * grading uses to mark each student against their own variant. Throws a RangeError for an unknown id.
 */
export function variantSpecText(manifest: Manifest, id: string): string {
  if (manifest.format !== DRAWS_VERSION) throw new RangeError(`not a manifest of exactprop variants (format '${String(manifest.format)}', expected '${DRAWS_VERSION}')`);
  const v = manifestVariant(manifest, id);
  if (!v) throw new RangeError(`no variant for id '${id}' in the manifest`);
  // The values are written into the spec's text: anything but a plain decimal could rewrite the spec.
  for (const [k, value] of Object.entries(v.values)) {
    if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) throw new RangeError(`the manifest's value of ${k} for id '${id}' is not a plain decimal: ${JSON.stringify(value).slice(0, 40)}`);
  }
  const doc = readYaml(manifest.spec.text, manifest.spec.file);
  const root = doc.value as Record<string, Plain>;
  const keys = Object.keys(v.values);
  const paths = keys.map((k) => ({ path: placeOf(k, root, (m) => { throw new InputError(manifest.spec.file, `variants.vary.${k}`, m); }) }));
  return variantText(manifest.spec.text, paths, keys.map((k) => v.values[k]!), heading(manifest.spec.file));
}
