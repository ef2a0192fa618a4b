// The tape (graph/tape.ts, run by the arithmetic kernel) is a second interpreter of the run's equations:
// every value it gives must be the closures' (graph/evaluate.ts) digit for digit, and whatever it cannot
// decide as they do (a kink at exactly 0, a value that is not finite, more digits than the precision,
// a maximum) must be handed back to them. Both are run on every spec the repository holds and on specs
// made to reach each instruction, and their traces compared as JSON text.
import { describe, expect, it } from 'vitest';
import { run, TAPE_FROM, type RunOptions } from '../src/graph/run.js';
import { traceJson, jsonWriter } from '../src/render/json.js';
import { parseSpec } from '../src/spec/validate.js';
import { allSpecs } from './helpers/specs.js';
import { scalarSpec } from './helpers/spec.js';
import { denseSpec } from '../bench/workloads.js';
import { tapeSettings } from '../src/graph/run-tape.js';
import type { Spec } from '../src/spec/model.js';
import { runStream } from '../src/index.js';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function both(spec: Spec, options: RunOptions = {}) {
  const closures = run(spec, { ...options, evaluator: 'closures' });
  const tape = run(spec, { ...options, evaluator: 'tape' });
  return { closures, tape, same: () => expect(JSON.stringify(traceJson(tape))).toBe(JSON.stringify(traceJson(closures))) };
}

/** The JSON trace as `exactprop run --format json` streams it, keeping only the latest step. */
function streamedJson(spec: Spec, evaluator: 'tape' | 'closures'): string {
  let text = '';
  const w = jsonWriter((t) => (text += t));
  const trace = run(spec, { evaluator, retain: 'last', onStart: (t) => w.start(t), onStepDone: (s, t) => w.step(t, s) });
  w.end(trace);
  return text;
}

const yamlSpec = (text: string) => parseSpec(text, 'tape.yaml');

describe('the tape gives the closures\' values, digit for digit', () => {
  for (const s of allSpecs()) {
    it(s.relative, () => {
      const spec = s.load();
      const { tape, same } = both(spec);
      same();
      expect(tape.warnings).toEqual(run(spec, { evaluator: 'closures' }).warnings);
    });
  }

  it('a dense ReLU network over a minibatch schedule, at precisions 20, 50 and 200', () => {
    for (const precision of [20, 50, 200]) {
      const text = denseSpec({ sizes: [3, 5, 4, 2], activations: ['relu', 'relu', 'linear'], samples: 7, steps: 3 }, precision).replace('epochs: 3', 'epochs: 3\n  batch: 3');
      const { tape, same } = both(yamlSpec(text));
      same();
      // Steps of 3, 3 and 1 samples: three programs, every step on the tape.
      expect(tape.stepsOnTape).toBe(9);
    }
  });

  it('tanh and sigmoid (calls of the fast kernels), Adam (square roots, divisions)', () => {
    const text = denseSpec({ sizes: [3, 4, 2], activations: ['tanh', 'sigmoid'], samples: 5, steps: 4 }, 60);
    const { tape, same } = both(yamlSpec(text));
    same();
    expect(tape.stepsOnTape).toBe(4);
  });

  it('every instruction: sums, products, quotients, powers, abs, sign through abs\'s derivative, leaky ReLU', () => {
    const text = `precision: 30
model:
  inputs: [x1, x2]
  neurons:
    a: leaky_relu(w1*x1 - w2*x2 + b, 0.2)
    c: abs(w3*x1 + w4*x2) / (1 + w1^2)
    d: (a * c * w3 * w4) + a^3 - (-c) + softplus(a)
  outputs: [d]
params: { w1: 0.5, w2: -0.25, w3: -0.5, w4: 1.5, b: 0.1 }
data:
  - { x1: 1, x2: 2, y: 1 }
  - { x1: -2, x2: 1, y: 0 }
  - { x1: 0.5, x2: -1, y: 2 }
loss:
  sample: (d - y)^2
  reduce: mean
training: { optimizer: adam, lr: 0.01, epochs: 3, batch: 2 }
`;
    const { tape, same } = both(yamlSpec(text));
    same();
    expect(tape.stepsOnTape).toBe(6);
  });

  it('a kink at exactly 0 is left to the closures, which warn of it; the other steps stay on the tape', () => {
    // h = relu(w*x - 1) is exactly 0 at the first sample of step 1 (w = 0.5, x = 2).
    const text = `model:
  inputs: [x]
  neurons:
    h: relu(w*x - 1)
    o: v*h + c
  outputs: [o]
params: { w: 0.5, v: 1, c: 0 }
data:
  - { x: 2, y: 1 }
  - { x: 3, y: 1 }
loss: { sample: (o - y)^2, reduce: mean }
training: { optimizer: sgd, lr: 0.1, epochs: 3, batch: 1 }
`;
    const { tape, closures, same } = both(yamlSpec(text));
    same();
    expect(tape.warnings.length).toBeGreaterThan(0);
    expect(tape.warnings).toEqual(closures.warnings);
    expect(tape.stepsOnTape).toBeGreaterThan(0);
    expect(tape.stepsOnTape).toBeLessThan(6);
  });

  it('a value with more digits than the precision keeps the whole run on the closures', () => {
    const text = `precision: 10
model:
  inputs: [x]
  neurons: { o: w*x }
  outputs: [o]
params: { w: 0.123456789012345 }
data: [ { x: 1, y: 1 } ]
loss: { sample: (o - y)^2, reduce: sum }
training: { optimizer: sgd, lr: 0.1, epochs: 2 }
`;
    const { tape, same } = both(yamlSpec(text));
    same();
    expect(tape.stepsOnTape).toBe(0);
  });

  it('a program whose arena would pass the memory ceiling stays on the closures, with the same values', () => {
    const spec = yamlSpec(denseSpec({ sizes: [3, 5, 2], activations: ['relu', 'linear'], samples: 4, steps: 2 }, 40));
    const ceiling = tapeSettings.arenaMaxBytes;
    try {
      tapeSettings.arenaMaxBytes = 10_000;
      const { tape, same } = both(spec);
      same();
      expect(tape.stepsOnTape).toBe(0);
    } finally {
      tapeSettings.arenaMaxBytes = ceiling;
    }
    expect(run(spec, { evaluator: 'tape' }).stepsOnTape).toBe(2);
  });

  it('a value that is not finite is located by the closures, with the same error', () => {
    const text = `model:
  inputs: [x]
  neurons: { o: log(w*x) }
  outputs: [o]
params: { w: 0 }
data: [ { x: 1, y: 1 } ]
loss: { sample: (o - y)^2, reduce: sum }
training: { optimizer: sgd, lr: 0.1, epochs: 1 }
`;
    const spec = yamlSpec(text);
    expect(() => run(spec, { evaluator: 'tape' })).toThrow(/step 1, sample 1: o is not a finite number/);
  });
});

