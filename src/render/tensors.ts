// A torch-style spec's layer outputs shown as the tensors they are, the way a course draws them: a
// vector or a matrix as such, a [C, H, W] tensor as one matrix per channel. Typeset as pmatrix (Markdown,
// LaTeX, HTML); in plain text as aligned rows. The scalar equations above them are the calculation; this
// is the picture of its result.
import type { Dec } from '../numeric/context.js';
import type { Spec } from '../spec/model.js';
import type { SpecTensor } from '../spec/torch-model.js';
import type { Block, MathLine } from './document.js';
import type { Notation } from './tex.js';
import { rounded } from './numbers.js';

/** Each matrix of a tensor: the leading indices that name it and its rows of entries (a vector is one row). */
function matrices<T>(shape: readonly number[], entries: readonly T[]): Array<{ lead: number[]; rows: T[][] }> {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const rowsPer = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const leadShape = shape.slice(0, Math.max(0, shape.length - 2));
  const out: Array<{ lead: number[]; rows: T[][] }> = [];
  const per = rowsPer * cols;
  for (let m = 0; m * per < entries.length; m++) {
    const lead = leadShape.map((_, d) => Math.floor(m / leadShape.slice(d + 1).reduce((a, b) => a * b, 1)) % leadShape[d]!);
    out.push({ lead, rows: Array.from({ length: rowsPer }, (_, r) => entries.slice(m * per + r * cols, m * per + (r + 1) * cols) as T[]) });
  }
  return out;
}

/** The layers' outputs of one sample (for a batch-norm model, one packed sample: each tensor's entries
 *  of sample s of the batch are its s-th slice). */
function layerTensors(spec: Spec): Array<{ tensor: SpecTensor; part: string; sample?: number }> {
  const layers = (spec.tensors?.layers ?? []).filter((l) => l.type !== 'Flatten');
  const batch = spec.tensors?.batchSize;
  // A layer's intermediates (attention's scores and weights, a recurrent layer's gates) before its output.
  if (batch === undefined) return layers.flatMap((l) => [...l.parts, l].map((tensor) => ({ tensor, part: '' })));
  return layers.flatMap((l) => Array.from({ length: batch }, (_, s) => {
    const size = l.entries.length / batch;
    return { tensor: { ...l, entries: l.entries.slice(s * size, (s + 1) * size) }, part: ` (sample ${s + 1} of the batch)`, sample: s + 1 };
  }));
}

/** The blocks that show a sample's layer outputs as tensors: TeX matrices and plain rows. */
export function tensorBlocks(spec: Spec, value: (name: string) => Dec | undefined, digits: number, N: Notation | undefined, text: boolean): Block[] {
  const shown = layerTensors(spec);
  if (shown.length === 0) return [];
  const blocks: Block[] = [];
  if (N) {
    const lines: MathLine[] = shown.flatMap(({ tensor, sample }) => matrices(tensor.shape, tensor.entries).map(({ lead, rows }) => {
      const cells = rows.map((row) => row.map((e) => {
        const v = e === '' ? undefined : value(e);
        return v === undefined ? '\\cdot' : N.value(v, digits).tex;
      }).join(' & ')).join(' \\\\ ');
      // A channel's matrix is named as its entries are, with the channel's index: conv_1 is conv[1].
      const name = N.name(lead.length ? `${tensor.name}_${lead.join('_')}` : tensor.name);
      return { lhs: sample === undefined ? name : `{${name}}^{(${sample})}`, rel: '=', rhs: `\\begin{pmatrix} ${cells} \\end{pmatrix}` };
    }));
    blocks.push({ kind: 'paragraph', only: 'typeset', content: ['Each layer\'s output as a tensor (a matrix per channel):'] });
    blocks.push({ kind: 'math', only: 'typeset', groups: [lines] });
  }
  if (text) {
    const rows: string[] = [];
    for (const { tensor, part } of shown) {
      for (const { lead, rows: rs } of matrices(tensor.shape, tensor.entries)) {
        const cells = rs.map((r) => r.map((e) => {
          const v = e === '' ? undefined : value(e);
          return v === undefined ? '.' : rounded(v, digits);
        }));
        const width = Math.max(...cells.flat().map((c) => c.length));
        const label = `${tensor.name}${lead.map((i) => `[${i}]`).join('')}${part}`;
        cells.forEach((r, i) => rows.push(`${i === 0 ? label : ' '.repeat(label.length)} ${i === 0 ? '=' : ' '} [ ${r.map((c) => c.padStart(width)).join('  ')} ]`));
      }
    }
    for (const r of rows) blocks.push({ kind: 'paragraph', only: 'text', content: [{ literal: r }], plain: { indent: 6, tight: true } });
  }
  return blocks;
}
