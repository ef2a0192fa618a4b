// The worked solution as a typeset document: what a careful teacher's model answer lays out. First the
// problem (network, loss, optimizer and its equations, conventions, data, initial values), then per
// step: each sample's forward pass layer by layer and its loss, its backward pass factor by factor,
// then the step's loss, gradients, the optimizer's state updates and new values; at the end the
// values and losses over the run. Every quantity is written formula, numbers substituted, value.
// Plain text (text.ts) prints the same document: its blocks carry the plain wording and layout of the
// text solution (a compact header, every calculation in the plain notation, in the equations' order),
// and the typeset explanation (the problem, the layers, the closing tables) is typeset's only.
//
// The document is made as the run goes (documentWriter): its opening needs only the spec and the
// programs (the notation is built from the spec's names, the conventions from the sample equations),
// each step's blocks are made and printed when the step is finished, and the closing tables keep one
// small row per step shown.
import type { Dec, NumericContext } from '../numeric/context.js';
import { evaluateTree } from '../graph/derive.js';
import type { Spec } from '../spec/model.js';
import { symbol, symbolsOf, unwrap, type Node } from '../symbolic/build.js';
import { initialValues, written, type Calc, type Solution, type SolutionWriter, type StepSection } from './solution.js';
import { math, wanted, type Block, type BlockSink, type CalcPart, type CalcQuantity, type Doc, type Inline, type MathLine, type PlainCalc } from './document.js';
import { print } from './plain.js';
import { stated, substituted } from './numbers.js';
import type { Certification } from '../certify/certify.js';
import type { Trace } from '../graph/run.js';
import { Notation } from './tex.js';
import { callsFunction } from '../symbolic/functions.js';
import { PRESETS } from '../optimizers/presets.js';
import { isRationalContext } from '../numeric/rational.js';
import { adjointOf, QuantityTable, stepLoss, symbolOf } from '../graph/ids.js';
import { answersPath, oneStepPerEpoch } from '../graph/answer-paths.js';
import { argsOf, callName, symbolName } from '../symbolic/tree.js';
import { tensorBlocks } from './tensors.js';
import { windowPlain, windowTex } from './windows.js';
import type { WindowView } from '../spec/torch-layers.js';

/** A convolution output's window and kernel, and the params' values to read a kernel entry from. */
interface ShownWindow {
  view: WindowView;
  param: (name: string) => Dec | undefined;
}

export interface DocOptions {
  /** Significant digits shown; values are exact underneath. */
  digits: number;
  /** With --certify: said in the plain-text header (the caller caps `digits` at the fewest certified). */
  certification?: Certification;
}

/** Every name a document about this spec may print: what the notation must keep apart. */
export function notationFor(spec: Spec, quantities: QuantityTable = new QuantityTable()): Notation {
  const localNames = spec.training.definition.updates(spec.training.options).map((u) => u.name);
  // In the optimizer's own equations the gradient is printed as dL/dp (renameGrad).
  quantities.add(adjointOf('p'));
  return new Notation([
    ...spec.inputs, ...spec.targets, ...spec.params.map((p) => p.name), ...Object.keys(spec.constants),
    ...spec.neurons.map((n) => n.name), 'loss', 'n', 't', ...Object.keys(spec.training.options), ...localNames,
    ...Object.keys(spec.training.definition.state(spec.training.options)),
  ], quantities);
}

/** Each neuron's layer: 1 + the deepest layer among the neurons it reads (inputs are layer 0). */
export function layers(spec: Spec): Map<string, number> {
  const depth = new Map<string, number>();
  for (const n of spec.neurons) {
    const below = [...symbolsOf(n.expr)].map((s) => depth.get(s) ?? 0);
    depth.set(n.name, 1 + below.reduce((a, b) => Math.max(a, b), 0));
  }
  return depth;
}

/** layers(), worked out once per spec rather than once per step. */
const layerCache = new WeakMap<Spec, Map<string, number>>();
function layersOf(spec: Spec): Map<string, number> {
  let depth = layerCache.get(spec);
  if (!depth) layerCache.set(spec, (depth = layers(spec)));
  return depth;
}

