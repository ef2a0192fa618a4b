// Bundles the CLI into one file (dist/exactprop.js). Tree-shaking keeps only the parts of mathjs we
// use, which is most of the start-up time saved. Then the library: its entries ('exactprop' and
// 'exactprop/node') as ES modules in dist/lib, dependencies left to the installer, and their type
// declarations in dist/types (tsc, tsconfig.build.json).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: { exactprop: 'src/cli/exactprop.ts' },
  outdir: 'dist',
  // Commands and heavy renderers are imported when used; each becomes a chunk loaded on demand.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  // Some dependencies are CommonJS and require Node built-ins; give the ESM bundle a require.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});

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
