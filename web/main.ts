// The playground page: the spec editor on one side, on the other the worked solution, the derivation or
// a worksheet, all computed by the library in the worker (engine.ts). The page itself computes nothing:
// it sends the spec and the controls, and shows what comes back.
import examples from 'exactprop-web:examples';
import type { CheckReport, SpecVocabulary } from '../src/index.js';
import { answersYaml, cellPath } from './answers.js';
import { createEditor, type SpecEditor } from './editor.js';
import { Engine } from './engine.js';
import type { Controls, ExportFormat, Problem, Reply, View } from './protocol.js';
import { decodeShare, encodeShare, LONG_LINK } from './share.js';
import { typesetAll, typesetIn } from './typeset.js';

/** Quiet time after a keystroke before the spec is computed again. */
const DEBOUNCE_MS = 250;
/** A request running longer than this shows its progress and the cancel button. */
const SHOW_PROGRESS_MS = 400;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const output = $<HTMLElement>('output');
const problemBox = $<HTMLElement>('problem');
const statusBox = $<HTMLElement>('status');
const progressBox = $<HTMLElement>('progress');
const progressBar = $<HTMLProgressElement>('progress-bar');
const exampleSelect = $<HTMLSelectElement>('example');

/** Measured for the benchmark (bench/web.ts) and shown in the status line. */
const timings = { firstRender: 0, lastRender: 0, lastCompute: 0, renders: 0, firstReply: 0 };
(window as unknown as { exactpropTimings: typeof timings }).exactpropTimings = timings;

let vocabulary: SpecVocabulary | undefined;
let view: View = 'solution';
let byEpoch = true;

const engine = new Engine(new URL('worker.js', document.baseURI).href, (busy) => {
  document.body.dataset.busy = String(busy);
  if (!busy) progressBox.hidden = true;
}, (window as unknown as { exactpropWorker?: Worker }).exactpropWorker);
setInterval(() => {
  if (engine.running() > SHOW_PROGRESS_MS) progressBox.hidden = false;
}, 100);
$<HTMLButtonElement>('cancel').addEventListener('click', () => {
  engine.cancel();
  setStatus('Cancelled. Edit the spec or press Recompute to run it again.');
});

// ------------------------------------------------------------------------------------------- controls

function controls(): Controls {
  const digits = Number($<HTMLInputElement>('digits').value);
  const precision = $<HTMLInputElement>('precision').value.trim();
  return {
    digits: Number.isInteger(digits) && digits >= 1 ? Math.min(digits, 1000) : 12,
    ...(precision ? { precision: Number(precision) } : {}),
    steps: $<HTMLInputElement>('steps').value,
    certify: $<HTMLInputElement>('certify').checked,
    exact: $<HTMLInputElement>('exact').checked,
  };
}

function setStatus(text: string): void {
  statusBox.textContent = text;
}

function showProblem(problem: Problem | undefined): void {
  editor.showProblem(problem);
  problemBox.textContent = problem ? problem.located : '';
  problemBox.hidden = !problem;
  document.body.dataset.problem = problem ? problem.source : '';
}

// --------------------------------------------------------------------------------------------- show

let scheduled: ReturnType<typeof setTimeout> | undefined;
function schedule(): void {
  clearTimeout(scheduled);
  scheduled = setTimeout(show, DEBOUNCE_MS);
}

function show(): void {
  clearTimeout(scheduled);
  const asked = performance.now();
  const wanted = view;
  engine.send('show', { type: 'show', text: editor.text(), file: specFile(), controls: controls(), view: wanted }, (reply) => {
    if (!timings.firstReply) timings.firstReply = performance.now();
    if (reply.type === 'diagnostics') return showProblem(reply.problem);
    if (reply.type === 'progress') {
      progressBar.max = reply.total;
      progressBar.value = reply.step;
      progressBar.textContent = `step ${reply.step} of ${reply.total}`;
      $('progress-text').textContent = `Computing step ${reply.step.toLocaleString('en-US')} of ${reply.total.toLocaleString('en-US')}…`;
      return;
    }
    if (reply.type === 'failed') {
      if (reply.problem.source !== 'spec') showProblem(reply.problem);
      document.body.dataset.state = 'error';
      setStatus(reply.problem.source === 'spec' ? 'The spec has a problem (marked in the editor); the last good result is kept.' : reply.problem.located);
      return;
    }
    if (reply.type === 'solution' && wanted !== 'worksheet') {
      output.innerHTML = reply.html + warningsHtml(reply.warnings);
    } else if (reply.type === 'worksheet' && wanted === 'worksheet') {
      buildWorksheet(reply.html, reply.byEpoch, reply.warnings);
    } else return;
    typesetIn(output);
    rendered(asked, reply.ms);
  });
}

