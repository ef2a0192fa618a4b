// A run's steps executed as tapes (graph/tape.ts) by the arithmetic kernel (numeric/arena.ts): the fast
// path of graph/run.ts. The values are the closures' own, digit for digit; what differs is where they
// live. A step's values stay in the arena, and the run's records read them out only when asked: a
// sample's values become BigDecimals when a printer asks for them, and the JSON trace writes a sample's
// and a step's text straight from the arena (the records' fill), so a long run streamed as JSON
// allocates little per value. A record of a step the run no longer keeps (retain: 'last') is released
// when the next step overwrites its values; one the run keeps is read out first.
//
// Anything the tape does not decide the way the closures do hands the step back to them (`undefined`
// from runStep): a kinked function's switch that is exactly 0 (the closures report it as a warning, by
// their own rules), a value that is not finite (the closures locate the error), a division by zero. A
// program the tape cannot mean at all (graph/tape.ts: TapeUnsupported) stays on the closures throughout.
import type { Dec, NumericContext } from '../numeric/context.js';
import { DecimalArena, Op, type TextTemplate } from '../numeric/arena.js';
import type { BigDecimal } from '../numeric/bigdecimal.js';
import type { Equation } from './program.js';
import type { SampleRecord } from './run.js';
import { compileTape, digitsOf, SlotSpace, TapeUnsupported, type CompiledTape } from './tape.js';
import { resolve, type SlotScope, type ValueSource } from './values.js';

/** A compiled step program: its tape's place in the arena and where its values are. */
interface LoadedProgram {
  tape: CompiledTape;
  start: number;
  end: number;
  /** First slot of the step's values (equation i at base + i). */
  base: number;
  equations: Equation[];
  /** The names it reads from the step before. */
  beforeNames: string[];
  /** Per program run the step before (undefined: none left its values in the arena), where this one
   *  finds what it starts from. */
  carried?: Map<LoadedProgram | undefined, Carried>;
}

/** The state slots a program starts from: pairs (state slot, slot of the last program's value) copied
 *  within the arena, and the slots set from `before` by name (what the last program did not compute);
 *  `names`, every name it starts from. */
interface Carried {
  pairs: Int32Array;
  others: Array<[slot: number, name: string]>;
  names: string[];
}

export interface TapeStep {
  samples: SampleRecord[];
  values: Map<string, Dec>;
  /** The template filled with the text of the step's values (the i-th hole: equations[i]), until the
   *  next step overwrites them. */
  fill: (template: TextTemplate) => string | undefined;
  /** fill()'s text as bytes: a view of the arena, valid until the run goes on. */
  fillBytes: (template: TextTemplate) => Uint8Array | undefined;
}

/** What the tape machine needs of the run (graph/run.ts has it). */
export interface TapeScope {
  ctx: NumericContext;
  sampleEquations: Equation[];
  /** Where the sample program's symbols are (its columns, constants, options and equations). */
  sampleScope: SlotScope;
  /** Each data row's values, in the order of sampleScope.columns. */
  rowValues: Dec[][];
  constantValues: Dec[];
  optionValues: Dec[];
  /** The largest batch. */
  batchMax: number;
}

/** Tuning of the tape machine (tests lower the ceiling to reach the hand-back). */
export const tapeSettings = {
  /** The most memory an arena may take; past it a run keeps the closures. */
  arenaMaxBytes: 512 * 1024 * 1024,
};

/** A record's values are gone: the run kept only its latest step (retain: 'last'). */
const released = (): never => {
  throw new Error("this step's sample values were released (the run keeps only its latest step)");
};

export class TapeMachine {
  private slots: SlotSpace;
  private arena!: DecimalArena;
  private capacity = 0;
  private wordCapacity = 0;
  private readonly E: number;
  private readonly columns: number;
  private readonly rowStore: number;
  private readonly rowNow: number;
  private readonly constBase: number;
  private readonly optionBase: number;
  private readonly scalarBase: number;
  private readonly sampleNow: number;
  private readonly positions: number;
  private readonly stateSlot = new Map<string, number>();
  private readonly sample: CompiledTape;
  /** The names the sample program reads from the step before. */
  private readonly sampleBefore: string[];
  private wordsUsed = 0;
  /** How many of slots.fixed the arena holds. */
  private fixedLoaded = 0;
  private readonly programs: LoadedProgram[] = [];
  private readonly unsupported = new WeakSet<Equation[]>();
  private readonly loaded = new WeakMap<Equation[], LoadedProgram>();
  /** The last step's values and where they are: the next step's `before` is read from its slots. */
  private last?: { values: StepValues; program: LoadedProgram };
  /** The records of the last step whose values still live in the arena. */
  private live: LazySamples[] = [];
  /** Counts the steps run: a step's own fill() works until the next one starts. */
  private generation = 0;