/** oneStepPerEpoch(), decided once per spec: whether the answers paths of its steps are epochN. */
const fullCache = new WeakMap<Spec, boolean>();
function fullBatchOf(spec: Spec): boolean {
  let full = fullCache.get(spec);
  if (full === undefined) fullCache.set(spec, (full = oneStepPerEpoch(spec)));
  return full;
}

/** Whether any formula of the run calls a step function (a kinked function's derivative, as marked in
 *  the function table), so the convention at 0 must be stated. */
function usesStep(trace: Trace): boolean {
  return trace.sampleEquations.some((e) => callsFunction(e.formula, (_name, rule) => rule?.kind === 'step'));
}

/** The whole document of a solution held in memory. */
export function solutionDocument(sol: Solution, options: DocOptions): Doc {
  let title = '';
  const blocks: Block[] = [];
  // Block by block: a step of many samples has more blocks than a call may take arguments.
  written(sol, documentWriter({ begin: (t) => (title = t), blocks: (b) => b.forEach((x) => blocks.push(x)), end: () => {} }, options));
  return { title, blocks };
}

/** The document written into `sink` as the run goes: the problem, then each step, then the result.
 *  Only the blocks of the sink's medium are made (the TeX of every calculation costs). */
export function documentWriter(sink: BlockSink, { digits, certification }: DocOptions): SolutionWriter {
  const want = wanted(sink);
  let N: Notation;
  // A list of values: `x = 0.5, y = 1`, each in TeX and in plain text.
  const list = (pairs: Array<[string, Dec]>): Inline[] => pairs.flatMap(([n, v], i) => {
    const text = `${n} = ${stated(v, digits)}`;
    let item: Inline = { literal: text };
    if (want.typeset) {
      const p = N.value(v, digits);
      item = math(`${N.name(n)} ${p.rounded ? '\\approx' : '='} ${p.tex}`, text);
    }
    return i === 0 ? [item] : [', ', item];
  });
  // What the closing tables need of the steps shown: one row each, already typeset.
  const lossRows: Inline[][][] = [];
  let lastShown = 0;
  return {
    start(trace) {
      if (want.typeset) N = notationFor(trace.spec, trace.quantities);
      const title = `Worked solution: ${fileName(trace)}`;
      sink.begin(title);
      sink.blocks([
        { kind: 'heading', level: 1, content: [title], plain: { content: ['exactprop worked solution: ', { code: trace.spec.file }] }, worksheet: [`Worksheet: ${fileName(trace)}`] },
        ...(want.text ? plainHeader(trace, digits, certification) : []),
        ...(want.typeset ? openingBlocks(trace, N, digits) : []),
        { kind: 'paragraph', content: ['Initial values: ', ...list(initialValues(trace)), '.'], plain: { content: ['initial values: ', ...list(initialValues(trace))] } },
      ]);
    },
    step(section, trace) {
      stepBlocks(section, trace, want.typeset ? N : undefined, digits, list, (blocks) => sink.blocks(blocks), want.text);
      if (!want.typeset) return;
      const v = (name: string) => section.loss.find((c) => c.eq.name === name)!.value;
      const cell = (d: Dec): Inline[] => [math(N.number(d, digits).tex)];
      lossRows.push([[String(section.step)], [String(section.epoch)], cell(v('loss.data')), ...(trace.spec.loss.penalty ? [cell(v('loss.penalty')), cell(v('loss.total'))] : [])]);
      lastShown = section.step;
    },
    end(trace, final) {
      const blocks = want.typeset ? closingBlocks(trace, N, digits, lossRows, lastShown, final) : [];
      if (want.text) {
        if (!trace.spec.training.forwardOnly) blocks.push({ kind: 'paragraph', only: 'text', content: ['final values: ', ...list(final)] });
        const warnings = [...trace.warnings.map((w) => w.message), ...(certification?.undecidable.map((u) => u.message) ?? [])];
        if (warnings.length > 0) {
          blocks.push(
            { kind: 'paragraph', only: 'text', content: ['warnings:'] },
            { kind: 'list', only: 'text', items: warnings.map((w) => [w]), plain: { indent: 2, tight: true } },
          );
        }
      }
      sink.blocks(blocks);
      sink.end();
    },
  };
}

