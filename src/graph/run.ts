// Evaluates the equations of graph/program.ts, step by step and sample by sample, and keeps every
// value: the trace is the graph of named quantities (step, sample, name) with their values, and the
// equations that say how each was computed.
import type { Spec } from '../spec/model.js';
import { makeContext, makeDecimalJsContext, type Dec, type NumericContext } from '../numeric/context.js';
import type { Env } from './evaluate.js';
import { compile, memoTable } from './evaluate.js';
import { ExactDigitsError, makeRationalContext } from '../numeric/rational.js';
import { LimitError, limitsOf, type Limits } from '../spec/limits.js';
import { checkRunSize, runBudget, type BudgetOptions } from './budget.js';
import { bufferEquations, lossAndGradientEquations, optimizerEquations, optimizerProgram, sampleProgram, type Equation, type OptimizerProgram } from './program.js';
import { QuantityTable, stateOf, type QuantityId } from './ids.js';
import { COMPARES_ALL_ARGUMENTS } from '../symbolic/functions.js';
import { TapeMachine } from './run-tape.js';
import type { TextTemplate } from '../numeric/arena.js';
import { digitsOf, TapeUnsupported } from './tape.js';
import { BEFORE, CONSTANT, givenValues, OPTION, ROW, SAMPLE, SAMPLE_OF, SCALAR, slotPlan, STEP, type Given, type SlotPlan, type SlotScope } from './values.js';

export interface SampleRecord {
  /** Data row, from 0. */
  row: number;
  values: Map<string, Dec>;
  /** The same values in the order of trace.sampleEquations (for writers that visit every value). */
  ordered: Dec[];
  /** The text of ordered[i] (as its toString), read without making the value when the run can
   *  (graph/run-tape.ts): the JSON trace writes every value this way. */
  textOf?: (i: number) => string;
  /** The template filled with the text of these values (DecimalArena.fill), when the run can. */
  fill?: (template: TextTemplate) => string | undefined;
  /** fill()'s text as bytes (DecimalArena.fillBytes): a view valid until the run goes on. */
  fillBytes?: (template: TextTemplate) => Uint8Array | undefined;
}

export interface StepRecord {
  step: number;
  epoch: number;
  /** Data rows of the batch, from 0. */
  rows: number[];
  samples: SampleRecord[];
  /** Step-level quantities: loss.*, gradients dL/dp, optimizer quantities, new params. */
  values: Map<string, Dec>;
  equations: Equation[];
  /** The template filled with the text of the step's values (the i-th hole: equations[i]), when the run
   *  can (DecimalArena.fill): the JSON trace writes the step's values this way. */
  fill?: (template: TextTemplate) => string | undefined;
  /** fill()'s text as bytes (DecimalArena.fillBytes): a view valid until the run goes on. */
  fillBytes?: (template: TextTemplate) => Uint8Array | undefined;
}

export interface Warning {
  kind: 'kink';
  step: number;
  sample: number;
  neuron: string;
  message: string;
}

export interface Trace {
  spec: Spec;
  ctx: NumericContext;
  sampleEquations: Equation[];
  optimizer: OptimizerProgram;
  /** The data rows, constants and optimizer options, parsed once (graph/values.ts reads them). */
  given: Given;
  /** Params and optimizer state before the first step. */
  initial: Map<string, Dec>;
  steps: StepRecord[];
  warnings: Warning[];
  /** What every symbol of the run's equations is (graph/ids.ts): printers ask it, never the symbol's text. */
  quantities: QuantityTable;
  /** With `recordBranches`: the sides taken at kinks, one record per equation evaluated that met any,
   *  under an opaque key (the same for the same place in two runs of one spec). */
  branches?: Map<string, Branches>;
  /** How many steps ran as a tape in the arithmetic kernel (the rest ran as closures; see `evaluator`). */
  stepsOnTape: number;
}

/** The sides an equation took at its branches (kinks, max, abs), where it was evaluated. */
export interface Branches {
  step: number;
  /** The data row from 1, for a per-sample equation. */
  sample?: number;
  quantity: QuantityId;
  sides: number[];
}

/** A value that is not a finite number (log(0), 0/0...), located at its step, sample and quantity. */
export class EvaluationError extends Error {
  constructor(readonly step: number, readonly sample: number | undefined, readonly quantity: string, readonly value: string) {
    super(`step ${step}${sample !== undefined ? `, sample ${sample}` : ''}: ${quantity} is not a finite number (${value})`);
    this.name = 'EvaluationError';
  }
}