function rendered(asked: number, computeMs: number): void {
  const now = performance.now();
  if (!timings.firstRender) timings.firstRender = now;
  timings.lastRender = now - asked;
  timings.lastCompute = computeMs;
  timings.renders++;
  document.body.dataset.state = 'ready';
  document.body.dataset.renders = String(timings.renders);
  setStatus(`Computed in ${Math.round(computeMs)} ms.`);
}

const warningsHtml = (warnings: string[]) =>
  warnings.length ? `<div class="warnings" role="note"><h3>Warnings</h3><ul>${warnings.map((w) => `<li>${escapeText(w)}</li>`).join('')}</ul></div>` : '';

const escapeText = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

// ----------------------------------------------------------------------------------------- worksheet

let worksheetInputs: HTMLInputElement[] = [];
let results = new Map<string, CheckReport['results'][number]>();

/** Shows the worksheet the worker printed (the worked solution's layout, an `<input data-quantity>`
 *  where each value would be) and gives each cell what the page grades with: its verdict, announced as
 *  it changes, and a Why? button with the diagnosis below it. Values typed before a re-render are kept. */
function buildWorksheet(html: string, epochs: boolean, warnings: string[]): void {
  const kept = new Map(worksheetInputs.map((i) => [i.dataset.quantity!, i.value]));
  byEpoch = epochs;
  output.innerHTML = '<div class="worksheet-intro"><p>The worked solution with its values left out: write each value in its cell as you computed it. Each cell is graded against the exact training as you type: <span class="v-correct">correct</span>, <span class="v-rounding-slip">rounding slip</span>, <span class="v-carried">carried</span> (right from your own earlier values) or <span class="v-wrong">wrong</span>. <strong>Why?</strong> shows the diagnosis and the value recomputed from your numbers.</p></div>' +
    html + warningsHtml(warnings);
  worksheetInputs = [...output.querySelectorAll<HTMLInputElement>('input[data-quantity]')];
  worksheetInputs.forEach((input, n) => {
    const id = `q${n}`;
    input.id = id;
    input.setAttribute('aria-describedby', `${id}-v`);
    const verdict = document.createElement('span');
    verdict.className = 'verdict';
    verdict.id = `${id}-v`;
    verdict.setAttribute('aria-live', 'polite');
    const why = document.createElement('button');
    why.type = 'button';
    why.className = 'why';
    why.hidden = true;
    why.textContent = 'Why?';
    why.setAttribute('aria-expanded', 'false');
    why.setAttribute('aria-controls', `${id}-d`);
    const detail = document.createElement('div');
    detail.className = 'detail';
    detail.id = `${id}-d`;
    detail.hidden = true;
    input.after(verdict, why, detail);
    const before = kept.get(input.dataset.quantity!);
    if (before) input.value = before;
  });
  if (worksheetInputs.some((i) => i.value.trim())) checkAnswers();
}

output.addEventListener('input', (event) => {
  const input = event.target as HTMLElement;
  if (!(input instanceof HTMLInputElement) || !input.dataset.quantity) return;
  clearTimeout(checkTimer);
  checkTimer = setTimeout(checkAnswers, DEBOUNCE_MS);
});
output.addEventListener('click', (event) => {
  const button = (event.target as HTMLElement).closest('button.why');
  if (!(button instanceof HTMLButtonElement)) return;
  const cell = button.closest('.ws-answer')!;
  const detail = cell.querySelector<HTMLElement>('.detail')!;
  const open = button.getAttribute('aria-expanded') !== 'true';
  button.setAttribute('aria-expanded', String(open));
  detail.hidden = !open;
  if (open) detail.innerHTML = explanation(results.get(cell.querySelector('input')!.dataset.quantity!));
});

