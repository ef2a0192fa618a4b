// The playground's parts that need no browser: where a located error is marked (locate.ts), what the
// editor completes where (completion.ts, from the library's vocabulary), share links (share.ts), the
// worksheet's answers YAML (answers.ts, read back by the library's check) and the worker's HTML printer
// over a derivation. The page itself is tested in Chromium (test/web.test.ts).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { check, deriveInto, InputError, parseSpec, specVocabulary } from '../src/index.js';
import { locate } from '../web/locate.js';
import { contextAt, suggestions } from '../web/completion.js';
import { decodeShare, encodeShare } from '../web/share.js';
import { answersYaml, cellPath } from '../web/answers.js';
import { fragmentSink, placeholder } from '../web/worker/html.js';

const hw7 = readFileSync(new URL('../examples/hw7-q2.yaml', import.meta.url), 'utf8');
const problemOf = (text: string) => {
  try {
    parseSpec(text);
  } catch (e) {
    if (e instanceof InputError) return { message: e.message, path: e.path, ...(e.line !== undefined ? { line: e.line } : {}) };
  }
  throw new Error('the spec was read');
};
/** The marked text and its line and column. */
const marked = (text: string) => {
  const span = locate(text, problemOf(text));
  return { text: text.slice(span.from, span.to), line: span.line, column: span.column };
};

describe('locate: the library\'s error marked at its line and column', () => {
  it('marks an undefined name in a neuron', () => {
    const text = hw7.replace('i2*w2 + b1)', 'i2*w2 + q1)');
    // Line 9 of hw7-q2.yaml is `    h1: relu(i1*w1 + i2*w2 + b1)`; q1 starts at column 30.
    expect(text.split('\n')[8]).toBe('    h1: relu(i1*w1 + i2*w2 + q1)');
    expect(marked(text)).toEqual({ text: 'q1', line: 9, column: 30 });
  });
  it('marks a bad value, an unknown option\'s key, and YAML\'s own column', () => {
    expect(marked(hw7.replace('lr: 0.1', 'lr: abc'))).toMatchObject({ text: 'abc' });
    expect(marked(hw7.replace('  beta1: 0.9', '  beta9: 0.9'))).toMatchObject({ text: 'beta9', column: 3 });
    expect(marked(hw7.replace('reduce: mean', 'reduce: meen'))).toMatchObject({ text: 'meen' });
    const broken = marked(hw7.replace('data:\n', 'data: [\n'));
    expect(broken.line).toBeGreaterThan(1);
  });
  it('marks the first line when the library gives no line', () => {
    expect(locate('a: 1\nb: 2', { message: 'something' })).toMatchObject({ from: 0, to: 4, line: 1, column: 1 });
  });
});

