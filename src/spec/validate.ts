// From a read document to a Spec: the shape first (schema.ts), then the meaning: every name defined
// once, expressions on the whitelist and using only what they may, data rows complete, options known.
// Every problem is an InputError located at its key path. validate() below runs the steps in order; the
// data rows (data.ts) and the training section (training.ts) have files of their own, and what the steps
// share (reporting, limits, the table of names) is validation.ts.
import Decimal from 'decimal.js';
import type * as z from 'zod/mini';
import { didYouMean } from '../text/did-you-mean.js';
import { SPEC_PARSE, SpecSchema, type RawSpec } from './schema.js';
import { readYaml, type ReadDocument } from './yaml.js';
import type { Equation, Spec } from './model.js';
import { expandLayers, layerKind, type RawLayer } from './layers.js';
import { defaultTargets, LOSS_NAMES, namedLoss } from './losses.js';
import { limitsOf, SPEC_LIMIT_KEYS, type Limits } from './limits.js';
import { symbolsOf } from '../symbolic/build.js';
import { DEFAULT_PRESET, PRESETS, type Preset } from '../optimizers/presets.js';
import { DEFAULT_PRECISION, MAX_PRECISION, MIN_PRECISION } from '../numeric/context.js';
import { checksFor, failIn, type Fail, type Checks } from './validation.js';
import { dataColumns, dataRows } from './data.js';
import { trainingOf } from './training.js';
import { isTorchStyle, lowerTorchModel, type TorchModel } from './torch-model.js';
import { parseExpression } from '../symbolic/parse.js';

export { dataPathProblem } from './data.js';

export interface ReadOptions {
  precision?: number;
  /** Limits set by the caller (flags, a host); the spec's own `limits:` section may raise the model-size
   *  ones unless `specMayRaise` is false. */
  limits?: Partial<Limits>;
  specMayRaise?: boolean;
  /** Reads a data file the spec names (`data: rows.csv`), by its path relative to the spec's folder,
   *  already checked to stay inside it (dataPathProblem); the host refuses a file that resolves outside
   *  it (a symbolic link) or has more than `maxBytes` bytes (cli/files.ts readDataFile does both).
   *  Without it, a spec cannot name a data file. */
  readDataFile?: (relativePath: string, maxBytes: number) => string;
}

export function parseSpec(text: string, file: string, options: ReadOptions = {}): Spec {
  return validate(readYaml(text, file, options), options);
}

/**
 * The meaning of a spec, in steps of one concern each. Their order is the order in which problems are
 * reported (a spec with several is told the first), so it is part of the behaviour; within that, each
 * step needs what the ones before it give:
 *  - shape: the schema; every later step reads its typed result.
 *  - limits: the spec's `limits:` section with the caller's; every count and expression after is held to them.
 *  - inputs and params (with constants): the names the neurons are written over, and the shapes of the
 *    matrices and vectors layers need.
 *  - neurons and layers: read the inputs, params and constants; give the outputs the loss is written over.
 *  - data rows: read before the loss, which may take its targets only from the rows' columns.
 *  - loss and penalty: read the outputs, the names defined and the rows' columns; give the targets.
 *  - data columns: a row holds the inputs and the targets, so this waits for the loss.
 *  - precision: stands alone, in the place it always had.
 *  - conventions: their preset says which optimizers the training may name.
 *  - training and optimizer: the preset's optimizers, and the number of rows (a full batch, the steps).
 *  - frozen params: name params (or their matrices), so they come after them; last, as they always were.
 */
