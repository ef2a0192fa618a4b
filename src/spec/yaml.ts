// Reads YAML (or JSON, which is YAML) into plain values, keeping every number as the text it was
// written with (a double would turn 0.1 into 0.1000000000000000055...), and a line for every key path
// so that later errors can point at the source.
//
// The text may be hostile, so the reader is bounded: its size, its nesting and its count of keys and
// values, both first estimated on the text before the `yaml` package sees it (that package recurses
// once per level, so a deep enough file overflows the stack, and takes seconds for a few hundred
// thousand keys), then counted exactly on the parsed tree. Duplicate keys are found here with one Set
// per mapping (the package's own `uniqueKeys` check compares every pair: 200,000 keys take a minute).
// Mappings become objects without a prototype, so `constructor` or `toString` are keys like any other,
// and `__proto__`, which would still be special to code that copies the object, is refused.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Parser, type Node as YamlNode } from 'yaml';
import { InputError } from './errors.js';
import { DEFAULT_LIMITS, LimitError, limitsOf, type Limits } from './limits.js';

export type Plain = string | boolean | null | Plain[] | { [key: string]: Plain };

export interface ReadDocument {
  file: string;
  value: Plain;
  /** Line (1-based) of each key path, e.g. 'training.lr' or 'data[1].i1'. */
  lines: Map<string, number>;
}

export interface ReadYamlOptions {
  /** Bounds of the read (inputBytes, yamlDepth, yamlNodes); the defaults otherwise. */
  limits?: Partial<Limits>;
  /** What the file is, for messages: 'a spec' (the default), 'an answers file'. */
  kind?: string;
}

/** @deprecated the limit is limits.inputBytes (DEFAULT_LIMITS); kept for callers of the old name. */
export const MAX_INPUT_BYTES = DEFAULT_LIMITS.inputBytes;

/**
 * The deepest nesting this reader accepts whatever the limit says: the `yaml` package recurses once per
 * level and overflows the stack at several hundred levels. No spec comes near (a spec nests about 5).
 */
export const DEEPEST_YAML = 200;

