// The trace as JSON: the contract of `exactprop run --format json`. Values are decimal strings at the
// working precision (with --exact, fractions p/q where a value has no finite decimal expansion);
// nothing passes through a double. A long run is written step by step as it is computed (one step
// per line), so the trace never has to be held whole.
import type { Dec } from '../numeric/context.js';
import type { StepRecord, Trace } from '../graph/run.js';
import type { Equation } from '../graph/program.js';
import { adjointName, optimizerName } from '../graph/program.js';
import type { Certification } from '../certify/certify.js';
import { isRationalContext } from '../numeric/rational.js';
import { jsonSafe } from '../text/escape.js';
import type { SpecTensor } from '../spec/torch-model.js';
import { textTemplate, type TextTemplate } from '../numeric/arena.js';

/** Where ASCII text the run already has as bytes is written (in order with the text pieces): a view
 *  valid only during the call. */
export type BytesOut = (bytes: Uint8Array) => void;

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
    arithmetic: isRationalContext(trace.ctx) ? 'rational' : 'decimal',
    optimizer: { name: spec.training.optimizer, title: spec.training.definition.title, options: spec.training.options },
    conventions: spec.conventions,
    ...(spec.frozen.length ? { frozen: spec.frozen } : {}),
    initial: { params: Object.fromEntries(params.map((p) => [p, trace.initial.get(p)!.toString()])) },
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
function stepText(trace: Trace, s: StepRecord, f: (d: Dec) => string, emit: (piece: string) => void, decimalText = false, emitBytes?: BytesOut): void {
  const layout = layoutOf(trace);
  // A sample's values by position in the sample program: no name is looked up or built per value.
  const object = (entries: Array<[string, number]>, token: (i: number) => string) => {
    let out = '';
    for (let k = 0; k < entries.length; k++) out += `${out ? ',' : ''}"${entries[k]![0]}":${token(entries[k]![1])}`;
    return `{${out}}`;
  };
  // Written a sample at a time: each piece is small and dies young, where one string per step of a large
  // run would be megabytes that only a full garbage collection frees.
  emit(`{"step":${s.step},"epoch":${s.epoch},"samples":[`);
  // A sample's fields after its number, as a template the run fills with its values' text at once.
  const template = decimalText && !layout.tensors ? sampleTemplate(trace, layout, object) : undefined;
  s.samples.forEach((sample, i) => {
    // Bytes where the writer takes them: the values' text goes from the arena to the output unmade.
    const bytes = template && emitBytes && sample.fillBytes?.(template);
    if (bytes) {
      emit(`${i ? ',' : ''}{"sample":${sample.row + 1}`);
      emitBytes!(bytes);
      return;
    }
    const filled = template && sample.fill?.(template);
    if (filled !== undefined) {
      emit(`${i ? ',' : ''}{"sample":${sample.row + 1}${filled}`);
      return;
    }
    // The text of a value straight from where the run keeps it, when it can (no value is made).
    const { textOf } = sample;
    const token = decimalText && textOf ? (k: number) => `"${textOf(k)}"` : (k: number) => f(sample.ordered[k]!);
    // A computed quantity by its place in the sample program; an input from the sample's data row.
    const valueOf = (name: string) => {
      const at = layout.tensors!.index.get(name);
      return at !== undefined ? sample.ordered[at] : trace.given.rows[sample.row]!.get(name);
    };
    const tensors = layout.tensors ? `,"tensors":${sampleTensorsText(trace, layout.tensors, valueOf, f)}` : '';
    emit(`${i ? ',' : ''}{"sample":${sample.row + 1},"values":${object(layout.values, token)},"adjoints":${object(layout.adjoints, token)},` +
      `"gradients":${object(layout.shares, token)},"loss":${token(layout.loss)}${tensors}}`);
  });
  const v = s.values;
  // The step's own fields, from the run's text of them when it can (a template over the step's
  // equations, filled at once), else value by value.
  const stepTemplate = decimalText && s.fill && !layout.tensors ? stepFieldsTemplate(s.equations, (has, token) => stepFields(layout, has, token, f(trace.ctx.zero))) : undefined;
  const bytes = stepTemplate && emitBytes && s.fillBytes?.(stepTemplate);
  if (bytes) emitBytes!(bytes);
  const filled = !bytes && stepTemplate ? s.fill!(stepTemplate) : undefined;
  if (!bytes) emit(filled ?? stepFields(layout, (key) => v.has(key), (key) => f(v.get(key)!), f(trace.ctx.zero)));
  // A torch-style spec's params and buffers after the step, and their gradients, as PyTorch lays them out.
  if (layout.tensors) {
    const spec = trace.spec.tensors!;
    const dict = (tensors: SpecTensor[], key: (e: string) => string) =>
      `{${tensors.map((t) => `"${t.name}":${nestedText(t.shape, t.entries.map((e) => f(v.get(key(e))!)))}`).join(',')}}`;
    emit(`,"tensors":${dict([...spec.params, ...spec.buffers], (e) => e)},"tensor_gradients":${dict(spec.params, adjointName)}`);
  }
}

