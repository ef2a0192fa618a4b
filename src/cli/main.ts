// The command line. Each command lives in commands/ and is one entry below. Arguments are parsed with
// node:util's parseArgs; every input problem ends in a located message on stderr and exit code 2,
// never a stack trace.
import { InputError } from '../spec/errors.js';
import { EvaluationError } from '../graph/run.js';
import { processIo, UsageError, type Io } from './io.js';
import * as runCmd from './commands/run.js';
import * as deriveCmd from './commands/derive.js';

export type { Io } from './io.js';

interface Command {
  usage: string;
  run: (args: string[], io: Io) => number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  run: { usage: runCmd.usage, run: runCmd.runCommand },
  derive: { usage: deriveCmd.usage, run: deriveCmd.deriveCommand },
};

export function usage(): string {
  return `usage:\n${Object.values(COMMANDS).map((c) => `  ${c.usage.replace(/\n/g, '\n  ')}`).join('\n\n')}\n`;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(usage());
      return command === undefined ? 2 : 0;
    }
    const cmd = COMMANDS[command];
    if (!cmd) throw new UsageError(`unknown command '${command}'`);
    return await cmd.run(rest, io);
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
      io.err(`exactprop: ${(e as Error).message}\n${usage()}`);
      return 2;
    }
    throw e;
  }
}
