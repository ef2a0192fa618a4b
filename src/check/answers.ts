// Reading an answers file: the hand-written values, in the shape of the JSON trace, every field
// optional. Each value keeps the text it was written with (the number of digits is information).
// Every name is checked against the spec, and a mistake is an InputError located like a spec's, with
// the closest valid name suggested.
//
//   step1:                       # or epoch1 when batch is full (one step per epoch)
//     sample1: { h1: 1.5, adjoints: { yhat: -4.5 }, gradients: { w5: -6.75 }, loss: 20.25 }
//     loss: 88.25                # the total, or { data: ..., penalty: ..., total: ... }
//     gradients: { w5: -50.5 }   # of the total loss, before the optimizer's weight decay
//     optimizer: { g: { w1: -401.9 }, m: { w1: -40.19 } }
//     params: { w1: 1.1 }        # after the step
//   final:                       # the forward pass over every row with the trained params
//     sample1: { yhat: 6.5 }
//     loss: 1.19
import { InputError } from '../spec/errors.js';
import { didYouMean } from '../text/did-you-mean.js';
import { lineOf, type Plain } from '../spec/yaml.js';
import { readAnswersYaml } from './read.js';
import { DECIMAL_TEXT } from '../numeric/context.js';
import type { Spec } from '../spec/model.js';
import { batches } from '../graph/run.js';
import { optimizerProgram, adjointName, optimizerName } from '../graph/program.js';
import { symbolsOf } from '../symbolic/build.js';
import { nodeKey, type ViewRequest } from './graph.js';
import { VIEW_SECTIONS, viewName, viewShape, type ViewKind, type ViewShape } from './views.js';
import { quoted, writtenRangeProblem } from './tolerance.js';

/** What an answers file may name, derived from the spec alone (no run needed). */
export interface AnswerShape {
  totalSteps: number;
  stepsPerEpoch: number;
  /** Data rows (from 0) of each step's batch. */
  rowsOfStep(step: number): number[];
  rowCount: number;
  neurons: string[];
  params: string[];
  /** Params with a per-sample share (those the network or the sample loss uses). */
  shareParams: Set<string>;
  /** The optimizer's quantities (m, v, g, ...), and the params that have them (not frozen ones). */
  locals: string[];
  updated: Set<string>;
  /** A torch-style spec's tensors, which an answer may give whole as a nested list: each layer's
   *  output (in a sample) and each param (its value and gradient in a step), by name, with the scalar
   *  names of their entries in row-major order. In a model with batch norm, whose samples are packed
   *  side by side, a layer's output is the whole batch's. */
  tensors: { layers: Map<string, string[]>; params: Map<string, string[]> };
  /** The quantities a sheet writes that the training does not name (views.ts). */
  views: ViewShape;
  /** For a model with batch norm (its batch one program): each layer's batch statistics, a step's
   *  `batch:` section, by scalar name (bn_mean_0) and whole per layer (bn_mean: [...], by channel). */
  batch: { scalars: string[]; whole: Map<string, string[]> };
}

/** The batch statistics a layer declares (batch norm's means and variances), in a model whose batch
 *  is one program: by scalar name, and whole per layer and statistic. */
function batchStatistics(spec: Spec): AnswerShape['batch'] {
  const scalars: string[] = [];
  const whole = new Map<string, string[]>();
  if (spec.tensors?.batchSize === undefined) return { scalars, whole };
  for (const layer of spec.tensors.layers) {
    for (const stat of layer.statistics) {
      scalars.push(...stat.entries);
      whole.set(stat.name, stat.entries);
    }
  }
  return { scalars, whole };
}

