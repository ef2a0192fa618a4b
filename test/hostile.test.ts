// The hostile corpus (test/hostile/cases.json, issue 10): inputs a careful tester, a careless student
// or an attacker would try. Each runs the BUILT command (dist/exactprop.cjs, as users meet it) in its own
// process and must end with exit code 0 or 2 (or its case's own code) within 10 s and 1 GB, with no
// stack trace, and meet its case's expectations: the message it must or must not contain, and for a
// renamed spec the same numbers as the reference spec it renames.
//
// Case fields (cases.json, one object per case):
//   id, class, why        name, issue-10 class, and what the input tries
//   argv                  arguments after `exactprop`; paths are relative to test/hostile/cases (the
//                         working folder); {tmp} is a fresh temporary folder, {cases} the cases folder;
//                         ../generated/NAME is written by scripts/hostile-corpus.mjs
//   files, symlinks, fifos   made in {tmp} before the run (names a repository should never hold:
//                         control characters, links out of the folder, FIFOs)
//   cwd                   the working folder instead of the cases folder ({tmp} allowed)
//   stdin, stdinOpen      text written to standard input, which is then closed unless stdinOpen
//   closeStdoutAfterBytes the reader goes away after this many bytes (`| head -c N`)
//   code                  the exit code, or the codes allowed (default [0, 2])
//   stdout, stderr, output   { contains, notContains, matches, notMatches } (regex sources, flag m);
//                         output is both streams
//   same                  [{ ref, path, refPath }]: when this case exits 0, the JSON value at path in
//                         its stdout equals the one at refPath (default: path) in case ref's stdout.
//                         A path is dot-separated keys; `*` maps over a list, -1 is the last item.
//
// HOSTILE_CASES=regex runs only the matching ids; HOSTILE_CLI=path runs another build of the command
// (a private copy, when others rebuild dist/ meanwhile). A summary of every run is written to
// test-artifacts/hostile-report.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Codes = number | number[];
interface Expect {
  contains?: string[];
  notContains?: string[];
  matches?: string[];
  notMatches?: string[];
}
interface Case {
  id: string;
  class: string;
  why: string;
  argv: string[];
  files?: Record<string, string>;
  symlinks?: Record<string, string>;
  fifos?: string[];
  cwd?: string;
  stdin?: string;
  stdinOpen?: boolean;
  closeStdoutAfterBytes?: number;
  code?: Codes;
  stdout?: Expect;
  stderr?: Expect;
  output?: Expect;
  same?: Array<{ ref: string; path?: string; refPath?: string }>;
}
interface Result {
  code: number | null;
  signal: string | null;
  stdout: string;
  stdoutBytes: number;
  stderr: string;
  ms: number;
  /** Peak resident memory in bytes: the process's own figure, or the watchdog's when it was killed. */
  maxRss: number | undefined;
  /** CPU time of the process (user + system), when it exited by itself. */
  cpuMs: number | undefined;
  timedOut: boolean;
  memoryKilled: boolean;
  setupError?: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const hostile = join(root, 'test/hostile');
const casesDir = join(hostile, 'cases');
const cli = process.env.HOSTILE_CLI ?? join(root, 'dist/exactprop.cjs');
const preload = pathToFileURL(join(hostile, 'preload.mjs')).href;

/** The budget of issue 10, for every input. */
const TIME_MS = 10_000;
const RSS_BYTES = 1024 ** 3;
/** A process far over the budget is stopped early, so that one runaway input cannot starve the machine. */
const RSS_KILL_BYTES = 1.5 * RSS_BYTES;
/** At most two CLI processes at once: the suite shares two cores with the other test files. */
const JOBS = 2;
/** Output kept per stream: enough for every expectation; the rest is only counted. */
const KEEP_CHARS = 4_000_000;
/** What the runner puts in each process's environment: no message may ever quote it (/proc/self/environ). */
const SECRET_ENV = 's3cr3t-environ-value';

const manifest: Case[] = JSON.parse(readFileSync(join(hostile, 'cases.json'), 'utf8'));
const only = process.env.HOSTILE_CASES ? new RegExp(process.env.HOSTILE_CASES) : undefined;
// A case chosen by HOSTILE_CASES brings the reference cases it is compared with.
const chosen = new Set(manifest.filter((c) => !only || only.test(c.id)).flatMap((c) => [c.id, ...(c.same ?? []).map((s) => s.ref)]));
const selected = manifest.filter((c) => chosen.has(c.id));
const byId = new Map(manifest.map((c) => [c.id, c]));

function fill(text: string, tmp: string): string {
  return text.replaceAll('{tmp}', tmp).replaceAll('{cases}', casesDir);
}

/** Makes the case's run-time fixtures in `tmp`. */
function setUp(c: Case, tmp: string): void {
  const at = (name: string) => {
    const path = join(tmp, fill(name, tmp));
    mkdirSync(dirname(path), { recursive: true });
    return path;
  };
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(at(name), fill(text, tmp));
  for (const [name, target] of Object.entries(c.symlinks ?? {})) symlinkSync(fill(target, tmp), at(name));
  for (const name of c.fifos ?? []) execFileSync('mkfifo', [at(name)]);
}

/** Resident memory of a running process in bytes, from /proc (Linux); undefined elsewhere. */
function currentRss(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function runCase(c: Case): Promise<Result> {
  const base = mkdtempSync(join(tmpdir(), 'exactprop-hostile-'));
  const tmp = join(base, 't');
  mkdirSync(tmp);
  const rssFile = join(base, 'maxrss');
  const done = (r: Result) => {
    rmSync(base, { recursive: true, force: true });
    return r;
  };
  try {
    setUp(c, tmp);
  } catch (e) {
    return Promise.resolve(done({ code: null, signal: null, stdout: '', stdoutBytes: 0, stderr: '', ms: 0, maxRss: undefined, cpuMs: undefined, timedOut: false, memoryKilled: false, setupError: String(e) }));
  }
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--max-old-space-size=1024', '--import', preload, cli, ...c.argv.map((a) => fill(a, tmp))], {
      cwd: c.cwd ? fill(c.cwd, tmp) : casesDir,
      env: { ...process.env, HOSTILE_MAXRSS_FILE: rssFile, EXACTPROP_HOSTILE_SECRET: SECRET_ENV, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: [c.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stdoutBytes = 0;
    let stderr = '';
    let timedOut = false;
    let memoryKilled = false;
    let peak = 0;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (t: string) => {
      stdoutBytes += Buffer.byteLength(t);
      if (stdout.length < KEEP_CHARS) stdout += t.slice(0, KEEP_CHARS - stdout.length);
      // A reader that stops early, like `| head -c N`: the CLI must notice and stop too.
      if (c.closeStdoutAfterBytes !== undefined && stdoutBytes >= c.closeStdoutAfterBytes) child.stdout!.destroy();
    });
    child.stderr!.on('data', (t: string) => {
      if (stderr.length < KEEP_CHARS) stderr += t.slice(0, KEEP_CHARS - stderr.length);
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the CLI may exit without reading it
      child.stdin.write(c.stdin);
      if (!c.stdinOpen) child.stdin.end();
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIME_MS);
    const watchdog = setInterval(() => {
      const rss = currentRss(child.pid!);
      if (rss === undefined) return;
      peak = Math.max(peak, rss);
      if (rss > RSS_KILL_BYTES) {
        memoryKilled = true;
        child.kill('SIGKILL');
      }
    }, 100);
    child.on('exit', () => child.stdin?.destroy());
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      clearInterval(watchdog);
      const measured = existsSync(rssFile) ? (parseJson(readFileSync(rssFile, 'utf8')) as { maxRss: number; cpuMs: number } | undefined) : undefined;
      resolve(done({ code, signal, stdout, stdoutBytes, stderr, ms, maxRss: measured?.maxRss ?? (peak || undefined), cpuMs: measured?.cpuMs, timedOut, memoryKilled }));
    });
  });
}

