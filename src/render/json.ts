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

/**
 * One step, as JSON text: per sample the neurons, their adjoints, the gradient shares and the loss;
 * then the loss, gradients, optimizer quantities and params of the step. `f` writes a value as a JSON
 * token (a quoted decimal, or a digit count). Written as text directly: a long run writes hundreds of
 * thousands of values, and names are plain identifiers that need no escaping.
 */
function stepText(trace: Trace, s: StepRecord, f: (d: Dec) => string): string {
  const { spec } = trace;
  const neurons = spec.neurons.map((n) => n.name);
  const params = spec.params.map((p) => p.name);
  const object = (names: string[], get: (name: string) => Dec | undefined) => {
    let out = '';
    for (const n of names) {
      const v = get(n);
      if (v !== undefined) out += `${out ? ',' : ''}"${n}":${f(v)}`;
    }
    return `{${out}}`;
  };
  const locals = trace.optimizer.updates.map((u) => u.name).filter((n) => n !== 'p');
  const samples = s.samples.map((sample) => {
    const v = sample.values;
    return `{"sample":${sample.row + 1},"values":${object(neurons, (n) => v.get(n))},"adjoints":${object(neurons, (n) => v.get(adjointName(n)))},` +
      `"gradients":${object(params, (p) => v.get(adjointName(p)))},"loss":${f(v.get('loss')!)}}`;
  });
  const v = s.values;
  const optimizer = locals.map((local) => `"${local}":${object(params, (p) => v.get(optimizerName(local, p)))}`).join(',');
  return `{"step":${s.step},"epoch":${s.epoch},"samples":[${samples.join(',')}],` +
    `"loss":{"data":${f(v.get('loss.data')!)},"penalty":${f(v.get('loss.penalty') ?? trace.ctx.zero)},"total":${f(v.get('loss.total')!)}},` +
    `"gradients":${object(params, (p) => v.get(adjointName(p)))},"optimizer":{${optimizer}},"params":${object(params, (p) => v.get(p))}`;
}

/** One step as JSON text (closing brace included), with `certified_digits` when certified. */
function stepJsonText(trace: Trace, s: StepRecord, options: JsonOptions): string {
  const text = stepText(trace, s, (d) => `"${decimalText(d)}"`);
  const c = options.certification;
  if (!c) return `${text}}`;
  return `${text},"certified_digits":${stepText(trace, s, (d) => String(c.digits.get(d) ?? c.precision))}}}`;
}

export function stepJson(trace: Trace, s: StepRecord, options: JsonOptions = {}): Record<string, unknown> {
  return JSON.parse(stepJsonText(trace, s, options)) as Record<string, unknown>;
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
      write(`${count++ ? ',' : ''}\n    ${stepJsonText(trace, s, options)}`);
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