export function answerShape(spec: Spec): AnswerShape {
  const schedule = batches(spec);
  const used = new Set<string>();
  for (const e of [...spec.neurons, spec.loss.sample]) for (const s of symbolsOf(e.expr)) used.add(s);
  const frozen = new Set(spec.frozen ?? []);
  return {
    totalSteps: schedule.length * spec.training.epochs,
    stepsPerEpoch: schedule.length,
    rowsOfStep: (step) => schedule[(step - 1) % schedule.length]!,
    rowCount: spec.data.length,
    neurons: spec.neurons.map((n) => n.name),
    params: spec.params.map((p) => p.name),
    shareParams: new Set(spec.params.map((p) => p.name).filter((p) => used.has(p))),
    locals: optimizerProgram(spec).updates.map((u) => u.name).filter((n) => n !== 'p'),
    updated: new Set(spec.params.map((p) => p.name).filter((p) => !frozen.has(p))),
    // In a model with batch norm a sample of the answers is a whole batch (one program): a layer's
    // output is the batch's, [N, ...] as PyTorch prints it (the entries are sample after sample).
    tensors: spec.tensors
      ? {
        // Flatten's output is a view of the layer before it: by the name of the layer that computed it.
        layers: new Map(spec.tensors.layers.filter((l) => l.type !== 'Flatten').map((l) => [l.name, l.entries])),
        params: new Map(spec.tensors.params.map((p) => [p.name, p.entries])),
      }
      : { layers: new Map(), params: new Map() },
    views: viewShape(spec),
    batch: batchStatistics(spec),
  };
}

export interface Written {
  /** Canonical path: step1.sample1.h1, step1.loss, step2.optimizer.m.w1, final.sample2.yhat... */
  path: string;
  /** Graph node key (see graph.ts). */
  key: string;
  text: string;
  line: number | undefined;
  step: number;
  /** Whether it names the `final` forward pass. */
  final: boolean;
  /** A quantity the training does not name, which check adds to its graph (views.ts). */
  view?: ViewRequest;
  /** The sheet's own name for it, when given under an alias. */
  alias?: string;
}

export interface Answers {
  file: string;
  written: Written[];
}

/** Sections whose keys are names that may hold dots (a torch-style param, fc.weight): the rest of a
 *  path is one key. `via` and `optimizer` have one level of names before such a key. */
const NAMED_SECTIONS = new Set(['params', 'gradients', 'adjoints', 'values', 'local_derivatives', 'pre_activations', 'deltas']);
const TWO_LEVEL_SECTIONS = new Set(['via', 'optimizer']);

/** An alias's path with its value, as the nested mappings the answers would have written:
 *  step1.sample1.adjoints.a2 -> ['step1', { sample1: { adjoints: { a2: value } } }]. */
function nestOf(path: string, value: Plain): [string, Plain] {
  const parts = path.split('.');
  const keys: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    keys.push(parts[i]!);
    if (NAMED_SECTIONS.has(parts[i]!) && i + 1 < parts.length) {
      keys.push(parts.slice(i + 1).join('.'));
      break;
    }
    if (TWO_LEVEL_SECTIONS.has(parts[i]!) && i + 2 < parts.length) {
      keys.push(parts[i + 1]!, parts.slice(i + 2).join('.'));
      break;
    }
  }
  const [first, ...rest] = keys;
  return [first!, rest.reduceRight<Plain>((acc, k) => ({ [k]: acc }), value)];
}

/** The distinct views a set of answers names. */
export function viewsOf(files: Answers[]): ViewRequest[] {
  const out = new Map<string, ViewRequest>();
  for (const a of files) for (const w of a.written) if (w.view) out.set(w.key, w.view);
  return [...out.values()];
}

/** How far the exact training must go for these answers: the furthest step any of them names, and
 *  whether any names the final forward pass. (A loop: a class has too many values to spread into Math.max.) */
export function extentOf(files: Answers[]): { steps: number; final: boolean } {
  let steps = 0;
  let final = false;
  for (const a of files) {
    for (const w of a.written) {
      if (w.final) final = true;
      else if (w.step > steps) steps = w.step;
    }
  }
  return { steps, final };
}

