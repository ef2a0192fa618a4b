// The worker: the library itself (src/library/, the modules of src/index.ts it uses: the engine the CLI
// uses; nothing is computed twice or differently here), off the page's thread so that typing never waits for a run. Each request is read,
// computed and answered in turn. A run is bounded by the library's budgets (its limits, and a timeout);
// the page cancels a run by terminating this worker, since a run is synchronous and no message can
// reach it before it ends.
import { BudgetError, InputError, PAGE_CSS, parseSpec, runStreamWith, selectSteps, stepCount, type Spec, type StreamOptions } from '../../src/library/run.js';
import { check } from '../../src/library/check.js';
import { deriveInto, deriveReport } from '../../src/library/derive.js';
import { specVocabulary } from '../../src/library/vocabulary.js';
import katexCss from 'katex/dist/katex.min.css';
import { escapeHtml, fragmentSink, placeholder, renderMath, worksheetSink, type MathWriter } from './html.js';
import type { Controls, ExportFormat, Problem, Reply, Request, View } from '../protocol.js';

/** Seconds a run may take before the library stops it (the CLI's --timeout). */
export const RUN_SECONDS = 30;
/** The most input cells a worksheet lays out; a larger training is a worked solution, not a sheet. */
const MAX_CELLS = 3000;

const post = (reply: Reply) => (self as unknown as { postMessage(m: Reply): void }).postMessage(reply);

self.onmessage = (event: MessageEvent<Request>) => {
  const request = event.data;
  try {
    handle(request);
  } catch (e) {
    post({ type: 'failed', id: request.id, problem: problemOf(e, 'run') });
  }
};

function handle(request: Request): void {
  const { id } = request;
  switch (request.type) {
    case 'vocabulary':
      return post({ type: 'vocabulary', id, vocabulary: specVocabulary() });
    case 'show': {
      const spec = read(id, request.text, request.file);
      if (!spec) return;
      const started = performance.now();
      if (request.view === 'worksheet') {
        let title = '';
        let html = '';
        const { warnings } = worksheet(spec, request.controls, (t) => (html += t), (t) => (title = t), progressOf(id));
        return post({ type: 'worksheet', id, html, title, byEpoch: stepCount(spec) === spec.training.epochs, ms: performance.now() - started, warnings });
      }
      let title = '';
      let html = '';
      const warnings = document(spec, request.view, request.controls, (t) => (html += t), placeholder, (t) => (title = t), progressOf(id));
      return post({ type: 'solution', id, html, title, ms: performance.now() - started, warnings });
    }
    case 'check': {
      const spec = read(id, request.text, request.file);
      if (!spec) return;
      const started = performance.now();
      try {
        const report = check(spec, request.answers, { file: 'answers.yaml' });
        // recomputed is kept as plain data (the report's JSON already is).
        return post({ type: 'verdicts', id, results: report.results, ms: performance.now() - started });
      } catch (e) {
        return post({ type: 'failed', id, problem: problemOf(e, 'answers') });
      }
    }
    case 'export': {
      const spec = parseSpec(request.text, { file: request.file });
      return void exported(spec, request.view, request.controls, request.format).then(
        (content) => post({ type: 'export', id, content, format: request.format }),
        (e) => post({ type: 'failed', id, problem: problemOf(e, 'run') }),
      );
    }
  }
}

/** The spec, or undefined after posting its problem; either way the page hears at once. */
function read(id: number, text: string, file: string): Spec | undefined {
  try {
    const spec = parseSpec(text, { file });
    post({ type: 'diagnostics', id });
    return spec;
  } catch (e) {
    const problem = problemOf(e, 'spec');
    post({ type: 'diagnostics', id, problem });
    post({ type: 'failed', id, problem });
    return undefined;
  }
}

/** Progress of a run, posted at most every 100 ms (a fast run posts none). */
function progressOf(id: number): (step: number, total: number) => void {
  let last = performance.now();
  return (step, total) => {
    const now = performance.now();
    if (now - last < 100) return;
    last = now;
    post({ type: 'progress', id, step, total });
  };
}

function runOptions(controls: Controls, onProgress?: (step: number, total: number) => void): StreamOptions {
  return {
    timeout: RUN_SECONDS,
    ...(controls.precision !== undefined ? { precision: controls.precision } : {}),
    ...(controls.exact ? { arithmetic: 'rational' as const } : {}),
    ...(controls.certify ? { certify: true } : {}),
    ...(onProgress ? { onProgress } : {}),
  };
}

/** Writes the view's document as HTML fragments; returns the run's warnings. */
function document(spec: Spec, view: View, controls: Controls, write: (html: string) => void, math: MathWriter, title: (t: string) => void, onProgress?: (step: number, total: number) => void, shift = 1): string[] {
  const sink = fragmentSink(write, math, title, shift);
  if (view === 'derive') {
    deriveInto(spec, sink, { digits: controls.digits });
    return [];
  }
  const steps = controls.steps.trim() ? fenced('steps', () => selectSteps(spec, controls.steps.trim())) : undefined;
  const summary = runStreamWith(spec, () => {}, { ...runOptions(controls, onProgress), format: 'html', digits: controls.digits, ...(steps ? { steps } : {}) }, () => sink);
  return summary.warnings.map((w) => w.message);
}

