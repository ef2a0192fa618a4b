// exactprop as a library: read a spec, train it exactly, derive, check hand calculations, print a worked
// solution. The command line is made of these functions and nothing else of src/ (its commands only read
// flags, files and the terminal): plain values out (the JSON contract: values as decimal strings), and
// runStream writing a run's output to a sink as the run goes. This entry imports no Node built-in,
// so a browser bundler can use it; reading files sits in 'exactprop/node'. Importing it changes no
// global state.
import { parseSpec as readSpec, type ReadOptions } from './spec/validate.js';
import type { Spec } from './spec/model.js';
import { InputError } from './spec/errors.js';
import { LimitError, limitsOf, type Limits } from './spec/limits.js';
import { batches, run as runSpec, type RunOptions as EngineOptions, type Trace, type Warning } from './graph/run.js';
import type { BudgetOptions } from './graph/budget.js';
import { certifiedRun, displayDigits, type Certification, type Undecidable } from './certify/certify.js';
import { whyNotRational } from './certify/exact.js';
import { jsonWriter } from './render/json.js';
import { solution, streamed, written, type SolutionWriter } from './render/solution.js';
import { selectSteps as selectStepsOf, type StepSet } from './render/steps.js';
import { textWriter } from './render/text.js';
import { documentWriter } from './render/solution-doc.js';
import { markdownSink, markdown } from './render/markdown.js';
import { latexSink, latex } from './render/latex.js';
import { printWhole, type BlockSink } from './render/document.js';
import { atProblem, derivativesAt, derivatives as paramDerivatives, type ParamDerivative } from './graph/derive.js';
import { derivationDocument, derivationText, type DerivationReport } from './render/derivation.js';
import { print } from './render/text.js';
import { isOne } from './symbolic/build.js';
import { answerShape, extentOf, parseAnswers, viewsOf, type Answers } from './check/answers.js';
import { errataOf } from './check/errata.js';
import { errataJson, errataMarkdown, errataText } from './check/report-errata.js';
import { Checker, type Diagnosis, type FileReport, type Verdict } from './check/check.js';
import { csvSummary, jsonReport, markdownReport, markdownSummary, textReport, type SummaryRow } from './check/report.js';
import { writtenRangeProblem, type Tolerance } from './check/tolerance.js';
import { DECIMAL_TEXT, MAX_PRECISION, MIN_PRECISION } from './numeric/context.js';
import { didYouMean } from './text/did-you-mean.js';
import { jsonSafe } from './text/escape.js';
import { isUnread, type ClassAnswers, type Sheet } from './grade/class.js';
import { defaultScheme, type PointsScheme } from './grade/scheme.js';
import { gradebookOf, type GradedSheet, type Gradebook } from './grade/gradebook.js';
import { classReportDocument } from './grade/report.js';
import { variantSpecText, type Manifest } from './variants/generate.js';
import { specJsonSchema } from './spec/json-schema.js';
import { FUNCTIONS, WRITTEN_FUNCTIONS } from './symbolic/functions.js';
import { PRESETS } from './optimizers/presets.js';

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
export type { StepSet } from './render/steps.js';
/** The document model every printer reads (a host's own printer, such as a browser's, reads it too). */
export type { Block, BlockSink, CalcPart, CalcQuantity, Inline, MathLine, PlainCalc } from './render/document.js';
/** The TeX body of an aligned display, and a calculation's plain lines, as every printer writes them. */
export { alignedBody, plainCalcLines } from './render/document.js';
/** The HTML of those blocks, without the page around them (a browser's page prints through it), and the
 *  page's own style. */
