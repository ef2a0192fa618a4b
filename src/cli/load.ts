// Reading a spec file for a command: a missing file is an input error like any other. The process's
// own Io reads through cli/files.ts (regular files only, bounded, UTF-8, data files inside the spec's
// folder); a host's Io (tests, an editor) serves its files its own way.
import { dirname, resolve } from 'node:path';
import { InputError } from '../spec/errors.js';
import { limitsOf, type Limits } from '../spec/limits.js';
import type { Spec } from '../spec/model.js';
import { parseSpec, type ReadOptions } from '../spec/validate.js';
import { cannotRead } from './files.js';
import type { Io } from './io.js';

export function readInput(file: string, io: Io, limits: Partial<Limits> = {}): string {
  try {
    return io.readFile(file, limitsOf(limits).inputBytes);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(file, '', cannotRead(e));
  }
}

/** What a command may set besides the precision: the limits (flags) and whether the spec may raise them. */
export type LoadOptions = Pick<ReadOptions, 'limits' | 'specMayRaise'>;

export function loadSpec(file: string, io: Io, precision?: number, options: LoadOptions = {}): Spec {
  const readDataFile = io.readDataFile
    ? (relativePath: string, maxBytes: number) => io.readDataFile!(file, relativePath, maxBytes)
    : (relativePath: string, maxBytes: number) => io.readFile(resolve(dirname(file), relativePath), maxBytes);
  return parseSpec(readInput(file, io, options.limits), file, {
    ...options,
    readDataFile,
    ...(precision !== undefined ? { precision } : {}),
  });
}
