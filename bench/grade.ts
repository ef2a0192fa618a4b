// Benchmark of `exactprop grade` (a benchmark, never a test): a class of 1,000 students x 100 quantities
// of homework 7 (examples/hw7-q2.yaml), made by the grade tests' generator (test/helpers/generated-class.ts:
// every student but every tenth plants one of twelve diagnosed mistakes, a third slip on one more
// value, a few leave values blank), written as a CSV and graded by the built command line in a fresh
// process, as a grader runs it: gradebook and HTML report. In one thread (--workers 1) and with two
// worker threads (--workers 2); the two gradebooks must be the same.
//
//   npm run bench:grade            (STUDENTS=n, QUANTITIES=n for another class; RUNS=n, best of n, default 2)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { classCsv, generatedClass, SPEC_FILE } from '../test/helpers/generated-class.js';

const STUDENTS = Number(process.env.STUDENTS ?? 1000);
const QUANTITIES = Number(process.env.QUANTITIES ?? 100);
const RUNS = Number(process.env.RUNS ?? 2);
const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');
const dir = mkdtempSync(join(tmpdir(), 'exactprop-grade-bench-'));
const csv = join(dir, 'class.csv');
const klass = generatedClass(STUDENTS, { quantities: QUANTITIES });
writeFileSync(csv, classCsv(klass));
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });

const books: string[] = [];
for (const workers of ['1', '2']) {
  const out = join(dir, `book-${workers}.csv`);
  const runs = Array.from({ length: RUNS }, () => {
    const r = spawnSync(process.execPath, [join(here, 'cli-child.cjs'), 'grade', SPEC_FILE, csv, '--out', out, '--report', join(dir, 'report.html'), '--workers', workers],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    const m = JSON.parse(r.stderr.trim().split('\n').pop()!) as { ms: number; cpuS: number; maxRssMb: number; code: number };
    if (m.code !== 0) throw new Error(`exactprop grade failed: ${r.stderr}`);
    return m;
  });
  const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  books.push(readFileSync(out, 'utf8'));
  const line = `--workers ${workers}: ${(best.ms / 1000).toFixed(2)} s wall, ${best.cpuS.toFixed(2)} s CPU, ${best.maxRssMb.toFixed(0)} MB (best of ${RUNS}; all of it: start-up, the spec and the CSV read, the exact training, grading, gradebook and HTML report)`;
  console.log(line);
}
console.log(books[0] === books[1] ? 'the two gradebooks are identical' : 'THE GRADEBOOKS DIFFER');
// What the tests check on 50 students, here on the whole class: each planted mistake is the student's
// first new error, with its diagnosis among those the gradebook names.
const rows = parseCsv(books[0]!, { columns: true }) as Array<Record<string, string>>;
const planted = klass.students.filter((s) => s.planted.length);
const found = planted.filter((s, i) => {
  const row = rows.find((r) => r.id === s.id) ?? rows[i]!;
  return row.first_error === s.planted[0]!.path && row.diagnosis!.split(' ').includes(s.planted[0]!.diagnosis);
});
console.log(`planted mistakes found as the first new error, with their diagnosis: ${found.length} of ${planted.length}`);
console.log(`${STUDENTS} students x ${QUANTITIES} quantities; machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} (other work on the machine counts in the wall time)`);
rmSync(dir, { recursive: true, force: true });
