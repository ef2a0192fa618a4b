// The quizzes made from variants: Moodle XML (Cloze NUMERICAL blanks), QTI 2.1 and the LaTeX booklet.
// Each is parsed with a standard XML parser (fast-xml-parser's XMLParser and XMLValidator, a package
// apart from the builder that writes them) and read back: every blank's exact value, its tolerance, and
// its partial-credit alternatives. The alternatives are derived by hand for the one-neuron fixture,
// and for homework 7 each is confirmed by `check`, which must diagnose it as the same mistake.
import { readFileSync } from 'node:fs';
import Decimal from 'decimal.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { checkAll, makeVariants, parseSpec, type Blank, type VariantsResult } from '../src/index.js';
import { clozeBlank } from '../src/variants/moodle.js';
import { toleranceOf } from '../src/variants/policy.js';
import { readCloze } from './helpers/cloze.js';

const D = Decimal.clone({ precision: 200 });
const linear = readFileSync(new URL('./fixtures/variants/linear.yaml', import.meta.url), 'utf8');
const course = readFileSync(new URL('../examples/course/hw7-q2.yaml', import.meta.url), 'utf8');

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', cdataPropName: '#cdata', isArray: (name) => ['question', 'responseDeclaration', 'responseCondition', 'responseElseIf', 'resource', 'modalFeedback', 'setOutcomeValue'].includes(name) });
const parse = (xml: string) => {
  expect(XMLValidator.validate(xml)).toBe(true);
  return parser.parse(xml);
};
const flat = (node: unknown, prefix = ''): Array<[string, string]> => Object.entries(node as Record<string, unknown>).flatMap(([k, v]) =>
  typeof v === 'string' ? [[prefix ? `${prefix}.${k}` : k, v] as [string, string]] : flat(v, prefix ? `${prefix}.${k}` : k));

describe('the grading policy', () => {
  it('an absolute tolerance per blank, written out in full', () => {
    expect(toleranceOf({ abs: '0.01' }, '123.456')).toBe('0.01');
    expect(toleranceOf({ rel: '0.001' }, '-250')).toBe('0.25');
    // Half a unit of the third significant digit: 1.23e-8 is right within 5e-11.
    expect(toleranceOf({ sig: 3 }, '0.0000000123456')).toBe('0.00000000005');
    expect(toleranceOf({ sig: 3 }, '98765')).toBe('50');
    expect(toleranceOf({ sig: 3 }, '0')).toBe('0');
  });
});

describe('the Cloze syntax, on a fixture', () => {
  it('the exact value with its tolerance, then each mistake at 50% with its feedback, Cloze characters escaped', () => {
    const blank: Blank = {
      path: 'epoch1.params.w1', where: 'Epoch 1', tex: 'w_{1}', value: '1.5', tolerance: '0.005',
      mistakes: [
        { ids: ['eps-inside-sqrt'], text: 'eps inside sqrt(vhat + eps) / 2 #1 ~ } \\ "q" <b>', value: '4.5' },
        { ids: ['a', 'b'], text: 'two mistakes', value: '-0.25' },
      ],
    };
    expect(clozeBlank(blank, 50)).toBe('{1:NUMERICAL:=1.5:0.005~%50%4.5:0.005#Not quite: eps inside sqrt(vhat + eps) \\/ 2 \\#1 \\~ \\} \\\\ &quot;q&quot; &lt;b&gt;.~%50%-0.25:0.005#Not quite: two mistakes.}');
    expect(clozeBlank(blank, 0)).toBe('{1:NUMERICAL:=1.5:0.005}');
    expect(readCloze(clozeBlank(blank, 50))).toEqual([[
      { fraction: 100, value: '1.5', tolerance: '0.005', feedback: '' },
      { fraction: 50, value: '4.5', tolerance: '0.005', feedback: 'Not quite: eps inside sqrt(vhat + eps) / 2 #1 ~ } \\ &quot;q&quot; &lt;b&gt;.' },
      { fraction: 50, value: '-0.25', tolerance: '0.005', feedback: 'Not quite: two mistakes.' },
    ]]);
  });
});

