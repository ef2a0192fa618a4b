// The command's script loader and its code caches (src/cli/code-cache.ts). A cache only saves compiling:
// these hold that a loaded script behaves as Node's CommonJS module would, that a cache written is used by
// the next process, and that a cache that does not fit its script (changed since, corrupted, cut short)
// is not used and the script runs from its source. Each case that reads a cache runs in a fresh process,
// as the command does (a process that compiled a script once would not need the cache).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptLoader } from '../src/cli/code-cache.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const command = join(root, 'dist', 'exactprop.cjs');

/** Runs `body` in a fresh Node process, with the built command's engine flags set and its scriptLoader
 *  in scope; returns the last line it printed, read as JSON. */
function inFreshProcess(body: string, ...args: string[]): { out: unknown; stderr: string; status: number | null } {
  const script = `const { scriptLoader, setEngineFlags } = require(${JSON.stringify(command)});
setEngineFlags();
${body}`;
  const r = spawnSync(process.execPath, ['-e', script, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = r.stdout.trim().split('\n');
  let out: unknown;
  try {
    out = JSON.parse(lines[lines.length - 1]!);
  } catch {
    out = r.stdout;
  }
  return { out, stderr: r.stderr, status: r.status };
}

describe('the script loader', () => {
  it('runs a script as a CommonJS module: its own exports, require of siblings (once, cycles included) and of Node built-ins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-loader-'));
    try {
      mkdirSync(join(dir, 'chunks'));
      writeFileSync(join(dir, 'main.cjs'), `
        exports.early = 'main, before its requires';
        const a = require('./chunks/a.cjs');
        const again = require('./chunks/a.cjs');
        const { basename } = require('node:path');
        module.exports = { sum: a.twice(21), same: a === again, seenByA: a.sawMain, file: basename(__filename), dir: basename(__dirname), self: this === exports };
      `);
      writeFileSync(join(dir, 'chunks', 'a.cjs'), `
        globalThis.__loads = (globalThis.__loads ?? 0) + 1;
        const main = require('../main.cjs');
        exports.sawMain = main.early;
        exports.twice = (x) => 2 * x;
      `);
      const loader = scriptLoader({ caches: false });
      expect(loader.load(join(dir, 'main.cjs'))).toEqual({ sum: 42, same: true, seenByA: 'main, before its requires', file: 'main.cjs', dir: dir.split('/').pop(), self: true });
      expect((globalThis as { __loads?: number }).__loads).toBe(1);
      expect(loader.loaded.map((l) => [l.file.slice(dir.length), l.cache])).toEqual([['/main.cjs', 'none'], ['/chunks/a.cjs', 'none']]);
      // A script that throws fails its load with its own error, and again when required again (it is
      // not left registered with what it exported before it threw).
      writeFileSync(join(dir, 'bad.cjs'), `exports.partial = 1; throw new RangeError('from the script');`);
      expect(() => loader.load(join(dir, 'bad.cjs'))).toThrow(/from the script/);
      expect(() => loader.load(join(dir, 'bad.cjs'))).toThrow(/from the script/);
      expect(() => loader.load(join(dir, 'missing.cjs'))).toThrow(/ENOENT/);
      expect(() => loader.load(join(dir, 'missing.cjs'))).toThrow(/ENOENT/);
      // Strict or not as the script says, and its stack's columns its own (not the wrapper's).
      writeFileSync(join(dir, 'strict.cjs'), `"use strict";\nmodule.exports = (function () { return this; })();`);
      expect(loader.load(join(dir, 'strict.cjs'))).toBeUndefined();
      writeFileSync(join(dir, 'where.cjs'), `module.exports = new Error('here').stack;`);
      expect(loader.load(join(dir, 'where.cjs'))).toContain('where.cjs:1:18)');
    } finally {
      delete (globalThis as { __loads?: number }).__loads;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('uses the cache a process wrote, and refuses one that does not fit its script', () => {
    if (!existsSync(command)) throw new Error('dist/exactprop.cjs is missing: `npm run build` first');
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-cache-'));
    try {
      const file = join(dir, 'm.cjs');
      writeFileSync(file, `function digits(n) { let s = ''; for (let i = 1; i <= n; i++) s += i % 10; return s; }
module.exports = { text: digits(12), digits };\n`);
      const body = `const loader = scriptLoader();
const m = loader.load(${JSON.stringify(file)});
m.digits(3);
if (process.argv[1] === 'write') loader.writeCaches();
console.log(JSON.stringify({ text: m.text, cache: loader.loaded[0].cache }));`;
      const load = (...args: string[]) => {
        const r = inFreshProcess(body, ...args);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return r.out;
      };
      expect(load('write')).toEqual({ text: '123456789012', cache: 'none' });
      expect(existsSync(`${file}.cache`)).toBe(true);
      expect(existsSync(`${file}.cache.tmp`)).toBe(false);
      expect(load()).toEqual({ text: '123456789012', cache: 'used' });

      // Written by another Node (the header names the one that wrote it): not handed to V8.
      const fromOther = readFileSync(`${file}.cache`);
      fromOther.write('v0.0.0 none'.padEnd(32, '\0'), 16, 'latin1');
      writeFileSync(`${file}.cache`, fromOther);
      expect(load()).toEqual({ text: '123456789012', cache: 'stale' });
      expect(load('write')).toEqual({ text: '123456789012', cache: 'stale' });
      expect(load()).toEqual({ text: '123456789012', cache: 'used' });

      // The script changed since (a new time, or a new size): the cache is not handed to V8.
      const later = new Date(Date.now() + 5000);
      utimesSync(file, later, later);
      expect(load()).toEqual({ text: '123456789012', cache: 'stale' });
      writeFileSync(file, readFileSync(file, 'utf8').replace('digits(12)', 'digits(13)'));
      expect(load()).toEqual({ text: '1234567890123', cache: 'stale' });
      expect(load('write')).toEqual({ text: '1234567890123', cache: 'stale' });
      expect(load()).toEqual({ text: '1234567890123', cache: 'used' });

      // Corrupted or cut short: V8 checks the checksum (the command's engine flags ask it to) and
      // refuses it; without that check a corrupted cache crashed the process.
      const cache = readFileSync(`${file}.cache`);
      const flipped = Buffer.from(cache);
      flipped[Math.floor(cache.length * 0.6)]! ^= 0xff;
      writeFileSync(`${file}.cache`, flipped);
      expect(load()).toEqual({ text: '1234567890123', cache: 'refused by V8' });
      writeFileSync(`${file}.cache`, cache.subarray(0, Math.floor(cache.length / 2)));
      expect(load()).toEqual({ text: '1234567890123', cache: 'refused by V8' });
      writeFileSync(`${file}.cache`, cache.subarray(0, 10));
      expect(load()).toEqual({ text: '1234567890123', cache: 'stale' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads the built command line with the build's caches, and prints the same with none", () => {
    if (!existsSync(command)) throw new Error('dist/exactprop.cjs is missing: `npm run build` first');
    // The build ran `run` on the homework when it wrote the caches; a fresh process with the command's
    // flags uses every one it loads (a cache refused for the flags would cost the start-up it saves).
    const run = (caches: boolean) => spawnSync(process.execPath, ['-e', `const { scriptLoader, setEngineFlags } = require(${JSON.stringify(command)});
setEngineFlags();
process.argv = [process.argv[0], 'exactprop', 'run', 'examples/hw7-q2.yaml', '--format', 'json'];
const loader = scriptLoader({ caches: ${caches} });
process.on('exit', () => require('node:fs').writeSync(2, JSON.stringify(loader.loaded.map((l) => l.cache))));
loader.load(${JSON.stringify(join(root, 'dist', 'cli', 'main.cjs'))});`], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
    const withCaches = run(true);
    const without = run(false);
    expect([withCaches.status, without.status]).toEqual([0, 0]);
    const used = JSON.parse(withCaches.stderr) as string[];
    expect(used.length).toBeGreaterThan(3);
    expect(new Set(used)).toEqual(new Set(['used']));
    expect(new Set(JSON.parse(without.stderr) as string[])).toEqual(new Set(['none']));
    expect(withCaches.stdout).toBe(without.stdout);
    expect((JSON.parse(withCaches.stdout) as { steps: Array<{ loss: { total: string } }> }).steps[0]!.loss.total).toBe('89.525');
  });
});