/** A control's RangeError, said to be the control's. */
function fenced<T>(control: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new ControlError(`${control}: ${e.message}`);
    throw e;
  }
}
class ControlError extends Error {}

async function exported(spec: Spec, view: View, controls: Controls, format: ExportFormat): Promise<string> {
  if (format === 'json') {
    if (view === 'derive') throw new ControlError('the JSON trace is a run\'s; switch to the worked solution');
    let out = '';
    runStreamWith(spec, (t) => (out += t), { ...runOptions(controls), format: 'json' }, () => { throw new Error('unreachable'); });
    return out;
  }
  if (format === 'markdown' || format === 'latex') {
    if (view === 'derive') {
      return deriveReport(spec, { format, digits: controls.digits });
    }
    let out = '';
    const steps = controls.steps.trim() ? fenced('steps', () => selectSteps(spec, controls.steps.trim())) : undefined;
    runStreamWith(spec, (t) => (out += t), { ...runOptions(controls), format, digits: controls.digits, ...(steps ? { steps } : {}) }, () => { throw new Error('unreachable'); });
    return out;
  }
  // HTML: one page that opens offline, KaTeX's stylesheet inlined with the fonts it uses as data: URLs.
  let body = '';
  let title = 'exactprop';
  // Headings at the levels the CLI's page has, under its style (the library's PAGE_CSS).
  document(spec, view, controls, (t) => (body += t), renderMath, (t) => (title = t), undefined, 0);
  const css = await inlinedFonts(katexCss, body);
  return ['<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`, `<style>${css}</style>`, `<style>${PAGE_CSS}</style>`, '</head>', '<body>', '<main>', body, '</main>', '</body>', '</html>', ''].join('\n');
}

/** KaTeX's stylesheet with each font the body can use fetched from the page's own copy (katex/fonts)
 *  and embedded; the other fonts' rules dropped. A font that cannot be fetched (a page opened from a
 *  file) is left out: the reader's own fonts stand in. */
async function inlinedFonts(css: string, body: string): Promise<string> {
  const classes = new Set([...body.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1]!.split(/\s+/)));
  const used = new Set(['Main']);
  for (const rule of css.matchAll(/([^{}@]+)\{([^{}]*)\}/g)) {
    const families = [...rule[2]!.matchAll(/KaTeX_(\w+)/g)].map((m) => m[1]!);
    const selects = [...rule[1]!.matchAll(/\.([\w-]+)/g)].map((m) => m[1]!).filter((c) => c !== 'katex');
    if (families.length && selects.some((c) => classes.has(c))) families.forEach((f) => used.add(f));
  }
  const faces = [...css.matchAll(/@font-face\{([^}]*)\}/g)];
  const embedded = await Promise.all(faces.map(async ([whole, decls]) => {
    const family = /font-family:"?KaTeX_(\w+)/.exec(decls!)?.[1];
    const woff2 = /url\(fonts\/([\w-]+\.woff2)\)/.exec(decls!)?.[1];
    if (!family || !woff2 || !used.has(family)) return [whole!, ''] as const;
    try {
      const response = await fetch(new URL(`katex/fonts/${woff2}`, self.location.href));
      if (!response.ok) return [whole!, ''] as const;
      const bytes = new Uint8Array(await response.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return [whole!, `@font-face{${decls!.replace(/src:[^;}]*/, `src:url(data:font/woff2;base64,${btoa(binary)}) format("woff2")`)}}`] as const;
    } catch {
      return [whole!, ''] as const;
    }
  }));
  let out = css;
  for (const [whole, replacement] of embedded) out = out.replace(whole, replacement);
  return out;
}

// ----------------------------------------------------------------------------------------- worksheet

/** The worked solution of every step as a worksheet (the library's worksheet printer): its headings
 *  and formulas, an input cell for each value, named by its answers path (epoch1.sample1.h1). Every step
 *  is laid out whatever the steps control says: a sheet is the whole exercise. Returns the run's
 *  warnings and how many cells were laid out. */
function worksheet(spec: Spec, controls: Controls, write: (html: string) => void, title: (t: string) => void, onProgress?: (step: number, total: number) => void): { warnings: string[]; cells: number } {
  const sink = worksheetSink(write, placeholder, MAX_CELLS, title);
  const summary = runStreamWith(spec, () => {}, { ...runOptions(controls, onProgress), format: 'html', digits: controls.digits }, () => sink);
  return { warnings: summary.warnings.map((w) => w.message), cells: sink.cells() };
}

// -------------------------------------------------------------------------------------------- errors

/** What went wrong, as the page shows it: the library's located message for input it refuses. */
function problemOf(e: unknown, source: Problem['source']): Problem {
  if (e instanceof InputError) {
    const from: Problem['source'] = e instanceof BudgetError ? 'run' : source;
    return { located: e.located(), message: e.message, ...(e.path ? { path: e.path } : {}), ...(e.line !== undefined ? { line: e.line } : {}), source: from };
  }
  if (e instanceof ControlError || e instanceof RangeError) return { located: e.message, message: e.message, source: 'controls' };
  const message = e instanceof Error ? e.message : String(e);
  return { located: message, message, source: 'run' };
}
