// Reads YAML (or JSON, which is YAML) into plain values, keeping every number as the text it was
// written with (a double would turn 0.1 into 0.1000000000000000055...), and a line for every key path
// so that later errors can point at the source.
//
// Two YAML parsers, each a well-kept library: js-yaml's event stream (a flat list of events with source
// offsets, no tree) reads a spec first, several times faster on a spec's long lists of numbers; what it
// refuses (it is stricter than the YAML most people write: a flow list closed at its key's indentation,
// a tab between flow items) is read again by the `yaml` package, which accepts those and words the
// errors of what neither accepts. Both feed one Builder, so values, lines and refusals are the same
// whichever read the text (test/yaml-reading.test.ts holds them to each other).
//
// The text may be hostile, so the reader is bounded: its size, its nesting and its count of keys and
// values, both first estimated on the text before a parser sees it (the `yaml` package recurses once per
// level, so a deep enough file overflows the stack, and takes seconds for a few hundred thousand keys),
// then counted exactly as the document is built. Duplicate keys are found here with one Set per mapping
// (the package's own `uniqueKeys` check compares every pair: 200,000 keys take a minute).
// Mappings become objects without a prototype, so `constructor` or `toString` are keys like any other,
// and `__proto__`, which would still be special to code that copies the object, is refused.
import { EVENT_ID, getScalarValue, parseEvents, SCALAR_STYLE, YAMLException, type DocumentEvent, type Event as YamlEvent } from 'js-yaml';
import { InputError } from './errors.js';
import { DEFAULT_LIMITS, LimitError, limitsOf, type Limits } from './limits.js';
import { reader } from './readers.js';

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
  /** One reader only (tests hold the two to each other): 'events' (js-yaml; what it refuses throws its
   *  YAMLException) or 'tree' (the `yaml` package). Default: events, then tree for what js-yaml refuses. */
  parser?: 'events' | 'tree';
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
  const built = () => new Builder(file, limits, maxDepth, options.kind ?? 'a spec');

  // The scan's depth counts every level and some scalars too (at most about twice the true depth), so
  // it refuses only what is far too deep; its count of nodes never exceeds the true one. The walk below
  // holds both to their limits exactly.
  const over = prescan(text, 2 * maxDepth + 2, limits.yamlNodes);
  if (over?.over === 'depth') throw built().depthError(over.line);
  if (over) throw built().nodesError(over.line);

  // js-yaml's event stream first: read without building a tree, several times faster than the `yaml`
  // package on a spec's long lists of numbers. It is strict where that package is lenient (a flow
  // list closed at its key's indentation, a tab between flow items): what it refuses is read again by
  // the package, which accepts those and words the errors of what neither accepts.
  if (options.parser === 'tree') return reader('tree')(text, built());
  try {
    return fromEvents(text, built(), 2 * maxDepth + 4);
  } catch (e) {
    if (!(e instanceof YAMLException) || options.parser === 'events') throw e;
  }
  return reader('tree')(text, built());
}

/** A key that is not a name: a collection or another kind of node, or null as written ('' when empty). */
export type NotAName = { node: 'a mapping' | 'a list' | 'this YAML node' } | { nullAs: string };

/** What the reader of a node is told of its extras, each as written (`w` of `*w`, `!!str`). */
export interface Extras {
  alias?: string;
  anchor?: string;
  tag?: string;
}

type Container = Plain[] | { [key: string]: Plain };

/**
 * The document as both readers give it: values, a line per key path, the node count and depth held to
 * their limits, and the refusals (aliases, anchors, tags, keys that are not names, duplicate keys,
 * `__proto__`), each with its path and line. Each reader calls it in document order.
 */
export class Builder {
  readonly lines = new Map<string, number>();
  private nodes = 0;

  constructor(readonly file: string, readonly limits: Limits, readonly maxDepth: number, readonly kind: string) {}

  // Located at the line only: the key path of a deep value is as long as the nesting.
  depthError(line: number | undefined): LimitError {
    const { limits } = this;
    return new LimitError(
      'yamlDepth',
      this.file,
      '',
      `the YAML is nested too deeply${limits.yamlDepth > DEEPEST_YAML ? ` (this reader goes no deeper than ${DEEPEST_YAML})` : ''}`,
      this.maxDepth,
      line,
    );
  }

  nodesError(line: number | undefined): LimitError {
    return new LimitError('yamlNodes', this.file, '', 'the YAML is too large', this.limits.yamlNodes, line);
  }

  documents(count: number, line: number | undefined): InputError {
    return new InputError(this.file, '', `${this.kind} is one YAML document; this file has ${count} (separated by ---)`, line);
  }

  invalid(message: string, line: number | undefined): InputError {
    return new InputError(this.file, '', `invalid YAML: ${message}`, line);
  }

  private count(line: number | undefined): void {
    if (++this.nodes > this.limits.yamlNodes) throw this.nodesError(line);
  }