export function validate(source: ReadDocument, options: ReadOptions = {}): Spec {
  // A torch-style spec (tensor inputs, torch.nn layers) is read as the scalar spec it stands for, and a
  // spec without training as one forward and backward pass.
  const torch = isTorchStyle(source.value) ? lowerTorchModel(source, limitsOf(options.limits)) : undefined;
  const doc = withTraining(torch?.doc ?? source);
  const fail = failIn(doc);
  const raw = shape(doc, fail);
  const limits = effectiveLimits(raw.limits, options);
  const checks = checksFor(doc, limits, fail);
  const quantities = inputsAndParams(checks, raw);
  const { neurons, outputs } = neuronsAndLayers(checks, raw.model, quantities);
  const { data, rowKeys } = dataRows(checks, raw.data, options);
  const { loss, targets } = lossAndPenalty(checks, raw.loss, outputs, quantities, rowKeys);
  dataColumns(checks, raw.data, data, quantities.inputs, targets);
  const precision = precisionOf(raw.precision, options, fail);
  const { conventions, preset } = conventionsOf(raw.conventions, fail);
  const given = torch?.doc ?? source;
  const training = { ...trainingOf(checks, raw.training, preset, data.length), ...(doc !== given ? { forwardOnly: true as const } : {}) };
  const frozen = frozenParams(raw.frozen, quantities, fail);
  return {
    file: doc.file,
    precision,
    inputs: quantities.inputNames,
    neurons,
    outputs,
    params: quantities.params,
    frozen,
    constants: quantities.constantValues,
    targets,
    data: data.map((row) => Object.assign(Object.create(null), row) as Record<string, string>),
    loss,
    training,
    conventions,
    limits,
    ...(torch ? { tensors: torch.model } : {}),
    ...(torch?.model.buffers.length ? { buffers: bufferUpdates(torch.model, limits) } : {}),
  };
}

/** The buffers of a torch-style spec (batch norm's running statistics) with their update equations. */
function bufferUpdates(model: TorchModel, limits: Limits): NonNullable<Spec['buffers']> {
  return model.buffers.flatMap((b) => b.entries.map((name, j) => {
    const text = b.updates.get(name) ?? name;
    return { name, value: b.initial[j]!, update: { name, text, expr: parseExpression(text, limits) } };
  }));
}

/** A spec without `training` asks for one forward pass over its data (and the backward pass, which its
 *  loss gives): one step over the whole batch with an optimizer that changes nothing. */
const NO_TRAINING = { optimizer: { title: 'no training: one forward and backward pass, no update', update: [{ p: 'p' }] }, epochs: '1', batch: 'full' };

function withTraining(doc: ReadDocument): ReadDocument {
  const value = doc.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value.training !== undefined) return doc;
  const out = Object.assign(Object.create(null) as Record<string, unknown>, value, { training: NO_TRAINING });
  return { ...doc, value: out as ReadDocument['value'] };
}

/** The shape: a mapping of known sections, as the schema has them. */
function shape(doc: ReadDocument, fail: Fail): RawSpec {
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) fail('', 'a spec is a mapping with model, params, data, loss and training');
  // A misspelt section is named as such, before the schema reports the section it misses.
  for (const key of Object.keys(doc.value as object)) {
    if (!TOP_LEVEL_KEYS.includes(key) && key !== '$schema') fail(key, `unknown key '${key}'${didYouMean(key, TOP_LEVEL_KEYS)}; a spec's sections are ${TOP_LEVEL_KEYS.join(', ')}`);
  }
  const parsed = SpecSchema.safeParse(doc.value, SPEC_PARSE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(pathText(issue.path), issueMessage(issue));
  }
  return parsed.data!;
}

/** The limits in force: defaults, raised or lowered by the spec's `limits:` section (only lowered when
 *  the caller does not let a spec raise them), then the caller's own, which always win. */
function effectiveLimits(section: RawSpec['limits'], options: ReadOptions): Limits {
  const caller = limitsOf(options.limits);
  const out = { ...caller };
  for (const [name, key] of SPEC_LIMIT_KEYS) {
    const v = section?.[key as keyof NonNullable<RawSpec['limits']>];
    if (v === undefined || options.limits?.[name] !== undefined) continue;
    out[name] = options.specMayRaise === false ? Math.min(Number(v), caller[name]) : Number(v);
  }
  return out;
}

/** The model's named quantities other than its neurons, each name defined. */
interface Quantities {
  inputNames: string[];
  inputs: Set<string>;
  /** Matrices and vectors expanded to their scalar entries, in the order written. */
  params: Spec['params'];
  paramSet: Set<string>;
  /** Each matrix or vector param by its own name: its entries' names and its shape. */
  groups: Map<string, { names: string[]; shape: number[] }>;
  constantValues: Spec['constants'];
  constants: Set<string>;
}

