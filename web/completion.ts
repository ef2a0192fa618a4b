// What to complete where, from the library's vocabulary (specVocabulary: the published JSON Schema, the
// function table, the optimizers of each preset), never from a list written here. The YAML around the
// cursor is read by indentation (and the flow mapping the cursor is in, if any) into a key path such as
// ['model', 'layers', '[]']; the schema says which keys that mapping takes, and which values a key
// takes (an enum, a layer kind); an expression's value completes the function names; `training:` adds
// the options of the optimizer the spec names under its preset.
import type { SpecVocabulary } from '../src/index.js';

export interface Context {
  /** Keys from the top down to the mapping the cursor is in; '[]' for an item of a list. */
  path: string[];
  /** A key being written, or the value of `key`. */
  kind: 'key' | 'value';
  key?: string;
  /** Where the word being completed starts (an offset into the text), and the word so far. */
  from: number;
  word: string;
}

export interface Suggestion {
  label: string;
  type: 'property' | 'enum' | 'function' | 'keyword';
  detail?: string;
  info?: string;
  /** What is inserted, when it is not the label (a key with its colon, a function with its parenthesis). */
  apply?: string;
}

interface Line {
  /** Columns of the list dashes that open the line, and of its content. */
  dashes: number[];
  col: number;
  /** The key the line's content starts with, and whether a value follows it on the line. */
  key?: string;
  hasValue: boolean;
  blank: boolean;
}

const KEY = /^(["']?)([A-Za-z_$][\w$]*)\1\s*:(?:\s+|$)(.*)$/;

function lineOf(text: string): Line {
  let i = 0;
  const dashes: number[] = [];
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '-' && (text[i + 1] === ' ' || i + 1 === text.length)) {
      dashes.push(i);
      i++;
    } else break;
  }
  const content = text.slice(i);
  const blank = content.trim() === '' || content.trimStart().startsWith('#');
  const m = KEY.exec(content);
  const value = m ? m[3]!.replace(/(^|\s)#.*$/, '').trim() : '';
  return { dashes, col: i, ...(m ? { key: m[2]! } : {}), hasValue: value !== '' && value !== '|' && value !== '>', blank };
}

/** The completion context at `pos`. */
export function contextAt(text: string, pos: number): Context {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  const before = text.slice(lineStart, pos);
  const word = /[A-Za-z_$][\w$]*$/.exec(before)?.[0] ?? '';
  const from = pos - word.length;
  const rest = before.slice(0, before.length - word.length);

  // Inside a flow mapping on this line ({ a: 1, b| }): its keys are the path's last mapping.
  const flow: string[] = [];
  let flowKey: string | undefined;
  let flowValue = false;
  let depth = 0;
  let openedAt = -1;
  for (let i = rest.length - 1; i >= 0; i--) {
    const c = rest[i];
    if (c === '}' || c === ']') depth++;
    else if ((c === '{' || c === '[') && depth > 0) depth--;
    else if ((c === '{' || c === '[') && depth === 0) {
      openedAt = i;
      break;
    }
  }
  let blockRest = rest;
  if (openedAt >= 0) {
    const inside = rest.slice(openedAt + 1);
    const segment = inside.slice(Math.max(inside.lastIndexOf(','), -1) + 1);
    const kv = /^\s*([A-Za-z_$][\w$]*)\s*:\s*(.*)$/.exec(segment);
    if (kv) {
      flowKey = kv[1];
      flowValue = true;
    }
    flow.push(rest[openedAt] === '[' ? '[]' : '');
    blockRest = rest.slice(0, openedAt);
  }

  const here = lineOf(blockRest);
  const lines = text.slice(0, lineStart).split('\n');
  lines.pop(); // the empty piece after the last newline
  const path: string[] = [];
  let kind: Context['kind'] = 'key';
  let key: string | undefined;
  if (openedAt >= 0) {
    // `key: {` or `- {`: the flow collection is the value of that key, or the list item.
    const owner = KEY.exec(blockRest.slice(here.col));
    if (owner) path.push(owner[2]!);
    if (flow[0] === '[]') path.push('[]');
    if (flowValue) {
      kind = 'value';
      key = flowKey;
    }
  } else if (here.key !== undefined && blockRest.slice(here.col).includes(':')) {
    kind = 'value';
    key = here.key;
  }
  // The line's own key column, then its parents: a `key:` line less indented, or a list item.
  let indent = here.col;
  let inSequenceItem = false;
  if (here.dashes.length) {
    for (let d = here.dashes.length - 1; d >= 0; d--) path.unshift('[]');
    indent = here.dashes[0]!;
    inSequenceItem = true;
  }
  for (let i = lines.length - 1; i >= 0 && (indent > 0 || inSequenceItem); i--) {
    const l = lineOf(lines[i]!);
    if (l.blank) continue;
    if (l.dashes.length && l.dashes[0]! < indent) {
      // Inside this list item: under its key when it opens a mapping less indented than we are.
      if (l.key !== undefined && !l.hasValue && l.col < indent) path.unshift(l.key);
      for (let d = l.dashes.length - 1; d >= 0; d--) path.unshift('[]');
      indent = l.dashes[0]!;
      inSequenceItem = true;
      continue;
    }
    const parent = l.dashes.length === 0 && l.key !== undefined && !l.hasValue && (l.col < indent || (inSequenceItem && l.col === indent));
    if (parent) {
      path.unshift(l.key!);
      indent = l.col;
      inSequenceItem = false;
      if (indent === 0) break;
    }
  }
  return { path, kind, ...(key !== undefined ? { key } : {}), from, word };
}

// ------------------------------------------------------------------------------------------ schema

type Schema = Record<string, unknown>;

function variants(root: Schema, node: unknown, seen = 0): Schema[] {
  if (!node || typeof node !== 'object' || seen > 20) return [];
  const s = node as Schema;
  if (typeof s.$ref === 'string') {
    const target = (root.$defs as Record<string, unknown> | undefined)?.[s.$ref.replace('#/$defs/', '')];
    return [s, ...variants(root, target, seen + 1)];
  }
  const out: Schema[] = [s];
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(s[k])) for (const v of s[k] as unknown[]) out.push(...variants(root, v, seen + 1));
  return out;
}

