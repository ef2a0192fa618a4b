// Grading written values against the exact training, with error carried forward and diagnosis.
//
// A Checker is built once per spec (for a whole class): the exact graph of the training, and the graph
// of every variant (alternative conventions, known mistakes). Grading a file then only evaluates what
// that file needs: for each written value that is neither correct nor a rounding slip, its own formula
// with the student's values as inputs (theirs where written, recomputed from theirs elsewhere), and
// the same under each variant that could change it.
import type { Dec } from '../numeric/context.js';
import { run } from '../graph/run.js';
import type { Spec } from '../spec/model.js';
import { allSwitches, copyGraph, graphOf, kinksOf, pathOf, reevaluate, switched, type Computation, type Graph, type Switch } from './graph.js';
import { answerShape, type Answers, type AnswerShape } from './answers.js';
import { conventionVariants } from './diagnoses.js';
import { combined, slotSwaps, type SlotSwap, type Variant } from './variants.js';
import { compile, type Compiled } from '../graph/evaluate.js';
import { inContext, isCorrect, isRoundingSlip, reproduces, writtenNumber, type Tolerance, type WrittenNumber } from './tolerance.js';
import { adjointName, optimizerName } from '../graph/program.js';
import { symbolsOf } from '../symbolic/build.js';
import { printFormula, shortText } from './format.js';

export type Verdict = 'correct' | 'rounding-slip' | 'carried' | 'wrong';
export const VERDICTS: readonly Verdict[] = ['correct', 'rounding-slip', 'carried', 'wrong'];

export interface Diagnosis {
  id: string;
  text: string;
}

/** A value's own formula evaluated with the numbers that should have gone in. */
export interface Recomputed {
  quantity: string;
  formula: string;
  /** The formula with the numbers put in. */
  substituted: string;
  inputs: Array<{ symbol: string; value: Dec; from: string; yours: boolean }>;
  value: Dec;
}

export interface Result {
  path: string;
  line: number | undefined;
  written: string;
  exact: Dec;
  verdict: Verdict;
  /** For a carried value: the student's earlier values (not equal to the exact ones) it was computed from. */
  because: string[];
  diagnosis: Diagnosis[];
  /** For a value that is neither correct nor a slip: its formula with the numbers that should have gone
   *  in (the student's own where written). Built on demand: a class summary never needs it. */
  recomputed?: () => Recomputed;
}

export interface FileReport {
  file: string;
  spec: string;
  results: Result[];
  summary: Record<Verdict, number>;
  /** The first new error, in the order of the calculation. */
  firstError: Result | undefined;
}

/** A written number, interned: `serial` names its text. */
type Interned = WrittenNumber & { serial: number };

/** One graph (the exact training, or a variant's) with its correspondence to the exact graph. */
interface Built {
  variant: Variant | undefined;
  graph: Graph;
  /** Node of the exact graph with the same key, or -1. */
  baseIdOf: Int32Array;
  gidOfBase: Int32Array;
  /** Computes differently from the exact graph's node (formula, inputs or convention). */
  own: Uint8Array;
  /** Itself or something upstream computes differently. */
  ownUpstream: Uint8Array;
  /** Differs from the exact graph only where a kink is met at exactly 0 (see Variant.atKinks). */
  atKinks: boolean;
  /** Values computed from students' values, shared by every file of a class (see Scope.computed). */
  results: Results;
  /** Written numbers in this graph's constructor, by text serial. */
  converted: Map<number, WrittenNumber>;
}

/**
 * Hash-consed results. A node computed from a student's values is a pure function of the node (its
 * formula, with the derivative branches the student's activations decide) and of its inputs: written
 * texts, the graph's own values, or results of the same kind. Each distinct computation gets a number,
 * and students of one class share most of theirs. Bounded: a class that fills it starts it afresh.
 */
class Results {
  private ids = new Map<string, number>();
  values: Dec[] = [];
  kinks: boolean[] = [];
  static readonly LIMIT = 1_000_000;

