// Builds the command line (dist/exactprop.cjs and dist/cli/), then the library: its entries ('exactprop'
// and 'exactprop/node') as ES modules in dist/lib, dependencies left to the installer, and their type
// declarations in dist/types (tsc, tsconfig.build.json); then the playground (dist/web).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { build, transformSync } from 'esbuild';
import { buildWasm } from './build-wasm.mjs';

// The arithmetic kernel first: the sources import the module it generates (src/numeric/wasm).
await buildWasm();

rmSync('dist', { recursive: true, force: true });

// The command line. Bundled, tree-shaking keeps only the parts of mathjs it uses; split, the commands
// and heavy renderers are chunks loaded when used. esbuild splits only ES modules, and the command loads
// CommonJS scripts (src/cli/code-cache.ts: Node 20 takes a code cache for a vm.Script, none for an ES
// module), so each piece of the split bundle is then turned into a CommonJS script of its own:
// dist/cli/main.cjs and dist/cli/chunks/*.cjs, requiring each other where they imported each other.
const cli = await build({
  entryPoints: { main: 'src/cli/exactprop.ts' },
  outdir: 'dist/cli',
  write: false,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
const scripts = cli.outputFiles.map((out) => {
  const usesMeta = out.text.includes('import.meta');
  const code = transformSync(out.text, {
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    // import() of a chunk becomes its require, inside a promise as before.
    supported: { 'dynamic-import': false },
    // A module's own URL (a grading worker starts its chunk, the HTML renderer finds KaTeX from it);
    // any other use of import.meta, which esbuild would leave empty, fails the build.
    ...(usesMeta ? { define: { 'import.meta.url': '__importMetaUrl' } } : {}),
    // Strict, as the ES modules were (esbuild's CommonJS says nothing of it).
    banner: `"use strict";${usesMeta ? 'var __importMetaUrl=require("node:url").pathToFileURL(__filename).href;' : ''}`,
    logOverride: { 'empty-import-meta': 'error' },
    logLevel: 'warning',
  }).code.replace(/require\("(\.\.?\/[^"]+)\.js"\)/g, 'require("$1.cjs")');
  return { path: out.path.replace(/\.js$/, '.cjs'), code };
});
for (const { path, code } of scripts) {
  // Every relative require names a script of the build (a miss would fail only when its chunk is loaded).
  for (const [, target] of code.matchAll(/require\("(\.\.?\/[^"]+)"\)/g)) {
    const to = join(dirname(path), target);
    if (!scripts.some((s) => s.path === to)) throw new Error(`${path}: requires ${target}, which the build did not write`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
}
// The command itself: the launcher and the loader, one small CommonJS file.
await build({
  entryPoints: ['src/cli/launch.ts'],
  outfile: 'dist/exactprop.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync('dist/exactprop.cjs', 0o755);

// The code caches (src/cli/code-cache.ts): a few commands, each run once as the command runs them, with
// the caches the ones before wrote, writing them back with what it compiled besides: a run's text and
// JSON, derive and check. A cache holds the bytecode of what had run, so that a command's first call of
// a function does not compile it; what none of them ran is compiled when first called, as without one.
const warmUp = `const { runCommandLine } = require('./dist/exactprop.cjs');
process.argv = [process.argv[0], 'dist/exactprop.cjs', ...process.argv.slice(1)];
const loader = runCommandLine();
process.on('exit', () => loader.writeCaches());`;
// The homework last: what the caches keep of the runs before can be dropped by a later one (V8 lets
// the bytecode of functions not run for a while go), and `npm start` is the homework.
for (const args of [
  ['run', 'examples/mlp-activations.yaml', '--format', 'json'],
  ['derive', 'examples/hw7-q2.yaml'],
  ['check', 'examples/hw7-q2.yaml', 'examples/hw7-q2.answers.yaml'],
  ['run', 'examples/hw7-q2.yaml'],
]) {
  const r = spawnSync(process.execPath, ['-e', warmUp, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  // check's 1 says that an answer is wrong, which is what it is there to find.
  if (r.status !== 0 && !(args[0] === 'check' && r.status === 1)) throw new Error(`code cache warm-up \`exactprop ${args.join(' ')}\` failed (${r.status}): ${r.stderr}`);
}

// The library: not minified (a host's bundler minifies), dependencies external so that a host shares
// them; the two entries share one chunk, so that a run made with one renders with the other.
const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
await build({
  entryPoints: { index: 'src/index.ts', node: 'src/node.ts' },
  outdir: 'dist/lib',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'neutral',
  format: 'esm',
  target: 'es2022',
  // '#csv-parse' and '#csv-stringify' stay imports of the package (package.json imports), so that a
  // host's bundler picks their browser builds.
  external: [...Object.keys(dependencies), 'node:*', '#csv-*'],
  logLevel: 'warning',
});

// The playground (web/, served from dist/web): the page and the worker that runs the library, each one
// script for the browser. platform 'browser' picks the browser builds of dependencies (package.json
// `imports`: csv) and refuses a Node built-in, so the library's browser entry cannot grow one unseen.
// The examples are bundled into the page; KaTeX's stylesheet and fonts are copied beside it (no CDN).
// A copy of the sources without web/ (the package test packs one) builds the library alone.
const examplesPlugin = {
  name: 'examples',
  setup(b) {
    b.onResolve({ filter: /^exactprop-web:examples$/ }, () => ({ path: 'examples', namespace: 'exactprop-web' }));
    b.onLoad({ filter: /.*/, namespace: 'exactprop-web' }, () => {
      const names = readdirSync('examples').filter((f) => f.endsWith('.yaml') && !f.endsWith('.answers.yaml')).map((f) => f.slice(0, -5));
      // hw7-q2 first: the page opens it when the address names no spec.
      names.sort((a, b) => (a === 'hw7-q2' ? -1 : b === 'hw7-q2' ? 1 : a.localeCompare(b)));
      const examples = names.map((name) => {
        const answers = `examples/${name}.answers.yaml`;
        let text;
        try {
          text = readFileSync(answers, 'utf8');
        } catch {}
        return { name, spec: readFileSync(`examples/${name}.yaml`, 'utf8'), ...(text ? { answers: text } : {}) };
      });
      return { contents: `export default ${JSON.stringify(examples)};`, loader: 'js', watchFiles: names.map((n) => `examples/${n}.yaml`) };
    });
  },
};
// mathjs's error classes get their prototypes by constructing an error when the module loads
// (`DimensionError.prototype = new RangeError()`). In a browser worker each such construction captures a
// stack trace at the top level of the whole bundle, which cost 250-380 ms of the worker's start in
// Chromium (measured: the worker's top level 260-400 ms with them, 16-46 ms without). An object with the
// same prototype, made without constructing an error, is all the classes need (their constructors set
// their own message and stack); the build fails if mathjs stops writing them this way, so that the
// rewrite is never silently lost.
const errorPrototypesPlugin = {
  name: 'mathjs-error-prototypes',
  setup(b) {
    b.onLoad({ filter: /mathjs[\\/]lib[\\/]esm[\\/]error[\\/](ArgumentsError|DimensionError|IndexError)\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const rewritten = text.replace(/^(\w+)\.prototype = new (RangeError|Error)\(\);$/m, '$1.prototype = Object.create($2.prototype);');
      if (rewritten === text) return { errors: [{ text: `${args.path}: no 'X.prototype = new Error()' line to rewrite (mathjs changed): see the comment in scripts/build.mjs` }] };
      return { contents: rewritten, loader: 'js' };
    });
  },
};

if (existsSync('web/index.html')) await buildWeb();
async function buildWeb() {
await build({
  entryPoints: { main: 'web/main.ts', worker: 'web/worker/worker.ts' },
  outdir: 'dist/web',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'none',
  loader: { '.css': 'text' },
  plugins: [examplesPlugin, errorPrototypesPlugin],
  logLevel: 'warning',
});
mkdirSync('dist/web/katex/fonts', { recursive: true });
copyFileSync('web/index.html', 'dist/web/index.html');
copyFileSync('web/app.css', 'dist/web/app.css');
const katexDist = join('node_modules', 'katex', 'dist');
copyFileSync(join(katexDist, 'katex.min.css'), 'dist/web/katex/katex.min.css');
// The worker loads KaTeX itself only when a download is typeset (web/worker/html.ts).
copyFileSync(join(katexDist, 'katex.min.js'), 'dist/web/katex/katex.min.js');
// woff2 only: every browser that runs the page reads it, and the stylesheet lists it first.
for (const font of readdirSync(join(katexDist, 'fonts')).filter((f) => f.endsWith('.woff2'))) copyFileSync(join(katexDist, 'fonts', font), join('dist/web/katex/fonts', font));
}

// Declarations, with the TypeScript of the repository.
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// decimal.js's declarations are CommonJS: its default import, right for a bundler, is the module
// object under Node's own resolution (module nodenext), where its named export is the class. The
// named import is right under both.
for (const file of readdirSync('dist/types', { recursive: true })) {
  if (!String(file).endsWith('.d.ts')) continue;
  const path = join('dist/types', String(file));
  const text = readFileSync(path, 'utf8');
  const fixed = text.replace(/^import Decimal from 'decimal\.js';$/m, "import { Decimal } from 'decimal.js';");
  if (fixed !== text) writeFileSync(path, fixed);
}