export { htmlBlock, htmlInline, PAGE_CSS, worksheetBlock, worksheetCells, type MathWriter } from './render/html-blocks.js';
export type { Progress, ProgressOptions } from './render/progress.js';
export { classOfFiles, type ClassAnswers, type Sheet, type UnreadSheet } from './grade/class.js';
export { readClassCsv, type CsvOptions } from './grade/class-csv.js';
export { defaultScheme, pointsOf, readPointsScheme, type PointsScheme } from './grade/scheme.js';
export { gradebookCsv, gradebookOf, type GradedSheet, type GradedValue, type Gradebook, type StudentGrade } from './grade/gradebook.js';
/** A step counter for long runs on a terminal (stderr): give its onStep as a run's onProgress. */
export { progress } from './render/progress.js';
/** The range of a working precision, in significant digits. */
export { MAX_PRECISION, MIN_PRECISION } from './numeric/context.js';

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
  /** When those seconds started (Date.now() milliseconds; default: when the run starts). A command line
   *  counts them from when it read its flags. */
  startedAt?: number;
  /** Bytes of memory in use now (Node: process.memoryUsage().rss), read now and then during the run. */
  memoryUsage?: () => number;
  /** Bytes memoryUsage may report before the run stops with a BudgetError (with memoryUsage only). */
  maxMemory?: number;
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
  const { used, engine } = prepared(spec, options);
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

/** The spec at the precision asked for, and the engine's options, every option checked first. */
function prepared(spec: Spec, options: RunOptions): { used: Spec; engine: EngineOptions } {
  const arithmetic = options.arithmetic ?? 'decimal';
  if (!['decimal', 'decimal.js', 'rational'].includes(arithmetic)) throw new RangeError(`unknown arithmetic '${String(arithmetic)}' (decimal, decimal.js, rational)`);
  if (options.certify && arithmetic === 'rational') throw new RangeError('certify and rational arithmetic do not go together: exact fractions need no certificate');
  const used = withPrecision(spec, options.precision);
  if (arithmetic === 'rational') {
    const reason = whyNotRational(used);
    if (reason) throw new InputError(used.file, '', `this spec cannot be computed in exact fractions: ${reason}. In decimal arithmetic it is computed to ${used.precision} significant digits (certify proves them).`);
  }
  return { used, engine: { arithmetic, ...(options.limits ? { limits: options.limits } : {}), ...budgetOf(options) } };
}

/** Why the spec cannot be computed in exact fractions (arithmetic 'rational'), or undefined when it can. */
export function whyNotExact(spec: Spec): string | undefined {
  return whyNotRational(spec);
}

/** How many optimizer steps the spec's training takes (batches per epoch times epochs). */
export function stepCount(spec: Spec): number {
  return batches(spec).length * spec.training.epochs;
}

/** The steps a selection names (`1,last`, `2-4`, `1,3-5,last`) in the spec's run, kept as ranges. Throws
 *  a RangeError with a message for the user on a malformed selection or a step outside the run. */