  // What a spec does not use, refused where it is written: an alias would let a small file stand for a
  // large tree, and anchors and tags only serve aliases and types the reader does not have.
  private refuseExtras(extras: Extras, path: string, line: number | undefined): void {
    if (extras.alias !== undefined) throw new InputError(this.file, path, `an alias (*${extras.alias}) is not used in specs; write the value out`, line);
    if (extras.anchor !== undefined) throw new InputError(this.file, path, `an anchor (&${extras.anchor}) is not used in specs (aliases are not either); remove it`, line);
    if (extras.tag !== undefined) throw new InputError(this.file, path, `a tag (${extras.tag.replace(/^tag:yaml\.org,2002:/, '!!')}) is not used in specs; write the plain value`, line);
  }

  /** A value at `path` (depth levels down): counted, its line kept, its extras refused; a collection
   *  deeper than the limit refused. */
  node(path: string, depth: number, line: number | undefined, extras: Extras, collection: boolean): void {
    if (line !== undefined && !this.lines.has(path)) this.lines.set(path, line);
    this.count(line);
    this.refuseExtras(extras, path, line);
    if (collection && depth >= this.maxDepth) throw this.depthError(line);
  }

  /**
   * A key of the mapping at `path`, as the text it names (a string, or the source text of a number or a
   * boolean), entered in `seen`; its child path. A key that is not a name is refused, saying what it is.
   */
  key(path: string, line: number | undefined, extras: Extras, key: string | NotAName, seen: Map<string, number | undefined>): string {
    const refuse = (what: string) => new InputError(this.file, path, `a key must be a name, not ${what}`, line);
    this.refuseExtras(extras, path, line);
    if (typeof key !== 'string') {
      if ('node' in key) throw refuse(key.node);
      throw refuse(key.nullAs ? `null (write '${key.nullAs}' in quotes to mean the word)` : 'empty (a key is missing before the colon)');
    }
    if (key === '__proto__') throw new InputError(this.file, path, "'__proto__' cannot be a name; choose another", line);
    if (seen.has(key)) {
      const first = seen.get(key);
      throw new InputError(this.file, path, `the key '${key}' is given twice${first !== undefined ? ` (first at line ${first})` : ''}; the keys of a mapping must be unique`, line);
    }
    seen.set(key, line);
    const childPath = path ? `${path}.${key}` : key;
    if (line !== undefined) this.lines.set(childPath, line);
    this.count(line);
    return childPath;
  }

  document(value: Plain): ReadDocument {
    return { file: this.file, value, lines: this.lines };
  }
}

// YAML 1.2's core schema (what a plain scalar of a spec means): null and the booleans; a number stays
// its text, as every other scalar.
const NULL = /^(?:~|null|Null|NULL)?$/;
const BOOLEAN = /^(?:true|True|TRUE|false|False|FALSE)$/;

/** The document from js-yaml's events (a flat list: collections open and POP), walked with a stack of
 *  the open collections, not by recursion: the nesting is the file's. */
