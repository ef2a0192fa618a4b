// The verdicts that need no recomputation (correct, or a rounding slip), remembered across the files of
// a class: a class writes the same texts for the same quantities again and again.
import type { Dec, DecimalCtor } from '../numeric/context.js';
import type { Verdict } from './report-data.js';
import type { Interned } from './scope.js';
import { isCorrect, isRoundingSlip, writtenNumber, type Tolerance } from './tolerance.js';

export class VerdictCache {
  /** Written numbers by text. The number of a text (`serial`) also names it in the shared results' keys. */
  private readonly texts = new Map<string, Interned>();
  /** How a text (by serial) compares with the exact value of a node (correct, slip, or neither), by
   *  node; for the tolerance it was computed with. */
  private verdicts: Array<Map<number, Verdict | undefined> | undefined> = [];
  private tolerance: Tolerance | undefined;

  constructor(private readonly D: DecimalCtor) {}

  /** The written number of a text, read once per text. */
  number(text: string): Interned {
    let w = this.texts.get(text);
    if (!w) this.texts.set(text, (w = { ...writtenNumber(text, this.D), serial: this.texts.size }));
    return w;
  }

  /** Forgets the verdicts when a file is graded with another tolerance than the one before. */
  useTolerance(tolerance: Tolerance): void {
    if (JSON.stringify(tolerance) === JSON.stringify(this.tolerance)) return;
    this.verdicts = [];
    this.tolerance = tolerance;
  }

  /** 'correct' or 'rounding-slip' for written number `w` of node `id` (exact value `exact`), or
   *  undefined when it is neither and the value needs grading in full. */
  quick(id: number, w: Interned, exact: Dec): Verdict | undefined {
    const known = (this.verdicts[id] ??= new Map());
    if (known.has(w.serial)) return known.get(w.serial);
    const verdict = isCorrect(w, exact, this.tolerance!) ? 'correct' : isRoundingSlip(w, exact) ? 'rounding-slip' : undefined;
    known.set(w.serial, verdict);
    return verdict;
  }
}
