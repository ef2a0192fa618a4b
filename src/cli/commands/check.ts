// `exactprop check SPEC ANSWERS...`: grade hand-written values against the exact training, with error
// carried forward and a diagnosis of each new error. One file gives a report; many files (a class)
// share one exact training and one set of variants, and `--summary` gives one row per file.
import { parseArgs } from 'node:util';
import { InputError } from '../../spec/errors.js';
import { DECIMAL_TEXT, MAX_PRECISION, MIN_PRECISION } from '../../numeric/context.js';
import { answerShape, extentOf, parseAnswers, type Answers } from '../../check/answers.js';
import { Checker } from '../../check/check.js';
import { csvSummary, jsonReport, markdownReport, markdownSummary, textReport, type SummaryRow } from '../../check/report.js';
import { writtenRangeProblem, type Tolerance } from '../../check/tolerance.js';
import { oneOf, processIo, UsageError, wholeNumber, type Io } from '../io.js';
import { loadSpec, readInput } from '../load.js';
import { LIMIT_OPTIONS, LIMIT_USAGE, limitFlags } from '../limit-flags.js';
import { jsonSafe, safeLocated } from '../terminal.js';

export const usage = `exactprop check SPEC ANSWERS... [--format text|markdown|json] [--summary csv|markdown]
                [--abs X | --rel X | --sig N] [--precision N] [--color auto|always|never]
    grade hand-written values (YAML or JSON, shaped like the JSON trace) against the exact training:
    correct, rounding slip, carried (right method, earlier error) or wrong, with the known mistake
    or convention that reproduces each new error. Exit 0 if nothing is wrong, 1 if something is, 2 for bad input
    --format    text (default), markdown or json (for one file, or each of many)
    --summary   one row per answers file (counts per verdict, first new error): csv or markdown
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
      abs: { type: 'string' },
      rel: { type: 'string' },
      sig: { type: 'string' },
      precision: { type: 'string' },
      ...LIMIT_OPTIONS,
      color: { type: 'string', default: 'auto' },
    },
  });
  if (positionals.length < 2) throw new UsageError('check takes a spec file and at least one answers file');
  const format = oneOf(values.format!, 'format', ['text', 'markdown', 'json'] as const);
  const summary = values.summary === undefined ? undefined : oneOf(values.summary, 'summary', ['csv', 'markdown'] as const);
  const color = oneOf(values.color!, 'color', ['auto', 'always', 'never'] as const);
  const tolerance = toleranceOf(values);
  const [specFile, ...answerFiles] = positionals as [string, ...string[]];
  const flagLimits = limitFlags(values);
  const spec = loadSpec(specFile, io, wholeNumber(values.precision, 'precision', MIN_PRECISION, MAX_PRECISION), { limits: flagLimits });
  const shape = answerShape(spec);

  // Read every file first: the exact training is computed once, as far as the furthest answer goes.
  const parsed: Array<Answers | InputError> = answerFiles.map((file) => {
    try {
      return parseAnswers(readInput(file, io, flagLimits), file, shape);
    } catch (e) {
      if (e instanceof InputError) return e;
      throw e;
    }
  });
  const good = parsed.filter((p): p is Answers => !(p instanceof InputError));
  // One bad file alone is reported like a bad spec; in a class, the others are still graded.
  if (answerFiles.length === 1 && parsed[0] instanceof InputError) throw parsed[0];
  const checker = new Checker(spec, extentOf(good));
  if (good.length > 1) checker.prepare();

  const rows: SummaryRow[] = [];
  const reports = [];
  let code = 0;
  for (const p of parsed) {
    if (p instanceof InputError) {
      io.err(`exactprop: ${safeLocated(p)}\n`);
      rows.push({ file: p.file, error: p.located() });
      code = 2;
      continue;
    }
    const report = checker.check(p, tolerance);
    rows.push({ file: p.file, report });
    reports.push(report);
    if (report.summary.wrong > 0 && code === 0) code = 1;
  }

  if (summary === 'csv') io.out(csvSummary(rows));
  else if (summary === 'markdown') io.out(markdownSummary(rows));
  else if (format === 'json') io.out(jsonSafe(JSON.stringify(reports.length === 1 && answerFiles.length === 1 ? jsonReport(reports[0]!) : { files: rows.map((r) => ('error' in r ? r : jsonReport(r.report))) }, null, 2)) + '\n');
  else {
    const colour = color === 'always' || (color === 'auto' && io === processIo && process.stdout.isTTY === true && !process.env.NO_COLOR);
    io.out(reports.map((r) => (format === 'markdown' ? markdownReport(r) : textReport(r, { colour }))).join('\n'));
  }
  return code;
}

function toleranceOf(values: { abs?: string; rel?: string; sig?: string }): Tolerance {
  const given = (['abs', 'rel', 'sig'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError(`give one tolerance: --${given.join(' or --')}`);
  const number = (k: 'abs' | 'rel') => {
    const v = values[k]!;
    if (!DECIMAL_TEXT.test(v) || v.trim().startsWith('-')) throw new UsageError(`--${k} takes a non-negative number (e.g. 0.001), got '${v}'`);
    // An infinite tolerance would grade every value correct.
    const outside = writtenRangeProblem(v);
    if (outside) throw new UsageError(`--${k}: ${outside}`);
    return v;
  };
  if (values.abs !== undefined) return { kind: 'abs', value: number('abs') };
  if (values.rel !== undefined) return { kind: 'rel', value: number('rel') };
  if (values.sig !== undefined) return { kind: 'sig', digits: wholeNumber(values.sig, 'sig', 1, 1000)! };
  return { kind: 'digits' };
}
