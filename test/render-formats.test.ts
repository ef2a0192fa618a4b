// The worked solution in Markdown, LaTeX and HTML, and `derive` in Markdown and LaTeX: names as people
// write them, every math fragment accepted by KaTeX with throwOnError, a LaTeX document that is
// complete (and compiles, where pdflatex is installed), a self-contained HTML page, --digits, --steps,
// and the committed examples/hw7-q2.md and .html being what `run` prints today.
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Notation } from '../src/render/tex.js';
import { adjointOf, named, ofSample, QuantityTable, stateOf } from '../src/graph/ids.js';
import { parseExpression } from '../src/symbolic/parse.js';
import { makeContext } from '../src/numeric/context.js';
import { selectSteps } from '../src/render/steps.js';
import { cli, example, runYaml } from './helpers/spec.js';
import { allSpecs, exampleSpecs } from './helpers/specs.js';
import { whyNotRational } from '../src/certify/exact.js';
import { parseSpec } from '../src/spec/validate.js';

const examples = new URL('../examples/', import.meta.url);
const specPaths = allSpecs().map((s) => s.relative);

/** Assertions on whole documents that, failing, print the expectation rather than the document. */
const contains = (doc: string, part: string) => expect(doc.includes(part), `missing: ${part}`).toBe(true);

/** KaTeX with throwOnError and strict: what the HTML printer uses; a fragment it refuses fails the test.
 *  Each distinct fragment is rendered once (a name recurs thousands of times across the documents). */
const rendered = new Set<string>();
function renders(tex: string, display: boolean): void {
  const key = `${display ? 'D' : 'I'}${tex}`;
  if (rendered.has(key)) return;
  katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'error' });
  rendered.add(key);
}

/** The math of a Markdown document: $$ displays and $...$ inline (escaped \$ never occurs). */
function markdownFragments(md: string): Array<[string, boolean]> {
  const displays = [...md.matchAll(/^\$\$\n([\s\S]*?)\n\$\$$/gm)].map((m): [string, boolean] => [m[1]!, true]);
  const rest = md.replace(/^\$\$\n[\s\S]*?\n\$\$$/gm, '');
  const inline = [...rest.matchAll(/\$([^$\n]+)\$/g)].map((m): [string, boolean] => [m[1]!, false]);
  return [...displays, ...inline];
}

/** The math of a LaTeX document: align* bodies (as KaTeX's aligned) and $...$ inline. */
function latexFragments(tex: string): Array<[string, boolean]> {
  const aligns = [...tex.matchAll(/\\begin\{align\*\}\n([\s\S]*?)\n\\end\{align\*\}/g)].map((m): [string, boolean] => [`\\begin{aligned}${m[1]!}\\end{aligned}`, true]);
  const rest = tex.replace(/\\begin\{align\*\}[\s\S]*?\\end\{align\*\}/g, '').replace(/\\\$/g, '');
  const inline = [...rest.matchAll(/\$([^$]+)\$/g)].map((m): [string, boolean] => [m[1]!, false]);
  return [...aligns, ...inline];
}

