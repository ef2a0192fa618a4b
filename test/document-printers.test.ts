// One document, one printer per format: the text printer and the Markdown printer print the same Doc
// (a worked solution, a check report, a derivation, and a small document laid out by hand), and what
// each prints is what the CLI writes in that format. The worked solution also prints as a worksheet:
// each calculation carries its quantity's answers path, which check reads.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { cli, example } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { solution } from '../src/render/solution.js';
import { solutionDocument } from '../src/render/solution-doc.js';
import { plainText, solutionText } from '../src/render/text.js';
import { markdown } from '../src/render/markdown.js';
import { alignedBody, type CalcPart, type CalcQuantity, type Doc, type MathLine } from '../src/render/document.js';
import { htmlBlock, worksheetBlock, worksheetCells } from '../src/render/html-blocks.js';
import { check } from '../src/index.js';
import { Checker } from '../src/check/check.js';
import { parseAnswers } from '../src/check/answers.js';
import { DEFAULT_TOLERANCE } from '../src/check/tolerance.js';
import { reportDocument } from '../src/check/report.js';

describe('a document laid out by hand', () => {
  const doc: Doc = {
    title: 'A sum',
    blocks: [
      { kind: 'heading', level: 2, content: ['A sum'], plain: { content: ['== a sum =='] } },
      { kind: 'paragraph', only: 'text', content: ['text only'], plain: { tight: true } },
      { kind: 'paragraph', content: ['With ', { math: 'x = 2', text: 'x = 2' }, ' and ', { code: 'y_1' }, ':'] },
      { kind: 'math', only: 'typeset', groups: [[{ lhs: 's', rel: '=', rhs: 'x + y_1' }]] },
      {
        kind: 'calc',
        calcs: [
          { name: 's', formula: 'x + y_1', substituted: '2 + (-0.5)', value: '1.5', note: '(checked)' },
          { name: 'c', value: '3' },
          { name: 'r', formula: 's', value: '1.5', oneLine: true },
          // The substitution repeats the value: left out.
          { name: 'k', formula: '2 * x', substituted: '4', value: '4' },
        ],
        plain: { indent: 2, tight: true },
      },
      { kind: 'table', head: [['name'], ['value']], rows: [[['x'], [{ colour: 'red', text: '2' }]], [['y_1'], [{ strong: ['-0.5'] }]]] },
      { kind: 'list', lead: ['Notes:'], items: [['one'], ['two *starred*']] },
    ],
  };

  it('in plain text: the plain wording, the calculation layout, padded columns, a blank line unless tight', () => {
    expect(plainText(doc)).toBe([
      '== a sum ==',
      'text only',
      '',
      'With x = 2 and y_1:',
      '  s = x + y_1',
      '    = 2 + (-0.5)',
      '    = 1.5   (checked)',
      '  c = 3',
      '  r = s = 1.5',
      '  k = 2 * x',
      '    = 4',
      '',
      'name  value',
      'x     2',
      'y_1   -0.5',
      '',
      'Notes:',
      '- one',
      '- two *starred*',
      '',
    ].join('\n'));
    // Colours and bold only when asked for.
    expect(plainText(doc, { colour: true })).toContain('x     \x1b[31m2\x1b[0m\ny_1   \x1b[1m-0.5\x1b[0m\n');
  });

  it('in Markdown: the same blocks, the typeset ones instead of the plain ones', () => {
    expect(markdown(doc)).toBe([
      '## A sum',
      '',
      'With $x = 2$ and `y_1`:',
      '',
      '$$',
      '\\begin{aligned}',
      's &= x + y_1',
      '\\end{aligned}',
      '$$',
      '',
      '```',
      's = x + y_1',
      '  = 2 + (-0.5)',
      '  = 1.5   (checked)',
      'c = 3',
      'r = s = 1.5',
      'k = 2 * x',
      '  = 4',
      '```',
      '',
      '| name | value |',
      '|---|---|',
      '| x | 2 |',
      '| y\\_1 | **-0.5** |',
      '',
      'Notes:',
      '- one',
      '- two \\*starred\\*',
      '',
    ].join('\n'));
  });
});

