// `exactprop run SPEC`: train exactly and print the worked solution (text, Markdown, LaTeX, HTML) or the
// JSON trace.
import { parseArgs } from 'node:util';
import { batches, run, type RunOptions, type Trace } from '../../graph/run.js';
import { jsonWriter } from '../../render/json.js';
import { certifiedRun, type Certification } from '../../certify/certify.js';
import { whyNotRational } from '../../certify/exact.js';
import { InputError } from '../../spec/errors.js';
import { solution } from '../../render/solution.js';
import { solutionText } from '../../render/text.js';
import { progress } from '../../render/progress.js';
import { selectSteps } from '../../render/steps.js';
import { oneOf, UsageError, wholeNumber, type Io } from '../io.js';
import { loadSpec } from '../load.js';
import type { Spec } from '../../spec/model.js';

export const usage = `exactprop run SPEC [--format text|markdown|latex|html|json] [--digits N] [--steps LIST] [--precision N] [--certify | --exact]
    train the network of SPEC (YAML or JSON) exactly and print the worked solution
    --format    text (default), markdown, latex (a complete document), html (one self-contained page),
                or json (the whole trace, full precision)
    --digits    significant digits shown (default 12); values are exact underneath, JSON keeps them all
    --steps     only these steps: 1,last or 2-4 or 1,3-5,last (default: all)
    --precision working precision in significant digits (overrides the spec)
    --certify   compute again at 20 more digits: every value's certified digits (JSON), nothing
                uncertified shown, and any branch (kink) that this precision cannot decide
    --exact     compute in exact fractions (specs whose every operation is rational: ReLU networks
                with SGD or momentum, say); says why when a spec is not`;

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
    },
  });
  if (positionals.length !== 1) throw new UsageError('run takes one spec file');
  const format = oneOf(values.format!, 'format', FORMATS);
  const digits = wholeNumber(values.digits, 'digits', 1, 1000) ?? 12;
  const spec = loadSpec(positionals[0]!, io, wholeNumber(values.precision, 'precision', 1, 100_000));
  const keep = stepSelection(values.steps, spec);
  const shown = (s: { step: number }) => keep?.has(s.step) ?? true;
  if (values.certify && values.exact) throw new UsageError('--certify and --exact do not go together: exact fractions need no certificate');
  if (values.exact) {
    const reason = whyNotRational(spec);
    if (reason) throw new InputError(spec.file, '', `--exact: this spec cannot be computed in exact fractions: ${reason}. Without --exact it is computed to ${spec.precision} significant digits (add --certify to prove them).`);
  }
  const arithmetic: RunOptions['arithmetic'] = values.exact ? 'rational' : 'decimal';

  if (format === 'json' && !values.certify) {
    // Streamed: each step is written as it is finished and then let go, so a long run needs memory
    // for one step only.
    const writer = jsonWriter(io.out);
    const trace = runWithProgress(spec, io, {
      arithmetic,
      retain: 'last',
      onStart: (t) => writer.start(t),
      onStepDone: (step, t) => shown(step) && writer.step(t, step),
    });
    writer.end(trace);
    return 0;
  }

  let trace: Trace;
  let certification: Certification | undefined;
  if (values.certify) {
    ({ trace, certification } = certifiedRun(spec));
    for (const u of certification.undecidable) io.err(`exactprop: warning: ${u.message}\n`);
  } else {
    // Keep only the steps to print and the ones just before them (whose values they start from).
    trace = runWithProgress(spec, io, { arithmetic, retain: keep ? (step) => keep.has(step) || keep.has(step + 1) : 'all' });
  }
  if (format === 'json') {
    const writer = jsonWriter(io.out, { certification: certification! });
    writer.start(trace);
    for (const step of trace.steps) if (shown(step)) writer.step(trace, step);
    writer.end(trace);
    return 0;
  }
  // Display never shows a digit that is not certified.
  const shownDigits = certification ? Math.max(1, Math.min(digits, certification.fewest)) : digits;
  const sol = solution(trace, shown);
  if (format === 'text') io.out(solutionText(sol, { digits: shownDigits, ...(certification ? { certification } : {}) }));
  else {
    // The document formats are loaded only when asked for (HTML brings KaTeX).
    const { solutionDocument } = await import('../../render/solution-doc.js');
    const doc = solutionDocument(sol, { digits: shownDigits });
    if (format === 'markdown') io.out((await import('../../render/markdown.js')).markdown(doc));
    else if (format === 'latex') io.out((await import('../../render/latex.js')).latex(doc));
    else io.out((await import('../../render/html.js')).html(doc));
  }
  return 0;
}

function stepSelection(text: string | undefined, spec: Spec): Set<number> | undefined {
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
