// Layer kinds: `model.layers` expands to named equations, so everything downstream (the trace, derive,
// check) sees plain neurons and scalar params. LAYER_KINDS below is the one table of kinds: each entry
// declares its options (a zod fragment the schema publishes), the params it needs and their shapes given
// its input size, its size check and counts (for the limits), and its expansion to scalar equations.
// spec/schema.ts builds the `Layer` schema from it and spec/validate.ts asks it for everything else, so a
// new kind is one entry here (appended to the table) plus its test.
//
// The dense kind (the default when a layer gives no `type`), names documented in the README:
//   neuron j of layer l:      h<l>_<j>   (or <name>_<j>, or <name> alone for a one-unit named layer)
//   its pre-activation:       z<l>_<j>   (only for softmax layers, whose outputs need all of them)
//   weight from input i:      W<l>_<j>_<i>   (params.W<l> is a matrix; row j is unit j), or
//                             W<l>_<i>_<j> with weights: in_out (row i is input i, as x W is written)
//   bias:                     b<l>_<j>       (params.b<l> is a vector)
import type * as z from 'zod/mini';
import type { ActivationFunction } from '../symbolic/functions.js';

/** linear and softmax are handled here; every other activation is a function of symbolic/functions.ts. */
export type Activation = 'linear' | ActivationFunction | 'softmax';

/** A layer as the schema read it: its kind's keys, `type` and `name`. */
export interface RawLayer {
  type?: string;
  name?: string;
  [key: string]: unknown;
}

/** What schema.ts lends a kind to write its options with (the shared definitions of the published
 *  JSON Schema), so this file needs nothing of schema.ts. */
/** The schema builders a layer kind's options may use: named one by one (not the whole namespace), so
 *  that a bundler keeps only these of zod (passing `z` itself as a value keeps all of it, its locales
 *  and its JSON Schema writer among them, which the CLI would load at every start). */
export type SchemaBuilders = Pick<typeof z, 'enum' | '_default' | 'optional' | 'union' | 'literal' | 'array' | 'string' | 'boolean'>;

export interface SchemaBlocks {
  z: SchemaBuilders;
  /** A whole number, kept as text. */
  Count: z.ZodMiniType<string, string>;
  /** true or false. */
  Flag: z.ZodMiniType<boolean, boolean>;
  /** A name: letters, digits and _. */
  Name: z.ZodMiniType<string, string>;
  /** The activations a layer may name: linear, softmax and the function table's activations. */
  activations: readonly [string, ...string[]];
  /** A copy of a schema with a description for the published JSON Schema. */
  described: <T extends z.ZodMiniType>(schema: T, meta: { description?: string }) => T;
}

/** A matrix or vector param a layer needs: params.<name> of this shape ([rows, cols] or [length]). */
export interface ParamNeed {
  name: string;
  shape: number[];
  /** In the message when it is missing or of another shape: "a 3x2 matrix (...)". */
  what: string;
  /** After the shape found, e.g. " (or bias: false)". */
  alternative?: string;
}

export interface LayerKind {
  description: string;
  /** Its keys besides `type` (and `name`, which every kind has unless it declares it itself). */
  options: (blocks: SchemaBlocks) => Record<string, z.ZodMiniType>;
  /** A problem with its options given its input size: the key it concerns ('' for the layer) and why. */
  problem?: (layer: RawLayer, inputs: number) => { key: string; message: string } | undefined;
  /** Its output size given its input size. */
  size: (layer: RawLayer, inputs: number) => number;
  /** Equations it writes (neurons, for the limits). */
  neuronCount: (layer: RawLayer, inputs: number) => number;
  /** The params it needs; the limits count their entries. */
  params: (layer: RawLayer, l: number, inputs: number) => ParamNeed[];
  /** Its neurons (name, expression text) in evaluation order, and its outputs (the next layer's inputs). */
  expand: (layer: RawLayer, l: number, inputs: string[]) => { neurons: Array<[string, string]>; outputs: string[] };
}

/** Unit j of layer l: h<l>_<j>, or <name>_<j>, or <name> alone for a one-unit named layer. */
export const unitName = (layer: { name?: string | undefined }, count: number, l: number, j: number) =>
  layer.name ? (count === 1 ? layer.name : `${layer.name}_${j}`) : `h${l}_${j}`;

