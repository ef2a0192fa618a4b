// No import cycles among the files of src/ (issue 11), nor among its folders (each folder is a room
// that talks only to the rooms below it). esbuild resolves every import of the three entries (the CLI,
// the library and its Node entry) and its metafile lists, per file, the files it imports (type-only
// imports are erased, so they do not count); a depth-first search over that graph finds any cycle.
import { describe, expect, it } from 'vitest';
import { importGraph as resolvedImports } from './helpers/import-graph.js';

async function importGraph(): Promise<Map<string, string[]>> {
  const graph = await resolvedImports(['src/cli/exactprop.ts', 'src/index.ts', 'src/node.ts']);
  return new Map([...graph].map(([file, imports]) => [file, imports.map((i) => i.path)]));
}

/** Every cycle found by a depth-first search (one per back edge), each as its files in import order. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const s = state.get(next);
      if (s === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

/** `src/spec` for a file in a folder of src/, the file itself for an entry at the top (src/index.ts). */
const folderOf = (file: string) => (file.split('/').length > 2 ? file.split('/').slice(0, 2).join('/') : file);

/** Imports that go against the folders' order while a move is pending (none now: keep it so). */
const NOT_YET_IN_ORDER = new Set<string>([]);

/** The graph of folders: an edge for each import from a file of one folder to a file of another. */
function folderGraph(graph: Map<string, string[]>): { folders: Map<string, string[]>; why: Map<string, string[]> } {
  const folders = new Map<string, string[]>();
  const why = new Map<string, string[]>();
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    if (!folders.has(from)) folders.set(from, []);
    for (const target of imports) {
      const to = folderOf(target);
      if (to === from || NOT_YET_IN_ORDER.has(`${file} -> ${target}`)) continue;
      if (!folders.get(from)!.includes(to)) folders.get(from)!.push(to);
      const key = `${from} -> ${to}`;
      why.set(key, [...(why.get(key) ?? []), `${file} -> ${target}`]);
    }
  }
  return { folders, why };
}

describe('imports', () => {
  it('the cycle finder finds a cycle and passes a tree', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('src/ has no import cycle', async () => {
    const graph = await importGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('src/index.ts')?.length).toBeGreaterThan(0);
    const found = cycles(graph).map((cycle) => cycle.join(' -> '));
    expect(found, `import cycles:\n${found.join('\n')}`).toEqual([]);
  }, 60_000);

  it('the folders of src/ have no import cycle', async () => {
    const { folders, why } = folderGraph(await importGraph());
    expect(folders.get('src/spec')).toContain('src/symbolic');
    const found = cycles(folders).map((cycle) => {
      const steps = cycle.slice(1).map((to, i) => `  ${cycle[i]} -> ${to}: ${why.get(`${cycle[i]} -> ${to}`)!.join(', ')}`);
      return `${cycle.join(' -> ')}\n${steps.join('\n')}`;
    });
    expect(found, `folder cycles:\n${found.join('\n')}`).toEqual([]);
  }, 60_000);
});
