// From a read document to a Spec: the shape first (schema.ts), then the meaning: every name defined
// once, expressions on the whitelist and using only what they may, data rows complete, options known.
// Every problem is an InputError located at its key path.
import Decimal from 'decimal.js';
import type * as z from 'zod/mini';
// csv-parse/sync needs Node's Buffer; a browser gets csv-parse's own build with one (package.json imports).
import { parse as parseCsv } from '#csv-parse';
import { InputError } from './errors.js';
import { didYouMean } from '../text/did-you-mean.js';
import { SPEC_PARSE, SpecSchema, type RawSpec } from './schema.js';
import { lineOf, readYaml, type ReadDocument } from './yaml.js';
import type { Equation, Spec } from './model.js';
import { expandLayers, layerKind, type RawLayer } from './layers.js';
import { isTorchStyle, lowerTorchModel } from './torch-model.js';
import { defaultTargets, LOSS_NAMES, namedLoss } from './losses.js';
import { LimitError, limitsOf, SPEC_LIMIT_KEYS, type Limits } from './limits.js';
import { literalProblem } from '../numeric/literal.js';
import { ExpressionError, parseExpression, RESERVED_NAMES } from '../symbolic/parse.js';
import { symbolsOf } from '../symbolic/build.js';
import type { OptimizerDef, Options } from '../optimizers/definitions.js';
import { DEFAULT_PRESET, PRESETS } from '../optimizers/presets.js';
import { customDefinition } from '../optimizers/custom.js';
import { DECIMAL_TEXT, DEFAULT_PRECISION, MAX_PRECISION, MIN_PRECISION } from '../numeric/context.js';
import { terminalSafeLine } from '../text/escape.js';

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


/** Words the expression parser reads as constants, not names: a quantity cannot be called so. */
const CONSTANT_WORDS = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity']);

