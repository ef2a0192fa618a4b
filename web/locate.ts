// Where in the text a problem the library reported is: the library gives the line and the key path
// (src/spec/errors.ts); the column is found on that line. YAML's own syntax errors name their column;
// otherwise the name the message quotes ('q1' in "undefined name 'q1'"), or the value of the key the
// path ends with, or the key itself when the message is about the key (an unknown or repeated one).
import type { Problem } from './protocol.js';

export interface Span {
  from: number;
  to: number;
  line: number;
  /** 1-based column of `from`. */
  column: number;
}

/** The span of the text a problem is about (the first line when the library gave none). */
export function locate(text: string, problem: Pick<Problem, 'line' | 'path' | 'message'>): Span {
  const lines = text.split('\n');
  const lineNo = Math.min(Math.max(problem.line ?? 1, 1), Math.max(lines.length, 1));
  const start = lines.slice(0, lineNo - 1).reduce((n, l) => n + l.length + 1, 0);
  const lineText = lines[lineNo - 1] ?? '';
  const span = (a: number, b: number): Span => ({ from: start + a, to: start + Math.max(b, a + (lineText.length > a ? 1 : 0)), line: lineNo, column: a + 1 });

  const yamlColumn = /line (\d+), column (\d+)/.exec(problem.message);
  if (yamlColumn && Number(yamlColumn[1]) === lineNo) {
    const c = Math.min(Number(yamlColumn[2]) - 1, lineText.length);
    return span(c, wordEnd(lineText, c));
  }
  const key = (problem.path ?? '').split('.').pop()?.replace(/\[\d+\]$/, '') ?? '';
  const keyAt = key ? findKey(lineText, key) : -1;
  const valueFrom = keyAt >= 0 ? skipSpaces(lineText, keyAt + key.length + 1) : -1;
  const quoted = [...problem.message.matchAll(/'([^'\n]+)'/g)].map((m) => m[1]!);
  for (const q of quoted) {
    if (q === key) continue;
    const at = indexOfWord(lineText, q, Math.max(valueFrom, 0));
    if (at >= 0) return span(at, at + q.length);
  }
  const aboutKey = /\bkey\b|unknown option|unknown optimizer quantity|given twice|cannot be a name/.test(problem.message);
  if (keyAt >= 0 && !aboutKey && valueFrom < valueEnd(lineText, valueFrom)) return span(valueFrom, valueEnd(lineText, valueFrom));
  if (keyAt >= 0) return span(keyAt, keyAt + key.length);
  const first = skipSpaces(lineText, 0);
  return span(first, lineText.length);
}

function skipSpaces(line: string, from: number): number {
  let i = from;
  while (i < line.length && line[i] === ' ') i++;
  return i;
}

/** The end of a value written after a key: the line, without a trailing comment. */
function valueEnd(line: string, from: number): number {
  if (from < 0) return -1;
  const hash = line.indexOf(' #', from);
  return (hash >= 0 ? line.slice(0, hash) : line).trimEnd().length;
}

function wordEnd(line: string, from: number): number {
  const m = /^[^\s,:{}[\]]+/.exec(line.slice(from));
  return from + (m ? m[0].length : 1);
}

/** Where `key:` is written on the line (block or flow style), or -1. */
function findKey(line: string, key: string): number {
  const re = new RegExp(`(^|[\\s{,-])(["']?)${escapeRegExp(key)}\\2\\s*:`);
  const m = re.exec(line);
  return m ? m.index + m[1]!.length + m[2]!.length : -1;
}

/** `word` as a whole word (not inside a longer name) from `from` on, or -1. */
function indexOfWord(line: string, word: string, from: number): number {
  const re = new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(word)}(?![A-Za-z0-9_])`, 'g');
  re.lastIndex = from;
  const m = re.exec(line);
  return m ? m.index + m[1]!.length : -1;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
