// Reading answers files quickly. A class is a thousand files, and the general YAML reader (spec/yaml.ts)
// costs more per file than grading one. Answers files use a small part of YAML: nested mappings,
// block or flow ({ a: 1, b: 2 }), plain or quoted scalars, comments; JSON is the flow part. This
// reader accepts exactly that part and gives the same result as the general reader (values as their
// source text, a line per key path). Anything else (sequences, anchors, tags, block scalars, escapes,
// tabs, several documents...) makes it give up, and the general reader reads the file instead, with its
// errors.
import { readYaml, type Plain, type ReadDocument } from '../spec/yaml.js';

class Unsupported extends Error {}

// Conservative: a plain scalar here is a number or a word; a key is a name.
const PLAIN = /^[A-Za-z0-9_.+-]+$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NULLS = new Set(['null', 'Null', 'NULL', '~']);
const BOOLEANS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
// Keys the general reader reads its own way: null (~) and booleans, and __proto__, which it refuses
// (here it would set the prototype of a plain object).
const KEY_WORDS = new Set([...NULLS, ...Object.keys(BOOLEANS), '__proto__']);

export function readAnswersYaml(text: string, file: string): ReadDocument {
  const fast = readSubset(text);
  return fast ? { file, ...fast } : readYaml(text, file, { kind: 'an answers file' });
}

/** The document if it is within the subset, else undefined. */
export function readSubset(text: string): { value: Plain; lines: Map<string, number> } | undefined {
  try {
    return new SubsetReader(text).read();
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

class SubsetReader {
  private pos = 0;
  private line = 1;
  readonly lines = new Map<string, number>();

  constructor(private readonly text: string) {
    // Documents, directives and byte-order marks are the general reader's business. Everything else
    // outside the subset is met token by token below.
    if (text.charCodeAt(0) === 0xfeff || /^(---|\.\.\.|%)/m.test(text)) throw new Unsupported();
  }

  read(): { value: Plain; lines: Map<string, number> } {
    this.skipBlank();
    if (this.pos >= this.text.length) throw new Unsupported(); // empty document: the general reader says what it is
    let value: Plain;
    if (this.text[this.pos] === '{') {
      this.lines.set('', this.line);
      value = this.flowMapping('');
      this.skipBlank();
      if (this.pos < this.text.length) throw new Unsupported();
    } else {
      if (this.column() !== 0) throw new Unsupported();
      this.lines.set('', this.line);
      value = this.blockMapping(0, '');
    }
    return { value, lines: this.lines };
  }

  private column(): number {
    const start = this.text.lastIndexOf('\n', this.pos - 1) + 1;
    return this.pos - start;
  }

  /** Skips spaces, newlines and comments (a comment starts a line or follows a space). */
  private skipBlank(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ') this.pos++;
      else if (c === '\n') {
        this.pos++;
        this.line++;
      } else if (c === '#' && (this.pos === 0 || /[ \n]/.test(this.text[this.pos - 1]!))) {
        while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
      } else return;
    }
  }

  /** Spaces, and a comment up to the end of the line. */
  private skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
    if (this.text[this.pos] === '#' && this.text[this.pos - 1] === ' ') {
      while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
    }
  }

  private key(path: string): string {
    const line = this.line;
    let key: string;
    const c = this.text[this.pos];
    if (c === '"' || c === "'") key = this.quoted();
    else {
      const m = /^[A-Za-z0-9_.+-]+/.exec(this.text.slice(this.pos, this.pos + 200));
      if (!m) throw new Unsupported();
      key = m[0];
      this.pos += key.length;
      // A plain key is followed by ': ' (or ':' at the end of a line, or before a flow separator).
      if (this.text[this.pos] !== ':' || !/[ \n,}]|^$/.test(this.text[this.pos + 1] ?? '')) throw new Unsupported();
    }
    if (!KEY.test(key) || KEY_WORDS.has(key)) throw new Unsupported();
    while (this.text[this.pos] === ' ') this.pos++;
    if (this.text[this.pos] !== ':') throw new Unsupported();
    this.pos++;
    const child = path ? `${path}.${key}` : key;
    this.lines.set(child, line);
    return key;
  }

  private quoted(): string {
    const q = this.text[this.pos]!;
    const end = this.text.indexOf(q, this.pos + 1);
    if (end < 0) throw new Unsupported();
    const body = this.text.slice(this.pos + 1, end);
    // Escapes, doubled quotes and line folding are left to the general reader.
    if (/[\n\\]/.test(body) || (q === "'" && this.text[end + 1] === "'")) throw new Unsupported();
    this.pos = end + 1;
    return body;
  }

  private scalar(stops: RegExp): Plain {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") return this.quoted();
    const start = this.pos;
    while (this.pos < this.text.length && !stops.test(this.text[this.pos]!)) this.pos++;
    const raw = this.text.slice(start, this.pos).trimEnd();
    this.pos = start + raw.length;
    if (raw === '' || NULLS.has(raw)) return null;
    if (raw in BOOLEANS) return BOOLEANS[raw]!;
    if (!PLAIN.test(raw) || raw === '-') throw new Unsupported();
    return raw;
  }

  private blockMapping(indent: number, path: string): { [key: string]: Plain } {
    const out: { [key: string]: Plain } = {};
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.text.length) return out;
      const column = this.column();
      if (column < indent) return out;
      if (column > indent) throw new Unsupported();
      const key = this.key(path);
      if (key in out) throw new Unsupported(); // duplicate: the general reader reports it
      const child = path ? `${path}.${key}` : key;
      this.skipSpaces();
      const c = this.text[this.pos];
      if (c === '\n' || c === undefined) {
        // A nested block, or nothing (null).
        const save = { pos: this.pos, line: this.line };
        this.skipBlank();
        if (this.pos < this.text.length && this.column() > indent) {
          out[key] = this.blockMapping(this.column(), child);
        } else {
          [this.pos, this.line] = [save.pos, save.line];
          out[key] = null;
        }
        continue;
      }
      out[key] = c === '{' ? this.flowMapping(child) : this.scalar(/[\n#]/);
      this.skipSpaces();
      if (this.pos < this.text.length && this.text[this.pos] !== '\n') throw new Unsupported();
    }
  }

  private flowMapping(path: string): { [key: string]: Plain } {
    const out: { [key: string]: Plain } = {};
    this.pos++; // {
    this.skipBlank();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipBlank();
      const key = this.key(path);
      if (key in out) throw new Unsupported();
      const child = path ? `${path}.${key}` : key;
      this.skipBlank();
      const c = this.text[this.pos];
      out[key] = c === '{' ? this.flowMapping(child) : c === ',' || c === '}' ? null : this.scalar(/[\n,}# ]/);
      this.skipBlank();
      const next = this.text[this.pos];
      this.pos++;
      if (next === '}') return out;
      if (next !== ',') throw new Unsupported();
    }
  }
}
