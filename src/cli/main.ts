// The command line. Each command lives in commands/ and is one entry below. Arguments are parsed with
// node:util's parseArgs; every input problem ends in a located message on stderr and exit code 2,
// never a stack trace. What is common to every command is handled here, before a command runs:
// `--help`/`-h` (its usage, exit 0), `--version`/`-V` (alone or after a command), a `--precision` out of
// range (named as the flag's problem, not the spec's), and the escaping of user text in every message
// (see terminal.ts). The commands are made of the library ('exactprop' and 'exactprop/node', each command
// importing the library's module it uses: src/library/) and nothing else of src/ (test/cli-layers.test.ts).
import { parseArgs } from 'node:util';
// The version is bundled from package.json (esbuild keeps only this field; tsx and vitest read JSON too).
import { version } from '../../package.json';
// The library is loaded with the command that needs it: --version and --help start without it.
const library = () => import('../library/run.js');
import { didYouMean } from '../text/did-you-mean.js';
import { terminalSafe } from '../text/escape.js';
import { processIo, UsageError, wholeNumber, type Io } from './io.js';
import { safeLocated } from './terminal.js';
export type { Io } from './io.js';

interface Command {
  usage: string;
  run: (args: string[], io: Io) => number | Promise<number>;
}

// Commands are loaded when used, so that start-up reads only what the command needs (the HTML
// renderer's KaTeX, say, is never loaded to print text). A Map, so that no command name can be a
// property every object has (`exactprop constructor`).
const COMMANDS = new Map<string, () => Promise<Command>>([
  ['run', () => import('./commands/run.js').then((m) => ({ usage: m.usage, run: m.runCommand }))],
  ['check', () => import('./commands/check.js').then((m) => ({ usage: m.usage, run: m.checkCommand }))],
  ['derive', () => import('./commands/derive.js').then((m) => ({ usage: m.usage, run: m.deriveCommand }))],
  ['grade', () => import('./commands/grade.js').then((m) => ({ usage: m.usage, run: m.gradeCommand }))],
  ['variants', () => import('./commands/variants.js').then((m) => ({ usage: m.usage, run: m.variantsCommand }))],
]);

export const VERSION: string = version;

const usageOf = (c: Command) => `  ${c.usage.replace(/\n/g, '\n  ')}`;

export async function usage(): Promise<string> {
  const commands = await Promise.all([...COMMANDS.values()].map((load) => load()));
  return `usage:\n${commands.map(usageOf).join('\n\n')}\n  exactprop --version\n`;
}

/** Whether the arguments hold one of `flags` before any `--` (after it, they are file names). */
function asksFor(args: string[], flags: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (flags.includes(a)) return true;
  }
  return false;
}

const HELP = ['--help', '-h'];
const VERSION_FLAGS = ['--version', '-V'];

/**
 * A `--precision` given on the command line, checked before the spec is read: out of range, it is the
 * flag that must change, and the message says so (the spec's own `precision:` is checked where it is
 * written). Only this option is read here; everything else is the command's to parse.
 */
async function checkPrecisionFlag(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, strict: false, allowPositionals: true, options: { precision: { type: 'string' } } });
  const given = values.precision;
  if (given === undefined) return;
  if (typeof given !== 'string') throw new UsageError('--precision takes a whole number of significant digits (e.g. --precision 80)');
  const { MIN_PRECISION, MAX_PRECISION } = await library();
  wholeNumber(given, 'precision', MIN_PRECISION, MAX_PRECISION);
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let command: Command | undefined;
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      // Nothing asked: a mistake like any other (stderr, exit 2), with what can be asked.
      io.err(`exactprop: give a command: ${[...COMMANDS.keys()].join(', ')} (or --help, --version)\n${await usage()}`);
      return 2;
    }
    if (HELP.includes(name) || name === 'help') {
      // `exactprop help run`: that command's usage.
      const about = name === 'help' && rest[0] !== undefined ? COMMANDS.get(rest[0]) : undefined;
      io.out(about ? `usage:\n${usageOf(await about())}\n` : await usage());
      return 0;
    }
    if (VERSION_FLAGS.includes(name)) {
      io.out(`exactprop ${VERSION}\n`);
      return 0;
    }
    const load = COMMANDS.get(name);
    if (!load) throw new UsageError(`unknown command '${name}'${didYouMean(name, COMMANDS.keys())}`);
    command = await load();
    // Help wins over the version: `exactprop run --version --help` is asking how to use run.
    if (asksFor(rest, HELP)) {
      io.out(`usage:\n${usageOf(command)}\n`);
      return 0;
    }
    if (asksFor(rest, VERSION_FLAGS)) {
      io.out(`exactprop ${VERSION}\n`);
      return 0;
    }
    await checkPrecisionFlag(rest);
    return await command.run(rest, io);
  } catch (e) {
    const { InputError, EvaluationError } = await library();
    // LimitError and BudgetError are InputErrors: located, no stack trace.
    if (e instanceof InputError) {
      io.err(`exactprop: ${safeLocated(e)}\n`);
      return 2;
    }
    if (e instanceof EvaluationError) {
      io.err(`exactprop: ${terminalSafe(e.message)}\n`);
      return 2;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // The usage of the command that was given, or of every command when none was.
      io.err(`exactprop: ${terminalSafe((e as Error).message)}\n${command ? `usage:\n${usageOf(command)}\n` : await usage()}`);
      return 2;
    }
    // Deep nesting is refused by the limits before work starts; should some input still exhaust the
    // stack, the user learns what to change, not where in our code it happened. It is still our bug (a
    // limit missed it), so the exit code is the internal error's, 70, where the hostile corpus sees it.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      io.err('exactprop: the input is nested too deeply to process (the call stack ran out): write it with less nesting (shorter chains of neurons, fewer nested parentheses). No limit caught this first: please report it.\n');
      return 70;
    }
    throw e;
  }
}
