// The command line is made of the library and nothing else (issue 11): a file of src/cli/ imports, of
// src/, only the library's entries (src/index.ts, src/node.ts) and the modules the browser entry is made of
// (src/library/: a command loads the part of the library it uses, issue 16), the Node entry's own file reading
// (src/node/), the CLI's own modules, and the rooms below everything (src/text/, src/limits/). And the
// HTML printer (KaTeX) stays out of what a command loads until it prints HTML. esbuild resolves every
// import, dynamic ones included; its metafile lists each file's imports and their kind.
import { describe, expect, it } from 'vitest';
import { importGraph, type Import } from './helpers/import-graph.js';

const cliGraph = (): Promise<Map<string, Import[]>> => importGraph(['src/cli/exactprop.ts']);

const ALLOWED = [/^src\/index\.ts$/, /^src\/library\//, /^src\/node\.ts$/, /^src\/node\//, /^src\/cli\//, /^src\/text\//, /^src\/limits\//];

/** Each import of a src/cli/ file that reaches past the library, as `from -> to`. */
export function pastTheLibrary(graph: Map<string, Import[]>): string[] {
  const found: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith('src/cli/')) continue;
    for (const i of imports) if (!ALLOWED.some((a) => a.test(i.path))) found.push(`${file} -> ${i.path}`);
  }
  return found.sort();
}

/** The files loaded with `entry` before any dynamic import runs. */
function loadedAtOnce(graph: Map<string, Import[]>, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of graph.get(file) ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  return seen;
}

describe('the command line over the library', () => {
  it('the check finds an import past the library, and passes the allowed ones', () => {
    const graph = new Map<string, Import[]>([
      ['src/cli/commands/run.ts', [
        { path: 'src/index.ts', kind: 'import-statement' },
        { path: 'src/node.ts', kind: 'dynamic-import' },
        { path: 'src/graph/run.ts', kind: 'import-statement' },
      ]],
      ['src/cli/io.ts', [{ path: 'src/node/files.ts', kind: 'import-statement' }, { path: 'src/text/escape.ts', kind: 'import-statement' }]],
      ['src/index.ts', [{ path: 'src/graph/run.ts', kind: 'import-statement' }]],
    ]);
    expect(pastTheLibrary(graph)).toEqual(['src/cli/commands/run.ts -> src/graph/run.ts']);
  });

  it('no file of src/cli/ imports anything of src/ but the library, text/ and limits/', async () => {
    const graph = await cliGraph();
    expect(graph.has('src/cli/commands/run.ts')).toBe(true);
    expect(graph.get('src/cli/commands/run.ts')!.map((i) => i.path)).toContain('src/library/run.ts');
    expect(pastTheLibrary(graph)).toEqual([]);
  }, 60_000);

  it('KaTeX is loaded only by a command that prints HTML', async () => {
    const graph = await cliGraph();
    // The HTML printer is in the graph (run prints HTML), reached only through a dynamic import.
    const html = 'src/render/html.ts';
    expect(graph.has(html)).toBe(true);
    for (const file of ['src/cli/exactprop.ts', 'src/cli/commands/run.ts', 'src/cli/commands/check.ts', 'src/cli/commands/derive.ts']) {
      expect(loadedAtOnce(graph, file).has(html), file).toBe(false);
    }
  }, 60_000);

  it('the engine is loaded with a command, not by --version or --help', async () => {
    const graph = await cliGraph();
    const atOnce = loadedAtOnce(graph, 'src/cli/exactprop.ts');
    // The command line reads files and flags with light modules; mathjs and the library come with a command.
    for (const heavy of ['src/symbolic/mathjs.ts', 'src/index.ts', 'src/library/run.ts', 'src/spec/validate.ts']) expect(atOnce.has(heavy), heavy).toBe(false);
    expect(loadedAtOnce(graph, 'src/cli/commands/run.ts').has('src/library/run.ts')).toBe(true);
  }, 60_000);

  it('`run` loads the library\'s run alone: no checking, grading, variants or CSV come with it (start-up, issue 16)', async () => {
    const graph = await cliGraph();
    const atOnce = [...loadedAtOnce(graph, 'src/cli/commands/run.ts')];
    expect(atOnce).toContain('src/graph/run.ts');
    const notForRun = /^src\/(check|grade|variants)\/|^src\/library\/(check|grade|variants|derive)\.ts$|^src\/index\.ts$|csv-parse|csv-stringify|fast-xml/;
    expect(atOnce.filter((file) => notForRun.test(file))).toEqual([]);
  }, 60_000);
});
