// A torch-style spec read as equations. When the model's inputs are tensors (`inputs: { x: [1, 4, 4] }`)
// or its layers are torch.nn classes (`type: Conv2d`), this pass writes the spec as the scalar spec it
// stands for: every tensor entry a scalar input, param or data column (spec/tensor.ts names them),
// every layer's equations neurons (spec/torch-layers.ts), the last layer's entries the outputs, and a
// named loss's target tensors their entries. The rest of the reading (schema, names, limits) then sees
// an ordinary spec, and run, derive, check and certify need nothing of their own; the tensors
// themselves (each param's, each layer's output) are kept beside it for the trace and the printers.
import { InputError } from './errors.js';
import { DEFAULT_LIMITS, LimitError, type Limits } from './limits.js';
import { lineOf, type Plain, type ReadDocument } from './yaml.js';
import { namedTensor, readNested, shapeText, sizeOf, type Shape, type Tensor } from './tensor.js';
import { isTorchLayerType, TORCH_LAYERS, type ExpandContext, type TorchLayer, type WindowView } from './torch-layers.js';
import { didYouMean } from '../text/did-you-mean.js';
import { NAMED_LOSSES, namedLoss, type LossName } from './losses.js';

/** A tensor of the spec: a param or buffer (by state_dict name), an input, or a layer's output. */
export interface SpecTensor {
  name: string;
  shape: Shape;
  /** Its entries' scalar names, row-major. */
  entries: string[];
}

export interface TorchModel {
  /** Params by state_dict name, in the order of the layers. */
  params: SpecTensor[];
  /** Buffers (batch norm's running statistics) by state_dict name: their initial values (as text) and
   *  each entry's update after a step, as expression text over the step's quantities and itself. */
  buffers: Array<SpecTensor & { initial: string[]; updates: Map<string, string> }>;
  /** For a model with batch norm, the samples of a batch, packed into one data row of the scalar spec. */
  batchSize: number | undefined;
  /** The model's input tensor (name '' for a list of scalar inputs). In a model with batch norm, the
   *  entries of every sample of a batch (shape is one sample's), as for the layers. */
  inputs: SpecTensor[];
  /** Each layer's output tensor, in order (a Flatten's is a new view of the same entries), with the
   *  tensors of its intermediates a worked solution shows (attention's scores and weights, gates). */
  layers: Array<SpecTensor & { type: string; parts: SpecTensor[]; statistics: SpecTensor[] }>;
  /** The targets of a named loss, as tensors in the output's shape. */
  targets: SpecTensor[];
  /** A convolution's outputs as window times kernel, by output name, for the worked solution. */
  windows: Map<string, WindowView>;
}

type Mapping = { [key: string]: Plain };
const isMapping = (v: Plain | undefined): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v);
const mapping = (): Mapping => Object.create(null) as Mapping;

/** Deepest tensor a spec may describe (a shape is the user's; a rank bounds the reading's work). */
const MAX_RANK = 6;
/** Largest entry count of one tensor, before the spec's own limits count the whole. */
const MAX_ENTRIES = 100_000;

/** Whether a spec is written torch-style: tensor inputs, or layers of torch.nn types. */
export function isTorchStyle(value: Plain): boolean {
  if (!isMapping(value) || !isMapping(value.model)) return false;
  const model = value.model;
  if (isMapping(model.inputs)) return true;
  return Array.isArray(model.layers) && model.layers.some((l) => isMapping(l) && isTorchLayerType(l.type));
}

