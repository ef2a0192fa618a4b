// The trace as JSON: the contract of `exactprop run --format json`. Values are decimal strings at the
// working precision (with --exact, fractions p/q where a value has no finite decimal expansion);
// nothing passes through a double. A long run is written step by step as it is computed (one step
// per line), so the trace never has to be held whole.
import { decimalText, type Dec } from '../numeric/context.js';
import type { StepRecord, Trace } from '../graph/run.js';
import { adjointName, optimizerName } from '../graph/program.js';
import type { Certification } from '../certify/certify.js';

export interface JsonOptions {
  /** With --certify: each step also carries `certified_digits`, the same shape with digit counts. */
  certification?: Certification;
}

/** Everything but the steps and the warnings, known before the first step. */
export function traceHeader(trace: Trace, options: JsonOptions = {}): Record<string, unknown> {
  const { spec } = trace;
  const params = spec.params.map((p) => p.name);
  return {
    precision: spec.precision,
    arithmetic: isRationalContext(trace) ? 'rational' : 'decimal',
    optimizer: { name: spec.training.optimizer, title: spec.training.definition.title, options: spec.training.options },
    conventions: spec.conventions,
    ...(spec.frozen.length ? { frozen: spec.frozen } : {}),
    initial: { params: Object.fromEntries(params.map((p) => [p, decimalText(trace.initial.get(p)!)])) },
    ...(options.certification
      ? { certify: { reference_precision: options.certification.referencePrecision, fewest_certified_digits: options.certification.fewest } }
      : {}),
  };
}

/** One step: per sample the neurons, their adjoints, the gradient shares and the loss; then the loss,
 *  gradients, optimizer quantities and params of the step. `f` writes a value (text, or a digit count). */
function stepShape<T>(trace: Trace, s: StepRecord, f: (d: Dec) => T): Record<string, unknown> {
  const { spec } = trace;
  const neurons = spec.neurons.map((n) => n.name);
  const params = spec.params.map((p) => p.name);
  const pick = (names: string[], get: (name: string) => Dec | undefined) => {
    const out: Record<string, T> = {};
    for (const n of names) {
      const v = get(n);
      if (v !== undefined) out[n] = f(v);
    }
    return out;
  };
  const locals = trace.optimizer.updates.map((u) => u.name).filter((n) => n !== 'p');
  return {
    step: s.step,
    epoch: s.epoch,
    samples: s.samples.map((sample) => ({
      sample: sample.row + 1,
      values: pick(neurons, (n) => sample.values.get(n)),
      adjoints: pick(neurons, (n) => sample.values.get(adjointName(n))),
      gradients: pick(params, (p) => sample.values.get(adjointName(p))),
      loss: f(sample.values.get('loss')!),
    })),
    loss: {
      data: f(s.values.get('loss.data')!),
      penalty: f(s.values.get('loss.penalty') ?? trace.ctx.zero),
      total: f(s.values.get('loss.total')!),
    },
    gradients: pick(params, (p) => s.values.get(adjointName(p))),
    optimizer: Object.fromEntries(locals.map((local) => [local, pick(params, (p) => s.values.get(optimizerName(local, p)))])),
    params: pick(params, (p) => s.values.get(p)),
  };
}

export function stepJson(trace: Trace, s: StepRecord, options: JsonOptions = {}): Record<string, unknown> {
  const shape = stepShape(trace, s, decimalText);
  const c = options.certification;
  if (c) shape.certified_digits = stepShape(trace, s, (d) => c.digits.get(d) ?? c.precision);
  return shape;
}

function footer(trace: Trace, options: JsonOptions): Record<string, unknown> {
  return { warnings: trace.warnings, ...(options.certification ? { undecidable: options.certification.undecidable } : {}) };
}

/** The whole trace as one object (for a trace held in memory). */
export function traceJson(trace: Trace, options: JsonOptions = {}): object {
  return { ...traceHeader(trace, options), steps: trace.steps.map((s) => stepJson(trace, s, options)), ...footer(trace, options) };
}

/**
 * Writes the trace as JSON as it is computed: call `start` before the run, `step` for each finished
 * step, `end` after. The output is one JSON document: header fields, then `"steps": [` with one step
 * per line, then the warnings.
 */
export function jsonWriter(write: (text: string) => void, options: JsonOptions = {}) {
  let count = 0;
  return {
    start(trace: Trace) {
      const header = JSON.stringify(traceHeader(trace, options), null, 2);
      write(`${header.slice(0, -2)},\n  "steps": [`);
    },
    step(trace: Trace, s: StepRecord) {
      write(`${count++ ? ',' : ''}\n    ${JSON.stringify(stepJson(trace, s, options))}`);
    },
    end(trace: Trace) {
      const tail = JSON.stringify(footer(trace, options), null, 2);
      write(`\n  ],\n${tail.slice(2)}\n`);
    },
  };
}

function isRationalContext(trace: Trace): boolean {
  return typeof (trace.ctx.zero as unknown as { toDecimal?: unknown }).toDecimal === 'function';
}
