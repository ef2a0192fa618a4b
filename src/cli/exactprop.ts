#!/usr/bin/env node
// Entry point of the `exactprop` command.
import { main } from './main.js';

// A reader that stops early (`exactprop run ... | head`) closes the pipe: that ends the output, quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Only a bug gets here: input problems are reported by main with exit code 2.
    process.stderr.write(`exactprop: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 70;
  },
);
