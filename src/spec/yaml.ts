// Reads YAML (or JSON, which is YAML) into plain values, keeping every number as the text it was
// written with (a double would turn 0.1 into 0.1000000000000000055...), and a line for every key path
// so that later errors can point at the source.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { InputError } from './errors.js';

export type Plain = string | boolean | null | Plain[] | { [key: string]: Plain };

export interface ReadDocument {
  file: string;
  value: Plain;
  /** Line (1-based) of each key path, e.g. 'training.lr' or 'data[1].i1'. */
  lines: Map<string, number>;
}

export const MAX_INPUT_BYTES = 5_000_000;

export function readYaml(text: string, file: string): ReadDocument {
  if (text.length > MAX_INPUT_BYTES) throw new InputError(file, '', `file is larger than ${MAX_INPUT_BYTES} bytes`);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    throw new InputError(file, '', `invalid YAML: ${problem.message.split('\n')[0]}`, line);
  }
  const lines = new Map<string, number>();
  const lineOf = (node: YamlNode | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

  const walk = (node: unknown, path: string): Plain => {
    if (node === null || node === undefined) return null;
    const n = node as YamlNode;
    const line = lineOf(n);
    if (line !== undefined && !lines.has(path)) lines.set(path, line);
    if (isMap(n)) {
      const out: { [key: string]: Plain } = {};
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const childPath = path ? `${path}.${key}` : key;
        const keyLine = lineOf(pair.key as YamlNode);
        if (keyLine !== undefined) lines.set(childPath, keyLine);
        out[key] = walk(pair.value, childPath);
      }
      return out;
    }
    if (isSeq(n)) return n.items.map((item, i) => walk(item, `${path}[${i + 1}]`));
    if (isScalar(n)) {
      if (typeof n.value === 'number' || typeof n.value === 'bigint') return n.source ?? String(n.value);
      if (typeof n.value === 'boolean' || n.value === null) return n.value;
      return String(n.value);
    }
    throw new InputError(file, path, 'unsupported YAML node (aliases and tags are not used in specs)', line);
  };
  return { file, value: walk(doc.contents, ''), lines };
}

/** The line of `path` or of its nearest ancestor that has one. */
export function lineOf(doc: ReadDocument, path: string): number | undefined {
  let p = path;
  for (;;) {
    const line = doc.lines.get(p);
    if (line !== undefined) return line;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return doc.lines.get('') ;
    p = p.slice(0, cut);
  }
}