/** The one-neuron fixture's asked values and the values its mistakes give, by hand (see linear.yaml):
 *  e_k = y_k - yhat_k; dL/dw = -(e1 + 2 e2), dL/db = -(e1 + e2), SGD with lr 0.1. The loss summed (no
 *  1/n) doubles the loss and the gradients; a factor 1/2 halves them; the summed error times the summed
 *  inputs gives dL/dw = -(e1 + e2)(1 + 2) and dL/db = -(e1 + e2)(1 + 1). */
function linearAnswers(values: Record<string, string>) {
  const w = new D(values.w!), b = new D(values.b!), y2 = new D(values['data[2].y']!);
  const yhat = [w.plus(b), w.times(2).plus(b)];
  const e = [new D(3).minus(yhat[0]!), y2.minus(yhat[1]!)];
  const loss = e[0]!.pow(2).plus(e[1]!.pow(2)).div(2);
  const gw = e[0]!.plus(e[1]!.times(2)).neg(), gb = e[0]!.plus(e[1]!).neg();
  const sstW = e[0]!.plus(e[1]!).neg().times(3), sstB = e[0]!.plus(e[1]!).neg().times(2);
  const step = (p: Decimal, g: Decimal) => p.minus(g.times('0.1'));
  // The output error with its sign flipped ((t - o) where the loss gives (o - t)): each gradient negated.
  const flipW = gw.neg(), flipB = gb.neg();
  // In the order of check's table: mse-without-1-over-n, mse-with-half, sum-times-sum, error-sign-flipped.
  return [
    { path: 'epoch1.sample1.yhat', value: yhat[0]!, mistakes: [] },
    { path: 'epoch1.sample2.yhat', value: yhat[1]!, mistakes: [] },
    { path: 'epoch1.loss.total', value: loss, mistakes: [loss.times(2), loss.div(2)] },
    { path: 'epoch1.gradients.w', value: gw, mistakes: [gw.times(2), gw.div(2), sstW, flipW] },
    { path: 'epoch1.gradients.b', value: gb, mistakes: [gb.times(2), gb.div(2), sstB, flipB] },
    { path: 'epoch1.params.w', value: step(w, gw), mistakes: [step(w, gw.times(2)), step(w, gw.div(2)), step(w, sstW), step(w, flipW)] },
    { path: 'epoch1.params.b', value: step(b, gb), mistakes: [step(b, gb.times(2)), step(b, gb.div(2)), step(b, sstB), step(b, flipB)] },
  ];
}

/** Which mistakes' values a blank offers: none Moodle could not tell from the right value or from an
 *  earlier alternative (within twice the tolerance), equal values once. */
function offered(value: Decimal, mistakes: Decimal[], tolerance: Decimal): Decimal[] {
  const out: Decimal[] = [];
  for (const m of mistakes) {
    if (m.minus(value).abs().lte(tolerance.times(2))) continue;
    if (out.some((o) => o.eq(m) || o.minus(m).abs().lte(tolerance.times(2)))) continue;
    out.push(m);
  }
  return out;
}