  find(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** Between files only: a file's keys refer to numbers of this table. */
  trim(): void {
    if (this.values.length < Results.LIMIT) return;
    this.ids = new Map();
    this.values = [];
    this.kinks = [];
  }

  add(key: string, value: Dec, kink: boolean): number {
    const id = this.values.length;
    this.ids.set(key, id);
    this.values.push(value);
    this.kinks.push(kink);
    return id;
  }
}

export interface CheckerNeeds {
  /** Training steps the answers refer to. */
  steps: number;
  /** Whether they refer to the final forward pass. */
  final: boolean;
}

export class Checker {
  readonly shape: AnswerShape;
  readonly base: Built;
  private conventions?: Built[];
  /** By the neuron's formula (one object for every sample and step). */
  private readonly swaps = new Map<object, Array<SlotSwap & { run: Compiled; symbols: string[] }>>();
  private readonly steps: number;
  private readonly final: boolean;
  private readonly exactTrace: ReturnType<typeof run>;

  constructor(readonly spec: Spec, needs: CheckerNeeds) {
    this.shape = answerShape(spec);
    this.final = needs.final;
    this.steps = needs.final ? this.shape.totalSteps : Math.min(needs.steps, this.shape.totalSteps);
    this.exactTrace = run(this.limited(spec));
    const graph = graphOf(this.exactTrace, this.steps, this.final);
    const n = graph.nodes.length;
    const identity = Int32Array.from({ length: n }, (_, i) => i);
    this.base = { variant: undefined, graph, baseIdOf: identity, gidOfBase: identity, own: new Uint8Array(n), ownUpstream: new Uint8Array(n), atKinks: false, results: new Results(), converted: new Map() };
  }

  private baseKinks?: Uint8Array;
  /** Written numbers by text: a class writes the same texts again and again. The number of a text
   *  (`serial`) also names it in the shared Results' keys. */
  private readonly texts = new Map<string, Interned>();
  /** How a text (by serial) compares with the exact value of a node (correct, slip, or neither), by
   *  node; for the tolerance it was computed with. */
  private verdictCache: Array<Map<number, Verdict | undefined> | undefined> = [];
  private verdictTolerance: Tolerance | undefined;

  private number(text: string): Interned {
    let w = this.texts.get(text);
    if (!w) this.texts.set(text, (w = { ...writtenNumber(text, this.base.graph.ctx.D), serial: this.texts.size }));
    return w;
  }

  private build(variant: Variant): Built | undefined {
    try {
      const trace = variant.spec ? run(this.limited(variant.spec(this.spec))) : this.exactTrace;
      let graph = graphOf(trace, this.steps, this.final);
      if (variant.graph) {
        graph = copyGraph(graph);
        variant.graph(graph);
        reevaluate(graph);
      }
      return this.relate(variant, graph);
    } catch {
      // A variant that cannot be computed for this spec (a cycle, a value that is not finite, a
      // change that does not apply) explains nothing.
      return undefined;
    }
  }

  /** A spec trained only as far as the answers go (the final forward pass needs all of it). */
  private limited(spec: Spec): Spec {
    const epochs = this.final ? spec.training.epochs : Math.max(1, Math.ceil(this.steps / this.shape.stepsPerEpoch));
    return { ...spec, training: { ...spec.training, epochs: Math.min(epochs, spec.training.epochs) } };
  }

  private relate(variant: Variant, graph: Graph): Built {
    const base = this.base.graph;
    const n = graph.nodes.length;
    const baseIdOf = new Int32Array(n);
    const gidOfBase = new Int32Array(base.nodes.length).fill(-1);
    const own = new Uint8Array(n);
    // A relu'(0) variant computes like the exact graph except where a kink is met at 0; elsewhere
    // its formulas only look different (their signatures name the convention).
    const atKinks = variant.atKinks === true;
    const kinks = atKinks ? kinksOf(graph) : undefined;
    if (atKinks) this.baseKinks ??= kinksOf(base);
    graph.nodes.forEach((node, id) => {
      const b = base.index.get(node.key) ?? -1;
      baseIdOf[id] = b;
      if (b >= 0) gidOfBase[b] = id;
      own[id] = b < 0 || (atKinks ? kinks![id] || this.baseKinks![b] : base.nodes[b]!.signature !== node.signature) ? 1 : 0;
    });
    const ownUpstream = new Uint8Array(n);
    for (const id of graph.order) ownUpstream[id] = own[id] || graph.nodes[id]!.inputs.some((i) => ownUpstream[i]) ? 1 : 0;
    return { variant, graph, baseIdOf, gidOfBase, own, ownUpstream, atKinks, results: new Results(), converted: new Map() };
  }