/** Inputs (names, or a count for x1..xn), params (matrices and vectors expand to scalars W_j_i and b_j)
 *  and constants, each name defined and each number checked; the inputs and params are counted against
 *  their limits before they are expanded. */
function inputsAndParams(checks: Checks, raw: RawSpec): Quantities {
  const { fail, tooMany, checkNumber, define } = checks;
  if (typeof raw.model.inputs === 'string') tooMany('neurons', 'model.inputs', Number(raw.model.inputs), 'inputs');
  const inputNames = typeof raw.model.inputs === 'string' ? Array.from({ length: Number(raw.model.inputs) }, (_, i) => `x${i + 1}`) : raw.model.inputs;
  inputNames.forEach((n, i) => define(n, `model.inputs[${i + 1}]`));

  const params: Array<{ name: string; value: string }> = [];
  const groups = new Map<string, { names: string[]; shape: number[] }>();
  let paramCount = 0;
  for (const value of Object.values(raw.params)) paramCount += typeof value === 'string' ? 1 : (value as Array<string | string[]>).reduce<number>((n, r) => n + (Array.isArray(r) ? r.length : 1), 0);
  tooMany('params', 'params', paramCount, 'params');
  for (const [name, value] of Object.entries(raw.params)) {
    const path = `params.${name}`;
    if (typeof value === 'string') {
      checkNumber(value, path);
      define(name, path);
      params.push({ name, value });
    } else if (value.every((v) => typeof v === 'string')) {
      const names = (value as string[]).map((v, j) => {
        define(`${name}_${j + 1}`, `${path}[${j + 1}]`);
        checkNumber(v, `${path}[${j + 1}]`);
        params.push({ name: `${name}_${j + 1}`, value: v });
        return `${name}_${j + 1}`;
      });
      groups.set(name, { names, shape: [value.length] });
    } else {
      const rows = value as string[][];
      if (!rows.every((r) => Array.isArray(r) && r.length === rows[0]!.length)) fail(path, 'a matrix is a list of rows of equal length');
      const names: string[] = [];
      rows.forEach((row, j) => row.forEach((v, i) => {
        const n = `${name}_${j + 1}_${i + 1}`;
        define(n, `${path}[${j + 1}][${i + 1}]`);
        checkNumber(v, `${path}[${j + 1}][${i + 1}]`);
        params.push({ name: n, value: v });
        names.push(n);
      }));
      groups.set(name, { names, shape: [rows.length, rows[0]!.length] });
    }
  }
  // Name tables without a prototype: a name like `constructor` or `toString` is a name like any other.
  const constantValues: Record<string, string> = Object.assign(Object.create(null), raw.constants);
  for (const [n, v] of Object.entries(constantValues)) {
    define(n, `constants.${n}`);
    checkNumber(v, `constants.${n}`);
  }
  return {
    inputNames,
    inputs: new Set(inputNames),
    params,
    paramSet: new Set(params.map((p) => p.name)),
    groups,
    constantValues,
    constants: new Set(Object.keys(raw.constants)),
  };
}

/** The message for a name used but never defined, with the names it may have meant. */
function undefinedName(checks: Checks, quantities: Quantities, s: string, extra: Iterable<string> = []): string {
  return `undefined name '${s}'${didYouMean(s, [...checks.owner.keys(), ...extra, ...quantities.groups.keys()])}${quantities.groups.has(s) ? ` ('${s}' is a matrix or vector: use its entries, e.g. ${quantities.groups.get(s)!.names[0]})` : ''}`;
}

/** Neurons, written out or as layers, each defined before any is parsed (so that a use of a later one
 *  is told as such), then parsed in order: a neuron may use inputs, params, constants and earlier
 *  neurons. */
