// `exactprop run SPEC`: train exactly and print the worked solution (text, Markdown, LaTeX, HTML) or the
// JSON trace.
import { parseArgs } from 'node:util';
import { batches, run, type Trace } from '../../graph/run.js';
import { traceJson } from '../../render/json.js';
import { solution } from '../../render/solution.js';
import { solutionText } from '../../render/text.js';
import { solutionDocument } from '../../render/solution-doc.js';
import { markdown } from '../../render/markdown.js';
import { latex } from '../../render/latex.js';
import { html } from '../../render/html.js';
import { progress } from '../../render/progress.js';
import { selectSteps } from '../../render/steps.js';
import { oneOf, processIo, UsageError, wholeNumber, type Io } from '../io.js';
import { loadSpec } from '../load.js';
import type { Spec } from '../../spec/model.js';

export const usage = `exactprop run SPEC [--format text|markdown|latex|html|json] [--digits N] [--steps LIST] [--precision N]
    train the network of SPEC (YAML or JSON) exactly and print the worked solution
    --format    text (default), markdown, latex (a complete document), html (one self-contained page),
                or json (the whole trace, full precision)
    --digits    significant digits shown (default 12); values are exact underneath, JSON keeps them all
    --steps     only these steps: 1,last or 2-4 or 1,3-5,last (default: all)
    --precision working precision in significant digits (overrides the spec)`;

const FORMATS = ['text', 'markdown', 'latex', 'html', 'json'] as const;

export function runCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      digits: { type: 'string' },
      steps: { type: 'string' },
      precision: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('run takes one spec file');
  const format = oneOf(values.format!, 'format', FORMATS);
  const digits = wholeNumber(values.digits, 'digits', 1, 1000) ?? 12;
  const spec = loadSpec(positionals[0]!, io, wholeNumber(values.precision, 'precision', 1, 100_000));
  const keep = stepSelection(values.steps, spec);
  const trace = runWithProgress(spec, io);
  const shown = (s: { step: number }) => keep?.has(s.step) ?? true;
  if (format === 'json') {
    io.out(JSON.stringify(traceJson({ ...trace, steps: trace.steps.filter(shown) }), null, 2) + '\n');
    return 0;
  }
  const sol = solution(trace, shown);
  if (format === 'text') io.out(solutionText(sol, { digits }));
  else {
    const doc = solutionDocument(sol, { digits });
    io.out(format === 'markdown' ? markdown(doc) : format === 'latex' ? latex(doc) : html(doc));
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
export function runWithProgress(spec: Spec, io: Io): Trace {
  // Only the real stderr can be a terminal; an Io a test or a library passes in never gets the counter.
  const counter = progress({ write: io.err, isTTY: io === processIo && process.stderr.isTTY === true });
  try {
    return run(spec, { onStep: counter.onStep });
  } finally {
    counter.done();
  }
}
