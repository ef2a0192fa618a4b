// check's diagnoses are one table (src/check/diagnoses.ts), every diagnosis a report can name: every
// entry is complete, the ids are unique, the README's table has a row for each id a report names and no
// other, the optimizer diagnoses read the optimizers' declared roles, and adding a diagnosis of either
// kind is one entry in that one file (shown on a copy of src/ with dummy entries appended and nothing
// else edited).
import { copyOfSource } from './helpers/source-copy.js';
import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIAGNOSES, isLocal, reportedId, type TrainingDiagnosisEntry } from '../src/check/diagnoses.js';
import { KERAS } from '../src/optimizers/keras.js';
import { PYTORCH } from '../src/optimizers/pytorch.js';
import { check, parseSpec } from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the table of diagnoses', () => {
  it('every entry has an id, a family, a text and one way to explain a value; ids are unique', () => {
    for (const d of DIAGNOSES) {
      expect(d.id).toMatch(/^[a-z0-9.+-]+$/);
      expect(d.family).toMatch(/^[a-z0-9-]+$/);
      expect(d.text.length).toBeGreaterThan(10);
      expect(typeof (isLocal(d) ? d.explainer : d.applies)).toBe('function');
    }
    const ids = DIAGNOSES.map((d) => d.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    // An entry reported under another's id is a form of that one: the same family, never combined.
    const aliases = DIAGNOSES.filter((d) => d.reportAs !== undefined).map((d) => [d.id, d.reportAs, DIAGNOSES.find((e) => e.id === d.reportAs)?.family === d.family]);
    expect(aliases).toEqual([
      ['biases-not-decayed', 'biases-not-regularised', true],
      ['activation-left-out', 'pre-activation-for-activation', true],
      ['wrong-slot-value', 'wrong-slot', true],
    ]);
    // Both kinds are in the table: the local ones are the wrong-slot diagnoses and the slips of one
    // neuron's forward computation.
    expect(DIAGNOSES.filter(isLocal).map((d) => d.id)).toEqual(['wrong-slot', 'bias-forgotten', 'weights-transposed', 'activation-left-out', 'wrong-slot-value']);
  });

  it("the README's diagnosis table has a row for every id a report names, and no other", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n### Diagnosis\n'), readme.indexOf('\n### Output\n'));
    // Rows after the header (`| id | what the student did |`) and its rule; a row may name several ids.
    const rows = section.split('\n').filter((line) => line.startsWith('| `'));
    const named = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    expect(rows.length).toBeGreaterThan(5);
    // Each id once, in one row; exactly the ids reports use (an alias has its main entry's row).
    expect(named.filter((id, i) => named.indexOf(id) !== i)).toEqual([]);
    expect(new Set(named)).toEqual(new Set(DIAGNOSES.map(reportedId)));
  });

  it('the built-in optimizers declare the roles the diagnoses read, naming real updates and options', () => {
    for (const [preset, table] of [['pytorch', PYTORCH], ['keras', KERAS]] as const) {
      for (const [name, def] of Object.entries(table)) {
        const roles = def.roles;
        expect(roles, `${preset} ${name}`).toBeDefined();
        const updates = def.updates({ ...def.options, weight_decay: '0.1' }).map((u) => u.name);
        for (const u of roles!.biasCorrection ?? []) expect(updates, `${preset} ${name}`).toContain(u);
        for (const o of [roles!.epsilon, roles!.weightDecay, roles!.momentum?.option, roles!.momentum?.lr]) if (o !== undefined) expect(Object.keys(def.options), `${preset} ${name}`).toContain(o);
        // The momentum state is a state of the optimizer (when its option is not 0) that an update sets.
        if (roles!.momentum) {
          const o = { ...def.options, [roles!.momentum.option]: '0.9' };
          expect(Object.keys(def.state(o)), `${preset} ${name}`).toContain(roles!.momentum.state);
          expect(def.updates(o).map((u) => u.name), `${preset} ${name}`).toContain(roles!.momentum.state);
        }
      }
    }
    expect(PYTORCH.adam!.roles).toEqual({ biasCorrection: ['mhat', 'vhat'], epsilon: 'eps', weightDecay: 'weight_decay' });
    expect([PYTORCH.sgd!.roles!.momentum, KERAS.sgd!.roles!.momentum]).toEqual([
      { state: 'buf', form: 'buffer', option: 'momentum', lr: 'lr' }, { state: 'velocity', form: 'velocity', option: 'momentum', lr: 'lr' },
    ]);
  });

  it('an optimizer written as equations gets the optimizer diagnoses for the roles it declares, whatever its names', () => {
    const tiny = (training: string[]) => parseSpec([
      'model: { inputs: [x], neurons: { yhat: w*x } }',
      'params: { w: 1 }',
      'data: [ { x: 2, y: 3 } ]',
      'loss: { sample: (y - yhat)^2, reduce: sum }',
      ...training,
    ].join('\n'), { file: 'tiny.yaml' });
    const applying = (spec: ReturnType<typeof tiny>) => DIAGNOSES.filter((d): d is TrainingDiagnosisEntry => !isLocal(d) && d.applies(spec) !== undefined).map((d) => d.id);
    // The built-in Adam, by its roles: both optimizer diagnoses apply.
    const builtIn = applying(tiny(['training: { optimizer: adam, lr: 0.1, eps: 1, epochs: 1 }']));
    expect(builtIn).toEqual(expect.arrayContaining(['adam-no-bias-correction', 'eps-inside-sqrt']));
    // The same Adam written out with other names: without roles neither applies; with them, both do.
    const renamed = (roles: string[]) => parseSpec([
      'model: { inputs: [x], neurons: { yhat: w*x } }',
      'params: { w: 1 }',
      'data: [ { x: 2, y: 3 } ]',
      'loss: { sample: (y - yhat)^2, reduce: sum }',
      'training:',
      '  optimizer:',
      '    title: Renamed Adam',
      '    hyperparameters: { lr: 0.1, b1: 0.9, b2: 0.999, tiny: 1 }',
      '    state: { mom: 0, sq: 0 }',
      '    update:',
      '      - mom: b1 * mom + (1 - b1) * g',
      '      - sq: b2 * sq + (1 - b2) * g^2',
      '      - mc: mom / (1 - b1^t)',
      '      - sc: sq / (1 - b2^t)',
      '      - p: p - lr * mc / (sqrt(sc) + tiny)',
      ...roles,
      '  epochs: 1',
    ].join('\n'), { file: 'renamed-adam.yaml' });
    const plain = renamed([]);
    expect(plain.training.definition.roles).toBeUndefined();
    expect(applying(plain)).not.toContain('adam-no-bias-correction');
    expect(applying(plain)).not.toContain('eps-inside-sqrt');
    const declared = renamed(['    roles: { bias_correction: [mc, sc], epsilon: tiny }']);
    expect(declared.training.definition.roles).toEqual({ biasCorrection: ['mc', 'sc'], epsilon: 'tiny' });
    expect(applying(declared)).toEqual(expect.arrayContaining(['adam-no-bias-correction', 'eps-inside-sqrt']));
    // A role must name the optimizer's own parts.
    expect(() => renamed(['    roles: { epsilon: eps }'])).toThrow(/'eps' is not a hyperparameter of this optimizer/);
  });
});