  /** Throws TapeUnsupported when the sample program cannot be run as a tape. */
  constructor(private readonly scope: TapeScope) {
    const { ctx, sampleEquations } = scope;
    const P = ctx.precision;
    for (const list of [scope.constantValues, scope.optionValues, ...scope.rowValues]) {
      for (const v of list) if (digitsOf(v) > P) throw new TapeUnsupported('a given value has more digits than the precision');
    }
    const slots = (this.slots = new SlotSpace(ctx));
    this.E = sampleEquations.length;
    this.columns = scope.rowValues[0]?.length ?? 0;
    this.rowStore = slots.take(scope.rowValues.length * this.columns);
    this.rowNow = slots.take(this.columns);
    this.constBase = slots.take(scope.constantValues.length);
    this.optionBase = slots.take(scope.optionValues.length);
    this.scalarBase = slots.take(2);
    this.sampleNow = slots.take(this.E);
    const sampleBefore = new Set<string>();
    this.sample = compileTape(sampleEquations, slots, this.locator(sampleEquations, scope.sampleScope, undefined, sampleBefore), (i) => this.sampleNow + i);
    this.sampleBefore = [...sampleBefore];
    this.positions = slots.take(scope.batchMax * this.E);
    // The step programs' words follow the sample's. The arena itself is made when the first of them
    // is loaded, at the size of both (one WebAssembly instance rather than one grown at once).
    this.wordsUsed = this.sample.words.length;
  }

  /** Where `program` finds what it starts from when `last` ran the step before (worked out once per
   *  pair of programs: a step's few thousand names are not looked up again at every step). */
  private carried(program: LoadedProgram, last: LoadedProgram | undefined): Carried {
    let found = program.carried?.get(last);
    if (!found) {
      const lastIndex = last ? new Map(last.equations.map((e, i) => [e.name, i])) : undefined;
      const pairs: number[] = [];
      const others: Array<[number, string]> = [];
      const names = [...this.sampleBefore, ...program.beforeNames];
      for (const name of names) {
        const slot = this.state(name);
        const i = lastIndex?.get(name);
        if (i !== undefined) pairs.push(slot, last!.base + i);
        else others.push([slot, name]);
      }
      found = { pairs: Int32Array.from(pairs), others, names };
      (program.carried ??= new Map()).set(last, found);
    }
    return found;
  }

  private state(name: string): number {
    let slot = this.stateSlot.get(name);
    if (slot === undefined) this.stateSlot.set(name, (slot = this.slots.take()));
    return slot;
  }

  /**
   * The slot of each symbol of `equations` (the j-th of the i-th equation, eq.refs[j]), located through
   * values.ts's resolve as the closures' slot plan is: a step's quantities from `stepBase` on (none in a
   * sample's program), the names read from the step before noted in `before`.
   */
  private locator(equations: readonly Equation[], scope: SlotScope, stepBase: number | undefined, before: Set<string>): (i: number, j: number) => number {
    const at = (map: ReadonlyMap<string, number> | undefined, key: string, first: number | undefined): number => {
      const i = map?.get(key);
      if (i === undefined || first === undefined) throw new TapeUnsupported(`no slot for ${key}`);
      return first + i;
    };
    const indexOf = (list: readonly string[]) => new Map(list.map((x, i) => [x, i]));
    const columns = indexOf(scope.columns);
    const constants = indexOf(scope.constantNames);
    const options = indexOf(scope.optionNames);
    // The first slot of each data row's sample values, by row (a step reads a share of every row of
    // its batch for every param: an array, and the index of the name they share, looked up once).
    const rowFirst: number[] = [];
    scope.batch.forEach((row, i) => (rowFirst[row] = this.positions + i * this.E));
    let lastName: string | undefined, lastIndex: number | undefined;
    const stepIndex = stepBase === undefined ? undefined : (scope.stepIndex ?? indexOf(equations.map((e) => e.name)));
    const source: ValueSource<number> = {
      row: (name) => at(columns, name, this.rowNow),
      constant: (name) => at(constants, name, this.constBase),
      option: (name) => at(options, name, this.optionBase),
      sample: (name) => at(scope.sampleIndex, name, this.sampleNow),
      sampleOf: (row, name) => {
        const first = rowFirst[row];
        if (name !== lastName) lastIndex = scope.sampleIndex.get((lastName = name));
        if (first === undefined || lastIndex === undefined) throw new TapeUnsupported(`no slot for ${name}`);
        return first + lastIndex;
      },
      step: (name) => at(stepIndex, name, stepBase),
      before: (name) => {
        before.add(name);
        return this.state(name);
      },
      batchSize: () => this.scalarBase,
      stepNumber: () => this.scalarBase + 1,
    };
    return (i, j) => resolve(equations[i]!.refs[j]!, source);
  }