describe('square roots in the kernel (SQRT)', () => {
  const spec = (w: string) => yamlSpec(`precision: 40
model:
  inputs: [x]
  neurons: { o: v * sqrt(w*x + 1) }
  outputs: [o]
params: { w: ${w}, v: 0.5 }
data:
  - { x: 0.5, y: 1 }
  - { x: 2, y: 2 }
  - { x: 0.25, y: 0.5 }
loss: { sample: (o - y)^2, reduce: mean }
training: { optimizer: adam, lr: 0.01, epochs: 3 }
`);

  it('give the closures\' values, in the model, its derivatives and Adam\'s update', () => {
    const { tape, same } = both(spec('3'));
    same();
    expect(tape.stepsOnTape).toBe(3);
  });

  it('of a negative value are handed back: the closures locate it, with the same error', () => {
    // w*x + 1 is -1 at the second sample.
    expect(() => run(spec('-1'), { evaluator: 'closures' })).toThrow(/step 1, sample 2: o is not a finite number/);
    expect(() => run(spec('-1'), { evaluator: 'tape' })).toThrow(/step 1, sample 2: o is not a finite number/);
  });
});

describe('which evaluator a run takes', () => {
  it("'auto': the closures for a hand exercise, the tape past TAPE_FROM sample evaluations", () => {
    const hw7 = allSpecs().find((s) => s.name === 'hw7-q2')!.load();
    expect(run(hw7).stepsOnTape).toBe(0);
    const spec = yamlSpec(denseSpec({ sizes: [4, 8, 3], activations: ['relu', 'linear'], samples: 40, steps: 12 }, 30));
    const trace = run(spec);
    expect(trace.sampleEquations.length * 40 * 12).toBeGreaterThan(TAPE_FROM);
    expect(trace.stepsOnTape).toBe(12);
  });
});

