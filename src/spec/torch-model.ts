// A torch-style spec read as equations. When the model's inputs are tensors (`inputs: { x: [1, 4, 4] }`)
// or its layers are torch.nn classes (`type: Conv2d`), this pass writes the spec as the scalar spec it
// stands for: every tensor entry a scalar input, param or data column (spec/tensor.ts names them),
// every layer's equations neurons (spec/torch-layers.ts), the last layer's entries the outputs, and a
// named loss's target tensors their entries. The rest of the reading (schema, names, limits) then sees
// an ordinary spec, and run, derive, check and certify need nothing of their own; the tensors
// themselves (each param's, each layer's output) are kept beside it for the trace and the printers.
import { InputError } from './errors.js';
import { lineOf, type Plain, type ReadDocument } from './yaml.js';
import { namedTensor, readNested, shapeText, sizeOf, type Shape, type Tensor } from './tensor.js';
import { isTorchLayerType, TORCH_LAYERS, type ExpandContext, type TorchLayer } from './torch-layers.js';
import { didYouMean } from '../text/did-you-mean.js';

/** A tensor of the spec: a param or buffer (by state_dict name), an input, or a layer's output. */
export interface SpecTensor {
  name: string;
  shape: Shape;
  /** Its entries' scalar names, row-major. */
  entries: string[];
}

export interface TorchModel {
  /** Params and buffers by state_dict name, in the order of the layers. */
  params: SpecTensor[];
  /** The model's tensor inputs. */
  inputs: SpecTensor[];
  /** Each layer's output tensor, in order (a Flatten's is a new view of the same entries). */
  layers: Array<SpecTensor & { type: string }>;
  /** The targets of a named loss, as tensors in the output's shape. */
  targets: SpecTensor[];
}

type Mapping = { [key: string]: Plain };
const isMapping = (v: Plain | undefined): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v);
const mapping = (): Mapping => Object.create(null) as Mapping;

/** Deepest tensor a spec may describe (a shape is the user's; a rank bounds the reading's work). */
const MAX_RANK = 6;
/** Largest entry count of one tensor, before the spec's own limits count the whole. */
const MAX_ENTRIES = 1_000_000;

/** Whether a spec is written torch-style: tensor inputs, or layers of torch.nn types. */
export function isTorchStyle(value: Plain): boolean {
  if (!isMapping(value) || !isMapping(value.model)) return false;
  const model = value.model;
  if (isMapping(model.inputs)) return true;
  return Array.isArray(model.layers) && model.layers.some((l) => isMapping(l) && isTorchLayerType(l.type));
}