export function selectSteps(spec: Spec, selection: string): StepSet {
  return selectStepsOf(selection, stepCount(spec));
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
    budget.deadline = (options.startedAt ?? Date.now()) + options.timeout * 1000;
  }
  if (options.maxMemory !== undefined) {
    if (!(options.maxMemory > 0)) throw new RangeError(`maxMemory takes a number of bytes greater than 0, got ${options.maxMemory}`);
    if (options.memoryUsage) {
      budget.maxMemory = options.maxMemory;
      budget.memoryCheck = options.memoryUsage;
    }
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
export function renderWith(result: TraceJson, format: string, options: RenderOptions, other: OtherSink): string {
  const h = held.get(result);
  if (!h) throw new TypeError('render takes the value run() returned');
  if (format === 'json') return h.json;
  const digits = options.digits ?? 12;
  wholeIn(digits, 'digits', 1, 1000);
  const { trace, certification } = h;
  let out = '';
  const write: Sink = (t) => (out += t);
  written(solution(trace), solutionWriter(format, write, displayDigits(digits, certification), certification, other));
  return out;
}

/** The writer of a worked solution in `format` over `write`: text has its own printer, the other formats
 *  print the document model through their block sink (`other` gives the one this entry does not hold). */
function solutionWriter(format: string, write: Sink, digits: number, certification: Certification | undefined, other: OtherSink): SolutionWriter {
  if (format === 'text') return textWriter(write, { digits, ...(certification ? { certification } : {}) });
  const sink = format === 'markdown' ? markdownSink(write) : format === 'latex' ? latexSink(write) : other(write);
  return documentWriter(sink, { digits });
}

/** The block sink of a format the browser entry cannot print (HTML, in 'exactprop/node'). @internal */
export type OtherSink = (write: Sink) => BlockSink;

// ------------------------------------------------------------------------------------------- runStream

/** Where output goes, a piece at a time (stdout's write, a file's, a string being built). */
export type Sink = (chunk: string) => void;

export interface StreamOptions extends RunOptions {
  /** What is written (default text): the worked solution in text, markdown, latex or html, or the JSON
   *  trace. Exactly what `exactprop run --format FORMAT` prints. */
  format?: Format;
  /** Significant digits shown (default 12; a certified run shows no more than its fewest certified). */
  digits?: number;
  /** Only these steps are written (selectSteps gives one from `1,last`); every step is computed. */
  steps?: { has(step: number): boolean };
  /** Called as the run computes each step, with the number of steps of the run: a progress display
   *  (`progress` is one for a terminal). A certified run computes twice, and reports neither. */
  onProgress?: (step: number, total: number) => void;
  /** Called with each step once it is finished and written. */
  onStepDone?: (step: number, total: number) => void;
  /** Where output the run already has as bytes (ASCII text: a JSON trace's values, written in the
   *  arithmetic kernel's memory) goes instead of `sink`, in order with what goes to `sink`: a view valid
   *  only during the call (written out at once, or copied). For output bound for a file or a pipe, so the
   *  text need not be made; without it every piece is text given to `sink`. */
  bytesSink?: (bytes: Uint8Array) => void;
  /** Certify only: each branch (kink) this precision cannot decide, before anything is written. */
  onUndecidable?: (undecidable: Undecidable) => void;
}

export interface StreamSummary {
  /** The steps computed. */
  steps: number;
  warnings: Warning[];
  /** Certify only: the branches this precision cannot decide. */
  undecidable?: Undecidable[];
}

/** The formats of a worked solution (and of the trace itself), in the order the CLI's help lists them:
 *  adding a printer is adding it here and to solutionWriter. */
export const FORMATS: readonly Format[] = ['text', 'markdown', 'latex', 'html', 'json'];

/**
 * Trains the spec and writes its output to `sink` as the run goes: each step is written as soon as it
 * is finished and then let go, so a run of any length needs memory for one step (a certified run holds
 * its two runs whole: certify compares them). Nothing is written until the first step is finished, so
 * a run that fails at once writes nothing. The bytes written are counted against limits.outputBytes
 * (the spec's, over which options.limits): the write that would pass it throws a LimitError that says
 * at which step the run was. HTML is written by runStream of 'exactprop/node'.
 */
export function runStream(spec: Spec, sink: Sink, options: StreamOptions = {}): StreamSummary {
  return runStreamWith(spec, sink, options, () => {
    throw new RangeError("the html format reads KaTeX's stylesheet from the file system: import runStream from 'exactprop/node'");
  });
}

/** runStream(), with the sink of a format this entry does not print (the Node entry's HTML). @internal */
export function runStreamWith(spec: Spec, sink: Sink, options: StreamOptions, other: OtherSink): StreamSummary {
  const format = options.format ?? 'text';
  if (!FORMATS.includes(format)) throw new RangeError(`unknown format '${String(format)}' (${FORMATS.join(', ')})`);
  const digits = options.digits ?? 12;
  wholeIn(digits, 'digits', 1, 1000);
  const { used, engine } = prepared(spec, options);
  const { steps, onProgress, onStepDone, onUndecidable } = options;
  const shown = (step: number) => steps?.has(step) ?? true;
  const total = stepCount(used);

  // Everything written is counted against outputBytes; a refusal says where the run was.
  const maxBytes = limitsOf({ ...used.limits, ...options.limits }).outputBytes;
  let at = 0;
  let byteCount = 0;
  const where = () => `the output ${at === 0 ? 'before the first step' : at >= total ? 'after the last step' : `at step ${at.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}`;
  const limited = (text: string) => {
    byteCount += utf8Length(text);
    if (byteCount > maxBytes) throw new LimitError('outputBytes', used.file, '', where(), maxBytes);
    sink(text);
  };
  // What is written before the first step is finished is held until it is: a run that fails in its
  // first step (a log of 0, a budget) ends in its error and nothing else, as a run held whole would.
  let held: string[] | undefined = [];
  const out = (text: string) => (held ? held.push(text) : limited(text));
  // Bytes go to the bytes sink as they are (counted by their length: ASCII), else to `sink` as text.
  const { bytesSink } = options;
  const outBytes = (bytes: Uint8Array) => {
    if (held || !bytesSink) {
      out(latin1.decode(bytes));
      return;
    }
    byteCount += bytes.length;
    if (byteCount > maxBytes) throw new LimitError('outputBytes', used.file, '', where(), maxBytes);
    bytesSink(bytes);
  };
  const release = () => {
    const pieces = held ?? [];
    held = undefined;
    for (const piece of pieces) limited(piece);
  };
  /** The engine's onStepDone: where the run is, what was held, then the step itself. */
  const stepDone = (write: Required<EngineOptions>['onStepDone']): Required<EngineOptions>['onStepDone'] => (step, trace) => {
    at = step.step;
    release();
    write(step, trace);
    onStepDone?.(step.step, total);
  };

  if (options.certify) {
    // Certification compares two whole runs, so it keeps both traces; the budgets hold for both.
    const { trace, certification } = certifiedRun(used, engine);
    at = total;
    release();
    for (const u of certification.undecidable) onUndecidable?.(u);
    if (format === 'json') {
      const writer = jsonWriter(out, { certification });
      writer.start(trace);
      for (const step of trace.steps) if (shown(step.step)) writer.step(trace, step);
      writer.end(trace);
    } else {
      written(solution(trace, (s) => shown(s.step)), solutionWriter(format, out, displayDigits(digits, certification), certification, other));
    }
    return { steps: trace.steps.length, warnings: trace.warnings, undecidable: certification.undecidable };
  }

  const progressOption: Pick<EngineOptions, 'onStep'> = onProgress ? { onStep: onProgress } : {};
  if (format === 'json') {
    const writer = jsonWriter(out, {}, outBytes);
    const trace = runSpec(used, {
      ...engine,
      ...progressOption,
      retain: 'last',
      onStart: (t) => writer.start(t),
      onStepDone: stepDone((step, t) => shown(step.step) && writer.step(t, step)),
    });
    release();
    writer.end(trace);
    return { steps: at, warnings: trace.warnings };
  }
  const stream = streamed(solutionWriter(format, out, digits, undefined, other), steps ? shown : undefined);
  const trace = runSpec(used, { ...engine, ...progressOption, retain: stream.retain, onStart: stream.onStart, onStepDone: stepDone(stream.onStepDone!) });
  release();
  stream.end(trace);
  return { steps: at, warnings: trace.warnings };
}

const NOT_ASCII = /[^\x00-\x7f]/;
/** Bytes of ASCII read back as text (a bytes piece for a sink that takes text). */
const latin1 = new TextDecoder('latin1');

/** The bytes of `text` in UTF-8 (a lone surrogate is written as U+FFFD, three bytes), without Node's Buffer. */
function utf8Length(text: string): number {
  // Almost all of it is ASCII (a JSON trace is): one character a byte, found by the regex engine.
  if (!NOT_ASCII.test(text)) return text.length;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
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
  /** The largest expanded form written out, in nodes (default: the spec's limits); more throws a
   *  TooManyPathsError. */
  maxNodes?: number;
  /** With `at`: called as the run to that step computes each step (see StreamOptions.onProgress). */
  onProgress?: (step: number, total: number) => void;
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
  const { derivs, report, text } = derivation(spec, options);
  return { derivatives: derivs.map((d) => derivativeJson(d, report)), report: text };
}

/** Only the report of derive(), as `exactprop derive` prints it (nothing else is computed). */
export function deriveReport(spec: Spec, options: DeriveOptions = {}): string {
  return derivation(spec, options).text;
}

/** Why derive cannot be evaluated at this step and sample (outside the run, or past its batch), or
 *  undefined when it can. */
export function deriveAtProblem(spec: Spec, at: { step: number; sample: number }): string | undefined {
  return atProblem(spec, at.step, at.sample);
}

/** derive()'s report written into a host's own printer (a browser's HTML, say): the same document the
 *  Markdown and LaTeX reports print (format is ignored). */
export function deriveInto(spec: Spec, sink: BlockSink, options: Omit<DeriveOptions, 'format'> = {}): void {
  printWhole(derivationDocument(derivation(spec, { ...options, format: 'markdown' }, false).report), sink);
}

function derivation(spec: Spec, options: DeriveOptions, printed = true): { derivs: ParamDerivative[]; report: DerivationReport; text: string } {
  const params = spec.params.map((p) => p.name);
  if (options.param !== undefined && !params.includes(options.param)) {
    throw new RangeError(`unknown param '${options.param}'${didYouMean(options.param, params)}; the trained params are ${params.join(', ')}`);
  }
  const digits = options.digits ?? 12;
  wholeIn(digits, 'digits', 1, 1000);
  const format = options.format ?? 'text';
  if (!['text', 'markdown', 'latex'].includes(format)) throw new RangeError(`unknown format '${String(format)}' (text, markdown, latex)`);
  // The point of evaluation is checked before the derivatives are formed (they may be too many).
  const problem = options.at ? atProblem(spec, options.at.step, options.at.sample) : undefined;
  if (problem) throw new RangeError(`at: ${problem}`);
  const derivs = paramDerivatives(spec, options.param, options.maxNodes !== undefined ? { maxNodes: options.maxNodes } : {});
  const report: DerivationReport = { spec, derivatives: derivs, digits };
  if (options.at) {
    const onStep = options.onProgress;
    report.at = derivativesAt(spec, derivs, options.at, (s) => runSpec(s, onStep ? { onStep } : {}));
  }
  const text = !printed ? '' : format === 'text' ? derivationText(report) : format === 'markdown' ? markdown(derivationDocument(report)) : latex(derivationDocument(report));
  return { derivs, report, text };
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
    /** The sheet's own name for the quantity, when written under an alias. */
    alias?: string;
    line?: number;
    written: string;
    exact: string;
    verdict: Verdict;
    /** For a carried value: the earlier values of yours it was computed from. */
    because: string[];
    /** A carried value within one unit of its last digit of the recomputation from your values, but not
     *  rounded as a correct value would be: carried, rounding slip. */
    rounding_slip?: true;
    /** For a carried or wrong value: every value of yours that went into its recomputation, with the
     *  form the formula read it in (`1 - h2 ^ 2`), if any. */
    used?: Array<{ path: string; written: string; form?: string }>;
    /** The known mistakes or conventions that reproduce a new error. */
    diagnosis: Diagnosis[];
    /** A value's own formula evaluated with the numbers that should have gone in. */
    recomputed?: {
      quantity: string;
      formula: string;
      substituted: string;
      inputs: Array<{ symbol: string; value: string; from: string; yours: boolean; via?: string[]; form?: string }>;
      value: string;
    };
  }>;
  summary: Record<Verdict, number>;
  first_error: string | null;
}

/** Grades hand-written values (YAML or JSON text shaped like the JSON trace) against the exact training. */
export function check(spec: Spec, answersText: string, options: CheckOptions = {}): CheckReport {
  const [graded] = checkAll(spec, [{ file: options.file ?? 'answers.yaml', text: answersText }], options);
  // One file alone: its input error is thrown by checkAll.
  return (graded as { report: CheckReport }).report;
}

/** The problem with a grader's absolute or relative tolerance as written (`name` leads the message, e.g.
 *  '--abs'), or undefined when it is a non-negative number in range. */
export function toleranceProblem(name: string, value: string): string | undefined {
  if (!DECIMAL_TEXT.test(value) || value.trim().startsWith('-')) return `${name} takes a non-negative number (e.g. 0.001), got '${value}'`;
  // An infinite tolerance would grade every value correct.
  const outside = writtenRangeProblem(value);
  return outside ? `${name}: ${outside}` : undefined;
}

/** An answers file to grade: its text, or the error met reading it (graded as that error). */
export type AnswersInput = { file: string; text: string } | { file: string; error: InputError };

/** One answers file graded: its report, or the input error that stopped it. */
export type GradedFile = { file: string; report: CheckReport } | { file: string; error: InputError };

export interface CheckAllOptions {
  tolerance?: Tolerance;
  /** Limits over the defaults (inputBytes bounds each answers text). */
  limits?: Partial<Limits>;
}

/** The graded reports behind their JSON, for the text, Markdown and summary printers. */
const graded = new WeakMap<object, FileReport>();

/**
 * Grades many answers files (a class) against one exact training, computed once as far as the furthest
 * answer goes, with the variants (diagnoses) shared. A file that cannot be read or parsed is graded as
 * its error, and the others still are; a single file's error is thrown instead, as check() does.
 */
export function checkAll(spec: Spec, inputs: AnswersInput[], options: CheckAllOptions = {}): GradedFile[] {
  return checkedFiles(spec, inputs, options).map((p): GradedFile => {
    if (p instanceof InputError) return { file: p.file, error: p };
    const report = JSON.parse(JSON.stringify(jsonReport(p))) as CheckReport;
    graded.set(report, p);
    return { file: p.file, report };
  });
}

/** Each file graded (its report, or the input error that stopped it), as checkAll's reports are made:
 *  grade's gradebooks read these directly, without the JSON report (and the recomputation of every
 *  wrong value it holds), which is a third of a class's grading. */
function checkedFiles(spec: Spec, inputs: AnswersInput[], options: CheckAllOptions): Array<FileReport | InputError> {
  const tolerance = options.tolerance ?? { kind: 'digits' };
  if (tolerance.kind === 'abs' || tolerance.kind === 'rel') {
    const problem = toleranceProblem(`tolerance ${tolerance.kind}`, tolerance.value);
    if (problem) throw new RangeError(problem);
  }
  const maxBytes = options.limits?.inputBytes;
  const shape = answerShape(spec);
  // Every file is read first: the exact training is computed once, as far as the furthest answer goes.
  const parsed: Array<Answers | InputError> = inputs.map((input) => {
    if ('error' in input) return input.error;
    try {
      if (maxBytes !== undefined && new TextEncoder().encode(input.text).length > maxBytes) {
        throw new LimitError('inputBytes', input.file, '', `the answers have more than ${maxBytes.toLocaleString('en-US')} bytes`, maxBytes);
      }
      return parseAnswers(input.text, input.file, shape);
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
  });
  const good = parsed.filter((p): p is Answers => !(p instanceof InputError));
  if (inputs.length === 1 && parsed[0] instanceof InputError) throw parsed[0];
  const checker = new Checker(spec, { ...extentOf(good), views: viewsOf(good) });
  if (good.length > 1) checker.prepare();
  return parsed.map((p) => {
    if (p instanceof InputError) return p;
    try {
      return checker.check(p, tolerance);
    } catch (e) {
      // A quantity a file names that its equations cannot give (checker.check says which): the file's
      // error, as for a file that cannot be read; a single file's is thrown.
      if (e instanceof InputError && inputs.length !== 1) return e;
      throw e;
    }
  });
}

function fileReportOf(report: CheckReport): FileReport {
  const r = graded.get(report);
  if (!r) throw new TypeError('check reports are printed from the values checkAll() returned');
  return r;
}

export interface CheckFormatOptions {
  /** Text only: colour the verdicts with terminal escapes. */
  colour?: boolean;
}

/**
 * The reports of graded files as `exactprop check --format FORMAT` prints them: text or Markdown, one
 * report after another (a file's error is not among them); JSON, one report for one file, or
 * `{ "files": [...] }` with each file's report or `{ file, error }`.
 */
export function checkReport(files: GradedFile[], format: 'text' | 'markdown' | 'json', options: CheckFormatOptions = {}): string {
  const reports = files.flatMap((f) => ('report' in f ? [fileReportOf(f.report)] : []));
  if (format === 'json') {
    const value = reports.length === 1 && files.length === 1 ? jsonReport(reports[0]!) : { files: files.map((f) => ('report' in f ? jsonReport(fileReportOf(f.report)) : { file: f.error.file, error: f.error.located() })) };
    return jsonSafe(JSON.stringify(value, null, 2)) + '\n';
  }
  if (format !== 'text' && format !== 'markdown') throw new RangeError(`unknown format '${String(format)}' (text, markdown, json)`);
  return reports.map((r) => (format === 'markdown' ? markdownReport(r) : textReport(r, { colour: options.colour === true }))).join('\n');
}

/**
 * A published answer key graded as a sheet, printed as its errata list (`exactprop check --key`): each
 * wrong value with its exact value, the first error it follows from, and what reproduces a new error;
 * values off only in their last digit apart. JSON gives `{ key, spec, errata, rounding, correct }`.
 */
export function checkErrata(file: GradedFile, format: 'text' | 'markdown' | 'json', options: CheckFormatOptions = {}): { text: string; errata: number } {
  if (!('report' in file)) throw new RangeError(`the key ${file.file} could not be read: ${file.error.located()}`);
  const e = errataOf(fileReportOf(file.report));
  const text = format === 'json' ? jsonSafe(JSON.stringify(errataJson(e), null, 2)) + '\n' : format === 'markdown' ? errataMarkdown(e) : errataText(e, options.colour === true);
  return { text, errata: e.errata.length };
}

/** One row per graded file (counts per verdict and the first new error, or the file's error), as
 *  `exactprop check --summary FORMAT` prints it: CSV or a Markdown table. */
export function checkSummary(files: GradedFile[], format: 'csv' | 'markdown'): string {
  const rows: SummaryRow[] = files.map((f) => ('report' in f ? { file: f.file, report: fileReportOf(f.report) } : { file: f.error.file, error: f.error.located() }));
  if (format === 'csv') return csvSummary(rows);
  if (format === 'markdown') return markdownSummary(rows);
  throw new RangeError(`unknown summary '${String(format)}' (csv, markdown)`);
}

// ----------------------------------------------------------------------------------------------- grade

export interface GradeOptions {
  /** Points per quantity, credit per verdict, tolerance (default: defaultScheme()). */
  scheme?: PointsScheme;
  /** Limits over the defaults (inputBytes bounds each sheet). */
  limits?: Partial<Limits>;
}

/**
 * Grades a class (readClassCsv, or classOfFiles for a folder of answers files) with check, the exact
 * training computed once for the whole class, and adds up each student's points under the scheme.
 */
export function gradeClass(spec: Spec, answers: ClassAnswers, options: GradeOptions = {}): Gradebook {
  const scheme = options.scheme ?? defaultScheme();
  const sheets = answers.sheets.filter((s): s is Sheet => !isUnread(s));
  return gradebookOf(spec.file, answers, gradeSheets(spec, sheets, { tolerance: scheme.tolerance, ...(options.limits ? { limits: options.limits } : {}) }), scheme);
}

/**
 * What check says of each sheet, in the plain form a gradebook reads (and a worker thread can send):
 * graded as checkAll grades files, all at once, so the exact training and the variants are computed once.
 */
export function gradeSheets(spec: Spec, sheets: Sheet[], options: CheckAllOptions = {}): GradedSheet[] {
  let checked: Array<FileReport | InputError>;
  try {
    checked = checkedFiles(spec, sheets.map((s) => ({ file: s.file, text: s.text })), options);
  } catch (e) {
    // One sheet alone: its input error is thrown rather than graded as one (as checkAll does).
    if (!(e instanceof InputError) || sheets.length !== 1) throw e;
    checked = [e];
  }
  return checked.map((c, i): GradedSheet => {
    const id = sheets[i]!.id;
    if (c instanceof InputError) return { id, error: { path: c.path, message: c.message, ...(c.line !== undefined ? { line: c.line } : {}) } };
    // The values of check's JSON report, as plain data a worker thread can send.
    return {
      id,
      results: c.results.map((r) => ({ path: r.path, written: r.written, exact: r.exact.toString(), verdict: r.verdict, diagnosis: r.diagnosis.map((d) => ({ id: d.id, text: d.text })) })),
      firstError: c.firstError?.path ?? null,
    };
  });
}

/**
 * Grades a class that was given one variant each (`exactprop variants`): each student's sheet against
 * their own variant, whose spec the manifest rebuilds from the student's id (variantSpecText), and the
 * points added up as gradeClass does. The variants share the base spec's quantities, so the CSV's
 * headings are read against the base spec. A student the manifest has no variant for, or whose
 * variant's spec cannot be read, is graded as that error.
 */
export function gradeVariants(manifest: Manifest, answers: ClassAnswers, options: GradeOptions = {}): Gradebook {
  const scheme = options.scheme ?? defaultScheme();
  const sheets = answers.sheets.filter((s): s is Sheet => !isUnread(s));
  const graded = sheets.map((sheet): GradedSheet => {
    let spec: Spec;
    try {
      spec = parseSpec(variantSpecText(manifest, sheet.id), { file: `${manifest.spec.file} (the variant of ${sheet.id})`, ...(options.limits ? { limits: options.limits } : {}) });
    } catch (e) {
      if (e instanceof RangeError) return { id: sheet.id, error: { path: '', message: e.message } };
      if (e instanceof InputError) return { id: sheet.id, error: { path: e.path, message: e.message } };
      throw e;
    }
    return gradeSheets(spec, [sheet], { tolerance: scheme.tolerance, ...(options.limits ? { limits: options.limits } : {}) })[0]!;
  });
  return gradebookOf(manifest.spec.file, answers, graded, scheme);
}

/** The class report: Markdown here; 'exactprop/node' prints HTML too (one self-contained page). */
export function gradeReport(book: Gradebook, format: 'markdown'): string {
  if (format !== 'markdown') throw new RangeError(`unknown report format '${String(format)}' (markdown; html from 'exactprop/node')`);
  return markdown(classReportDocument(book));
}

/** The class report as a document, for a printer of one's own. */
export { classReportDocument };
// -------------------------------------------------------------------------------------------- variants

/** One variant of an exercise per student (`exactprop variants`): makeVariants(text, { seed, count | ids })
 *  returns every file of the output folder (manifest, each form's spec, key, worksheet and solution, the
 *  Moodle XML, QTI and LaTeX booklet) without writing any; variantSpecText(manifest, id) gives a student's
 *  spec text from the manifest alone, for marking them against their own variant. */
export { makeVariants, variantSpecText, manifestVariant, keyText, VARIANT_EXPORTS, MAX_VARIANTS } from './variants/generate.js';
export type { Manifest, ManifestVariant, Variant, Blank, VariantsOptions, VariantsResult, VariantExport } from './variants/generate.js';
export type { GradingPolicy } from './variants/policy.js';
// ------------------------------------------------------------------------------------------ vocabulary

/** What an editor of specs offers to complete, read from the registries themselves. */
export interface SpecVocabulary {
  /** The published JSON Schema (keys, layer kinds, losses, activations, presets, with descriptions). */
  schema: object;
  /** Every function an expression may call (the function table, step functions left out). */
  functions: Array<{ name: string; doc: string; activation: boolean }>;
  /** Per preset (pytorch, keras, paper), its optimizers with their options and defaults. */
  optimizers: Record<string, Array<{ name: string; title: string; options: Record<string, string | boolean> }>>;
}

/** The vocabulary of specs, for an editor's completion: nothing in it is written by hand. */
export function specVocabulary(): SpecVocabulary {
  return {
    schema: specJsonSchema(),
    functions: WRITTEN_FUNCTIONS.map((name) => ({ name, doc: FUNCTIONS[name]!.doc, activation: FUNCTIONS[name]!.activation === true })),
    optimizers: Object.fromEntries(Object.entries(PRESETS).map(([preset, p]) => [
      preset,
      Object.entries(p.optimizers).map(([name, def]) => ({ name, title: def.title, options: { ...def.options } })),
    ])),
  };
}