let checkTimer: ReturnType<typeof setTimeout> | undefined;

function currentAnswers(): string {
  const filled = worksheetInputs.filter((i) => i.value.trim()).map((i) => ({ path: i.dataset.quantity!, text: i.value }));
  return answersYaml(filled, 'Answers written in the exactprop playground; grade them with\n  exactprop check SPEC.yaml THIS-FILE.yaml');
}

function checkAnswers(): void {
  const filled = worksheetInputs.filter((i) => i.value.trim());
  if (!filled.length) return applyVerdicts([]);
  const sent = new Map(filled.map((i) => [i, i.value]));
  engine.send('check', { type: 'check', text: editor.text(), file: specFile(), answers: currentAnswers() }, (reply) => {
    if (reply.type === 'failed') {
      if (reply.problem.source === 'answers') {
        setStatus(`A value cannot be graded: ${reply.problem.message}`);
        markUnreadable(reply.problem);
      } else setStatus(reply.problem.located);
      return;
    }
    if (reply.type !== 'verdicts') return;
    // Values changed since they were sent are graded again when their own check comes back.
    applyVerdicts(reply.results.filter((r) => {
      const input = cellOf(r.path);
      return input && sent.get(input) === input.value;
    }));
    setStatus(`Graded ${reply.results.length} value${reply.results.length === 1 ? '' : 's'} in ${Math.round(reply.ms)} ms.`);
  });
}

const VERDICT_TEXT: Record<string, string> = { correct: 'correct', 'rounding-slip': 'rounding slip', carried: 'carried', wrong: 'wrong' };

/** The cell of a check result's path: a step's loss written whole (`epoch1.loss`) is its total's cell
 *  when the spec has a penalty (the cells are then data, penalty and total). */
function cellOf(canonical: string): HTMLInputElement | undefined {
  const path = cellPath(canonical, byEpoch);
  const named = (p: string) => worksheetInputs.find((i) => i.dataset.quantity === p);
  return named(path) ?? (path.endsWith('.loss') ? named(`${path}.total`) : undefined);
}

function applyVerdicts(list: CheckReport['results']): void {
  results = new Map(list.map((r) => [cellOf(r.path)?.dataset.quantity ?? cellPath(r.path, byEpoch), r]));
  for (const input of worksheetInputs) {
    const r = results.get(input.dataset.quantity!);
    const cell = input.closest('.ws-answer')!;
    const verdict = cell.querySelector<HTMLElement>('.verdict')!;
    const why = cell.querySelector<HTMLButtonElement>('.why')!;
    if (!input.value.trim()) {
      delete input.dataset.verdict;
      verdict.textContent = '';
      why.hidden = true;
      continue;
    }
    if (!r) continue; // typed since it was sent: its own check is on the way
    input.dataset.verdict = r.verdict;
    input.removeAttribute('aria-invalid');
    verdict.textContent = VERDICT_TEXT[r.verdict] ?? r.verdict;
    verdict.className = `verdict v-${r.verdict}`;
    why.hidden = r.verdict === 'correct';
    const detail = cell.querySelector<HTMLElement>('.detail')!;
    if (!detail.hidden) detail.innerHTML = explanation(r);
  }
}

function markUnreadable(problem: Problem): void {
  // The answers file is built from the cells: the path names the cell whose value is not a number.
  const path = (problem.path ?? '').replace(/^step(\d+)\./, byEpoch ? 'epoch$1.' : 'step$1.');
  const input = worksheetInputs.find((i) => i.dataset.quantity === path || i.dataset.quantity === problem.path);
  if (!input) return;
  input.dataset.verdict = 'unreadable';
  input.setAttribute('aria-invalid', 'true');
  const verdict = input.closest('.ws-answer')!.querySelector<HTMLElement>('.verdict')!;
  verdict.textContent = 'not a number';
  verdict.className = 'verdict v-wrong';
}