/** The plain text's header under its title: the arithmetic, the optimizer, the loss and the conventions
 *  in three lines (four with a certification); the typeset document explains them at length instead. */
function plainHeader(trace: Trace, digits: number, certification: Certification | undefined): Block[] {
  const { spec } = trace;
  const opts = Object.entries(spec.training.options).map(([k, v]) => `${k} ${v}`).join(', ');
  const arithmetic = isRationalContext(trace.ctx) ? 'exact fractions' : `precision ${spec.precision} digits`;
  const training = spec.training.forwardOnly
    ? 'no training: one forward and backward pass, nothing updated; '
    : `${trace.optimizer.def.title} (${opts}); ${spec.training.epochs} epoch${spec.training.epochs > 1 ? 's' : ''}, batch ${spec.tensors?.batchSize ?? spec.training.batch}; `;
  const lines = [
    `${arithmetic} (shown to ${digits}); ${training}` +
      (spec.tensors?.batchSize !== undefined ? `loss of a batch = ${spec.loss.sample.text}` : `loss = ${spec.loss.reduce} of ${spec.loss.sample.text}${spec.loss.penalty ? ` + ${spec.loss.penalty.text}` : ''}`),
    `conventions: ${spec.conventions.preset}; relu_at_zero = ${spec.conventions.relu_at_zero} (relu'(0), written heaviside(0))${spec.frozen.length ? `; frozen: ${spec.frozen.join(', ')}` : ''}`,
  ];
  if (certification) {
    lines.push(`certified: every value was computed again at ${certification.referencePrecision} digits; every value agrees to at least ${certification.fewest} significant digits, and no digit shown is uncertified` +
      (certification.undecidable.length ? `; UNDECIDABLE branches at this precision: ${certification.undecidable.length} (see warnings)` : '; every branch was decided the same way'));
  }
  return lines.map((line) => ({ kind: 'paragraph', only: 'text', content: [line], plain: { tight: true } }));
}

/** One quantity in the plain notation: formula, the numbers put in, the value (stated()). */
export function plainCalc(c: Calc, digits: number, window?: ShownWindow): PlainCalc {
  const name = c.eq.name;
  const value = stated(c.value, digits);
  if (c.eq.formula.type === 'ConstantNode') return { name, value };
  const values = new Map(c.eq.symbols.map((s, i) => [s, c.inputs[i]!]));
  // A convolution's output: its window beside its kernel.
  if (window && c.eq.role === 'neuron') return { name, ...windowPlain(window.view, (n) => values.get(n) ?? window.param(n), digits), value };
  const formula = print(c.eq.formula);
  if (c.eq.formula.type === 'SymbolNode') return { name, formula, value, oneLine: true };
  const chosen = chosenBy(c);
  return { name, formula, substituted: print(c.eq.formula, (n) => { const v = values.get(n); return v && substituted(v, digits); }), value, ...(chosen ? { note: `(the largest: ${chosen})` } : {}) };
}

/** For a maximum over quantities (max pooling): the one it chose, the first largest in scan order (the
 *  element the gradient goes back to, as PyTorch routes it). */
function chosenBy(c: Calc): string | undefined {
  const f = unwrap(c.eq.formula);
  if (f.type !== 'FunctionNode' || !['maximum', 'max'].includes(callName(f))) return undefined;
  const args = argsOf(f).map(unwrap);
  if (args.length < 2 || args.some((a) => a.type !== 'SymbolNode')) return undefined;
  const values = new Map(c.eq.symbols.map((s, i) => [s, c.inputs[i]!]));
  return args.map(symbolName).find((s) => values.get(s)?.eq(c.value));
}

