// exactprop as a library: read a spec, train it exactly, derive, check hand calculations, print a worked
// solution. The functions the command line is made of, composed the way its commands compose them, with
// plain values out (the JSON contract: values as decimal strings). This entry imports no Node built-in,
// so a browser bundler can use it; reading files sits in 'exactprop/node'. Importing it changes no
// global state.
import { parseSpec as readSpec, type ReadOptions } from './spec/validate.js';
import type { Spec } from './spec/model.js';
import { InputError } from './spec/errors.js';
import { LimitError, type Limits } from './spec/limits.js';
import { run as runSpec, type RunOptions as EngineOptions, type Trace, type Warning } from './graph/run.js';
import type { BudgetOptions } from './graph/budget.js';
import { certifiedRun, displayDigits, type Certification, type Undecidable } from './certify/certify.js';
import { whyNotRational } from './certify/exact.js';
import { jsonWriter } from './render/json.js';
import { solution, written, type SolutionWriter } from './render/solution.js';
import { textWriter } from './render/text.js';
import { documentWriter } from './render/solution-doc.js';
import { markdownSink, markdown } from './render/markdown.js';
import { latexSink, latex } from './render/latex.js';
import type { BlockSink } from './render/document.js';
import { atProblem, derivativesAt, derivatives as paramDerivatives, type ParamDerivative } from './graph/derive.js';
import { derivationDocument, derivationText, type DerivationReport } from './render/derivation.js';
import { print } from './render/text.js';
import { isOne } from './symbolic/build.js';
import { answerShape, extentOf, parseAnswers } from './check/answers.js';
import { Checker, type Diagnosis, type Verdict } from './check/check.js';
import { jsonReport } from './check/report.js';
import { writtenRangeProblem, type Tolerance } from './check/tolerance.js';
import { DECIMAL_TEXT, MAX_PRECISION, MIN_PRECISION } from './numeric/context.js';
import { didYouMean } from './text/did-you-mean.js';

export { InputError, InputError as SpecError } from './spec/errors.js';
export { LimitError } from './spec/limits.js';
export { BudgetError } from './graph/budget.js';
export { EvaluationError } from './graph/run.js';
export { TooManyPathsError } from './graph/derive.js';
export type { Spec } from './spec/model.js';
export type { Limits } from './spec/limits.js';
export type { Tolerance } from './check/tolerance.js';
export type { Diagnosis, Verdict } from './check/check.js';
export type { Warning } from './graph/run.js';
export type { Undecidable } from './certify/certify.js';

// ------------------------------------------------------------------------------------------- parseSpec

export interface ParseOptions {
  /** The name errors are located in (default 'spec.yaml'); also the folder data files are read from. */
  file?: string;
  /** Working precision in significant digits, over the spec's own `precision:`. */
  precision?: number;
  /** Limits over the defaults; the spec's `limits:` may raise the model-size ones unless specMayRaise is false. */
  limits?: Partial<Limits>;
  specMayRaise?: boolean;
  /** Reads a data file the spec names (`data: rows.csv`) by its path relative to the spec; without it a
   *  spec cannot name one ('exactprop/node' gives one that reads the file system). */
  readDataFile?: (relativePath: string, maxBytes: number) => string;
}

/** Reads a spec (YAML or JSON text). Throws an InputError (alias SpecError) located at file, line and key path. */
export function parseSpec(text: string, options: ParseOptions = {}): Spec {
  const { file = 'spec.yaml', precision, ...rest } = options;
  if (precision !== undefined) wholeIn(precision, 'precision', MIN_PRECISION, MAX_PRECISION);
  const read: ReadOptions = { ...rest, ...(precision !== undefined ? { precision } : {}) };
  return readSpec(text, file, read);
}

// ------------------------------------------------------------------------------------------------- run

export interface RunOptions {
  /** Working precision in significant digits, over the spec's. */
  precision?: number;
  /** 'decimal' (default, the fast BigDecimal), 'decimal.js' (every value computed by decimal.js itself)
   *  or 'rational' (exact fractions, for specs whose every operation is rational). */
  arithmetic?: 'decimal' | 'decimal.js' | 'rational';
  /** Compute again at 20 more digits: each step carries `certified_digits`, and the trace `undecidable`. */
  certify?: boolean;
  /** Limits over the spec's own (steps, work, exact digits...). */
  limits?: Partial<Limits>;
  /** Aborting stops the run at its next check with a BudgetError. */
  signal?: AbortSignal;
  /** Seconds the run may take before it stops with a BudgetError. */
  timeout?: number;
}