describe('the documents of the CLI, printed by both printers', () => {
  it('the worked solution: one document is the text and the Markdown the CLI writes', async () => {
    const path = 'examples/hw7-q2.yaml';
    const doc = solutionDocument(solution(run(parseSpec(example('hw7-q2.yaml'), path))), { digits: 12 });
    const text = await cli(['run', path]);
    expect(plainText(doc) === text.out, 'text differs').toBe(true);
    expect(markdown(doc) === example('solutions/hw7-q2.md'), 'Markdown differs').toBe(true);
    expect(text.out.startsWith('exactprop worked solution: examples/hw7-q2.yaml\n')).toBe(true);
    expect(text.out).toContain('\n  Sample 1: i1 = 3, i2 = 2, y = 8\n    forward\n      h1 = ');
  }, 60_000);

  it('under --exact, a fraction is stated as the fraction and its decimal in plain text', async () => {
    const path = 'examples/relu-momentum-exact.yaml';
    const text = await cli(['run', path, '--exact']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/ = -?\d+\/\d+ ≈ -?[\d.]+…/);
    expect(solutionText(solution(run(parseSpec(example('relu-momentum-exact.yaml'), path))), { digits: 12 })).toBe((await cli(['run', path])).out);
  }, 60_000);

  it('a check report: one document is the text and the Markdown report', async () => {
    const spec = parseSpec(example('hw7-q2.yaml'), 'examples/hw7-q2.yaml');
    const checker = new Checker(spec, { steps: spec.training.epochs * Math.ceil(spec.data.length / spec.training.batchSize), final: true });
    const report = checker.check(parseAnswers(example('hw7-q2.answers.yaml'), 'examples/hw7-q2.answers.yaml', checker.shape), DEFAULT_TOLERANCE);
    const doc = reportDocument(report);
    const text = await cli(['check', 'examples/hw7-q2.yaml', 'examples/hw7-q2.answers.yaml']);
    const md = await cli(['check', 'examples/hw7-q2.yaml', 'examples/hw7-q2.answers.yaml', '--format', 'markdown']);
    expect(plainText(doc) === text.out, 'text report differs').toBe(true);
    expect(markdown(doc) === md.out, 'Markdown report differs').toBe(true);
    expect(text.out).toContain('\n✗ step1.sample1.gradients.w1 ');
    expect(md.out).toContain('| | value | written | exact | verdict | notes |\n|---|---|---|---|---|---|\n');
    const coloured = await cli(['check', 'examples/hw7-q2.yaml', 'examples/hw7-q2.answers.yaml', '--color', 'always']);
    expect(plainText(doc, { colour: true }) === coloured.out, 'coloured text report differs').toBe(true);
    expect(coloured.out).toContain('\x1b[31mwrong                 \x1b[0m exact ');
  }, 60_000);
});

