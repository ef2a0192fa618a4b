// `exactprop run SPEC`: train exactly and print the worked solution or the JSON trace.
import { parseArgs } from 'node:util';
import { run } from '../../graph/run.js';
import { traceJson } from '../../render/json.js';
import { solution } from '../../render/solution.js';
import { solutionText } from '../../render/text.js';
import { oneOf, UsageError, wholeNumber, type Io } from '../io.js';
import { loadSpec } from '../load.js';

export const usage = `exactprop run SPEC [--format text|json] [--digits N] [--precision N]
    train the network of SPEC (YAML or JSON) exactly and print the worked solution
    --format    text (default) or json (the whole trace, full precision)
    --digits    significant digits shown in text (default 12); JSON keeps them all
    --precision working precision in significant digits (overrides the spec)`;

export function runCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      digits: { type: 'string' },
      precision: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('run takes one spec file');
  const format = oneOf(values.format!, 'format', ['text', 'json'] as const);
  const digits = wholeNumber(values.digits, 'digits', 1, 1000) ?? 12;
  const spec = loadSpec(positionals[0]!, io, wholeNumber(values.precision, 'precision', 1, 100_000));
  const trace = run(spec);
  if (format === 'json') io.out(JSON.stringify(traceJson(trace), null, 2) + '\n');
  else io.out(solutionText(solution(trace), { digits }));
  return 0;
}
