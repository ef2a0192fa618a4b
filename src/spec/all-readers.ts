// Provides every optional reader (spec/readers.ts) as it is imported: the YAML package's reader and
// csv-parse. Imported by the library's entries and by the parts of the library that read more than a
// spec (checking, grading, variants); the command line's run and derive import it only when a spec
// needs one of them (library/run.ts: readingAll).
// csv-parse/sync needs Node's Buffer; a browser gets csv-parse's own build with one (package.json imports).
import { parse as parseCsv } from '#csv-parse';
import { provideReaders } from './readers.js';
import { fromTree } from './yaml-tree.js';

provideReaders({ tree: fromTree, csv: (text, options) => parseCsv(text, options) as unknown as Array<Record<string, string>> });
