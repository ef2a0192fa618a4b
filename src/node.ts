// exactprop/node: the library with what needs Node: reading a spec or answers file by its path (and the
// CSV data files a spec names, inside the spec's folder, with the command line's rules: regular files
// only, bounded, UTF-8), and HTML output (KaTeX's stylesheet is read from the installed package).
import { readDataFile, readTextFile } from './cli/files.js';
import { loadSpec, readInput } from './cli/load.js';
import type { Io } from './cli/io.js';
import { htmlSink } from './render/html.js';
import { check, renderWith, type CheckOptions, type CheckReport, type Format, type ParseOptions, type RenderOptions, type TraceJson } from './index.js';
import type { Spec } from './spec/model.js';

export * from './index.js';

/** The process's files, and nothing written anywhere. */
const files: Io = { out: () => {}, err: () => {}, readFile: readTextFile, readDataFile };

export type LoadOptions = Omit<ParseOptions, 'file' | 'readDataFile'>;

/** Reads the spec file at `path` (and any CSV data file it names, beside it or below). Throws located
 *  InputErrors, as parseSpec does, also for a file that cannot be read. */
export function loadSpecFile(path: string, options: LoadOptions = {}): Spec {
  const { precision, ...rest } = options;
  return loadSpec(path, files, precision, rest);
}

/** Grades the answers file at `path` against the spec. */
export function checkFile(spec: Spec, path: string, options: Omit<CheckOptions, 'file'> = {}): CheckReport {
  return check(spec, readInput(path, files, options.limits), { ...options, file: path });
}

/** render() of 'exactprop', with HTML too (one self-contained page, as `exactprop run --format html`). */
export function render(result: TraceJson, format: Format, options: RenderOptions = {}): string {
  return renderWith(result, format, options, (write) => {
    if (format !== 'html') throw new RangeError(`unknown format '${String(format)}' (text, markdown, latex, html, json)`);
    return htmlSink(write);
  });
}
