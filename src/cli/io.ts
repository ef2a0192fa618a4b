// What a command may touch: output streams and files. Tests pass their own.
import { writeFileSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
// The file readers of the Node entry, from its own module: node.ts itself brings KaTeX (HTML output),
// which a command loads only when it prints HTML.
import { fileSystem, type FileReader } from '../node/files.js';

/** The output streams, and the files (readFile, readDataFile) as the library's Node entry reads them. */
export interface Io extends FileReader {
  out: (text: string) => void;
  /** Writes bytes (ASCII text the run already has as bytes), in order with `out`: the view is only
   *  valid during the call. Without it a command gives everything to `out` as text. */
  outBytes?: (bytes: Uint8Array) => void;
  err: (text: string) => void;
  /** Whether err goes to a terminal (progress is shown only there). */
  errIsTTY?: boolean;
  /** Writes out whatever `out` still holds (the process's Io buffers a little of it). */
  flush?: () => void;
  /** Writes a file a command was asked to write (`grade --out`); default: the file system. */
  writeFile?: (path: string, text: string) => void;
}

/** The reader of our standard output is gone (`exactprop run ... | head -1`): the run stops at once,
 *  quietly, with exit code 0: nobody is left to read the rest. */
export class ReaderGone extends Error {
  constructor() {
    super('the reader of the output closed it');
    this.name = 'ReaderGone';
  }
}

/** Waits `ms` milliseconds without spinning (the run is synchronous: there is no event loop to yield to). */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Writes all of `bytes` to a file descriptor, synchronously: a run that never yields still learns at
 * its next write that the reader has gone (EPIPE, as ReaderGone). A descriptor left non-blocking (a
 * pipe shared with a process that set O_NONBLOCK) may take part of a write or refuse it (EAGAIN) while
 * the reader is behind: the rest is retried after a short wait, so nothing is lost.
 */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  let wait = 1;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
      wait = 1;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') throw new ReaderGone();
      if (code !== 'EAGAIN') throw e;
      sleep(wait);
      wait = Math.min(wait * 2, 50);
    }
  }
}

/** Output gathered up to this many bytes before it is written: one system call per piece of a step
 *  would be many thousands per second. */
const OUT_BUFFER = 1 << 16;
const outBuffer = Buffer.allocUnsafe(OUT_BUFFER);
let pendingBytes = 0;

function flushOut(): void {
  if (pendingBytes === 0) return;
  const bytes = outBuffer.subarray(0, pendingBytes);
  pendingBytes = 0;
  writeAll(1, bytes);
}

function outText(text: string): void {
  // A UTF-16 unit is at most 3 bytes of UTF-8: text that surely fits is encoded into the buffer.
  if (text.length * 3 > OUT_BUFFER - pendingBytes) {
    flushOut();
    if (text.length * 3 > OUT_BUFFER) {
      writeAll(1, Buffer.from(text, 'utf8'));
      return;
    }
  }
  pendingBytes += outBuffer.write(text, pendingBytes, 'utf8');
}

function outBytes(bytes: Uint8Array): void {
  if (bytes.length > OUT_BUFFER - pendingBytes) {
    flushOut();
    // A large piece (a sample's values) goes out as it is, not copied.
    if (bytes.length >= OUT_BUFFER / 2) {
      writeAll(1, bytes);
      return;
    }
  }
  outBuffer.set(bytes, pendingBytes);
  pendingBytes += bytes.length;
}

function writeErr(text: string): void {
  // What was printed before a message comes before it on a shared terminal.
  flushOut();
  try {
    writeAll(2, Buffer.from(text, 'utf8'));
  } catch (e) {
    // Nobody reads stderr any more: nothing to tell them.
    if (!(e instanceof ReaderGone)) throw e;
  }
}

export const processIo: Io = {
  out: outText,
  outBytes,
  err: writeErr,
  flush: flushOut,
  writeFile: (path, text) => writeFileSync(path, text, 'utf8'),
  ...fileSystem,
  // Asked of the descriptor: opening process.stderr would make a shared pipe non-blocking.
  errIsTTY: isatty(2),
};

/** A mistake on the command line itself: reported with the usage, exit code 2. */
export class UsageError extends Error {}

export function wholeNumber(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got '${text}'`);
  return Number(text);
}

export function oneOf<T extends string>(text: string, name: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`unknown ${name} '${text}' (${choices.join(', ')})`);
  return text as T;
}
