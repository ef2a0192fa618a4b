// From a read document to a Spec: the shape first (schema.ts), then the meaning: every name defined
// once, expressions on the whitelist and using only what they may, data rows complete, options known.
// Every problem is an InputError located at its key path.
import type { z } from 'zod';
import { InputError, didYouMean } from './errors.js';
import { SpecSchema } from './schema.js';
import { lineOf, readYaml, type ReadDocument } from './yaml.js';
import type { Equation, Spec } from './model.js';
import { ExpressionError, parseExpression, RESERVED_NAMES } from '../symbolic/parse.js';
import { symbolsOf } from '../symbolic/build.js';
import { OPTIMIZERS, type Options } from '../optimizers/definitions.js';
import { DECIMAL_TEXT, DEFAULT_PRECISION, MAX_PRECISION, MIN_PRECISION } from '../numeric/context.js';

export function parseSpec(text: string, file: string, overrides: { precision?: number } = {}): Spec {
  return validate(readYaml(text, file), overrides);
}

const MAX_EPOCHS = 100_000;

export function validate(doc: ReadDocument, overrides: { precision?: number } = {}): Spec {
  const fail = (path: string, message: string): never => {
    throw new InputError(doc.file, path, message, lineOf(doc, path));
  };
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) fail('', 'a spec is a mapping with model, params, data, loss and training');

  const parsed = SpecSchema.safeParse(doc.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = pathText(issue.path);
    fail(path, issueMessage(issue));
  }
  const raw = parsed.data!;

  // Names: each defined once, across every section.
  const owner = new Map<string, string>();
  const define = (name: string, path: string) => {
    if (RESERVED_NAMES.has(name) || name === 'loss') fail(path, `'${name}' is reserved (a function or the loss); choose another name`);
    const before = owner.get(name);
    if (before) fail(path, `'${name}' is already defined at ${before}`);
    owner.set(name, path);
  };
  raw.model.inputs.forEach((n, i) => define(n, `model.inputs[${i + 1}]`));
  Object.keys(raw.params).forEach((n) => define(n, `params.${n}`));
  Object.keys(raw.constants).forEach((n) => define(n, `constants.${n}`));
  const neuronNames = Object.keys(raw.model.neurons);
  neuronNames.forEach((n) => define(n, `model.neurons.${n}`));

  const expression = (text: string, path: string, name: string): Equation => {
    try {
      return { name, text, expr: parseExpression(text) };
    } catch (e) {
      if (e instanceof ExpressionError) fail(path, e.message);
      throw e;
    }
  };
  const inputs = new Set(raw.model.inputs);
  const params = new Set(Object.keys(raw.params));
  const constants = new Set(Object.keys(raw.constants));

  // Neurons may use inputs, params, constants and earlier neurons.
  const neurons: Equation[] = [];
  const earlier = new Set<string>();
  for (const name of neuronNames) {
    const path = `model.neurons.${name}`;
    const eq = expression(raw.model.neurons[name]!, path, name);
    for (const s of symbolsOf(eq.expr)) {
      if (inputs.has(s) || params.has(s) || constants.has(s) || earlier.has(s)) continue;
      if (s === name) fail(path, `neuron '${name}' uses itself (a cycle)`);
      if (neuronNames.includes(s)) fail(path, `neuron '${name}' uses '${s}', which is defined later: neurons are evaluated in order, so list '${s}' first (a cycle is not allowed)`);
      fail(path, `undefined name '${s}'${didYouMean(s, owner.keys())}`);
    }
    neurons.push(eq);
    earlier.add(name);
  }
  const outputs = raw.model.outputs ?? neuronNames.slice(-1);
  outputs.forEach((o, i) => {
    if (!earlier.has(o)) fail(`model.outputs[${i + 1}]`, `'${o}' is not a neuron${didYouMean(o, neuronNames)}`);
  });

  // The data rows name the inputs and the targets; a name in the loss that is defined nowhere else is a target.
  const rowKeys = new Set(raw.data.flatMap((row) => Object.keys(row)));
  const sample = expression(raw.loss.sample, 'loss.sample', 'loss');
  const targets: string[] = [];
  for (const s of symbolsOf(sample.expr)) {
    if (owner.has(s) && !inputs.has(s)) continue;
    if (inputs.has(s)) fail('loss.sample', `the loss uses input '${s}': the loss may use neurons, params, constants and targets from the data`);
    if (!rowKeys.has(s)) fail('loss.sample', `undefined name '${s}'${didYouMean(s, [...owner.keys(), ...rowKeys])}: a target must be a column of the data`);
    targets.push(s);
  }
  let penalty: Equation | undefined;
  if (raw.loss.penalty !== undefined) {
    penalty = expression(raw.loss.penalty, 'loss.penalty', 'penalty');
    for (const s of symbolsOf(penalty.expr)) {
      if (!params.has(s) && !constants.has(s)) fail('loss.penalty', `the penalty may use params and constants only, not '${s}'${owner.has(s) ? '' : didYouMean(s, [...params, ...constants])}`);
    }
  }
  const columns = new Set([...inputs, ...targets]);
  raw.data.forEach((row, i) => {
    for (const key of Object.keys(row)) {
      if (!columns.has(key)) fail(`data[${i + 1}].${key}`, `unknown column '${key}'${didYouMean(key, columns)}: a row holds the inputs (${[...inputs].join(', ') || 'none'}) and the targets the loss uses (${targets.join(', ') || 'none'})`);
    }
    for (const c of columns) {
      if (!(c in row)) fail(`data[${i + 1}]`, `row ${i + 1} has no value for '${c}'`);
    }
  });

  // Precision.
  let precision = DEFAULT_PRECISION;
  if (raw.precision !== undefined) precision = Number(raw.precision);
  if (overrides.precision !== undefined) precision = overrides.precision;
  if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
    fail(overrides.precision !== undefined ? '' : 'precision', `precision must be a whole number of digits from ${MIN_PRECISION} to ${MAX_PRECISION}, got ${overrides.precision ?? raw.precision}`);
  }

  // Training.
  const { optimizer, epochs, batch, ...given } = raw.training;
  const def = OPTIMIZERS[optimizer];
  if (!def) fail('training.optimizer', `unknown optimizer '${optimizer}'${didYouMean(optimizer, Object.keys(OPTIMIZERS))}; available: ${Object.keys(OPTIMIZERS).join(', ')}`);
  const options: Options = { ...def!.options };
  for (const [key, value] of Object.entries(given)) {
    const path = `training.${key}`;
    if (!(key in def!.options)) fail(path, `unknown option '${key}' for ${optimizer}${didYouMean(key, Object.keys(def!.options))}; its options: ${Object.keys(def!.options).join(', ')}, and epochs, batch`);
    const isFlag = typeof def!.options[key] === 'boolean';
    if (isFlag && typeof value !== 'boolean') fail(path, `expected true or false`);
    if (!isFlag && (typeof value !== 'string' || !DECIMAL_TEXT.test(value))) fail(path, 'expected a number (e.g. 0.1, -2, 1e-8)');
    options[key] = value as string | boolean;
  }
  const refusal = def!.invalid?.(options);
  if (refusal) fail('training', refusal);
  const epochCount = Number(epochs);
  if (epochCount < 1 || epochCount > MAX_EPOCHS) fail('training.epochs', `epochs must be from 1 to ${MAX_EPOCHS}`);
  const batchSize = batch === 'full' ? raw.data.length : Number(batch);
  if (batchSize < 1) fail('training.batch', 'a batch holds at least one row');

  return {
    file: doc.file,
    precision,
    inputs: raw.model.inputs,
    neurons,
    outputs,
    params: Object.entries(raw.params).map(([name, value]) => ({ name, value })),
    constants: raw.constants,
    targets,
    data: raw.data,
    loss: { sample, reduce: raw.loss.reduce, ...(penalty ? { penalty } : {}) },
    training: { optimizer, definition: def!, options, epochs: epochCount, batchSize: Math.min(batchSize, raw.data.length), batch: batch === 'full' ? 'full' : batchSize },
    conventions: { relu_at_zero: raw.conventions.relu_at_zero },
  };
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p + 1}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = issue.path.length === 0 ? ['precision', 'model', 'params', 'constants', 'data', 'loss', 'training', 'conventions'] : [];
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${known.length ? didYouMean(issue.keys[0]!, known) : ''}`;
    }
    case 'invalid_type':
      if (issue.input === undefined) return `missing: expected ${issue.expected === 'string' ? 'a value' : `a ${issue.expected}`}`;
      return issue.message.startsWith('Invalid input') ? `expected ${issue.expected}` : issue.message;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}`;
    default:
      return issue.message;
  }
}
