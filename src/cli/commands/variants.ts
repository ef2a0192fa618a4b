// `exactprop variants SPEC --count N | --ids students.csv --seed S --out DIR`: one variant of the
// exercise per student or per number, drawn from the spec's `variants:` section, each with its spec,
// answer key, worksheet and worked solution, a manifest, and the quizzes (Moodle XML, QTI 2.1, a
// LaTeX booklet). The library's makeVariants makes every file; this reads the spec and the ids, and
// writes the files into the output folder.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import { InputError, render, run, type Spec } from '../../library/run.js';
import { toleranceProblem } from '../../library/check.js';
import { makeVariants, MAX_VARIANTS, VARIANT_EXPORTS, type GradingPolicy, type VariantExport } from '../../library/variants.js';
import { readInputFile } from '../../node/files.js';
import { UsageError, wholeNumber, type Io } from '../io.js';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitFlags } from '../limit-flags.js';

export const usage = `exactprop variants SPEC (--count N | --ids STUDENTS.csv) --seed S --out DIR
                [--ask PATTERNS] [--abs X | --rel X | --sig N] [--solutions markdown|text|latex|none]
                [--exports moodle,qti,booklet] [--force] [--timeout SECONDS]
    one variant of the exercise per student (or per number), drawn from the spec's variants: section
    and kept when its run meets every constraint. Writes into DIR: manifest.json (which id has which
    variant), vNN/spec.yaml, key.json, worksheet.yaml and solution, moodle.xml, qti/, booklet.tex.
    The same spec, seed and ids give the same files, byte for byte; an id's variant depends on nothing else
    --count     variants 1..N          --ids   a CSV of student ids (an 'id' column, or the first column)
    --seed      any text; part of every variant's hash
    --ask       the quantities asked, by path pattern (epoch1.*.h*,epoch1.params.*), over the spec's variants.ask
    --abs, --rel, --sig   the quizzes' tolerance, over the spec's variants.tolerance (default --sig 3)
    --solutions the worked solution's format (default markdown), or none
    --exports   which quizzes (default moodle,qti,booklet)
    --force     write into a folder that is not empty (its other files are left as they are)
    --timeout   stop (exit 2) after this many seconds, every draw's run included
${LIMIT_USAGE}`;

const SOLUTION_FORMATS = { markdown: 'md', text: 'txt', latex: 'tex', none: '' } as const;

