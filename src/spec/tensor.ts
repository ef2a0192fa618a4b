// Tensors of a torch-style spec: an input, a param or a layer's output is a tensor of one sample's
// shape, and each of its entries is a named scalar quantity of the equations. Entries are kept in
// row-major order (PyTorch's layout: the last index varies fastest), and an entry's name is the
// tensor's name with its 0-based indices: `x_0_2_1` is x[0][2][1]; a state_dict name's dots become
// underscores (`conv.weight` -> `conv_weight_1_0_0_1`), since a scalar name is an identifier.
import type { Plain } from './yaml.js';

export type Shape = readonly number[];

/** A tensor of scalar names (or any other entries), row-major. */
export interface Tensor<T = string> {
  shape: Shape;
  entries: T[];
  /** The scalar prefix its entries are named by (`conv_weight` of conv_weight_0_0_1_1), when it has one. */
  name?: string;
}

export const sizeOf = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

/** The row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** The flat position of an index. */
export function offsetOf(shape: Shape, index: readonly number[]): number {
  const strides = stridesOf(shape);
  return index.reduce((o, i, d) => o + i * strides[d]!, 0);
}

/** Every index of a shape, row-major (an odometer: the last index turns fastest). */
export function indices(shape: Shape): number[][] {
  const n = sizeOf(shape);
  const out: number[][] = new Array<number[]>(n);
  const ix = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    out[k] = ix.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++ix[d]! < shape[d]!) break;
      ix[d] = 0;
    }
  }
  return out;
}

/** The scalar name prefix of a tensor name: a state_dict name's dots become underscores. */
export const scalarPrefix = (tensor: string) => tensor.replace(/\./g, '_');

/** The tensor of scalar names of `name` with this shape (a 0-d tensor is the name itself). */
export function namedTensor(name: string, shape: Shape): Tensor {
  const prefix = scalarPrefix(name);
  if (shape.length === 0) return { shape, entries: [prefix], name: prefix };
  return { shape, entries: indices(shape).map((ix) => `${prefix}_${ix.join('_')}`), name: prefix };
}

/** The entry at an index. */
export const at = <T>(t: Tensor<T>, index: readonly number[]): T => t.entries[offsetOf(t.shape, index)]!;

export const shapeText = (shape: Shape) => (shape.length ? shape.join('x') : 'a scalar');

/** What went wrong reading a nested list: where (a path below the value) and why. */
export interface NestedProblem {
  path: string;
  message: string;
}

/**
 * A nested list read as a tensor of the given shape: its numbers (kept as text), row-major. A scalar
 * given for a 0-d shape is accepted. The first place that does not fit is reported with its path
 * (`[2][1]`, 1-based as the rest of a spec's paths).
 */
export function readNested(value: Plain, shape: Shape): Tensor | NestedProblem {
  const out: string[] = [];
  // An explicit stack: a nested list is as deep as its shape says, and the shape comes from the spec.
  const stack: Array<[Plain, number, string]> = [[value, 0, '']];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (depth === shape.length) {
      if (typeof v !== 'string') return { path, message: `expected a number here, got ${describe(v)}` };
      out.push(v);
      continue;
    }
    if (!Array.isArray(v)) return { path, message: `expected a list of ${shape[depth]} (shape ${shapeText(shape.slice(depth))}), got ${describe(v)}` };
    if (v.length !== shape[depth]) return { path, message: `expected ${shape[depth]} entries (shape ${shapeText(shape.slice(depth))}), got ${v.length}` };
    for (let i = v.length - 1; i >= 0; i--) stack.push([v[i]!, depth + 1, `${path}[${i + 1}]`]);
  }
  return { shape, entries: out };
}


function describe(v: Plain): string {
  if (v === null) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'boolean') return String(v);
  return `the number ${v}`;
}