/** The file name a document is titled with (never its folder). */
const fileName = (trace: Trace) => trace.spec.file.split(/[\\/]/).pop()!;

/** The problem (network, loss, optimizer, conventions, data), between the title and the initial values. */
function openingBlocks(trace: Trace, N: Notation, digits: number): Block[] {
  const { spec } = trace;
  const num = (d: Dec) => N.number(d, digits).tex;
  const blocks: Block[] = [];
  const h = (level: 1 | 2 | 3 | 4, ...content: Inline[]) => blocks.push({ kind: 'heading', level, content, only: 'typeset' });
  const p = (...content: Inline[]) => blocks.push({ kind: 'paragraph', content, only: 'typeset' });
  const display = (groups: MathLine[][]) => groups.length > 0 && blocks.push({ kind: 'math', groups, only: 'typeset' });

  const arithmetic = isRationalContext(trace.ctx)
    ? `in exact fractions and shown to ${digits} significant digits; a value with no finite decimal expansion is written as its fraction, then its decimal`
    : `exactly with ${spec.precision} significant digits and shown to ${digits}`;
  blocks.push({
    kind: 'paragraph',
    only: 'typeset',
    content: [`Every value is computed ${arithmetic}; `, math('\\approx'), ' marks a value rounded for display. Each quantity is given as its formula, then with the numbers put in, then its value.'],
    worksheet: ['Each quantity is given as its formula: work out its value and write it in the cell below the formula.'],
  });

  // The problem.
  h(2, 'The problem');
  p('The network, evaluated in this order for each sample:');
  display([spec.neurons.map((n) => ({ lhs: N.name(n.name), rel: '=', rhs: N.formula(n.expr, { digits }).tex }))]);
  const packed = spec.tensors?.batchSize;
  if (packed !== undefined) p(`The samples of a batch depend on each other (batch statistics), so each batch of ${packed} samples is one program with its samples side by side (the names of sample s of the batch carry s0, s1, ...), and its loss `, math(N.name('loss')), ' is the whole batch\'s, written out:');
  else p('The loss: ', spec.loss.reduce === 'mean' ? 'the mean' : 'the sum', ' over the ', math('n'), ' samples of a batch of each sample\'s loss ', math(N.name('loss')),
    spec.loss.penalty ? ', plus a penalty on the params:' : ':');
  const reduced = spec.loss.reduce === 'mean' ? `\\frac{1}{n} \\sum_{s=1}^{n} ${N.name('loss')}^{(s)}` : `\\sum_{s=1}^{n} ${N.name('loss')}^{(s)}`;
  display([[
    { lhs: 'L', rel: '=', rhs: packed !== undefined ? N.name('loss') : spec.loss.penalty ? `${reduced} + ${N.quantity(stepLoss('penalty'))}` : reduced },
    // A long per-sample loss (an upstream gradient's sum over a whole output) is cut into lines.
    ...N.formulaLines(spec.loss.sample.expr, { digits }).lines.map((rhs, i) => ({ lhs: i === 0 ? N.name('loss') : '', rel: i === 0 ? '=' : '', rhs })),
    ...(spec.loss.penalty ? [{ lhs: N.quantity(stepLoss('penalty')), rel: '=', rhs: N.formula(spec.loss.penalty.expr, { digits }).tex }] : []),
  ]]);
  const opt = trace.optimizer;
  const options = Object.entries(spec.training.options);
  if (spec.training.forwardOnly) {
    p('No training: one forward pass over the data and the backward pass its loss gives; nothing is updated.');
  } else {
    p(`The optimizer: ${opt.def.title}, with `,
      ...options.flatMap(([k, v], i): Inline[] => [
        i === 0 ? '' : ', ',
        typeof v === 'string' ? math(`${N.name(k)} = ${N.number(trace.given.options.get(k)!, 50).tex}`) : `${k} ${v ? 'on' : 'off'}`,
      ]),
      `; ${spec.training.epochs} epoch${spec.training.epochs === 1 ? '' : 's'}, `,
      packed !== undefined ? `batches of ${packed} samples in data order.` : spec.training.batch === 'full' ? 'one step per epoch over the whole data (full batch).' : `batches of ${spec.training.batch} rows in data order.`);
  }
  p(`The conventions in force: the ${PRESETS[spec.conventions.preset]?.title ?? spec.conventions.preset} preset (conventions: ${spec.conventions.preset}), `,
    `relu_at_zero ${spec.conventions.relu_at_zero}${spec.frozen.length ? `; frozen: ${spec.frozen.join(', ')}` : ''}.`);
  if (!spec.training.forwardOnly) {
    p('Its update for each param ', math('p'), ', with ', math('t'), ' the step number from 1 (a name on the right means its value before this update, unless it was updated above):');
    display([opt.updates.map((u) => ({
      lhs: u.name === 'p' ? 'p' : N.name(u.name),
      rel: symbolsOf(u.formula).has(u.name) ? '\\leftarrow' : '=',
      rhs: N.formula(renameGrad(u.formula), { digits }).tex + (u.first ? `\\quad (\\text{at } t = 1\\text{: } ${N.formula(renameGrad(u.first), { digits }).tex})` : ''),
    }))]);
    if (opt.state.length > 0) {
      p('Its state starts at ', ...opt.state.flatMap((s, i): Inline[] => [i === 0 ? '' : ', ', math(`${N.name(s.name)} = ${N.formula(s.initial, { digits }).tex}`)]), '.');
    }
  }
  if (usesStep(trace)) {
    p(math(`${N.stepFunction}(z)`), ' is the step function, the derivative of ', math('\\operatorname{ReLU}'), ': ', math('1'), ' for ', math('z > 0'), ', ',
      math('0'), ' for ', math('z < 0'), ', and ', math(`${N.stepFunction}(0) = ${spec.conventions.relu_at_zero}`),
      ' (conventions.relu_at_zero). A pre-activation that cancels to zero within the working precision is taken as exactly 0.');
  }
  p('The data:');
  const columns = [...spec.inputs, ...spec.targets];
  blocks.push({
    kind: 'table',
    only: 'typeset',
    head: [['sample'], ...columns.map((c) => [math(N.name(c))])],
    rows: trace.given.rows.map((row, i) => [[String(i + 1)], ...columns.map((c) => [math(num(row.get(c)!))])]),
  });
  return blocks;
}