/** The scalar spec a torch-style spec stands for, and its tensors. */
export function lowerTorchModel(doc: ReadDocument): { doc: ReadDocument; model: TorchModel } {
  const fail = (path: string, message: string): never => {
    throw new InputError(doc.file, path, message, lineOf(doc, path));
  };
  const spec = doc.value as Mapping;
  const model = spec.model as Mapping;
  if (model.neurons !== undefined) fail('model.neurons', 'a torch-style model (tensor inputs or torch.nn layers) is written with layers, not neurons');
  if (!Array.isArray(model.layers) || model.layers.length === 0) fail('model.layers', 'a torch-style model needs its layers (torch.nn classes: Linear, Conv2d, ReLU, ...)');
  const layers = model.layers as Plain[];

  // Inputs: a mapping of tensor shapes, or a list of scalar names (read as one vector).
  const inputs: SpecTensor[] = [];
  if (isMapping(model.inputs)) {
    for (const [name, shapeValue] of Object.entries(model.inputs)) {
      const path = `model.inputs.${name}`;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(path, `'${name}' is not a name (letters, digits and _, not starting with a digit)`);
      const shape = readShape(shapeValue, path, fail);
      inputs.push({ name, shape, entries: namedTensor(name, shape).entries });
    }
  } else if (Array.isArray(model.inputs)) {
    const names = model.inputs.map((n, i) => (typeof n === 'string' ? n : fail(`model.inputs[${i + 1}]`, 'an input name')));
    inputs.push({ name: '', shape: [names.length], entries: names });
  } else fail('model.inputs', 'a torch-style model gives its inputs as a mapping of shapes: inputs: { x: [1, 4, 4] }');
  if (inputs.length !== 1) fail('model.inputs', `torch-style layers read one input tensor; got ${inputs.length} (${inputs.map((i) => i.name).join(', ')})`);

  // Params and buffers by state_dict name, read in the layouts PyTorch gives them.
  const rawParams = isMapping(spec.params) ? spec.params : spec.params === undefined ? mapping() : fail('params', 'params is a mapping of state_dict names to nested lists');
  const params: SpecTensor[] = [];
  const paramValues = mapping();
  const used = new Set<string>();
  const neurons = mapping();
  const neuronOrder: string[] = [];
  const defined = new Map<string, string>();
  const define = (scalar: string, what: string, path: string) => {
    const before = defined.get(scalar);
    if (before !== undefined) fail(path, `the name ${scalar} (${what}) is also ${before}: rename a layer`);
    defined.set(scalar, what);
  };
  for (const t of inputs) t.entries.forEach((e) => define(e, `an entry of input ${t.name || 'x'}`, 'model.inputs'));

  // Per-row data a layer reads besides the inputs (a dropout mask, an embedding's one-hot lookup).
  const rowData: Array<{ names: string[]; fill: (row: Mapping, r: number) => string[] }> = [];
  const layerTensors: TorchModel['layers'] = [];
  let current: Tensor = { shape: inputs[0]!.shape, entries: inputs[0]!.entries };
  const counts = new Map<string, number>();
  layers.forEach((value, i) => {
    const path = `model.layers[${i + 1}]`;
    if (!isMapping(value)) fail(path, 'a layer is a mapping: { type: Linear, name: fc, in_features: 2, out_features: 3 }');
    const layer = value as TorchLayer;
    const kind = typeof layer.type === 'string' ? TORCH_LAYERS[layer.type] : undefined;
    if (!kind) {
      fail(`${path}.type`, typeof layer.type === 'string'
        ? `unknown layer type '${layer.type}'${didYouMean(layer.type, Object.keys(TORCH_LAYERS))}; the torch.nn layers: ${Object.keys(TORCH_LAYERS).join(', ')}`
        : `a torch-style layer names its torch.nn class: type: Linear (or ${Object.keys(TORCH_LAYERS).slice(1, 4).join(', ')}, ...)`);
    }
    const k = kind!;
    if (layer.name !== undefined && (typeof layer.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(layer.name))) {
      fail(`${path}.name`, 'a layer name is letters, digits and _ (its params are <name>.weight, <name>.bias)');
    }
    if (k.named && layer.name === undefined) fail(path, `a ${layer.type} layer needs a name: its params are <name>.weight, ... as in the model's state_dict`);
    const shape = k.shape(layer, current.shape);
    if (!Array.isArray(shape)) {
      const problem = shape as { key: string; message: string };
      fail(problem.key ? `${path}.${problem.key}` : path, problem.message);
    }
    const outShape = shape as Shape;
    if (sizeOf(outShape) > MAX_ENTRIES) fail(path, `its output has ${sizeOf(outShape).toLocaleString('en-US')} entries; a spec is for hand-sized networks`);
    const typeCount = (counts.get(layer.type) ?? 0) + 1;
    counts.set(layer.type, typeCount);
    const prefix = layer.name ?? `${layer.type.toLowerCase()}${i + 1}`;

    const own = new Map<string, Tensor>();
    for (const need of k.params?.(layer, current.shape) ?? []) {
      const full = `${layer.name}.${need.suffix}`;
      const scalars = namedTensor(full, need.shape);
      const given = rawParams[full];
      let entries: string[];
      if (given === undefined) {
        if (need.initial === undefined) fail('params', `layer ${i + 1} (${layer.type} ${layer.name}) needs params.${full}, shape [${need.shape.join(', ')}]`);
        entries = new Array<string>(sizeOf(need.shape)).fill(need.initial!);
      } else {
        const read = readNested(given, need.shape);
        if (!('entries' in read)) fail(`params.${full}${read.path}`, `${full} has shape [${need.shape.join(', ')}] (PyTorch's layout): ${read.message}`);
        entries = (read as Tensor).entries;
      }
      used.add(full);
      scalars.entries.forEach((s, j) => {
        define(s, `an entry of ${full}`, `params.${full}`);
        paramValues[s] = entries[j]!;
      });
      params.push({ name: full, shape: need.shape, entries: scalars.entries });
      own.set(need.suffix, scalars);
    }

    const cx: ExpandContext = {
      prefix,
      param: (suffix) => own.get(suffix)!,
      data: (word, dataShape) => {
        const t = namedTensor(`${prefix}_${word}`, dataShape);
        t.entries.forEach((s) => define(s, `the ${word} of layer ${i + 1}`, path));
        rowData.push({ names: t.entries, fill: (row, r) => layerData(layer, word, dataShape, row, r, inputs[0]!, i === 0, path, fail) });
        return t;
      },
      emit: (name, text) => {
        define(name, `a quantity of layer ${i + 1} (${layer.type})`, path);
        neurons[name] = text;
        neuronOrder.push(name);
        return name;
      },
    };
    current = k.expand(layer, current, cx);
    layerTensors.push({ name: prefix, type: layer.type, shape: current.shape, entries: current.entries });
  });
  if (neuronOrder.length === 0) fail('model.layers', 'the layers compute nothing (Flatten alone has no equations); add a layer that does');

  for (const key of Object.keys(rawParams)) {
    if (!used.has(key)) {
      fail(`params.${key}`, `no layer has a param ${key}${didYouMean(key, used)}; the params: ${[...used].join(', ') || 'none'}`);
    }
  }

  // The loss's targets: tensors in the output's shape.
  const outputs = current.entries;
  const loss = isMapping(spec.loss) ? { ...spec.loss } : spec.loss;
  const targets: SpecTensor[] = [];
  if (isMapping(loss) && loss.name !== undefined) {
    const names = loss.targets === undefined ? ['y'] : Array.isArray(loss.targets) ? loss.targets : fail('loss.targets', 'a list of target names: targets: [y]');
    const flat: string[] = [];
    names.forEach((n, j) => {
      if (typeof n !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) fail(`loss.targets[${j + 1}]`, 'a target name');
      const t = namedTensor(n as string, current.shape);
      t.entries.forEach((e) => define(e, `an entry of target ${n}`, `loss.targets[${j + 1}]`));
      targets.push({ name: n as string, shape: current.shape, entries: t.entries });
      flat.push(...t.entries);
    });
    if (targets.length !== 1) fail('loss.targets', `a named loss compares the output with one target tensor; got ${targets.length}`);
    loss.targets = flat;
  }

  // Data rows: each tensor column flattened to its entries, with the layers' own per-row data.
  const data = Array.isArray(spec.data)
    ? spec.data.map((row, r) => {
      const path = `data[${r + 1}]`;
      if (!isMapping(row)) return row;
      const out = mapping();
      for (const [key, v] of Object.entries(row)) {
        const tensor = [...inputs, ...targets].find((t) => t.name === key);
        if (!tensor || tensor.name === '') {
          out[key] = v;
          continue;
        }
        const read = readNested(v, tensor.shape);
        if (!('entries' in read)) fail(`${path}.${key}${read.path}`, `${key} has shape [${tensor.shape.join(', ')}]: ${read.message}`);
        (read as Tensor).entries.forEach((e, j) => (out[tensor.entries[j]!] = e));
      }
      for (const d of rowData) d.fill(row, r).forEach((v, j) => (out[d.names[j]!] = v));
      return out;
    })
    : spec.data;

  const lowered: Mapping = mapping();
  for (const [key, v] of Object.entries(spec)) lowered[key] = v;
  const loweredModel = mapping();
  for (const [key, v] of Object.entries(model)) if (key !== 'layers' && key !== 'inputs') loweredModel[key] = v;
  loweredModel.inputs = [...inputs[0]!.entries, ...rowData.flatMap((d) => d.names)];
  const neuronMap = mapping();
  for (const n of neuronOrder) neuronMap[n] = neurons[n]!;
  loweredModel.neurons = neuronMap;
  if (loweredModel.outputs === undefined) loweredModel.outputs = outputs;
  lowered.model = loweredModel;
  lowered.params = paramValues;
  if (loss !== undefined) lowered.loss = loss;
  if (data !== undefined) lowered.data = data;
  return {
    doc: { file: doc.file, value: lowered, lines: doc.lines },
    model: { params, inputs: inputs.filter((t) => t.name !== ''), layers: layerTensors, targets },
  };
}

