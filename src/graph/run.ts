// Evaluates the equations of graph/program.ts, step by step and sample by sample, and keeps every
// value: the trace is the graph of named quantities (step, sample, name) with their values, and the
// equations that say how each was computed.
import type { Spec } from '../spec/model.js';
import { makeContext, type Dec, type NumericContext } from '../numeric/context.js';
import type { Env } from '../numeric/evaluate.js';
import { compile } from '../numeric/evaluate.js';
import { makeRationalContext } from '../numeric/rational.js';
import { optimizerName, optimizerProgram, sampleProgram, stepProgram, type Equation, type OptimizerProgram, type Ref } from './program.js';

export interface SampleRecord {
  /** Data row, from 0. */
  row: number;
  values: Map<string, Dec>;
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
  /** Params and optimizer state before the first step. */
  initial: Map<string, Dec>;
  steps: StepRecord[];
  warnings: Warning[];
  /** With `recordBranches`: the sides taken at kinks, by `step|row|quantity` (row empty for step level). */
  branches?: Map<string, number[]>;
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

export interface RunOptions {
  onStep?: (step: number, total: number) => void;
  /** Record every branch decision (for certification). */
  recordBranches?: boolean;
  /** 'rational' computes in exact fractions (only for specs whose every operation is rational). */
  arithmetic?: 'decimal' | 'rational';
}

export function run(spec: Spec, options: RunOptions = {}): Trace {
  const ctx = options.arithmetic === 'rational'
    ? makeRationalContext(spec.precision, spec.conventions.relu_at_zero)
    : makeContext(spec.precision, spec.conventions.relu_at_zero);
  const D = ctx.D;
  const rows = spec.data.map((row) => new Map(Object.entries(row).map(([k, v]) => [k, new D(v)])));
  const constants = new Map(Object.entries(spec.constants).map(([k, v]) => [k, new D(v)]));
  const opt = optimizerProgram(spec);
  const optionValues = new Map(
    Object.entries(spec.training.options).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, new D(v as string)]),
  );
  const sampleEquations = sampleProgram(spec, ctx);
  const shareParams = new Set(sampleEquations.filter((e) => e.role === 'share').map((e) => e.of!));

  const initial = new Map<string, Dec>(spec.params.map((p) => [p.name, new D(p.value)]));
  for (const s of opt.state) {
    const f = compile(s.initial, (name) => [...optionValues.keys()].indexOf(name), ctx);
    const v = f({ vals: [...optionValues.values()], kinks: [] });
    for (const p of spec.params) initial.set(optimizerName(s.name, p.name), v);
  }

  const trace: Trace = { spec, ctx, sampleEquations, optimizer: opt, initial, steps: [], warnings: [] };
  const branches = options.recordBranches ? new Map<string, number[]>() : undefined;
  if (branches) trace.branches = branches;
  const schedule = batches(spec);
  const stepCache = new Map<string, Equation[]>();
  const total = schedule.length * spec.training.epochs;
  let before = initial;
  let step = 0;
  const env: Env = { vals: [], kinks: [] };

  for (let epoch = 1; epoch <= spec.training.epochs; epoch++) {
    for (const batch of schedule) {
      step++;
      const samples: SampleRecord[] = [];
      const sampleByRow = new Map<number, SampleRecord>();
      const values = new Map<string, Dec>();
      const n = new D(batch.length);
      const t = new D(step);
      const resolve = (ref: Ref, sample: SampleRecord | undefined): Dec => {
        switch (ref.kind) {
          case 'row': return rows[sample!.row]!.get(ref.name)!;
          case 'constant': return constants.get(ref.name)!;
          case 'option': return optionValues.get(ref.name)!;
          case 'sample': return sample!.values.get(ref.name)!;
          case 'sampleOf': return sampleByRow.get(ref.row)!.values.get(ref.name)!;
          case 'step': return values.get(ref.name)!;
          case 'before': return before.get(ref.name)!;
          case 'batchSize': return n;
          case 'stepNumber': return t;
        }
      };
      const evaluate = (eq: Equation, sample?: SampleRecord): Dec => {
        env.vals = eq.refs.map((r) => resolve(r, sample));
        env.kinks = [];
        if (branches) env.branches = [];
        const v = eq.run(env);
        if (branches && env.branches!.length > 0) branches.set(`${step}|${sample ? sample.row + 1 : ''}|${eq.name}`, env.branches!);
        if (!v.isFinite()) throw new EvaluationError(step, sample && sample.row + 1, eq.name, v.toString());
        if (env.kinks.length > 0 && (eq.role === 'neuron' || eq.role === 'loss')) {
          trace.warnings.push({
            kind: 'kink', step, sample: sample!.row + 1, neuron: eq.name,
            message: `step ${step}, sample ${sample!.row + 1}: the argument of ${env.kinks.join(', ')} in ${eq.name} is exactly 0; ` +
              `its derivative there is taken as ${ctx.reluAtZero.toString()} (conventions.relu_at_zero)`,
          });
        }
        return v;
      };

      for (const row of batch) {
        const sample: SampleRecord = { row, values: new Map() };
        samples.push(sample);
        sampleByRow.set(row, sample);
        for (const eq of sampleEquations) sample.values.set(eq.name, evaluate(eq, sample));
      }
      const key = `${batch.join(',')}|${step === 1}`;
      let equations = stepCache.get(key);
      if (!equations) {
        equations = stepProgram(spec, opt, batch, step, shareParams, ctx);
        stepCache.set(key, equations);
      }
      for (const eq of equations) values.set(eq.name, evaluate(eq));
      trace.steps.push({ step, epoch, rows: batch, samples, values, equations });
      before = values;
      options.onStep?.(step, total);
    }
  }
  return trace;
}

/** A param's value after the last step (or its initial value when no step ran). */
export function finalValue(trace: Trace, name: string): Dec {
  const last = trace.steps[trace.steps.length - 1];
  return (last?.values ?? trace.initial).get(name)!;
}
