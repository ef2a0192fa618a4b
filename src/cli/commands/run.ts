// `exactprop run SPEC`: train exactly and print the worked solution (text, Markdown, LaTeX, HTML) or the
// JSON trace.
import { parseArgs } from 'node:util';
import { batches, run, type RunOptions, type Trace } from '../../graph/run.js';
import type { BudgetOptions } from '../../graph/budget.js';
import { jsonWriter } from '../../render/json.js';
import { certifiedRun, displayDigits, type Certification } from '../../certify/certify.js';
import { whyNotRational } from '../../certify/exact.js';
import { InputError } from '../../spec/errors.js';
import { limitsOf } from '../../spec/limits.js';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitFlags } from '../limit-flags.js';
import { solution, streamed, written, type SolutionWriter } from '../../render/solution.js';
import { textWriter } from '../../render/text.js';
import { progress } from '../../render/progress.js';
import { selectSteps, type StepSet } from '../../render/steps.js';
import { limitedOutput, oneOf, UsageError, wholeNumber, type Io } from '../io.js';
import { loadSpec } from '../load.js';
import type { Spec } from '../../spec/model.js';

export const usage = `exactprop run SPEC [--format text|markdown|latex|html|json] [--digits N] [--steps LIST] [--precision N] [--certify | --exact]
              [--arithmetic decimal|decimal.js]
              [--timeout SECONDS] [--max-memory MB] [--max-output-bytes N] [--max-steps N] [--max-work N] [--max-exact-digits N]
    train the network of SPEC (YAML or JSON) exactly and print the worked solution
    --format    text (default), markdown, latex (a complete document), html (one self-contained page),
                or json (the whole trace, full precision)
    --digits    significant digits shown (default 12); values are exact underneath, JSON keeps them all
    --steps     only these steps: 1,last or 2-4 or 1,3-5,last (default: all)
    --precision working precision in significant digits (overrides the spec)
    --certify   compute again at 20 more digits: every value's certified digits (JSON), nothing
                uncertified shown, and any branch (kink) that this precision cannot decide
    --exact     compute in exact fractions (specs whose every operation is rational: ReLU networks
                with SGD or momentum, say); says why when a spec is not
    --arithmetic decimal (default: the fast BigDecimal) or decimal.js (every value computed by decimal.js
                itself, the reference the fast one is held to: the same digits, slower)
    --timeout   stop the run after this many seconds (exit code 2); --max-memory stops it when the
                process uses more than this many megabytes
${LIMIT_USAGE}`;

const FORMATS = ['text', 'markdown', 'latex', 'html', 'json'] as const;

