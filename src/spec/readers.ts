// Readers a spec may need that most runs do not: the `yaml` package (it reads what js-yaml refuses and
// words the errors of YAML neither accepts; spec/yaml.ts) and csv-parse (data given as a CSV file;
// spec/data.ts). Together they were a third of what the command line loaded before its first step,
// and a spec needs them rarely, so they are provided rather than imported here: the library's entries and
// its checking, grading and variants provide both as they are imported (spec/all-readers.ts); the command
// line's run and derive load them only when a spec asks for one (ReaderMissing, then the same read again:
// nothing is written before a spec is read).
import type { Options as CsvOptions } from 'csv-parse/sync';
import type { Builder, ReadDocument } from './yaml.js';

export interface Readers {
  /** The YAML document of a text js-yaml refused, or the error its problem is (the `yaml` package). */
  tree: (text: string, b: Builder) => ReadDocument;
  /** CSV text as records keyed by its header (csv-parse). */
  csv: (text: string, options: CsvOptions) => Array<Record<string, string>>;
}

const provided: Partial<Readers> = {};

export function provideReaders(readers: Readers): void {
  Object.assign(provided, readers);
}

/** A reader this spec needs was not provided: load spec/all-readers.ts and read again. */
export class ReaderMissing extends Error {
  constructor(readonly reader: keyof Readers) {
    super(`the ${reader} reader is not loaded`);
    this.name = 'ReaderMissing';
  }
}

export function reader<K extends keyof Readers>(name: K): Readers[K] {
  const r = provided[name];
  if (!r) throw new ReaderMissing(name);
  return r as Readers[K];
}