  /** Text room for the most values written at once (a sample's, or the largest step's), within reason. */
  private textRoom(): number {
    const most = Math.max(this.E, ...this.programs.map((p) => p.equations.length));
    // Per value: its text (the precision's digits and some), the JSON around it, and the template itself,
    // which the kernel reads from the same area (DecimalArena.fillBytes).
    return Math.min(1 << 23, most * (this.scope.ctx.precision + 200));
  }

  /** A new arena of at least these sizes, with every value that outlives a step put back. */
  private grow(slots: number, words: number): void {
    const old = this.arena as DecimalArena | undefined;
    const capacity = Math.max(slots, this.capacity);
    const wordCapacity = Math.max(words, this.wordCapacity);
    // Room for the text of a whole sample's or step's values, written at once by the JSON trace.
    const P = this.scope.ctx.precision;
    // The arena is WebAssembly memory, beside the run's own: a program too large for it (a very long
    // one at a high precision) stays on the closures, whose values the run's budgets already bound.
    const bytes = capacity * (16 + 4 * (Math.ceil(P / 9) + 2)) + 4 * wordCapacity + this.textRoom();
    if (bytes > tapeSettings.arenaMaxBytes) throw new TapeUnsupported(`the arena would take ${bytes} bytes`);
    let a: DecimalArena;
    try {
      a = new DecimalArena(P, P, capacity, wordCapacity, this.textRoom());
    } catch {
      // The engine refused the memory (WebAssembly.Memory cannot grow): the closures need none of it.
      throw new TapeUnsupported('the arena could not be allocated');
    }
    this.arena = a;
    this.capacity = capacity;
    this.wordCapacity = wordCapacity;
    for (const [slot, v] of this.slots.fixed) a.set(slot, v as BigDecimal);
    this.fixedLoaded = this.slots.fixed.length;
    this.scope.rowValues.forEach((row, r) => row.forEach((v, j) => a.set(this.rowStore + r * this.columns + j, v as BigDecimal)));
    this.scope.constantValues.forEach((v, i) => a.set(this.constBase + i, v as BigDecimal));
    this.scope.optionValues.forEach((v, i) => a.set(this.optionBase + i, v as BigDecimal));
    a.tape.set(this.sample.words, 0);
    for (const p of this.programs) a.tape.set(p.tape.words, p.start);
    // Values of the step before and of live records were in the old arena: read them from `before`.
    if (old) {
      this.last = undefined;
      for (const r of this.live) r.materialize();
      this.live = [];
    }
  }

