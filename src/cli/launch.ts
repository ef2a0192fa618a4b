// The `exactprop` command as installed (dist/exactprop.cjs, CommonJS so that Node's ES module loader is
// never started): it sets the engine's flags and loads the command line's scripts with their code caches
// (code-cache.ts says why). Required rather than run (the build's cache warm-up, bench/cli-child.cjs,
// tests), it runs nothing and exports runCommandLine and the loader.
import { join } from 'node:path';
import { scriptLoader, setEngineFlags, type ScriptLoader } from './code-cache.js';

export { scriptLoader, setEngineFlags };

/** Runs the command line on process.argv, as the command does; returns the loader that loaded it. */
export function runCommandLine(): ScriptLoader {
  setEngineFlags();
  const loader = scriptLoader();
  // Built, this file is dist/exactprop.cjs and the command line's scripts are in dist/cli/.
  loader.load(join(__dirname, 'cli', 'main.cjs'));
  return loader;
}

if (require.main === module) runCommandLine();