describe('names and formulas as people write them in LaTeX', () => {
  // What each derived symbol is comes from the run's equations (graph/ids.ts), never from its text.
  const quantities = new QuantityTable();
  for (const id of [adjointOf('h1'), adjointOf('loss'), stateOf('m', 'w1'), stateOf('mhat', 'w1'), ofSample(1, named('loss'))]) quantities.add(id);
  const N = new Notation(['w1', 'yhat', 'beta1', 'lambda', 'h1', 'lr', 'eps', 'loss', 'm', 'mhat'], quantities);
  it('renders the names of the issue', () => {
    expect(N.name('w1')).toBe('w_{1}');
    expect(N.name('yhat')).toBe('\\hat{y}');
    expect(N.name('beta1')).toBe('\\beta_1');
    expect(N.name('lambda')).toBe('\\lambda');
    expect(N.name('dL/dh1')).toBe('\\frac{\\partial L}{\\partial h_{1}}');
    expect(N.name('m[w1]')).toBe('m_{w_{1}}');
    expect(N.name('mhat[w1]')).toBe('\\hat{m}_{w_{1}}');
    expect(N.name('lr')).toBe('\\eta');
    expect(N.name('eps')).toBe('\\epsilon');
    expect(N.name('loss[2]')).toBe('\\ell^{(2)}');
    expect(N.name('W1_2_1')).toBe('W_{1,2,1}');
    // A name that merely looks derived is a name: only the table says what a symbol is.
    expect(new Notation(['x']).name('dL/dh1')).toBe('\\mathrm{dL/dh1}');
    const tex = (e: string) => N.formula(parseExpression(e), { digits: 12 }).tex;
    expect(tex('relu(i1*w1 + i2*w2 + b1)')).toBe('\\operatorname{ReLU}(i_{1} w_{1} + i_{2} w_{2} + b_{1})');
    expect(tex('heaviside(h1*w5 + b) * w5')).toBe('H(h_{1} w_{5} + b) w_{5}');
    expect(tex('p - lr * mhat / (sqrt(vhat) + eps)')).toBe('p - \\frac{\\eta \\hat{m}}{\\sqrt{\\hat{v}} + \\epsilon}');
    expect(tex('x + 1e-8')).toBe('x + 10^{-8}');
  });

  it('keeps a customary symbol only when nothing else prints the same', () => {
    const clash = new Notation(['eta', 'lr', 'sigma', 'H', 'x']);
    expect(clash.name('lr')).toBe('\\mathrm{lr}');
    expect(clash.name('eta')).toBe('\\eta');
    expect(clash.formula(parseExpression('sigmoid(x) + heaviside(x)'), { digits: 6 }).tex).toBe('\\operatorname{sigmoid}(x) + \\operatorname{step}(x)');
  });

  it('substitutes numbers with parentheses where a sign needs them, and marks rounding', () => {
    const { D } = makeContext(50);
    const values = new Map([['w1', new D(2).div(3)], ['w2', new D(-1)], ['i1', new D(3)], ['i2', new D(2)], ['b1', new D('0.5')]]);
    const p = N.formula(parseExpression('relu(i1*w1 + i2*w2 + b1)'), { digits: 6, value: (n) => values.get(n) });
    expect(p).toMatchObject({ tex: '\\operatorname{ReLU}(3 \\cdot 0.666667 + 2 \\cdot (-1) + 0.5)', rounded: true });
    // A derivative factor is never juxtaposed with a parenthesis it could be read as applying to.
    const adjoint = runYaml(example('hw7-q2.yaml')).sampleEquations.find((e) => e.name === 'dL/dyhat')!;
    expect(N.formula(adjoint.formula, { digits: 6 }).tex).toBe('-2 \\cdot \\frac{\\partial L}{\\partial \\ell} \\cdot (y - \\hat{y})');
  });
});

describe('every math fragment renders with KaTeX (throwOnError), on every example and fixture spec', () => {
  for (const path of specPaths) {
    it(path, async () => {
      const md = await cli(['run', path, '--format', 'markdown']);
      expect(md.err).toBe('');
      const mdFragments = markdownFragments(md.out);
      expect(mdFragments.length).toBeGreaterThan(20);
      for (const [tex, display] of mdFragments) renders(tex, display);
      const tex = await cli(['run', path, '--format', 'latex', '--steps', '1,last']);
      for (const [t, display] of latexFragments(tex.out)) renders(t, display);
      const derive = await cli(['derive', path, '--format', 'latex', '--at', '1,1']);
      expect(derive.err).toBe('');
      const deriveFragments = latexFragments(derive.out);
      expect(deriveFragments.length).toBeGreaterThan(5);
      for (const [t, display] of deriveFragments) renders(t, display);
      const deriveMd = await cli(['derive', path, '--format', 'markdown']);
      for (const [t, display] of markdownFragments(deriveMd.out)) renders(t, display);
    }, 120_000);
  }
});