  /** The step program's tape, compiled and loaded once; undefined if it cannot be a tape. Its symbols
   *  are located straight into arena slots through values.ts's resolve (the closures' slot plan, with
   *  its arrays per equation, is not needed). */
  private program(equations: Equation[], scope: SlotScope): LoadedProgram | undefined {
    if (this.unsupported.has(equations)) return undefined;
    const known = this.loaded.get(equations);
    if (known) return known;
    let tape: CompiledTape;
    const base = this.slots.take(equations.length);
    const beforeNames = new Set<string>();
    try {
      tape = compileTape(equations, this.slots, this.locator(equations, scope, base, beforeNames), (i) => base + i);
    } catch (e) {
      if (!(e instanceof TapeUnsupported)) throw e;
      this.unsupported.add(equations);
      return undefined;
    }
    const start = this.wordsUsed;
    const end = start + tape.words.length;
    const program: LoadedProgram = { tape, start, end, base, equations, beforeNames: [...beforeNames] };
    this.programs.push(program);
    this.wordsUsed = end;
    const arena = this.arena as DecimalArena | undefined;
    if (!arena || this.slots.next > this.capacity || end > this.wordCapacity || this.textRoom() > arena.textCapacity) {
      try {
        this.grow(this.slots.next * 2, end * 2);
      } catch (e) {
        if (!(e instanceof TapeUnsupported)) throw e;
        // The arena as it was still serves the programs loaded before this one.
        this.programs.pop();
        this.wordsUsed = start;
        this.unsupported.add(equations);
        return undefined;
      }
    } else {
      arena.tape.set(tape.words, start);
      // The program's own literals.
      for (const [slot, v] of this.slots.fixed.slice(this.fixedLoaded)) arena.set(slot, v as BigDecimal);
    }
    this.fixedLoaded = this.slots.fixed.length;
    this.loaded.set(equations, program);
    return program;
  }

  /** Runs the tape from `start` to `end`, doing its calls; false if the closures must decide. */
  private exec(tape: CompiledTape, start: number, end: number): boolean {
    const a = this.arena;
    let pc = start;
    for (;;) {
      pc = a.exec(pc, end);
      if (pc >= end) break;
      const words = a.tape;
      if (words[pc] !== Op.CALL) return false; // a division by zero, a square root of a negative value
      const call = tape.calls[words[pc + 2]!]!;
      const args = call.args.map((s) => a.get(s) as Dec);
      const v = call.evaluate(args);
      if (!v.isFinite() || digitsOf(v) > this.scope.ctx.precision) return false;
      a.set(call.dst, v as BigDecimal);
      pc += 2 + words[pc + 1]!;
    }
    return a.eventCount() === 0;
  }

  /**
   * One step: each sample of `batch` (data rows), then the step's equations. `before` holds the values
   * the step starts from; `keepPrevious` says whether the previous step's records are still kept by the
   * run (they are then read out of the arena before it is overwritten). Undefined: the closures must
   * compute this step.
   */
  runStep(step: number, batch: number[], before: ReadonlyMap<string, Dec>, equations: Equation[], scope: SlotScope, keepPrevious: boolean, check: () => void): TapeStep | undefined {
    const program = this.program(equations, scope);
    if (!program) return undefined;
    const a = this.arena;
    for (const r of this.live) if (keepPrevious) r.materialize(); else r.release();
    this.live = [];
    // The last step's values are read out now if the run keeps its record; else they stay in the arena,
    // where this step reads what it starts from.
    const previous = this.last?.values;
    if (keepPrevious) previous?.materialize();
    const generation = ++this.generation;
    a.clearEvents();
    // The values the step starts from: copied within the arena from the last step's slots when the
    // run passes that step's values back, set from `before` otherwise.
    const last = this.last && this.last.values === before ? this.last.program : undefined;
    const { pairs, others, names } = this.carried(program, last);
    a.copyPairs(pairs);
    for (const [slot, name] of others) a.set(slot, before.get(name)! as BigDecimal);
    a.set(this.scalarBase, new this.scope.ctx.D(batch.length) as BigDecimal);
    a.set(this.scalarBase + 1, new this.scope.ctx.D(step) as BigDecimal);
    const E = this.E;
    const samples: LazySamples[] = [];
    for (let position = 0; position < batch.length; position++) {
      if (position > 0) check();
      const row = batch[position]!;
      a.copyRange(this.rowNow, this.rowStore + row * this.columns, this.columns);
      if (!this.exec(this.sample, 0, this.sample.words.length)) return undefined;
      const at = this.positions + position * E;
      a.copyRange(at, this.sampleNow, E);
      samples.push(new LazySamples(row, a, at, E, this.scope.sampleScope.sampleIndex));
    }
    if (!this.exec(program.tape, program.start, program.end)) {
      // The closures compute this step from the last one's values: those it starts from are still in
      // this step's state slots, wherever the failed program wrote.
      previous?.rescue(names, (name) => a.get(this.state(name)) as Dec);
      return undefined;
    }
    // Nobody reads the last step's values any more (the run dropped its record, and this step is the
    // one the next starts from).
    previous?.release();
    const values = new StepValues(a, program.base, equations);
    this.last = { values, program };
    this.live = samples;
    const current = () => generation === this.generation && this.arena === a;
    const fill = (template: TextTemplate) => (current() ? a.fill(program.base, template) : undefined);
    const fillBytes = (template: TextTemplate) => (current() ? a.fillBytes(program.base, template) : undefined);
    return { samples: samples.map((s) => s.record()), values, fill, fillBytes };
  }
}