  /** The conventions and mistakes, one at a time. */
  private singles(): Built[] {
    this.conventions ??= conventionVariants(this.spec).map((v) => this.build(v)).filter((b): b is Built => b !== undefined);
    return this.conventions;
  }

  /** The slot swaps of a neuron's equation, compiled once per equation. */
  private swapsOf(id: number): Array<SlotSwap & { run: Compiled; symbols: string[] }> {
    const g = this.base.graph;
    const node = g.nodes[id]!;
    let found = this.swaps.get(node.formula!);
    if (!found) {
      found = slotSwaps(node.name, node.formula!, this.shape.params).map((swap) => {
        const symbols = [...symbolsOf(swap.formula)];
        const slot = new Map(symbols.map((s, i) => [s, i]));
        return { ...swap, symbols, run: compile(swap.formula, (s) => slot.get(s)!, g.ctx) };
      });
      this.swaps.set(node.formula!, found);
    }
    return found;
  }

  /** Two conventions or mistakes at once, of different families; each is built the first time a value
   *  needs it (undefined when it cannot be computed for this spec). */
  private pairs = new Map<string, Built | undefined>();

  private pair(i: number, j: number): Built | undefined {
    const key = `${i}+${j}`;
    if (!this.pairs.has(key)) {
      const [a, b] = [this.singles()[i]!.variant!, this.singles()[j]!.variant!];
      this.pairs.set(key, a.family === b.family ? undefined : this.build(combined(a, b)));
    }
    return this.pairs.get(key);
  }

  /** Builds the single variants now (a batch does this once, before grading; pairs come as needed). */
  prepare(): void {
    this.singles();
  }

  check(answers: Answers, tolerance: Tolerance): FileReport {
    const base = this.base.graph;
    const written: Array<Interned | undefined> = new Array(base.nodes.length);
    const paths: Array<string | undefined> = new Array(base.nodes.length);
    const lines: Array<number | undefined> = new Array(base.nodes.length);
    for (const w of answers.written) {
      const id = base.index.get(w.key);
      if (id === undefined) throw new Error(`internal: no quantity ${w.key} for ${w.path}`);
      written[id] = this.number(w.text);
      paths[id] = w.path;
      lines[id] = w.line;
    }
    for (const b of [this.base, ...(this.conventions ?? []), ...[...this.pairs.values()].filter((p): p is Built => p !== undefined)]) b.results.trim();
    if (JSON.stringify(tolerance) !== JSON.stringify(this.verdictTolerance)) {
      this.verdictCache = [];
      this.verdictTolerance = tolerance;
    }
    const file = { written, verdicts: new Array(base.nodes.length), tolerance, scopes: new Map(), shown: new Set() } as unknown as FileState;
    const exact = this.scope(file, this.base);
    file.exact = exact;

    const results: Result[] = [];
    for (const id of base.order) {
      const w = written[id];
      if (!w) continue;
      const value = base.values[id]!;
      const result: Result = { path: paths[id]!, line: lines[id], written: w.text, exact: value, verdict: 'wrong', because: [], diagnosis: [] };
      results.push(result);
      const known = (this.verdictCache[id] ??= new Map());
      let quick = known.get(w.serial);
      if (!known.has(w.serial)) {
        quick = isCorrect(w, value, tolerance) ? 'correct' : isRoundingSlip(w, value) ? 'rounding-slip' : undefined;
        known.set(w.serial, quick);
      }
      if (quick) result.verdict = quick;
      else {
        const mine = exact.computed(id);
        let detail: Recomputed | undefined;
        result.recomputed = () => (detail ??= this.recomputed(exact, id, mine, paths));
        result.because = exact.causes(id).map((i) => paths[i]!);
        if (result.because.length && reproduces(w, mine, tolerance)) result.verdict = 'carried';
        else result.diagnosis = this.diagnose(file, id, w);
      }
      file.verdicts[id] = result.verdict;
    }
    const summary = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
    return { file: answers.file, spec: this.spec.file, results, summary, firstError: results.find((r) => r.verdict === 'wrong') };
  }

