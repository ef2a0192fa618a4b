// Where a symbol's value comes from. Every equation of graph/program.ts says, for each of its symbols,
// where its value lives (a Ref: the sample's data row, a constant, an optimizer option, a quantity of
// this sample, of another sample of the batch, of this step, of the step before, the batch size, the
// step number). This module is the only code that turns a Ref into a value:
// - resolve(ref, source) reads it from a ValueSource, whatever the source holds: values (a worked
//   solution, a derivative at a point), or the ids of the nodes that hold them (check's unrolled graph);
// - slotPlan() is the fast form of the same knowledge for the runner's hot loop: each Ref compiled
//   once into a (space, index) pair, so an equation's slots fill from arrays without a name lookup;
// - givenValues() parses the data rows, constants and options once per run (the trace keeps them), so
//   nothing downstream reads a value back from the spec's text.
import type { Dec, DecimalCtor } from '../numeric/context.js';
import type { Spec } from '../spec/model.js';
import type { Equation, Ref } from './program.js';

/** What a Ref can be read from: one method per kind of Ref. `T` is a value, or anything that stands for
 *  one (a node id). */
export interface ValueSource<T = Dec> {
  /** An input or target of this sample's data row. */
  row(name: string): T;
  constant(name: string): T;
  /** An optimizer option (lr, beta1, ...). */
  option(name: string): T;
  /** A quantity of this sample, this step. */
  sample(name: string): T;
  /** A quantity of the sample of data row `row` (from 0), this step. */
  sampleOf(row: number, name: string): T;
  /** A step-level quantity of this step. */
  step(name: string): T;
  /** A param or optimizer state as it was before this step. */
  before(name: string): T;
  batchSize(): T;
  stepNumber(): T;
}

/** The value a Ref names, read from `source`. */
export function resolve<T>(ref: Ref, source: ValueSource<T>): T {
  switch (ref.kind) {
    case 'row': return source.row(ref.name);
    case 'constant': return source.constant(ref.name);
    case 'option': return source.option(ref.name);
    case 'sample': return source.sample(ref.name);
    case 'sampleOf': return source.sampleOf(ref.row, ref.name);
    case 'step': return source.step(ref.name);
    case 'before': return source.before(ref.name);
    case 'batchSize': return source.batchSize();
    case 'stepNumber': return source.stepNumber();
  }
}

/** The values a run is given rather than computes, parsed once from the spec's text. */
export interface Given {
  /** Each data row's values (inputs, targets and any other column), by data row from 0. */
  rows: Array<ReadonlyMap<string, Dec>>;
  constants: ReadonlyMap<string, Dec>;
  /** The optimizer's numeric options (lr, beta1, ...); on/off options are not values. */
  options: ReadonlyMap<string, Dec>;
}

export function givenValues(spec: Spec, D: DecimalCtor): Given {
  return {
    rows: spec.data.map((row) => new Map(Object.entries(row).map(([k, v]) => [k, new D(v)]))),
    constants: new Map(Object.entries(spec.constants).map(([k, v]) => [k, new D(v)])),
    options: new Map(
      Object.entries(spec.training.options).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, new D(v as string)]),
    ),
  };
}

/** A sample's values as a run records them (graph/run.ts SampleRecord has this shape). */
export interface SampleValues {
  /** Data row, from 0. */
  row: number;
  readonly values: ReadonlyMap<string, Dec>;
}

/** A step's values as a run records them (graph/run.ts StepRecord has this shape). */
export interface StepValues {
  step: number;
  /** Data rows of the batch, from 0. */
  rows: readonly number[];
  samples: readonly SampleValues[];
  values: ReadonlyMap<string, Dec>;
}

/**
 * The values seen at one step of a run (and, with `sample`, by one of its samples): the given values,
 * the step's and its samples' recorded values, and `before`, the values the step started from (the
 * step before's, or the initial ones at step 1).
 */