/** The scalar spec a torch-style spec stands for, and its tensors. */
export function lowerTorchModel(doc: ReadDocument, limits: Limits = DEFAULT_LIMITS): { doc: ReadDocument; model: TorchModel } {
  const fail = (path: string, message: string): never => {
    throw new InputError(doc.file, path, message, lineOf(doc, path));
  };
  const spec = doc.value as Mapping;
  const model = spec.model as Mapping;
  if (model.neurons !== undefined) fail('model.neurons', 'a torch-style model (tensor inputs or torch.nn layers) is written with layers, not neurons');
  if (!Array.isArray(model.layers) || model.layers.length === 0) fail('model.layers', 'a torch-style model needs its layers (torch.nn classes: Linear, Conv2d, ReLU, ...)');
  const layers = model.layers as Plain[];
  const rows = Array.isArray(spec.data) ? spec.data : [];

  // A layer whose samples depend on each other (batch norm) makes one program of each batch: its
  // samples' quantities are written side by side (sample s of the batch: x_s0_..., conv_s0_...), a
  // packed data row holds the batch, and a step trains on one packed row.
  const batched = layers.some((l) => isMapping(l) && typeof l.type === 'string' && TORCH_LAYERS[l.type]?.expandBatch !== undefined);
  let batchSize = 1;
  if (batched) {
    const training = isMapping(spec.training) ? spec.training : mapping();
    const batch = training.batch ?? 'full';
    batchSize = batch === 'full' ? rows.length : typeof batch === 'string' && /^\d{1,6}$/.test(batch) ? Number(batch) : fail('training.batch', "expected 'full' or a whole number of rows");
    if (batchSize < 1 || rows.length % batchSize !== 0) {
      fail('training.batch', `a model with batch norm trains on whole batches: ${rows.length} data rows do not divide into batches of ${batchSize}`);
    }
  }
  const sampleNames = (base: string, s: number) => (batched ? `${base}_s${s}` : base);
  const samples = Array.from({ length: batchSize }, (_, s) => s);

  // Inputs: a mapping of tensor shapes, or a list of scalar names (read as one vector).
  let input: SpecTensor | undefined;
  if (isMapping(model.inputs)) {
    const entries = Object.entries(model.inputs);
    if (entries.length !== 1) fail('model.inputs', `torch-style layers read one input tensor; got ${entries.length} (${entries.map(([n]) => n).join(', ')})`);
    const [name, shapeValue] = entries[0]!;
    const path = `model.inputs.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(path, `'${name}' is not a name (letters, digits and _, not starting with a digit)`);
    const shape = readShape(shapeValue, path, fail);
    input = { name, shape, entries: namedTensor(name, shape).entries };
  } else if (Array.isArray(model.inputs)) {
    if (batched) fail('model.inputs', 'a model with batch norm gives its input as a tensor: inputs: { x: [3] }');
    const names = model.inputs.map((n, i) => (typeof n === 'string' ? n : fail(`model.inputs[${i + 1}]`, 'an input name')));
    input = { name: '', shape: [names.length], entries: names };
  } else fail('model.inputs', 'a torch-style model gives its inputs as a mapping of shapes: inputs: { x: [1, 4, 4] }');
  const x = input!;

  const defined = new Map<string, string>();
  const define = (scalar: string, what: string, path: string) => {
    const before = defined.get(scalar);
    if (before !== undefined) fail(path, `the name ${scalar} (${what}) is also ${before}: rename a layer`);
    defined.set(scalar, what);
  };
  const sampleInputs = samples.map((s) => (x.name === '' ? x.entries : namedTensor(sampleNames(x.name, s), x.shape).entries));
  sampleInputs.flat().forEach((e) => define(e, `an entry of input ${x.name || 'x'}`, 'model.inputs'));

  // Params and buffers by state_dict name, read in the layouts PyTorch gives them.
  const rawParams = isMapping(spec.params) ? spec.params : spec.params === undefined ? mapping() : fail('params', 'params is a mapping of state_dict names to nested lists');
  const params: SpecTensor[] = [];
  const buffers: TorchModel['buffers'] = [];
  const paramValues = mapping();
  const used = new Set<string>();
  const neurons = mapping();
  const neuronOrder: string[] = [];

  // Per-row data a layer reads besides the inputs (a dropout mask, an embedding's one-hot lookup), by
  // the sample's place in its batch.
  const rowData: Array<{ names: string[]; sample: number; fill: (row: Mapping, r: number) => string[] }> = [];
  const layerTensors: TorchModel['layers'] = [];
  const windows: TorchModel['windows'] = new Map();
  let written = 0;
  let current: Tensor[] = sampleInputs.map((entries) => ({ shape: x.shape, entries }));
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
    const inShape = current[0]!.shape;
    const shape = k.shape(layer, inShape);
    if (!Array.isArray(shape)) {
      const problem = shape as { key: string; message: string };
      fail(problem.key ? `${path}.${problem.key}` : path, problem.message);
    }
    const outShape = shape as Shape;
    if (sizeOf(outShape) * batchSize > MAX_ENTRIES) fail(path, `its output has ${sizeOf(outShape).toLocaleString('en-US')} entries; a spec is for hand-sized networks`);
    const prefix = layer.name ?? `${layer.type.toLowerCase()}${i + 1}`;
    // Refused before it is written when it would write more than the run could evaluate.
    written += (k.terms?.(layer, inShape, outShape) ?? sizeOf(outShape)) * batchSize;
    if (written > limits.work) throw new LimitError('work', doc.file, path, `${written.toLocaleString('en-US')} terms written by the layers up to this one`, limits.work, lineOf(doc, path));

    const own = new Map<string, Tensor>();
    for (const need of k.params?.(layer, inShape) ?? []) {
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
      scalars.entries.forEach((sc, j) => define(sc, `an entry of ${full}`, `params.${full}`));
      if (need.buffer) buffers.push({ name: full, shape: need.shape, entries: scalars.entries, initial: entries, updates: new Map() });
      else {
        scalars.entries.forEach((sc, j) => (paramValues[sc] = entries[j]!));
        params.push({ name: full, shape: need.shape, entries: scalars.entries });
      }
      own.set(need.suffix, scalars);
    }

    const emit = (name: string, text: string) => {
      define(name, `a quantity of layer ${i + 1} (${layer.type})`, path);
      neurons[name] = text;
      neuronOrder.push(name);
      return name;
    };
    const parts: SpecTensor[] = [];
    const statistics: SpecTensor[] = [];
    const sampleContext = (s: number): ExpandContext => ({
      prefix: sampleNames(prefix, s),
      // Shown for a model of independent samples (a packed batch's would repeat per sample).
      show: (name, tensor) => {
        if (!batched) parts.push({ name, shape: tensor.shape, entries: tensor.entries });
      },
      window: (output, view) => windows.set(output, view),
      param: (suffix) => own.get(suffix)!,
      data: (word, dataShape) => {
        const t = namedTensor(`${sampleNames(prefix, s)}_${word}`, dataShape);
        t.entries.forEach((e) => define(e, `the ${word} of layer ${i + 1}`, path));
        rowData.push({ names: t.entries, sample: s, fill: (row, r) => layerData(layer, word, dataShape, row, r, x, i === 0, path, fail) });
        return t;
      },
      emit,
    });
    if (k.expandBatch) {
      try {
        current = k.expandBatch(layer, current, {
          prefix,
          samples: samples.map(sampleContext),
          param: (suffix) => own.get(suffix)!,
          emit,
          update: (scalar, text) => {
            for (const b of buffers) if (b.entries.includes(scalar)) b.updates.set(scalar, text);
          },
          statistic: (word, tensor) => statistics.push({ name: `${prefix}_${word}`, shape: tensor.shape, entries: tensor.entries }),
        });
      } catch (e) {
        if (e instanceof Error && 'key' in e) fail(path, e.message);
        throw e;
      }
    } else current = current.map((t, s) => k.expand(layer, t, sampleContext(s)));
    layerTensors.push({ name: prefix, type: layer.type, shape: outShape, entries: current.flatMap((t) => t.entries), parts, statistics });
  });
  if (neuronOrder.length === 0) fail('model.layers', 'the layers compute nothing (Flatten alone has no equations); add a layer that does');

  for (const key of Object.keys(rawParams)) {
    if (!used.has(key)) {
      fail(`params.${key}`, `no layer has a param ${key}${didYouMean(key, used)}; the params and buffers: ${[...used].join(', ') || 'none'}`);
    }
  }

  // The loss's targets: tensors in the output's shape, one per sample of a batch.
  const outShape = current[0]!.shape;
  const loss = isMapping(spec.loss) ? { ...spec.loss } : spec.loss;
  const targets: SpecTensor[] = [];
  let sampleTargets: string[][] = [];
  if (isMapping(loss) && loss.upstream !== undefined) {
    // A given upstream gradient dL/d(output) g: the loss sum(g * output), whose gradient with respect to
    // the output is g (what y.backward(g) computes in PyTorch).
    const g = loss.upstream;
    if (typeof g !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(g)) fail('loss.upstream', 'the name of a data column holding dL/d(output) for each row, shaped like the output');
    if (loss.name !== undefined || loss.sample !== undefined) fail('loss', 'give the upstream gradient or a loss, not both');
    const upstream = g as string;
    targets.push({ name: upstream, shape: outShape, entries: namedTensor(upstream, outShape).entries });
    sampleTargets = samples.map((s) => namedTensor(sampleNames(upstream, s), outShape).entries);
    sampleTargets.flat().forEach((e) => define(e, `an entry of the upstream gradient ${upstream}`, 'loss.upstream'));
    loss.sample = samples.flatMap((s) => current[s]!.entries.map((o, k) => `${sampleTargets[s]![k]}*${o}`)).join(' + ');
    loss.reduce = 'sum';
    delete loss.upstream;
  } else if (isMapping(loss) && loss.name !== undefined) {
    const names = loss.targets === undefined ? ['y'] : Array.isArray(loss.targets) ? loss.targets : fail('loss.targets', 'a list of target names: targets: [y]');
    if (names.length !== 1) fail('loss.targets', `a named loss compares the output with one target tensor; got ${names.length}`);
    const n = names[0];
    if (typeof n !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) fail('loss.targets[1]', 'a target name');
    const target = n as string;
    targets.push({ name: target, shape: outShape, entries: namedTensor(target, outShape).entries });
    sampleTargets = samples.map((s) => namedTensor(sampleNames(target, s), outShape).entries);
    sampleTargets.flat().forEach((e) => define(e, `an entry of target ${target}`, 'loss.targets[1]'));
    if (batched) {
      // The batch's loss: its samples' losses, reduced as the named loss reduces them.
      const name = loss.name as string;
      if (!Object.hasOwn(NAMED_LOSSES, name)) fail('loss.name', `unknown loss '${name}'${didYouMean(name, Object.keys(NAMED_LOSSES))}`);
      const parts = samples.map((s) => namedLoss(name as LossName, current[s]!.entries, sampleTargets[s]!));
      const reduce = (loss.reduce as string | undefined) ?? parts[0]!.reduce;
      const total = parts.map((p) => `(${p.sample})`).join(' + ');
      loss.sample = reduce === 'mean' ? `(${total}) / ${batchSize}` : total;
      loss.reduce = 'sum';
      delete loss.name;
      delete loss.targets;
    } else loss.targets = sampleTargets[0]!;
  }

  // Data rows: each tensor column flattened to its entries, with the layers' own per-row data; a batch
  // of a batch-norm model packed into one row.
  const flatRow = (row: Plain, r: number, s: number, out: Mapping) => {
    const path = `data[${r + 1}]`;
    if (!isMapping(row)) fail(path, 'a data row is a mapping of the input and the target');
    for (const [key, v] of Object.entries(row as Mapping)) {
      const tensor = key === x.name ? { shape: x.shape, entries: sampleInputs[s]! } : targets[0] && key === targets[0].name ? { shape: outShape, entries: sampleTargets[s]! } : undefined;
      if (!tensor) {
        out[batched ? `${key}_s${s}` : key] = v;
        continue;
      }
      const read = readNested(v, tensor.shape);
      if (!('entries' in read)) fail(`${path}.${key}${read.path}`, `${key} has shape [${tensor.shape.join(', ')}]: ${read.message}`);
      (read as Tensor).entries.forEach((e, j) => (out[tensor.entries[j]!] = e));
    }
    for (const d of rowData) if (d.sample === s) d.fill(row as Mapping, r).forEach((v, j) => (out[d.names[j]!] = v));
  };
  // Counted before they are written: a layer's per-row data (an embedding's one-hot rows) grows with
  // its size, not with the file's.
  const cells = rows.length * (sampleInputs.flat().length + sampleTargets.flat().length + rowData.reduce((n, d) => n + d.names.length, 0));
  if (cells > limits.work) throw new LimitError('work', doc.file, 'data', `${cells.toLocaleString('en-US')} values in the data rows as the layers read them`, limits.work, lineOf(doc, 'data'));
  const data = Array.isArray(spec.data)
    ? Array.from({ length: rows.length / batchSize }, (_, b) => {
      const out = mapping();
      for (const s of samples) flatRow(rows[b * batchSize + s]!, b * batchSize + s, s, out);
      return out;
    })
    : spec.data;

  const lowered: Mapping = mapping();
  for (const [key, v] of Object.entries(spec)) lowered[key] = v;
  const loweredModel = mapping();
  for (const [key, v] of Object.entries(model)) if (key !== 'layers' && key !== 'inputs') loweredModel[key] = v;
  loweredModel.inputs = [...sampleInputs.flat(), ...rowData.flatMap((d) => d.names)];
  const neuronMap = mapping();
  for (const n of neuronOrder) neuronMap[n] = neurons[n]!;
  loweredModel.neurons = neuronMap;
  if (loweredModel.outputs === undefined) loweredModel.outputs = current.flatMap((t) => t.entries);
  lowered.model = loweredModel;
  lowered.params = paramValues;
  if (loss !== undefined) lowered.loss = loss;
  if (data !== undefined) lowered.data = data;
  if (batched && isMapping(spec.training)) lowered.training = { ...spec.training, batch: '1' };
  return {
    doc: { file: doc.file, value: lowered, lines: doc.lines },
    model: { params, buffers, inputs: [{ name: x.name, shape: x.shape, entries: sampleInputs.flat() }], layers: layerTensors, targets, batchSize: batched ? batchSize : undefined, windows },
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
