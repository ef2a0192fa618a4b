// Reading files from the local file system, for the Node entry ('exactprop/node') and the command line:
// the spec and answers files a user names, and the CSV data files a spec names. A path must never
// decide what is read:
// - only regular files are read. A FIFO would block forever, /dev/zero never ends, /dev/stdin waits on
//   the terminal, a folder is not text. Files are opened with O_NONBLOCK (so opening a FIFO returns at
//   once) and their kind is taken from fstat of the open descriptor, not from the path, so what is
//   checked is what is read;
// - the byte cap is checked on the size fstat reports, before reading, and again while reading, since
//   some files (those of /proc) report a size of 0 and then have content;
// - a data file resolves inside the spec's folder, through every symbolic link of its path, and is
//   refused before it is opened otherwise, so a spec cannot make the tool read a file of the machine and
//   quote it back in a message;
// - the bytes are text in UTF-8: UTF-16 and UTF-32 files, the usual mistake of an editor on Windows, are
//   named as such, and a binary file is refused. No message quotes the bytes.
// The rules of the data path that need no file system (no absolute path, no `..` leaving the folder)
// are checked by the spec reader itself (spec/validate.ts), so that a browser host has them too.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { DEFAULT_LIMITS, limitsOf, type Limits } from '../limits/limits.js';
// The error classes alone, not the library: the command line reads files before it loads the engine.
import { InputError } from '../spec/errors.js';
import { LimitError } from '../spec/limits.js';

type ByteLimit = 'inputBytes' | 'dataBytes';

/** A spec or answers file the user named: a regular file of at most `maxBytes` bytes of UTF-8 text. */
export function readTextFile(path: string, maxBytes: number = DEFAULT_LIMITS.inputBytes): string {
  return readRegularFile(path, path, maxBytes, 'inputBytes', 0);
}

/**
 * A data file named by a spec, by its path relative to the spec's folder: refused unless it resolves,
 * symbolic links followed, to a regular file inside that folder (itself resolved), of at most
 * `maxBytes` bytes of UTF-8 text. Errors name the file as the spec wrote it.
 */
export function readDataFile(specFile: string, relativePath: string, maxBytes: number = DEFAULT_LIMITS.dataBytes): string {
  const refuse = (message: string) => new InputError(relativePath, '', message);
  const folder = resolve(dirname(specFile));
  const target = resolve(folder, relativePath);
  // The words alone first: nothing outside the folder is touched, not even to see whether it exists.
  if (isAbsolute(relativePath) || !inside(folder, target)) throw refuse("the path leaves the spec's folder; a data file must be in the spec's folder or below it");
  let base: string;
  let real: string;
  try {
    base = realpathSync(folder);
    real = realpathSync(target);
  } catch (e) {
    throw refuse(cannotRead(e));
  }
  if (!inside(base, real)) {
    throw refuse("the path leads, through a symbolic link, outside the spec's folder; a data file must be in the spec's folder or below it");
  }
  // O_NOFOLLOW: the resolved path has no link left in it, and must not gain one before it is opened.
  return readRegularFile(real, relativePath, maxBytes, 'dataBytes', constants.O_NOFOLLOW ?? 0);
}

/** Whether `path` is strictly below `folder` (both absolute). */
function inside(folder: string, path: string): boolean {
  const r = relative(folder, path);
  return r !== '' && r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r);
}

function readRegularFile(path: string, shownAs: string, maxBytes: number, limit: ByteLimit, extraFlags: number): string {
  const refuse = (message: string) => new InputError(shownAs, '', message);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | extraFlags);
  } catch (e) {
    throw refuse(cannotRead(e));
  }
  try {
    const stats = fstatSync(fd);
    const kind = notRegular(stats);
    if (kind) throw refuse(`cannot read it: it is ${kind}, not a regular file`);
    const tooBig = (found: string) => new LimitError(limit, shownAs, '', found, maxBytes);
    if (stats.size > maxBytes) throw tooBig(`the file has ${stats.size.toLocaleString('en-US')} bytes`);
    // Read to the end, whatever the size said, but never past the cap.
    const chunks: Buffer[] = [];
    let total = 0;
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(stats.size + 1, 65_536)));
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch (e) {
        throw refuse(cannotRead(e));
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooBig(`the file has more than ${maxBytes.toLocaleString('en-US')} bytes`);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return decodeText(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total), shownAs);
  } finally {
    closeSync(fd);
  }
}

