// The student's values in one graph, for one answers file: what a file's grading computes from what it
// wrote, on demand.
import type { Dec } from '../numeric/context.js';
import { allSwitches, factored, localViews, switched, type Computation, type Factor, type Graph, type Switch } from './graph.js';
import type { Verdict } from './report-data.js';
import { inContext, reproduces, type Tolerance, type WrittenNumber } from './tolerance.js';
import type { VariantGraph } from './variant-graph.js';

const NO_FACTORS: Factor[] = [];

/** A written number, interned: `serial` names its text. */
export type Interned = WrittenNumber & { serial: number };

/** What grading one file keeps: its written values, the verdicts so far, and a scope per graph used. */
export interface FileState {
  written: Array<Interned | undefined>;
  verdicts: Array<Verdict | undefined>;
  tolerance: Tolerance;
  scopes: Map<VariantGraph, Scope>;
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
export class Scope {
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

  constructor(private readonly b: VariantGraph, private readonly file: FileState) {
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

  /** How node `gid` computes here: derivative branches follow the activations the student wrote, and a
   *  local derivative the student wrote goes in where the formula reads its form (tanh'(a2) for 1 - h2^2). */
  computation(gid: number): Computation {
    const switches = this.switches[gid]!;
    const factors = this.factorsOf(gid);
    if (!switches.length && !factors.length) return this.g.nodes[gid]!;
    let c = this.how.get(gid);
    if (!c) {
      const active = switches.filter((s) => this.isWritten(s.neuron) && !this.writtenValue(s.neuron).isZero());
      c = factored(this.g, gid, switched(this.g, gid, active), factors);
      this.how.set(gid, c);
    }
    return c;
  }

  /** The written local derivatives (views) of the neurons a backward node reads. */
  private factorsOf(gid: number): Factor[] {
    const locals = localViews(this.g);
    if (!locals.size) return NO_FACTORS;
    const n = this.g.nodes[gid]!;
    if (n.role !== 'adjoint' && n.role !== 'share' && n.view !== 'via' && n.view !== 'delta') return NO_FACTORS;
    const out: Factor[] = [];
    for (const i of n.inputs) {
      const local = locals.get(i);
      if (local !== undefined && this.isWritten(local.node)) out.push(local);
    }
    return out.length ? out : NO_FACTORS;
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
        // Inputs (with the local derivatives written in their place), and the neurons whose written
        // activations decide a derivative's branch.
        const inputs = this.g.nodes[id]!.inputs;
        let v = 1;
        for (let k = 0; k < inputs.length; k++) if (t[inputs[k]!] === 2) { v = 2; break; }
        if (v === 1 && this.factorsOf(id).length) v = 2;
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

  /** How far node `gid`, computed from the student's values, moves when each written value its formula
   *  reads moves by half a unit of its own last digit (each alone, the larger of the two directions,
   *  summed: the first-order spread of the student's own rounding). */
  roundingSpread(gid: number): Dec {
    const how = this.computation(gid);
    const zero = this.g.ctx.zero;
    if (!how.compute) return zero;
    const vals = how.inputs.map((i) => this.value(i));
    const at = how.compute(vals);
    let spread = zero;
    how.inputs.forEach((i, slot) => {
      const half = this.isWritten(i) ? this.writtenAt(i)!.half : undefined;
      if (!half) return;
      let widest = zero;
      for (const moved of [vals[slot]!.plus(half), vals[slot]!.minus(half)]) {
        const v = vals.slice();
        v[slot] = moved;
        const d = how.compute!(v).minus(at).abs();
        if (d.isFinite() && d.gt(widest)) widest = d;
      }
      spread = spread.plus(widest);
    });
    return spread;
  }

  /** The written values that node `gid` was computed from (nearest ones, through unwritten nodes), where
   *  they differ from the exact values. */
  causes(gid: number, sources = this.sources(gid)): number[] {
    return sources.filter((i) => !this.writtenValue(i).eq(this.g.values[i]!));
  }

  /** Every written value that goes into node `gid` computed from the student's values: the nearest
   *  ones, reached through the unwritten nodes recomputed from them, in the order of the calculation. */
  sources(gid: number): number[] {
    return this.sourcesFrom(this.computation(gid).inputs);
  }

  /** The written values behind input node `i` of another node: itself when written, else the nearest
   *  written values it is recomputed from (none when it keeps its exact value). */
  sourcesOfInput(i: number): number[] {
    return this.sourcesFrom([i]);
  }

  private sourcesFrom(start: number[]): number[] {
    const found = new Set<number>();
    const seen = new Set<number>();
    const stack = [...start];
    while (stack.length) {
      const i = stack.pop()!;
      if (seen.has(i)) continue;
      seen.add(i);
      if (this.isWritten(i)) found.add(i);
      else if (this.tainted(i)) stack.push(...this.computation(i).inputs);
    }
    // In the order of the calculation (node ids follow it in a graph built from a run).
    return [...found].sort((a, b) => a - b);
  }
}

/** The file's scope of graph `b`, made the first time the file needs it. */
export function scopeOf(file: FileState, b: VariantGraph): Scope {
  let s = file.scopes.get(b);
  if (!s) file.scopes.set(b, (s = new Scope(b, file)));
  return s;
}