function explanation(r: CheckReport['results'][number] | undefined): string {
  if (!r) return '<p>Not graded yet.</p>';
  const parts: string[] = [];
  if (r.verdict === 'rounding-slip') parts.push(`<p>Right, but rounded differently from the exact <code>${escapeText(r.exact)}</code>.</p>`);
  if (r.because.length) parts.push(`<p>Computed from your earlier values ${r.because.map((b) => `<code>${escapeText(b)}</code>`).join(', ')}.</p>`);
  for (const d of r.diagnosis) parts.push(`<p><strong>Diagnosis:</strong> ${escapeText(d.text)}</p>`);
  if (r.recomputed) {
    const c = r.recomputed;
    parts.push(`<p>Recomputed with the numbers that should have gone in (yours where you wrote them):</p><pre>${escapeText(`${c.quantity} = ${c.formula}\n  = ${c.substituted}\n  = ${c.value}`)}</pre>`);
  }
  if (r.verdict === 'wrong' && !r.diagnosis.length && !r.recomputed) parts.push('<p>No known mistake reproduces this value.</p>');
  return parts.join('') || '<p>Nothing more to say.</p>';
}

function download(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

$<HTMLButtonElement>('export-answers').addEventListener('click', () => download(`${baseName()}.answers.yaml`, currentAnswers(), 'text/yaml'));
$<HTMLInputElement>('import-answers').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) importAnswers(await file.text());
  (event.target as HTMLInputElement).value = '';
});
$<HTMLButtonElement>('example-answers').addEventListener('click', () => {
  const answers = examples.find((e) => e.name === exampleSelect.value)?.answers;
  if (answers) importAnswers(answers);
});
window.addEventListener('beforeprint', () => typesetAll(output));
$<HTMLButtonElement>('print-blank').addEventListener('click', () => {
  document.body.classList.add('print-blank');
  window.print();
  document.body.classList.remove('print-blank');
});

/** Fills the cells from an answers file: the library reads it (check), so its paths are canonical. */
function importAnswers(text: string): void {
  engine.send('check', { type: 'check', text: editor.text(), file: specFile(), answers: text }, (reply) => {
    if (reply.type === 'failed') return setStatus(`These answers cannot be read: ${reply.problem.located}`);
    if (reply.type !== 'verdicts') return;
    for (const i of worksheetInputs) i.value = '';
    let outside = 0;
    for (const r of reply.results) {
      const input = cellOf(r.path);
      if (input) input.value = r.written;
      else outside++;
    }
    applyVerdicts(reply.results);
    setStatus(`Imported ${reply.results.length - outside} value${reply.results.length - outside === 1 ? '' : 's'}${outside ? ` (${outside} have no cell here)` : ''}.`);
  });
}

// --------------------------------------------------------------------------------------- downloads

function baseName(): string {
  return exampleSelect.value || 'spec';
}

/** The spec's name in messages and titles: the example's file, or spec.yaml for one's own. */
const specFile = () => `${baseName()}.yaml`;

const EXTENSIONS: Record<ExportFormat, [string, string]> = { markdown: ['md', 'text/markdown'], latex: ['tex', 'application/x-tex'], html: ['html', 'text/html'], json: ['json', 'application/json'] };
for (const format of Object.keys(EXTENSIONS) as ExportFormat[]) {
  $<HTMLButtonElement>(`download-${format}`).addEventListener('click', () => {
    setStatus(`Preparing the ${format === 'json' ? 'JSON trace' : format} file…`);
    engine.send(`export-${format}`, { type: 'export', text: editor.text(), file: specFile(), controls: controls(), view: view === 'derive' ? 'derive' : 'solution', format }, (reply) => {
      if (reply.type === 'failed') return setStatus(reply.problem.located);
      if (reply.type !== 'export') return;
      const [ext, type] = EXTENSIONS[format];
      download(`${baseName()}${view === 'derive' ? '.derive' : ''}.${ext}`, reply.content, type);
      setStatus(`Downloaded ${baseName()}.${ext}.`);
    });
  });
}

// ------------------------------------------------------------------------------------------- share