/** Nested JSON lists of `tokens` (row-major) in `shape`. */
function nestedText(shape: readonly number[], tokens: readonly string[]): string {
  if (shape.length === 0) return tokens[0]!;
  const build = (depth: number, offset: number, size: number): string => {
    if (depth === shape.length) return tokens[offset]!;
    const inner = size / shape[depth]!;
    return `[${Array.from({ length: shape[depth]! }, (_, i) => build(depth + 1, offset + i * inner, inner)).join(',')}]`;
  };
  return build(0, 0, tokens.length);
}

/** A sample's tensors: its input and the input's gradient, and each layer's output (a model with batch
 *  norm packs its batch into one sample: each tensor then leads with the batch's dimension). */
function sampleTensorsText(trace: Trace, t: NonNullable<Layout['tensors']>, value: (name: string) => Dec | undefined, f: (d: Dec) => string): string {
  const spec = trace.spec.tensors!;
  const batch = spec.batchSize;
  const shapeOf = (s: SpecTensor) => (batch === undefined ? s.shape : [batch, ...s.shape]);
  const tensor = (s: SpecTensor, key: (e: string) => string) => nestedText(shapeOf(s), s.entries.map((e) => {
    const d = value(key(e));
    return d === undefined ? 'null' : f(d);
  }));
  const inputs = spec.inputs.filter((s) => s.name !== '');
  return `{"input":{${inputs.map((s) => `"${s.name}":${tensor(s, (e) => e)}`).join(',')}},` +
    `"input_gradient":{${inputs.map((s) => `"${s.name}":${tensor(s, adjointName)}`).join(',')}},` +
    `"layers":{${spec.layers.map((l) => `"${l.name}":${tensor(l, (e) => e)}`).join(',')}}}`;
}

/** The step's fields after its samples: loss, gradients, optimizer quantities and params, each value's
 *  text given by `token` (of its key), the ones the step has (`has`). */
function stepFields(layout: Layout, has: (key: string) => boolean, token: (key: string) => string, zero: string): string {
  const named = (entries: Array<[string, string]>) => {
    let out = '';
    // Indexed, not destructured: this runs once per value of a step's template (thousands), cold.
    for (let k = 0; k < entries.length; k++) {
      const name = entries[k]![0];
      const key = entries[k]![1];
      if (has(key)) out += `${out ? ',' : ''}"${name}":${token(key)}`;
    }
    return `{${out}}`;
  };
  // Written in order, left to right: a template's holes are the tokens in the order they are asked for.
  let out = `],"loss":{"data":${token('loss.data')}`;
  out += `,"penalty":${has('loss.penalty') ? token('loss.penalty') : zero}`;
  out += `,"total":${token('loss.total')}}`;
  out += `,"gradients":${named(layout.gradients)}`;
  out += `,"optimizer":{${layout.optimizer.map(([local, entries]) => `"${local}":${named(entries)}`).join(',')}}`;
  out += `,"params":${named(layout.params)}`;
  return out;
}

/**
 * A template from text written with `hole(offset)` where each value goes (see DecimalArena.fill): the
 * holes are the offsets in the order written. Null when the text cannot be one (not ASCII).
 */
function holedTemplate(write: (hole: (offset: number) => string) => string): TextTemplate | null {
  const offsets: number[] = [];
  // A character no name or JSON piece holds marks each hole.
  const text = write((offset) => {
    offsets.push(offset);
    return '"\u0000"';
  });
  const pieces = text.split('\u0000');
  return pieces.length === offsets.length + 1 ? textTemplate(pieces, offsets) ?? null : null;
}

const stepTemplates = new WeakMap<Equation[], TextTemplate | null>();