export function readYaml(text: string, file: string, options: ReadYamlOptions = {}): ReadDocument {
  const limits = limitsOf(options.limits);
  // Characters, not bytes: a string handed to the library has no bytes. A file is checked in bytes
  // before it is read (node/files.ts); a UTF-8 file has at least as many bytes as characters.
  if (text.length > limits.inputBytes) {
    throw new LimitError('inputBytes', file, '', `the text has ${text.length.toLocaleString('en-US')} characters`, limits.inputBytes);
  }
  const maxDepth = Math.min(limits.yamlDepth, DEEPEST_YAML);
  // Located at the line only: the key path of a deep value is as long as the nesting.
  const depthError = (line: number | undefined) =>
    new LimitError(
      'yamlDepth',
      file,
      '',
      `the YAML is nested too deeply${limits.yamlDepth > DEEPEST_YAML ? ` (this reader goes no deeper than ${DEEPEST_YAML})` : ''}`,
      maxDepth,
      line,
    );

  const nodesError = (line: number | undefined) => new LimitError('yamlNodes', file, '', 'the YAML is too large', limits.yamlNodes, line);

  // The scan's depth counts every level and some scalars too (at most about twice the true depth), so
  // it refuses only what is far too deep; its count of nodes never exceeds the true one. The walk below
  // holds both to their limits exactly.
  const over = prescan(text, 2 * maxDepth + 2, limits.yamlNodes);
  if (over?.over === 'depth') throw depthError(over.line);
  if (over) throw nodesError(over.line);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    if (problem.code === 'MULTIPLE_DOCS') {
      let documents = 0;
      for (const token of new Parser().parse(text)) if (token.type === 'document') documents++;
      throw new InputError(file, '', `${options.kind ?? 'a spec'} is one YAML document; this file has ${documents} (separated by ---)`, line);
    }
    // The package catches its own stack overflow and reports it as an error of the document.
    if (/call stack/i.test(problem.message)) throw depthError(line);
    throw new InputError(file, '', `invalid YAML: ${problem.message.split('\n')[0]}`, line);
  }
  const lines = new Map<string, number>();
  const lineOf = (node: YamlNode | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  let nodes = 0;
  const count = (line: number | undefined) => {
    if (++nodes > limits.yamlNodes) throw nodesError(line);
  };
  // What a spec does not use, refused where it is written: an alias would let a small file stand for a
  // large tree, and anchors and tags only serve aliases and types the reader does not have.
  const refuseExtras = (n: YamlNode, path: string, line: number | undefined) => {
    if (isAlias(n)) throw new InputError(file, path, `an alias (*${n.source}) is not used in specs; write the value out`, line);
    if (n.anchor) throw new InputError(file, path, `an anchor (&${n.anchor}) is not used in specs (aliases are not either); remove it`, line);
    if (n.tag) throw new InputError(file, path, `a tag (${n.tag.replace(/^tag:yaml\.org,2002:/, '!!')}) is not used in specs; write the plain value`, line);
  };

  const walk = (node: unknown, path: string, depth: number): Plain => {
    if (node === null || node === undefined) return null;
    const n = node as YamlNode;
    const line = lineOf(n);
    if (line !== undefined && !lines.has(path)) lines.set(path, line);
    count(line);
    refuseExtras(n, path, line);
    if (isMap(n) || isSeq(n)) {
      if (depth >= maxDepth) throw depthError(line);
    }
    if (isMap(n)) {
      const out: { [key: string]: Plain } = Object.create(null) as { [key: string]: Plain };
      const seen = new Map<string, number | undefined>();
      for (const pair of n.items) {
        const keyNode = pair.key as YamlNode | null;
        const keyLine = lineOf(keyNode) ?? lineOf(pair.value as YamlNode) ?? line;
        const key = keyText(keyNode, path, keyLine);
        if (seen.has(key)) {
          const first = seen.get(key);
          throw new InputError(file, path, `the key '${key}' is given twice${first !== undefined ? ` (first at line ${first})` : ''}; the keys of a mapping must be unique`, keyLine);
        }
        seen.set(key, keyLine);
        const childPath = path ? `${path}.${key}` : key;
        if (keyLine !== undefined) lines.set(childPath, keyLine);
        count(keyLine);
        out[key] = walk(pair.value, childPath, depth + 1);
      }
      return out;
    }
    if (isSeq(n)) return n.items.map((item, i) => walk(item, `${path}[${i + 1}]`, depth + 1));
    if (isScalar(n)) {
      if (typeof n.value === 'number' || typeof n.value === 'bigint') return n.source ?? String(n.value);
      if (typeof n.value === 'boolean' || n.value === null) return n.value;
      return String(n.value);
    }
    throw new InputError(file, path, 'unsupported YAML node', line);
  };

  /** A key as the text it names: a string, or the source text of a number or a boolean. */
  const keyText = (keyNode: YamlNode | null, path: string, line: number | undefined): string => {
    const refuse = (what: string) => new InputError(file, path, `a key must be a name, not ${what}`, line);
    if (keyNode === null || keyNode === undefined) throw refuse('empty (a key is missing before the colon)');
    refuseExtras(keyNode, path, line);
    if (isMap(keyNode)) throw refuse('a mapping');
    if (isSeq(keyNode)) throw refuse('a list');
    if (!isScalar(keyNode)) throw refuse('this YAML node');
    const v = keyNode.value;
    if (v === null) throw refuse(keyNode.source ? `null (write '${keyNode.source}' in quotes to mean the word)` : 'empty (a key is missing before the colon)');
    const key = typeof v === 'string' ? v : (keyNode.source ?? String(v));
    if (key === '__proto__') throw new InputError(file, path, "'__proto__' cannot be a name; choose another", line);
    return key;
  };

  return { file, value: walk(doc.contents, '', 0), lines };
}

/**
 * Where the text first goes over `maxDepth` levels of nesting or `maxNodes` keys and values, or
 * undefined: a cheap scan of the text, so that a hostile file is refused before the `yaml` package
 * spends its stack or its time on it.
 * - Depth is never underestimated: in flow style each `[` or `{` opens a level; in block style each
 *   deeper indentation, and each `- `, `? ` (where a value starts) or `: ` indicator, opens one (so a scalar value may count as
 *   a level, and the estimate may be up to about twice the true depth).
 * - Nodes are never overestimated: each `: ` counts a key and its value, each `- ` an item, each item
 *   of a flow list counts one, and the document's own mapping or list is not counted.
 * Quoted scalars, comments and block scalars (`|`, `>`) are skipped: they may hold brackets, colons and
 * indentation that are only text.
 */