describe('the streamed JSON trace', () => {
  it('is the same text whether values are written from the arena or from values', () => {
    const spec = yamlSpec(denseSpec({ sizes: [2, 3, 1], activations: ['tanh', 'linear'], samples: 4, steps: 3 }, 40));
    const tape = streamedJson(spec, 'tape');
    expect(tape).toBe(streamedJson(spec, 'closures'));
    expect(JSON.parse(tape).steps).toHaveLength(3);
  });

  // Past TAPE_FROM sample evaluations, so the library's runStream runs it on the tape.
  const onTape = () => denseSpec({ sizes: [4, 8, 3], activations: ['relu', 'linear'], samples: 50, steps: 6 }, 30);

  it('written as bytes from the arena (runStream\'s bytesSink, as the command line writes a file) it is the same text, in the same order', () => {
    const spec = yamlSpec(onTape());
    const closures = streamedJson(spec, 'closures');
    let text = '';
    runStream(spec, (t) => (text += t), { format: 'json' });
    expect(text).toBe(closures);
    // Pieces in the order they came, the bytes copied at once (their view is the arena's memory).
    const pieces: Array<string | Uint8Array> = [];
    runStream(spec, (t) => pieces.push(t), { format: 'json', bytesSink: (b) => pieces.push(b.slice()) });
    // Every sample's values and every step's fields came as bytes: 50 samples and 1 block of a step's fields.
    expect(pieces.filter((p) => typeof p !== 'string')).toHaveLength(6 * 51);
    expect(pieces.map((p) => (typeof p === 'string' ? p : Buffer.from(p).toString('latin1'))).join('')).toBe(closures);
    // The bytes count toward the output limit as the text would.
    const limited = (outputBytes: number) => () => runStream(spec, () => {}, { format: 'json', bytesSink: () => {}, limits: { outputBytes } });
    expect(limited(closures.length - 1)).toThrow(/output/);
    expect(limited(closures.length)).not.toThrow();
  });

  it('the built command line writes a run on the tape to a file byte for byte as the closures give it', () => {
    const text = onTape();
    const dir = mkdtempSync(join(tmpdir(), 'exactprop-tape-'));
    writeFileSync(join(dir, 'dense.yaml'), text);
    const fd = openSync(join(dir, 'trace.json'), 'w');
    const r = spawnSync(process.execPath, [join(root, 'dist/exactprop.cjs'), 'run', join(dir, 'dense.yaml'), '--format', 'json'], { stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    expect(r.status).toBe(0);
    const written = readFileSync(join(dir, 'trace.json'), 'latin1');
    // Many times the command line's output buffer (64 KB): pieces written whole, copied and flushed.
    expect(written.length).toBeGreaterThan(900_000);
    expect(written).toBe(streamedJson(yamlSpec(text), 'closures'));
  });

  it('a step handed back after its program ran starts from the last step\'s values, not from what the failed program wrote', () => {
    // Sign descent with a step counter: step 1 moves x from 0.5 to 1, where the gradient is exactly 0,
    // so from step 2 sign(g) is at its kink and the closures compute the step. They start from step 1's
    // values, which the tape had left in the arena and its step 2 program then wrote over (k = 2 there).
    const text = scalarSpec('(x - 1)^2', '0.5', '{ optimizer: { title: sign descent, hyperparameters: { lr: 0.5 }, state: { k: 0 }, update: [ { k: k + 1 }, { p: p - lr*sign(g) } ] }, epochs: 3 }');
    const spec = yamlSpec(text);
    const closures = streamedJson(spec, 'closures');
    expect(streamedJson(spec, 'tape')).toBe(closures);
    const steps = (JSON.parse(closures) as { steps: Array<Record<string, Record<string, Record<string, string>>>> }).steps;
    expect(steps.map((s) => s.optimizer!.k!.x)).toEqual(['1', '2', '3']);
    expect(run(spec, { evaluator: 'tape', retain: 'last' }).stepsOnTape).toBe(1);
  });

  it('a step the run no longer keeps (retain: last) cannot be read after the next step overwrote it', () => {
    const spec = yamlSpec(denseSpec({ sizes: [2, 2, 1], activations: ['relu', 'linear'], samples: 2, steps: 3 }, 20));
    const seen: Array<() => unknown> = [];
    const values: Array<() => unknown> = [];
    const trace = run(spec, { evaluator: 'tape', retain: 'last', onStepDone: (s) => (seen.push(() => s.samples[0]!.ordered), values.push(() => s.values.get('W1_1_1'))) });
    expect(seen[2]!()).toHaveLength(run(spec).sampleEquations.length);
    expect(() => seen[0]!()).toThrow(/released/);
    // The step's own values too: the last step's are read from the arena, an earlier one's are gone.
    expect(values[2]!()!.toString()).toBe(run(spec, { evaluator: 'closures' }).steps[2]!.values.get('W1_1_1')!.toString());
    expect(trace.steps[trace.steps.length - 1]!.values.size).toBeGreaterThan(0);
    expect(() => values[0]!()).toThrow(/released/);
  });
});