function fromEvents(text: string, b: Builder, maxDepth: number): ReadDocument {
  let events: YamlEvent[];
  try {
    events = parseEvents(text, { maxDepth });
  } catch (e) {
    // Nesting past the bound the scan lets through is the reader's limit whichever parser meets it.
    if (e instanceof YAMLException && /maxDepth/.test(e.reason)) throw b.depthError(e.mark ? e.mark.line + 1 : undefined);
    throw e;
  }
  const lineAt = lineIndex(text);

  let documents = 0;
  for (const e of events) if (e.type === EVENT_ID.DOCUMENT) documents++;
  if (documents > 1) {
    // The separator that starts the second document (the first one's own `---` aside).
    const separators = [...text.matchAll(/^(?:---|\.\.\.)(?=\s|$)/gm)].map((m) => lineAt(m.index));
    throw b.documents(documents, separators[(events[0] as DocumentEvent).explicitStart ? 1 : 0]);
  }

  /** Where a node starts (its anchor, tag or value), or undefined for an empty scalar. */
  const lineOf = (e: YamlEvent | undefined): number | undefined => {
    let at = -1;
    if (e?.type === EVENT_ID.MAPPING || e?.type === EVENT_ID.SEQUENCE) at = e.start;
    else if (e?.type === EVENT_ID.ALIAS) at = e.anchorStart - 1;
    else if (e?.type === EVENT_ID.SCALAR) {
      at = e.anchorStart >= 0 ? e.anchorStart : e.tagStart >= 0 ? e.tagStart : e.valueStart;
      // A block scalar starts at its header (`|`, `>`), on a line above its text.
      if (at === e.valueStart && at >= 0 && (e.style === SCALAR_STYLE.LITERAL_BLOCK || e.style === SCALAR_STYLE.FOLDED_BLOCK)) {
        at = Math.max(text.lastIndexOf('|', at), text.lastIndexOf('>', at));
      }
    }
    return at >= 0 ? lineAt(at) : undefined;
  };
  const extrasOf = (e: YamlEvent): Extras => {
    if (e.type === EVENT_ID.ALIAS) return { alias: text.slice(e.anchorStart, e.anchorEnd) };
    if (e.type !== EVENT_ID.SCALAR && e.type !== EVENT_ID.MAPPING && e.type !== EVENT_ID.SEQUENCE) return {};
    if (e.anchorStart < 0 && e.tagStart < 0) return NONE;
    return {
      ...(e.anchorStart >= 0 ? { anchor: text.slice(e.anchorStart, e.anchorEnd) } : {}),
      ...(e.tagStart >= 0 ? { tag: text.slice(e.tagStart, e.tagEnd).replace(/^!<(.*)>$/, '$1') } : {}),
    };
  };

  interface Open {
    value: Container;
    path: string;
    depth: number;
    line: number | undefined;
    /** A mapping's keys so far, with their lines. */
    seen?: Map<string, number | undefined>;
    /** A mapping's key whose value comes next (undefined: a key comes next). */
    key?: string;
    valuePath?: string;
    items: number;
  }
  const open: Open[] = [];
  let root: Plain = null;
  /** The line of the next block list item indicator (`-` with only indentation and other indicators
   *  before it on its line) after what was read, which it then is. */
  const itemLine = (): number | undefined => {
    for (let dash = text.indexOf('-', last); dash >= 0; dash = text.indexOf('-', dash + 1)) {
      const after = text[dash + 1];
      if (after !== undefined && after !== ' ' && after !== '\t' && after !== '\r' && after !== '\n') continue;
      const lineStart = text.lastIndexOf('\n', dash - 1) + 1;
      if (!/^[ -]*$/.test(text.slice(lineStart, dash))) continue;
      last = dash + 1;
      return lineAt(dash);
    }
    return undefined;
  };
  // Where the text has been read up to (the end of the last scalar or alias, the start of a collection).
  let last = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === EVENT_ID.SCALAR && e.valueEnd > last) last = e.valueEnd;
    else if ((e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) && e.start > last) last = e.start;
    else if (e.type === EVENT_ID.ALIAS && e.anchorEnd > last) last = e.anchorEnd;
    if (e.type === EVENT_ID.DOCUMENT) continue;
    if (e.type === EVENT_ID.POP) {
      // A collection is whole: the mapping holding it waits for its next key.
      open.pop();
      const parent = open[open.length - 1];
      if (parent) parent.valuePath = undefined;
      continue;
    }
    const parent = open[open.length - 1];
    let path = '';
    let depth = 0;
    if (parent && Array.isArray(parent.value)) {
      path = `${parent.path}[${++parent.items}]`;
      depth = parent.depth + 1;
    } else if (parent && parent.valuePath === undefined) {
      // A key: its own line, else its value's (an empty key has no place of its own), else the mapping's.
      const line = lineOf(e) ?? lineOf(events[i + 1]) ?? parent.line;
      let key: string | NotAName;
      if (e.type === EVENT_ID.MAPPING) key = { node: 'a mapping' };
      else if (e.type === EVENT_ID.SEQUENCE) key = { node: 'a list' };
      else if (e.type !== EVENT_ID.SCALAR) key = { node: 'this YAML node' };
      else {
        key = getScalarValue(text, e);
        if (e.style === SCALAR_STYLE.PLAIN && NULL.test(key)) key = { nullAs: key };
      }
      parent.valuePath = b.key(parent.path, line, extrasOf(e), key, parent.seen!);
      // b.key refuses a key that is not a name: this one is.
      parent.key = key as string;
      continue;
    } else if (parent) {
      path = parent.valuePath!;
      depth = parent.depth + 1;
    }

    // An empty item of a block list has no place of its own: the line of its `-`, the next after
    // what was read so far.
    const line = lineOf(e) ?? (parent && Array.isArray(parent.value) ? itemLine() : undefined);
    const collection = e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE;
    b.node(path, depth, line, extrasOf(e), collection);
    let value: Plain;
    if (collection) {
      value = e.type === EVENT_ID.MAPPING ? (Object.create(null) as { [key: string]: Plain }) : [];
      open.push({ value, path, depth, line, items: 0, ...(e.type === EVENT_ID.MAPPING ? { seen: new Map() } : {}) });
    } else if (e.type === EVENT_ID.SCALAR) {
      const written = getScalarValue(text, e);
      value = e.style !== SCALAR_STYLE.PLAIN ? written : NULL.test(written) ? null : BOOLEAN.test(written) ? written[0] === 't' || written[0] === 'T' : written;
    } else {
      throw new InputError(b.file, path, 'unsupported YAML node', line);
    }
    if (!parent) root = value;
    else if (Array.isArray(parent.value)) parent.value.push(value);
    else {
      parent.value[parent.key!] = value;
      if (!collection) parent.valuePath = undefined;
    }
  }
  return b.document(root);
}

export const NONE: Extras = {};

/** The line (from 1) of an offset in `text`: the starts of its lines, searched by halving. A line ends
 *  as YAML says (LF, CRLF, or a CR alone, as old Mac files have them). */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (const m of text.matchAll(/\r\n?|\n/g)) starts.push(m.index + m[0].length);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
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
