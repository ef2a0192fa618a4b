// Writes the big and the binary inputs of the hostile corpus (test/hostile/cases.json names them as
// ../generated/NAME) into test/hostile/generated/, which git ignores: megabytes of params, rows and
// nesting are cheaper to regenerate than to commit, and bytes that are not UTF-8 text do not belong in
// a diff. The test runner (test/hostile.test.ts) calls this first; run it alone with
//   node scripts/hostile-corpus.mjs
// Everything is deterministic (no randomness, no clock), so a failing input can be reproduced.
import { mkdirSync, writeFileSync, readFileSync, openSync, ftruncateSync, closeSync, existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'test/hostile/generated');

/** The reference spec every variant starts from (hw7), without its leading comment. */
const hw7 = () => readFileSync(join(root, 'test/hostile/cases/refs/hw7.yaml'), 'utf8').replace(/^(#.*\n)+/, '');

const scalarSpec = (loss, params = 'params: { w: 1 }\n') =>
  `${params}data: [ {} ]\nloss: { sample: "${loss}", reduce: sum }\ntraining: { optimizer: sgd, lr: 0.0001, epochs: 1 }\n`;

/** A file of `size` bytes that starts with `head` and is a hole after it (sparse: no disk used), to test
 * that a size cap is checked before anything is read. */
function sparse(name, head, size) {
  const path = join(out, name);
  if (existsSync(path) && statSync(path).size === size) return;
  writeFileSync(path, head);
  const fd = openSync(path, 'r+');
  ftruncateSync(fd, size);
  closeSync(fd);
}

/** A deterministic byte stream (xorshift32), for the binary inputs. */
function bytes(n, seed) {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

const hw7Rows = (n) => {
  const rows = [];
  for (let k = 1; k <= n; k++) rows.push({ i1: (k % 17) - 8, i2: (k % 5) - 2, y: k % 11 });
  return rows;
};
const hw7WithData = (data, epochs = 1) => hw7().replace(/data:\n(  - .*\n)+/, data).replace('epochs: 2', `epochs: ${epochs}`);

export function generate() {
  mkdirSync(out, { recursive: true });
  const files = {};
  const text = (name, content) => (files[name] = content);

  // Sizes over the input caps: refused before they are read.
  sparse('spec-6mb.yaml', '# six megabytes, nearly all of it a hole\n', 6_000_000);
  text('data-25mb.yaml', hw7WithData('data: data-25mb.csv\n'));
  sparse('data-25mb.csv', 'i1,i2,y\n', 25_000_000);
  text('data-binary.yaml', hw7WithData('data: data-binary.csv\n'));
  files['data-binary.csv'] = bytes(4096, 7);

  // Model sizes over the limits.
  const params = (n) => {
    const lines = ['params:'];
    for (let k = 1; k <= n; k++) lines.push(`  p${k}: 0.5`);
    return `${lines.join('\n')}\ndata: [ {} ]\nloss: { sample: "(p1 - 3)^2", reduce: sum }\ntraining: { optimizer: sgd, lr: 0.1, epochs: 1 }\n`;
  };
  text('params-200000.yaml', params(200_000));
  text('params-30000.yaml', params(30_000));
  {
    const lines = ['model:', '  neurons:', '    h1: w'];
    for (let k = 2; k <= 30_000; k++) lines.push(`    h${k}: w*${k}`);
    text('neurons-30000.yaml', `${lines.join('\n')}\nparams: { w: 0.5 }\ndata: [ {} ]\nloss: { sample: "(h30000 - 3)^2", reduce: sum }\ntraining: { optimizer: sgd, lr: 0.1, epochs: 1 }\n`);
  }
  {
    const matrix = (rows, cols) => `[${Array.from({ length: rows }, (_, j) => `[${Array.from({ length: cols }, (_, i) => ((i + j) % 7) / 100 - 0.03).join(', ')}]`).join(', ')}]`;
    const zeros = (n) => `[${Array(n).fill(0).join(', ')}]`;
    const row = `{ ${Array.from({ length: 200 }, (_, i) => `x${i + 1}: ${i % 3}`).join(', ')}, ${Array.from({ length: 200 }, (_, j) => `y${j + 1}: ${j % 2}`).join(', ')} }`;
    text('dense-200-200-200.yaml', `model:\n  inputs: 200\n  layers:\n    - { units: 200, activation: relu }\n    - { units: 200, activation: linear }\nparams:\n  W1: ${matrix(200, 200)}\n  b1: ${zeros(200)}\n  W2: ${matrix(200, 200)}\n  b2: ${zeros(200)}\ndata:\n  - ${row}\nloss: { name: mse }\ntraining: { optimizer: sgd, lr: 0.01, epochs: 1 }\n`);
  }

  // Rows: 2,000 is an ordinary class data set; 100,001 is one over the limit.
  text('rows-2000.yaml', hw7WithData(`data:\n${hw7Rows(2000).map((r) => `  - { i1: ${r.i1}, i2: ${r.i2}, y: ${r.y} }`).join('\n')}\n`));
  const csv = (n) => `i1,i2,y\n${hw7Rows(n).map((r) => `${r.i1},${r.i2},${r.y}`).join('\n')}\n`;
  text('rows-2000-csv.yaml', hw7WithData('data: rows-2000.csv\n'));
  text('rows-2000.csv', csv(2000));
  text('rows-100001.yaml', hw7WithData('data: rows-100001.csv\n'));
  text('rows-100001.csv', csv(100_001));

  // Long expressions: a 2,000-term sum and a 1,000-factor product must be computed; 100,000 terms or
  // nestings must be refused, never overflow the stack.
  const terms = (n, f, sep) => Array.from({ length: n }, (_, k) => f(k + 1)).join(sep);
  text('sum-2000.yaml', scalarSpec(`(${terms(2000, (k) => `w*${k}`, ' + ')} - 3)^2`));
  text('product-1000.yaml', scalarSpec(`${terms(1000, () => '(1 + w/1000)', '*')}`, 'params: { w: 0.5 }\n'));
  text('sum-100000.yaml', scalarSpec(`${terms(100_000, (k) => `w*${k}`, ' + ')}`));
  text('parens-100000.yaml', scalarSpec(`${'('.repeat(100_000)}w${')'.repeat(100_000)}^2`));
  text('long-line-error.yaml', scalarSpec(`${terms(100_000, (k) => `w*${k}`, ' + ')} + `));
  text('long-name.yaml', scalarSpec('(w - 3)^2', `params: { w: 1, ${'n'.repeat(100_000)}: 2 }\n`));

  // Deep YAML: the YAML reader itself must not overflow.
  text('yaml-depth-100000.yaml', `${hw7()}extra: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
  text('yaml-map-depth-10000.yaml', `${hw7()}extra: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`);
  text('answers-deep.yaml', `step1: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
  text('answers-200000-keys.yaml', `step1:\n  sample1:\n${Array.from({ length: 200_000 }, (_, k) => `    k${k}: 1`).join('\n')}\n`);

  // Encodings: what a spec saved by another editor, or a file picked by mistake, looks like.
  const spec = hw7();
  files['utf16le-bom.yaml'] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(spec, 'utf16le')]);
  files['utf16be-bom.yaml'] = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(spec, 'utf16le').swap16()]);
  files['utf16le.yaml'] = Buffer.from(spec, 'utf16le');
  files['answers-utf16le-bom.yaml'] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('epoch1:\n  loss: 88.25\n', 'utf16le')]);
  files['binary.yaml'] = bytes(2048, 11);
  files['image.png'] = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), bytes(512, 13)]);
  files['latin1.yaml'] = Buffer.from(spec.replace(/\bw1\b/g, 'w\u00e9'), 'latin1');
  files['utf8-bom.yaml'] = `\ufeff${spec}`;
  files['crlf.yaml'] = spec.replace(/\n/g, '\r\n');

  for (const [name, content] of Object.entries(files)) {
    const path = join(out, name);
    // Rewriting identical megabytes on every test run costs time on a shared disk: skip them.
    const bytesOut = typeof content === 'string' ? Buffer.from(content) : content;
    if (existsSync(path) && statSync(path).size === bytesOut.length && readFileSync(path).equals(bytesOut)) continue;
    writeFileSync(path, bytesOut);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  generate();
  process.stdout.write(`hostile corpus: big inputs written to ${out} in ${Date.now() - started} ms\n`);
}