/** Runs the cases JOBS at a time, in manifest order, and gives each one's result as a promise. */
function schedule(cases: Case[]): Map<string, Promise<Result>> {
  const results = new Map<string, Promise<Result>>();
  const starters: Array<() => void> = [];
  for (const c of cases) {
    results.set(
      c.id,
      new Promise<Result>((resolve) => {
        starters.push(() => void runCase(c).then(resolve, (e) => resolve({ code: null, signal: null, stdout: '', stdoutBytes: 0, stderr: '', ms: 0, maxRss: undefined, cpuMs: undefined, timedOut: false, memoryKilled: false, setupError: String(e) })));
      }),
    );
  }
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      starters[i]!();
      await results.get(cases[i]!.id);
    }
  };
  for (let k = 0; k < JOBS; k++) void worker();
  return results;
}

/** The values at a dot path of a JSON document: `*` maps over a list, a negative index counts from the end. */
function atPath(doc: unknown, path: string): unknown {
  let values: unknown[] = [doc];
  let many = false;
  for (const key of path.split('.')) {
    const out: unknown[] = [];
    for (const v of values) {
      if (key === '*') {
        many = true;
        if (Array.isArray(v)) out.push(...v);
        else out.push(undefined);
      } else if (Array.isArray(v) && /^-?\d+$/.test(key)) {
        out.push(v.at(Number(key)));
      } else if (v !== null && typeof v === 'object' && Object.hasOwn(v, key)) {
        out.push((v as Record<string, unknown>)[key]);
      } else {
        out.push(undefined);
      }
    }
    values = out;
  }
  return many ? values : values[0];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const codes = (c: Case): number[] => (c.code === undefined ? [0, 2] : Array.isArray(c.code) ? c.code : [c.code]);
/** Writes a control character visibly, so that a failure message shows what was there. */
const visible = (s: string) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
const head = (s: string, n = 400) => visible(s.length > n ? `${s.slice(0, n)}…` : s);

function expectText(where: string, text: string, e: Expect | undefined, problems: string[]): void {
  if (!e) return;
  for (const s of e.contains ?? []) if (!text.includes(s)) problems.push(`${where} lacks ${JSON.stringify(visible(s))}`);
  for (const s of e.notContains ?? []) if (text.includes(s)) problems.push(`${where} contains ${JSON.stringify(visible(s))}`);
  for (const r of e.matches ?? []) if (!new RegExp(r, 'm').test(text)) problems.push(`${where} does not match /${r}/`);
  for (const r of e.notMatches ?? []) {
    const m = new RegExp(r, 'm').exec(text);
    if (m) problems.push(`${where} matches /${r}/ at ${JSON.stringify(head(text.slice(Math.max(0, m.index - 40), m.index + 80), 200))}`);
  }
}

/** Every way the run of `c` falls short: an empty list when it passes. */
async function problemsOf(c: Case, r: Result, results: Map<string, Promise<Result>>): Promise<string[]> {
  const problems: string[] = [];
  if (r.setupError) return [`the runner could not set the case up: ${r.setupError}`];
  if (r.timedOut) problems.push(`still running after ${TIME_MS / 1000} s (killed)`);
  if (r.memoryKilled) problems.push(`resident memory over ${RSS_KILL_BYTES / 1024 ** 3} GB (killed)`);
  if (r.maxRss !== undefined && r.maxRss >= RSS_BYTES) problems.push(`peak memory ${(r.maxRss / 1024 ** 2).toFixed(0)} MB, over the 1 GB budget`);
  if (!r.timedOut && r.ms >= TIME_MS) problems.push(`took ${(r.ms / 1000).toFixed(1)} s`);
  if (!r.timedOut && !r.memoryKilled) {
    const allowed = codes(c);
    if (r.code === null || !allowed.includes(r.code)) problems.push(`exit ${r.code ?? r.signal} (expected ${allowed.join(' or ')}); stderr: ${head(r.stderr)}`);
  }
  if (/\n\s+at /.test(r.stderr) || /internal error/i.test(r.stderr)) problems.push(`stack trace on stderr: ${head(r.stderr, 600)}`);
  // A refusal is a located message from the command, never silence.
  if (r.code === 2 && !r.stderr.startsWith('exactprop: ')) problems.push(`exit 2 without an 'exactprop: ' message; stderr: ${head(r.stderr)}`);
  // The secret the runner puts in the environment must never come back (/proc/self/environ).
  if ((r.stdout + r.stderr).includes(SECRET_ENV)) problems.push('the output quotes the environment');
  expectText('stdout', r.stdout, c.stdout, problems);
  expectText('stderr', r.stderr, c.stderr, problems);
  expectText('the output', `${r.stdout}\n${r.stderr}`, c.output, problems);
  if (c.same && r.code === 0) {
    const mine = parseJson(r.stdout);
    for (const s of c.same) {
      const refCase = byId.get(s.ref);
      const refResult = s.ref === c.id ? r : await results.get(s.ref);
      if (!refCase || !refResult) {
        problems.push(`reference case ${s.ref} is not in this run`);
        continue;
      }
      if (refResult.code !== 0) {
        problems.push(`reference case ${s.ref} exited ${refResult.code}`);
        continue;
      }
      if (s.path === undefined) {
        if (r.stdout !== refResult.stdout) problems.push(`stdout differs from ${s.ref}'s`);
        continue;
      }
      const want = atPath(parseJson(refResult.stdout), s.refPath ?? s.path);
      const got = atPath(mine, s.path);
      if (want === undefined || (Array.isArray(want) && want.some((v) => v === undefined))) problems.push(`reference ${s.ref} has no ${s.refPath ?? s.path}`);
      else if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${s.path} is ${head(JSON.stringify(got) ?? 'missing', 200)}, but ${s.ref}'s ${s.refPath ?? s.path} is ${head(JSON.stringify(want), 200)}`);
    }
  }
  return problems;
}

describe('the hostile corpus itself', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));

  it('has at least 150 cases over every class of issue 10, with unique ids and known fields', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(150);
    expect(new Set(manifest.map((c) => c.id)).size).toBe(manifest.length);
    const classes = new Set(manifest.map((c) => c.class));
    for (const k of ['names', 'files', 'budget', 'numbers', 'output', 'messages', 'schema']) expect(classes, k).toContain(k);
    const known = new Set(['id', 'class', 'why', 'argv', 'files', 'symlinks', 'fifos', 'cwd', 'stdin', 'stdinOpen', 'closeStdoutAfterBytes', 'code', 'stdout', 'stderr', 'output', 'same']);
    for (const c of manifest) {
      expect(Object.keys(c).filter((k) => !known.has(k)), c.id).toEqual([]);
      for (const s of c.same ?? []) expect(byId.has(s.ref), `${c.id} refers to ${s.ref}`).toBe(true);
    }
  });

  it('commits only small files with plain names: big and binary inputs are generated', () => {
    for (const f of files(casesDir)) {
      const rel = relative(root, f);
      expect(statSync(f).size, rel).toBeLessThanOrEqual(20_000);
      expect(/^[\w./+@-]+$/.test(rel), `${rel} has an unusual character in its name`).toBe(true);
      expect(lstatSync(f).isFile(), `${rel} is a regular file`).toBe(true);
    }
  });

  it('names in its argv only files that exist (or that the generator or the runner makes)', () => {
    for (const c of manifest) {
      for (const a of c.argv) {
        if (a.startsWith('-') || a.includes('{') || a.startsWith('/') || !/\.(ya?ml|json|csv|png)$/.test(a)) continue;
        // Generated before the run; or deliberately missing.
        if (a.startsWith('../generated/') || a.includes('does-not-exist')) continue;
        if (c.cwd) continue;
        expect(existsSync(join(casesDir, a)), `${c.id}: ${a}`).toBe(true);
      }
    }
  });
});

describe('hostile inputs: exit 0 or 2 within 10 s and 1 GB, no stack trace', () => {
  let results: Map<string, Promise<Result>>;
  const report: Array<{ id: string; class: string; code: number | null; ms: number; cpuMs: number | undefined; maxRssMB: number | undefined; problems: string[] }> = [];

  beforeAll(() => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does it in pretest)`);
    // The big inputs are regenerated, never committed.
    execFileSync(process.execPath, [join(root, 'scripts/hostile-corpus.mjs')], { stdio: 'ignore' });
    results = schedule(selected);
  }, 60_000);

  afterAll(() => {
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    writeFileSync(join(root, 'test-artifacts/hostile-report.json'), JSON.stringify(report, null, 1));
  });

  for (const c of selected) {
    it(`${c.id}: ${c.why}`, async () => {
      const r = await results.get(c.id)!;
      const problems = await problemsOf(c, r, results);
      report.push({ id: c.id, class: c.class, code: r.code, ms: Math.round(r.ms), cpuMs: r.cpuMs, maxRssMB: r.maxRss && Math.round(r.maxRss / 1024 ** 2), problems });
      expect(problems).toEqual([]);
    }, 4 * TIME_MS + 30_000);
  }
});
