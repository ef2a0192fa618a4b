// Path patterns of a points scheme. A quantity's path is names joined by dots, as answers files and a
// class's CSV columns write it (step1.sample2.gradients.w5); in a pattern `*` stands for any part of
// one name (`sample*`, `*`) and `**` for any number of whole names, none included (`**.loss`).

export interface PathPattern {
  text: string;
  matches(path: string): boolean;
}

type Part = '**' | RegExp;

/** Why `text` is not a pattern (an empty name, `**` inside a name), or undefined when it is one. */
export function patternProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the pattern is empty';
  for (const name of text.split('.')) {
    if (name === '') return `'${text}' has an empty name between dots`;
    if (name.includes('**') && name !== '**') return `'${text}': ** stands for whole names only (write a.**.b, or * within a name)`;
  }
  return undefined;
}

export function pathPattern(text: string): PathPattern {
  const parts: Part[] = text.split('.').map((name) =>
    name === '**' ? '**' : new RegExp(`^${name.split('*').map((s) => s.replace(/[\\^$+?.()|[\]{}]/g, '\\$&')).join('[^.]*')}$`));
  return { text, matches: (path) => matchFrom(parts, path.split('.'), 0, 0, new Map()) };
}

/** Whether parts[i..] match names[j..]; each (i, j) decided once, so many `**` stay linear in effect. */
function matchFrom(parts: Part[], names: string[], i: number, j: number, seen: Map<number, boolean>): boolean {
  const key = i * (names.length + 1) + j;
  const known = seen.get(key);
  if (known !== undefined) return known;
  let result: boolean;
  if (i === parts.length) result = j === names.length;
  else if (parts[i] === '**') result = matchFrom(parts, names, i + 1, j, seen) || (j < names.length && matchFrom(parts, names, i, j + 1, seen));
  else result = j < names.length && (parts[i] as RegExp).test(names[j]!) && matchFrom(parts, names, i + 1, j + 1, seen);
  seen.set(key, result);
  return result;
}
