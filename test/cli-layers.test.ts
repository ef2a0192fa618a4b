// The command line is made of the library and nothing else (issue 11): a file of src/cli/ imports, of
// src/, only the library's entries (src/index.ts, src/node.ts) and the modules the browser entry is made of
// (src/library/: a command loads the part of the library it uses, issue 16), the Node entry's own file reading
// (src/node/), the CLI's own modules, and the rooms below everything (src/text/, src/limits/). And the
// HTML printer (KaTeX) stays out of what a command loads until it prints HTML. esbuild resolves every
// import, dynamic ones included; its metafile lists each file's imports and their kind.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

  it('`run` and `derive` load the `yaml` package and csv-parse only for a spec that needs them (start-up, issue 16)', async () => {
    const graph = await cliGraph();
    for (const command of ['src/cli/commands/run.ts', 'src/cli/commands/derive.ts']) {
      const atOnce = [...loadedAtOnce(graph, command)];
      expect(atOnce.filter((file) => /^src\/spec\/(all-readers|yaml-tree)\.ts$|node_modules\/(yaml|csv-parse)\//.test(file)), command).toEqual([]);
    }
    // They come by the library's dynamic import (library/run.ts: readingAll).
    expect((graph.get('src/library/run.ts') ?? []).filter((i) => i.kind === 'dynamic-import').map((i) => i.path)).toContain('src/spec/all-readers.ts');
  }, 60_000);

  it('the built command line reads, through the readers it loads then, a spec js-yaml refuses, CSV data and a YAML error', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    if (!existsSync(`${root}/dist/exactprop.cjs`)) execFileSync('node', ['scripts/build.mjs'], { cwd: root });
    const exactprop = (...args: string[]) => spawnSync('node', [join(root, 'dist/exactprop.cjs'), ...args], { cwd: root, encoding: 'utf8' });
    // hw7 with its first flow list closed at its key's indentation, which js-yaml refuses and the `yaml`
    // package reads: the same trace as the example's.
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-readers-'));
    const hw7 = readFileSync(join(root, 'examples/hw7-q2.yaml'), 'utf8');
    const flow = hw7.match(/\n( *)(\w+): \[([^\]\n]+)\]/);
    expect(flow, 'a flow list in hw7').not.toBeNull();
    const refused = hw7.replace(flow![0], `\n${flow![1]}${flow![2]}: [${flow![3]}\n${flow![1]}]`);
    writeFileSync(join(dir, 'refused.yaml'), refused);
    const asWritten = exactprop('run', 'examples/hw7-q2.yaml', '--format', 'json');
    const reread = exactprop('run', join(dir, 'refused.yaml'), '--format', 'json');
    expect(asWritten.status).toBe(0);
    expect(reread.status, reread.stderr).toBe(0);
    expect(reread.stdout).toBe(asWritten.stdout);
    // CSV data beside the spec (torch fixture data-csv): the first step's loss as the fixture's PyTorch
    // reference gives it.
    for (const f of ['data-csv.yaml', 'data-csv.csv']) copyFileSync(join(root, 'test/fixtures/torch/specs', f), join(dir, f));
    const csv = exactprop('run', join(dir, 'data-csv.yaml'), '--format', 'json');
    expect(csv.status, csv.stderr).toBe(0);
    const fixtures = JSON.parse(readFileSync(join(root, 'test/fixtures/torch/expected.json'), 'utf8')) as { specs: Record<string, { steps: Array<{ loss: { total: string } }> }> };
    const loss = Number((JSON.parse(csv.stdout) as { steps: Array<{ loss: { total: string } }> }).steps[0]!.loss.total);
    const torchLoss = Number(fixtures.specs['data-csv']!.steps[0]!.loss.total);
    expect(Math.abs(loss - torchLoss) / Math.abs(torchLoss)).toBeLessThan(1e-12);
    // A YAML error is worded by the `yaml` package, located, exit code 2.
    writeFileSync(join(dir, 'broken.yaml'), 'precision: 20\nmodel: [1,\n');
    const broken = exactprop('derive', join(dir, 'broken.yaml'));
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml:\d+: invalid YAML: /);
  }, 60_000);
});
