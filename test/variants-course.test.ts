// The committed example course (examples/course/variants): what the documented command writes, each
// student's spec rebuilt from the manifest alone, each key a run of its spec, each Moodle blank its key.
import { readFileSync, readdirSync } from 'node:fs';
import Decimal from 'decimal.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { makeVariants, parseSpec, run, variantSpecText, type Manifest } from '../src/index.js';
import { readCloze } from './helpers/cloze.js';

const D = Decimal.clone({ precision: 200 });
const folder = new URL('../examples/course/variants/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, folder), 'utf8');
const manifest = JSON.parse(read('manifest.json')) as Manifest;
const base = readFileSync(new URL('../examples/course/hw7-q2.yaml', import.meta.url), 'utf8');

const flat = (node: unknown, prefix = ''): Array<[string, string]> => Object.entries(node as Record<string, unknown>).flatMap(([k, v]) =>
  typeof v === 'string' ? [[prefix ? `${prefix}.${k}` : k, v] as [string, string]] : flat(v, prefix ? `${prefix}.${k}` : k));

describe('examples/course/variants', () => {
  it('30 variants of the course spec, the files the README lists', () => {
    expect(manifest.spec).toEqual({ file: 'hw7-q2.yaml', text: base });
    expect(manifest.seed).toBe('hw7-2026');
    expect(manifest.variants.map((v) => v.id)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
    expect(readdirSync(folder).sort()).toEqual(['booklet.tex', 'manifest.json', 'moodle.xml', ...manifest.variants.map((v) => v.spec.split('/')[0]!)].sort());
  });

  it('the command writes these files: the first three variants again, byte for byte', () => {
    const again = makeVariants(base, { file: 'hw7-q2.yaml', seed: 'hw7-2026', count: 3, exports: [] });
    for (const [path, text] of again.files) if (path !== 'manifest.json') expect(text, path).toBe(read(path));
    expect(again.manifest.variants).toEqual(manifest.variants.slice(0, 3));
  });

  it("each student's spec from the manifest alone; each key the run of that spec", () => {
    for (const v of manifest.variants) {
      const spec = read(v.spec);
      expect(variantSpecText(manifest, v.id)).toBe(spec);
      const trace = run(parseSpec(spec));
      const step1 = trace.steps[0]!;
      for (const [path, value] of flat(JSON.parse(read(v.key)))) {
        const [, where, a, b] = path.split('.');
        const exact = where!.startsWith('sample') ? step1.samples[Number(where!.slice(6)) - 1]!.values[a!]!
          : where === 'loss' ? step1.loss.total : where === 'gradients' ? step1.gradients[a!]! : where === 'params' ? step1.params[a!]! : `${b}`;
        expect(new D(value).eq(exact), `${v.spec} ${path}`).toBe(true);
      }
    }
  });

  it("Moodle: 30 Cloze questions, each blank its key's value to 3 significant digits", () => {
    const xml = read('moodle.xml');
    expect(XMLValidator.validate(xml)).toBe(true);
    const quiz = new XMLParser({ ignoreAttributes: false, cdataPropName: '#cdata' }).parse(xml).quiz;
    const questions = quiz.question.slice(1);
    expect(questions.length).toBe(30);
    questions.forEach((q: { questiontext: { text: { '#cdata': string } } }, i: number) => {
      const key = flat(JSON.parse(read(manifest.variants[i]!.key)));
      const blanks = readCloze(q.questiontext.text['#cdata']);
      expect(blanks.map((b) => b[0]!.value)).toEqual(key.map(([, v]) => v));
      for (const [j, b] of blanks.entries()) {
        const v = new D(key[j]![1]);
        expect(b[0]!.tolerance).toBe(v.isZero() ? '0' : new D(10).pow(v.abs().e - 2).div(2).toFixed());
      }
    });
  });

  it('the booklet: 30 forms, then their keys', () => {
    const tex = read('booklet.tex');
    expect(tex.match(/\\section\*\{Form \d+\}/g)!.length).toBe(30);
    expect(tex.match(/\\subsection\*\{Form \d+\}/g)!.length).toBe(30);
  });
});