/** The result: the loss of each step shown, the params before and after, and the notes. */
function closingBlocks(trace: Trace, N: Notation, digits: number, lossRows: Inline[][][], lastShown: number, final: Array<[string, Dec]>): Block[] {
  const { spec } = trace;
  const num = (d: Dec) => N.number(d, digits).tex;
  const blocks: Block[] = [];
  const h = (level: 1 | 2 | 3 | 4, ...content: Inline[]) => blocks.push({ kind: 'heading', level, content, only: 'typeset' });
  const p = (...content: Inline[]) => blocks.push({ kind: 'paragraph', content, only: 'typeset' });
  // The result states the values a worksheet asks for, and says nothing else.
  const result = (b: Block) => blocks.push({ ...b, statesValues: true });
  if (spec.training.forwardOnly) {
    // Nothing was updated: no losses over steps, no params before and after.
    if (trace.warnings.length > 0) {
      h(2, 'Notes');
      blocks.push({ kind: 'list', only: 'typeset', items: trace.warnings.map((w) => [w.message]) });
    }
    return blocks;
  }
  result({ kind: 'heading', level: 2, content: ['Result'], only: 'typeset' });
  if (lossRows.length > 0) {
    result({ kind: 'paragraph', content: ['The loss at each step shown (computed before that step\'s update):'], only: 'typeset' });
    result({
      kind: 'table',
      only: 'typeset',
      head: [['step'], ['epoch'], [math(N.quantity(stepLoss('data')))], ...(spec.loss.penalty ? [[math(N.quantity(stepLoss('penalty')))], [math('L')]] : [])],
      rows: lossRows,
    });
  }
  // The run keeps its latest step: its number is the run's last.
  const lastStep = trace.steps[trace.steps.length - 1]?.step ?? 0;
  result({ kind: 'paragraph', content: [`The params before the first step and after the last (step ${lastStep}${lastShown === lastStep || lastStep === 0 ? '' : ', not shown above'}):`], only: 'typeset' });
  result({
    kind: 'table',
    only: 'typeset',
    head: [['param'], ['initial'], ['final']],
    rows: initialValues(trace).map(([name, v], i) => [[math(N.name(name))], [math(num(v))], [math(num(final[i]![1]))]]),
  });
  if (trace.warnings.length > 0) {
    h(2, 'Notes');
    blocks.push({ kind: 'list', only: 'typeset', items: trace.warnings.map((w) => [w.message]) });
  }
  return blocks;
}