  private scope(file: FileState, b: Built): Scope {
    let s = file.scopes.get(b);
    if (!s) file.scopes.set(b, (s = new Scope(b, file)));
    return s;
  }

  private recomputed(s: Scope, id: number, value: Dec, paths: Array<string | undefined>): Recomputed {
    const g = this.base.graph;
    const node = g.nodes[id]!;
    const how = s.computation(id);
    const inputs = how.symbols.map((symbol, slot) => {
      const i = how.inputs[slot]!;
      const yours = s.isWritten(i);
      return { symbol, value: s.value(i), from: yours ? paths[i]! : pathOf(g, i), yours };
    });
    const values = new Map(inputs.map((i) => [i.symbol, i.value]));
    return {
      quantity: node.name,
      formula: how.formula ? printFormula(how.formula) : node.name,
      substituted: how.formula ? printFormula(how.formula, (name) => values.get(name)) : shortText(value),
      inputs,
      value,
    };
  }

  /** The variants that reproduce written value `w` of node `id` (with the student's own inputs) without
   *  contradicting a value the student got right upstream. */
  private diagnose(file: FileState, id: number, w: WrittenNumber): Diagnosis[] {
    const base = this.base.graph;
    const node = base.nodes[id]!;
    const mayChange = (b: Built): boolean => {
      const gid = b.gidOfBase[id]!;
      // Nothing upstream computes differently: no scope needed to know.
      if (gid < 0 || (!b.atKinks && !b.ownUpstream[gid])) return false;
      return this.scope(file, b).mayDiffer(gid);
    };
    const explains = (b: Built): boolean => {
      if (!mayChange(b)) return false;
      const gid = b.gidOfBase[id]!;
      const s = this.scope(file, b);
      return reproduces(s.writtenAt(gid)!, s.computed(gid), file.tolerance) && !s.contradicted(gid);
    };
    const out: Diagnosis[] = [];
    const conventions = this.singles();
    conventions.forEach((b, k) => {
      if (!explains(b)) return;
      out.push({ id: b.variant!.id, text: b.variant!.text });
      file.shown.add(k);
    });

    // A param from the wrong slot in this neuron's own equation, with the student's values. (Not for a
    // written 0: a zero is no evidence of which slot it came from.)
    const exact = this.scope(file, this.base);
    const evidence = !w.value.isZero();
    if (node.role === 'neuron' && evidence) {
      const inputOf = new Map(node.symbols.map((s, i) => [s, node.inputs[i]!]));
      const before = node.step > this.shape.totalSteps ? this.shape.totalSteps : node.step - 1;
      for (const swap of this.swapsOf(id)) {
        const vals = swap.symbols.map((s) => exact.value(inputOf.get(s) ?? base.index.get(`${before}||${s}`)!));
        if (reproduces(w, swap.run({ vals, kinks: [] }), file.tolerance)) out.push({ id: 'wrong-slot', text: swap.text });
      }
    }

    // The value of another param's quantity written under this one: computed exactly, or the way the
    // student computes elsewhere in this file (a convention that explained an earlier value). Looked
    // for only when no convention explains the value: a label is the less likely coincidence.
    const p = node.of;
    if (!out.length && p !== undefined && evidence && ['share', 'gradient', 'optimizer', 'param'].includes(node.role)) {
      const shown = [...file.shown].map((k) => conventions[k]!);
      for (const q of this.shape.params) {
        if (q === p) continue;
        const name = node.role === 'share' || node.role === 'gradient' ? adjointName(q) : node.role === 'optimizer' ? optimizerName(node.local!, q) : q;
        const other = base.index.get(`${node.step}|${node.row ?? ''}|${name}`);
        if (other === undefined) continue;
        if (reproduces(w, exact.computed(other), file.tolerance)) {
          out.push({ id: 'wrong-slot', text: `the value of ${pathOf(base, other)}, written under ${p}` });
          continue;
        }
        const b = shown.find((c) => {
          const gid = c.gidOfBase[other]!;
          if (gid < 0) return false;
          const s = this.scope(file, c);
          return s.mayDiffer(gid) && reproduces(s.writtenAt(c.gidOfBase[id]!) ?? inContext(w, c.graph.ctx.D), s.computed(gid), file.tolerance) && !s.contradicted(gid);
        });
        if (b) out.push({ id: 'wrong-slot', text: `the value of ${pathOf(base, other)} under ${b.variant!.id} (${b.variant!.text}), written under ${p}` });
      }
    }
    if (out.length) return out;

    // Two at once: a convention this file already shows, with one more. A pair can only differ from
    // each of its members where both change the value.
    if (!file.shown.size) return out;
    const changes = conventions.map(mayChange);
    for (let a = 0; a < conventions.length; a++) {
      for (let b = a + 1; b < conventions.length; b++) {
        if (!(file.shown.has(a) || file.shown.has(b)) || !changes[a] || !changes[b]) continue;
        const built = this.pair(a, b);
        if (built && explains(built)) out.push({ id: built.variant!.id, text: built.variant!.text });
      }
    }
    return out;
  }
}

/** What grading one file keeps: its written values, the verdicts so far, and a scope per graph used. */
interface FileState {
  written: Array<Interned | undefined>;
  verdicts: Array<Verdict | undefined>;
  tolerance: Tolerance;
  scopes: Map<Built, Scope>;
  /** The scope of the exact graph. */
  exact: Scope;
  /** Conventions (by index) that explained a value of this file: the student's own method. */
  shown: Set<number>;
}

/**
 * The student's values in one graph: a written value replaces its node, and a node that depends on
 * written values (tainted) is recomputed from them; every other node keeps the graph's own value.
 * Values are computed on demand, without recursion (a long training has long chains), so a file only
 * pays for the cones of the values it gets wrong, which stop at the values it wrote; which nodes are
 * tainted, or compute differently from the exact graph, is one pass over the graph when first asked.
 */
class Scope {
  private readonly g: Graph;
  private readonly memo: Array<Dec | undefined>;
  private readonly how = new Map<number, Computation>();
  /** 0 unknown, 1 no, 2 yes. */
  private readonly taint: Uint8Array;
  private readonly differ: Uint8Array;
  private readonly contradiction: Uint8Array;
  /** For nodes computed here: 2 if a kink was met at exactly 0. */
  private readonly kinkHit: Uint8Array;
  /** For nodes computed here: their number in the graph's shared Results. */
  private readonly resultId: Int32Array;