const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;

const dense: LayerKind = {
  description: 'a fully connected layer: unit j = activation(sum_i W<l>_j_i x_i + b<l>_j)',
  options: ({ z, Count, Flag, Name, activations, described }) => ({
    units: described(Count, { description: 'Number of units (neurons) in the layer.' }),
    activation: z._default(z.enum(activations), 'linear'),
    name: described(z.optional(Name), { description: 'Prefix of the layer’s neuron names (default h<layer>): name_1, name_2, ... or just name for one unit.' }),
    bias: z._default(Flag, true),
    weights: described(z._default(z.enum(['out_in', 'in_out']), 'out_in'), { description: "The layout of W<l>: out_in (a row per unit, as PyTorch's Linear; W x) or in_out (a row per input, as courses that write x W)." }),
  }),
  problem: (layer) => (Number(layer.units) < 1 ? { key: 'units', message: 'a layer has at least one unit' } : undefined),
  size: (layer) => Number(layer.units),
  neuronCount: (layer) => Number(layer.units) * (layer.activation === 'softmax' ? 2 : 1),
  params: (layer, l, inputs) => {
    const units = Number(layer.units);
    return [
      layer.weights === 'in_out'
        ? { name: `W${l}`, shape: [inputs, units], what: `a ${inputs}x${units} matrix (one row per input, one column per unit: weights: in_out)` }
        : { name: `W${l}`, shape: [units, inputs], what: `a ${units}x${inputs} matrix (one row per unit, one column per input)` },
      ...(layer.bias !== false ? [{ name: `b${l}`, shape: [units], what: `a vector of ${plural(units, 'number')}`, alternative: ' (or bias: false)' }] : []),
    ];
  },
  expand: (layer, l, previous) => {
    const units = Number(layer.units);
    const neurons: Array<[string, string]> = [];
    const affine = (j: number) => {
      // Scalar names follow the matrix as written: W<l>_<row>_<column>.
      const terms = previous.map((x, i) => (layer.weights === 'in_out' ? `W${l}_${i + 1}_${j}*${x}` : `W${l}_${j}_${i + 1}*${x}`));
      if (layer.bias !== false) terms.push(`b${l}_${j}`);
      return terms.join(' + ') || '0';
    };
    const names = Array.from({ length: units }, (_, k) => unitName(layer, units, l, k + 1));
    if (layer.activation === 'softmax') {
      const logits = names.map((_, k) => `z${l}_${k + 1}`);
      logits.forEach((z, k) => neurons.push([z, affine(k + 1)]));
      names.forEach((n, k) => neurons.push([n, `softmax(${k + 1}, ${logits.join(', ')})`]));
    } else {
      const activation = (layer.activation ?? 'linear') as Activation;
      names.forEach((n, k) => neurons.push([n, activation === 'linear' ? affine(k + 1) : `${activation}(${affine(k + 1)})`]));
    }
    return { neurons, outputs: names };
  },
};

/** The layer kinds by their `type:` name. */
export const LAYER_KINDS: Record<string, LayerKind> = Object.assign(Object.create(null) as Record<string, LayerKind>, {
  dense,
});

/** The kind of a layer that gives no `type`. */
export const DEFAULT_LAYER_KIND = 'dense';

/** The kind of a layer the schema accepted (its type is a name of the table). */
export const layerKind = (layer: RawLayer): LayerKind => LAYER_KINDS[layer.type ?? DEFAULT_LAYER_KIND]!;

export interface ExpandedLayers {
  /** Neuron name -> expression text, in evaluation order. */
  neurons: Array<[string, string]>;
  /** The last layer's neurons. */
  outputs: string[];
}

/** The layers' equations, in order; each layer reads the previous one's outputs (the first, the inputs). */
export function expandLayers(inputs: string[], layers: RawLayer[]): ExpandedLayers {
  const neurons: Array<[string, string]> = [];
  let previous = inputs;
  layers.forEach((layer, index) => {
    const out = layerKind(layer).expand(layer, index + 1, previous);
    neurons.push(...out.neurons);
    previous = out.outputs;
  });
  return { neurons, outputs: previous };
}
