// What the command line prints about the user's input, made safe for a terminal. A file name, a key or
// an expression quoted in a message is the user's text: an ESC in it could recolour or clear the screen,
// a bidi override could make the message read as something else. The escaping itself (which characters,
// written how) is text/escape.ts's; this applies it to the command line's messages and outputs.
import type { InputError } from '../library/run.js';
import { terminalSafe, terminalSafeLine } from '../text/escape.js';

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
