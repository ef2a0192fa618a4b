// What the command line prints about the user's input, made safe for a terminal. A file name, a key or
// an expression quoted in a message is the user's text: an ESC in it could recolour or clear the screen,
// a bidi override could make the message read as something else. The escaping itself (which characters,
// written how) is render/escape.ts's; this applies it to the command line's messages and outputs.
import type { InputError } from '../spec/errors.js';
import { terminalSafe, terminalSafeLine } from '../render/escape.js';

/**
 * An input error located (`file:line: at key.path: message`) with every control character written out.
 * The file and key path are one line each, so a newline in a file name cannot start a line of its own;
 * the message keeps the newlines it was written with.
 */
export function safeLocated(e: InputError): string {
  const file = terminalSafeLine(e.file);
  const where = e.line !== undefined ? `${file}:${e.line}` : file;
  const message = terminalSafe(e.message);
  return e.path ? `${where}: at ${terminalSafeLine(e.path)}: ${message}` : `${where}: ${message}`;
}

// JSON.stringify writes C0 controls as \u escapes but leaves DEL, C1 and the invisible direction marks
// raw; these are the same characters terminalSafe writes out.
// eslint-disable-next-line no-control-regex
const RAW_IN_JSON = /[\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

/** JSON text with the characters a terminal would act on written as \u escapes: the same JSON value. */
export function jsonSafe(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
