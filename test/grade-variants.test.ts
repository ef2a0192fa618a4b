// grade against per-student variants (issue: variants, item 3): each student's sheet is marked against
// their own variant, rebuilt from the manifest of `exactprop variants` (examples/course/variants, the
// committed course of homework 7). Each variant's key.json is that variant's exact answers (held to
// `run` in test/variants-course.test.ts), so a student who hands in their own key scores full marks, and
// one who hands in a classmate's key is marked against their own variant and loses the values that differ.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classOfFiles, gradeVariants, type Manifest } from '../src/index.js';
import { cli } from './helpers/spec.js';

const folder = new URL('../examples/course/variants/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('manifest.json', folder), 'utf8')) as Manifest;
const key = (id: string) => readFileSync(new URL(manifest.variants.find((v) => v.id === id)!.key, folder), 'utf8');
const leaves = (node: unknown): number => (typeof node === 'string' ? 1 : Object.values(node as object).reduce((n: number, v) => n + leaves(v), 0));

describe('grading a class against its variants', () => {
  const answers = classOfFiles('class', [
    { file: '1.yaml', text: key('1') },
    { file: '2.yaml', text: key('2') },
    // Student 3 hands in student 1's key.
    { file: '3.yaml', text: key('1') },
    { file: 'nobody.yaml', text: key('1') },
  ]);
  const book = gradeVariants(manifest, answers);
  const student = (id: string) => book.students.find((s) => s.id === id)!;

  it('marks each student against their own variant', () => {
    const asked = leaves(JSON.parse(key('1')));
    expect(book.quantities.length).toBe(asked);
    for (const id of ['1', '2']) {
      expect(student(id).error).toBeUndefined();
      expect(student(id).counts.correct).toBe(asked);
      expect(student(id).score!.toString()).toBe(book.max.toString());
    }
    // Variant 1's first value, h1 of sample 1, is 3; variant 3's is not, so student 3's copy is wrong
    // from the first value on: marked against variant 3, not against the key they copied.
    const v3 = JSON.parse(key('3')) as { epoch1: { sample1: { h1: string } } };
    expect(v3.epoch1.sample1.h1).not.toBe('3');
    expect(student('3').score!.lt(book.max)).toBe(true);
    expect(student('3').firstError?.path).toBe('step1.sample1.h1');
  });

  it('grades a student the manifest has no variant for as that error', () => {
    expect(student('nobody').score).toBeUndefined();
    expect(student('nobody').error).toMatch(/no variant for id 'nobody'/);
  });

  it('from the command line: the manifest in place of the spec', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-grade-variants-'));
    writeFileSync(join(dir, 'class.csv'), ['id,epoch1.sample1.h1,epoch1.sample1.yhat', `1,3,${JSON.parse(key('1')).epoch1.sample1.yhat}`, `2,3,${JSON.parse(key('1')).epoch1.sample1.yhat}`].join('\n'));
    const r = await cli(['grade', join(folder.pathname, 'manifest.json'), join(dir, 'class.csv')]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n').map((l) => l.split(','));
    const [head, one, two] = rows as [string[], string[], string[]];
    const score = head.indexOf('score');
    expect(one[score]).toBe('2');
    // Student 2's variant has other values: the same numbers are not theirs.
    expect(Number(two[score])).toBeLessThan(2);
    const bad = await cli(['grade', join(dir, 'class.csv'), join(dir, 'class.csv')]);
    expect(bad.code).toBe(2);
  });
});
