// The worked solution's content, independent of any output format: what a solution sheet lays out, in
// its order (per step: each sample's forward and backward pass, the loss, the gradients, the
// optimizer's updates), each quantity with the values that went into it. solution-doc.ts makes it the
// document that every format's printer prints (text.ts, markdown.ts, latex.ts, html.ts).
//
// A solution is written as it is computed: a SolutionWriter receives the start (what is known before
// the first step), each shown step as soon as it is finished, and the end, so a run of any length
// needs memory for one step (streamed()). A trace held whole is written through the same writer
// (written()), so both ways print the same bytes.
import type { Dec } from '../numeric/context.js';
import type { Equation } from '../graph/program.js';
import type { RunOptions, StepRecord, Trace } from '../graph/run.js';
import { resolve, valuesAt } from '../graph/values.js';

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
  /** The buffers' updates after the step (batch norm's running statistics). */
  buffers: Calc[];
  /** Every step-level value after this step (the params it leaves among them). */
  after: Map<string, Dec>;
  /** The values the step started from (the params before its update). */
  before: Map<string, Dec>;
}

export interface Solution {
  trace: Trace;
  initial: Array<[string, Dec]>;
  steps: StepSection[];
  final: Array<[string, Dec]>;
}

/** A printer of the worked solution in one format, fed as the run goes. */
export interface SolutionWriter {
  /** Before the first step: the problem and the initial values. */
  start(trace: Trace): void;
  /** Each step shown, in order, as soon as it is finished. */
  step(section: StepSection, trace: Trace): void;
  /** After the last step (`final`: each param's value after it). */
  end(trace: Trace, final: Array<[string, Dec]>): void;
}

export function solution(trace: Trace, keep: (step: StepRecord) => boolean = () => true): Solution {
  const steps: StepSection[] = [];
  let previous: StepRecord | undefined;
  for (const s of trace.steps) {
    // The values this step started from: the step before it (kept by the runner when this one is shown).
    const before = s.step === 1 ? trace.initial : previous?.step === s.step - 1 ? previous.values : trace.steps.find((x) => x.step === s.step - 1)!.values;
    if (keep(s)) steps.push(stepSection(trace, s, before));
    previous = s;
  }
  return { trace, initial: initialValues(trace), steps, final: finalValues(trace) };
}

/** Each param's value before the first step. */
export function initialValues(trace: Trace): Array<[string, Dec]> {
  return trace.spec.params.map((p) => [p.name, trace.initial.get(p.name)!]);
}

/** Each param's value after the last step the trace holds (its initial value when no step ran). */
export function finalValues(trace: Trace): Array<[string, Dec]> {
  const last = trace.steps[trace.steps.length - 1]?.values ?? trace.initial;
  return trace.spec.params.map((p) => [p.name, last.get(p.name)!]);
}

/** A solution held whole, written through a writer. */
export function written(sol: Solution, writer: SolutionWriter): void {
  writer.start(sol.trace);
  for (const section of sol.steps) writer.step(section, sol.trace);
  writer.end(sol.trace, sol.final);
}

/**
 * The run options that write a solution while the run computes it: each step `keep` accepts is made a
 * section and written as soon as it is finished, and the run keeps only its latest step (the values the
 * next step starts from are held here). Call `end` with the finished trace.
 */
export function streamed(writer: SolutionWriter, keep: (step: number) => boolean = () => true): Pick<RunOptions, 'onStart' | 'onStepDone' | 'retain'> & { end: (trace: Trace) => void } {
  let before: Map<string, Dec> | undefined;
  return {
    retain: 'last',
    onStart: (trace) => {
      before = trace.initial;
      writer.start(trace);
    },
    onStepDone: (s, trace) => {
      if (keep(s.step)) writer.step(stepSection(trace, s, before!), trace);
      before = s.values;
    },
    end: (trace) => writer.end(trace, finalValues(trace)),
  };
}

/** One step's section; `before` holds the values the step started from (the previous step's). */
export function stepSection(trace: Trace, s: StepRecord, before: Map<string, Dec>): StepSection {
  const { spec, given } = trace;
  const D = trace.ctx.D;
  const columns = [...spec.inputs, ...spec.targets];
  const samples = s.samples.map((sample): SampleSection => {
    const source = valuesAt(D, given, s, before, sample);
    const calc = (eq: Equation): Calc => ({ eq, inputs: eq.refs.map((r) => resolve(r, source)), value: sample.values.get(eq.name)! });
    const eqs = trace.sampleEquations;
    return {
      sample: sample.row + 1,
      given: columns.map((c) => [c, given.rows[sample.row]!.get(c)!]),
      forward: eqs.filter((e) => e.role === 'neuron' || e.role === 'loss').map(calc),
      backward: eqs.filter((e) => e.role === 'seed' || e.role === 'adjoint' || e.role === 'share').map(calc),
    };
  });
  const source = valuesAt(D, given, s, before);
  const calc = (eq: Equation): Calc => ({ eq, inputs: eq.refs.map((r) => resolve(r, source)), value: s.values.get(eq.name)! });
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
    buffers: s.equations.filter((e) => e.role === 'buffer').map(calc),
    after: s.values,
    before,
  };
}