/** The JSON trace, the shape `exactprop run --format json` prints: every value a decimal string. */
export interface TraceJson {
  precision: number;
  arithmetic: 'decimal' | 'rational';
  optimizer: { name: string; title: string; options: Record<string, unknown> };
  conventions: Record<string, unknown>;
  frozen?: string[];
  initial: { params: Record<string, string> };
  certify?: { reference_precision: number; fewest_certified_digits: number };
  steps: StepJson[];
  warnings: Warning[];
  undecidable?: Undecidable[];
}

export interface StepJson {
  step: number;
  epoch: number;
  samples: Array<{ sample: number; values: Record<string, string>; adjoints: Record<string, string>; gradients: Record<string, string>; loss: string }>;
  loss: { data: string; penalty: string; total: string };
  gradients: Record<string, string>;
  optimizer: Record<string, Record<string, string>>;
  params: Record<string, string>;
  certified_digits?: Record<string, unknown>;
}

/** What render() needs of a run, kept beside the plain value run() returns. */
interface Held {
  trace: Trace;
  certification?: Certification;
  json: string;
}
const held = new WeakMap<object, Held>();

/** Trains the spec and returns the whole trace in the JSON contract's shape. */
export function run(spec: Spec, options: RunOptions = {}): TraceJson {
  const arithmetic = options.arithmetic ?? 'decimal';
  if (!['decimal', 'decimal.js', 'rational'].includes(arithmetic)) throw new RangeError(`unknown arithmetic '${String(arithmetic)}' (decimal, decimal.js, rational)`);
  if (options.certify && arithmetic === 'rational') throw new RangeError('certify and rational arithmetic do not go together: exact fractions need no certificate');
  const used = withPrecision(spec, options.precision);
  if (arithmetic === 'rational') {
    const reason = whyNotRational(used);
    if (reason) throw new InputError(used.file, '', `this spec cannot be computed in exact fractions: ${reason}. In decimal arithmetic it is computed to ${used.precision} significant digits (certify proves them).`);
  }
  const engine: EngineOptions = { arithmetic, ...(options.limits ? { limits: options.limits } : {}), ...budgetOf(options) };
  const { trace, certification } = options.certify ? certifiedRun(used, engine) : { trace: runSpec(used, engine), certification: undefined };
  // The JSON writer of the command line, so that the library's trace is the CLI's, value for value.
  let json = '';
  const writer = jsonWriter((t) => (json += t), certification ? { certification } : {});
  writer.start(trace);
  for (const step of trace.steps) writer.step(trace, step);
  writer.end(trace);
  const result = JSON.parse(json) as TraceJson;
  held.set(result, { trace, json, ...(certification ? { certification } : {}) });
  return result;
}

function withPrecision(spec: Spec, precision: number | undefined): Spec {
  if (precision === undefined || precision === spec.precision) return spec;
  wholeIn(precision, 'precision', MIN_PRECISION, MAX_PRECISION);
  return { ...spec, precision };
}

function budgetOf(options: RunOptions): BudgetOptions {
  const budget: BudgetOptions = {};
  if (options.signal) budget.signal = options.signal;
  if (options.timeout !== undefined) {
    if (!(options.timeout > 0) || !Number.isFinite(options.timeout)) throw new RangeError(`timeout takes a number of seconds greater than 0, got ${options.timeout}`);
    budget.timeout = options.timeout;
    budget.deadline = Date.now() + options.timeout * 1000;
  }
  return budget;
}