describe('the hw7 worked solution reads like a model answer', () => {
  it('Markdown: formula, numbers, value, grouped by step, sample and layer', async () => {
    const { out, code } = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'markdown']);
    expect(code).toBe(0);
    const order = ['## The problem', '## Step 1 (epoch 1)', '### Sample 1: $i_{1} = 3$, $i_{2} = 2$, $y = 8$', '#### Forward pass', 'Hidden layer 1:', 'Output layer:',
      'Loss of this sample:', '#### Backward pass', '### Sample 2:', '### Loss of step 1', '### Gradients of the total loss', '### Adam update, $t = 1$', '## Step 2 (epoch 2)', '## Result'];
    const at = order.map((s) => out.indexOf(s));
    expect(at.every((i) => i >= 0), order.filter((_, i) => at[i]! < 0).join(', ')).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Sample 1 of step 1, by hand: h1 = relu(3*1 + 2*(-1) + 0.5) = 1.5; dL/dw1 = -9 * H(1.5) * 3 = -27.
    contains(out, 'h_{1} &= \\operatorname{ReLU}(i_{1} w_{1} + i_{2} w_{2} + b_{1}) \\\\\n &= \\operatorname{ReLU}(3 \\cdot 1 + 2 \\cdot (-1) + 0.5) \\\\\n &= 1.5');
    contains(out, '\\frac{\\partial L}{\\partial w_{1}} &= \\frac{\\partial L}{\\partial h_{1}} \\cdot H(i_{1} w_{1} + i_{2} w_{2} + b_{1}) i_{1} \\\\\n &= (-9) \\cdot H(1.5) \\cdot 3 \\\\\n &= -27');
    // The step: L = 88.25 + 1.275, dL/dw1 = -27 - 375 + 0.2, Adam's m = 0.1 * -401.8.
    contains(out, 'L &= L_{\\text{data}} + L_{\\text{penalty}} \\\\\n &= 88.25 + 1.275 \\\\\n &= 89.525');
    contains(out, ' &= -27 + (-375) + 2 \\cdot 0.1 \\cdot 1 \\\\\n &= -401.8');
    contains(out, 'm_{w_{1}} &\\leftarrow \\beta_1 m_{w_{1}} + (1 - \\beta_1) g_{w_{1}} \\\\\n &= 0.9 \\cdot 0 + (1 - 0.9) \\cdot (-401.8) \\\\\n &= -40.18');
    // Rounded values are marked as such.
    contains(out, 'w_{1} &\\leftarrow w_{1} - \\frac{\\eta \\hat{m}_{w_{1}}}{\\sqrt{\\hat{v}_{w_{1}}} + \\epsilon} \\\\\n &= 1 - \\frac{0.1 \\cdot (-401.8)}{\\sqrt{161443.24} + 10^{-8}} \\\\\n &\\approx 1.10000000000 \\\\[0.6em]');
    contains(out, 'step 1, sample 1: the argument of relu in h2 is exactly 0');
  });

  it('--digits rounds what is shown, --steps picks steps', async () => {
    const six = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'markdown', '--digits', '6', '--steps', '2']);
    expect(six.out.includes('## Step 1 ')).toBe(false);
    contains(six.out, '## Step 2 (epoch 2)');
    contains(six.out, ' &\\approx 1.19416 \\\\[0.6em]\ng_{w_{2}}'); // w1 after step 2: 1.19416067367...
    const json = JSON.parse((await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json', '--steps', 'last'])).out);
    expect(json.steps.map((s: { step: number }) => s.step)).toEqual([2]);
    const bad = await cli(['run', 'examples/hw7-q2.yaml', '--steps', '3']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--steps: step 3 is outside the run (steps 1 to 2)');
  });

  it('step selections: lists, ranges, first and last', () => {
    expect([...selectSteps('1,last', 10)]).toEqual([1, 10]);
    expect([...selectSteps('2-4', 10)]).toEqual([2, 3, 4]);
    expect([...selectSteps('first,3-5,last,4', 10)]).toEqual([1, 3, 4, 5, 10]);
    expect([...selectSteps('8-last', 10)]).toEqual([8, 9, 10]);
    expect(() => selectSteps('0', 10)).toThrow(/outside the run/);
    expect(() => selectSteps('4-2', 10)).toThrow(/backwards/);
    expect(() => selectSteps('1,,2', 10)).toThrow(/empty/);
    expect(() => selectSteps('two', 10)).toThrow(/not a step number/);
  });
});

