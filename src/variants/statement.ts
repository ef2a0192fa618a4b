// What a variant's question says, in TeX pieces that the Moodle, QTI and booklet writers lay out each
// their way: the network's equations, the loss, the initial params, the constants, the data, the
// training, and the label of each asked quantity. TeX comes from render/tex.ts, as in worked solutions.
import type { Spec } from '../spec/model.js';
import { notationFor } from '../render/solution-doc.js';
import { numberTex, type Notation } from '../render/tex.js';
import type { Quantities } from './quantities.js';

export interface Statement {
  /** `h_1 = \operatorname{relu}(...)`, one per neuron, in order. */
  neurons: string[];
  /** The sample loss, its reduction and the penalty, each a TeX line. */
  loss: string[];
  params: Array<{ tex: string; value: string }>;
  constants: Array<{ tex: string; value: string }>;
  data: { columns: string[]; rows: string[][] };
  /** The optimizer's title (plain text) and its options as TeX `name = value`. */
  optimizer: string;
  options: string[];
  epochs: number;
  batch: string;
}

export const texNumber = (text: string): string => numberTex(text.trim());

export function statementOf(spec: Spec, notation: Notation): Statement {
  const line = (name: string, expr: Spec['neurons'][number]['expr']) => `${notation.name(name)} = ${notation.formula(expr, { digits: 12 }).tex}`;
  const sample = notation.name('loss');
  const loss = [line('loss', spec.loss.sample.expr), `L_{\\text{data}} = ${spec.loss.reduce === 'mean' ? '\\frac{1}{n} ' : ''}\\sum ${sample}`];
  if (spec.loss.penalty) loss.push(`L = L_{\\text{data}} + ${notation.formula(spec.loss.penalty.expr, { digits: 12 }).tex}`);
  const columns = [...spec.inputs, ...spec.targets];
  return {
    neurons: spec.neurons.map((n) => line(n.name, n.expr)),
    loss,
    params: spec.params.map((p) => ({ tex: notation.name(p.name), value: texNumber(p.value) })),
    constants: Object.entries(spec.constants).map(([k, v]) => ({ tex: notation.name(k), value: texNumber(v) })),
    data: { columns: columns.map((c) => notation.name(c)), rows: spec.data.map((r) => columns.map((c) => texNumber(r[c]!))) },
    optimizer: spec.training.definition.title,
    options: Object.entries(spec.training.options).filter(([, v]) => typeof v === 'string').map(([k, v]) => `${notation.name(k)} = ${texNumber(v as string)}`),
    epochs: spec.training.epochs,
    batch: spec.training.batch === 'full' ? 'full batch' : `batches of ${spec.training.batch}`,
  };
}

/** The notation of a variant's documents (every name of the spec kept apart). */
export function notationOf(spec: Spec, q: Quantities): Notation {
  return notationFor(spec, q.trace.quantities);
}

/** Where a quantity is, in words: "Epoch 1, sample 2", "Step 3", "After training, sample 1". */
export function whereOf(path: string): string {
  const m = /^(epoch|step)(\d+)\.(?:sample(\d+)\.)?/.exec(path) ?? /^(final)\.(?:sample(\d+)\.)?/.exec(path);
  if (!m) return '';
  if (m[1] === 'final') return `After training${m[2] ? `, sample ${m[2]}` : ''}`;
  return `${m[1] === 'epoch' ? 'Epoch' : 'Step'} ${m[2]}${m[3] ? `, sample ${m[3]}` : ''}`;
}
