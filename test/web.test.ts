// The playground (web/, built into dist/web) end to end in headless Chromium (Debian's chromium driven
// by playwright-core, as test/browser.test.ts does), served by the same static server as `npm run web`.
// Every request that is not to that server is refused and counted: the page must make none. Values are
// worked by hand from hw7-q2's spec, not read from the library. Screenshots at desktop and phone widths
// go to test-artifacts/. Skipped, saying why, when chromium is not installed.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
// @ts-expect-error: a plain ES module script without declarations
import { serve } from '../scripts/web-server.mjs';
import { encodeShare } from '../web/share.js';
import { denseSpec } from '../bench/workloads.js';
import { run, TAPE_FROM } from '../src/graph/run.js';
import { parseSpec } from '../src/spec/validate.js';
import { traceJson } from '../src/render/json.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const artifacts = join(root, 'test-artifacts');
const site = join(root, 'dist', 'web');
const haveChromium = existsSync(CHROMIUM);
const hw7 = readFileSync(join(root, 'examples', 'hw7-q2.yaml'), 'utf8').replace(/\n$/, '').split('\n');

describe.skipIf(!haveChromium)(`the playground in headless Chromium (${haveChromium ? CHROMIUM : `skipped: ${CHROMIUM} is not installed`})`, () => {
  let context: BrowserContext;
  let profile: string;
  let server: Server;
  let base: string;
  const outside: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(site, 'index.html'))) throw new Error('dist/web is not built: run npm run build (npm test does it first)');
    mkdirSync(artifacts, { recursive: true });
    ({ server, url: base } = (await serve(site)) as { server: Server; url: string });
    profile = mkdtempSync(join(tmpdir(), 'exactprop-web-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Offline: the page's own server, data: and blob: URLs only; anything else is refused and counted.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens the page at `query` and waits for its first result. */
  async function open(query: string, width = 1280): Promise<Page> {
    const page = await context.newPage();
    await page.setViewportSize({ width, height: 900 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + query);
    await page.waitForSelector('body[data-renders="1"]', { timeout: 45_000 });
    expect(errors).toEqual([]);
    return page;
  }
  const renders = async (page: Page) => Number(await page.getAttribute('body', 'data-renders'));
  const output = (page: Page) => page.locator('#output').innerText();

  it('opens hw7-q2 with the step-1 loss 89.525 (88.25 of data + 1.275 of penalty), downloads it, marks an error typed into the spec at its line, and shows the solution again once it is fixed', async () => {
    const page = await open('?example=hw7-q2');
    const first = await output(page);
    // Step 1: losses (8 - 3.5)^2 = 20.25 and (20 - 7.5)^2 = 156.25, mean 88.25; penalty
    // 0.1 * (1 + 1 + 0.25 + 0.25 + 4 + 6.25) = 1.275.
    expect(first).toContain('89.525');
    expect(first).toContain('88.25');
    expect(await page.locator('#output .katex').count()).toBeGreaterThan(5);
    expect(await page.locator('#output .katex-error').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'web-desktop.png') });
    // The Markdown download is the library's Markdown of the same run.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-markdown').click()]);
    expect(download.suggestedFilename()).toBe('hw7-q2.md');
    const markdown = readFileSync((await download.path())!, 'utf8');
    expect(markdown).toContain('89.525');
    expect(markdown.startsWith('# ')).toBe(true);
    // The HTML download: typeset in the worker (which loads KaTeX for it from the page's own copy), the
    // CLI's heading levels, KaTeX's fonts embedded.
    const [htmlDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#download-html').click()]);
    const html = readFileSync((await htmlDownload.path())!, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('89.525');
    expect(html).toContain('<h2>Step 1 (epoch 1)</h2>');
    expect(html).toContain('class="katex"');
    expect(html).not.toContain('katex-error');
    expect(html).toContain('data:font/woff2;base64,');

    const line = hw7.findIndex((l) => l.includes('h1: relu(i1*w1 + i2*w2 + b1)')) + 1;
    expect(line).toBeGreaterThan(1);
    // To the end of the neuron's line, before its closing parenthesis, and type a name the spec does
    // not define.
    await page.locator('.cm-line', { hasText: 'h1: relu(i1*w1 + i2*w2 + b1)' }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(' + q');
    await page.waitForSelector('.cm-lintRange-error', { timeout: 30_000 });
    expect(await page.locator('#problem').innerText()).toMatch(new RegExp(`^hw7-q2\\.yaml:${line}: at model\\.neurons\\.h1: undefined name 'q'`));
    // The mark is on that line, on the name itself.
    const marked = await page.evaluate(() => {
      const range = document.querySelector('.cm-lintRange-error')!;
      const lines = [...document.querySelectorAll('.cm-content > .cm-line')];
      return { text: range.textContent, line: lines.findIndex((l) => l.contains(range)) + 1 };
    });
    expect(marked).toEqual({ text: 'q', line });
    const before = await renders(page);

    // Fixed as h1 = relu(i1*w1 + i2*w2 + b1 + 1): sample 1 h1 = 2.5, h2 = 0, yhat = 5.5, loss 6.25;
    // sample 2 h1 = 4.5, h2 = relu(-1) = 0, yhat = 9.5, loss 110.25; mean 58.25, plus 1.275: 59.525.
    await page.keyboard.press('Backspace');
    await page.keyboard.type('1');
    await page.waitForFunction((n) => Number(document.body.dataset.renders) > n, before, { timeout: 30_000 });
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
    expect(await page.locator('#problem').isHidden()).toBe(true);
    const text = await output(page);
    expect(text).toContain('59.525');
    expect(text).not.toContain('89.525');
    // Tab leaves the editor (it inserts no tab), so the page can be used from the keyboard alone.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !document.activeElement?.closest('.cm-editor') && document.activeElement !== document.body)).toBe(true);
    await page.close();
  }, 90_000);

  it('lays the worksheet out as the worked solution, a cell where each value would be, and grades cells as they are typed: correct, rounding slip, carried, wrong', async () => {
    const page = await open('?example=hw7-q2&view=worksheet');
    const cell = (path: string) => page.locator(`input[data-quantity="${path}"]`);
    expect(await page.locator('input[data-quantity]').count()).toBeGreaterThan(50);

    // The worked solution's headings, in its order (one level down in the page, which has its own h1).
    const headings = await page.locator('#output :is(h2, h3, h4, h5)').allInnerTexts();
    const at = (text: string | RegExp) => headings.findIndex((h) => (typeof text === 'string' ? h === text : text.test(h)));
    const order = [at('The problem'), at('Step 1 (epoch 1)'), at(/^Sample 1: /), at('Forward pass'), at('Backward pass'), at(/^Sample 2: /), at('Loss of step 1'),
      at('Gradients of the total loss'), at(/^Adam update/), at('Step 2 (epoch 2)')];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // What would give the answers away is not on the page: the values after a step, the result's tables,
    // the step-1 loss (89.525).
    const sheet = await output(page);
    expect(sheet).not.toMatch(/Values after step|Result/);
    expect(sheet).not.toContain('89.525');
    // Sample 1's h1: its cell sits in the calculation of h1 (the formula, as the worked solution writes
    // it, and no line with the numbers put in or the value), between sample 1's heading and sample 2's.
    const h1 = await page.evaluate(() => {
      const input = document.querySelector('input[data-quantity="epoch1.sample1.h1"]')!;
      const calc = input.closest('.ws-calc')!;
      // A formula's TeX: its placeholder's until it is typeset, then KaTeX's annotation of it.
      const tex = [...calc.querySelectorAll('.display')].map((d) => d.querySelector('annotation')?.textContent ?? d.textContent ?? '');
      const heading = (n: number) => [...document.querySelectorAll('#output h4')].find((h) => h.textContent!.startsWith(`Sample ${n}:`))!;
      const follows = (a: Node, b: Node) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      return { calc: calc.getAttribute('data-calc'), tex, label: input.getAttribute('aria-label'), inOrder: follows(heading(1), calc) && follows(calc, heading(2)) };
    });
    expect(h1.calc).toBe('epoch1.sample1.h1');
    expect(h1.tex).toHaveLength(1);
    expect(h1.tex[0]).toContain('h_{1} &= \\operatorname{ReLU}(i_{1} w_{1} + i_{2} w_{2} + b_{1})');
    // One line: the formula. The worked solution goes on with ReLU(3 \cdot 1 + 2 \cdot (-1) + 0.5) and 1.5.
    expect(h1.tex[0]).not.toContain('\\\\');
    expect(h1.tex[0]).not.toMatch(/1\.5|0\.5|\\cdot/);
    expect(h1.label).toBe('h1 (epoch1.sample1.h1)');
    expect(h1.inOrder).toBe(true);
    // Every cell is named, and the keyboard goes from one cell to the next.
    expect(await page.locator('input[data-quantity]:not([aria-label])').count()).toBe(0);
    await cell('epoch1.sample1.h1').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.quantity)).toBe('epoch1.sample1.h2');
    // Exact values by hand: sample 1 h1 = relu(3 - 2 + 0.5) = 1.5; sample 2 h1 = relu(15 - 12 + 0.5) = 3.5.
    // Adam's v of w1 after step 1: 0.001 * (-401.8)^2 = 161.44324 (161.44 is it rounded right).
    // w1 after step 1: 1 - 0.1 * m^ / (sqrt(v^) + 1e-8) = 1.0999999999975...: 1.09999 is a truncation.
    // Sample 2 h1 written as 5 is wrong (4 would be right to the unit it claims); yhat then follows from it: relu(5 * 2 + 0 * -2.5 + 0.5) = 10.5.
    const typed: Array<[string, string, string]> = [
      ['epoch1.sample1.h1', '1.5', 'correct'],
      ['epoch1.optimizer.v.w1', '161.44', 'correct'],
      ['epoch1.params.w1', '1.09999', 'rounding-slip'],
      ['epoch1.sample2.h1', '5', 'wrong'],
      ['epoch1.sample2.yhat', '10.5', 'carried'],
    ];
    for (const [path, value] of typed) await cell(path).fill(value);
    for (const [path, , verdict] of typed) {
      await page.waitForSelector(`input[data-quantity="${path}"][data-verdict="${verdict}"]`, { timeout: 45_000 });
    }
    // On demand, the carried value says which of the student's values it came from.
    const carried = page.locator('.ws-answer', { has: cell('epoch1.sample2.yhat') });
    await carried.locator('button.why').click();
    expect(await carried.locator('.detail').innerText()).toContain('step1.sample2.h1');

    // Printed blank (the button's class, under print media): the cells are empty boxes, the typed values
    // and verdicts not shown, the formulas kept.
    await page.evaluate(() => document.body.classList.add('print-blank'));
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('input[data-quantity="epoch1.sample1.h1"]')!;
      const style = getComputedStyle(input);
      const verdict = input.parentElement!.querySelector('.verdict')!;
      return { color: style.color, border: style.borderTopStyle, verdict: getComputedStyle(verdict).display, formula: getComputedStyle(input.closest('.ws-calc')!.querySelector('.display')!).display };
    });
    expect(printed).toEqual({ color: 'rgba(0, 0, 0, 0)', border: 'solid', verdict: 'none', formula: 'block' });
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => document.body.classList.remove('print-blank'));

    // The answers travel in a share link and come back graded alike.
    await page.locator('#share').click();
    await page.locator('#share-answers').check();
    await page.locator('#share').click();
    const link = await page.locator('#share-link').inputValue();
    expect(link).toMatch(/\?view=worksheet#v1:[A-Za-z0-9_-]+$/);
    await page.screenshot({ path: join(artifacts, 'web-worksheet-desktop.png') });

    const again = await context.newPage();
    await again.setViewportSize({ width: 390, height: 844 });
    await again.goto(link);
    for (const [path, value, verdict] of typed) {
      await again.waitForSelector(`input[data-quantity="${path}"][data-verdict="${verdict}"]`, { timeout: 45_000 });
      expect(await again.locator(`input[data-quantity="${path}"]`).inputValue()).toBe(value);
    }
    const lines = await again.locator('.cm-content > .cm-line').allInnerTexts();
    expect(lines.slice(0, 5)).toEqual(hw7.slice(0, 5));
    expect(await again.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await again.locator('input[data-quantity="epoch1.sample2.yhat"]').scrollIntoViewIfNeeded();
    await again.screenshot({ path: join(artifacts, 'web-worksheet-phone.png') });
    await again.close();
    await page.close();
  }, 120_000);

  it('round-trips an edited spec through a share link, readable at phone width', async () => {
    const page = await open('?example=hw7-q2');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('# shared from the playground\n');
    await page.locator('#share').click();
    const link = await page.locator('#share-link').inputValue();
    expect(link).toMatch(/^[^#]*#v1:[A-Za-z0-9_-]+$/);
    await page.close();

    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(link);
    await phone.waitForSelector('body[data-renders="1"]', { timeout: 45_000 });
    const lines = await phone.locator('.cm-content > .cm-line').allInnerTexts();
    expect(lines[0]).toBe('# shared from the playground');
    expect(lines.slice(1, 6)).toEqual(hw7.slice(0, 5));
    expect(await output(phone)).toContain('89.525');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await phone.screenshot({ path: join(artifacts, 'web-phone.png') });
    // A damaged link says so instead of failing.
    await phone.goto(`${base}?damaged=1#v1:AAAA`);
    await phone.waitForSelector('body[data-renders="1"]', { timeout: 45_000 });
    expect(await phone.locator('#notice').innerText()).toMatch(/could not be opened: this link is damaged/);
    await phone.close();
  }, 90_000);

  it('runs a larger training on the arithmetic kernel in its worker: the JSON trace it downloads is the library\'s in Node, value for value', async () => {
    // 63 sample equations x 40 rows x 12 epochs: past the 20,000 sample evaluations from which a run takes
    // the tape (WebAssembly, compiled in the worker from the bytes in its bundle).
    const spec = denseSpec({ sizes: [4, 8, 3], activations: ['relu', 'linear'], samples: 40, steps: 12 }, 30);
    const inNode = run(parseSpec(spec, 'dense.yaml'), { evaluator: 'closures' });
    expect(inNode.sampleEquations.length * 40 * 12).toBeGreaterThan(TAPE_FROM);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}#${await encodeShare({ spec })}`);
    await page.waitForSelector('body[data-renders="1"]', { timeout: 45_000 });
    expect(errors).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-json').click()]);
    const downloaded = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { steps: unknown[] };
    expect(downloaded.steps).toEqual((traceJson(inNode) as { steps: unknown[] }).steps);
    await page.close();
  }, 90_000);

  it('shows the progress of a long run and cancels it, and then works on', async () => {
    // 5,000 epochs of hw7 (the step limit is 10,000): seconds of work, far past the progress's 0.4 s.
    // A comment of 12,000 pseudo-random digits, which DEFLATE cannot shrink much, makes its link long.
    let seed = 7;
    const digits = Array.from({ length: 12_000 }, () => ((seed = (seed * 48271) % 2147483647) % 10).toString()).join('');
    const long = `# ${digits}\n${hw7.join('\n').replace('epochs: 2', 'epochs: 5000')}`;
    const page = await context.newPage();
    await page.goto(`${base}#${await encodeShare({ spec: long })}`);
    await page.waitForSelector('#progress:not([hidden])', { timeout: 45_000 });
    await page.waitForFunction(() => /Computing step [\d,]+ of 5,000/.test(document.getElementById('progress-text')!.textContent ?? ''), undefined, { timeout: 45_000 });
    await page.locator('#cancel').click();
    expect(await page.locator('#progress').isHidden()).toBe(true);
    expect(await page.locator('#status').innerText()).toMatch(/^Cancelled/);
    // A fresh worker takes the next request: the derivation, which does not run the training.
    await page.locator('label', { hasText: 'Derivation' }).click();
    await page.waitForSelector('body[data-renders="1"]', { timeout: 45_000 });
    expect(await output(page)).toMatch(/Derivatives of the loss/);
    // Its share link is over 8,000 characters: said so.
    expect(await page.locator('#share-warning').isHidden()).toBe(true);
    await page.locator('#share').click();
    await page.waitForSelector('#share-warning:not([hidden])', { timeout: 10_000 });
    expect(await page.locator('#share-warning').innerText()).toMatch(/^This link is [\d,]+ characters long/);
    expect((await page.locator('#share-link').inputValue()).length).toBeGreaterThan(8000);
    await page.close();
  }, 90_000);

  it('made no request outside its own server', () => {
    expect(outside).toEqual([]);
  });
});
