// Dense layers in brief: `model.layers` expands to named equations, so everything downstream (the
// trace, derive, check) sees plain neurons and scalar params. The names, documented in the README:
//   neuron j of layer l:      h<l>_<j>   (or <name>_<j>, or <name> alone for a one-unit named layer)
//   its pre-activation:       z<l>_<j>   (only for softmax layers, whose outputs need all of them)
//   weight from input i:      W<l>_<j>_<i>   (params.W<l> is a matrix; row j is unit j)
//   bias:                     b<l>_<j>       (params.b<l> is a vector)
import type { ActivationFunction } from '../symbolic/functions.js';

/** linear and softmax are handled here; every other activation is a function of symbolic/functions.ts. */
export type Activation = 'linear' | ActivationFunction | 'softmax';

export interface LayerSpec {
  units: number;
  activation: Activation;
  name?: string;
  bias: boolean;
}

export interface ExpandedLayers {
  /** Neuron name -> expression text, in evaluation order. */
  neurons: Array<[string, string]>;
  /** The last layer's neurons. */
  outputs: string[];
  /** Per layer: the matrix and vector params it needs, with their shapes. */
  needs: Array<{ layer: number; weights: string; rows: number; cols: number; bias?: string }>;
}

export const unitName = (layer: LayerSpec, l: number, j: number) =>
  layer.name ? (layer.units === 1 ? layer.name : `${layer.name}_${j}`) : `h${l}_${j}`;

export function expandLayers(inputs: string[], layers: LayerSpec[]): ExpandedLayers {
  const neurons: Array<[string, string]> = [];
  const needs: ExpandedLayers['needs'] = [];
  let previous = inputs;
  layers.forEach((layer, index) => {
    const l = index + 1;
    const affine = (j: number) => {
      const terms = previous.map((x, i) => `W${l}_${j}_${i + 1}*${x}`);
      if (layer.bias) terms.push(`b${l}_${j}`);
      return terms.join(' + ') || '0';
    };
    const names = Array.from({ length: layer.units }, (_, k) => unitName(layer, l, k + 1));
    if (layer.activation === 'softmax') {
      const logits = names.map((_, k) => `z${l}_${k + 1}`);
      logits.forEach((z, k) => neurons.push([z, affine(k + 1)]));
      names.forEach((n, k) => neurons.push([n, `softmax(${k + 1}, ${logits.join(', ')})`]));
    } else {
      names.forEach((n, k) => neurons.push([n, layer.activation === 'linear' ? affine(k + 1) : `${layer.activation}(${affine(k + 1)})`]));
    }
    needs.push({ layer: l, weights: `W${l}`, rows: layer.units, cols: previous.length, ...(layer.bias ? { bias: `b${l}` } : {}) });
    previous = names;
  });
  return { neurons, outputs: previous, needs };
}