export function variantsCommand(args: string[], io: Io): number {
  const startedAt = Date.now();
  const { values, positionals } = parseFlags(args);
  if (positionals.length !== 1) throw new UsageError('variants takes one spec file');
  const specFile = positionals[0]!;
  if (values.seed === undefined) throw new UsageError('give a --seed (any text): the same seed gives the same variants');
  if (values.out === undefined) throw new UsageError('give the output folder: --out DIR');
  if ((values.count === undefined) === (values.ids === undefined)) throw new UsageError('give --count N or --ids STUDENTS.csv (one of them)');
  const limits = limitFlags(values);
  const count = wholeNumber(values.count, 'count', 1, MAX_VARIANTS);
  const ids = values.ids !== undefined ? readIds(values.ids, io, limits) : undefined;
  const solutions = values.solutions ?? 'markdown';
  if (!(solutions in SOLUTION_FORMATS)) throw new UsageError(`unknown --solutions '${solutions}' (${Object.keys(SOLUTION_FORMATS).join(', ')})`);
  const exports = values.exports === undefined ? VARIANT_EXPORTS : values.exports.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of exports) if (!(VARIANT_EXPORTS as readonly string[]).includes(e)) throw new UsageError(`unknown export '${e}' (${VARIANT_EXPORTS.join(', ')})`);
  const ask = values.ask?.split(',').map((p) => p.trim()).filter(Boolean);
  const tolerance = policyOf(values);
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(/^\d+(\.\d+)?$/.test(values.timeout!) && timeout > 0)) throw new UsageError(`--timeout takes a number of seconds greater than 0, got '${values.timeout}'`);

  const out = resolve(values.out);
  if (existsSync(out) && (!statSync(out).isDirectory() || (readdirSync(out).length > 0 && !values.force))) {
    throw new UsageError(`${values.out} ${statSync(out).isDirectory() ? 'is not empty (give --force to write into it)' : 'is not a folder'}`);
  }

  const text = readInputFile(specFile, { files: io, ...(Object.keys(limits).length ? { limits } : {}) });
  const readDataFile = (relativePath: string, maxBytes: number) =>
    io.readDataFile ? io.readDataFile(specFile, relativePath, maxBytes) : io.readFile(resolve(dirname(specFile), relativePath), maxBytes);
  const format = solutions as keyof typeof SOLUTION_FORMATS;
  const result = makeVariants(text, {
    file: specFile, seed: values.seed, ...(count !== undefined ? { count } : {}), ...(ids ? { ids } : {}),
    ...(ask?.length ? { ask } : {}), ...(tolerance ? { tolerance } : {}),
    exports: exports as VariantExport[], readDataFile, limits, ...(timeout !== undefined ? { timeout, startedAt } : {}),
    ...(format !== 'none' ? { solution: { extension: SOLUTION_FORMATS[format], write: (spec: Spec) => render(run(spec), format) } } : {}),
  });
  for (const [path, content] of result.files) {
    const target = join(out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const attempts = result.variants.reduce((n, v) => n + v.attempt + 1, 0);
  io.out(`${result.variants.length} variant${result.variants.length === 1 ? '' : 's'} of ${specFile} in ${values.out} (${result.files.size} files; ${attempts} draws tried, ${attempts - result.variants.length} rejected by the constraints)\n`);
  return 0;
}

/** The flags this command takes. */
function parseFlags(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      count: { type: 'string' }, ids: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
      ask: { type: 'string' }, abs: { type: 'string' }, rel: { type: 'string' }, sig: { type: 'string' },
      solutions: { type: 'string' }, exports: { type: 'string' }, force: { type: 'boolean' }, timeout: { type: 'string' },
      ...LIMIT_OPTIONS,
    },
  });
}

/** The ids of a CSV: the column headed `id` (any case), or else every row's first cell. Blank rows are
 *  skipped; an id given twice is an error at its line. */
function readIds(path: string, io: Io, limits: ReturnType<typeof limitFlags>): string[] {
  const text = readInputFile(path, { files: io, ...(Object.keys(limits).length ? { limits } : {}) });
  let rows: string[][];
  try {
    rows = parseCsv(text, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch (e) {
    throw new InputError(path, '', `not a CSV file: ${(e as Error).message.split('\n')[0]}`);
  }
  const header = rows[0]?.findIndex((c) => c.toLowerCase() === 'id') ?? -1;
  const column = header >= 0 ? header : 0;
  const body = header >= 0 ? rows.slice(1) : rows;
  const first = new Map<string, number>();
  const ids: string[] = [];
  body.forEach((row, i) => {
    const id = row[column] ?? '';
    const line = i + 1 + (header >= 0 ? 1 : 0);
    if (!id) return;
    if (first.has(id)) throw new InputError(path, '', `the id '${id}' is given twice (first at row ${first.get(id)})`, line);
    first.set(id, line);
    ids.push(id);
  });
  if (!ids.length) throw new InputError(path, '', 'no ids in the file');
  if (ids.length > MAX_VARIANTS) throw new InputError(path, '', `more than ${MAX_VARIANTS.toLocaleString('en-US')} ids`);
  return ids;
}

function policyOf(values: { abs?: string | undefined; rel?: string | undefined; sig?: string | undefined }): GradingPolicy | undefined {
  const given = (['abs', 'rel', 'sig'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError(`give one tolerance: --${given.join(' or --')}`);
  for (const k of ['abs', 'rel'] as const) {
    if (values[k] === undefined) continue;
    const problem = toleranceProblem(`--${k}`, values[k]!);
    if (problem) throw new UsageError(problem);
    return k === 'abs' ? { abs: values[k]! } : { rel: values[k]! };
  }
  if (values.sig !== undefined) return { sig: wholeNumber(values.sig, 'sig', 1, 100)! };
  return undefined;
}
