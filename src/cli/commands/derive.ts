// `exactprop derive SPEC`: the derivative of the loss with respect to each trained param, in its
// chain-rule form and its expanded form, optionally evaluated at one step and sample. The library's
// deriveReport writes it; this reads the flags and names a problem as the flag's.
import { parseArgs } from 'node:util';
import { MAX_PRECISION, MIN_PRECISION, progress, readingAll, type Spec } from '../../library/run.js';
import { deriveAtProblem, deriveReport, TooManyPathsError } from '../../library/derive.js';
import { loadSpecFile } from '../../node/load.js';
import { DEFAULT_LIMITS } from '../../limits/limits.js';
import { didYouMean } from '../../text/did-you-mean.js';
import { terminalSafe } from '../../text/escape.js';
import { oneOf, UsageError, wholeNumber, type Io } from '../io.js';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitFlags } from '../limit-flags.js';

export const usage = `exactprop derive SPEC [--param NAME] [--format text|markdown|latex] [--at STEP,SAMPLE] [--digits N] [--precision N]
                 [--max-derive-nodes N]
    the derivative of the loss with respect to each trained param (or only NAME): the chain-rule form,
    each local factor written symbolically, and the expanded form (one sample's loss differentiated whole)
    --at        evaluate both forms at one step and one sample (data row) of that step's batch
    --digits    significant digits shown (default 12)
    --max-derive-nodes   the largest expanded form written out, in nodes (default ${DEFAULT_LIMITS.deriveNodes.toLocaleString('en-US')}; also
                limits.derive_nodes in the spec): substituting every neuron copies formulas, and can double per neuron
${LIMIT_USAGE}`;

const FORMATS = ['text', 'markdown', 'latex'] as const;

export async function deriveCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      param: { type: 'string' },
      format: { type: 'string', default: 'text' },
      at: { type: 'string' },
      digits: { type: 'string' },
      precision: { type: 'string' },
      ...LIMIT_OPTIONS,
    },
  });
  if (positionals.length !== 1) throw new UsageError('derive takes one spec file');
  const flagLimits = limitFlags(values);
  const maxNodes = flagLimits.deriveNodes;
  const format = oneOf(values.format!, 'format', FORMATS);
  const digits = wholeNumber(values.digits, 'digits', 1, 1000) ?? 12;
  const precision = wholeNumber(values.precision, 'precision', MIN_PRECISION, MAX_PRECISION);
  // The readers most specs never need are loaded when this one does (library/run.ts: readingAll).
  const spec = await readingAll(() => loadSpecFile(positionals[0]!, { files: io, limits: flagLimits, ...(precision !== undefined ? { precision } : {}) }));
  const params = spec.params.map((p) => p.name);
  if (values.param !== undefined && !params.includes(values.param)) {
    throw new UsageError(`unknown param '${values.param}'${didYouMean(values.param, params)}; the trained params are ${params.join(', ')}`);
  }
  const at = values.at === undefined ? undefined : parseAt(values.at, spec);

  // A step counter on stderr while the run to --at's step takes long (on a terminal only).
  const counter = progress({ write: io.err, isTTY: io.errIsTTY === true });
  let report: string;
  try {
    report = deriveReport(spec, {
      format,
      digits,
      ...(values.param !== undefined ? { param: values.param } : {}),
      ...(at ? { at } : {}),
      // The flag wins over the spec's limits.derive_nodes, which is read otherwise.
      ...(maxNodes !== undefined ? { maxNodes } : {}),
      onProgress: counter.onStep,
    });
  } catch (e) {
    if (e instanceof TooManyPathsError) throw new UsageError(`${e.message}: pick one param with --param, or read the backward pass of 'exactprop run'`);
    throw e;
  } finally {
    counter.done();
  }
  // The text has no control character of its own (no colour): any there came from the user's text
  // (the spec's file name), and is written out rather than sent to the terminal.
  io.out(format === 'text' ? terminalSafe(report) : report);
  return 0;
}

/** `--at STEP,SAMPLE`: a step of the run, and a data row (from 1) of that step's batch. */
function parseAt(text: string, spec: Spec): { step: number; sample: number } {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--at takes STEP,SAMPLE (two whole numbers, e.g. 1,2), got '${text}'`);
  const [step, sample] = [Number(m[1]), Number(m[2])];
  const problem = deriveAtProblem(spec, { step, sample });
  if (problem) throw new UsageError(`--at: ${problem}`);
  return { step, sample };
}