/**
 * A step's values by name, in the arena until first asked for (then read out at once): a streamed run
 * writes them from the arena (the record's fill) and the next step reads them there, so most steps'
 * values never become BigDecimals. Released once the run no longer keeps the step; after a step the
 * closures had to compute, only the names that step started from are left.
 */
class StepValues extends Map<string, Dec> {
  private state: 'in arena' | 'read' | 'released' = 'in arena';

  constructor(private readonly arena: DecimalArena, private readonly base: number, private readonly equations: Equation[]) {
    super();
  }

  materialize(): this {
    if (this.state === 'in arena') {
      this.state = 'read';
      this.equations.forEach((e, i) => super.set(e.name, this.arena.get(this.base + i) as Dec));
    }
    if (this.state === 'released') throw new Error("this step's values were released (the run keeps only its latest step)");
    return this;
  }

  release(): void {
    if (this.state === 'in arena') this.state = 'released';
  }

  /** Only `names`, read by `valueOf` (the arena's slots of this program were written over). */
  rescue(names: string[], valueOf: (name: string) => Dec): void {
    if (this.state !== 'in arena') return;
    for (const name of names) super.set(name, valueOf(name));
    this.state = 'read';
  }

  override get(name: string): Dec | undefined {
    return this.materialize() && super.get(name);
  }

  override has(name: string): boolean {
    return this.materialize() && super.has(name);
  }

  override get size(): number {
    return this.materialize() && super.size;
  }

  override keys(): MapIterator<string> {
    return this.materialize() && super.keys();
  }

  override values(): MapIterator<Dec> {
    return this.materialize() && super.values();
  }

  override entries(): MapIterator<[string, Dec]> {
    return this.materialize() && super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, Dec]> {
    return this.materialize() && super[Symbol.iterator]();
  }

  override forEach(f: (value: Dec, key: string, map: Map<string, Dec>) => void, thisArg?: unknown): void {
    this.materialize();
    super.forEach(f, thisArg);
  }

  override set(name: string, value: Dec): this {
    this.materialize();
    return super.set(name, value);
  }

  override delete(name: string): boolean {
    return this.materialize() && super.delete(name);
  }

  override clear(): void {
    this.materialize();
    super.clear();
  }
}

/** A sample's values, in the arena until asked for (see the file's comment). */
class LazySamples {
  private ordered?: Dec[];
  private gone = false;
  constructor(readonly row: number, private readonly arena: DecimalArena, private readonly at: number, private readonly count: number, private readonly index: ReadonlyMap<string, number>) {}

  materialize(): Dec[] {
    if (this.ordered) return this.ordered;
    if (this.gone) released();
    const out: Dec[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.arena.get(this.at + i) as Dec;
    return (this.ordered = out);
  }

  release(): void {
    this.gone = true;
  }

  record(): SampleRecord {
    const self = this;
    let map: Map<string, Dec> | undefined;
    return {
      row: this.row,
      get ordered() { return self.materialize(); },
      get values() {
        if (!map) {
          const ordered = self.materialize();
          map = new Map([...self.index].map(([name, i]) => [name, ordered[i]!]));
        }
        return map;
      },
      fill: (template: TextTemplate) => (this.ordered || this.gone ? undefined : this.arena.fill(this.at, template)),
      fillBytes: (template: TextTemplate) => (this.ordered || this.gone ? undefined : this.arena.fillBytes(this.at, template)),
      textOf: (i: number) => {
        if (this.ordered) return this.ordered[i]!.toString();
        if (this.gone) released();
        return this.arena.text(this.at + i);
      },
    };
  }
}
