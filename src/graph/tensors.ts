// A torch-style spec's tensors read back from a run's values: each param and buffer by its state_dict
// name, each layer's output, the input and its gradient, as nested lists in PyTorch's layout. The JSON
// trace gives these beside the flat values, so a user compares them with
// `{k: v.tolist() for k, v in model.state_dict().items()}` as they are.
import type { Spec } from '../spec/model.js';
import type { SpecTensor } from '../spec/torch-model.js';
import { nest, type Shape } from '../spec/tensor.js';

/** Nested lists of the values of `entries` (row-major) in `shape`; an entry without a value is null. */
function nested<T>(shape: Shape, entries: readonly string[], value: (name: string) => T | undefined): unknown {
  return nest(shape, entries.map((e) => value(e) ?? null));
}

/** The state_dict after a step (params and buffers), from the step's values (or the initial ones). */
export function stateDict<T>(spec: Spec, value: (name: string) => T | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of [...(spec.tensors?.params ?? []), ...(spec.tensors?.buffers ?? [])]) out[t.name] = nested(t.shape, t.entries, value);
  return out;
}

/** A param's gradient of a step, by state_dict name. */
export function gradientDict<T>(spec: Spec, value: (name: string) => T | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of spec.tensors?.params ?? []) out[t.name] = nested(t.shape, t.entries, (e) => value(`dL/d${e}`));
  return out;
}

/** One sample's tensors: the input and its gradient, and every layer's output (for a model with batch
 *  norm, whose batch is one packed sample, each tensor has a leading dimension for the batch). */
export function sampleTensors<T>(spec: Spec, value: (name: string) => T | undefined): { input: Record<string, unknown>; inputGradient: Record<string, unknown>; layers: Record<string, unknown> } {
  const batch = spec.tensors?.batchSize;
  const shaped = (t: SpecTensor) => (batch === undefined ? t.shape : [batch, ...t.shape]);
  const input: Record<string, unknown> = {};
  const inputGradient: Record<string, unknown> = {};
  for (const t of spec.tensors?.inputs ?? []) {
    if (t.name === '') continue;
    input[t.name] = nested(shaped(t), t.entries, value);
    inputGradient[t.name] = nested(shaped(t), t.entries, (e) => value(`dL/d${e}`));
  }
  const layers: Record<string, unknown> = {};
  for (const l of spec.tensors?.layers ?? []) layers[l.name] = nested(shaped(l), l.entries, value);
  return { input, inputGradient, layers };
}
