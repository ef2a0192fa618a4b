// The worked solution as a document, independent of any output format: what a solution sheet lays
// out, in its order (per step: each sample's forward and backward pass, the loss, the gradients, the
// optimizer's updates). Printers (text.ts, ...) turn it into one format each.
import type { Dec } from '../numeric/context.js';
import type { Equation } from '../graph/program.js';
import type { StepRecord, Trace } from '../graph/run.js';

/** One quantity: its equation, the values that went into it (slot order) and its value. */
export interface Calc {
  eq: Equation;
  inputs: Dec[];
  value: Dec;
}

export interface SampleSection {
  sample: number;
  given: Array<[string, Dec]>;
  forward: Calc[];
  backward: Calc[];
}

export interface StepSection {
  step: number;
  epoch: number;
  samples: SampleSection[];
  loss: Calc[];
  gradients: Calc[];
  /** The optimizer's equations, grouped by param. */
  updates: Array<{ param: string; calcs: Calc[] }>;
}

export interface Solution {
  trace: Trace;
  initial: Array<[string, Dec]>;
  steps: StepSection[];
  final: Array<[string, Dec]>;
}

export function solution(trace: Trace, keep: (step: StepRecord) => boolean = () => true): Solution {
  const { spec } = trace;
  const params = spec.params.map((p) => p.name);
  const steps = trace.steps.filter(keep).map((s) => stepSection(trace, s));
  const last = trace.steps[trace.steps.length - 1]?.values ?? trace.initial;
  return {
    trace,
    initial: params.map((p) => [p, trace.initial.get(p)!]),
    steps,
    final: params.map((p) => [p, last.get(p)!]),
  };
}

function stepSection(trace: Trace, s: StepRecord): StepSection {
  // The values this step started from: the step before it (kept by the runner when this one is shown).
  const before = s.step > 1 ? trace.steps.find((x) => x.step === s.step - 1)!.values : trace.initial;
  const { spec } = trace;
  const columns = [...spec.inputs, ...spec.targets];
  const samples = s.samples.map((sample): SampleSection => {
    const calc = (eq: Equation): Calc => ({
      eq,
      inputs: eq.refs.map((r) => {
        switch (r.kind) {
          case 'row': return sampleValue(trace, sample.row, r.name);
          case 'sample': return sample.values.get(r.name)!;
          case 'before': return before.get(r.name)!;
          case 'constant': return new trace.ctx.D(spec.constants[r.name]!);
          case 'batchSize': return new trace.ctx.D(s.rows.length);
          default: throw new Error(`unexpected reference ${r.kind} in a sample equation`);
        }
      }),
      value: sample.values.get(eq.name)!,
    });
    const eqs = trace.sampleEquations;
    return {
      sample: sample.row + 1,
      given: columns.map((c) => [c, sampleValue(trace, sample.row, c)]),
      forward: eqs.filter((e) => e.role === 'neuron' || e.role === 'loss').map(calc),
      backward: eqs.filter((e) => e.role === 'seed' || e.role === 'adjoint' || e.role === 'share').map(calc),
    };
  });
  const byRow = new Map(s.samples.map((x) => [x.row, x]));
  const calc = (eq: Equation): Calc => ({
    eq,
    inputs: eq.refs.map((r) => {
      switch (r.kind) {
        case 'sampleOf': return byRow.get(r.row)!.values.get(r.name)!;
        case 'step': return s.values.get(r.name)!;
        case 'before': return before.get(r.name)!;
        case 'constant': return new trace.ctx.D(spec.constants[r.name]!);
        case 'option': return new trace.ctx.D(spec.training.options[r.name] as string);
        case 'batchSize': return new trace.ctx.D(s.rows.length);
        case 'stepNumber': return new trace.ctx.D(s.step);
        default: throw new Error(`unexpected reference ${r.kind} in a step equation`);
      }
    }),
    value: s.values.get(eq.name)!,
  });
  return {
    step: s.step,
    epoch: s.epoch,
    samples,
    loss: s.equations.filter((e) => e.role.startsWith('loss.')).map(calc),
    gradients: s.equations.filter((e) => e.role === 'gradient').map(calc),
    updates: spec.params.map((p) => ({
      param: p.name,
      calcs: s.equations.filter((e) => (e.role === 'optimizer' || e.role === 'param') && e.of === p.name).map(calc),
    })),
  };
}

function sampleValue(trace: Trace, row: number, name: string): Dec {
  return new trace.ctx.D(trace.spec.data[row]![name]!);
}
