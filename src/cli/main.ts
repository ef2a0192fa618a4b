// The command line. Each command lives in commands/ and is one entry below. Arguments are parsed with
// node:util's parseArgs; every input problem ends in a located message on stderr and exit code 2,
// never a stack trace.
import { InputError } from '../spec/errors.js';
import { EvaluationError } from '../graph/run.js';
import { processIo, UsageError, type Io } from './io.js';
export type { Io } from './io.js';

interface Command {
  usage: string;
  run: (args: string[], io: Io) => number | Promise<number>;
}

// Commands are loaded when used, so that start-up reads only what the command needs (the HTML
// renderer's KaTeX, say, is never loaded to print text).
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: () => import('./commands/run.js').then((m) => ({ usage: m.usage, run: m.runCommand })),
  check: () => import('./commands/check.js').then((m) => ({ usage: m.usage, run: m.checkCommand })),
  derive: () => import('./commands/derive.js').then((m) => ({ usage: m.usage, run: m.deriveCommand })),
};

export async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return `usage:\n${commands.map((c) => `  ${c.usage.replace(/\n/g, '\n  ')}`).join('\n\n')}\n`;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(await usage());
      return command === undefined ? 2 : 0;
    }
    const load = COMMANDS[command];
    if (!load) throw new UsageError(`unknown command '${command}'`);
    return await (await load()).run(rest, io);
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
      io.err(`exactprop: ${(e as Error).message}\n${await usage()}`);
      return 2;
    }
    throw e;
  }
}
