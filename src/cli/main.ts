// The command line: `exactprop run SPEC`. Arguments are parsed with node:util's parseArgs; every
// input problem ends in a located message on stderr and exit code 2, never a stack trace.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InputError } from '../spec/errors.js';
import { parseSpec } from '../spec/validate.js';
import { EvaluationError, run } from '../graph/run.js';
import { traceJson } from '../render/json.js';
import { solution } from '../render/solution.js';
import { solutionText } from '../render/text.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  readFile: (path: string) => string;
}

const defaultIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  readFile: (p) => readFileSync(p, 'utf8'),
};

export const USAGE = `usage: exactprop run SPEC [--format text|json] [--digits N] [--precision N]

  run     train the network of SPEC (YAML or JSON) exactly and print the worked solution
          --format    text (default) or json (the whole trace, full precision)
          --digits    significant digits shown in text (default 12); JSON keeps them all
          --precision working precision in significant digits (overrides the spec)
`;

class UsageError extends Error {}

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command !== 'run') throw new UsageError(`unknown command '${command}'`);
    return runCommand(rest, io);
  } catch (e) {
    if (e instanceof InputError) {
      io.err(`exactprop: ${e.located()}\n`);
      return 2;
    }
    if (e instanceof EvaluationError) {
      io.err(`exactprop: ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`exactprop: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

function runCommand(args: string[], io: Io): number {
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
  const file = positionals[0]!;
  const format = values.format!;
  if (!['text', 'json'].includes(format)) throw new UsageError(`unknown format '${format}' (text or json)`);
  const digits = wholeNumber(values.digits, 'digits', 1, 1000) ?? 12;
  const precision = wholeNumber(values.precision, 'precision', 1, 100_000);

  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    throw new InputError(file, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const spec = parseSpec(text, file, precision !== undefined ? { precision } : {});
  const trace = run(spec);
  if (format === 'json') io.out(JSON.stringify(traceJson(trace), null, 2) + '\n');
  else io.out(solutionText(solution(trace), { digits }));
  return 0;
}

function wholeNumber(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got '${text}'`);
  return Number(text);
}
