// Benchmark of `exactprop check` on a class: 1,000 generated answer files for homework 7, question 2
// (examples/hw7-q2-sheet.yaml), graded in one batch with --summary csv, as a grader would. The files
// are written to a temporary directory and read through the CLI like real ones.
//
// A generated student follows one of three models: the exact method (55%), the sum-over-the-batch
// loss without 1/n (20%), or the hand-written sheet itself with its mistakes (25%). Each writes most
// values (85%), rounded or truncated to 3 to 5 significant digits, and slips on about 3% of them (a
// wrong digit). Deterministic: the same files every run.
//
//   npm run bench:check            (prints the figure quoted in the README; FILES=n for another count)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { parse as parseYaml } from 'yaml';
import { main } from '../src/cli/main.js';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { traceJson } from '../src/render/json.js';
import { generator } from './workloads.js';

const FILES = Number(process.env.FILES ?? 1000);
const specPath = new URL('../examples/hw7-q2-sheet.yaml', import.meta.url).pathname;
const sheetPath = new URL('../examples/hw7-q2.answers.yaml', import.meta.url).pathname;

type Tree = { [key: string]: Tree | string };

/** The answers a student using `spec` exactly would write (at full precision, before rounding). */
function answersOf(specText: string): Tree {
  const trace = traceJson(run(parseSpec(specText, 'bench.yaml'))) as {
    steps: Array<{ step: number; samples: Array<{ sample: number; values: Record<string, string>; gradients: Record<string, string> }>;
      loss: { total: string }; gradients: Record<string, string>; optimizer: Record<string, Record<string, string>>; params: Record<string, string> }>;
  };
  const out: Tree = {};
  for (const s of trace.steps) {
    const step: Tree = {};
    for (const sample of s.samples) step[`sample${sample.sample}`] = { ...sample.values, gradients: { ...sample.gradients } };
    step.loss = s.loss.total;
    step.gradients = { ...s.gradients };
    step.optimizer = Object.fromEntries(Object.entries(s.optimizer).map(([k, v]) => [k, { ...v }]));
    step.params = { ...s.params };
    out[`step${s.step}`] = step;
  }
  return out;
}

/** The sheet's own values, as text. */
function sheetAnswers(): Tree {
  const toText = (v: unknown): Tree | string =>
    v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, toText(x)])) : String(v);
  // The YAML library would read numbers as doubles; the text of each is what matters, and these short
  // values print back exactly.
  return toText(parseYaml(readFileSync(sheetPath, 'utf8'))) as Tree;
}

function student(template: Tree, r: () => number, rounded: boolean): Tree {
  const walk = (t: Tree): Tree => {
    const out: Tree = {};
    for (const [k, v] of Object.entries(t)) {
      if (typeof v !== 'string') {
        out[k] = walk(v);
        continue;
      }
      if (r() > 0.85) continue;
      let text = v;
      if (rounded) {
        // 3 to 5 significant digits, but every digit before the point (nobody writes 101000 for 101187.6).
        const d = new Decimal(v);
        const digits = Math.max(3 + Math.floor(r() * 3), d.e + 1);
        text = d.isZero() ? '0' : d.toSignificantDigits(digits, r() < 0.7 ? Decimal.ROUND_HALF_UP : Decimal.ROUND_DOWN).toString();
      }
      if (r() < 0.03) {
        // A slip of the pen: one digit changed.
        const positions = [...text].map((c, i) => (/\d/.test(c) ? i : -1)).filter((i) => i >= 0);
        const at = positions[Math.floor(r() * positions.length)]!;
        text = text.slice(0, at) + String((Number(text[at]) + 1 + Math.floor(r() * 8)) % 10) + text.slice(at + 1);
      }
      out[k] = text;
    }
    return out;
  };
  return walk(template);
}

function yamlText(t: Tree, indent = ''): string {
  return Object.entries(t).map(([k, v]) => (typeof v === 'string' ? `${indent}${k}: ${v}\n` : `${indent}${k}:\n${yamlText(v, `${indent}  `)}`)).join('');
}

const specText = readFileSync(specPath, 'utf8');
const exact = answersOf(specText);
const summed = answersOf(specText.replace('reduce: mean', 'reduce: sum'));
const sheet = sheetAnswers();
const dir = mkdtempSync(join(tmpdir(), 'exactprop-check-bench-'));
const files: string[] = [];
const r = generator(2024);
for (let i = 0; i < FILES; i++) {
  const pick = r();
  const answers = pick < 0.55 ? student(exact, r, true) : pick < 0.75 ? student(summed, r, true) : student(sheet, r, false);
  const file = join(dir, `student-${String(i + 1).padStart(4, '0')}.yaml`);
  writeFileSync(file, yamlText(answers));
  files.push(file);
}

let csv = '';
const io = { out: (t: string) => void (csv += t), err: () => undefined, readFile: (p: string) => readFileSync(p, 'utf8') };
const start = performance.now();
const cpu = process.cpuUsage();
const code = await main(['check', specPath, ...files, '--summary', 'csv'], io);
const seconds = (performance.now() - start) / 1000;
// CPU time as well as wall time: on a shared machine the wall clock also measures the neighbours.
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
rmSync(dir, { recursive: true, force: true });

const rows = csv.trim().split('\n').slice(1);
const bad = rows.filter((row) => !/,$/.test(row));
if (bad.length) console.log(`${bad.length} files could not be read, e.g. ${bad[0]}`);
const withErrors = rows.filter((row) => Number(row.split(',')[4]) > 0).length;
console.log(`exactprop check: ${FILES} answer files graded in ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU ` +
  `(${((seconds * 1000) / FILES).toFixed(1)} ms per file, exact training and variants included); ${withErrors} files with a new error; exit code ${code}`);
