// exactprop/node: the library with what needs Node: reading a spec or answers file by its path (and the
// CSV data files a spec names, inside the spec's folder, with the command line's rules: regular files
// only, bounded, UTF-8; node/files.ts), and HTML output (KaTeX's stylesheet is read from the installed
// package). Everything of 'exactprop' is here too.
import { html, htmlSink } from './render/html.js';
import {
  checkAll, classReportDocument, gradeReport as gradeMarkdown, renderWith, runStreamWith,
  type CheckOptions, type Gradebook, type CheckReport, type Format, type RenderOptions, type Sink, type Spec, type StreamOptions, type StreamSummary, type TraceJson,
} from './index.js';
import { readInputFile, type FileReader } from './node/files.js';

export * from './index.js';
export { fileSystem, readDataFile, readInputFile, readTextFile, type FileReader, type ReadOptions } from './node/files.js';
export { loadSpecFile, type LoadOptions } from './node/load.js';
export { readClassFolder } from './node/class-folder.js';
export { gradeSheetsInWorkers, loadSpecSource, workersFor, type SpecSource } from './node/grade-workers.js';

/** Grades the answers file at `path` against the spec (read from `files`, default the file system). */
export function checkFile(spec: Spec, path: string, options: Omit<CheckOptions, 'file'> & { files?: FileReader } = {}): CheckReport {
  const { files, ...rest } = options;
  const text = readInputFile(path, { ...(files ? { files } : {}), ...(rest.limits ? { limits: rest.limits } : {}) });
  const [graded] = checkAll(spec, [{ file: path, text }], rest);
  return (graded as { report: CheckReport }).report;
}

/** render() of 'exactprop', with HTML too (one self-contained page, as `exactprop run --format html`). */
export function render(result: TraceJson, format: Format, options: RenderOptions = {}): string {
  return renderWith(result, format, options, (write) => {
    if (format !== 'html') throw new RangeError(`unknown format '${String(format)}' (text, markdown, latex, html, json)`);
    return htmlSink(write);
  });
}

/** runStream() of 'exactprop', with HTML too. */
export function runStream(spec: Spec, sink: Sink, options: StreamOptions = {}): StreamSummary {
  return runStreamWith(spec, sink, options, htmlSink);
}

/** gradeReport() of 'exactprop', with HTML too: one self-contained page, its charts inline SVG. */
export function gradeReport(book: Gradebook, format: 'markdown' | 'html'): string {
  return format === 'html' ? html(classReportDocument(book)) : gradeMarkdown(book, format);
}