export function valuesAt(D: DecimalCtor, given: Given, step: StepValues, before: ReadonlyMap<string, Dec>, sample?: SampleValues): ValueSource<Dec> {
  let byRow: Map<number, SampleValues> | undefined;
  const missing = (what: string): never => {
    throw new Error(`no value for ${what} at step ${step.step}${sample ? `, sample ${sample.row + 1}` : ''}`);
  };
  const found = (v: Dec | undefined, what: string): Dec => v ?? missing(what);
  const own = (): SampleValues => sample ?? missing('a quantity of a sample in a step-level equation');
  return {
    row: (name) => found(given.rows[own().row]?.get(name), name),
    constant: (name) => found(given.constants.get(name), name),
    option: (name) => found(given.options.get(name), name),
    sample: (name) => found(own().values.get(name), name),
    sampleOf: (row, name) => {
      byRow ??= new Map(step.samples.map((s) => [s.row, s]));
      return found(byRow.get(row)?.values.get(name), `${name} of data row ${row + 1}`);
    },
    step: (name) => found(step.values.get(name), name),
    before: (name) => found(before.get(name), name),
    batchSize: () => new D(step.rows.length),
    stepNumber: () => new D(step.step),
  };
}

// The spaces a symbol's value is read from in the runner (see slotPlan): the sample's data row, the
// constants, the options, this sample's values, the step before's, this step's, the two scalars (batch
// size, step number), and from SAMPLE_OF on, the values of the batch's samples by position.
export const ROW = 0, CONSTANT = 1, OPTION = 2, SAMPLE = 3, BEFORE = 4, STEP = 5, SCALAR = 6, SAMPLE_OF = 7;

export interface SlotPlan {
  /** Per equation: for each symbol, the space and the index it is read from; and a buffer for the values. */
  slots: Array<{ sp: Int32Array; ix: Int32Array; vals: Dec[] }>;
  /** The names read from the step before, in BEFORE's order. */
  beforeNames: string[];
}

/** Where the indices of each space point (the runner fills the spaces in these orders). */
export interface SlotScope {
  /** The data row's columns, in ROW's order. */
  columns: string[];
  constantNames: string[];
  optionNames: string[];
  /** The sample equations' names, in SAMPLE's (and each SAMPLE_OF's) order. */
  sampleIndex: ReadonlyMap<string, number>;
  /** The batch's data rows: SAMPLE_OF + position holds the sample of row batch[position]. */
  batch: number[];
  /** The step equations' names, in STEP's order. */
  stepIndex?: ReadonlyMap<string, number>;
}

/** Every symbol of every equation located once as (space, index): resolve() into slot addresses. */
export function slotPlan(equations: Equation[], scope: SlotScope): SlotPlan {
  const beforeNames: string[] = [];
  const beforeIndex = new Map<string, number>();
  // Position lookups by map (the first position, as indexOf gives, or -1): a step reads a share of
  // every sample of the batch for every param, so a scan per lookup would be quadratic.
  const positions = <T>(list: readonly T[]) => {
    const m = new Map<T, number>();
    list.forEach((x, i) => { if (!m.has(x)) m.set(x, i); });
    return (x: T) => m.get(x) ?? -1;
  };
  const column = positions(scope.columns), constant = positions(scope.constantNames), option = positions(scope.optionNames), position = positions(scope.batch);
  // Each located symbol is written straight into its equation's arrays (no pair per symbol).
  let sp!: Int32Array, ix!: Int32Array, j = 0;
  const put = (space: number, index: number) => { sp[j] = space; ix[j] = index; };
  const at: ValueSource<void> = {
    row: (name) => put(ROW, column(name)),
    constant: (name) => put(CONSTANT, constant(name)),
    option: (name) => put(OPTION, option(name)),
    sample: (name) => put(SAMPLE, scope.sampleIndex.get(name)!),
    sampleOf: (row, name) => put(SAMPLE_OF + position(row), scope.sampleIndex.get(name)!),
    step: (name) => put(STEP, scope.stepIndex!.get(name)!),
    before: (name) => {
      let i = beforeIndex.get(name);
      if (i === undefined) {
        beforeIndex.set(name, (i = beforeNames.length));
        beforeNames.push(name);
      }
      put(BEFORE, i);
    },
    batchSize: () => put(SCALAR, 0),
    stepNumber: () => put(SCALAR, 1),
  };
  const slots = equations.map((eq) => {
    const n = eq.refs.length;
    sp = new Int32Array(n);
    ix = new Int32Array(n);
    for (j = 0; j < n; j++) resolve(eq.refs[j]!, at);
    return { sp, ix, vals: new Array<Dec>(n) };
  });
  return { slots, beforeNames };
}
