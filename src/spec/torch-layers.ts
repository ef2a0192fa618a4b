// torch.nn layers as equations. A layer of a torch-style spec names its torch.nn class (`type: Conv2d`)
// and gives its constructor's arguments with PyTorch's names, defaults and semantics; each entry of
// TORCH_LAYERS says what it needs (its params and buffers, by state_dict name and PyTorch's layout),
// what shape it makes of its input's (one sample's, unbatched, as torch.nn takes a single sample), and
// its scalar equations: each output entry (and each intermediate a hand calculation writes: a gate, a
// score, a mean) is a named quantity with its expression. Everything downstream (run, derive, check,
// certify, exact) sees plain scalar equations, so a layer kind is this one entry.
//
// Names of the quantities a layer writes (documented in the README): its output tensor is named by the
// layer's `name`, or by its type in lower case and its place (`relu2`), with 0-based indices: the
// output of `conv` at channel 1, row 0, column 2 is `conv_1_0_2`. Intermediates add a word:
// `lstm_i_0_1` (input gate, time 0, unit 1), `attn_score_0_1_0` (head 0, query 1, key 0), `ln_mean_0`.
import type { Plain } from './yaml.js';
import { at, indices, offsetOf, sizeOf, type Shape, type Tensor } from './tensor.js';

/** A layer as written: its type, its name and its constructor's arguments (numbers as text). */
export interface TorchLayer {
  type: string;
  name?: string;
  [key: string]: Plain | undefined;
}

/** A problem with a layer's arguments: the key it concerns ('' for the layer) and why. */
export interface LayerProblem {
  key: string;
  message: string;
}

/** A param or buffer a layer owns: its state_dict suffix (`weight`, `bias`, `running_mean`), shape, and
 *  for a buffer (or a param PyTorch initialises to a constant) the value it starts at when not given. */
export interface TorchParam {
  suffix: string;
  shape: Shape;
  buffer?: boolean;
  initial?: string;
}

/** What a layer's expansion writes through. */
export interface ExpandContext {
  /** The prefix of its quantities' names: its name, or its type in lower case and its place. */
  prefix: string;
  /** The tensor of scalar names of one of its params (by state_dict suffix). */
  param(suffix: string): Tensor;
  /** A per-sample data tensor it reads (a dropout mask, an embedding's one-hot lookup): the names of
   *  its columns in every data row, which the spec's reading fills from the layer's own data. */
  data(word: string, shape: Shape): Tensor;
  /** Writes an equation `name = text` and returns the name. */
  emit(name: string, text: string): string;
  /** Names a tensor of its intermediate quantities that a worked solution shows (attention's score
   *  and weight matrices, an LSTM's gates); an entry '' is one that does not exist (a masked score). */
  show?(name: string, tensor: Tensor): void;
  /** Says how a worked solution may show output entry `output` as a textbook does: the window of the
   *  input it reads beside the kernel it is multiplied by, entry by entry, summed, plus the bias. */
  window?(output: string, view: WindowView): void;
}

/** A convolution output as window times kernel: per input channel read, the window's entries (the
 *  input's scalar names, '' where the window lies on zero padding) and the kernel's, in the kernel's
 *  shape (a row for a 1-d kernel). */
export interface WindowView {
  windows: string[][][];
  kernels: string[][][];
  /** Each kernel's name as a matrix (conv_weight_0_1: out channel 0, in channel 1), when it has one. */
  kernelNames: Array<string | undefined>;
  bias?: string;
}

/** What a layer that reads the whole batch (batch norm) writes through: per-sample contexts, and the
 *  step's update of its buffers. */
export interface BatchContext {
  /** The prefix of its batch-level quantities (a channel's mean). */
  prefix: string;
  /** Each sample's context (its prefix carries the sample: bn_s0). */
  samples: ExpandContext[];
  param(suffix: string): Tensor;
  emit(name: string, text: string): string;
  /** After the step: buffer entry `scalar` becomes `text` (over the step's values and its own). */
  update(scalar: string, text: string): void;
  /** Names a tensor of batch statistics it computes (a channel's mean and variance), which a sheet may
   *  be asked for and check grades under a step's `batch:` section. */
  statistic(word: string, tensor: Tensor): void;
}

export interface TorchLayerKind {
  description: string;
  /** Its output shape given its input shape, or what is wrong. Arguments are checked here. */
  shape(layer: TorchLayer, input: Shape): Shape | LayerProblem;
  /** Its params and buffers (none for most). */
  params?(layer: TorchLayer, input: Shape): TorchParam[];
  /** Its equations, written through `cx`, and its output tensor. */
  expand(layer: TorchLayer, input: Tensor, cx: ExpandContext): Tensor;
  /** About how many terms its equations write for one sample (a product W*x is one), counted before
   *  any is written so that a layer too large to expand is refused first; the output's size if absent. */
  terms?(layer: TorchLayer, input: Shape, output: Shape): number;
  /** Whether it has params and so needs a `name` (their state_dict prefix). */
  named?: boolean;
  /** A layer whose samples depend on each other (statistics over the batch): its equations over the
   *  whole batch at once, one input tensor per sample. */
  expandBatch?(layer: TorchLayer, inputs: Tensor[], cx: BatchContext): Tensor[];
}

// ---------------------------------------------------------------------------------------------------
// Reading arguments. Numbers arrive as their text; counts are small whole numbers.

class ArgumentError extends Error {
  constructor(readonly key: string, message: string) {
    super(message);
  }
}

function int(layer: TorchLayer, key: string, fallback?: number, min = 0): number {
  const v = layer[key];
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new ArgumentError(key, `${layer.type} needs ${key}`);
    return fallback;
  }
  if (typeof v !== 'string' || !/^-?\d+$/.test(v) || v.length > 6) throw new ArgumentError(key, `${key} is a whole number`);
  const n = Number(v);
  if (n < min) throw new ArgumentError(key, `${key} is at least ${min}`);
  return n;
}