function readShape(value: Plain, path: string, fail: (path: string, message: string) => never): number[] {
  if (!Array.isArray(value)) return fail(path, 'a shape is a list of sizes: [channels, height, width], [length, features], or [] for a scalar');
  if (value.length > MAX_RANK) fail(path, `a tensor has at most ${MAX_RANK} dimensions`);
  const shape = value.map((d, i) => {
    if (typeof d !== 'string' || !/^\d{1,7}$/.test(d) || Number(d) < 1) fail(`${path}[${i + 1}]`, 'a size is a whole number of at least 1');
    return Number(d);
  });
  if (sizeOf(shape) > MAX_ENTRIES) fail(path, `a tensor of shape ${shapeText(shape)} has ${sizeOf(shape).toLocaleString('en-US')} entries; a spec is for hand-sized networks`);
  return shape;
}

/** A layer's per-row data: a dropout layer's mask for this row, or the one-hot form of an embedding's
 *  indices. */
function layerData(layer: TorchLayer, word: string, shape: Shape, row: Mapping, r: number, input: SpecTensor, first: boolean, path: string, fail: (path: string, message: string) => never): string[] {
  if (word === 'mask') {
    const masks = layer.mask;
    if (!Array.isArray(masks)) return fail(`${path}.mask`, 'a Dropout layer gives its mask: one 0/1 tensor per data row, in data order, shaped like its input');
    const m = masks[r];
    if (m === undefined) return fail(`${path}.mask`, `the mask has ${masks.length} tensors but the data has more rows (row ${r + 1} has none)`);
    const read = readNested(m, shape);
    if (!('entries' in read)) return fail(`${path}.mask[${r + 1}]${read.path}`, `a mask has the shape of the layer's input [${shape.join(', ')}]: ${read.message}`);
    const entries = (read as Tensor).entries;
    entries.forEach((v, j) => {
      if (!/^(0|1)(\.0*)?$/.test(v)) fail(`${path}.mask[${r + 1}]`, `a mask entry is 0 or 1; entry ${j + 1} is ${v}`);
    });
    return entries;
  }
  // Embedding: the indices of this row's input, as one-hot rows [length, num_embeddings].
  if (!first || input.name === '') return fail(path, 'an Embedding layer comes first and reads a tensor input of indices: inputs: { idx: [3] }');
  const read = readNested(row[input.name] ?? null, input.shape);
  if (!('entries' in read)) return fail(`data[${r + 1}].${input.name}${read.path}`, `${input.name} has shape [${input.shape.join(', ')}] (indices): ${read.message}`);
  const num = shape[1]!;
  const out: string[] = [];
  (read as Tensor).entries.forEach((v, l) => {
    if (!/^\d+$/.test(v) || Number(v) >= num) fail(`data[${r + 1}].${input.name}`, `an index is a whole number from 0 to ${num - 1} (num_embeddings ${num}); position ${l + 1} is ${v}`);
    for (let k = 0; k < num; k++) out.push(Number(v) === k ? '1' : '0');
  });
  return out;
}