/** stepFields as a template whose holes are the places of the step's equations. */
function stepFieldsTemplate(equations: Equation[], fields: (has: (key: string) => boolean, token: (key: string) => string) => string): TextTemplate | undefined {
  let known = stepTemplates.get(equations);
  if (known === undefined) {
    const index = new Map(equations.map((e, i) => [e.name, i]));
    known = holedTemplate((hole) => fields((key) => index.has(key), (key) => hole(index.get(key)!)));
    stepTemplates.set(equations, known);
  }
  return known ?? undefined;
}

const templates = new WeakMap<Trace, TextTemplate | null>();

/** The text of a sample after `{"sample":N` with a hole for each value. */
function sampleTemplate(trace: Trace, layout: Layout, object: (entries: Array<[string, number]>, token: (i: number) => string) => string): TextTemplate | undefined {
  let known = templates.get(trace);
  if (known === undefined) {
    known = holedTemplate((hole) => `,"values":${object(layout.values, hole)},"adjoints":${object(layout.adjoints, hole)},"gradients":${object(layout.shares, hole)},"loss":${hole(layout.loss)}}`);
    templates.set(trace, known);
  }
  return known ?? undefined;
}

interface Layout {
  values: Array<[string, number]>;
  adjoints: Array<[string, number]>;
  shares: Array<[string, number]>;
  loss: number;
  gradients: Array<[string, string]>;
  optimizer: Array<[string, Array<[string, string]>]>;
  params: Array<[string, string]>;
  /** A torch-style spec's: where each sample quantity sits in the sample program (inputs are read from
   *  the data row, so they are looked up by name). */
  tensors?: { index: Map<string, number> };
}
const layouts = new WeakMap<Trace, Layout>();

/** Where each JSON field's value is found, worked out once per trace. */
function layoutOf(trace: Trace): Layout {
  let layout = layouts.get(trace);
  if (layout) return layout;
  const index = new Map(trace.sampleEquations.map((e, i) => [e.name, i]));
  const at = (names: string[], key: (n: string) => string) =>
    names.filter((n) => index.has(key(n))).map((n): [string, number] => [n, index.get(key(n))!]);
  const neurons = trace.spec.neurons.map((n) => n.name);
  const params = trace.spec.params.map((p) => p.name);
  const locals = trace.optimizer.updates.map((u) => u.name).filter((n) => n !== 'p');
  layout = {
    values: at(neurons, (n) => n),
    adjoints: at(neurons, adjointName),
    shares: at(params, adjointName),
    loss: index.get('loss')!,
    gradients: params.map((p) => [p, adjointName(p)]),
    optimizer: locals.map((local) => [local, params.map((p): [string, string] => [p, optimizerName(local, p)])]),
    params: params.map((p) => [p, p]),
    ...(trace.spec.tensors ? { tensors: { index } } : {}),
  };
  layouts.set(trace, layout);
  return layout;
}

/** One step as JSON text (closing brace included), in pieces, with `certified_digits` when certified;
 *  pieces the run has as bytes go to `emitBytes` when given. */
function stepJsonText(trace: Trace, s: StepRecord, options: JsonOptions, emit: (piece: string) => void, emitBytes?: BytesOut): void {
  stepText(trace, s, (d) => `"${d.toString()}"`, emit, true, emitBytes);
  const c = options.certification;
  if (c) {
    emit(',"certified_digits":');
    stepText(trace, s, (d) => String(c.digits.get(d) ?? c.precision), emit);
    emit('}');
  }
  emit('}');
}

export function stepJson(trace: Trace, s: StepRecord, options: JsonOptions = {}): Record<string, unknown> {
  const pieces: string[] = [];
  stepJsonText(trace, s, options, (piece) => pieces.push(piece));
  return JSON.parse(pieces.join('')) as Record<string, unknown>;
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
export function jsonWriter(write: (text: string) => void, options: JsonOptions = {}, writeBytes?: BytesOut) {
  let count = 0;
  return {
    start(trace: Trace) {
      const header = jsonSafe(JSON.stringify(traceHeader(trace, options), null, 2));
      write(`${header.slice(0, -2)},\n  "steps": [`);
    },
    step(trace: Trace, s: StepRecord) {
      write(`${count++ ? ',' : ''}\n    `);
      stepJsonText(trace, s, options, write, writeBytes);
    },
    end(trace: Trace) {
      const tail = jsonSafe(JSON.stringify(footer(trace, options), null, 2));
      write(`\n  ],\n${tail.slice(2)}\n`);
    },
  };
}
