// The import graph of src/ as esbuild resolves it from some entries (dynamic imports included; type-only
// imports are erased, so they do not count): per file of src/, the files of src/ it imports and how.
// test/imports.test.ts looks for cycles in it, test/cli-layers.test.ts at what the CLI may import.
import { build } from 'esbuild';

export interface Import {
  path: string;
  kind: string;
}

export async function importGraph(entryPoints: string[]): Promise<Map<string, Import[]>> {
  const result = await build({
    entryPoints,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    outdir: 'out',
    splitting: true,
    packages: 'external',
    // package.json's '#csv-*' imports name packages too.
    external: ['#csv-*'],
    logLevel: 'silent',
  });
  const graph = new Map<string, Import[]>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (file.startsWith('src/')) graph.set(file, input.imports.filter((i) => i.path.startsWith('src/')).map((i) => ({ path: i.path, kind: i.kind })));
  }
  return graph;
}
