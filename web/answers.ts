// The worksheet's values as the answers YAML `exactprop check` reads: the cells' paths
// (epoch1.sample1.h1, epoch1.optimizer.m.w1) nested into mappings, each value as the student wrote it.
// Only a number is written as it is; anything else is quoted, so the file stays YAML and check names
// the cell that is not a number.

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function answersYaml(values: Array<{ path: string; text: string }>, header = ''): string {
  type Tree = Map<string, Tree | string>;
  const root: Tree = new Map();
  for (const { path, text } of values) {
    const parts = path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let next = node.get(part);
      if (!(next instanceof Map)) node.set(part, (next = new Map()));
      node = next;
    }
    node.set(parts[parts.length - 1]!, text.trim());
  }
  const lines: string[] = header ? header.split('\n').map((l) => `# ${l}`) : [];
  const write = (node: Tree, indent: string) => {
    for (const [key, value] of node) {
      if (value instanceof Map) {
        lines.push(`${indent}${key}:`);
        write(value, `${indent}  `);
      } else lines.push(`${indent}${key}: ${NUMBER.test(value) ? value : JSON.stringify(value)}`);
    }
  };
  write(root, '');
  return lines.join('\n') + '\n';
}

/** A check result's canonical path (step1...) as the worksheet's cell names it (epoch1... when a step
 *  is an epoch). */
export function cellPath(canonical: string, byEpoch: boolean): string {
  return byEpoch ? canonical.replace(/^step(\d+)\./, 'epoch$1.') : canonical;
}
