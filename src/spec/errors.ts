// Input errors: what a user must fix. They carry where (file, key path, line) and are printed
// without a stack trace; the CLI exits with code 2 for them.
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly path: string,
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }
  /** `file:line: at key.path: message`, the way compilers locate errors. */
  located(): string {
    const where = this.line !== undefined ? `${this.file}:${this.line}` : this.file;
    return this.path ? `${where}: at ${this.path}: ${this.message}` : `${where}: ${this.message}`;
  }
}

/** The closest of `candidates` to `name` by edit distance, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

export function didYouMean(name: string, candidates: Iterable<string>): string {
  const c = closest(name, candidates);
  return c ? ` (did you mean '${c}'?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