export async function runCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      digits: { type: 'string' },
      steps: { type: 'string' },
      precision: { type: 'string' },
      certify: { type: 'boolean', default: false },
      exact: { type: 'boolean', default: false },
      arithmetic: { type: 'string' },
      timeout: { type: 'string' },
      'max-memory': { type: 'string' },
      ...LIMIT_OPTIONS,
    },
  });
  if (positionals.length !== 1) throw new UsageError('run takes one spec file');
  const format = oneOf(values.format!, 'format', FORMATS);
  const digits = wholeNumber(values.digits, 'digits', 1, 1000) ?? 12;
  // Every --max-... flag: the spec's sizes are checked as it is read, the run's (steps, work, --exact
  // digits) before it starts, the output's as it is written.
  const flagLimits = limitFlags(values);
  const budget = runBudgetOptions(values.timeout, values['max-memory']);
  if (values.certify && values.exact) throw new UsageError('--certify and --exact do not go together: exact fractions need no certificate');
  const decimalArithmetic = values.arithmetic === undefined ? undefined : oneOf(values.arithmetic, 'arithmetic', ['decimal', 'decimal.js'] as const);
  if (decimalArithmetic && values.exact) throw new UsageError('--arithmetic and --exact do not go together: --exact computes in fractions, --arithmetic chooses the decimal arithmetic');
  const spec = loadSpec(positionals[0]!, io, wholeNumber(values.precision, 'precision', 1, 100_000), { limits: flagLimits });
  const limits = limitsOf({ ...spec.limits, ...flagLimits });
  const keep = stepSelection(values.steps, spec);
  const shown = (s: { step: number }) => keep?.has(s.step) ?? true;
  if (values.exact) {
    const reason = whyNotRational(spec);
    if (reason) throw new InputError(spec.file, '', `--exact: this spec cannot be computed in exact fractions: ${reason}. Without --exact it is computed to ${spec.precision} significant digits (add --certify to prove them).`);
  }
  const arithmetic: RunOptions['arithmetic'] = values.exact ? 'rational' : decimalArithmetic ?? 'decimal';
  const engine: RunOptions = { arithmetic, limits: flagLimits, ...budget };

  // Everything written is counted against limits.outputBytes; a refusal says where the run was.
  let at = 0;
  const total = batches(spec).length * spec.training.epochs;
  const limited = limitedOutput(io.out, limits.outputBytes, spec.file, () =>
    `the output ${at === 0 ? 'before the first step' : at >= total ? 'after the last step' : `at step ${at.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}`);
  // What is written before the first step is finished is held until it is: a run that fails in its
  // first step (a log of 0, a budget) prints its error and nothing else, as a run held whole did.
  let held: string[] | undefined = [];
  const out = (text: string) => (held ? held.push(text) : limited(text));
  const release = () => {
    const pieces = held ?? [];
    held = undefined;
    for (const piece of pieces) limited(piece);
  };
  const progressOf = (onStepDone?: RunOptions['onStepDone']): Pick<RunOptions, 'onStepDone'> => ({
    onStepDone: (step, trace) => {
      at = step.step;
      release();
      onStepDone?.(step, trace);
    },
  });

  if (values.certify) {
    // Certification compares two whole runs, so it keeps both traces; the budgets hold for both.
    const { trace, certification } = certifiedRun(spec, engine);
    at = total;
    release();
    for (const u of certification.undecidable) io.err(`exactprop: warning: ${u.message}\n`);
    if (format === 'json') {
      const writer = jsonWriter(out, { certification });
      writer.start(trace);
      for (const step of trace.steps) if (shown(step)) writer.step(trace, step);
      writer.end(trace);
      return 0;
    }
    written(solution(trace, shown), await solutionWriter(format, out, displayDigits(digits, certification), certification));
    return 0;
  }

  // Every format is streamed: each step is written as it is finished and then let go, so a long run
  // needs memory for one step only.
  if (format === 'json') {
    const writer = jsonWriter(out);
    const trace = runWithProgress(spec, io, {
      ...engine,
      retain: 'last',
      onStart: (t) => writer.start(t),
      ...progressOf((step, t) => shown(step) && writer.step(t, step)),
    });
    release();
    writer.end(trace);
    return 0;
  }
  const stream = streamed(await solutionWriter(format, out, digits), keep ? (step) => keep.has(step) : undefined);
  const trace = runWithProgress(spec, io, { ...engine, retain: stream.retain, onStart: stream.onStart, ...progressOf(stream.onStepDone) });
  release();
  stream.end(trace);
  return 0;
}

/** The writer of a worked solution in `format` (the document formats are loaded only when asked for:
 *  HTML brings KaTeX). */
async function solutionWriter(format: Exclude<(typeof FORMATS)[number], 'json'>, out: (text: string) => void, digits: number, certification?: Certification): Promise<SolutionWriter> {
  if (format === 'text') return textWriter(out, { digits, ...(certification ? { certification } : {}) });
  const { documentWriter } = await import('../../render/solution-doc.js');
  const sink = format === 'markdown'
    ? (await import('../../render/markdown.js')).markdownSink(out)
    : format === 'latex'
      ? (await import('../../render/latex.js')).latexSink(out)
      : (await import('../../render/html.js')).htmlSink(out);
  return documentWriter(sink, { digits });
}

/** --timeout and --max-memory as the engine's budget. */
function runBudgetOptions(timeout: string | undefined, maxMemory: string | undefined): BudgetOptions {
  const options: BudgetOptions = {};
  if (timeout !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(timeout) || Number(timeout) <= 0) throw new UsageError(`--timeout takes a number of seconds greater than 0, got '${timeout}'`);
    options.timeout = Number(timeout);
    options.deadline = Date.now() + options.timeout * 1000;
  }
  const mb = wholeNumber(maxMemory, 'max-memory', 1, 1 << 30);
  if (mb !== undefined) {
    options.maxMemory = mb * 2 ** 20;
    options.memoryCheck = () => process.memoryUsage().rss;
  }
  return options;
}

function stepSelection(text: string | undefined, spec: Spec): StepSet | undefined {
  if (text === undefined) return undefined;
  try {
    return selectSteps(text, batches(spec).length * spec.training.epochs);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`--steps: ${e.message}`);
    throw e;
  }
}

/** Runs the spec, with a step counter on stderr when it takes long and stderr is a terminal. */
export function runWithProgress(spec: Spec, io: Io, options: RunOptions = {}): Trace {
  const counter = progress({ write: io.err, isTTY: io.errIsTTY === true });
  try {
    return run(spec, { ...options, onStep: counter.onStep });
  } finally {
    counter.done();
  }
}
