// `exactprop check SPEC ANSWERS...`: grade hand-written values against the exact training, with error
// carried forward and a diagnosis of each new error. One file gives a report; many files (a class)
// share one exact training and one set of variants, and `--summary` gives one row per file. The
// library's checkAll grades them; this reads the files and the flags, and prints.
import { parseArgs } from 'node:util';
import { InputError, MAX_PRECISION, MIN_PRECISION } from '../../library/run.js';
import { checkAll, checkErrata, checkReport, checkSummary, toleranceProblem, type AnswersInput, type Tolerance } from '../../library/check.js';
import { readInputFile } from '../../node/files.js';
import { loadSpecFile } from '../../node/load.js';
import { oneOf, processIo, UsageError, wholeNumber, type Io } from '../io.js';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitFlags } from '../limit-flags.js';
import { safeLocated } from '../terminal.js';

export const usage = `exactprop check SPEC ANSWERS... [--format text|markdown|json] [--summary csv|markdown]
                [--abs X | --rel X | --sig N] [--precision N] [--color auto|always|never]
exactprop check --key SPEC KEY [--format text|markdown|json]
    grade hand-written values (YAML or JSON, shaped like the JSON trace) against the exact training:
    correct, rounding slip, carried (right method, earlier error) or wrong, with the known mistake
    or convention that reproduces each new error. Exit 0 if nothing is wrong, 1 if something is, 2 for bad input
    --format    text (default), markdown or json (for one file, or each of many)
    --summary   one row per answers file (counts per verdict, first new error): csv or markdown
    --key       KEY is an instructor's or a book's published answers: print its errata (each wrong value,
                its exact value, the first error it follows from, the diagnosis); exit 1 if there are any
    --abs, --rel, --sig   a grader's tolerance for "correct" (default: half a unit of the last written digit)
    --precision working precision in significant digits (overrides the spec)
    --color     colour in the text report (default: auto, on a terminal)
${LIMIT_USAGE}`;

export function checkCommand(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      summary: { type: 'string' },
      key: { type: 'boolean', default: false },
      abs: { type: 'string' },
      rel: { type: 'string' },
      sig: { type: 'string' },
      precision: { type: 'string' },
      ...LIMIT_OPTIONS,
      color: { type: 'string', default: 'auto' },
    },
  });
  if (positionals.length < 2) throw new UsageError(values.key ? 'check --key takes a spec file and one answer key' : 'check takes a spec file and at least one answers file');
  if (values.key && positionals.length !== 2) throw new UsageError(`check --key takes a spec file and one answer key, got ${positionals.length - 1} files`);
  if (values.key && values.summary !== undefined) throw new UsageError('--summary is for a class of answers files, not for --key');
  const format = oneOf(values.format!, 'format', ['text', 'markdown', 'json'] as const);
  const summary = values.summary === undefined ? undefined : oneOf(values.summary, 'summary', ['csv', 'markdown'] as const);
  const color = oneOf(values.color!, 'color', ['auto', 'always', 'never'] as const);
  const tolerance = toleranceOf(values);
  const [specFile, ...answerFiles] = positionals as [string, ...string[]];
  const flagLimits = limitFlags(values);
  const precision = wholeNumber(values.precision, 'precision', MIN_PRECISION, MAX_PRECISION);
  const spec = loadSpecFile(specFile, { files: io, limits: flagLimits, ...(precision !== undefined ? { precision } : {}) });

  // A file that cannot be read is graded as its error, like one that cannot be parsed.
  const inputs: AnswersInput[] = answerFiles.map((file) => {
    try {
      return { file, text: readInputFile(file, { files: io, limits: flagLimits }) };
    } catch (e) {
      if (e instanceof InputError) return { file, error: e };
      throw e;
    }
  });
  // One bad file alone is thrown, and reported like a bad spec; in a class, the others are still graded.
  const graded = checkAll(spec, inputs, { tolerance });

  let code = 0;
  for (const g of graded) {
    if ('error' in g) {
      io.err(`exactprop: ${safeLocated(g.error)}\n`);
      code = 2;
    } else if (g.report.summary.wrong > 0 && code === 0) code = 1;
  }

  if (values.key) {
    if (code === 2) return code;
    const colour = color === 'always' || (color === 'auto' && io === processIo && process.stdout.isTTY === true && !process.env.NO_COLOR);
    const errata = checkErrata(graded[0]!, format, { colour });
    io.out(errata.text);
    return errata.errata > 0 ? 1 : 0;
  }
  if (summary !== undefined) io.out(checkSummary(graded, summary));
  else if (format === 'json') io.out(checkReport(graded, 'json'));
  else {
    const colour = color === 'always' || (color === 'auto' && io === processIo && process.stdout.isTTY === true && !process.env.NO_COLOR);
    io.out(checkReport(graded, format, { colour }));
  }
  return code;
}

function toleranceOf(values: { abs?: string; rel?: string; sig?: string }): Tolerance {
  const given = (['abs', 'rel', 'sig'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError(`give one tolerance: --${given.join(' or --')}`);
  const number = (k: 'abs' | 'rel') => {
    const v = values[k]!;
    const problem = toleranceProblem(`--${k}`, v);
    if (problem) throw new UsageError(problem);
    return v;
  };
  if (values.abs !== undefined) return { kind: 'abs', value: number('abs') };
  if (values.rel !== undefined) return { kind: 'rel', value: number('rel') };
  if (values.sig !== undefined) return { kind: 'sig', digits: wholeNumber(values.sig, 'sig', 1, 1000)! };
  return { kind: 'digits' };
}
