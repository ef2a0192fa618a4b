// Reading a spec file with the data files it names: the file reading of node/files.ts, then the
// library's parseSpec. Apart from files.ts so that reading a file does not load the engine.
import { dirname, resolve } from 'node:path';
import { parseSpec, type ParseOptions, type Spec } from '../library/run.js';
import { fileSystem, readInputFile, type FileReader } from './files.js';

export interface LoadOptions extends Omit<ParseOptions, 'file' | 'readDataFile'> {
  /** Where the spec and the data files it names are read from (default: the file system). */
  files?: FileReader;
}

/** Reads the spec file at `path` (and any CSV data file it names, beside it or below). Throws located
 *  InputErrors, as parseSpec does, also for a file that cannot be read. */
export function loadSpecFile(path: string, options: LoadOptions = {}): Spec {
  const { files = fileSystem, ...parse } = options;
  const readData = files.readDataFile
    ? (relativePath: string, maxBytes: number) => files.readDataFile!(path, relativePath, maxBytes)
    : (relativePath: string, maxBytes: number) => files.readFile(resolve(dirname(path), relativePath), maxBytes);
  return parseSpec(readInputFile(path, { files, ...(parse.limits ? { limits: parse.limits } : {}) }), { ...parse, file: path, readDataFile: readData });
}
