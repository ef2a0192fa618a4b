// `exactprop grade SPEC ANSWERS.csv|FOLDER`: a class at once. Every student's sheet is graded by check
// (the exact training computed once), scored under a points scheme, and written as a gradebook (CSV)
// and, if asked, a class report (Markdown or HTML). The library does the work; this reads the flags and
// the files, and writes.
import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, LimitError, MAX_PRECISION, MIN_PRECISION, parseSpec } from '../../library/run.js';
import { defaultScheme, gradebookCsv, gradebookOf, gradeVariants, readClassCsv, readPointsScheme, type ClassAnswers, type Sheet } from '../../library/grade.js';
import type { Manifest } from '../../library/variants.js';
import { readInputFile } from '../../node/files.js';
import { readClassFolder } from '../../node/class-folder.js';
import { gradeSheetsInWorkers, loadSpecSource, SHEETS_PER_WORKER, workersFor } from '../../node/grade-workers.js';
import { limitsOf } from '../../limits/limits.js';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitFlags } from '../limit-flags.js';
import { UsageError, wholeNumber, type Io } from '../io.js';
import { terminalSafe } from '../../text/escape.js';

export const usage = `exactprop grade SPEC|MANIFEST.json ANSWERS.csv|FOLDER [--points FILE] [--out gradebook.csv] [--report report.md|report.html]
                [--id COLUMN] [--workers N] [--precision N]
    grade a class: a CSV with a row per student (an id column, then a column per quantity, headed by its
    path as answers files write it, e.g. epoch1.sample1.h1, or by an alias of the points scheme), or a
    folder of answers files (one per student, the file's name the id). Writes the gradebook (id, score,
    max, counts per verdict, blank, first new error, its diagnosis) as CSV, to stdout unless --out.
    Given the manifest.json of \`exactprop variants\` instead of a spec, each student is graded against
    their own variant (found by their id). Exit 0 when every sheet was graded, 2 for bad input (a sheet that cannot be read is listed as an error
    and the others are still graded)
    --points    the points scheme (YAML or JSON): points per quantity, by path pattern, the credit of a
                rounding slip and of a carried value, the tolerance, aliases (README: "Grading a class")
    --out       write the gradebook to this file
    --report    write the class report: Markdown (.md) or one self-contained web page (.html)
    --id        the id column of the CSV (default: the one headed id or student, else the first)
    --workers   worker threads (default: one per ${SHEETS_PER_WORKER} sheets, at most 4 and the machine's cores; 1 grades in this thread)
    --precision working precision in significant digits (overrides the spec)
${LIMIT_USAGE}`;