describe('the worked solution as a worksheet (html-blocks.ts worksheetBlock)', () => {
  const spec = parseSpec(example('hw7-q2.yaml'), 'hw7-q2.yaml');
  const trace = run(spec);
  /** Each calculation's quantity and its lines, by part, in the document's order. */
  const calculations = (doc: Doc) => {
    const found = new Map<CalcQuantity, MathLine[]>();
    for (const b of doc.blocks) {
      if (b.kind !== 'math') continue;
      for (const line of b.groups.flat()) if (line.calc) found.set(line.calc.quantity, [...(found.get(line.calc.quantity) ?? []), line]);
    }
    return [...found];
  };
  const partOf = (lines: MathLine[], part: CalcPart) => lines.filter((l) => l.calc!.part === part);

  /** The answers file of every path `doc` carries, each with the value its calculation states (nested
   *  as answers files write it: the examples' names hold no dots), and how many. */
  const keyOf = (doc: Doc) => {
    const key: Record<string, unknown> = {};
    let paths = 0;
    for (const [q, lines] of calculations(doc)) {
      if (q.path === undefined) continue;
      const [value] = partOf(lines, 'value');
      // At the working precision a value is stated exactly, but for a note beside it (max pooling's
      // choice) or a fraction's decimal under --exact: those are left out of the key.
      if (!/^-?\d+(\.\d+)?$/.test(value!.rhs)) continue;
      const parts = q.path.split('.');
      let node = key;
      for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
      expect(node[parts[parts.length - 1]!]).toBeUndefined();
      node[parts[parts.length - 1]!] = value!.rhs;
      paths++;
    }
    return { text: JSON.stringify(key), paths };
  };

  it('carries for each calculation the answers path check reads: a key of the values it states, at the working precision, is graded all correct', () => {
    // At 50 digits (hw7's precision) every value is stated exactly, so the key is the trace's own values.
    const doc = solutionDocument(solution(trace), { digits: 50 });
    const { text, paths } = keyOf(doc);
    // Per epoch: 2 samples of 16 (3 neurons, the loss, 3 adjoints, 9 shares), the loss in 3 parts, 9
    // gradients, and Adam's g, m, v, mhat, vhat and the new value of each of 9 params.
    expect(paths).toBe(2 * (2 * 16 + 3 + 9 + 9 * 6));
    const report = check(spec, text, { file: 'key.yaml' });
    expect(report.results).toHaveLength(paths);
    expect(report.results.filter((r) => r.verdict !== 'correct')).toEqual([]);
    // Only the quantity no answers file names has none: the loss's own adjoint.
    expect(calculations(doc).filter(([q]) => q.path === undefined).map(([q]) => q.name)).toEqual(['dL/dloss', 'dL/dloss', 'dL/dloss', 'dL/dloss']);
  });

  it('so does every example: torch-style layers, batch norm, convolutions, other optimizers', () => {
    const names = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => f.endsWith('.yaml') && !/answers|sheet/.test(f));
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) {
      const s = parseSpec(example(name), name);
      const { text, paths } = keyOf(solutionDocument(solution(run(s)), { digits: s.precision }));
      const report = check(s, text, { file: `${name}.key.yaml` });
      expect(report.results.length, name).toBe(paths);
      expect(report.results.filter((r) => r.verdict !== 'correct'), name).toEqual([]);
    }
  }, 120_000);

  it('prints the formulas, an input cell for each path, and no value nor numbers put in', () => {
    const doc = solutionDocument(solution(trace), { digits: 12 });
    const tex = (t: string) => t;
    const sheet = doc.blocks.filter((b) => b.only !== 'text').map((b) => worksheetBlock(b, tex, 1)).join('\n');
    const cells = [...sheet.matchAll(/<input [^>]*data-quantity="([^"]+)" aria-label="([^"]+)">/g)];
    expect(cells.map((m) => m[1])).toEqual(doc.blocks.flatMap(worksheetCells));
    expect(cells[0]!.slice(1)).toEqual(['epoch1.sample1.h1', 'h1 (epoch1.sample1.h1)']);
    expect(sheet).toContain('<h2>Worksheet: hw7-q2.yaml</h2>');
    expect(sheet).toContain('<h3>Step 1 (epoch 1)</h3>');
    for (const [q, lines] of calculations(doc)) {
      // Each calculation with a path: its formula's lines exactly, then its cell.
      if (q.path !== undefined) {
        const formula = partOf(lines, 'formula');
        const shown = formula.length ? `<div class="display">\\begin{aligned}\n${alignedBody([formula])}\n\\end{aligned}</div>` : '';
        expect(sheet).toContain(`<div class="ws-calc" data-calc="${q.path}">${shown}<div class="ws-answer">\\displaystyle ${lines[0]!.lhs} = <input `);
      }
      // Nowhere the numbers put in, nor a value, but for the shortest, which a given number may equal
      // (w3's -0.5, the learning rate 0.1).
      for (const line of [...partOf(lines, 'substituted'), ...partOf(lines, 'value')].filter((l) => l.rhs.length >= 6)) expect(sheet).not.toContain(line.rhs);
    }
    // Nor the values stated outside the calculations: the params after a step, the result's tables.
    expect(sheet).not.toMatch(/Values after step|Result|89\.525/);
    // The worked solution's own HTML has them all.
    const solutionHtml = doc.blocks.filter((b) => b.only !== 'text').map((b) => htmlBlock(b, tex, 1)).join('\n');
    expect(solutionHtml).toContain('89.525');
    expect(solutionHtml).toContain('Values after step 1');
    expect(solutionHtml).not.toContain('<input');
  });
});
