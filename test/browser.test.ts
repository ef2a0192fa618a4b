// End to end in a real browser: each example's HTML report opened from a file in headless Chromium
// (Debian's chromium, driven by playwright-core; no browser is downloaded), with every network request
// refused. The page must use its embedded KaTeX fonts, show no KaTeX error, and overflow nothing
// horizontally; a screenshot of each is kept in test-artifacts/. Skipped, saying why, when chromium is
// not installed (.ci/run installs it).
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { cli } from './helpers/spec.js';
import { exampleSpecs } from './helpers/specs.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const artifacts = join(root, 'test-artifacts');
const examples = exampleSpecs().map((s) => s.file);
const haveChromium = existsSync(CHROMIUM);

describe.skipIf(!haveChromium)(`HTML reports in headless Chromium (${haveChromium ? CHROMIUM : `skipped: ${CHROMIUM} is not installed`})`, () => {
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'exactprop-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('finds the examples', () => {
    expect(examples).toContain('hw7-q2.yaml');
  });

  for (const example of examples) {
    it(example, async () => {
      const { out, code } = await cli(['run', `examples/${example}`, '--format', 'html']);
      expect(code).toBe(0);
      const file = join(artifacts, example.replace(/\.yaml$/, '.html'));
      writeFileSync(file, out);

      const page = await context.newPage();
      const requests: string[] = [];
      // Offline: only the page itself and data: URLs may load.
      await page.route('**/*', (route) => {
        const url = route.request().url();
        requests.push(url);
        return url.startsWith('file:') || url.startsWith('data:') ? route.continue() : route.abort();
      });
      await page.goto(pathToFileURL(file).href);
      await page.evaluate(() => document.fonts.ready);
      const report = await page.evaluate(() => ({
        errors: document.querySelectorAll('.katex-error').length,
        displays: document.querySelectorAll('.katex-display').length,
        pageWidth: document.documentElement.scrollWidth,
        viewWidth: document.documentElement.clientWidth,
        // Elements whose content is wider than they are (a display that would need scrolling).
        clipped: [...document.querySelectorAll('.display, table, p, h1, h2, h3, h4')]
          .filter((e) => e.scrollWidth > e.clientWidth + 1)
          .map((e) => (e.textContent ?? '').slice(0, 60)),
        mainFont: document.fonts.check('16px KaTeX_Main'),
        mathFont: document.fonts.check('italic 16px KaTeX_Math'),
        loaded: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family.replace(/"/g, '')),
      }));
      await page.screenshot({ path: join(artifacts, example.replace(/\.yaml$/, '.png')), fullPage: false });
      await page.close();

      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      expect(report.errors).toBe(0);
      expect(report.displays).toBeGreaterThan(5);
      expect(report.pageWidth).toBeLessThanOrEqual(report.viewWidth);
      expect(report.clipped).toEqual([]);
      expect(report.mainFont && report.mathFont).toBe(true);
      expect(report.loaded).toContain('KaTeX_Main');
    }, 60_000);
  }
});
