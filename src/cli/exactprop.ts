// The command line's entry: built as dist/cli/main.cjs, which the command (dist/exactprop.cjs, from
// launch.ts) loads after setting the engine's flags (code-cache.ts).
import { main } from './main.js';
import { processIo, ReaderGone, writeAll } from './io.js';

/** Ends the process the way its outcome says: a reader that stopped early (`exactprop run ... | head`)
 *  closed the pipe, which ends the run quietly with 0; a failure to write the output is reported. */
function finish(code: number): void {
  try {
    processIo.flush?.();
    process.exitCode = code;
  } catch (e) {
    failed(e);
  }
}

function failed(e: unknown): void {
  if (e instanceof ReaderGone) {
    process.exitCode = 0;
    return;
  }
  try {
    // What was printed before the failure comes before its message.
    processIo.flush?.();
  } catch {
    // The output is what failed: nothing more to write there.
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  // The output could not be written (a full disk, a closed descriptor): the system's word, no trace.
  const message = typeof code === 'string' && /^E[A-Z]+$/.test(code) && (e as NodeJS.ErrnoException).syscall === 'write'
    ? `exactprop: cannot write the output (${code})\n`
    : // Only a bug gets here: input problems are reported by main with exit code 2.
      `exactprop: internal error: ${(e as Error)?.stack ?? String(e)}\n`;
  try {
    writeAll(2, Buffer.from(message, 'utf8'));
  } catch {
    // stderr is gone too: the exit code is all that is left.
  }
  process.exitCode = message.includes('internal error') ? 70 : 74;
}

// Everything is written synchronously by the time main settles, so the process ends there: a natural
// exit would first tear the heap down page by page (measured: about 10 ms of a run's end), which the
// system does at once.
main(process.argv.slice(2)).then(finish, failed).then(() => process.exit());
