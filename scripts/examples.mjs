// Regenerates the worked solutions committed beside the examples (npm run examples), so people can read
// them without installing: examples/solutions/NAME.md for every example spec (and NAME.exact.md, in
// exact fractions, for a spec that --exact can compute), and the hw7 example's Markdown and HTML at
// examples/hw7-q2.md and .html. A test checks they are what `run` prints today.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

execFileSync('node', ['scripts/build.mjs']);
const run = (...args) => execFileSync('node', ['dist/exactprop.cjs', 'run', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
mkdirSync('examples/solutions', { recursive: true });
for (const file of readdirSync('examples').filter((f) => f.endsWith('.yaml'))) {
  if (!/^model:/m.test(readFileSync(`examples/${file}`, 'utf8'))) continue; // answers files are not specs
  writeFileSync(`examples/solutions/${file.replace(/\.yaml$/, '.md')}`, run(`examples/${file}`, '--format', 'markdown'));
  const exact = spawnSync('node', ['dist/exactprop.cjs', 'run', `examples/${file}`, '--exact', '--format', 'markdown'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (exact.status === 0) writeFileSync(`examples/solutions/${file.replace(/\.yaml$/, '.exact.md')}`, exact.stdout);
  else if (!exact.stderr.includes('cannot be computed in exact fractions')) throw new Error(exact.stderr);
}
writeFileSync('examples/hw7-q2.md', run('examples/hw7-q2.yaml', '--format', 'markdown'));
writeFileSync('examples/hw7-q2.html', run('examples/hw7-q2.yaml', '--format', 'html'));