function wholeIn(value: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} takes a whole number from ${min} to ${max}, got ${value}`);
}

// ---------------------------------------------------------------------------------------------- render

export type Format = 'text' | 'markdown' | 'latex' | 'html' | 'json';

export interface RenderOptions {
  /** Significant digits shown (default 12; a certified run shows no more than its fewest certified). */
  digits?: number;
}

/** The solution of a run in one format: exactly what `exactprop run --format FORMAT` prints. HTML needs
 *  KaTeX's stylesheet from the file system: render it with 'exactprop/node'. */
export function render(result: TraceJson, format: Format, options: RenderOptions = {}): string {
  if (format === 'html') throw new RangeError("the html format reads KaTeX's stylesheet from the file system: import render from 'exactprop/node'");
  return renderWith(result, format, options, () => {
    throw new RangeError(`unknown format '${String(format)}' (text, markdown, latex, json)`);
  });
}

/** render(), with the sink of a format this entry does not print (the Node entry's HTML). @internal */
export function renderWith(result: TraceJson, format: string, options: RenderOptions, other: (write: (text: string) => void) => BlockSink): string {
  const h = held.get(result);
  if (!h) throw new TypeError('render takes the value run() returned');
  if (format === 'json') return h.json;
  const digits = options.digits ?? 12;
  wholeIn(digits, 'digits', 1, 1000);
  const { trace, certification } = h;
  let out = '';
  const write = (t: string) => (out += t);
  const shown = displayDigits(digits, certification);
  let writer: SolutionWriter;
  if (format === 'text') {
    writer = textWriter(write, { digits: shown, ...(certification ? { certification } : {}) });
  } else {
    const sink = format === 'markdown' ? markdownSink(write) : format === 'latex' ? latexSink(write) : other(write);
    writer = documentWriter(sink, { digits: shown });
  }
  written(solution(trace), writer);
  return out;
}

// ---------------------------------------------------------------------------------------------- derive

export interface DeriveOptions {
  /** Only this trained param (default: every one). */
  param?: string;
  /** Evaluate both forms at one step and one sample (data row from 1) of that step's batch. */
  at?: { step: number; sample: number };
  /** The report's format (default text): what `exactprop derive --format FORMAT` prints. */
  format?: 'text' | 'markdown' | 'latex';
  digits?: number;
  /** The largest expanded form written out, in nodes (default: the spec's limits). */
  maxNodes?: number;
}

export interface DerivativeJson {
  param: string;
  /** dL/dloss, the weight of one sample's loss. */
  seed: string;
  /** The chain rule, as `derive` writes it: "sum over the samples of dloss/dyhat * dyhat/dh1 * ...". */
  chain: string;
  /** Each local factor d(of)/d(wrt) and its formula. */
  factors: Array<{ of: string; wrt: string; formula: string }>;
  paths: string[][];
  penalty?: string;
  /** One sample's loss with the neurons substituted, and its derivative. */
  expandedLoss: string;
  expanded: string;
  /** With `at`: the values at that step, for each sample of its batch. */
  at?: Array<{ step: number; sample: number; seed: string; factors: string[]; share: string; expandedShare: string; penalty?: string; gradient: string }>;
}

export interface DeriveResult {
  derivatives: DerivativeJson[];
  /** The whole report as `exactprop derive` prints it. */
  report: string;
}

/** The derivative of the loss with respect to each trained param: its chain-rule and expanded forms. */
export function derive(spec: Spec, options: DeriveOptions = {}): DeriveResult {
  const params = spec.params.map((p) => p.name);
  if (options.param !== undefined && !params.includes(options.param)) {
    throw new RangeError(`unknown param '${options.param}'${didYouMean(options.param, params)}; the trained params are ${params.join(', ')}`);
  }
  const digits = options.digits ?? 12;
  wholeIn(digits, 'digits', 1, 1000);
  const derivs = paramDerivatives(spec, options.param, options.maxNodes !== undefined ? { maxNodes: options.maxNodes } : {});
  const report: DerivationReport = { spec, derivatives: derivs, digits };
  if (options.at) {
    const problem = atProblem(spec, options.at.step, options.at.sample);
    if (problem) throw new RangeError(`at: ${problem}`);
    report.at = derivativesAt(spec, derivs, options.at, (s) => runSpec(s));
  }
  const format = options.format ?? 'text';
  const text = format === 'text' ? derivationText(report) : format === 'markdown' ? markdown(derivationDocument(report)) : latex(derivationDocument(report));
  return { derivatives: derivs.map((d) => derivativeJson(d, report)), report: text };
}

function derivativeJson(d: ParamDerivative, report: DerivationReport): DerivativeJson {
  const name = (i: number) => `d${d.factors[i]!.of}/d${d.factors[i]!.wrt}`;
  const products = d.paths.map((p) => p.factors.map(name).join(' * '));
  const seed = isOne(d.seed) ? '' : 'dL/dloss * ';
  const sum = products.length === 0 ? '' : `sum over the samples of ${seed}${products.length === 1 ? products[0] : `(${products.join(' + ')})`}`;
  const terms = [sum, d.penalty ? `dpenalty/d${d.param}` : ''].filter(Boolean);
  const at = report.at?.byParam.get(d.param);
  return {
    param: d.param,
    seed: print(d.seed),
    chain: `dL/d${d.param} = ${terms.length ? terms.join(' + ') : '0'}`,
    factors: d.factors.map((f) => ({ of: f.of, wrt: f.wrt, formula: print(f.formula) })),
    paths: d.paths.map((p) => p.nodes),
    ...(d.penalty ? { penalty: print(d.penalty) } : {}),
    expandedLoss: print(d.expandedLoss),
    expanded: print(d.expanded),
    ...(at ? {
      at: at.map((a) => ({
        step: a.step, sample: a.sample, seed: a.seed.toString(), factors: a.factors.map((f) => f.value.toString()),
        share: a.share.toString(), expandedShare: a.expandedShare.toString(), ...(a.penalty ? { penalty: a.penalty.toString() } : {}), gradient: a.gradient.toString(),
      })),
    } : {}),
  };
}

// ----------------------------------------------------------------------------------------------- check

export interface CheckOptions {
  /** The answers' name in the report and its errors (default 'answers.yaml'). */
  file?: string;
  /** A grader's tolerance for "correct" (default: half a unit of the last written digit). */
  tolerance?: Tolerance;
  /** Limits over the defaults (inputBytes bounds the answers text). */
  limits?: Partial<Limits>;
}

/** The report `exactprop check --format json` prints for one answers file. */
export interface CheckReport {
  file: string;
  spec: string;
  results: Array<{
    path: string;
    line?: number;
    written: string;
    exact: string;
    verdict: Verdict;
    /** For a carried value: the earlier values of yours it was computed from. */
    because: string[];
    /** The known mistakes or conventions that reproduce a new error. */
    diagnosis: Diagnosis[];
    /** A value's own formula evaluated with the numbers that should have gone in. */
    recomputed?: {
      quantity: string;
      formula: string;
      substituted: string;
      inputs: Array<{ symbol: string; value: string; from: string; yours: boolean }>;
      value: string;
    };
  }>;
  summary: Record<Verdict, number>;
  first_error: string | null;
}

/** Grades hand-written values (YAML or JSON text shaped like the JSON trace) against the exact training. */
export function check(spec: Spec, answersText: string, options: CheckOptions = {}): CheckReport {
  const file = options.file ?? 'answers.yaml';
  const maxBytes = options.limits?.inputBytes;
  if (maxBytes !== undefined && new TextEncoder().encode(answersText).length > maxBytes) {
    throw new LimitError('inputBytes', file, '', `the answers have more than ${maxBytes.toLocaleString('en-US')} bytes`, maxBytes);
  }
  const tolerance = options.tolerance ?? { kind: 'digits' };
  if (tolerance.kind === 'abs' || tolerance.kind === 'rel') {
    if (!DECIMAL_TEXT.test(tolerance.value) || tolerance.value.trim().startsWith('-')) throw new RangeError(`tolerance ${tolerance.kind} takes a non-negative number (e.g. 0.001), got '${tolerance.value}'`);
    const outside = writtenRangeProblem(tolerance.value);
    if (outside) throw new RangeError(`tolerance ${tolerance.kind}: ${outside}`);
  }
  const answers = parseAnswers(answersText, file, answerShape(spec));
  // The exact training is computed as far as the furthest answer goes.
  const report = new Checker(spec, extentOf([answers])).check(answers, tolerance);
  return JSON.parse(JSON.stringify(jsonReport(report))) as CheckReport;
}