describe('adding a diagnosis is one entry in src/check/diagnoses.ts', () => {
  it('a copy of src/ with dummy entries appended diagnoses a step taken with lr/2 (a training entry) and a gradient with its decimal point moved (a local one)', { timeout: 60_000 }, async () => {
    // One param, one sample, SGD with lr 0.1: yhat = w x = 2, loss (y - yhat)^2 = 1, dL/dyhat = 2 (yhat - y)
    // = -2, dL/dw = -2 x = -4; w = 1 - 0.1 * (-4) = 1.4. With lr/2 = 0.05: w = 1 + 0.2 = 1.2. The gradient
    // is written right (-4), so the sample loss halved (which also gives 1.2) contradicts it.
    const specText = [
      'model: { inputs: [x], neurons: { yhat: w*x } }',
      'params: { w: 1 }',
      'data: [ { x: 2, y: 3 } ]',
      'loss: { sample: (y - yhat)^2, reduce: sum }',
      'training: { optimizer: sgd, lr: 0.1, epochs: 1 }',
    ].join('\n');
    const answers = 'step1:\n  gradients: { w: -4 }\n  params: { w: 1.2 }\n';
    const dummyText = 'lr halved: the update used lr/2';
    // The gradient written as -40, ten times the exact -4: no entry of the table reproduces it.
    const flipped = 'step1:\n  gradients: { w: -40 }\n';

    // The project itself: a new error, and nothing in its table reproduces it from the student's
    // values; only the training with the sample loss halved, redone from the start (its gradient -2,
    // where the student wrote -4), gives 1.2.
    const own = check(parseSpec(specText, { file: 'tiny.yaml' }), answers).results.find((r) => r.path === 'step1.params.w')!;
    expect([own.verdict, own.exact]).toEqual(['wrong', '1.4']);
    expect(own.diagnosis.map((d) => [d.id, /^matches the whole training redone from the start/.test(d.text)])).toEqual([['mse-with-half', true]]);
    const ownFlipped = check(parseSpec(specText, { file: 'tiny.yaml' }), flipped).results[0]!;
    expect([ownFlipped.path, ownFlipped.verdict, ownFlipped.exact, ownFlipped.diagnosis]).toEqual(['step1.gradients.w', 'wrong', '-4', []]);

    const dir = copyOfSource('diagnoses');
    try {
      // The one edit: an entry appended to the copy's table, with the helpers that file already imports.
      appendFileSync(join(dir, 'src/check/diagnoses.ts'), [
        '',
        'DIAGNOSES.push({',
        "  id: 'lr-halved', family: 'lr', text: 'the update used half the learning rate',",
        '  applies: (spec) => typeof spec.training.options.lr === \'string\'',
        `    ? { text: '${dummyText}', spec: (s) => withOptions(s, { lr: new ExactDecimal(s.training.options.lr as string).div(2).toString() }) }`,
        '    : undefined,',
        '});',
        // A local entry: it sees the written value and the student's values, not a rewritten training.
        'DIAGNOSES.push({',
        "  id: 'decimal-point', family: 'decimal-point', text: 'the value written with its decimal point one place to the right',",
        "  explainer: () => ({ id, reproduces, computed }) => (reproduces(computed(id).times(10)) ? ['the decimal point moved'] : []),",
        '});',
        '',
      ].join('\n'));

      const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(dir, 'src', path)).href)) as T;
      const copy = await load<typeof import('../src/index.js')>('index.ts');
      const report = copy.check(copy.parseSpec(specText, { file: 'tiny.yaml' }), answers);
      const r = report.results.find((x) => x.path === 'step1.params.w')!;
      expect([r.verdict, r.exact]).toEqual(['wrong', '1.4']);
      expect(r.diagnosis).toEqual([{ id: 'lr-halved', text: dummyText }]);
      // The gradient, written right, stays right.
      expect(report.results.find((x) => x.path === 'step1.gradients.w')!.verdict).toBe('correct');
      const sign = copy.check(copy.parseSpec(specText, { file: 'tiny.yaml' }), flipped).results[0]!;
      expect([sign.verdict, sign.exact, sign.diagnosis]).toEqual(['wrong', '-4', [{ id: 'decimal-point', text: 'the decimal point moved' }]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
