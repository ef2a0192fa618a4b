// Reading a spec file for a command: a missing file is an input error like any other.
import { InputError } from '../spec/errors.js';
import type { Spec } from '../spec/model.js';
import { parseSpec } from '../spec/validate.js';
import type { Io } from './io.js';

export function readInput(file: string, io: Io): string {
  try {
    return io.readFile(file);
  } catch (e) {
    throw new InputError(file, '', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function loadSpec(file: string, io: Io, precision?: number): Spec {
  return parseSpec(readInput(file, io), file, { readFile: io.readFile, ...(precision !== undefined ? { precision } : {}) });
}
