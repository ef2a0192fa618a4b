// Loading the built command line with V8 code caches (issue 16's start-up and short runs).
//
// A command runs for a second or less, and a large part of that went to compiling JavaScript: the
// half megabyte of the bundle parsed when it loads, then each function compiled to bytecode the first
// time it runs (measured with V8's function events on the dense ReLU benchmark: about 70 ms of 0.6 s).
// Node 20 caches no compiled user code between processes, and its ES module loader takes no cache at
// all; a `vm.Script` does. So the build (scripts/build.mjs) writes the command line as CommonJS scripts
// (dist/cli/: the entry main.cjs and its chunks, loaded on demand as before), runs a few commands once,
// and keeps, beside each script, the bytecode V8 compiled for it (`<script>.cache`). The command
// (dist/exactprop.cjs) loads its scripts through `scriptLoader`, which hands V8 the cache; V8 checks
// it against its own version, flags and the source's length and refuses one that does not fit, and
// the loader refuses one whose source has changed since (its size and modification time are kept in
// the cache's header, as Python keeps them in a .pyc) or that another Node wrote. A refused or missing
// cache only costs the compile it would have saved: what runs is always the script's own source.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/**
 * Sets the V8 flags the command runs with. They must be set before any of its scripts is compiled,
 * by the process that writes the caches as by the one that reads them: V8 refuses a cache made under
 * other flags.
 *
 * A command runs for a second or less, mostly code that runs once (reading the spec, building and
 * compiling its equations), and its arithmetic is WebAssembly. V8's optimizing compiler, left to its
 * defaults, starts on functions after a few thousand bytecodes of work: here it optimized hundreds of
 * functions that were done by the time their code was ready (the work on the main thread to prepare and
 * install each, the deoptimizations, the other core taken from the garbage collector), and the process
 * could not end before the compiles in flight had. Eight times the budget leaves it the functions that
 * are really hot (a run's per-step code, the BigInt kernels of tanh and exp). Measured on the dense
 * benchmarks (bench/run.ts): about 110 ms off a ReLU run of 0.78 s, 70 ms off tanh's 1.45 s. It changes
 * only how soon code is optimized, never what it computes; the library leaves its host's engine alone.
 */
export function setEngineFlags(): void {
  setFlagsFromString('--interrupt-budget=540000');
  // The young generation is left at its first size (1 MB per semi-space) instead of growing to 8 MB
  // when much of it survives, as a run's setup makes it do: its scavenges then stay within the
  // processor's cache, and the process touches, and at its end frees, fewer pages. Measured on the same
  // build, each side's caches made under its own flags (alternating runs): hw7 220 ms against 238 ms (the
  // lower quartile of 21 runs), the dense tanh workload 1.12 s against 1.24 s, ReLU's about 15 ms
  // sooner, peak memory 69 MB against 75 MB. Long commands that allocate throughout pay for the
  // extra scavenges: grading 1,000 sheets of hw7 in one thread 2.09 s against 2.00 s.
  setFlagsFromString('--semi-space-growth-factor=1');
  // V8 checksums a code cache only when asked: without it a cache corrupted on disk (its header intact)
  // crashed the process as it was read (test/code-cache.test.ts corrupts one).
  setFlagsFromString('--verify-snapshot-checksum');
}

/** What became of a script's cache when it was loaded. */
export type CacheUse = 'used' | 'refused by V8' | 'stale' | 'none';

export interface ScriptLoader {
  /** Runs the CommonJS script `file` (once; later calls return its exports) and returns its exports. */
  load(file: string): unknown;
  /** Writes the cache of every script loaded so far: the bytecode of all its functions compiled by now. */
  writeCaches(): void;
  /** Each script loaded, in order, with what became of its cache. */
  readonly loaded: ReadonlyArray<{ file: string; cache: CacheUse }>;
}

/**
 * The header of a cache file: the source's size and modification time (ms), two float64s, then the
 * Node that wrote it (version and architecture, ASCII, zero-padded). V8 checks its own version, but Node
 * releases that share one V8 differ in what they build around it, and a cache is only ever written and
 * read by one installation.
 */
const STAMP_BYTES = 16;
const NODE_BYTES = 32;
const HEADER = STAMP_BYTES + NODE_BYTES;

function header(file: string): Buffer {
  const s = statSync(file);
  const bytes = Buffer.alloc(HEADER);
  bytes.writeDoubleLE(s.size, 0);
  bytes.writeDoubleLE(s.mtimeMs, 8);
  bytes.write(`${process.version} ${process.arch}`.slice(0, NODE_BYTES), STAMP_BYTES, 'latin1');
  return bytes;
}

/** Node's wrapper of a CommonJS module (Module.wrap), so that a script sees what a module sees. */
const WRAP_BEFORE = '(function (exports, require, module, __filename, __dirname) {';
const WRAP_AFTER = '\n})';

/**
 * A loader of CommonJS scripts with their code caches. A relative `require` inside a loaded script
 * loads the file it names through this loader (the command line's chunks require each other so);
 * anything else (Node's built-ins) goes to Node's own `require`.
 */
export function scriptLoader(options: { caches?: boolean } = {}): ScriptLoader {
  const useCaches = options.caches ?? true;
  const modules = new Map<string, { exports: unknown }>();
  /** Each script loaded, with its source's header as it was when it was read. */
  const scripts: Array<{ file: string; script: Script; header: Buffer }> = [];
  const loaded: Array<{ file: string; cache: CacheUse }> = [];

  function readCache(file: string, stamp: Buffer): { data?: Buffer; use: CacheUse } {
    let bytes: Buffer;
    try {
      bytes = readFileSync(`${file}.cache`);
    } catch {
      return { use: 'none' };
    }
    if (bytes.length <= HEADER || !bytes.subarray(0, HEADER).equals(stamp)) return { use: 'stale' };
    return { data: bytes.subarray(HEADER), use: 'used' };
  }

  function load(path: string): unknown {
    const file = resolve(path);
    const known = modules.get(file);
    if (known) return known.exports;
    const module = { exports: {} as unknown };
    // Registered before it runs, as Node does, so that a cycle of requires sees the exports so far;
    // and forgotten if it fails, as Node does, so that a later require meets the failure again rather
    // than what the script had exported before it.
    modules.set(file, module);
    try {
      // The header first: a source changed after it is read is not given the cache of the one read.
      const stamp = header(file);
      const source = readFileSync(file, 'utf8');
      const cache = useCaches ? readCache(file, stamp) : { use: 'none' as const };
      const script = new Script(`${WRAP_BEFORE}${source}${WRAP_AFTER}`, {
        filename: file,
        // A stack trace's columns on the first line are the script's own, not the wrapper's.
        columnOffset: -WRAP_BEFORE.length,
        ...(cache.data ? { cachedData: cache.data } : {}),
      });
      const use: CacheUse = cache.data && script.cachedDataRejected ? 'refused by V8' : cache.use;
      scripts.push({ file, script, header: stamp });
      loaded.push({ file, cache: use });
      const dir = dirname(file);
      const nodeRequire = createRequire(file);
      const require = (specifier: string): unknown =>
        specifier.startsWith('./') || specifier.startsWith('../') ? load(join(dir, specifier)) : nodeRequire(specifier);
      const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
      wrapper.call(module.exports, module.exports, require, module, file, dir);
    } catch (e) {
      modules.delete(file);
      throw e;
    }
    return module.exports;
  }

  function writeCaches(): void {
    for (const { file, script, header } of scripts) {
      const data = script.createCachedData();
      // Whole or not at all: written beside, then renamed over the old one.
      writeFileSync(`${file}.cache.tmp`, Buffer.concat([header, data]));
      renameSync(`${file}.cache.tmp`, `${file}.cache`);
    }
  }

  return { load, writeCaches, loaded };
}