export function prescan(text: string, maxDepth: number, maxNodes: number): { over: 'depth' | 'nodes'; line: number } | undefined {
  const indents: number[] = [];
  const flow: string[] = []; // the open flow collections, '[' or '{'
  let nodes = 0;
  // Whether the node about to start was counted by the indicator before it (`key: [`, `- {`); it may
  // be on a later line (`key:` then an indented `[`).
  let counted = false;
  let quote = ''; // the open quote of a quoted scalar that continues on the next line
  let blockScalarParent = -1; // the indentation of the line that opened a block scalar, while in one
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    lineNo++;
    let i = 0;
    while (i < line.length && line[i] === ' ') i++;
    const blank = i === line.length || line[i] === '#' || line[i] === '\r';
    if (blockScalarParent >= 0) {
      if (blank || i > blockScalarParent) continue;
      blockScalarParent = -1;
    }
    if (!quote && flow.length === 0) {
      if (blank) continue;
      if (i === 0 && /^(---|\.\.\.)(\s|$)/.test(line)) {
        indents.length = 0;
        i = 3;
      } else {
        while (indents.length > 0 && indents[indents.length - 1]! > i) indents.pop();
        if (indents.length === 0 || indents[indents.length - 1]! < i) indents.push(i);
      }
    }
    const indent = i;
    let depth = indents.length;
    // Whether the next token starts a value (so a bracket or quote there is YAML, not text of a plain scalar).
    let atValue = true;
    // Whether the line so far ends with a block scalar's header (`|`, `>-`, `|2+`).
    let header = false;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote) {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else {
            quote = '';
            atValue = false;
          }
        }
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') continue;
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if (header && /[-+0-9]/.test(c)) continue;
      header = false;
      const next = line[i + 1];
      const spaced = next === undefined || next === ' ' || next === '\t' || next === '\r';
      // `:` ends a key wherever it is; `-` and `?` open an item or a key only where a value starts in
      // block style (`y - yhat` in an expression is text).
      if (c === ':' && (spaced || (flow.length > 0 && (next === ',' || next === ']' || next === '}')))) {
        if (flow.length === 0 && ++depth > maxDepth) return { over: 'depth', line: lineNo };
        if ((nodes += 2) > maxNodes) return { over: 'nodes', line: lineNo }; // the key and its value
        atValue = counted = true;
        continue;
      }
      if ((c === '-' || c === '?') && atValue && spaced && flow.length === 0) {
        if (++depth > maxDepth) return { over: 'depth', line: lineNo };
        if (c === '-' && ++nodes > maxNodes) return { over: 'nodes', line: lineNo }; // the item
        atValue = counted = true;
        continue;
      }
      if (flow.length > 0 && (c === ',' || c === ']' || c === '}')) {
        if (c !== ',') flow.pop();
        atValue = c === ',';
        counted = false;
        continue;
      }
      const startsValue = atValue || flow.length > 0;
      if (atValue) {
        // A token starts here. An indicator has counted it already; else it counts if it is an item of
        // a flow list, or a flow collection where the scan counted nothing (the document's own). Keys
        // and block scalars are counted by their `:`.
        if (!counted && (flow[flow.length - 1] === '[' || (flow.length === 0 && (c === '[' || c === '{'))) && ++nodes > maxNodes) {
          return { over: 'nodes', line: lineNo };
        }
        counted = false;
      }
      atValue = false;
      if (!startsValue) continue;
      if (c === '"' || c === "'") quote = c;
      else if ((c === '|' || c === '>') && flow.length === 0) header = true;
      else if (c === '[' || c === '{') {
        flow.push(c);
        atValue = true;
        if (depth + flow.length > maxDepth) return { over: 'depth', line: lineNo };
      }
    }
    if (depth + flow.length > maxDepth) return { over: 'depth', line: lineNo };
    // The lines under a block scalar's header, indented more than its line, are text.
    if (header && !quote && flow.length === 0) blockScalarParent = indent;
  }
  return undefined;
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