$<HTMLButtonElement>('share').addEventListener('click', async () => {
  const withAnswers = view === 'worksheet' && $<HTMLInputElement>('share-answers').checked;
  const fragment = await encodeShare({ spec: editor.text(), ...(withAnswers ? { answers: currentAnswers() } : {}) });
  const url = new URL(location.href);
  url.search = view === 'solution' ? '' : `?view=${view}`;
  url.hash = fragment;
  history.replaceState(null, '', url.href);
  const box = $<HTMLInputElement>('share-link');
  box.value = url.href;
  $('share-box').hidden = false;
  const long = url.href.length > LONG_LINK;
  $('share-warning').textContent = long ? `This link is ${url.href.length.toLocaleString('en-US')} characters long: some mail and chat programs cut links longer than ${LONG_LINK.toLocaleString('en-US')}. Share the spec file instead if it does not open.` : '';
  $('share-warning').hidden = !long;
  box.select();
  try {
    await navigator.clipboard.writeText(url.href);
    setStatus('Link copied.');
  } catch {
    setStatus('Link ready to copy.');
  }
});

// -------------------------------------------------------------------------------------------- views

function setView(next: View): void {
  view = next;
  document.body.dataset.view = next;
  for (const tab of document.querySelectorAll<HTMLInputElement>('input[name="view"]')) tab.checked = tab.value === next;
  const url = new URL(location.href);
  if (next === 'solution') url.searchParams.delete('view');
  else url.searchParams.set('view', next);
  history.replaceState(null, '', url.href);
  if (next !== 'worksheet') worksheetInputs = [];
  output.innerHTML = '';
  show();
}

for (const tab of document.querySelectorAll<HTMLInputElement>('input[name="view"]')) tab.addEventListener('change', () => tab.checked && setView(tab.value as View));
for (const id of ['digits', 'precision', 'steps', 'certify', 'exact']) $(id).addEventListener('change', show);
$<HTMLFormElement>('controls').addEventListener('submit', (e) => {
  e.preventDefault();
  show();
});

// --------------------------------------------------------------------------------------------- start

for (const e of examples) exampleSelect.append(new Option(e.name, e.name));
exampleSelect.addEventListener('change', () => {
  const e = examples.find((x) => x.name === exampleSelect.value);
  if (!e) return;
  editor.setText(e.spec);
  $<HTMLButtonElement>('example-answers').hidden = !e.answers;
  const url = new URL(location.href);
  url.searchParams.set('example', e.name);
  url.hash = '';
  history.replaceState(null, '', url.href);
  show();
});

let editor!: SpecEditor;

/** Opens what the address names: a shared spec (#v1:...), an example (?example=), a view (&view=). */
async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const askedView = params.get('view');
  const initialView: View = askedView === 'worksheet' || askedView === 'derive' ? askedView : 'solution';
  let initial = examples[0]!;
  const named = params.get('example');
  if (named) initial = examples.find((e) => e.name === named) ?? initial;
  let initialText = initial.spec;
  let initialAnswers: string | undefined;
  let startProblem = named && !examples.some((e) => e.name === named) ? `There is no example '${named}'; the examples are ${examples.map((e) => e.name).join(', ')}.` : '';
  if (location.hash.length > 1) {
    const shared = await decodeShare(location.hash.slice(1));
    if ('problem' in shared) startProblem = `The link's spec could not be opened: ${shared.problem}.`;
    else {
      initialText = shared.spec;
      initialAnswers = shared.answers;
    }
  }
  exampleSelect.value = location.hash.length > 1 && !startProblem ? '' : initial.name;
  $<HTMLButtonElement>('example-answers').hidden = !examples.find((e) => e.name === exampleSelect.value)?.answers;

  editor = createEditor($('editor'), initialText, schedule, () => vocabulary);
  if (startProblem) {
    $('notice').textContent = startProblem;
    $('notice').hidden = false;
  }
  view = initialView;
  document.body.dataset.view = view;
  for (const tab of document.querySelectorAll<HTMLInputElement>('input[name="view"]')) tab.checked = tab.value === view;
  show();
  // After the first result: completion is needed only once someone types.
  engine.send('vocabulary', { type: 'vocabulary' }, (reply) => {
    if (reply.type === 'vocabulary') vocabulary = reply.vocabulary;
  });
  if (initialAnswers && view === 'worksheet') {
    const answers = initialAnswers;
    const waitForSheet = setInterval(() => {
      if (worksheetInputs.length) {
        clearInterval(waitForSheet);
        importAnswers(answers);
      }
    }, 50);
  }
}
void start();
