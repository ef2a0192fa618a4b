// npm run bench:web: the playground's figures (a benchmark, never a test): the size of what a browser
// downloads, the first load of hw7 (navigation to its worked solution on screen) and a re-render of hw7
// after an edit of the spec (the request sent to the worker to the new solution on screen; the typing
// pause before it is not counted). Measured in headless Chromium against the `npm run web` server,
// best and median of several runs; the machine's load average is printed beside them, since a shared
// machine's figures move with it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
// @ts-expect-error: a plain ES module script without declarations
import { serve } from '../scripts/web-server.mjs';

const root = join(new URL('.', import.meta.url).pathname, '..');
const site = join(root, 'dist', 'web');
const quick = process.argv.includes('--quick');
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
let total = 0;
let totalGz = 0;
for (const name of ['index.html', 'app.css', 'main.js', 'worker.js', 'katex/katex.min.css']) {
  const bytes = readFileSync(join(site, name));
  total += bytes.length;
  totalGz += gzipSync(bytes).length;
  console.log(`${name}: ${kb(bytes.length)} (${kb(gzipSync(bytes).length)} gzipped)`);
}
const fonts = files(join(site, 'katex', 'fonts')).reduce((n, f) => n + statSync(f).size, 0);
console.log(`KaTeX fonts (woff2, loaded as used): ${kb(fonts)}`);
console.log(`page, worker and styles: ${kb(total)} (${kb(totalGz)} gzipped)\n`);

const { server, url } = (await serve(site)) as { server: import('node:http').Server; url: string };
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { best: s[0]!, median: s[Math.floor(s.length / 2)]! };
};
type Timings = { firstRender: number; lastRender: number; lastCompute: number; renders: number };
const timings = (page: import('playwright-core').Page) => page.evaluate(() => (window as unknown as { exactpropTimings: Timings }).exactpropTimings);

console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
const loads: number[] = [];
for (let i = 0; i < (quick ? 2 : 5); i++) {
  // A fresh context each time: nothing cached.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}?example=hw7-q2`);
  await page.waitForSelector('body[data-renders="1"]', { timeout: 60_000 });
  loads.push((await timings(page)).firstRender);
  await context.close();
}
const load = stats(loads);
console.log(`first load of hw7 (navigation to its solution on screen): best ${load.best.toFixed(0)} ms, median ${load.median.toFixed(0)} ms (target < 1500 ms)`);

const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
await page.goto(`${url}?example=hw7-q2`);
await page.waitForSelector('body[data-renders="1"]', { timeout: 60_000 });
// Edit the learning rate back and forth (0.1 -> 0.2 -> 0.1 ...): every value after the first update
// changes, so most formulas are typeset anew.
const lines = readFileSync(join(root, 'examples', 'hw7-q2.yaml'), 'utf8').split('\n');
const lrLine = lines.findIndex((l) => /^\s+lr: 0\.1$/.test(l)) + 1;
await page.locator('.cm-line', { hasText: lines[lrLine - 1]!.trim() }).click();
await page.keyboard.press('End');
const renders: number[] = [];
const computes: number[] = [];
for (let i = 0; i < (quick ? 3 : 12); i++) {
  const before = (await timings(page)).renders;
  await page.keyboard.press('Backspace');
  await page.keyboard.type(i % 2 === 0 ? '2' : '1');
  await page.waitForFunction((n) => (window as unknown as { exactpropTimings: Timings }).exactpropTimings.renders > n, before, { timeout: 60_000 });
  const t = await timings(page);
  renders.push(t.lastRender);
  computes.push(t.lastCompute);
}
const rerender = stats(renders);
const compute = stats(computes);
console.log(`re-render of hw7 after an edit (request to solution on screen): best ${rerender.best.toFixed(0)} ms, median ${rerender.median.toFixed(0)} ms (target < 150 ms); of which the worker's run: median ${compute.median.toFixed(0)} ms`);
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
await browser.close();
server.close();