function neuronsAndLayers(checks: Checks, model: RawSpec['model'], quantities: Quantities): { neurons: Equation[]; outputs: string[] } {
  const { fail, tooMany } = checks;
  if (model.neurons && model.layers) fail('model', 'give either neurons or layers, not both');
  let neuronTexts: Array<[string, string, string]> = Object.entries(model.neurons ?? {}).map(([n, t]) => [n, t, `model.neurons.${n}`]);
  let layerOutputs: string[] | undefined;
  if (model.layers) {
    // Each layer's kind (spec/layers.ts) says what it needs; sizes are checked before anything is
    // built: a layer of 10^9 units is refused, not attempted.
    const layers = model.layers as RawLayer[];
    let units = 0;
    let weights = 0;
    let fanIn = quantities.inputNames.length;
    const needs = layers.map((layer, i) => {
      const kind = layerKind(layer);
      const problem = kind.problem?.(layer, fanIn);
      if (problem) fail(`model.layers[${i + 1}]${problem.key ? `.${problem.key}` : ''}`, problem.message);
      units += kind.neuronCount(layer, fanIn);
      const params = kind.params(layer, i + 1, fanIn);
      for (const p of params) weights += p.shape.reduce((a, b) => a * b, 1);
      fanIn = kind.size(layer, fanIn);
      return params;
    });
    tooMany('neurons', 'model.layers', units, 'neurons');
    tooMany('params', 'model.layers', weights, 'weights and biases');
    const expanded = expandLayers(quantities.inputNames, layers);
    needs.forEach((params, i) => {
      for (const need of params) {
        const group = quantities.groups.get(need.name);
        if (!group || group.shape.length !== need.shape.length || group.shape.some((n, k) => n !== need.shape[k])) {
          fail(group ? `params.${need.name}` : `model.layers[${i + 1}]`, `layer ${i + 1} needs params.${need.name}, ${need.what}${group ? `; got ${group.shape.join('x')}` : ''}${need.alternative ?? ''}`);
        }
      }
    });
    neuronTexts = expanded.neurons.map(([n, t]) => [n, t, `model.layers`]);
    layerOutputs = expanded.outputs;
  }
  tooMany('neurons', 'model.neurons', neuronTexts.length, 'neurons');
  const neuronNames = neuronTexts.map(([n]) => n);
  neuronTexts.forEach(([n, , path]) => checks.define(n, path));

  const neurons: Equation[] = [];
  const earlier = new Set<string>();
  for (const [name, text, path] of neuronTexts) {
    const eq = checks.expression(text, path, name);
    for (const s of symbolsOf(eq.expr)) {
      if (quantities.inputs.has(s) || quantities.paramSet.has(s) || quantities.constants.has(s) || earlier.has(s)) continue;
      if (s === name) fail(path, `neuron '${name}' uses itself (a cycle)`);
      if (neuronNames.includes(s)) fail(path, `neuron '${name}' uses '${s}', which is defined later: neurons are evaluated in order, so list '${s}' first (a cycle is not allowed)`);
      fail(path, undefinedName(checks, quantities, s));
    }
    neurons.push(eq);
    earlier.add(name);
  }
  const outputs = model.outputs ?? layerOutputs ?? neuronNames.slice(-1);
  outputs.forEach((o, i) => {
    if (!earlier.has(o)) fail(`model.outputs[${i + 1}]`, `'${o}' is not a neuron${didYouMean(o, neuronNames)}`);
  });
  return { neurons, outputs };
}

/** The loss, an expression or a loss by name over the outputs and targets, and the penalty on the
 *  params. The targets are the names the loss reads from the data rows: columns other than inputs. */
function lossAndPenalty(checks: Checks, raw: RawSpec['loss'], outputs: string[], quantities: Quantities, rowKeys: Set<string>): { loss: Spec['loss']; targets: string[] } {
  const { fail, owner } = checks;
  if ((raw.sample === undefined) === (raw.name === undefined)) fail('loss', `give the loss either as sample (an expression) or as name (${LOSS_NAMES.join(', ')})`);
  let sampleText = raw.sample;
  let reduce = raw.reduce;
  if (raw.name) {
    const targets = raw.targets ?? defaultTargets(outputs);
    if (targets.length !== outputs.length) fail('loss.targets', `${outputs.length} output${outputs.length > 1 ? 's' : ''} (${outputs.join(', ')}) need as many targets, got ${targets.length}`);
    if (outputs.length === 0) fail('loss.name', 'a loss by name needs model outputs');
    const named = namedLoss(raw.name, outputs, targets);
    sampleText = named.sample;
    reduce ??= named.reduce;
  }
  const sample = checks.expression(sampleText!, raw.name ? 'loss.name' : 'loss.sample', 'loss');
  const lossPath = raw.name ? 'loss.targets' : 'loss.sample';
  const targets: string[] = [];
  for (const s of symbolsOf(sample.expr)) {
    // An input is a column of the sample's row, as a target is (a reconstruction loss reads its input).
    if (owner.has(s) && !quantities.inputs.has(s)) continue;
    if (quantities.inputs.has(s)) continue;
    if (!rowKeys.has(s)) fail(lossPath, `${undefinedName(checks, quantities, s, rowKeys)}: a target must be a column of the data`);
    targets.push(s);
  }
  let penalty: Equation | undefined;
  if (raw.penalty !== undefined) {
    penalty = checks.expression(raw.penalty, 'loss.penalty', 'penalty');
    for (const s of symbolsOf(penalty.expr)) {
      if (!quantities.paramSet.has(s) && !quantities.constants.has(s)) fail('loss.penalty', `the penalty may use params and constants only, not '${s}'${owner.has(s) ? '' : didYouMean(s, [...quantities.paramSet, ...quantities.constants])}`);
    }
  }
  return {
    loss: { sample, reduce: reduce ?? 'mean', ...(penalty ? { penalty } : {}), ...(raw.name ? { name: raw.name } : {}) },
    targets,
  };
}

