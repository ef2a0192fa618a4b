// The library's run: read a spec, train it exactly, and print its worked solution or its JSON trace, held
// whole (run, render) or written as the run goes (runStream). The command line's `run` loads this module
// alone: checking, grading and variants are modules of their own (see src/index.ts).
import { parseSpec as readSpec, type ReadOptions } from '../spec/validate.js';
import type { Spec } from '../spec/model.js';
import { LimitError, limitsOf, type Limits } from '../spec/limits.js';
import { batches, run as runSpec, type RunOptions as EngineOptions, type Trace, type Warning } from '../graph/run.js';
import { certifiedRun, displayDigits, type Certification, type Undecidable } from '../certify/certify.js';
import { whyNotRational } from '../certify/exact.js';
import { jsonWriter } from '../render/json.js';
import { solution, streamed, written, type SolutionWriter } from '../render/solution.js';
import { selectSteps as selectStepsOf, type StepSet } from '../render/steps.js';
import { textWriter } from '../render/text.js';
import { documentWriter } from '../render/solution-doc.js';
import { markdownSink } from '../render/markdown.js';
import { latexSink } from '../render/latex.js';
import type { BlockSink } from '../render/document.js';
import { MAX_PRECISION, MIN_PRECISION } from '../numeric/context.js';
import { asciiText } from '../numeric/arena.js';
import { prepared, wholeIn } from './shared.js';
import { ReaderMissing } from '../spec/readers.js';

export { InputError, InputError as SpecError } from '../spec/errors.js';
export { LimitError } from '../spec/limits.js';
export { BudgetError } from '../graph/budget.js';
export { EvaluationError } from '../graph/run.js';
export type { Spec } from '../spec/model.js';
export type { Limits } from '../spec/limits.js';
export type { Warning } from '../graph/run.js';
export type { Undecidable } from '../certify/certify.js';
export type { StepSet } from '../render/steps.js';
/** The document model every printer reads (a host's own printer, such as a browser's, reads it too). */
export type { Block, BlockSink, CalcPart, CalcQuantity, Inline, MathLine, PlainCalc } from '../render/document.js';
/** The TeX body of an aligned display, and a calculation's plain lines, as every printer writes them. */
export { alignedBody, plainCalcLines } from '../render/document.js';
/** The HTML of those blocks, without the page around them (a browser's page prints through it), and the
 *  page's own style. */
export { htmlBlock, htmlInline, PAGE_CSS, worksheetBlock, worksheetCells, type MathWriter } from '../render/html-blocks.js';
export type { Progress, ProgressOptions } from '../render/progress.js';
/** A step counter for long runs on a terminal (stderr): give its onStep as a run's onProgress. */
export { progress } from '../render/progress.js';
/** The range of a working precision, in significant digits. */
export { MAX_PRECISION, MIN_PRECISION } from '../numeric/context.js';

/**
 * `read()` (the reading of a spec), with the readers a spec may need and most do not loaded first when it
 * needs one: the `yaml` package (for YAML that js-yaml refuses, and for the wording of YAML errors) and
 * csv-parse (data in a CSV file). Importing the library ('exactprop') provides them; a program made of
 * this module alone (the command line's run and derive) reads through this, and loads them only for a
 * spec that asks.
 */
export async function readingAll<T>(read: () => T): Promise<T> {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof ReaderMissing)) throw e;
  }
  await import('../spec/all-readers.js');
  return read();
}

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
      out(asciiText(bytes));
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