export async function gradeCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      points: { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      id: { type: 'string' },
      workers: { type: 'string' },
      precision: { type: 'string' },
      ...LIMIT_OPTIONS,
    },
  });
  if (positionals.length !== 2) throw new UsageError('grade takes a spec file and the class\'s answers (a CSV file or a folder of answers files)');
  const [specFile, answersPath] = positionals as [string, string];
  const reportFormat = values.report === undefined ? undefined : reportFormatOf(values.report);
  // Never write over what was read: `--out answers.csv` would lose the class's answers.
  const inputs = [specFile, answersPath, values.points].filter((p): p is string => p !== undefined).map((p) => resolve(p));
  for (const [flag, path] of [['out', values.out], ['report', values.report]] as const) {
    if (path !== undefined && inputs.includes(resolve(path))) throw new UsageError(`--${flag} ${path} would write over an input file`);
  }
  if (values.out !== undefined && values.report !== undefined && resolve(values.out) === resolve(values.report)) throw new UsageError('--out and --report name the same file');
  const flagLimits = limitFlags(values);
  const precision = wholeNumber(values.precision, 'precision', MIN_PRECISION, MAX_PRECISION);
  const workers = wholeNumber(values.workers, 'workers', 1, 64);

  // A manifest of `exactprop variants` instead of a spec: each student against their own variant.
  const manifest = /\.json$/i.test(specFile) ? readManifest(readInputFile(specFile, { files: io, limits: flagLimits }), specFile) : undefined;
  if (manifest && precision !== undefined) throw new UsageError('--precision applies to a spec; a manifest\'s variants keep their own');
  const { spec, source } = manifest
    ? { spec: parseSpec(manifest.spec.text, { file: manifest.spec.file, limits: flagLimits }), source: undefined }
    : loadSpecSource(specFile, { files: io, limits: flagLimits, ...(precision !== undefined ? { precision } : {}) });
  const scheme = values.points === undefined ? defaultScheme() : readPointsScheme(readInputFile(values.points, { files: io, limits: flagLimits }), values.points, flagLimits);
  const folder = statSync(answersPath, { throwIfNoEntry: false })?.isDirectory() === true;
  if (folder && values.id !== undefined) throw new UsageError('--id names a column of a CSV; a folder\'s ids are its files\' names');
  const answers: ClassAnswers = folder
    ? readClassFolder(answersPath, { files: io, limits: flagLimits, skip: [specFile, ...(values.points !== undefined ? [values.points] : [])] })
    : readClassCsv(readInputFile(answersPath, { files: io, limits: flagLimits }), answersPath, spec, {
      aliases: scheme.aliases, limits: flagLimits, ...(values.id !== undefined ? { idColumn: values.id } : {}),
    });

  const sheets = answers.sheets.filter((s): s is Sheet => !('error' in s));
  const book = manifest
    ? gradeVariants(manifest, answers, { scheme, limits: flagLimits })
    : gradebookOf(spec.file, answers, await gradeSheetsInWorkers(spec, source!, sheets, { tolerance: scheme.tolerance, limits: flagLimits }, workers ?? workersFor(sheets.length)), scheme);

  const csv = gradebookCsv(book);
  const report = reportFormat === undefined ? undefined : (await import('../../node.js')).gradeReport(book, reportFormat);
  const maxBytes = limitsOf(flagLimits).outputBytes;
  const bytes = csv.length + (report?.length ?? 0);
  if (bytes > maxBytes) throw new LimitError('outputBytes', answersPath, '', `the gradebook and report have ${bytes.toLocaleString('en-US')} characters`, maxBytes);
  if (values.out !== undefined) write(io, values.out, csv);
  else io.out(csv);
  if (report !== undefined) write(io, values.report!, report);

  for (const w of book.warnings) io.err(`exactprop: warning: ${terminalSafe(w)}\n`);
  let code = 0;
  for (const s of book.students) {
    if (s.error === undefined) continue;
    io.err(`exactprop: ${s.error}\n`);
    code = 2;
  }
  if (values.out !== undefined) {
    const scored = book.students.filter((s) => s.score !== undefined).length;
    io.out(`graded ${scored} of ${book.students.length} students, ${book.quantities.length} quantities, ${book.max.toFixed()} points; gradebook: ${terminalSafe(values.out)}${values.report !== undefined ? `; report: ${terminalSafe(values.report)}` : ''}\n`);
  }
  return code;
}

/** The manifest `exactprop variants` wrote (manifest.json), checked for what grading reads of it. */
function readManifest(text: string, file: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(file, '', `not JSON: ${(e as Error).message}`);
  }
  const m = value as Partial<Manifest> | null;
  if (m === null || typeof m !== 'object' || typeof m.format !== 'string' || typeof m.spec?.text !== 'string' || typeof m.spec.file !== 'string' || !Array.isArray(m.variants)) {
    throw new InputError(file, '', 'not a manifest of exactprop variants (manifest.json, with format, spec and variants); grade takes a spec or such a manifest');
  }
  return m as Manifest;
}

function reportFormatOf(path: string): 'markdown' | 'html' {
  if (/\.(md|markdown)$/i.test(path)) return 'markdown';
  if (/\.html?$/i.test(path)) return 'html';
  throw new UsageError(`--report ${path}: the report is Markdown (a name ending in .md) or HTML (.html)`);
}

function write(io: Io, path: string, text: string): void {
  try {
    (io.writeFile ?? ((p: string, t: string) => writeFileSync(p, t, 'utf8')))(path, text);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, '', `cannot write the file${code ? ` (${code})` : ''}`);
  }
}