describe('Moodle XML', () => {
  const r = makeVariants(linear, { file: 'linear.yaml', seed: 'moodle', count: 6 });
  const quiz = parse(r.files.get('moodle.xml')!).quiz;

  it('a category, then one Cloze question per variant with its HTML text', () => {
    expect(quiz.question[0]['@_type']).toBe('category');
    expect(quiz.question[0].category.text).toBe('$course$/exactprop/linear');
    const questions = quiz.question.slice(1);
    expect(questions.map((q: { '@_type': string }) => q['@_type'])).toEqual(Array(6).fill('cloze'));
    expect(questions.map((q: { name: { text: string } }) => q.name.text)).toEqual([1, 2, 3, 4, 5, 6].map((i) => `linear form ${i}`));
    for (const q of questions) {
      expect(q.questiontext['@_format']).toBe('html');
      expect(q.questiontext.text['#cdata']).toContain('<li>\\(\\hat{y} = w x + b\\)</li>');
    }
  });

  it("each blank reads back as the key's exact value, the policy's tolerance, and the hand-derived mistakes at 50%", () => {
    quiz.question.slice(1).forEach((q: { questiontext: { text: { '#cdata': string } } }, i: number) => {
      const v = r.variants[i]!;
      const blanks = readCloze(q.questiontext.text['#cdata']);
      const key = flat(JSON.parse(r.files.get(`${v.folder}/key.json`)!));
      const expected = linearAnswers(v.values);
      expect(blanks.length).toBe(7);
      expected.forEach((e, j) => {
        const [right, ...alternatives] = blanks[j]!;
        expect(key[j]![0]).toBe(e.path);
        expect(right).toMatchObject({ fraction: 100, tolerance: '0.01' });
        expect(new D(right!.value).eq(e.value) && right!.value === key[j]![1], `${v.index} ${e.path}`).toBe(true);
        const want = offered(e.value, e.mistakes, new D('0.01'));
        expect(alternatives.map((a) => a.value), `${v.index} ${e.path}`).toEqual(want.map((d) => (d.isZero() ? '0' : d.toFixed())));
        for (const a of alternatives) {
          expect(a).toMatchObject({ fraction: 50, tolerance: '0.01' });
          expect(a.feedback).toMatch(/^Not quite: /);
        }
      });
    });
  });

  it('the feedback says what the student did', () => {
    const text = quiz.question[1].questiontext.text['#cdata'] as string;
    const loss = readCloze(text)[2]!;
    expect(loss[1]!.feedback).toBe('Not quite: the loss summed over the batch, not averaged (no 1/n).');
    expect(loss[2]!.feedback).toBe('Not quite: the sample loss with a factor 1/2: ((y - yhat)^2) / 2.');
  });
});

describe('QTI 2.1', () => {
  const r = makeVariants(linear, { file: 'linear.yaml', seed: 'moodle', count: 6 });
  const quiz = parse(r.files.get('moodle.xml')!).quiz;

  it('one item per variant in the manifest', () => {
    const manifest = parse(r.files.get('qti/imsmanifest.xml')!).manifest;
    expect(manifest.resources.resource.map((x: { '@_href': string; '@_type': string }) => [x['@_href'], x['@_type']])).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => [`form00${i}.xml`, 'imsqti_item_xmlv2p1']));
  });

  it("each response: a float whose correct value is the key's, equal within the tolerance, the mistakes for half a mark", () => {
    r.variants.forEach((v, i) => {
      const item = parse(r.files.get(`qti/form00${v.index}.xml`)!).assessmentItem;
      expect(item['@_xmlns']).toBe('http://www.imsglobal.org/xsd/imsqti_v2p1');
      const key = flat(JSON.parse(r.files.get(`${v.folder}/key.json`)!));
      const moodle = readCloze(quiz.question[i + 1].questiontext.text['#cdata']);
      item.responseDeclaration.forEach((d: { '@_baseType': string; correctResponse: { value: string } }, j: number) => {
        expect(d['@_baseType']).toBe('float');
        expect(String(d.correctResponse.value)).toBe(key[j]![1]);
      });
      const feedback = new Map<string, string>((item.modalFeedback ?? []).map((f: { '@_identifier': string; '#text': string }) => [f['@_identifier'], f['#text']]));
      item.responseProcessing.responseCondition.forEach((c: { responseIf: { equal: Record<string, unknown> }; responseElseIf?: Array<{ equal: { baseValue: { '#text': string }; '@_tolerance': string }; setOutcomeValue: Array<{ '@_identifier': string; sum?: { baseValue: { '#text': string } }; multiple?: { baseValue: { '#text': string } } }> }> }, j: number) => {
        expect(c.responseIf.equal).toMatchObject({ '@_toleranceMode': 'absolute', '@_tolerance': '0.01 0.01', correct: { '@_identifier': `RESPONSE_${j + 1}` } });
        const alternatives = (c.responseElseIf ?? []).map((e) => [String(e.equal.baseValue['#text']), e.equal['@_tolerance'], String(e.setOutcomeValue[0]!.sum!.baseValue['#text'])]);
        expect(alternatives).toEqual(moodle[j]!.slice(1).map((a) => [a.value, '0.01 0.01', '0.5']));
        // Each mistake's value names its feedback, which says what the student did (as Moodle's does).
        (c.responseElseIf ?? []).forEach((e, k) => {
          expect(e.setOutcomeValue[1]!['@_identifier']).toBe('FEEDBACK');
          const text = feedback.get(e.setOutcomeValue[1]!.multiple!.baseValue['#text'])!;
          expect(text.replace(/^.*?: not quite: /, 'Not quite: ')).toBe(moodle[j]![k + 1]!.feedback.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
        });
      });
      expect(feedback.size).toBe(moodle.reduce((n, b) => n + b.length - 1, 0));
      expect((r.files.get(`qti/form00${v.index}.xml`)!.match(/<textEntryInteraction /g) ?? []).length).toBe(7);
    });
  });
});

