// The package as others get it: packed with `npm pack` (which builds it), installed into a fresh project,
// used from TypeScript checked against the emitted declarations, and run with node; and the main entry
// bundled for a browser and run where no Node built-in exists.
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const CONSUMER = `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { checkAll, checkReport, deriveReport, parseSpec, run, runStream, selectSteps, SpecError, stepCount, type GradedFile, type Spec, type TraceJson } from 'exactprop';
import { loadSpecFile, runStream as runStreamNode } from 'exactprop/node';

const file = createRequire(import.meta.url).resolve('exactprop/package.json').replace(/package\\.json$/, 'examples/hw7-q2.yaml');
const spec: Spec = parseSpec(readFileSync(file, 'utf8'), { file: 'hw7-q2.yaml' });
const trace: TraceJson = run(spec, { arithmetic: 'decimal' });
const total: string = trace.steps[0]!.loss.total;
const fromFile = run(loadSpecFile(file)).steps[0]!.loss.total;
let located = '';
try {
  parseSpec('params: []', { file: 'bad.yaml' });
} catch (e) {
  if (e instanceof SpecError) located = e.located();
}
// Streamed: only the last step written, to a sink; HTML from the Node entry.
let json = '';
runStream(spec, (chunk) => { json += chunk; }, { format: 'json', steps: selectSteps(spec, 'last') });
const streamedSteps: number[] = (JSON.parse(json) as TraceJson).steps.map((s) => s.step);
let html = '';
runStreamNode(spec, (chunk) => { html += chunk; }, { format: 'html', digits: 6 });
const derived: string = deriveReport(spec, { param: 'w1', format: 'markdown' });
const graded: GradedFile[] = checkAll(spec, [{ file: 'a.yaml', text: 'step1: { loss: 89.525 }' }]);
const report: string = checkReport(graded, 'text', { colour: false });
console.log(JSON.stringify({ total, fromFile, located, streamedSteps, steps: stepCount(spec), html: html.startsWith('<!DOCTYPE html>'), derived: derived.startsWith('# Derivatives of the loss'), report: report.includes('89.525') }));
`;

describe('the package', () => {
  it('packs, installs into a fresh project, type-checks a TypeScript consumer and runs it', () => {
    const work = mkdtempSync(join(tmpdir(), 'exactprop-pack-'));
    try {
      // A copy of the sources to pack, so that packing (its build) leaves this tree's dist alone.
      const source = join(work, 'source');
      mkdirSync(source);
      for (const entry of ['package.json', 'README.md', 'tsconfig.json', 'tsconfig.build.json', 'src', 'assembly', 'scripts', 'examples', 'schema']) {
        cpSync(join(root, entry), join(source, entry), { recursive: true });
      }
      symlinkSync(join(root, 'node_modules'), join(source, 'node_modules'), 'dir');
      execFileSync(npm, ['pack', '--pack-destination', work, '--silent'], { cwd: source, stdio: 'pipe' });
      const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
      expect(tarball).toBeDefined();

      const project = join(work, 'consumer');
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
      execFileSync(npm, ['install', join(work, tarball!), '--prefer-offline', '--no-audit', '--no-fund', '--silent'], { cwd: project, stdio: 'pipe' });
      const installed = readdirSync(join(project, 'node_modules', 'exactprop', 'dist'));
      expect(installed).toEqual(expect.arrayContaining(['exactprop.cjs', 'cli', 'lib', 'types']));
      // The command as installed runs the homework. Its code caches are not packed (a tarball does not
      // keep the times a cache is checked against, so none would be used).
      expect(readdirSync(join(project, 'node_modules', 'exactprop', 'dist', 'cli'), { recursive: true }).filter((f) => String(f).endsWith('.cache'))).toEqual([]);
      const command = spawnSync(join(project, 'node_modules', '.bin', 'exactprop'), ['run', join(project, 'node_modules', 'exactprop', 'examples', 'hw7-q2.yaml')], { cwd: project, encoding: 'utf8' });
      expect(command.stderr).toBe('');
      expect(command.status).toBe(0);
      expect(command.stdout).toMatch(/loss\.total = loss\.data \+ loss\.penalty\n +=[^\n]*\n += 89\.525\n/);

      writeFileSync(join(project, 'consumer.ts'), CONSUMER);
      writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false,
          outDir: 'out',
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        files: ['consumer.ts'],
      }));
      // Type-checked (and compiled) against the declarations the package ships.
      execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, stdio: 'pipe' });
      const out = execFileSync(process.execPath, [join(project, 'out', 'consumer.js')], { cwd: project, encoding: 'utf8' });
      expect(JSON.parse(out)).toEqual({
        total: '89.525', fromFile: '89.525', located: expect.stringMatching(/^bad\.yaml:1: at params: /),
        streamedSteps: [2], steps: 2, html: true, derived: true, report: true,
      });
    } catch (e) {
      const failed = e as { stdout?: Buffer | string; stderr?: Buffer | string };
      if (failed.stdout !== undefined || failed.stderr !== undefined) {
        throw new Error(`${(e as Error).message}\n${String(failed.stdout ?? '')}\n${String(failed.stderr ?? '')}`);
      }
      throw e;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);

  it('bundles for the browser (no Node built-in) and runs where there is no Node', async () => {
    const spec = readFileSync(join(root, 'examples', 'hw7-q2.yaml'), 'utf8');
    const result = await build({
      stdin: {
        contents: `import { parseSpec, run, runStream } from './src/index.ts';
const spec = parseSpec(${JSON.stringify(spec)}, { file: 'hw7-q2.yaml' });
globalThis.result = run(spec).steps[0].loss.total;
let markdown = '';
runStream(spec, (chunk) => { markdown += chunk; }, { format: 'markdown' });
globalThis.streamed = markdown.split('\\n')[0];`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith('node:') || /(^|\/)cli\//.test(i))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    // Everything is bundled: the module has no import left, so it runs as a script in a context that
    // has what a browser has and nothing of Node (no require, process, Buffer).
    expect(code).not.toMatch(/^\s*import\s/m);
    const context: Record<string, unknown> = { TextEncoder, TextDecoder, URL, console };
    runInNewContext(code, context, { timeout: 30_000 });
    expect(context.result).toBe('89.525');
    // The output limit counts UTF-8 bytes without Node's Buffer.
    expect(context.streamed).toBe('# Worked solution: hw7-q2.yaml');
    expect(runInNewContext('typeof require + typeof process + typeof Buffer', {})).toBe('undefinedundefinedundefined');
  }, 60_000);
});