/** An argument that is one number for every spatial dimension or one per dimension (kernel_size: 2 or [2, 3]). */
function perDim(layer: TorchLayer, key: string, dims: number, fallback?: number[], min = 0): number[] {
  const v = layer[key];
  if (Array.isArray(v)) {
    if (v.length !== dims) throw new ArgumentError(key, `${key} has ${dims} entr${dims === 1 ? 'y' : 'ies'}, one per spatial dimension`);
    return v.map((x) => int({ type: layer.type, [key]: x } as TorchLayer, key, undefined, min));
  }
  if (v === undefined || v === null) {
    if (!fallback) throw new ArgumentError(key, `${layer.type} needs ${key}`);
    return fallback;
  }
  return new Array<number>(dims).fill(int(layer, key, undefined, min));
}

function flag(layer: TorchLayer, key: string, fallback: boolean): boolean {
  const v = layer[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new ArgumentError(key, `${key} is true or false`);
  return v;
}

/** A decimal argument (a slope, an epsilon, a probability), as its text. */
function decimal(layer: TorchLayer, key: string, fallback: string): string {
  const v = layer[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) throw new ArgumentError(key, `${key} is a number`);
  return v;
}

/** A dimension argument as PyTorch counts it on a batch (0 is the batch), turned into one of the
 *  sample's dimensions: dim 1 of a batch is dimension 0 of a sample; -1 is the last either way. */
function sampleDim(layer: TorchLayer, key: string, rank: number, fallback?: number): number {
  const v = layer[key];
  const d = v === undefined || v === null ? fallback : Number(v);
  if (d === undefined) throw new ArgumentError(key, `${layer.type} needs ${key}`);
  if (typeof v === 'string' && !/^-?\d+$/.test(v)) throw new ArgumentError(key, `${key} is a whole number`);
  if (d === 0) throw new ArgumentError(key, `${key} 0 is the batch dimension; a sample's dimensions are 1..${rank} (or -1..-${rank})`);
  const sample = d > 0 ? d - 1 : rank + d;
  if (sample < 0 || sample >= rank) throw new ArgumentError(key, `${key} ${d} is outside a ${rank}-dimensional sample (1..${rank} or -1..-${rank}; 0 is the batch)`);
  return sample;
}

const problemOf = (e: unknown): LayerProblem => {
  if (e instanceof ArgumentError) return { key: e.key, message: e.message };
  throw e;
};

/** Runs an argument reader, turning a bad argument into a LayerProblem. */
function shaped(f: () => Shape): Shape | LayerProblem {
  try {
    return f();
  } catch (e) {
    return problemOf(e);
  }
}

const needRank = (layer: TorchLayer, input: Shape, ranks: number[], what: string) => {
  if (!ranks.includes(input.length)) throw new ArgumentError('', `${layer.type} takes ${what}; its input here has shape [${input.join(', ')}]`);
};

// ---------------------------------------------------------------------------------------------------
// Writing expressions.

const sum = (terms: string[]) => (terms.length ? terms.join(' + ') : '0');
const times = (a: string, b: string) => `${a}*${b}`;
const paren = (t: string) => (/^[\w.]+$/.test(t) ? t : `(${t})`);

/** Applies `f` to every entry, writing each result under the prefix with the entry's index. */
function elementwise(input: Tensor, cx: ExpandContext, f: (x: string, k: number) => string): Tensor {
  const out = indices(input.shape).map((ix, k) => cx.emit(name(cx.prefix, ...ix), f(input.entries[k]!, k)));
  return { shape: input.shape, entries: out };
}

const name = (prefix: string, ...ix: number[]) => `${prefix}_${ix.join('_')}`;

// ---------------------------------------------------------------------------------------------------
// Convolution and pooling over N spatial dimensions (1 or 2), input [C, ...spatial].

interface Window {
  kernel: number[];
  stride: number[];
  padding: number[];
  dilation: number[];
}

/** Output length of a window sliding over `length` (floor, or ceil with PyTorch's rule that the last
 *  window starts inside the input or its left padding). */
function slide(length: number, k: number, s: number, p: number, d: number, ceil = false): number {
  const span = length + 2 * p - d * (k - 1) - 1;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= length + p) out--;
  return out;
}

function windowOf(layer: TorchLayer, dims: number, pooling: boolean): Window {
  const kernel = perDim(layer, 'kernel_size', dims, undefined, 1);
  return {
    kernel,
    stride: perDim(layer, 'stride', dims, pooling ? kernel : new Array<number>(dims).fill(1), 1),
    padding: perDim(layer, 'padding', dims, new Array<number>(dims).fill(0)),
    dilation: perDim(layer, 'dilation', dims, new Array<number>(dims).fill(1), 1),
  };
}

/** A convolution's (or a transposed one's) channels and groups, checked against its input. */
function channels(layer: TorchLayer, input: Shape, dims: 1 | 2): { inC: number; outC: number; groups: number } {
  needRank(layer, input, [dims + 1], dims === 1 ? 'a [channels, length] input' : 'a [channels, height, width] input');
  const inC = int(layer, 'in_channels', undefined, 1);
  const outC = int(layer, 'out_channels', undefined, 1);
  const groups = int(layer, 'groups', 1, 1);
  if (input[0] !== inC) throw new ArgumentError('in_channels', `in_channels is ${inC} but the input has ${input[0]} channels (shape [${input.join(', ')}])`);
  if (inC % groups || outC % groups) throw new ArgumentError('groups', `in_channels and out_channels must be divisible by groups (${groups})`);
  return { inC, outC, groups };
}