function notRegular(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a device (like /dev/stdin or /dev/zero)';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/** Why a file could not be opened or read, from the system's error code. */
export function cannotRead(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: 'it does not exist',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ELOOP: 'it is a symbolic link that changed while it was read',
    ENAMETOOLONG: 'the path is too long',
    ENOTDIR: 'a folder of its path is a file',
  };
  if (!code) return `cannot read the file (${(e as Error).message})`;
  return why[code] ? `cannot read the file: ${why[code]} (${code})` : `cannot read the file (${code})`;
}

/**
 * The text of `bytes`, which must be UTF-8 (a UTF-8 byte-order mark is dropped). UTF-16 and UTF-32,
 * with or without a byte-order mark, and binary content are refused with a message that says which.
 */
export function decodeText(bytes: Uint8Array, file: string): string {
  const refuse = (message: string) => new InputError(file, '', message);
  const [b0, b1, b2, b3] = bytes;
  if ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) throw refuse(otherEncoding('UTF-32'));
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) throw refuse(otherEncoding('UTF-16'));
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const encoding = wideEncoding(bytes);
    throw refuse(encoding ? otherEncoding(encoding) : `the file is binary (a NUL byte at byte ${nul + 1}), not text`);
  }
  try {
    // fatal: an invalid sequence is an error, not a U+FFFD that would read as a character of the spec.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw refuse('the file is not UTF-8 text (it is binary, or text in another encoding: save it as UTF-8)');
  }
}

function otherEncoding(name: string): string {
  return `the file is ${name} encoded; save it as UTF-8`;
}

/**
 * UTF-16 or UTF-32 without a byte-order mark, told from the NUL bytes of its first 4 KB: text in these
 * encodings is mostly characters below 256, each with its zero bytes in the same places (a\0 in
 * UTF-16LE, \0a in UTF-16BE, a\0\0\0 in UTF-32LE), where binary content has them anywhere.
 */
function wideEncoding(bytes: Uint8Array): string | undefined {
  const n = Math.min(bytes.length, 4096) & ~3;
  if (n < 4) return undefined;
  const zeros = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) if (bytes[i] === 0) zeros[i & 3]!++;
  const quads = n / 4;
  const mostly = (k: number) => zeros[k]! >= 0.9 * quads;
  const rarely = (k: number) => zeros[k]! <= 0.05 * quads;
  if (mostly(2) && mostly(3) && rarely(0)) return 'UTF-32';
  if (mostly(0) && mostly(1) && rarely(3)) return 'UTF-32';
  const odd = zeros[1]! + zeros[3]!;
  const even = zeros[0]! + zeros[2]!;
  if (odd >= 0.3 * 2 * quads && even <= 0.02 * 2 * quads) return 'UTF-16';
  if (even >= 0.3 * 2 * quads && odd <= 0.02 * 2 * quads) return 'UTF-16';
  return undefined;
}

// ------------------------------------------------------------------------------------ files by path

/** Where a spec's or an answers file's text comes from: the file system (`fileSystem`), or a host that
 *  serves its own files (a test, an editor). */
export interface FileReader {
  /** A spec or answers file; `maxBytes` bounds it (a reader serving files from memory may ignore it). */
  readFile: (path: string, maxBytes?: number) => string;
  /** A data file a spec names, by its path relative to the spec's folder, refused if it resolves outside
   *  that folder. Without it, data files are read with readFile. */
  readDataFile?: (specFile: string, relativePath: string, maxBytes: number) => string;
}

/** The file system, with the rules above. */
export const fileSystem: FileReader = { readFile: readTextFile, readDataFile };

export interface ReadOptions {
  /** Limits over the defaults: inputBytes bounds the file. */
  limits?: Partial<Limits>;
  /** Where the file is read from (default: the file system). */
  files?: FileReader;
}

/** The text of a spec or answers file; a file that cannot be read is a located InputError like any other. */
export function readInputFile(path: string, options: ReadOptions = {}): string {
  const files = options.files ?? fileSystem;
  try {
    return files.readFile(path, limitsOf(options.limits).inputBytes);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(path, '', cannotRead(e));
  }
}
