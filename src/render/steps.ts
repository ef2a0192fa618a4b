// Which steps of a run to print: `--steps 1,last`, `2-4`, `1,3-5,last`. A selection is kept as its
// ranges, never as the set of its numbers: `1-1000000000` costs two numbers, and is checked against
// the run by its ends.

/** The steps a selection names: merged, increasing ranges. Iterates the step numbers in order. */
export class StepSet implements Iterable<number> {
  /** Disjoint, increasing, non-adjacent [first, last] ranges. */
  private readonly ranges: Array<[number, number]>;

  constructor(ranges: Array<[number, number]>) {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const [a, b] of sorted) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    this.ranges = merged;
  }

  has(step: number): boolean {
    // Binary search: a selection of many ranges is asked about every step of a long run.
    let [lo, hi] = [0, this.ranges.length - 1];
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.ranges[mid]!;
      if (step < a) hi = mid - 1;
      else if (step > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** How many steps are selected. */
  get size(): number {
    return this.ranges.reduce((n, [a, b]) => n + b - a + 1, 0);
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const [a, b] of this.ranges) for (let s = a; s <= b; s++) yield s;
  }
}

/** The step numbers a selection names, in increasing order; throws a RangeError with a message for
 *  the user on a malformed selection or a step outside 1..total. */
export function selectSteps(text: string, total: number): StepSet {
  const number = (s: string): number => {
    const t = s.trim();
    if (t === 'last') return total;
    if (t === 'first') return 1;
    if (!/^\d+$/.test(t)) throw new RangeError(`'${s}' is not a step number (use numbers, 'first', 'last' and ranges like 2-4)`);
    // Compared as written, so that a number past 2^53 is not rounded into the run.
    const n = Number(t);
    if (n < 1 || n > total || t.replace(/^0+/, '').length > String(total).length) throw new RangeError(`step ${t} is outside the run (steps 1 to ${total})`);
    return n;
  };
  const ranges: Array<[number, number]> = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') throw new RangeError(`empty step in '${text}'`);
    const range = /^([^-]+)-([^-]+)$/.exec(part.trim());
    if (range) {
      const [a, b] = [number(range[1]!), number(range[2]!)];
      if (a > b) throw new RangeError(`the range ${part.trim()} runs backwards`);
      ranges.push([a, b]);
    } else {
      const n = number(part);
      ranges.push([n, n]);
    }
  }
  return new StepSet(ranges);
}