const isMapping = (v: Plain): v is { [key: string]: Plain } => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseAnswers(text: string, file: string, shape: AnswerShape): Answers {
  const doc = readAnswersYaml(text, file);
  /** While a value given under an alias is read: the alias, and the path it stands for. Errors and
   *  lines are the alias's own. */
  let aliasing: { name: string; target: string } | undefined;
  const fail = (path: string, message: string): never => {
    if (aliasing) throw new InputError(file, aliasing.name, `${message} (read as ${path}, by the alias ${aliasing.name}: ${aliasing.target})`, lineOf(doc, aliasing.name));
    throw new InputError(file, path, message, lineOf(doc, path));
  };
  const out: Written[] = [];
  const seen = new Map<string, string>();
  const stepRange = shape.totalSteps === 1 ? 'step1' : `step1 to step${shape.totalSteps}`;
  const fullBatch = shape.stepsPerEpoch === 1;

  const value = (v: Plain, at: string, canonical: string, key: string, step: number, final: boolean, view?: ViewRequest) => {
    if (v === null) return; // left blank: not answered
    if (typeof v === 'string' && /^[+-]?\.?(inf|infinity|nan)$/i.test(v.trim())) {
      fail(at, `${quoted(v.trim())} is not a finite number: only a finite number written in digits (e.g. 1.5, -85, 25e-7) can be graded`);
    }
    if (typeof v !== 'string' || !DECIMAL_TEXT.test(v.trim())) {
      fail(at, `expected a number as written (e.g. 1.5, -85, 25e-7), got ${isMapping(v) ? 'a mapping' : Array.isArray(v) ? 'a list' : quoted(String(v))}`);
    }
    // A number beyond the exponent range would be read as Infinity or 0, and graded as what it is not.
    const outside = writtenRangeProblem(v as string);
    if (outside) fail(at, outside);
    const before = seen.get(key);
    if (before !== undefined) fail(at, `${canonical} is given twice (also at ${before})`);
    seen.set(key, at);
    out.push({ path: canonical, key, text: (v as string).trim(), line: lineOf(doc, aliasing ? aliasing.name : at), step, final, ...(view ? { view } : {}), ...(aliasing ? { alias: aliasing.name } : {}) });
  };
  /** A tensor written whole (a nested list), entry by entry in row-major order, each graded as its scalar. */
  const tensor = (v: Plain, at: string, entries: string[], each: (entry: string, x: Plain, xAt: string) => void) => {
    const flat: Array<[Plain, string]> = [];
    const stack: Array<[Plain, string]> = [[v, at]];
    while (stack.length) {
      const [x, xAt] = stack.pop()!;
      if (Array.isArray(x)) for (let i = x.length - 1; i >= 0; i--) stack.push([x[i]!, `${xAt}[${i + 1}]`]);
      else flat.push([x, xAt]);
    }
    if (flat.length !== entries.length) fail(at, `expected the whole tensor, ${entries.length} numbers in nested lists (PyTorch's layout), got ${flat.length}`);
    flat.forEach(([x, xAt], k) => each(entries[k]!, x, xAt));
  };
  const mapping = (v: Plain, at: string, what: string): { [key: string]: Plain } => {
    if (v === null) return {}; // a section left blank: nothing answered there
    if (!isMapping(v)) fail(at, `expected a mapping of ${what}`);
    return v as { [key: string]: Plain };
  };
  /** `what` names the kind of thing, with {} where the name goes: "param '{}'", "key '{}' in step1". */
  const unknown = (name: string, at: string, what: string, valid: string[], hint?: string): never =>
    fail(at, `unknown ${what.includes('{}') ? what.replace('{}', name) : `${what} '${name}'`}${hint ?? suggestion(name, valid)}; expected ${list(valid)}`);

  const perName = (v: Plain, at: string, valid: string[], what: string, each: (name: string, item: Plain, itemAt: string) => void) => {
    for (const [name, item] of Object.entries(mapping(v, at, `${what} names to values`))) {
      if (!valid.includes(name)) unknown(name, `${at}.${name}`, what, valid);
      each(name, item, `${at}.${name}`);
    }
  };

  const sampleBody = (v: Plain, at: string, canon: string, step: number, row: number, final: boolean) => {
    const sections = final ? ['loss', 'values', VIEW_SECTIONS.pre] : ['loss', 'values', 'adjoints', 'gradients', ...Object.values(VIEW_SECTIONS)];
    const k = (name: string) => nodeKey(step, row, name);
    const views = shape.views;
    /** A view's value: `dL/d<of>` through `use`, a neuron's local derivative, or its pre-activation
     *  (the neuron that is its argument, where that is a bare name). */
    const viewValue = (kind: ViewKind, of: string, x: Plain, xAt: string, use?: string) => {
      const path = `${canon}.${VIEW_SECTIONS[kind]}.${of}${use !== undefined ? `.${use}` : ''}`;
      // A pre-activation that is a neuron of its own (a bare name) is that neuron, and its delta that
      // neuron's adjoint.
      const existing = kind === 'pre' || kind === 'delta' ? views.pre.get(of) : undefined;
      if (existing !== undefined) return value(x, xAt, path, k(kind === 'pre' ? existing : adjointName(existing)), step, final);
      value(x, xAt, path, k(viewName(kind, of, use)), step, final, { kind, of, step, row, ...(use !== undefined ? { use } : {}) });
    };
    for (const [name, item] of Object.entries(mapping(v, at, 'neuron names to values'))) {
      const itemAt = `${at}.${name}`;
      // A neuron may be called `values` or `gradients`: a scalar is a neuron's value, a mapping a section.
      const layer = shape.tensors.layers.get(name);
      if (shape.neurons.includes(name) && !isMapping(item)) value(item, itemAt, `${canon}.${name}`, k(name), step, final);
      else if (layer && Array.isArray(item)) tensor(item, itemAt, layer, (n, x, xAt) => value(x, xAt, `${canon}.${n}`, k(n), step, final));
      else if (name === 'loss') value(item, itemAt, `${canon}.loss`, k('loss'), step, final);
      else if (name === 'values') perName(item, itemAt, shape.neurons, 'neuron', (n, x, xAt) => value(x, xAt, `${canon}.${n}`, k(n), step, final));
      else if (name === 'adjoints' && !final) perName(item, itemAt, shape.neurons, 'neuron', (n, x, xAt) => value(x, xAt, `${canon}.adjoints.${n}`, k(adjointName(n)), step, final));
      else if (name === 'gradients' && !final) {
        perName(item, itemAt, shape.params, 'param', (p, x, xAt) => {
          if (!shape.shareParams.has(p)) fail(xAt, `'${p}' has no per-sample gradient: the network does not use it (its gradient is the penalty's alone; give it under ${canon.replace(/\.sample\d+$/, '')}.gradients)`);
          value(x, xAt, `${canon}.gradients.${p}`, k(adjointName(p)), step, final);
        });
      } else if (name === VIEW_SECTIONS.local && !final) {
        perName(item, itemAt, [...views.local], 'neuron with a local derivative', (n, x, xAt) => viewValue('local', n, x, xAt));
      } else if (name === VIEW_SECTIONS.delta && !final) {
        perName(item, itemAt, [...views.local], 'neuron with a pre-activation', (n, x, xAt) => viewValue('delta', n, x, xAt));
      } else if (name === VIEW_SECTIONS.pre) {
        perName(item, itemAt, [...views.pre.keys()], 'neuron with a pre-activation', (n, x, xAt) => viewValue('pre', n, x, xAt));
      } else if (name === VIEW_SECTIONS.via && !final) {
        const of = [...views.users.keys()].filter((q) => shape.neurons.includes(q) || shape.shareParams.has(q));
        perName(item, itemAt, of, 'neuron or param', (q, x, xAt) => {
          perName(x, xAt, views.users.get(q)!, `use '{}' of '${q}' (a quantity whose equation reads it)`, (use, y, yAt) => viewValue('via', q, y, yAt, use));
        });
      } else unknown(name, itemAt, `neuron '{}' in ${canon}`, [...shape.neurons, ...shape.tensors.layers.keys(), ...sections], derivativeHint(name, shape));
    }
  };

  const lossBody = (v: Plain, at: string, canon: string, step: number, final: boolean) => {
    if (!isMapping(v)) return value(v, at, canon, nodeKey(step, undefined, 'loss.total'), step, final);
    for (const [part, item] of Object.entries(v)) {
      if (!['data', 'penalty', 'total'].includes(part)) unknown(part, `${at}.${part}`, 'part of the loss', ['data', 'penalty', 'total']);
      value(item, `${at}.${part}`, `${canon}.${part}`, nodeKey(step, undefined, `loss.${part}`), step, final);
    }
  };

  const samples = (name: string, at: string, rows: number[], stepName: string): number | undefined => {
    const m = /^sample(\d+)$/.exec(name);
    if (!m) return undefined;
    const row = Number(m[1]) - 1;
    if (!rows.includes(row)) {
      const valid = rows.map((r) => `sample${r + 1}`);
      fail(at, `unknown sample '${name}' in ${stepName}: ${rows.length === 1 ? 'its sample is' : 'its samples are'} ${list(valid)}${row >= 0 && row < shape.rowCount ? ` (row ${row + 1} is in another step's batch)` : ` (the data has ${shape.rowCount} rows)`}`);
    }
    return row;
  };

  const stepBody = (v: Plain, at: string, step: number) => {
    const canon = `step${step}`;
    const rows = shape.rowsOfStep(step);
    const keys = [...rows.map((r) => `sample${r + 1}`), 'loss', 'gradients', 'optimizer', 'params', ...(shape.batch.scalars.length ? ['batch'] : [])];
    for (const [name, item] of Object.entries(mapping(v, at, `the step's values (${list(keys)})`))) {
      const itemAt = `${at}.${name}`;
      const row = samples(name, itemAt, rows, canon);
      if (row !== undefined) sampleBody(item, itemAt, `${canon}.sample${row + 1}`, step, row, false);
      else if (name === 'loss') lossBody(item, itemAt, `${canon}.loss`, step, false);
      else if (name === 'gradients' || name === 'params') {
        // A param by its scalar name, or a torch-style param tensor whole by its state_dict name.
        const key = (p: string) => nodeKey(step, undefined, name === 'gradients' ? adjointName(p) : p);
        perName(item, itemAt, [...shape.params, ...shape.tensors.params.keys()], 'param', (p, x, xAt) => {
          const whole = shape.tensors.params.get(p);
          if (whole) tensor(x, xAt, whole, (e, y, yAt) => value(y, yAt, `${canon}.${name}.${e}`, key(e), step, false));
          else value(x, xAt, `${canon}.${name}.${p}`, key(p), step, false);
        });
      }
      else if (name === 'batch' && shape.batch.scalars.length) {
        // The batch is one program (one data row of the scalar spec): its statistics are that row's.
        const row = rows[0]!;
        perName(item, itemAt, [...shape.batch.scalars, ...shape.batch.whole.keys()], 'batch statistic', (q, x, xAt) => {
          const whole = shape.batch.whole.get(q);
          if (whole) tensor(x, xAt, whole, (e, y, yAt) => value(y, yAt, `${canon}.batch.${e}`, nodeKey(step, row, e), step, false));
          else value(x, xAt, `${canon}.batch.${q}`, nodeKey(step, row, q), step, false);
        });
      } else if (name === 'optimizer') {
        perName(item, itemAt, shape.locals, 'optimizer quantity', (local, x, xAt) => {
          perName(x, xAt, shape.params, 'param', (p, y, yAt) => {
            if (!shape.updated.has(p)) fail(yAt, `'${p}' is frozen: the optimizer does not update it`);
            value(y, yAt, `${canon}.optimizer.${local}.${p}`, nodeKey(step, undefined, optimizerName(local, p)), step, false);
          });
        });
      } else unknown(name, itemAt, `key '{}' in ${canon}`, keys, derivativeHint(name, shape, true));
    }
  };

  const finalBody = (v: Plain, at: string) => {
    const step = shape.totalSteps + 1;
    const rows = Array.from({ length: shape.rowCount }, (_, i) => i);
    const keys = [...rows.map((r) => `sample${r + 1}`), 'loss'];
    for (const [name, item] of Object.entries(mapping(v, at, `the final forward pass (${list(keys)})`))) {
      const itemAt = `${at}.${name}`;
      const row = samples(name, itemAt, rows, 'final');
      if (row !== undefined) sampleBody(item, itemAt, `final.sample${row + 1}`, step, row, true);
      else if (name === 'loss') lossBody(item, itemAt, 'final.loss', step, true);
      else unknown(name, itemAt, "key '{}' in final", keys);
    }
  };

  if (doc.value === null) fail('', `an answers file is a mapping of steps (${stepRange}${fullBatch ? ', or epoch1...' : ''}) and final`);
  const top = mapping(doc.value, '', `steps (${stepRange}) to their values`);
  const stepOf = new Map<number, string>();
  const validTop = [
    ...Array.from({ length: shape.totalSteps }, (_, i) => `step${i + 1}`),
    ...(fullBatch ? Array.from({ length: shape.totalSteps }, (_, i) => `epoch${i + 1}`) : []),
    'final',
  ];
  // The sheet's own names for quantities: `aliases: { delta2: step1.sample1.adjoints.a2 }`, then
  // `delta2: -0.3475` at the top, read as if written at its path.
  const aliases = new Map<string, string>();
  if (Object.hasOwn(top, 'aliases')) {
    for (const [name, target] of Object.entries(mapping(top.aliases!, 'aliases', "the sheet's names to the paths of quantities (delta2: step1.sample1.adjoints.a2)"))) {
      const at = `aliases.${name}`;
      if (name === 'final' || name === 'aliases' || /^(step|epoch)\d+$/.test(name)) fail(at, `'${name}' is a key of the answers themselves: an alias needs a name of its own`);
      if (typeof target !== 'string' || !/^(step\d+|epoch\d+|final)\.\S+$/.test(target.trim())) {
        fail(at, `expected the path of a quantity, as the answers write it (e.g. step1.sample1.adjoints.h1, step1.loss, final.sample2.yhat), got ${typeof target === 'string' ? quoted(target) : 'a mapping or list'}`);
      }
      aliases.set(name, (target as string).trim());
    }
  }
  const aliasValue = (name: string, target: string, item: Plain) => {
    aliasing = { name, target };
    const [first, nested] = nestOf(target, item);
    if (first === 'final') finalBody(nested, first);
    else {
      const m = /^(step|epoch)(\d+)$/.exec(first)!;
      const step = Number(m[2]);
      if (m[1] === 'epoch' && !fullBatch) fail(first, `'${first}' names a step only when batch is full (one step per epoch): use ${stepRange}`);
      if (step < 1 || step > shape.totalSteps) fail(first, `unknown ${m[1]} '${first}': the spec trains ${shape.totalSteps} step${shape.totalSteps === 1 ? '' : 's'}`);
      stepBody(nested, first, step);
    }
    aliasing = undefined;
  };

  for (const [name, item] of Object.entries(top)) {
    if (name === 'aliases') continue;
    const target = aliases.get(name);
    if (target !== undefined) {
      aliasValue(name, target, item);
      continue;
    }
    if (name === 'final') {
      finalBody(item, name);
      continue;
    }
    const m = /^(step|epoch)(\d+)$/.exec(name);
    if (!m) unknown(name, name, 'key', [...validTop, ...(aliases.size ? ['aliases', ...aliases.keys()] : ['aliases'])]);
    const [, kind, number] = m!;
    const step = Number(number);
    if (kind === 'epoch' && !fullBatch) {
      fail(name, `'${name}' names a step only when batch is full (one step per epoch); this spec takes ${shape.stepsPerEpoch} steps per epoch: use ${stepRange}`);
    }
    if (step < 1 || step > shape.totalSteps) {
      fail(name, `unknown ${kind} '${name}': the spec trains ${shape.totalSteps} ${kind === 'epoch' ? 'epoch' : 'step'}${shape.totalSteps === 1 ? '' : 's'} (${kind}1${shape.totalSteps > 1 ? ` to ${kind}${shape.totalSteps}` : ''})`);
    }
    const other = stepOf.get(step);
    if (other !== undefined) fail(name, `step ${step} is given twice (as ${other} and ${name})`);
    stepOf.set(step, name);
    stepBody(item, name, step);
  }
  return { file, written: out };
}

/**
 * A key written as a derivative (dL/dy, dE/dw5, ∂L/∂h1) is an adjoint or a gradient of the answers'
 * shape: the hint says where it goes (`adjoints: { y: ... }`). `step` says the key is a step's, where a
 * param's gradient is the total and a neuron has none.
 */
function derivativeHint(key: string, shape: AnswerShape, step = false): string | undefined {
  const m = /^(?:d|∂)\s*(?:L|E|J|C|loss|Loss)\s*\/\s*(?:d|∂)\s*(.+)$/.exec(key.trim());
  if (!m) return undefined;
  const of = m[1]!.trim();
  if (!step && shape.neurons.includes(of)) return ` (an adjoint: write it as adjoints: { ${of}: ... })`;
  if (shape.params.includes(of)) return ` (a gradient: write it as gradients: { ${of}: ... }${step ? '' : ", this sample's share; the step's total goes under the step"})`;
  if (step && shape.neurons.includes(of)) return ` (an adjoint is a sample's: write it under sampleN as adjoints: { ${of}: ... })`;
  return undefined;
}

/** The closest valid name, counting two swapped neighbours (stpe1, mhta) as one slip of the pen. */
function suggestion(name: string, valid: string[]): string {
  const close = didYouMean(name, valid);
  if (close) return close;
  for (let i = 0; i + 1 < name.length; i++) {
    const swapped = name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
    if (valid.includes(swapped)) return ` (did you mean '${swapped}'?)`;
  }
  return '';
}

function list(names: string[]): string {
  if (names.length <= 12) return names.join(', ');
  return `${names.slice(0, 10).join(', ')}, ... (${names.length} in all)`;
}

