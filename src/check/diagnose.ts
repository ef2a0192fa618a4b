// Diagnosing a written value that is neither correct, a rounding slip nor carried: which entries of
// DIAGNOSES reproduce it. The order is the report's: the conventions and mistakes that compute the
// training their way, one at a time; then the local entries; then, when nothing explains the value,
// two conventions at once; and last, each convention computed from the start (its own training's
// value, none of the student's values fed in): a sheet that writes correct values everywhere but one
// may have that one from a whole training done another way (a published example's error after the
// update, computed with the updated weights in the backward pass).
import type { Explainer, ExactTraining, WrittenEvidence } from './evidence.js';
import { conventionVariants, DIAGNOSES, isLocal, reportedId } from './diagnoses.js';
import type { Diagnosis } from './report-data.js';
import { scopeOf, type FileState } from './scope.js';
import { inContext, reproduces, type WrittenNumber } from './tolerance.js';
import type { VariantGraph, VariantGraphs } from './variant-graph.js';
import { combined } from './variants.js';
import type { Spec } from '../spec/model.js';

export class Diagnoser {
  private conventions?: VariantGraph[];
  /** Two conventions or mistakes at once, of different families, by their indices; each is built the
   *  first time a value needs it (undefined when it cannot be computed for this spec). */
  private readonly pairs = new Map<string, VariantGraph | undefined>();
  private locals?: Array<{ id: string; onlyUnexplained: boolean; explain: Explainer }>;

  constructor(private readonly spec: Spec, private readonly graphs: VariantGraphs, private readonly training: ExactTraining) {}

  /** The conventions and mistakes, one at a time, each as a graph of the whole training. */
  singles(): VariantGraph[] {
    this.conventions ??= conventionVariants(this.spec).map((v) => this.graphs.build(v)).filter((b): b is VariantGraph => b !== undefined);
    return this.conventions;
  }

  /** Every variant graph built so far (their shared results are trimmed between files). */
  built(): VariantGraph[] {
    return [...(this.conventions ?? []), ...[...this.pairs.values()].filter((p): p is VariantGraph => p !== undefined)];
  }

  private pair(i: number, j: number): VariantGraph | undefined {
    const key = `${i}+${j}`;
    if (!this.pairs.has(key)) {
      const [a, b] = [this.singles()[i]!.variant!, this.singles()[j]!.variant!];
      this.pairs.set(key, a.family === b.family || a.alone || b.alone ? undefined : this.graphs.build(combined(a, b)));
    }
    return this.pairs.get(key);
  }

  /** The local entries' explainers for this training, in the table's order. */
  private localExplainers() {
    this.locals ??= DIAGNOSES.filter(isLocal).flatMap((d) => {
      const explain = d.explainer(this.training);
      return explain ? [{ id: reportedId(d), onlyUnexplained: d.onlyUnexplained === true, explain }] : [];
    });
    return this.locals;
  }

  /** The diagnoses that reproduce written value `w` of node `id` (with the student's own inputs)
   *  without contradicting a value the student got right upstream. */
  diagnose(file: FileState, id: number, w: WrittenNumber): Diagnosis[] {
    const out = this.byConventions(file, id);
    out.push(...this.byLocalEntries(file, id, w, out.length > 0));
    if (out.length) return out;
    const pairs = this.byPairs(file, id);
    return pairs.length ? pairs : this.fromScratch(file, id, w);
  }

  /** The single conventions whose own training (computed from the start, not from the student's
   *  values) gives the written value. The graphs are the ones already built for this spec, once for
   *  every file, so this costs a comparison per convention. Contradiction with the student's other
   *  values is not asked: that the rest of the sheet is right is what makes this the explanation. */
  private fromScratch(file: FileState, id: number, w: WrittenNumber): Diagnosis[] {
    const out: Diagnosis[] = [];
    for (const b of this.singles()) {
      const gid = b.gidOfBase[id]!;
      if (gid < 0 || !b.ownUpstream[gid]) continue;
      if (!reproduces(b.variant === undefined ? w : inContext(w, b.graph.ctx.D), b.graph.values[gid]!, file.tolerance)) continue;
      out.push({ id: b.variant!.id, text: `matches the whole training redone from the start (not from your values) with this mistake: ${b.variant!.text}` });
    }
    return out;
  }

  /** Whether graph `b`, fed the student's values, may compute node `id` differently from the exact graph. */
  private mayChange(file: FileState, b: VariantGraph, id: number): boolean {
    const gid = b.gidOfBase[id]!;
    // Nothing upstream computes differently: no scope needed to know.
    if (gid < 0 || (!b.atKinks && !b.ownUpstream[gid])) return false;
    return scopeOf(file, b).mayDiffer(gid);
  }

  private explains(file: FileState, b: VariantGraph, id: number): boolean {
    if (!this.mayChange(file, b, id)) return false;
    const gid = b.gidOfBase[id]!;
    const s = scopeOf(file, b);
    return reproduces(s.writtenAt(gid)!, s.computed(gid), file.tolerance) && !s.contradicted(gid);
  }

  /** The single conventions and mistakes that explain the value; each becomes the file's own method
   *  (file.shown), which later values may be explained by together with one more. */
  private byConventions(file: FileState, id: number): Diagnosis[] {
    const out: Diagnosis[] = [];
    this.singles().forEach((b, k) => {
      if (!this.explains(file, b, id)) return;
      out.push({ id: b.variant!.id, text: b.variant!.text });
      file.shown.add(k);
    });
    return out;
  }

  private byLocalEntries(file: FileState, id: number, w: WrittenNumber, explained: boolean): Diagnosis[] {
    const out: Diagnosis[] = [];
    const exact = file.exact;
    const conventions = this.singles();
    const evidence: WrittenEvidence = {
      id,
      written: w,
      reproduces: (value) => reproduces(w, value, file.tolerance),
      value: (i) => exact.value(i),
      computed: (i) => exact.computed(i),
      shownReproducing: (other) => {
        const b = [...file.shown].map((k) => conventions[k]!).find((c) => {
          const gid = c.gidOfBase[other]!;
          if (gid < 0) return false;
          const s = scopeOf(file, c);
          return s.mayDiffer(gid) && reproduces(s.writtenAt(c.gidOfBase[id]!) ?? inContext(w, c.graph.ctx.D), s.computed(gid), file.tolerance) && !s.contradicted(gid);
        });
        return b && { id: b.variant!.id, text: b.variant!.text };
      },
    };
    for (const local of this.localExplainers()) {
      if (local.onlyUnexplained && (explained || out.length)) continue;
      for (const text of local.explain(evidence)) out.push({ id: local.id, text });
    }
    return out;
  }

  /** Two at once: a convention this file already shows, with one more. A pair can only differ from
   *  each of its members where both change the value. */
  private byPairs(file: FileState, id: number): Diagnosis[] {
    const out: Diagnosis[] = [];
    if (!file.shown.size) return out;
    const conventions = this.singles();
    const changes = conventions.map((b) => this.mayChange(file, b, id));
    for (let a = 0; a < conventions.length; a++) {
      for (let b = a + 1; b < conventions.length; b++) {
        if (!(file.shown.has(a) || file.shown.has(b)) || !changes[a] || !changes[b]) continue;
        const built = this.pair(a, b);
        if (built && this.explains(file, built, id)) out.push({ id: built.variant!.id, text: built.variant!.text });
      }
    }
    return out;
  }
}
