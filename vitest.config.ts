import { defineConfig } from 'vitest/config';

// Tests run on a 2-core machine beside the hostile corpus's child processes: vitest's 5 s default is too
// tight for a loaded machine, while a hung test still fails within a minute.
export default defineConfig({
  // setupFiles: see test/helpers/readers.ts.
  test: { testTimeout: 60_000, setupFiles: ['test/helpers/readers.ts'] },
});