/** In the optimizer's own equations `grad` is the gradient of the loss: print it as dL/dp. */
function renameGrad(tree: Node): Node {
  return tree.transform((node: Node, path: string) =>
    node.type === 'SymbolNode' && path !== 'fn' && symbolName(node) === 'grad'
      ? symbol(symbolOf(adjointOf('p')))
      : node,
  );
}

/**
 * One step's blocks, handed to `emit` a part at a time (the step's heading, each sample, the rest), so
 * that a step of a large batch is never held whole. `N` is given when the typeset blocks are wanted,
 * `text` when the plain ones are: each medium's calculations are made only for it.
 */
function stepBlocks(step: StepSection, trace: Trace, N: Notation | undefined, digits: number, list: (pairs: Array<[string, Dec]>) => Inline[], emit: (blocks: Block[]) => void, text: boolean): void {
  const { spec } = trace;
  let blocks: Block[] = [];
  const flush = () => {
    emit(blocks);
    blocks = [];
  };
  // A heading both media print, with its plain wording and place.
  const h = (level: 1 | 2 | 3 | 4, content: Inline[], plain: Block['plain']) => blocks.push({ kind: 'heading', level, content, plain });
  const p = (...content: Inline[]) => N && blocks.push({ kind: 'paragraph', content, only: 'typeset' });
  // A convolution's window and kernel; a kernel entry that meets only zero padding is not in the
  // equation, so its value is the param's before the step.
  const windowOf = (c: Calc) => {
    const view = spec.tensors?.windows.get(c.eq.name);
    return view && { view, param: (name: string) => step.before.get(name) };
  };
  // Each calculation carries the quantity it computes, by its answers path (a worksheet's cell): `row`
  // is the sample's data row (from 0), absent for the step's own quantities.
  const full = fullBatchOf(spec);
  const quantity = (c: Calc, row?: number): CalcQuantity => {
    const path = answersPath(spec, step.step, full, row, c.eq);
    return { name: c.eq.name, ...(path !== undefined ? { path } : {}) };
  };
  const display = (calcs: Calc[], row?: number) => N && calcs.length > 0 && blocks.push({ kind: 'math', only: 'typeset', groups: calcs.map((c) => calcLines(c, N, digits, trace.ctx, windowOf(c), quantity(c, row))) });
  // The plain text's calculations, in the order of the equations, under a heading indented `indent - 2`.
  const plain = (calcs: Calc[], indent: number) => text && blocks.push({ kind: 'calc', only: 'text', calcs: calcs.map((c) => plainCalc(c, digits, windowOf(c))), plain: { indent, tight: true } });
  let layerName = (_d: number) => '';
  let depth = new Map<string, number>();
  if (N) {
    depth = layersOf(spec);
    // A fold, not Math.max(...): a spread of a large layer's units would exceed the arguments a call takes.
    let deepest = 0;
    for (const d of depth.values()) deepest = Math.max(deepest, d);
    layerName = (d) => (d === deepest ? 'Output layer' : `Hidden layer ${d}`);
  }
  const byLayer = (calcs: Calc[], of: (c: Calc) => string | undefined, order: 1 | -1, row: number) => {
    if (!N) return;
    const layerOf = (c: Calc) => depth.get(of(c) ?? '') ?? 0;
    const found = [...new Set(calcs.map(layerOf))].filter((d) => d > 0).sort((a, b) => order * (a - b));
    for (const d of found) {
      p(`${layerName(d)}:`);
      display(calcs.filter((c) => layerOf(c) === d), row);
    }
  };

  if (spec.training.forwardOnly) h(2, ['The forward and backward pass'], { content: [`== The forward and backward pass, samples ${step.samples.map((s) => s.sample).join(', ')} ==`] });
  else h(2, [`Step ${step.step} (epoch ${step.epoch})`], { content: [`== Step ${step.step} (epoch ${step.epoch}), samples ${step.samples.map((s) => s.sample).join(', ')} ==`] });
  flush();
  for (const sample of step.samples) {
    // A packed batch (batch norm) is one program: its row is the whole batch.
    const packed = spec.tensors?.batchSize;
    const which = packed === undefined ? `Sample ${sample.sample}` : `Batch ${sample.sample} (samples ${(sample.sample - 1) * packed + 1} to ${sample.sample * packed})`;
    h(3, [`${which}: `, ...list(sample.given)], { indent: 2 });
    h(4, ['Forward pass'], { content: ['forward'], indent: 4, tight: true });
    plain(sample.forward, 6);
    const row = sample.sample - 1;
    byLayer(sample.forward.filter((c) => c.eq.role === 'neuron'), (c) => c.eq.name, 1, row);
    if (spec.tensors) {
      // A torch-style spec's layer outputs, as the tensors they are.
      const values = new Map<string, Dec>([...sample.given, ...sample.forward.map((c): [string, Dec] => [c.eq.name, c.value])]);
      if (text) blocks.push({ kind: 'heading', level: 4, content: ['Layer outputs'], only: 'text', plain: { content: ['tensors'], indent: 4, tight: true } });
      // They state the values a worksheet asks for.
      blocks.push(...tensorBlocks(spec, (name) => values.get(name), digits, N, text).map((b): Block => ({ ...b, statesValues: true })));
    }
    p('Loss of this sample:');
    display(sample.forward.filter((c) => c.eq.role === 'loss'), row);
    h(4, ['Backward pass'], { content: ['backward'], indent: 4, tight: true });
    plain(sample.backward, 6);
    p('Each adjoint is the sum, over the equations that use the quantity, of their adjoint times their local derivative. The loss first:');
    display(sample.backward.filter((c) => c.eq.role === 'seed'), row);
    byLayer(sample.backward.filter((c) => c.eq.role === 'adjoint'), (c) => c.eq.of, -1, row);
    // The input's own adjoints (dL/dx, which convolution and attention exercises ask for): layer 0.
    const inputs = new Set(spec.inputs);
    const inputAdjoints = sample.backward.filter((c) => c.eq.role === 'adjoint' && c.eq.of !== undefined && inputs.has(c.eq.of));
    if (inputAdjoints.length > 0) p('The input\'s gradient:');
    display(inputAdjoints, row);
    p('This sample\'s share of each gradient:');
    display(sample.backward.filter((c) => c.eq.role === 'share'), row);
    flush();
  }
  h(3, [spec.training.forwardOnly ? 'The loss' : `Loss of step ${step.step}`], { content: ['Loss'], indent: 2 });
  plain(step.loss, 4);
  display(step.loss);
  h(3, ['Gradients of the total loss'], { content: ['Gradients (of the total loss)'], indent: 2, tight: true });
  plain(step.gradients, 4);
  display(step.gradients);
  if (spec.training.forwardOnly) {
    flush();
    return;
  }
  const title = trace.optimizer.def.title;
  h(3, [`${title} update, `, ...(N ? [math(`t = ${step.step}`)] : [])], { content: [`${title} update (t = ${step.step})`], indent: 2, tight: true });
  plain(step.updates.flatMap((u) => u.calcs), 4);
  if (N) blocks.push({ kind: 'math', only: 'typeset', groups: step.updates.filter((u) => u.calcs.length > 0).map((u) => u.calcs.flatMap((c) => calcLines(c, N, digits, trace.ctx, undefined, quantity(c)))) });
  if (step.buffers.length > 0) {
    h(3, ['Running statistics (buffers), updated by this step\'s forward pass'], { content: ['Buffers (running statistics)'], indent: 2, tight: true });
    plain(step.buffers, 4);
    display(step.buffers);
  }
  const after = step.after;
  if (N) blocks.push({ kind: 'paragraph', only: 'typeset', statesValues: true, content: [`Values after step ${step.step}: `, ...list(spec.params.map((q): [string, Dec] => [q.name, after.get(q.name)!])), '.'] });
  flush();
}