  private readonly switches: Switch[][];

  constructor(private readonly b: Built, private readonly file: FileState) {
    this.g = b.graph;
    this.switches = allSwitches(this.g);
    const n = this.g.nodes.length;
    this.memo = new Array(n);
    this.taint = new Uint8Array(n);
    this.differ = new Uint8Array(n);
    this.contradiction = new Uint8Array(n);
    this.kinkHit = new Uint8Array(n);
    this.resultId = new Int32Array(n);
  }

  /** Whether computing node `gid` from the student's values meets a kink at exactly 0. */
  hitsKink(gid: number): boolean {
    this.computed(gid);
    return this.kinkHit[gid] === 2;
  }

  isWritten(gid: number): boolean {
    const bid = gid < 0 ? -1 : this.b.baseIdOf[gid]!;
    return bid >= 0 && this.file.written[bid] !== undefined;
  }

  /** The written value of node `gid`, in this graph's constructor. */
  writtenAt(gid: number): WrittenNumber | undefined {
    if (!this.isWritten(gid)) return undefined;
    const w = this.file.written[this.b.baseIdOf[gid]!]!;
    if (this.b.variant === undefined) return w;
    let c = this.b.converted.get(w.serial);
    if (!c) this.b.converted.set(w.serial, (c = inContext(w, this.g.ctx.D)));
    return c;
  }

  private writtenValue(gid: number): Dec {
    return this.writtenAt(gid)!.value;
  }

