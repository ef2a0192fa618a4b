// The training section: the optimizer (one of the preset's by name, or one written as equations in the
// spec), its options checked against its definition, epochs and batch, and the optimizer steps they make
// counted against the limit before any is taken.
import { didYouMean } from '../text/did-you-mean.js';
import type { RawSpec } from './schema.js';
import { lineOf } from './yaml.js';
import type { Spec } from './model.js';
import { LimitError, type Limits } from './limits.js';
import type { Fail, Checks } from './validation.js';
import { literalProblem } from '../numeric/literal.js';
import { ExpressionError, parseExpression, RESERVED_NAMES } from '../symbolic/parse.js';
import { symbolsOf } from '../symbolic/build.js';
import type { OptimizerDef, Options } from '../optimizers/definitions.js';
import type { Preset } from '../optimizers/presets.js';
import { customDefinition } from '../optimizers/custom.js';
import { DECIMAL_TEXT } from '../numeric/context.js';

/** The training of a spec whose conventions chose `preset`, over `rowCount` data rows. */
export function trainingOf(checks: Checks, raw: RawSpec['training'], preset: Preset, rowCount: number): Spec['training'] {
  const { fail, limits, doc } = checks;
  const { optimizer, epochs, batch, ...given } = raw;
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
    if (!isFlag) checks.checkNumber(value as string, path);
    optionValues[key] = value as string | boolean;
  }
  const refusal = def.invalid?.(optionValues);
  if (refusal) fail('training', refusal);
  const epochCount = Number(epochs);
  if (epochCount < 1) fail('training.epochs', 'epochs must be at least 1');
  const batchSize = batch === 'full' ? rowCount : Number(batch);
  if (batchSize < 1) fail('training.batch', 'a batch holds at least one row');
  // Optimizer steps, counted before any is taken (epochs is text: a huge count must not round).
  const batchesPerEpoch = Math.ceil(rowCount / Math.min(batchSize, rowCount));
  if (epochs.length > 15 || epochCount * batchesPerEpoch > limits.steps) {
    throw new LimitError('steps', doc.file, 'training.epochs', `${epochs.length > 15 ? epochs : (epochCount * batchesPerEpoch).toLocaleString('en-US')} optimizer steps (${epochs} epoch${epochCount === 1 ? '' : 's'} of ${batchesPerEpoch} batch${batchesPerEpoch === 1 ? '' : 'es'})`, limits.steps, lineOf(doc, 'training.epochs'));
  }
  return { optimizer: optimizerName, definition: def, options: optionValues, epochs: epochCount, batchSize: Math.min(batchSize, rowCount), batch: batch === 'full' ? 'full' : batchSize };
}

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
