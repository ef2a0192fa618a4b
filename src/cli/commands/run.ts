// `exactprop run SPEC`: train exactly and print the worked solution (text, Markdown, LaTeX, HTML) or the
// JSON trace. The library's runStream does the work; this reads the flags into its options.
import { parseArgs } from 'node:util';
import { FORMATS, InputError, progress, readingAll, runStream, selectSteps, whyNotExact, type Spec, type StepSet, type StreamOptions } from '../../library/run.js';
import { loadSpecFile } from '../../node/load.js';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitFlags } from '../limit-flags.js';
import { oneOf, UsageError, wholeNumber, type Io } from '../io.js';

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
  const precision = wholeNumber(values.precision, 'precision', 1, 100_000);
  // The readers most specs never need are loaded when this one does (library/run.ts: readingAll).
  const spec = await readingAll(() => loadSpecFile(positionals[0]!, { files: io, limits: flagLimits, ...(precision !== undefined ? { precision } : {}) }));
  const keep = stepSelection(values.steps, spec);
  if (values.exact) {
    const reason = whyNotExact(spec);
    if (reason) throw new InputError(spec.file, '', `--exact: this spec cannot be computed in exact fractions: ${reason}. Without --exact it is computed to ${spec.precision} significant digits (add --certify to prove them).`);
  }
  const options: StreamOptions = {
    format,
    digits,
    arithmetic: values.exact ? 'rational' : decimalArithmetic ?? 'decimal',
    certify: values.certify === true,
    limits: flagLimits,
    ...budget,
    ...(keep ? { steps: keep } : {}),
    onUndecidable: (u) => io.err(`exactprop: warning: ${u.message}\n`),
  };
  // HTML brings KaTeX, and the Node entry that prints it is loaded only when asked for.
  const stream = format === 'html' ? (await import('../../node.js')).runStream : runStream;
  // A step counter on stderr when the run takes long and stderr is a terminal.
  const counter = progress({ write: io.err, isTTY: io.errIsTTY === true });
  try {
    stream(spec, io.out, { ...options, onProgress: counter.onStep, ...(io.outBytes ? { bytesSink: io.outBytes } : {}) });
  } finally {
    counter.done();
  }
  return 0;
}

/** --timeout and --max-memory as the run's budget; the time is counted from now, as the flags are read. */
function runBudgetOptions(timeout: string | undefined, maxMemory: string | undefined): Pick<StreamOptions, 'timeout' | 'startedAt' | 'maxMemory' | 'memoryUsage'> {
  const options: Pick<StreamOptions, 'timeout' | 'startedAt' | 'maxMemory' | 'memoryUsage'> = {};
  if (timeout !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(timeout) || Number(timeout) <= 0) throw new UsageError(`--timeout takes a number of seconds greater than 0, got '${timeout}'`);
    options.timeout = Number(timeout);
    options.startedAt = Date.now();
  }
  const mb = wholeNumber(maxMemory, 'max-memory', 1, 1 << 30);
  if (mb !== undefined) {
    options.maxMemory = mb * 2 ** 20;
    options.memoryUsage = () => process.memoryUsage().rss;
  }
  return options;
}

function stepSelection(text: string | undefined, spec: Spec): StepSet | undefined {
  if (text === undefined) return undefined;
  try {
    return selectSteps(spec, text);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`--steps: ${e.message}`);
    throw e;
  }
}