  /** How node `gid` computes here: derivative branches follow the activations the student wrote. */
  computation(gid: number): Computation {
    const switches = this.switches[gid]!;
    if (!switches.length) return this.g.nodes[gid]!;
    let c = this.how.get(gid);
    if (!c) {
      const active = switches.filter((s) => this.isWritten(s.neuron) && !this.writtenValue(s.neuron).isZero());
      this.how.set(gid, (c = switched(this.g, gid, active)));
    }
    return c;
  }

  /** Memoized "this node, or any of the inputs `follow` selects, has the property", without recursion. */
  private any(memo: Uint8Array, gid: number, self: (id: number) => boolean | undefined, inputs: (id: number) => number[]): boolean {
    if (memo[gid]) return memo[gid] === 2;
    const stack = [gid];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (memo[id]) {
        stack.pop();
        continue;
      }
      const decided = self(id);
      if (decided !== undefined) {
        memo[id] = decided ? 2 : 1;
        stack.pop();
        continue;
      }
      const next = inputs(id);
      const unknown = next.filter((i) => !memo[i]);
      if (unknown.length) {
        stack.push(...unknown);
        continue;
      }
      memo[id] = next.some((i) => memo[i] === 2) ? 2 : 1;
      stack.pop();
    }
    return memo[gid] === 2;
  }

  /** Whether node `gid` depends on (or is) a written value. One pass in evaluation order, the first
   *  time it is asked (cheaper than walking cones at the size of a hand calculation). */
  tainted(gid: number): boolean {
    if (!this.taintDone) {
      const t = this.taint;
      for (const id of this.g.order) {
        if (this.isWritten(id)) {
          t[id] = 2;
          continue;
        }
        // Inputs, and the neurons whose written activations decide a derivative's branch.
        const inputs = this.g.nodes[id]!.inputs;
        let v = 1;
        for (let k = 0; k < inputs.length; k++) if (t[inputs[k]!] === 2) { v = 2; break; }
        if (v === 1) for (const sw of this.switches[id]!) if (this.isWritten(sw.neuron)) v = 2;
        t[id] = v;
      }
      this.taintDone = true;
    }
    return this.taint[gid] === 2;
  }
  private taintDone = false;

  /** Whether node `gid`, computed from its inputs, can differ from the exact graph's with the same
   *  written values: its own computation differs, or an unwritten input's does. */
  mayDiffer(gid: number): boolean {
    if (!this.b.atKinks && !this.b.ownUpstream[gid]) return false;
    if (this.b.own[gid] || this.kinkFromStudent(gid)) return true;
    const inputs = this.g.nodes[gid]!.inputs;
    for (let k = 0; k < inputs.length; k++) if (!this.isWritten(inputs[k]!) && this.differs(inputs[k]!)) return true;
    return false;
  }

  /** For a relu'(0) variant: whether the student's values meet a kink at node `gid` (where the exact
   *  values may not). */
  private kinkFromStudent(gid: number): boolean {
    return this.b.atKinks && this.tainted(gid) && this.file.exact.hitsKink(this.b.baseIdOf[gid]!);
  }