describe('completion from the library\'s vocabulary', () => {
  const vocabulary = specVocabulary();
  const at = (text: string) => suggestions(vocabulary, text, contextAt(text, text.length)).map((s) => s.label);
  it('offers the top-level keys, a mapping\'s keys and a layer\'s keys', () => {
    expect(at('prec')).toEqual(expect.arrayContaining(['precision', 'model', 'params', 'data', 'loss', 'training', 'conventions']));
    expect(at('model:\n  ne')).toEqual(expect.arrayContaining(['inputs', 'neurons', 'layers', 'outputs']));
    expect(at('model:\n  layers:\n    - units: 2\n      ac')).toEqual(expect.arrayContaining(['units', 'activation', 'type']));
  });
  it('offers values: layer kinds, activations, losses, reductions, optimizers', () => {
    expect(at('model:\n  layers:\n    - type: ')).toEqual(expect.arrayContaining(['dense', 'Linear', 'Conv2d', 'LSTM']));
    expect(at('model:\n  layers:\n    - { units: 2, activation: ')).toEqual(expect.arrayContaining(['relu', 'sigmoid', 'softmax', 'linear']));
    expect(at('loss:\n  name: ')).toEqual(expect.arrayContaining(['mse', 'bce', 'cross_entropy']));
    expect(at('loss:\n  reduce: ')).toEqual(['mean', 'sum']);
    expect(at('training:\n  optimizer: ')).toEqual(expect.arrayContaining(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad']));
  });
  it('offers the functions in an expression, and the options of the spec\'s optimizer in training', () => {
    expect(at('model:\n  neurons:\n    h1: re')).toEqual(expect.arrayContaining(['relu', 'sigmoid', 'tanh', 'exp', 'log']));
    expect(at('loss:\n  penalty: ')).toContain('sqrt');
    // torch.optim.Adam's options as the spec writes them.
    const adam = at('training:\n  optimizer: adam\n  be');
    expect(adam).toEqual(expect.arrayContaining(['lr', 'beta1', 'beta2', 'eps', 'weight_decay', 'amsgrad']));
    expect(adam).not.toContain('momentum');
    expect(at('training:\n  optimizer: sgd\n  mo')).toEqual(expect.arrayContaining(['momentum', 'dampening', 'nesterov']));
  });
});

describe('share links', () => {
  it('round-trips a spec and answers through #v1:', async () => {
    const link = await encodeShare({ spec: hw7, answers: 'epoch1:\n  loss: 1\n' });
    expect(link).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    // DEFLATE shrinks the YAML: the link is well under the text's length.
    expect(link.length).toBeLessThan(hw7.length);
    expect(await decodeShare(link)).toEqual({ spec: hw7, answers: 'epoch1:\n  loss: 1\n' });
  });
  it('says why a link cannot be read', async () => {
    expect(await decodeShare('v2:abc')).toEqual({ problem: expect.stringContaining('newer version') });
    expect(await decodeShare('v1:AAAA')).toEqual({ problem: expect.stringContaining('damaged') });
    expect(await decodeShare('hello')).toEqual({ problem: expect.stringContaining('#v1:') });
  });
});

describe('the worksheet\'s answers YAML', () => {
  it('nests the cells\' paths into the file check reads, values as written', () => {
    const yaml = answersYaml([
      { path: 'epoch1.sample1.h1', text: '1.5' },
      { path: 'epoch1.sample1.adjoints.yhat', text: ' -4.5 ' },
      { path: 'epoch1.loss.total', text: '89.525' },
      { path: 'epoch1.optimizer.m.w1', text: '-40.18' },
    ]);
    expect(yaml).toBe('epoch1:\n  sample1:\n    h1: 1.5\n    adjoints:\n      yhat: -4.5\n  loss:\n    total: 89.525\n  optimizer:\n    m:\n      w1: -40.18\n');
    // Exact by hand: h1 = relu(3 - 2 + 0.5) = 1.5; dL/dyhat = (1/2) * -2 * (8 - 3.5) = -4.5;
    // m = 0.1 * g, g = dL/dw1 = -401.8 (the step's gradient with the penalty's 0.2 * w1).
    const report = check(parseSpec(hw7), yaml);
    expect(report.results.map((r) => [cellPath(r.path, true), r.verdict])).toEqual([
      ['epoch1.sample1.h1', 'correct'], ['epoch1.sample1.adjoints.yhat', 'correct'], ['epoch1.loss.total', 'correct'], ['epoch1.optimizer.m.w1', 'correct'],
    ]);
  });
  it('quotes what is not a number, so check names the cell', () => {
    const yaml = answersYaml([{ path: 'epoch1.sample1.h1', text: '1,5' }]);
    expect(yaml).toBe('epoch1:\n  sample1:\n    h1: "1,5"\n');
    let error: unknown;
    try {
      check(parseSpec(hw7), yaml);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).path).toBe('epoch1.sample1.h1');
    expect((error as InputError).line).toBe(3);
  });
});

describe('the worker\'s HTML printer', () => {
  it('prints a derivation with its formulas left for the page to typeset', () => {
    let html = '';
    let title = '';
    deriveInto(parseSpec(hw7), fragmentSink((t) => (html += t), placeholder, (t) => (title = t)), { param: 'w5' });
    expect(title).toBe('Derivatives of the loss: spec.yaml');
    expect(html).toMatch(/<h2>/);
    expect(html).toContain('w_{5}');
    expect(html).toContain('<span class="tex" data-display="1">');
    expect(html).not.toMatch(/<script/i);
  });
});