describe("homework 7's quizzes", () => {
  const r: VariantsResult = makeVariants(course, { file: 'hw7-q2.yaml', seed: 'quiz', count: 2, exports: ['moodle', 'booklet'] });
  const quiz = parse(r.files.get('moodle.xml')!).quiz;

  it("every alternative is a value check diagnoses as that very mistake; tolerances are half a unit of the third digit", () => {
    let alternatives = 0;
    r.variants.forEach((v, i) => {
      const blanks = readCloze(quiz.question[i + 1].questiontext.text['#cdata']);
      const spec = parseSpec(v.specText);
      const files = v.blanks.flatMap((b, j) => {
        const [right, ...alts] = blanks[j]!;
        const value = new D(b.value);
        expect(right!.value).toBe(b.value);
        // sig 3: half a unit of the third significant digit (0 for an exact 0).
        expect(right!.tolerance).toBe(value.isZero() ? '0' : new D(10).pow(value.abs().e - 2).div(2).toFixed());
        // Written to at least 6 decimal places: a value written -0.1 would be within a unit of its last
        // digit of an exact -0.2, which check calls a rounding slip rather than a mistake.
        return alts.map((a, k) => ({ file: `${b.path}#${k}`, ids: b.mistakes[k]!.ids, text: answersAt(b.path, new D(a.value).toFixed(Math.max(6, new D(a.value).decimalPlaces()))) }));
      });
      alternatives += files.length;
      const graded = checkAll(spec, files.map((f) => ({ file: f.file, text: f.text })));
      graded.forEach((g, k) => {
        if (!('report' in g)) throw g.error;
        const [result] = g.report.results;
        expect(result!.verdict, files[k]!.file).toBe('wrong');
        expect(result!.diagnosis.map((d) => d.id).some((id) => files[k]!.ids.includes(id)), `${files[k]!.file}: ${files[k]!.ids} in ${result!.diagnosis.map((d) => d.id)}`).toBe(true);
      });
    });
    expect(alternatives).toBeGreaterThan(10);
  });

  it('the booklet: a page per form and its key, environments closed', () => {
    const tex = r.files.get('booklet.tex')!;
    expect(tex.startsWith('\\documentclass[11pt]{article}')).toBe(true);
    expect(tex.match(/\\section\*\{Form \d+\}/g)).toEqual(['\\section*{Form 1}', '\\section*{Form 2}']);
    expect(tex.match(/\\subsection\*\{Form \d+\}/g)).toEqual(['\\subsection*{Form 1}', '\\subsection*{Form 2}']);
    for (const env of ['align*', 'tabular', 'document']) expect(tex.split(`\\begin{${env}}`).length, env).toBe(tex.split(`\\end{${env}}`).length);
    const keys = tex.slice(tex.indexOf('\\section*{Keys}'));
    for (const b of r.variants[1]!.blanks.filter((x) => new D(x.value).sd() <= 12)) expect(keys).toContain(`$${b.value}$ \\\\`);
  });
});

/** An answers file with one value at a path (epoch1.sample1.h1 -> nested YAML). */
function answersAt(path: string, value: string): string {
  const parts = path.split('.');
  return parts.map((p, i) => `${'  '.repeat(i)}${p}:${i === parts.length - 1 ? ` ${value}` : ''}`).join('\n') + '\n';
}