export function validate(source: ReadDocument, options: ReadOptions = {}): Spec {
  // A torch-style spec (tensor inputs, torch.nn layers) is read as the scalar spec it stands for.
  const torch = isTorchStyle(source.value) ? lowerTorchModel(source, limitsOf(options.limits)) : undefined;
  const doc = withTraining(torch?.doc ?? source);
  const fail = (path: string, message: string, line?: number): never => {
    throw new InputError(doc.file, path, message, line ?? lineOf(doc, path));
  };
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
  const raw = parsed.data!;
  const limits = effectiveLimits(raw.limits, options);
  const tooMany = (limit: keyof Limits, path: string, found: number, what: string) => {
    if (found > limits[limit]) throw new LimitError(limit, doc.file, path, `${found.toLocaleString('en-US')} ${what}`, limits[limit], lineOf(doc, path));
  };
  // Every number of the spec is read from its text; one outside decimal arithmetic's exponent range
  // would silently become Infinity or 0.
  const checkNumber = (text: string, path: string) => {
    const problem = literalProblem(text);
    if (problem) fail(path, problem);
  };

  // Names: each defined once, across every section.
  const owner = new Map<string, string>();
  const define = (name: string, path: string) => {
    if (RESERVED_NAMES.has(name) || name === 'loss') fail(path, `'${name}' is reserved (${name === 'loss' ? "the per-sample loss's own name" : 'a function of expressions'}); choose another name (e.g. ${name}_1)`);
    if (CONSTANT_WORDS.has(name)) fail(path, `'${name}' is a constant of the expression language (${[...CONSTANT_WORDS].join(', ')}), not a name; choose another name (e.g. ${name}_1)`);
    const before = owner.get(name);
    if (before) fail(path, `'${name}' is already defined at ${before}`);
    owner.set(name, path);
  };

  if (typeof raw.model.inputs === 'string') tooMany('neurons', 'model.inputs', Number(raw.model.inputs), 'inputs');
  const inputNames = typeof raw.model.inputs === 'string' ? Array.from({ length: Number(raw.model.inputs) }, (_, i) => `x${i + 1}`) : raw.model.inputs;
  inputNames.forEach((n, i) => define(n, `model.inputs[${i + 1}]`));

  // Params: matrices and vectors expand to scalars W_j_i and b_j.
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

  // Neurons, written out or as layers.
  if (raw.model.neurons && raw.model.layers) fail('model', 'give either neurons or layers, not both');
  let neuronTexts: Array<[string, string, string]> = Object.entries(raw.model.neurons ?? {}).map(([n, t]) => [n, t, `model.neurons.${n}`]);
  let layerOutputs: string[] | undefined;
  if (raw.model.layers) {
    // Each layer's kind (spec/layers.ts) says what it needs; sizes are checked before anything is
    // built: a layer of 10^9 units is refused, not attempted.
    const layers = raw.model.layers as RawLayer[];
    let units = 0;
    let weights = 0;
    let fanIn = inputNames.length;
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
    const expanded = expandLayers(inputNames, layers);
    needs.forEach((params, i) => {
      for (const need of params) {
        const group = groups.get(need.name);
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
  neuronTexts.forEach(([n, , path]) => define(n, path === 'model.layers' ? 'model.layers' : path));

  const expression = (text: string, path: string, name: string): Equation => {
    try {
      return { name, text, expr: parseExpression(text, limits) };
    } catch (e) {
      if (e instanceof ExpressionError) fail(path, e.message);
      throw e;
    }
  };
  const inputs = new Set(inputNames);
  const paramSet = new Set(params.map((p) => p.name));
  const constants = new Set(Object.keys(raw.constants));
  const undefinedName = (s: string, extra: Iterable<string> = []) => `undefined name '${s}'${didYouMean(s, [...owner.keys(), ...extra, ...groups.keys()])}${groups.has(s) ? ` ('${s}' is a matrix or vector: use its entries, e.g. ${groups.get(s)!.names[0]})` : ''}`;

  // Neurons may use inputs, params, constants and earlier neurons.
  const neurons: Equation[] = [];
  const earlier = new Set<string>();
  for (const [name, text, path] of neuronTexts) {
    const eq = expression(text, path, name);
    for (const s of symbolsOf(eq.expr)) {
      if (inputs.has(s) || paramSet.has(s) || constants.has(s) || earlier.has(s)) continue;
      if (s === name) fail(path, `neuron '${name}' uses itself (a cycle)`);
      if (neuronNames.includes(s)) fail(path, `neuron '${name}' uses '${s}', which is defined later: neurons are evaluated in order, so list '${s}' first (a cycle is not allowed)`);
      fail(path, undefinedName(s));
    }
    neurons.push(eq);
    earlier.add(name);
  }
  const outputs = raw.model.outputs ?? layerOutputs ?? neuronNames.slice(-1);
  outputs.forEach((o, i) => {
    if (!earlier.has(o)) fail(`model.outputs[${i + 1}]`, `'${o}' is not a neuron${didYouMean(o, neuronNames)}`);
  });

  // Data: rows in the spec, or a CSV file beside it.
  const data = typeof raw.data === 'string' ? readCsv(raw.data, doc, options, fail, limits.dataBytes) : raw.data;
  tooMany('rows', 'data', data.length, 'data rows');
  const rowKeys = new Set<string>();
  data.forEach((row, i) => {
    for (const [key, value] of Object.entries(row)) {
      rowKeys.add(key);
      checkNumber(value, typeof raw.data === 'string' ? 'data' : `data[${i + 1}].${key}`);
    }
  });

  // The loss: an expression, or a loss by name over the outputs and targets.
  if ((raw.loss.sample === undefined) === (raw.loss.name === undefined)) fail('loss', `give the loss either as sample (an expression) or as name (${LOSS_NAMES.join(', ')})`);
  let sampleText = raw.loss.sample;
  let reduce = raw.loss.reduce;
  if (raw.loss.name) {
    const targets = raw.loss.targets ?? defaultTargets(outputs);
    if (targets.length !== outputs.length) fail('loss.targets', `${outputs.length} output${outputs.length > 1 ? 's' : ''} (${outputs.join(', ')}) need as many targets, got ${targets.length}`);
    if (outputs.length === 0) fail('loss.name', 'a loss by name needs model outputs');
    const named = namedLoss(raw.loss.name, outputs, targets);
    sampleText = named.sample;
    reduce ??= named.reduce;
  }
  const sample = expression(sampleText!, raw.loss.name ? 'loss.name' : 'loss.sample', 'loss');
  const lossPath = raw.loss.name ? 'loss.targets' : 'loss.sample';
  const targets: string[] = [];
  for (const s of symbolsOf(sample.expr)) {
    if (owner.has(s) && !inputs.has(s)) continue;
    if (inputs.has(s)) fail(lossPath, `the loss uses input '${s}': the loss may use neurons, params, constants and targets from the data`);
    if (!rowKeys.has(s)) fail(lossPath, `${undefinedName(s, rowKeys)}: a target must be a column of the data`);
    targets.push(s);
  }
  let penalty: Equation | undefined;
  if (raw.loss.penalty !== undefined) {
    penalty = expression(raw.loss.penalty, 'loss.penalty', 'penalty');
    for (const s of symbolsOf(penalty.expr)) {
      if (!paramSet.has(s) && !constants.has(s)) fail('loss.penalty', `the penalty may use params and constants only, not '${s}'${owner.has(s) ? '' : didYouMean(s, [...paramSet, ...constants])}`);
    }
  }
  const columns = new Set([...inputs, ...targets]);
  const dataPath = typeof raw.data === 'string' ? 'data' : undefined;
  data.forEach((row, i) => {
    for (const key of Object.keys(row)) {
      if (!columns.has(key)) fail(dataPath ?? `data[${i + 1}].${key}`, `unknown column '${key}'${didYouMean(key, columns)}: a row holds the inputs (${[...inputs].join(', ') || 'none'}) and the targets the loss uses (${targets.join(', ') || 'none'})`);
    }
    for (const c of columns) {
      if (!Object.hasOwn(row, c)) fail(dataPath ?? `data[${i + 1}]`, `row ${i + 1} has no value for '${c}'`);
    }
  });

  // Precision.
  let precision = DEFAULT_PRECISION;
  if (raw.precision !== undefined) precision = Number(raw.precision);
  if (options.precision !== undefined) precision = options.precision;
  if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
    fail(options.precision !== undefined ? '' : 'precision', `precision must be a whole number of digits from ${MIN_PRECISION} to ${MAX_PRECISION}, got ${options.precision ?? raw.precision}`);
  }

  // Conventions: a preset, with individual keys overriding it.
  const conv = typeof raw.conventions === 'string' ? { preset: raw.conventions } : raw.conventions;
  const presetName = conv.preset ?? DEFAULT_PRESET;
  const preset = PRESETS[presetName]!;
  const reluAtZero = conv.relu_at_zero ?? preset.relu_at_zero;
  const reluText = new Decimal(reluAtZero).toString();
  if (!['0', '1', '0.5'].includes(reluText)) fail('conventions.relu_at_zero', 'expected 0 (PyTorch, TensorFlow, JAX), 1 or 0.5');
  const conventions = { preset: presetName, relu_at_zero: reluText, ...(conv.max_tie ? { max_tie: conv.max_tie } : {}) };

  // Training: a named optimizer of the preset, or one written as equations.
  const { optimizer, epochs, batch, ...given } = raw.training;
  let def: OptimizerDef;
  let optimizerName: string;
  if (typeof optimizer === 'string') {
    const found = Object.hasOwn(preset.optimizers, optimizer) ? preset.optimizers[optimizer] : undefined;
    if (!found) fail('training.optimizer', `unknown optimizer '${optimizer}'${didYouMean(optimizer, Object.keys(preset.optimizers))}; available: ${Object.keys(preset.optimizers).join(', ')}, or one written as equations`);
    def = found!;
    optimizerName = optimizer;
  } else {
    def = customOptimizer(optimizer, fail, limits);
    optimizerName = 'custom';
  }
  const optionValues: Options = Object.assign(Object.create(null), def.options);
  for (const [key, value] of Object.entries(given)) {
    const path = `training.${key}`;
    if (!Object.hasOwn(def.options, key)) fail(path, `unknown option '${key}' for ${optimizerName}${didYouMean(key, Object.keys(def.options))}; its options: ${Object.keys(def.options).join(', ')}, and epochs, batch`);
    const isFlag = typeof def.options[key] === 'boolean';
    if (isFlag && typeof value !== 'boolean') fail(path, `expected true or false`);
    if (!isFlag && (typeof value !== 'string' || !DECIMAL_TEXT.test(value))) fail(path, 'expected a number (e.g. 0.1, -2, 1e-8)');
    if (!isFlag) checkNumber(value as string, path);
    optionValues[key] = value as string | boolean;
  }
  const refusal = def.invalid?.(optionValues);
  if (refusal) fail('training', refusal);
  const epochCount = Number(epochs);
  if (epochCount < 1) fail('training.epochs', 'epochs must be at least 1');
  const batchSize = batch === 'full' ? data.length : Number(batch);
  if (batchSize < 1) fail('training.batch', 'a batch holds at least one row');
  // Optimizer steps, counted before any is taken (epochs is text: a huge count must not round).
  const batchesPerEpoch = Math.ceil(data.length / Math.min(batchSize, data.length));
  if (epochs.length > 15 || epochCount * batchesPerEpoch > limits.steps) {
    throw new LimitError('steps', doc.file, 'training.epochs', `${epochs.length > 15 ? epochs : (epochCount * batchesPerEpoch).toLocaleString('en-US')} optimizer steps (${epochs} epoch${epochCount === 1 ? '' : 's'} of ${batchesPerEpoch} batch${batchesPerEpoch === 1 ? '' : 'es'})`, limits.steps, lineOf(doc, 'training.epochs'));
  }

  // Frozen params: by scalar name or by a matrix's or vector's name.
  const frozen = raw.frozen.flatMap((name, i) => {
    if (groups.has(name)) return groups.get(name)!.names;
    if (!paramSet.has(name)) fail(`frozen[${i + 1}]`, `'${name}' is not a param${didYouMean(name, [...paramSet, ...groups.keys()])}`);
    return [name];
  });

  return {
    file: doc.file,
    precision,
    inputs: inputNames,
    neurons,
    outputs,
    params,
    frozen,
    constants: constantValues,
    targets,
    data: data.map((row) => Object.assign(Object.create(null), row) as Record<string, string>),
    loss: { sample, reduce: reduce ?? 'mean', ...(penalty ? { penalty } : {}), ...(raw.loss.name ? { name: raw.loss.name } : {}) },
    training: { optimizer: optimizerName, definition: def, options: optionValues, epochs: epochCount, batchSize: Math.min(batchSize, data.length), batch: batch === 'full' ? 'full' : batchSize },
    conventions,
    limits,
    ...(torch ? { tensors: torch.model } : {}),
    ...(torch?.model.buffers.length ? {
      buffers: torch.model.buffers.flatMap((b) => b.entries.map((name, j) => {
        const text = b.updates.get(name) ?? name;
        return { name, value: b.initial[j]!, update: { name, text, expr: parseExpression(text, limits) } };
      })),
    } : {}),
  };
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

type Fail = (path: string, message: string, line?: number) => never;

/** An optimizer written in the spec: every name in its equations must be known where it is used. */
function customOptimizer(raw: Exclude<RawSpec['training']['optimizer'], string>, fail: Fail, limits: Limits): OptimizerDef {
  const base = 'training.optimizer';
  const hyper = Object.keys(raw.hyperparameters);
  const state = Object.keys(raw.state);
  // p, g, grad and t are the optimizer language's own words (the param, its gradient, the step): a
  // hyperparameter or state variable of that name would be silently read as them.
  const ROLES: Record<string, string> = { p: 'the param', g: 'the gradient', grad: 'the gradient', t: 'the step counter' };
  for (const [section, names] of [['hyperparameters', hyper], ['state', state]] as const) {
    for (const name of names) {
      if (Object.hasOwn(ROLES, name)) fail(`${base}.${section}.${name}`, `'${name}' is ${ROLES[name]} in an optimizer's equations; name the ${section === 'state' ? 'state variable' : 'hyperparameter'} otherwise (e.g. ${name}0)`);
      if (RESERVED_NAMES.has(name)) fail(`${base}.${section}.${name}`, `'${name}' is reserved (a function of expressions); choose another name (e.g. ${name}_1)`);
      if (section === 'state' && hyper.includes(name)) fail(`${base}.state.${name}`, `'${name}' is already a hyperparameter; a state variable needs a name of its own`);
    }
  }
  for (const [name, value] of Object.entries(raw.hyperparameters)) {
    const problem = literalProblem(value);
    if (problem) fail(`${base}.hyperparameters.${name}`, problem);
  }
  const known = new Set(['p', 'g', 'grad', 't', ...hyper, ...state]);
  const update = raw.update.map((entry, i) => {
    const path = `${base}.update[${i + 1}]`;
    const keys = Object.keys(entry);
    if (keys.length !== 1) fail(path, 'each update is one `name: formula`');
    const [name, formula] = [keys[0]!, entry[keys[0]!]!];
    if (RESERVED_NAMES.has(name)) fail(path, `'${name}' is reserved (a function of expressions); choose another name (e.g. ${name}_1)`);
    if (name === 't' || name === 'grad') fail(`${path}.${name}`, `'${name}' is ${ROLES[name]}, given to the optimizer: an update cannot assign it (name the new value otherwise${name === 'grad' ? ', e.g. g' : ''})`);
    if (hyper.includes(name)) fail(`${path}.${name}`, `'${name}' is a hyperparameter, fixed for the run: an update cannot assign it (name the new value otherwise)`);
    let tree;
    try {
      tree = parseExpression(formula, limits);
    } catch (e) {
      if (e instanceof ExpressionError) fail(`${path}.${name}`, e.message);
      throw e;
    }
    for (const s of symbolsOf(tree!)) {
      if (!known.has(s)) fail(`${path}.${name}`, `undefined name '${s}'${didYouMean(s, known)}: an update may use p, g (the gradient), t, the hyperparameters, the state and earlier updates`);
    }
    known.add(name);
    return { name, formula };
  });
  if (update[update.length - 1]!.name !== 'p') fail(`${base}.update`, 'the last update must assign p, the new value of the param');
  if (update.filter((u) => u.name === 'p').length > 1) fail(`${base}.update`, 'p is assigned once, last (name intermediate values)');
  for (const [name, value] of Object.entries(raw.state)) {
    try {
      for (const s of symbolsOf(parseExpression(value, limits))) if (!hyper.includes(s)) fail(`${base}.state.${name}`, `an initial value may use hyperparameters only, not '${s}'`);
    } catch (e) {
      if (e instanceof ExpressionError) fail(`${base}.state.${name}`, e.message);
      throw e;
    }
  }
  // Declared roles must name this optimizer's own updates and hyperparameters.
  const roles = raw.roles;
  if (roles) {
    const updateNames = update.map((u) => u.name);
    (roles.bias_correction ?? []).forEach((name, i) => {
      if (!updateNames.includes(name)) fail(`${base}.roles.bias_correction[${i + 1}]`, `'${name}' is not an update of this optimizer${didYouMean(name, updateNames)}`);
    });
    for (const key of ['epsilon', 'weight_decay'] as const) {
      const name = roles[key];
      if (name !== undefined && !hyper.includes(name)) fail(`${base}.roles.${key}`, `'${name}' is not a hyperparameter of this optimizer${didYouMean(name, hyper)}`);
    }
  }
  return customDefinition({
    title: raw.title ?? 'custom optimizer', hyperparameters: raw.hyperparameters, state: raw.state, update,
    ...(roles ? { roles: {
      ...(roles.bias_correction ? { biasCorrection: roles.bias_correction } : {}),
      ...(roles.epsilon ? { epsilon: roles.epsilon } : {}),
      ...(roles.weight_decay ? { weightDecay: roles.weight_decay } : {}),
    } } : {}),
  });
}

/**
 * Why `path`, a data file a spec names, is refused before any file is touched, or undefined. It must
 * name a file in the spec's folder or below it, written with '/': not absolute, no drive letter, no
 * backslash (a folder separator on Windows, where `..\\x` would climb out), no `..` that leaves the
 * folder, no control character. These checks need no file system, so every host has them; the host
 * then refuses a path that leaves the folder through a symbolic link.
 */
export function dataPathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'the path is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'the path contains a control character';
  if (path.includes('\\')) return "the path contains a backslash; write folders with '/'";
  if (/^[A-Za-z]:/.test(path)) return "the path starts with a drive letter; give it relative to the spec's folder";
  if (path.startsWith('/')) return "the path is absolute; give it relative to the spec's folder";
  let depth = 0;
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    depth += segment === '..' ? -1 : 1;
    if (depth < 0) return "the path leaves the spec's folder ('..'); a data file must be in the spec's folder or below it";
  }
  if (depth === 0) return "the path names the spec's folder, not a file";
  return undefined;
}

function readCsv(path: string, doc: ReadDocument, options: ReadOptions, fail: Fail, maxBytes: number): Array<Record<string, string>> {
  // The path and the file's content are the user's, but may hold control characters a terminal acts on.
  const shown = terminalSafeLine(path);
  const problem = dataPathProblem(path);
  if (problem) fail('data', `'${shown}': ${problem}`);
  if (!options.readDataFile) fail('data', `'${shown}': this reader has no files; give the rows in the spec (data: [ ... ])`);
  let text: string;
  try {
    text = options.readDataFile!(path, maxBytes);
  } catch (e) {
    // The host's message says why (it never quotes the file); a plain error gives its code.
    const why = e instanceof InputError ? e.message : `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
    return fail('data', `'${shown}': ${why}`);
  }
  let columns: string[] = [];
  let records: Array<Record<string, string>>;
  try {
    // Cast nothing: values stay text, so numbers are read exactly. The header is checked before any
    // row becomes an object keyed by it (a column named __proto__ would otherwise vanish).
    records = parseCsv(text, {
      columns: (header: string[]) => {
        columns = header;
        header.forEach((name, i) => {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail('data', `${shown}: column '${terminalSafeLine(name)}' is not a name`);
          if (header.indexOf(name) !== i) fail('data', `${shown}: column '${name}' is given twice`);
          if (name === '__proto__') fail('data', `${shown}: column '__proto__': '__proto__' cannot be a name; choose another`);
        });
        return header;
      },
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (e) {
    if (e instanceof InputError) throw e;
    return fail('data', `${shown}: ${terminalSafeLine((e as Error).message)}`);
  }
  if (records.length === 0) fail('data', `${shown}: no data rows (the first line names the columns)`);
  records.forEach((row, i) => {
    for (const key of columns) {
      const value = row[key]!;
      if (!DECIMAL_TEXT.test(value)) fail('data', `${shown}: row ${i + 1} (line ${i + 2}), column '${key}': expected a number, got '${terminalSafeLine(value)}'`);
    }
  });
  return records;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p + 1}]` : out ? `.${String(p)}` : String(p);
  return out;
}

const TOP_LEVEL_KEYS = ['precision', 'model', 'params', 'frozen', 'constants', 'data', 'loss', 'training', 'conventions', 'limits'];

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
