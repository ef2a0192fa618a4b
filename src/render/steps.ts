// Which steps of a run to print: `--steps 1,last`, `2-4`, `1,3-5,last`.

/** The step numbers a selection names, in increasing order; throws a RangeError with a message for
 *  the user on a malformed selection or a step outside 1..total. */
export function selectSteps(text: string, total: number): Set<number> {
  const out = new Set<number>();
  const number = (s: string): number => {
    const t = s.trim();
    if (t === 'last') return total;
    if (t === 'first') return 1;
    if (!/^\d+$/.test(t)) throw new RangeError(`'${s}' is not a step number (use numbers, 'first', 'last' and ranges like 2-4)`);
    const n = Number(t);
    if (n < 1 || n > total) throw new RangeError(`step ${n} is outside the run (steps 1 to ${total})`);
    return n;
  };
  for (const part of text.split(',')) {
    if (part.trim() === '') throw new RangeError(`empty step in '${text}'`);
    const range = /^([^-]+)-([^-]+)$/.exec(part.trim());
    if (range) {
      const [a, b] = [number(range[1]!), number(range[2]!)];
      if (a > b) throw new RangeError(`the range ${part.trim()} runs backwards`);
      for (let s = a; s <= b; s++) out.add(s);
    } else {
      out.add(number(part));
    }
  }
  return new Set([...out].sort((a, b) => a - b));
}