/** Significant digits: the caller's, else the spec's, else the default. */
function precisionOf(given: RawSpec['precision'], options: ReadOptions, fail: Fail): number {
  let precision = DEFAULT_PRECISION;
  if (given !== undefined) precision = Number(given);
  if (options.precision !== undefined) precision = options.precision;
  if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
    fail(options.precision !== undefined ? '' : 'precision', `precision must be a whole number of digits from ${MIN_PRECISION} to ${MAX_PRECISION}, got ${options.precision ?? given}`);
  }
  return precision;
}

/** Conventions: a preset, with individual keys overriding it. */
function conventionsOf(raw: RawSpec['conventions'], fail: Fail): { conventions: Spec['conventions']; preset: Preset } {
  const conv = typeof raw === 'string' ? { preset: raw } : raw;
  const presetName = conv.preset ?? DEFAULT_PRESET;
  const preset = PRESETS[presetName]!;
  const reluAtZero = conv.relu_at_zero ?? preset.relu_at_zero;
  const reluText = new Decimal(reluAtZero).toString();
  if (!['0', '1', '0.5'].includes(reluText)) fail('conventions.relu_at_zero', 'expected 0 (PyTorch, TensorFlow, JAX), 1 or 0.5');
  return { conventions: { preset: presetName, relu_at_zero: reluText, ...(conv.max_tie ? { max_tie: conv.max_tie } : {}) }, preset };
}

/** Frozen params: by scalar name or by a matrix's or vector's name. */
function frozenParams(raw: RawSpec['frozen'], quantities: Quantities, fail: Fail): string[] {
  return raw.flatMap((name, i) => {
    if (quantities.groups.has(name)) return quantities.groups.get(name)!.names;
    if (!quantities.paramSet.has(name)) fail(`frozen[${i + 1}]`, `'${name}' is not a param${didYouMean(name, [...quantities.paramSet, ...quantities.groups.keys()])}`);
    return [name];
  });
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p + 1}]` : out ? `.${String(p)}` : String(p);
  return out;
}

const TOP_LEVEL_KEYS = ['precision', 'model', 'params', 'frozen', 'constants', 'data', 'loss', 'training', 'conventions', 'limits', 'variants'];

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = issue.path.length === 0 ? TOP_LEVEL_KEYS : [];
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${known.length ? didYouMean(issue.keys[0]!, known) : ''}`;
    }
    case 'invalid_type': {
      // In YAML words: a record or object is a mapping, an array a list.
      const words: Record<string, string> = { string: 'a value', record: 'a mapping', object: 'a mapping', array: 'a list', boolean: 'true or false' };
      const expected = words[issue.expected] ?? `a ${issue.expected}`;
      if (issue.input === undefined) return `missing: expected ${expected}`;
      return issue.message.startsWith('Invalid input') ? `expected ${expected}` : issue.message;
    }
    case 'invalid_key': {
      const key = String(issue.path[issue.path.length - 1] ?? '');
      return `'${key}' is not a name: a name is ASCII letters, digits and _, not starting with a digit`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}