function convolution(dims: 1 | 2): TorchLayerKind {
  const read = (layer: TorchLayer, input: Shape) => {
    const { inC, outC, groups } = channels(layer, input, dims);
    if (layer.padding_mode !== undefined && layer.padding_mode !== 'zeros') throw new ArgumentError('padding_mode', "only padding_mode 'zeros' (PyTorch's default)");
    const w = windowOf(layer, dims, false);
    const out = input.slice(1).map((len, d) => slide(len, w.kernel[d]!, w.stride[d]!, w.padding[d]!, w.dilation[d]!));
    if (out.some((n) => n < 1)) throw new ArgumentError('kernel_size', `the kernel (with its dilation) is larger than the padded input [${input.slice(1).join(', ')}]`);
    return { inC, outC, groups, w, out, bias: flag(layer, 'bias', true) };
  };
  return {
    description: `torch.nn.Conv${dims}d: cross-correlation (no kernel flip) with stride, zero padding, dilation and groups`,
    named: true,
    terms: (layer, input, output) => sizeOf(output) * (input[0]! / int(layer, 'groups', 1, 1)) * sizeOf(perDim(layer, 'kernel_size', dims, undefined, 1)),
    shape: (layer, input) => shaped(() => { const r = read(layer, input); return [r.outC, ...r.out]; }),
    params: (layer, input) => {
      const r = read(layer, input);
      return [{ suffix: 'weight', shape: [r.outC, r.inC / r.groups, ...r.w.kernel] }, ...(r.bias ? [{ suffix: 'bias', shape: [r.outC] }] : [])];
    },
    expand: (layer, input, cx) => {
      const r = read(layer, input.shape);
      const W = cx.param('weight');
      const b = r.bias ? cx.param('bias') : undefined;
      const perGroupIn = r.inC / r.groups;
      const perGroupOut = r.outC / r.groups;
      const entries: string[] = [];
      for (const [o, ...pos] of indices([r.outC, ...r.out])) {
        const g = Math.floor(o! / perGroupOut);
        const terms: string[] = [];
        const view: WindowView = { windows: [], kernels: [], kernelNames: [] };
        const cols = r.w.kernel[dims - 1]!;
        for (let ci = 0; ci < perGroupIn; ci++) {
          const window: string[] = [];
          const kernel: string[] = [];
          for (const kpos of indices(r.w.kernel)) {
            const src = pos.map((p, d) => p * r.w.stride[d]! - r.w.padding[d]! + kpos[d]! * r.w.dilation[d]!);
            kernel.push(at(W, [o!, ci, ...kpos]));
            const padded = src.some((s, d) => s < 0 || s >= input.shape[d + 1]!);
            window.push(padded ? '' : at(input, [g * perGroupIn + ci, ...src]));
            if (padded) continue; // zero padding
            terms.push(times(at(W, [o!, ci, ...kpos]), at(input, [g * perGroupIn + ci, ...src])));
          }
          const grid = (flat: string[]) => Array.from({ length: flat.length / cols }, (_, row) => flat.slice(row * cols, (row + 1) * cols));
          view.windows.push(grid(window));
          view.kernels.push(grid(kernel));
          view.kernelNames.push(W.name === undefined ? undefined : `${W.name}_${o}_${ci}`);
        }
        if (b) terms.push(at(b, [o!]));
        if (b) view.bias = at(b, [o!]);
        const out = cx.emit(name(cx.prefix, o!, ...pos), sum(terms));
        cx.window?.(out, view);
        entries.push(out);
      }
      return { shape: [r.outC, ...r.out], entries };
    },
  };
}

function transposedConvolution(dims: 1 | 2): TorchLayerKind {
  const read = (layer: TorchLayer, input: Shape) => {
    const { inC, outC, groups } = channels(layer, input, dims);
    const w = windowOf(layer, dims, false);
    const outputPadding = perDim(layer, 'output_padding', dims, new Array<number>(dims).fill(0));
    outputPadding.forEach((op, d) => {
      if (op >= Math.max(w.stride[d]!, w.dilation[d]!)) throw new ArgumentError('output_padding', 'output_padding must be smaller than either stride or dilation (as PyTorch requires)');
    });
    const out = input.slice(1).map((len, d) => (len - 1) * w.stride[d]! - 2 * w.padding[d]! + w.dilation[d]! * (w.kernel[d]! - 1) + outputPadding[d]! + 1);
    if (out.some((n) => n < 1)) throw new ArgumentError('padding', 'the padding leaves no output');
    return { inC, outC, groups, w, out, bias: flag(layer, 'bias', true) };
  };
  return {
    description: `torch.nn.ConvTranspose${dims}d: each input entry scatters the kernel times its value into the output (the gradient of Conv${dims}d with respect to its input)`,
    named: true,
    terms: (layer, input, output) => sizeOf(input) * (output[0]! / int(layer, 'groups', 1, 1)) * sizeOf(perDim(layer, 'kernel_size', dims, undefined, 1)) + sizeOf(output),
    shape: (layer, input) => shaped(() => { const r = read(layer, input); return [r.outC, ...r.out]; }),
    params: (layer, input) => {
      const r = read(layer, input);
      return [{ suffix: 'weight', shape: [r.inC, r.outC / r.groups, ...r.w.kernel] }, ...(r.bias ? [{ suffix: 'bias', shape: [r.outC] }] : [])];
    },
    expand: (layer, input, cx) => {
      const r = read(layer, input.shape);
      const W = cx.param('weight');
      const outShape = [r.outC, ...r.out];
      const terms: string[][] = Array.from({ length: sizeOf(outShape) }, () => []);
      const perGroupIn = r.inC / r.groups;
      const perGroupOut = r.outC / r.groups;
      // Scatter, in the order PyTorch's definition sums: input channel, input position, kernel position.
      for (const [c, ...pos] of indices(input.shape)) {
        const g = Math.floor(c! / perGroupIn);
        for (let oc = 0; oc < perGroupOut; oc++) {
          for (const kpos of indices(r.w.kernel)) {
            const dst = pos.map((p, d) => p * r.w.stride[d]! - r.w.padding[d]! + kpos[d]! * r.w.dilation[d]!);
            if (dst.some((s, d) => s < 0 || s >= r.out[d]!)) continue;
            const o = g * perGroupOut + oc;
            const k = offsetOf(outShape, [o, ...dst]);
            terms[k]!.push(times(at(W, [c!, oc, ...kpos]), at(input, [c!, ...pos])));
          }
        }
      }
      const b = r.bias ? cx.param('bias') : undefined;
      const entries = indices(outShape).map((ix, k) => cx.emit(name(cx.prefix, ...ix), sum([...terms[k]!, ...(b ? [at(b, [ix[0]!])] : [])])));
      return { shape: outShape, entries };
    },
  };
}