/** How the rows of the data are cut into optimizer steps: batches in data order, no shuffling. */
export function batches(spec: Spec): number[][] {
  const size = spec.training.batchSize;
  const out: number[][] = [];
  for (let start = 0; start < spec.data.length; start += size) {
    out.push(Array.from({ length: Math.min(size, spec.data.length - start) }, (_, i) => start + i));
  }
  return out;
}

export interface RunOptions extends BudgetOptions {
  /** Limits in force over the spec's own (spec.limits): the run is refused before it starts when its
   *  steps or estimated work exceed them, and an --exact run when a fraction outgrows exactDigits. */
  limits?: Partial<Limits>;
  onStep?: (step: number, total: number) => void;
  /** Record every branch decision (for certification). */
  recordBranches?: boolean;
  /** 'rational' computes in exact fractions (only for specs whose every operation is rational);
   *  'decimal.js' in decimal.js's own values, the reference the default BigDecimals are held to. */
  arithmetic?: 'decimal' | 'rational' | 'decimal.js';
  /** Called once the trace exists, before the first step (to start streaming output). */
  onStart?: (trace: Trace) => void;
  /** Called with each step as it is finished. */
  onStepDone?: (step: StepRecord, trace: Trace) => void;
  /** 'last' keeps only the latest step in trace.steps, so a long run streamed through onStepDone
   *  needs memory for one step, not all of them; a predicate keeps the steps it accepts (and always the
   *  latest). Default 'all'. */
  retain?: 'all' | 'last' | ((step: number) => boolean);
  /** How the steps are computed: 'tape' runs each step's equations as a flat tape in the arithmetic
   *  kernel where the tape means the same as the closures (graph/tape.ts), 'closures' always evaluates
   *  the compiled closures (graph/evaluate.ts); 'auto' (the default) takes the tape for a run of more
   *  than TAPE_FROM sample evaluations, where compiling the tape pays for itself. The values are the
   *  same either way. */
  evaluator?: 'auto' | 'tape' | 'closures';
}

/** Sample equations evaluated over a run (equations x rows x epochs) above which 'auto' takes the tape:
 *  below it, a hand exercise's few hundred values, the closures are done before the tape is compiled. */
export const TAPE_FROM = 20_000;

export function run(spec: Spec, options: RunOptions = {}): Trace {
  const limits = limitsOf({ ...spec.limits, ...options.limits });
  // Where the run is, for the message of a fraction that outgrows the digit limit.
  const at: Position = { step: 0 };
  try {
    return runWithin(spec, options, limits, at);
  } catch (e) {
    if (e instanceof ExactDigitsError) {
      const where = at.step === 0 ? 'before the first step' : `at step ${at.step}${at.sample !== undefined ? `, sample ${at.sample}` : ''}`;
      throw new LimitError('exactDigits', spec.file, '', `${where}, the fraction of ${at.quantity ?? 'a value'} grows too long`, e.maxDigits);
    }
    throw e;
  }
}

interface Position {
  step: number;
  sample?: number | undefined;
  quantity?: string;
}