  private differs(gid: number): boolean {
    if (this.b.atKinks) {
      // Lazily: deciding needs the student's values computed at each kink.
      const self = (id: number): boolean | undefined => {
        if (this.b.own[id] || this.kinkFromStudent(id)) return true;
        if (!this.b.ownUpstream[id] && !this.tainted(id)) return false;
        return undefined;
      };
      return this.any(this.differ, gid, self, (id) => this.g.nodes[id]!.inputs.filter((i) => !this.isWritten(i)));
    }
    // Depth first from gid through unwritten inputs whose upstream computes differently, until a node
    // that itself computes differently: written values cut the walk short, so it stays small.
    const d = this.differ;
    if (d[gid]) return d[gid] === 2;
    const stack = [gid];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (d[id]) {
        stack.pop();
        continue;
      }
      if (!this.b.ownUpstream[id] || this.b.own[id]) {
        d[id] = this.b.own[id] ? 2 : 1;
        stack.pop();
        continue;
      }
      const inputs = this.g.nodes[id]!.inputs;
      let decided = false;
      for (let k = 0; k < inputs.length && !decided; k++) decided = d[inputs[k]!] === 2 && !this.isWritten(inputs[k]!);
      if (decided) {
        d[id] = 2;
        stack.pop();
        continue;
      }
      let pending = false;
      for (let k = 0; k < inputs.length; k++) {
        const i = inputs[k]!;
        if (d[i] === 0 && !this.isWritten(i)) {
          stack.push(i);
          pending = true;
        }
      }
      if (pending) continue;
      d[id] = 1;
      stack.pop();
    }
    return d[gid] === 2;
  }

  /** Whether this graph, fed the student's values, fails to reproduce a value upstream of node `gid`
   *  that the exact calculation does reproduce (correct, a slip, or carried): a variant that contradicts
   *  the student's own work explains nothing. */
  contradicted(gid: number): boolean {
    const self = (id: number): boolean | undefined => {
      if (!this.b.ownUpstream[id]) return false;
      if (id !== gid && this.isWritten(id)) {
        const bid = this.b.baseIdOf[id]!;
        const verdict = this.file.verdicts[bid];
        if (verdict !== undefined && verdict !== 'wrong' && this.mayDiffer(id) && !reproduces(this.writtenAt(id)!, this.computed(id), this.file.tolerance)) return true;
      }
      return undefined;
    };
    // The target's own memo entry would mix "itself" with "its upstream": ask its inputs.
    return this.g.nodes[gid]!.inputs.some((i) => this.any(this.contradiction, i, self, (id) => this.g.nodes[id]!.inputs));
  }

  value(gid: number): Dec {
    if (this.isWritten(gid)) return this.writtenValue(gid);
    if (!this.tainted(gid)) return this.g.values[gid]!;
    return this.computed(gid);
  }

  /** Node `gid` computed from its inputs (its own written value, if any, is ignored). */
  computed(gid: number): Dec {
    const known = this.memo[gid];
    if (known) return known;
    this.tainted(gid); // the pass, once: taint[] below is complete
    const taint = this.taint;
    const stack = [gid];
    while (stack.length) {
      const id = stack[stack.length - 1]!;
      if (this.memo[id] !== undefined) {
        stack.pop();
        continue;
      }
      const how = this.computation(id);
      let pending = false;
      for (const i of how.inputs) {
        if (this.memo[i] === undefined && taint[i] === 2 && !this.isWritten(i)) {
          stack.push(i);
          pending = true;
        }
      }
      if (pending) continue;
      stack.pop();
      if (!how.compute) {
        this.memo[id] = this.g.values[id]!;
        this.kinkHit[id] = 1;
        continue;
      }
      // Its inputs, as the same computation in any file would see them.
      let key = how === this.g.nodes[id] ? `${id}|` : `${id}s${how.inputs.join(',')}|`;
      for (const i of how.inputs) {
        key += this.isWritten(i) ? `w${this.file.written[this.b.baseIdOf[i]!]!.serial},` : taint[i] === 2 ? `r${this.resultId[i]},` : 'c,';
      }
      const results = this.b.results;
      let r = results.find(key);
      if (r === undefined) {
        const kinks: string[] = [];
        const v = how.compute(how.inputs.map((i) => this.value(i)), kinks);
        r = results.add(key, v, kinks.length > 0);
      }
      this.resultId[id] = r;
      this.memo[id] = results.values[r]!;
      this.kinkHit[id] = results.kinks[r] ? 2 : 1;
    }
    return this.memo[gid]!;
  }

  /** The written values that node `gid` was computed from (nearest ones, through unwritten nodes), where
   *  they differ from the exact values. */
  causes(gid: number): number[] {
    const found = new Set<number>();
    const seen = new Set<number>();
    const stack = [...this.computation(gid).inputs];
    while (stack.length) {
      const i = stack.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      if (this.isWritten(i)) {
        if (!this.writtenValue(i).eq(this.g.values[i]!)) found.add(i);
      } else if (this.tainted(i)) stack.push(...this.computation(i).inputs);
    }
    // In the order of the calculation (node ids follow it in a graph built from a run).
    return [...found].sort((a, b) => a - b);
  }
}