function children(root: Schema, nodes: Schema[], segment: string): Schema[] {
  const out: Schema[] = [];
  for (const n of nodes.flatMap((x) => variants(root, x))) {
    if (segment === '[]' || segment === '') {
      if (n.items) out.push(n.items as Schema);
      continue;
    }
    const props = n.properties as Record<string, Schema> | undefined;
    if (props?.[segment]) out.push(props[segment]!);
    else if (n.additionalProperties && typeof n.additionalProperties === 'object') out.push(n.additionalProperties as Schema);
  }
  return out;
}

function at(root: Schema, path: string[]): Schema[] {
  let nodes: Schema[] = [root];
  for (const segment of path) nodes = children(root, nodes, segment);
  return nodes;
}

const describe = (n: Schema): string | undefined => (typeof n.description === 'string' ? n.description : undefined);

/** What may be written at the context's place. */
export function suggestions(vocabulary: SpecVocabulary, text: string, context: Context): Suggestion[] {
  const root = vocabulary.schema as Schema;
  const nodes = at(root, context.path);
  const out = new Map<string, Suggestion>();
  const add = (s: Suggestion) => {
    if (!out.has(s.label)) out.set(s.label, s);
  };
  const preset = /^conventions:\s*(\w+)/m.exec(text)?.[1] ?? /^\s+preset:\s*(\w+)/m.exec(text)?.[1] ?? 'pytorch';
  const optimizers = vocabulary.optimizers[preset] ?? vocabulary.optimizers.pytorch ?? [];
  const inTraining = context.path.length === 1 && context.path[0] === 'training';

  if (context.kind === 'key') {
    for (const n of nodes.flatMap((x) => variants(root, x))) {
      for (const [name, p] of Object.entries((n.properties ?? {}) as Record<string, Schema>)) {
        if (name === '$schema') continue;
        const d = variants(root, p).map(describe).find(Boolean);
        add({ label: name, type: 'property', apply: `${name}: `, ...(d ? { info: d } : {}) });
      }
    }
    if (inTraining) {
      const named = /^\s+optimizer:\s*([A-Za-z_]\w*)/m.exec(text)?.[1];
      const chosen = optimizers.filter((o) => o.name === named);
      for (const o of chosen.length ? chosen : optimizers) {
        for (const [option, value] of Object.entries(o.options)) add({ label: option, type: 'property', apply: `${option}: `, detail: `${o.name}, default ${String(value)}`, info: o.title });
      }
    }
    return [...out.values()];
  }

  // A value.
  const valueNodes = context.key !== undefined ? children(root, nodes, context.key).flatMap((x) => variants(root, x)) : [];
  if (inTraining && context.key === 'optimizer') {
    for (const o of optimizers) add({ label: o.name, type: 'enum', detail: o.title });
  }
  for (const n of valueNodes) {
    const values = [...(Array.isArray(n.enum) ? n.enum : []), ...('const' in n ? [n.const] : [])];
    for (const v of values) if (typeof v === 'string') add({ label: v, type: 'enum', ...(describe(n) ? { info: describe(n)! } : {}) });
    if (n.type === 'boolean') ['true', 'false'].forEach((b) => add({ label: b, type: 'keyword' }));
  }
  if (valueNodes.some((n) => /expression/i.test(describe(n) ?? ''))) {
    for (const f of vocabulary.functions) add({ label: f.name, type: 'function', apply: `${f.name}(`, info: f.doc });
  }
  return [...out.values()];
}
