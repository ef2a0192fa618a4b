// One document, one printer per format: the text printer and the Markdown printer print the same Doc
// (a worked solution, a check report, a derivation, and a small document laid out by hand), and what
// each prints is what the CLI writes in that format.
import { describe, expect, it } from 'vitest';
import { cli, example } from './helpers/spec.js';
import { parseSpec } from '../src/spec/validate.js';
import { run } from '../src/graph/run.js';
import { solution } from '../src/render/solution.js';
import { solutionDocument } from '../src/render/solution-doc.js';
import { plainText, solutionText } from '../src/render/text.js';
import { markdown } from '../src/render/markdown.js';
import type { Doc } from '../src/render/document.js';
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