function runWithin(spec: Spec, options: RunOptions, limits: Limits, at: Position): Trace {
  const maxTie = spec.conventions.max_tie ?? 'first';
  const ctx = options.arithmetic === 'rational'
    ? makeRationalContext(spec.precision, spec.conventions.relu_at_zero, limits.exactDigits, maxTie)
    : options.arithmetic === 'decimal.js'
      ? makeDecimalJsContext(spec.precision, spec.conventions.relu_at_zero, maxTie)
      : makeContext(spec.precision, spec.conventions.relu_at_zero, maxTie);
  const D = ctx.D;
  const given = givenValues(spec, D);
  const { rows, constants, options: optionValues } = given;
  const opt = optimizerProgram(spec);
  const memo = memoTable();
  const quantities = new QuantityTable();
  const sampleEquations = sampleProgram(spec, ctx, memo, quantities);
  // Refused by its size before any of it is computed.
  checkRunSize(spec, limits, sampleEquations.length, opt.updates.length);
  const shareParams = new Set(sampleEquations.filter((e) => e.role === 'share').map((e) => e.of!));

  const initial = new Map<string, Dec>(spec.params.map((p) => [p.name, new D(p.value)]));
  for (const b of spec.buffers ?? []) initial.set(b.name, new D(b.value));
  for (const s of opt.state) {
    const f = compile(s.initial, (name) => [...optionValues.keys()].indexOf(name), ctx);
    const v = f({ vals: [...optionValues.values()], kinks: [] });
    for (const p of spec.params) initial.set(quantities.add(stateOf(s.name, p.name)), v);
  }

  const trace: Trace = { spec, ctx, sampleEquations, optimizer: opt, given, initial, quantities, steps: [], warnings: [], stepsOnTape: 0 };
  const branches = options.recordBranches ? new Map<string, Branches>() : undefined;
  if (branches) trace.branches = branches;
  const schedule = batches(spec);
  const total = schedule.length * spec.training.epochs;
  const budget = runBudget(spec.file, total, options);

  // Where every symbol of every equation takes its value, resolved once into (space, index) pairs,
  // so that the hot loop fills an equation's slots from arrays rather than looking names up.
  const columns = [...spec.inputs, ...spec.targets];
  const rowValues = rows.map((r) => columns.map((c) => r.get(c)!));
  const constantNames = [...constants.keys()];
  const constantValues = [...constants.values()];
  const optionNames = [...optionValues.keys()];
  const optionList = [...optionValues.values()];
  const sampleIndex = new Map(sampleEquations.map((e, i) => [e.name, i]));
  const sampleScope: SlotScope = { columns, constantNames, optionNames, sampleIndex, batch: [] };
  // The closures' slot plan of the sample program, made when a step first needs it (a run whose steps
  // all go on the tape never does).
  let samplePlan: SlotPlan | undefined;
  // A step program's slot plan is the closures' (made when they first need it: the tape locates the
  // symbols itself).
  const stepCache = new Map<string, { equations: Equation[]; scope: SlotScope; plan?: SlotPlan }>();
  const planOf = (p: { equations: Equation[]; scope: SlotScope; plan?: SlotPlan }) => (p.plan ??= slotPlan(p.equations, p.scope));
  const lossCache = new Map<string, Equation[]>();
  const updateCache = new Map<boolean, Equation[]>();

  // The fast path: each step as a tape in the arithmetic kernel, where it computes what the closures do.
  let machine: TapeMachine | undefined;
  const digitsFit = () => [...initial.values()].every((v) => digitsOf(v) <= spec.precision);
  const evaluator = options.evaluator ?? 'auto';
  const large = sampleEquations.length * spec.data.length * spec.training.epochs > TAPE_FROM;
  if ((evaluator === 'tape' || (evaluator === 'auto' && large)) && (options.arithmetic ?? 'decimal') === 'decimal' && !branches && typeof WebAssembly === 'object' && digitsFit()) {
    try {
      machine = new TapeMachine({
        ctx, sampleEquations, sampleScope, rowValues, constantValues, optionValues: optionList,
        batchMax: Math.max(1, ...schedule.map((b) => b.length)),
      });
    } catch (e) {
      if (!(e instanceof TapeUnsupported)) throw e;
    }
  }
  const retain = options.retain ?? 'all';

  options.onStart?.(trace);
  let before = initial;
  let step = 0;
  const env: Env = { vals: [], kinks: [] };
  for (let epoch = 1; epoch <= spec.training.epochs; epoch++) {
    for (const batch of schedule) {
      step++;
      at.step = step;
      budget?.check(step);
      // Loss and gradient equations depend on the batch; the optimizer's only on whether t = 1 has
      // formulas of its own. Build each once.
      const batchKey = batch.join(',');
      const first = step === 1 && opt.updates.some((u) => u.first);
      const key = `${batchKey}|${first}`;
      let program = stepCache.get(key);
      if (!program) {
        let losses = lossCache.get(batchKey);
        if (!losses) lossCache.set(batchKey, (losses = [...lossAndGradientEquations(spec, batch, shareParams, ctx, quantities), ...bufferEquations(spec, batch, ctx, quantities)]));
        let updates = updateCache.get(first);
        if (!updates) updateCache.set(first, (updates = optimizerEquations(spec, opt, first, ctx, quantities)));
        const equations = [...losses, ...updates];
        program = { equations, scope: { columns, constantNames, optionNames, sampleIndex, batch, stepIndex: new Map(equations.map((e, i) => [e.name, i])) } };
        stepCache.set(key, program);
      }
      // The spaces values come from; a sample's own space (SAMPLE) and row (ROW) change per sample.
      const spaces: Dec[][] = [];
      spaces[CONSTANT] = constantValues;
      spaces[OPTION] = optionList;
      spaces[SCALAR] = [new D(batch.length), new D(step)];
      // What each program reads from the step before is the same for every sample of this step.
      const beforeOf = (p: SlotPlan) => p.beforeNames.map((name) => before.get(name)!);
      const evaluateAll = (equations: Equation[], p: SlotPlan, out: Dec[], sampleRow: number | undefined) => {
        let i = 0;
        try {
          for (; i < equations.length; i++) {
            const eq = equations[i]!;
            const { sp, ix, vals } = p.slots[i]!;
            for (let j = 0; j < vals.length; j++) vals[j] = spaces[sp[j]!]![ix[j]!]!;
            env.vals = vals;
            if (env.kinks.length) env.kinks = [];
            if (branches) env.branches = [];
            const v = eq.run(env);
            out[i] = v;
            if (branches && env.branches!.length > 0) {
              branches.set(`${step}|${sampleRow ?? ''}|${eq.name}`, { step, ...(sampleRow !== undefined ? { sample: sampleRow } : {}), quantity: eq.id, sides: env.branches! });
            }
            if (!v.isFinite()) throw new EvaluationError(step, sampleRow, eq.name, v.toString());
            if (env.kinks.length > 0 && (eq.role === 'neuron' || eq.role === 'loss')) {
              // A tie of a maximum is its own convention; every other kink is relu'(0)'s.
              const ties = env.kinks.filter((k) => COMPARES_ALL_ARGUMENTS.has(k));
              const zeros = env.kinks.filter((k) => !COMPARES_ALL_ARGUMENTS.has(k));
              const where = `step ${step}, sample ${sampleRow}: `;
              trace.warnings.push({
                kind: 'kink', step, sample: sampleRow!, neuron: eq.name,
                message: [
                  ...(zeros.length ? [`${where}the argument of ${zeros.join(', ')} in ${eq.name} is exactly 0; its derivative there is taken as ${ctx.reluAtZero.toString()} (conventions.relu_at_zero)`] : []),
                  ...(ties.length ? [`${where}the largest arguments of ${ties.join(', ')} in ${eq.name} tie; the gradient goes ${maxTie === 'first' ? 'to the first of them' : 'to each of them in equal parts'} (conventions.max_tie: ${maxTie})`] : []),
                ].join('; '),
              });
            }
          }
        } catch (e) {
          if (e instanceof ExactDigitsError) Object.assign(at, { sample: sampleRow, quantity: equations[i]!.name });
          throw e;
        }
      };

      const previous = trace.steps[trace.steps.length - 1];
      const keepPrevious = previous !== undefined && (retain === 'all' || (typeof retain === 'function' && retain(previous.step)));
      const fast = machine?.runStep(step, batch, before, program.equations, program.scope, keepPrevious, () => budget?.check(step));
      let samples: SampleRecord[];
      let values: Map<string, Dec>;
      if (fast) {
        ({ samples, values } = fast);
        trace.stepsOnTape++;
      }
      else {
        samples = [];
        const sampleSlots = (samplePlan ??= slotPlan(sampleEquations, sampleScope));
        spaces[BEFORE] = beforeOf(sampleSlots);
        batch.forEach((row, position) => {
          if (position > 0) budget?.check(step);
          const cur: Dec[] = new Array(sampleEquations.length);
          spaces[ROW] = rowValues[row]!;
          spaces[SAMPLE] = cur;
          env.memo = new Array(memo.ids.size);
          evaluateAll(sampleEquations, sampleSlots, cur, row + 1);
          env.memo = undefined;
          spaces[SAMPLE_OF + position] = cur;
          samples.push(sampleRecord(row, cur, sampleIndex));
        });
        const stepValues: Dec[] = new Array(program.equations.length);
        spaces[STEP] = stepValues;
        const plan = planOf(program);
        spaces[BEFORE] = beforeOf(plan);
        evaluateAll(program.equations, plan, stepValues, undefined);
        values = new Map(program.equations.map((e, i) => [e.name, stepValues[i]!]));
      }
      const record: StepRecord = { step, epoch, rows: batch, samples, values, equations: program.equations, ...(fast ? { fill: fast.fill, fillBytes: fast.fillBytes } : {}) };
      if (retain !== 'all') {
        const last = trace.steps[trace.steps.length - 1];
        if (last && (retain === 'last' || !retain(last.step))) trace.steps.pop();
      }
      trace.steps.push(record);
      before = values;
      options.onStepDone?.(record, trace);
      options.onStep?.(step, total);
    }
  }
  return trace;
}

/** A sample's values, by name on demand: a streamed run whose writer reads them in order never builds
 *  the map, which keeps a step's garbage small. */
function sampleRecord(row: number, ordered: Dec[], index: Map<string, number>): SampleRecord {
  let map: Map<string, Dec> | undefined;
  return {
    row,
    ordered,
    get values() {
      return (map ??= new Map([...index].map(([name, i]) => [name, ordered[i]!])));
    },
  };
}

/** A param's value after the last step (or its initial value when no step ran). */
export function finalValue(trace: Trace, name: string): Dec {
  const last = trace.steps[trace.steps.length - 1];
  return (last?.values ?? trace.initial).get(name)!;
}