describe('LaTeX is a complete document', () => {
  it('with standard packages only, balanced, and compiling where pdflatex is installed', async (ctx) => {
    const docs = [
      (await cli(['run', 'examples/hw7-q2.yaml', '--format', 'latex'])).out,
      (await cli(['derive', 'examples/hw7-q2.yaml', '--format', 'latex', '--at', '1,1'])).out,
    ];
    for (const doc of docs) {
      expect(doc).toMatch(/^\\documentclass\[11pt\]\{article\}\n/);
      expect([...doc.matchAll(/\\usepackage(?:\[[^\]]*\])?\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(','))).toEqual(['amsmath', 'amssymb', 'geometry']);
      expect(doc).toContain('\\begin{document}');
      expect(doc.trimEnd().endsWith('\\end{document}')).toBe(true);
      const braces = [...doc.replace(/\\[{}]/g, '')].reduce((depth, c) => (depth < 0 ? depth : depth + (c === '{' ? 1 : c === '}' ? -1 : 0)), 0);
      expect(braces).toBe(0);
    }
    const hasTex = spawnSync('pdflatex', ['--version']).status === 0;
    if (!hasTex) {
      ctx.skip('pdflatex is not installed: the documents were checked for structure and every fragment with KaTeX, not compiled');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-latex-'));
    docs.forEach((doc, i) => {
      writeFileSync(join(dir, `doc${i}.tex`), doc);
      execFileSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `doc${i}.tex`], { cwd: dir, stdio: 'pipe' });
      expect(readFileSync(join(dir, `doc${i}.pdf`)).subarray(0, 5).toString()).toBe('%PDF-');
    });
  }, 120_000);
});

describe('HTML is one self-contained page', () => {
  it('inlines KaTeX CSS and fonts, loads nothing, and holds no KaTeX error', async () => {
    const { out, code } = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'html']);
    expect(code).toBe(0);
    // Checked as booleans: a failing matcher would print the whole 2 MB page.
    const has = (re: RegExp) => re.test(out);
    expect(out.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(out.includes('data:font/woff2;base64,')).toBe(true);
    expect(out.includes('font-family:KaTeX_Main')).toBe(true);
    expect(has(/url\((?!data:)/), 'a url() that is not a data: URL').toBe(false);
    expect(has(/<(script|link|img|iframe)\b/i), 'an element that loads something').toBe(false);
    expect(has(/\b(src|href)=/i), 'a src or href attribute').toBe(false);
    expect(out.includes('katex-error')).toBe(false);
    expect((out.match(/class="katex-display"/g) ?? []).length).toBeGreaterThan(30);
  });
});

describe('committed examples', () => {
  const regenerate = 'regenerate with: npm run examples';
  it('examples/hw7-q2.md is what run prints', async () => {
    const { out } = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'markdown']);
    expect(readFileSync(new URL('hw7-q2.md', examples), 'utf8') === out, regenerate).toBe(true);
  });
  it('every example spec has its worked solution in examples/solutions/, as run prints it', async () => {
    const specs = exampleSpecs().map((s) => s.file);
    expect(specs.length).toBeGreaterThanOrEqual(7);
    for (const f of specs) {
      const { out } = await cli(['run', `examples/${f}`, '--format', 'markdown']);
      const committed = readFileSync(new URL(`solutions/${f.replace(/\.yaml$/, '.md')}`, examples), 'utf8');
      expect(committed === out, `examples/solutions/${f.replace(/\.yaml$/, '.md')}: regenerate with npm run examples`).toBe(true);
    }
  });
  it('every example that --exact can compute has its solution in exact fractions too', async () => {
    const rational = exampleSpecs().filter((s) => !whyNotRational(parseSpec(s.text, s.relative))).map((s) => s.file);
    expect(rational).toContain('relu-momentum-exact.yaml');
    // dL/dloss = 1/n with n = 3: a third, exactly, then its decimal; c after two steps, 17269/27000.
    const { out: md } = await cli(['run', 'examples/relu-momentum-exact.yaml', '--exact', '--format', 'markdown']);
    contains(md, '&= \\frac{1}{3} \\approx 0.333333333333');
    contains(md, 'c = \\frac{17269}{27000} \\approx 0.639592592593');
    for (const f of rational) {
      const { out } = await cli(['run', `examples/${f}`, '--exact', '--format', 'markdown']);
      contains(out, 'computed in exact fractions');
      for (const [tex, display] of markdownFragments(out)) renders(tex, display);
      const committed = readFileSync(new URL(`solutions/${f.replace(/\.yaml$/, '.exact.md')}`, examples), 'utf8');
      expect(committed === out, `examples/solutions/${f.replace(/\.yaml$/, '.exact.md')}: regenerate with npm run examples`).toBe(true);
    }
  });
  it('examples/hw7-q2.html is what run prints', async () => {
    const { out } = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'html']);
    expect(readFileSync(new URL('hw7-q2.html', examples), 'utf8') === out, regenerate).toBe(true);
  });
});
