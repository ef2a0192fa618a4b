// Writes what the CLI prints for every example and fixture spec, in every format, with derive and check,
// into one folder (default: .snapshot/), so a refactoring can be compared byte for byte against the
// outputs before it: `node scripts/snapshot-outputs.mjs /tmp/before` then again after, and `diff -r`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const out = process.argv[2] ?? '.snapshot';
mkdirSync(out, { recursive: true });
const specs = [
  ...readdirSync('examples').filter((f) => f.endsWith('.yaml')).map((f) => `examples/${f}`),
  ...readdirSync('test/fixtures/torch/specs').filter((f) => f.endsWith('.yaml')).map((f) => `test/fixtures/torch/specs/${f}`),
].filter((f) => /^model:/m.test(readFileSync(f, 'utf8')));
const cli = (args) => {
  const r = spawnSync('node', ['dist/exactprop.cjs', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return `exit ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
};
for (const spec of specs) {
  const base = spec.replace(/[/.]/g, '_');
  for (const format of ['text', 'markdown', 'latex', 'html', 'json']) {
    writeFileSync(`${out}/${base}.run.${format}`, cli(['run', spec, '--format', format]));
  }
  writeFileSync(`${out}/${base}.certify.json`, cli(['run', spec, '--certify', '--format', 'json']));
  writeFileSync(`${out}/${base}.exact.text`, cli(['run', spec, '--exact']));
  for (const format of ['text', 'markdown', 'latex', 'html']) {
    writeFileSync(`${out}/${base}.derive.${format}`, cli(['derive', spec, '--format', format]));
  }
}
const answers = readdirSync('examples').filter((f) => f.endsWith('.yaml') && !/^model:/m.test(readFileSync(`examples/${f}`, 'utf8')));
for (const a of answers) {
  for (const format of ['text', 'markdown', 'json']) {
    writeFileSync(`${out}/check_${a}.${format}`, cli(['check', 'examples/hw7-q2.yaml', `examples/${a}`, '--format', format]));
  }
  writeFileSync(`${out}/check_${a}.summary.csv`, cli(['check', 'examples/hw7-q2.yaml', `examples/${a}`, '--summary', 'csv']));
}
console.log(`${specs.length} specs, ${answers.length} answers files -> ${out}`);