/** One quantity: formula, then the numbers put in, then the value (rounded values with \approx). With
 *  `quantity`, each line says which part of the calculation of that quantity it is (MathLine.calc). */
export function calcLines(c: Calc, N: Notation, digits: number, ctx: NumericContext, window?: ShownWindow, quantity?: CalcQuantity): MathLine[] {
  const lines = calcLinesOf(c, N, digits, ctx, window);
  return quantity ? lines.map(([line, part]) => ({ ...line, calc: { part, quantity } })) : lines.map(([line]) => line);
}

function calcLinesOf(c: Calc, N: Notation, digits: number, ctx: NumericContext, window?: ShownWindow): Array<[MathLine, CalcPart]> {
  const lhs = N.name(c.eq.name);
  if (window && c.eq.role === 'neuron') {
    // A convolution's output: its window beside its kernel, multiplied entry by entry and summed.
    const values = new Map(c.eq.symbols.map((s, i) => [s, c.inputs[i]!]));
    const shown = windowTex(window.view, N, (n) => values.get(n) ?? window.param(n), digits);
    const value = N.value(c.value, digits);
    return [
      [{ lhs, rel: '=', rhs: shown.formula }, 'formula'],
      [{ lhs: '', rel: shown.rounded ? '\\approx' : '=', rhs: shown.substituted }, 'substituted'],
      [{ lhs: '', rel: value.rounded ? '\\approx' : '=', rhs: value.tex }, 'value'],
    ];
  }
  // An update of a state from its own previous value reads as an assignment.
  const self = c.eq.refs.some((r, i) => r.kind === 'before' && c.eq.symbols[i] === c.eq.name);
  const value = N.value(c.value, digits);
  const valueRel = value.rounded ? '\\approx' : '=';
  const f = unwrap(c.eq.formula);
  if (f.type === 'ConstantNode') return [[{ lhs, rel: valueRel, rhs: value.tex }, 'value']];
  // Long formulas (an adjoint fed by several neurons) are cut into lines after the relation sign.
  const continued = (rel: string, parts: string[]): MathLine[] => parts.map((rhs, i) => ({ lhs: i === 0 ? lhs : '', rel: i === 0 ? rel : '', rhs }));
  const lines = continued(self ? '\\leftarrow' : '=', N.formulaLines(c.eq.formula, { digits }).lines).map((l): [MathLine, CalcPart] => [l, 'formula']);
  if (f.type !== 'SymbolNode') {
    const values = new Map(c.eq.symbols.map((s, i) => [s, c.inputs[i]!]));
    const backward = c.eq.role === 'adjoint' || c.eq.role === 'share';
    const substituted = N.formulaLines(c.eq.formula, {
      digits,
      value: (name) => values.get(name),
      argumentValue: (arg) => evaluateTree(arg, values, ctx).value,
      collapseArguments: backward,
    });
    if (substituted.lines.join(' ') !== value.tex) {
      lines.push(...continued(substituted.rounded ? '\\approx' : '=', substituted.lines).map((l): [MathLine, CalcPart] => [{ ...l, lhs: '' }, 'substituted']));
    }
  }
  const chosen = chosenBy(c);
  lines.push([{ lhs: '', rel: valueRel, rhs: chosen ? `${value.tex} \\quad (\\text{the largest: } ${N.name(chosen)})` : value.tex }, 'value']);
  return lines;
}