function pooling(dims: 1 | 2, kind: 'max' | 'avg'): TorchLayerKind {
  const read = (layer: TorchLayer, input: Shape) => {
    needRank(layer, input, [dims + 1], dims === 1 ? 'a [channels, length] input' : 'a [channels, height, width] input');
    const w = windowOf(layer, dims, true);
    if (kind === 'avg' && layer.dilation !== undefined) throw new ArgumentError('dilation', 'AvgPool has no dilation');
    w.padding.forEach((p, d) => {
      if (p * 2 > w.kernel[d]!) throw new ArgumentError('padding', 'padding should be at most half the kernel size (as PyTorch requires)');
    });
    if (layer.return_indices === true) throw new ArgumentError('return_indices', 'return_indices is not supported: the layer passes on its values');
    const ceil = flag(layer, 'ceil_mode', false);
    const out = input.slice(1).map((len, d) => slide(len, w.kernel[d]!, w.stride[d]!, w.padding[d]!, w.dilation[d]!, ceil));
    if (out.some((n) => n < 1)) throw new ArgumentError('kernel_size', `the window is larger than the padded input [${input.slice(1).join(', ')}]`);
    return { w, out, ceil };
  };
  return {
    description: kind === 'max'
      ? `torch.nn.MaxPool${dims}d: the largest entry of each window (padding never wins); at a tie the gradient goes to the first in scan order (conventions.max_tie)`
      : `torch.nn.AvgPool${dims}d: the mean of each window (count_include_pad, divisor_override as PyTorch)`,
    shape: (layer, input) => shaped(() => { const r = read(layer, input); return [input[0]!, ...r.out]; }),
    terms: (layer, _input, output) => sizeOf(output) * sizeOf(perDim(layer, 'kernel_size', dims, undefined, 1)),
    expand: (layer, input, cx) => {
      const { w, out } = read(layer, input.shape);
      const countPad = flag(layer, 'count_include_pad', true);
      const override = layer.divisor_override !== undefined && layer.divisor_override !== null ? int(layer, 'divisor_override', undefined, 1) : undefined;
      const spatial = input.shape.slice(1);
      const entries: string[] = [];
      for (const [c, ...pos] of indices([input.shape[0]!, ...out])) {
        const members: string[] = [];
        let padded = 1;
        for (let d = 0; d < dims; d++) {
          // PyTorch's average divides by the window clipped to the padded input.
          const start = pos[d]! * w.stride[d]! - w.padding[d]!;
          padded *= Math.min(start + w.kernel[d]!, spatial[d]! + w.padding[d]!) - start;
        }
        for (const kpos of indices(w.kernel)) {
          const src = pos.map((p, d) => p * w.stride[d]! - w.padding[d]! + kpos[d]! * w.dilation[d]!);
          if (src.some((s, d) => s < 0 || s >= spatial[d]!)) continue;
          members.push(at(input, [c!, ...src]));
        }
        let text: string;
        if (kind === 'max') text = members.length === 1 ? members[0]! : `maximum(${members.join(', ')})`;
        else {
          const divisor = override ?? (countPad ? padded : members.length);
          text = members.length === 1 && divisor === 1 ? members[0]! : `(${sum(members)}) / ${divisor}`;
        }
        entries.push(cx.emit(name(cx.prefix, c!, ...pos), text));
      }
      return { shape: [input.shape[0]!, ...out], entries };
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The kinds.

const activation = (description: string, f: (layer: TorchLayer) => (x: string) => string): TorchLayerKind => ({
  description,
  shape: (layer, input) => shaped(() => { f(layer); return input; }),
  expand: (layer, input, cx) => elementwise(input, cx, f(layer)),
});

const linear: TorchLayerKind = {
  description: 'torch.nn.Linear: y = x W^T + b on the last dimension (weight [out_features, in_features])',
  named: true,
  terms: (_layer, input, output) => sizeOf(output) * (input[input.length - 1] ?? 1),
  shape: (layer, input) => shaped(() => {
    const inF = int(layer, 'in_features', undefined, 1);
    const outF = int(layer, 'out_features', undefined, 1);
    if (input.length === 0 || input[input.length - 1] !== inF) throw new ArgumentError('in_features', `in_features is ${inF} but the input's last dimension is ${input[input.length - 1] ?? 'missing'} (shape [${input.join(', ')}])`);
    return [...input.slice(0, -1), outF];
  }),
  params: (layer) => {
    const inF = int(layer, 'in_features', undefined, 1);
    const outF = int(layer, 'out_features', undefined, 1);
    return [{ suffix: 'weight', shape: [outF, inF] }, ...(flag(layer, 'bias', true) ? [{ suffix: 'bias', shape: [outF] }] : [])];
  },
  expand: (layer, input, cx) => {
    const inF = int(layer, 'in_features', undefined, 1);
    const outF = int(layer, 'out_features', undefined, 1);
    const W = cx.param('weight');
    const b = flag(layer, 'bias', true) ? cx.param('bias') : undefined;
    const lead = input.shape.slice(0, -1);
    const shape = [...lead, outF];
    const entries = indices(shape).map((ix) => {
      const row = ix.slice(0, -1);
      const o = ix[ix.length - 1]!;
      const terms = Array.from({ length: inF }, (_, i) => times(at(W, [o, i]), at(input, [...row, i])));
      if (b) terms.push(at(b, [o]));
      return cx.emit(name(cx.prefix, ...ix), sum(terms));
    });
    return { shape, entries };
  },
};

const flatten: TorchLayerKind = {
  description: 'torch.nn.Flatten: dimensions start_dim..end_dim (of a batch: 1 is a sample\'s first) made one, in row-major order',
  shape: (layer, input) => shaped(() => {
    const start = sampleDim(layer, 'start_dim', input.length, 1);
    const end = sampleDim(layer, 'end_dim', input.length, -1);
    if (end < start) throw new ArgumentError('end_dim', 'end_dim comes before start_dim');
    return [...input.slice(0, start), sizeOf(input.slice(start, end + 1)), ...input.slice(end + 1)];
  }),
  // A new view of the same quantities: no equations.
  expand: (layer, input) => ({ shape: flatten.shape(layer, input.shape) as Shape, entries: input.entries }),
};

const softmax: TorchLayerKind = {
  description: 'torch.nn.Softmax: softmax along dim (of a batch: 1 is a sample\'s first, -1 the last)',
  shape: (layer, input) => shaped(() => { sampleDim(layer, 'dim', input.length); return input; }),
  terms: (layer, input) => sizeOf(input) * input[sampleDim(layer, 'dim', input.length)]!,
  expand: (layer, input, cx) => {
    const dim = sampleDim(layer, 'dim', input.shape.length);
    const n = input.shape[dim]!;
    const entries = indices(input.shape).map((ix) => {
      const slice = Array.from({ length: n }, (_, j) => at(input, ix.map((v, d) => (d === dim ? j : v))));
      return cx.emit(name(cx.prefix, ...ix), `softmax(${ix[dim]! + 1}, ${slice.join(', ')})`);
    });
    return { shape: input.shape, entries };
  },
};

const layerNorm: TorchLayerKind = {
  description: 'torch.nn.LayerNorm: each sample normalised over its last dimensions (biased variance), then weight and bias',
  named: true,
  shape: (layer, input) => shaped(() => { normalized(layer, input); decimal(layer, 'eps', '1e-5'); return input; }),
  terms: (_layer, input) => 4 * sizeOf(input),
  params: (layer, input) => {
    const shape = normalized(layer, input);
    if (!flag(layer, 'elementwise_affine', true)) return [];
    return [{ suffix: 'weight', shape, initial: '1' }, ...(flag(layer, 'bias', true) ? [{ suffix: 'bias', shape, initial: '0' }] : [])];
  },
  expand: (layer, input, cx) => {
    const shape = normalized(layer, input.shape);
    const eps = decimal(layer, 'eps', '1e-5');
    const affine = flag(layer, 'elementwise_affine', true);
    const W = affine ? cx.param('weight') : undefined;
    const B = affine && flag(layer, 'bias', true) ? cx.param('bias') : undefined;
    const outer = input.shape.slice(0, input.shape.length - shape.length);
    const n = sizeOf(shape);
    const entries = new Array<string>(input.entries.length);
    for (const o of indices(outer)) {
      const members = indices(shape).map((ix) => at(input, [...o, ...ix]));
      const mean = cx.emit(name(`${cx.prefix}_mean`, ...o).replace(/_$/, ''), `(${sum(members)}) / ${n}`);
      const variance = cx.emit(name(`${cx.prefix}_var`, ...o).replace(/_$/, ''), `(${sum(members.map((m) => `(${m} - ${mean})^2`))}) / ${n}`);
      for (const ix of indices(shape)) {
        const full = [...o, ...ix];
        const xhat = cx.emit(name(`${cx.prefix}_xhat`, ...full), `(${at(input, full)} - ${mean}) / sqrt(${variance} + ${eps})`);
        let y = xhat;
        if (W) y = times(at(W, ix), xhat);
        if (B) y = `${y} + ${at(B, ix)}`;
        entries[offsetOf(input.shape, full)] = cx.emit(name(cx.prefix, ...full), y);
      }
    }
    return { shape: input.shape, entries };
  },
};

function normalized(layer: TorchLayer, input: Shape): number[] {
  const v = layer.normalized_shape;
  const shape = Array.isArray(v) ? v.map((x) => int({ type: layer.type, n: x } as TorchLayer, 'n', undefined, 1)) : [int(layer, 'normalized_shape', undefined, 1)];
  const tail = input.slice(input.length - shape.length);
  if (shape.length > input.length || tail.some((d, i) => d !== shape[i])) {
    throw new ArgumentError('normalized_shape', `normalized_shape [${shape.join(', ')}] must be the last dimensions of the input (shape [${input.join(', ')}])`);
  }
  return shape;
}

const dropout: TorchLayerKind = {
  description: 'torch.nn.Dropout in training, with the mask given: y = x * mask / (1 - p); `mask:` holds one 0/1 tensor per data row',
  shape: (layer, input) => shaped(() => {
    const p = decimal(layer, 'p', '0.5');
    if (!(Number(p) >= 0 && Number(p) < 1)) throw new ArgumentError('p', 'p is a probability from 0 up to (not including) 1');
    return input;
  }),
  expand: (layer, input, cx) => {
    const p = decimal(layer, 'p', '0.5');
    const mask = cx.data('mask', input.shape);
    return elementwise(input, cx, (x, k) => `${x} * ${mask.entries[k]} / (1 - ${p})`);
  },
};


const embedding: TorchLayerKind = {
  description: 'torch.nn.Embedding: each index of the input picks a row of weight [num_embeddings, embedding_dim]',
  named: true,
  shape: (layer, input) => shaped(() => {
    needRank(layer, input, [1], 'a [length] input of indices');
    int(layer, 'num_embeddings', undefined, 1);
    if (layer.padding_idx !== undefined && layer.padding_idx !== null) throw new ArgumentError('padding_idx', 'padding_idx is not supported');
    return [input[0]!, int(layer, 'embedding_dim', undefined, 1)];
  }),
  params: (layer) => [{ suffix: 'weight', shape: [int(layer, 'num_embeddings', undefined, 1), int(layer, 'embedding_dim', undefined, 1)] }],
  terms: (layer, _input, output) => sizeOf(output) * int(layer, 'num_embeddings', undefined, 1),
  // The lookup of index i is the one-hot row of i times the weight: the same equations for every
  // sample, whatever its indices (the spec's reading turns each row's indices into the one-hot data).
  expand: (layer, input, cx) => {
    const num = int(layer, 'num_embeddings', undefined, 1);
    const dim = int(layer, 'embedding_dim', undefined, 1);
    const W = cx.param('weight');
    const onehot = cx.data('onehot', [input.shape[0]!, num]);
    const shape = [input.shape[0]!, dim];
    const entries = indices(shape).map(([l, d]) =>
      cx.emit(name(cx.prefix, l!, d!), sum(Array.from({ length: num }, (_, k) => times(at(onehot, [l!, k]), at(W, [k, d!]))))));
    return { shape, entries };
  },
};

// Recurrent layers: one layer, unidirectional, zero initial state; input [L, input_size], output
// [L, hidden_size] (torch's `output`, batch_first). Gate rows are stacked as PyTorch stacks them.
function recurrent(kind: 'RNN' | 'GRU' | 'LSTM'): TorchLayerKind {
  const gates = kind === 'RNN' ? 1 : kind === 'GRU' ? 3 : 4;
  const read = (layer: TorchLayer, input: Shape) => {
    needRank(layer, input, [2], 'a [length, input_size] input (a sequence)');
    const inS = int(layer, 'input_size', undefined, 1);
    const hidden = int(layer, 'hidden_size', undefined, 1);
    if (input[1] !== inS) throw new ArgumentError('input_size', `input_size is ${inS} but the input has ${input[1]} features per step (shape [${input.join(', ')}])`);
    if (int(layer, 'num_layers', 1, 1) !== 1) throw new ArgumentError('num_layers', 'one layer only: stack RNN layers one after another instead');
    if (flag(layer, 'bidirectional', false)) throw new ArgumentError('bidirectional', 'bidirectional is not supported');
    if (layer.batch_first === false) throw new ArgumentError('batch_first', 'a sample is [length, input_size]: batch_first is implied');
    if (layer.dropout !== undefined && Number(layer.dropout) !== 0) throw new ArgumentError('dropout', 'dropout between layers does not apply to one layer');
    if (kind === 'LSTM' && layer.proj_size !== undefined && Number(layer.proj_size) !== 0) throw new ArgumentError('proj_size', 'proj_size is not supported');
    const nonlinearity = kind === 'RNN' ? (layer.nonlinearity ?? 'tanh') : 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new ArgumentError('nonlinearity', "nonlinearity is 'tanh' or 'relu'");
    return { L: input[0]!, inS, hidden, bias: flag(layer, 'bias', true), nonlinearity: nonlinearity as string };
  };
  const description = {
    RNN: 'torch.nn.RNN (one layer): h_t = tanh(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh), h_(-1) = 0',
    GRU: 'torch.nn.GRU (one layer): gates r, z, n as PyTorch orders them; h_t = (1 - z) n + z h_(t-1)',
    LSTM: 'torch.nn.LSTM (one layer): gates i, f, g, o as PyTorch orders them; c_t = f c_(t-1) + i g, h_t = o tanh(c_t)',
  }[kind];
  return {
    description,
    named: true,
    shape: (layer, input) => shaped(() => { const r = read(layer, input); return [r.L, r.hidden]; }),
    terms: (_layer, input, output) => output[0]! * output[1]! * gates * (input[1]! + output[1]! + 4),
    params: (layer, input) => {
      const r = read(layer, input);
      return [
        { suffix: 'weight_ih_l0', shape: [gates * r.hidden, r.inS] },
        { suffix: 'weight_hh_l0', shape: [gates * r.hidden, r.hidden] },
        ...(r.bias ? [{ suffix: 'bias_ih_l0', shape: [gates * r.hidden] }, { suffix: 'bias_hh_l0', shape: [gates * r.hidden] }] : []),
      ];
    },
    expand: (layer, input, cx) => {
      const r = read(layer, input.shape);
      const Wih = cx.param('weight_ih_l0');
      const Whh = cx.param('weight_hh_l0');
      const bih = r.bias ? cx.param('bias_ih_l0') : undefined;
      const bhh = r.bias ? cx.param('bias_hh_l0') : undefined;
      const H = r.hidden;
      // The input part and the hidden part of gate `g` (its block of rows) for unit j at time t.
      const fromInput = (g: number, t: number, j: number) => [
        ...Array.from({ length: r.inS }, (_, i) => times(at(Wih, [g * H + j, i]), at(input, [t, i]))),
        ...(bih ? [at(bih, [g * H + j])] : []),
      ];
      const fromHidden = (g: number, h: string[] | undefined, j: number) => [
        ...(h ? h.map((hk, k) => times(at(Whh, [g * H + j, k]), hk)) : []),
        ...(bhh ? [at(bhh, [g * H + j])] : []),
      ];
      const out: string[] = [];
      // Each gate's values over time, [L, hidden], for the worked solution's tensors.
      const gateTensors = new Map<string, string[]>();
      const gate = (word: string, n: string) => {
        let list = gateTensors.get(word);
        if (!list) gateTensors.set(word, (list = []));
        list.push(n);
        return n;
      };
      let h: string[] | undefined; // h_(t-1); undefined is the zero initial state
      let c: string[] | undefined;
      for (let t = 0; t < r.L; t++) {
        const next: string[] = [];
        const cNext: string[] = [];
        for (let j = 0; j < H; j++) {
          const pre = (g: number) => sum([...fromInput(g, t, j), ...fromHidden(g, h, j)]);
          if (kind === 'RNN') {
            next.push(cx.emit(name(cx.prefix, t, j), `${r.nonlinearity}(${pre(0)})`));
          } else if (kind === 'GRU') {
            const rg = gate('r', cx.emit(name(`${cx.prefix}_r`, t, j), `sigmoid(${pre(0)})`));
            const zg = gate('z', cx.emit(name(`${cx.prefix}_z`, t, j), `sigmoid(${pre(1)})`));
            const hidden = fromHidden(2, h, j);
            const inner = hidden.length ? ` + ${rg}*(${sum(hidden)})` : '';
            const ng = gate('n', cx.emit(name(`${cx.prefix}_n`, t, j), `tanh(${sum(fromInput(2, t, j))}${inner})`));
            next.push(cx.emit(name(cx.prefix, t, j), h ? `(1 - ${zg})*${ng} + ${zg}*${h[j]}` : `(1 - ${zg})*${ng}`));
          } else {
            const ig = gate('i', cx.emit(name(`${cx.prefix}_i`, t, j), `sigmoid(${pre(0)})`));
            const fg = gate('f', cx.emit(name(`${cx.prefix}_f`, t, j), `sigmoid(${pre(1)})`));
            const gg = gate('g', cx.emit(name(`${cx.prefix}_g`, t, j), `tanh(${pre(2)})`));
            const og = gate('o', cx.emit(name(`${cx.prefix}_o`, t, j), `sigmoid(${pre(3)})`));
            const cell = gate('c', cx.emit(name(`${cx.prefix}_c`, t, j), c ? `${fg}*${c[j]} + ${ig}*${gg}` : `${ig}*${gg}`));
            cNext.push(cell);
            next.push(cx.emit(name(cx.prefix, t, j), `${og}*tanh(${cell})`));
          }
        }
        h = next;
        c = cNext;
        out.push(...next);
      }
      for (const [word, entries] of gateTensors) cx.show?.(`${cx.prefix}_${word}`, { shape: [r.L, H], entries });
      return { shape: [r.L, H], entries: out };
    },
  };
}

const attention: TorchLayerKind = {
  description: 'torch.nn.MultiheadAttention as self-attention (query = key = value = its input [L, embed_dim]): per head softmax(Q K^T / sqrt(head_dim)) V, heads concatenated, then out_proj; is_causal masks later positions',
  named: true,
  shape: (layer, input) => shaped(() => { readAttention(layer, input); return input; }),
  terms: (_layer, input) => 4 * input[0]! * input[1]! * input[1]! + 3 * input[0]! * input[0]! * input[1]!,
  params: (layer, input) => {
    const { E, bias } = readAttention(layer, input);
    return [
      { suffix: 'in_proj_weight', shape: [3 * E, E] },
      ...(bias ? [{ suffix: 'in_proj_bias', shape: [3 * E] }] : []),
      { suffix: 'out_proj.weight', shape: [E, E] },
      ...(bias ? [{ suffix: 'out_proj.bias', shape: [E] }] : []),
    ];
  },
  expand: (layer, input, cx) => {
    const { E, heads, bias, causal } = readAttention(layer, input.shape);
    const L = input.shape[0]!;
    const d = E / heads;
    const Win = cx.param('in_proj_weight');
    const bin = bias ? cx.param('in_proj_bias') : undefined;
    const Wout = cx.param('out_proj.weight');
    const bout = bias ? cx.param('out_proj.bias') : undefined;
    const project = (word: string, block: number) =>
      Array.from({ length: L }, (_, t) => Array.from({ length: E }, (_, e) => cx.emit(name(`${cx.prefix}_${word}`, t, e), sum([
        ...Array.from({ length: E }, (_, i) => times(at(Win, [block * E + e, i]), at(input, [t, i]))),
        ...(bin ? [at(bin, [block * E + e])] : []),
      ]))));
    const q = project('q', 0);
    const k = project('k', 1);
    const v = project('v', 2);
    const scale = `sqrt(${d})`;
    const context: string[][] = Array.from({ length: L }, () => new Array<string>(E));
    for (let h = 0; h < heads; h++) {
      const dims = Array.from({ length: d }, (_, j) => h * d + j);
      // The head's score and weight matrices (query by key), '' where the causal mask hides a key.
      const scoreMatrix = new Array<string>(L * L).fill('');
      const weightMatrix = new Array<string>(L * L).fill('');
      for (let t = 0; t < L; t++) {
        const keys = Array.from({ length: causal ? t + 1 : L }, (_, s) => s);
        const scores = keys.map((s) => (scoreMatrix[t * L + s] = cx.emit(name(`${cx.prefix}_score`, h, t, s), `(${sum(dims.map((e) => times(q[t]![e]!, k[s]![e]!)))}) / ${scale}`)));
        const weights = keys.map((s, i) => (weightMatrix[t * L + s] = cx.emit(name(`${cx.prefix}_weight`, h, t, s), keys.length === 1 ? '1' : `softmax(${i + 1}, ${scores.join(', ')})`)));
        for (const e of dims) context[t]![e] = cx.emit(name(`${cx.prefix}_ctx`, t, e), sum(keys.map((s, i) => times(weights[i]!, v[s]![e]!))));
      }
      cx.show?.(`${cx.prefix}_score_${h}`, { shape: [L, L], entries: scoreMatrix });
      cx.show?.(`${cx.prefix}_weight_${h}`, { shape: [L, L], entries: weightMatrix });
    }
    const entries = indices([L, E]).map(([t, j]) => cx.emit(name(cx.prefix, t!, j!), sum([
      ...Array.from({ length: E }, (_, e) => times(at(Wout, [j!, e]), context[t!]![e]!)),
      ...(bout ? [at(bout, [j!])] : []),
    ])));
    return { shape: [L, E], entries };
  },
};

function readAttention(layer: TorchLayer, input: Shape) {
  needRank(layer, input, [2], 'a [length, embed_dim] input (a sequence)');
  const E = int(layer, 'embed_dim', undefined, 1);
  const heads = int(layer, 'num_heads', undefined, 1);
  if (input[1] !== E) throw new ArgumentError('embed_dim', `embed_dim is ${E} but the input has ${input[1]} features per position (shape [${input.join(', ')}])`);
  if (E % heads) throw new ArgumentError('num_heads', `embed_dim (${E}) must be divisible by num_heads (${heads})`);
  for (const key of ['kdim', 'vdim']) if (layer[key] !== undefined && Number(layer[key]) !== E) throw new ArgumentError(key, `${key} other than embed_dim is not supported (self-attention)`);
  if (flag(layer, 'add_bias_kv', false)) throw new ArgumentError('add_bias_kv', 'add_bias_kv is not supported');
  if (flag(layer, 'add_zero_attn', false)) throw new ArgumentError('add_zero_attn', 'add_zero_attn is not supported');
  if (layer.dropout !== undefined && Number(layer.dropout) !== 0) throw new ArgumentError('dropout', 'attention dropout is not supported (give a Dropout layer its mask instead)');
  return { E, heads, bias: flag(layer, 'bias', true), causal: flag(layer, 'is_causal', false) };
}

// Batch normalisation in training mode: statistics per channel over the samples of the batch (and a
// [C, L] or [C, H, W] sample's positions), the biased variance to normalise, the unbiased one (and
// momentum) for the running variance; weight starts at 1, bias at 0, running_mean at 0, running_var at 1.
function batchNorm(dims: 1 | 2): TorchLayerKind {
  const read = (layer: TorchLayer, input: Shape) => {
    needRank(layer, input, dims === 1 ? [1, 2] : [3], dims === 1 ? 'a [features] or [channels, length] input' : 'a [channels, height, width] input');
    const features = int(layer, 'num_features', undefined, 1);
    if (input[0] !== features) throw new ArgumentError('num_features', `num_features is ${features} but the input has ${input[0]} (shape [${input.join(', ')}])`);
    if (layer.momentum === null) throw new ArgumentError('momentum', 'momentum: null (a cumulative average) is not supported; give a momentum');
    if (!flag(layer, 'track_running_stats', true)) throw new ArgumentError('track_running_stats', 'track_running_stats: false is not supported');
    return { features, eps: decimal(layer, 'eps', '1e-5'), momentum: decimal(layer, 'momentum', '0.1'), affine: flag(layer, 'affine', true) };
  };
  return {
    description: `torch.nn.BatchNorm${dims}d in training mode: x-hat = (x - mean) / sqrt(var + eps) per channel over the batch, y = weight x-hat + bias; running_mean and running_var (unbiased) follow with momentum`,
    named: true,
    shape: (layer, input) => shaped(() => { read(layer, input); return input; }),
    terms: (_layer, input) => 6 * sizeOf(input),
    params: (layer, input) => {
      const { features, affine } = read(layer, input);
      return [
        ...(affine ? [{ suffix: 'weight', shape: [features], initial: '1' }, { suffix: 'bias', shape: [features], initial: '0' }] : []),
        { suffix: 'running_mean', shape: [features], buffer: true, initial: '0' },
        { suffix: 'running_var', shape: [features], buffer: true, initial: '1' },
        { suffix: 'num_batches_tracked', shape: [], buffer: true, initial: '0' },
      ];
    },
    expand: () => {
      throw new Error('batch norm is expanded over the batch');
    },
    expandBatch: (layer, inputs, cx) => {
      const shape = inputs[0]!.shape;
      const { features, eps, momentum, affine } = read(layer, shape);
      const W = affine ? cx.param('weight') : undefined;
      const B = affine ? cx.param('bias') : undefined;
      const positions = indices(shape.slice(1));
      const n = inputs.length * positions.length;
      if (n < 2) throw new ArgumentError('', 'batch norm in training needs more than one value per channel (a batch of at least 2 samples)');
      const outputs = inputs.map((t) => ({ shape: t.shape, entries: new Array<string>(t.entries.length) }));
      const means: string[] = [];
      const variances: string[] = [];
      for (let c = 0; c < features; c++) {
        const members = inputs.flatMap((t) => positions.map((pos) => at(t, [c, ...pos])));
        const mean = cx.emit(name(`${cx.prefix}_mean`, c), `(${sum(members)}) / ${n}`);
        const variance = cx.emit(name(`${cx.prefix}_var`, c), `(${sum(members.map((m) => `(${m} - ${mean})^2`))}) / ${n}`);
        means.push(mean);
        variances.push(variance);
        inputs.forEach((t, s) => {
          const sc = cx.samples[s]!;
          for (const pos of positions) {
            const ix = [c, ...pos];
            const xhat = sc.emit(name(`${sc.prefix}_xhat`, ...ix), `(${at(t, ix)} - ${mean}) / sqrt(${variance} + ${eps})`);
            const y = W ? `${times(at(W, [c]), xhat)} + ${at(B!, [c])}` : xhat;
            outputs[s]!.entries[offsetOf(shape, ix)] = sc.emit(name(sc.prefix, ...ix), y);
          }
        });
        cx.update(at(cx.param('running_mean'), [c]), `(1 - ${momentum})*${at(cx.param('running_mean'), [c])} + ${momentum}*${mean}`);
        cx.update(at(cx.param('running_var'), [c]), `(1 - ${momentum})*${at(cx.param('running_var'), [c])} + ${momentum}*${variance}*${n}/${n - 1}`);
      }
      cx.statistic('mean', { shape: [features], entries: means });
      cx.statistic('var', { shape: [features], entries: variances });
      const tracked = cx.param('num_batches_tracked').entries[0]!;
      cx.update(tracked, `${tracked} + 1`);
      return outputs;
    },
  };
}

/** The torch.nn layer kinds by class name. */
export const TORCH_LAYERS: Record<string, TorchLayerKind> = Object.assign(Object.create(null) as Record<string, TorchLayerKind>, {
  Linear: linear,
  Conv1d: convolution(1),
  Conv2d: convolution(2),
  ConvTranspose1d: transposedConvolution(1),
  ConvTranspose2d: transposedConvolution(2),
  MaxPool1d: pooling(1, 'max'),
  MaxPool2d: pooling(2, 'max'),
  AvgPool1d: pooling(1, 'avg'),
  AvgPool2d: pooling(2, 'avg'),
  Flatten: flatten,
  ReLU: activation('torch.nn.ReLU: max(x, 0)', () => (x) => `relu(${x})`),
  LeakyReLU: activation('torch.nn.LeakyReLU: x, or negative_slope * x below 0 (default 0.01)', (layer) => {
    const slope = decimal(layer, 'negative_slope', '0.01');
    return (x) => `leaky_relu(${x}, ${slope})`;
  }),
  Sigmoid: activation('torch.nn.Sigmoid: 1 / (1 + exp(-x))', () => (x) => `sigmoid(${x})`),
  Tanh: activation('torch.nn.Tanh', () => (x) => `tanh(${x})`),
  Softplus: activation('torch.nn.Softplus: log(1 + exp(beta x)) / beta (computed exactly everywhere; PyTorch returns x itself where beta x > threshold, 20 by default)', (layer) => {
    const beta = decimal(layer, 'beta', '1');
    decimal(layer, 'threshold', '20');
    return beta === '1' ? (x) => `softplus(${x})` : (x) => `softplus(${beta}*${paren(x)}) / ${beta}`;
  }),
  GELU: activation("torch.nn.GELU (approximate='none'): x * Phi(x) = x/2 * (1 + erf(x / sqrt(2)))", (layer) => {
    if (layer.approximate !== undefined && layer.approximate !== 'none') throw new ArgumentError('approximate', "approximate 'none' only (the exact erf form)");
    return (x) => `gelu(${x})`;
  }),
  Softmax: softmax,
  LayerNorm: layerNorm,
  BatchNorm1d: batchNorm(1),
  BatchNorm2d: batchNorm(2),
  Dropout: dropout,
  Embedding: embedding,
  RNN: recurrent('RNN'),
  GRU: recurrent('GRU'),
  LSTM: recurrent('LSTM'),
  MultiheadAttention: attention,
});

/** Whether a layer's type names a torch.nn kind (as opposed to the dense shorthand's lower-case kinds). */
export const isTorchLayerType = (type: unknown): boolean => typeof type === 'string' && Object.hasOwn(TORCH_LAYERS, type);
