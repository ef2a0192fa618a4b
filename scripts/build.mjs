// Bundles the CLI into one file (dist/exactprop.js). Tree-shaking keeps only the parts of mathjs we
// use, which is most of the start-up time saved.
import { rmSync } from 'node:fs';
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
