// What a command may touch: output streams and files. Tests pass their own.
import { readFileSync } from 'node:fs';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  readFile: (path: string) => string;
  /** Whether err goes to a terminal (progress is shown only there). */
  errIsTTY?: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  readFile: (p) => readFileSync(p, 'utf8'),
  errIsTTY: process.stderr.isTTY === true,
};

/** A mistake on the command line itself: reported with the usage, exit code 2. */
export class UsageError extends Error {}

export function wholeNumber(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got '${text}'`);
  return Number(text);
}

export function oneOf<T extends string>(text: string, name: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`unknown ${name} '${text}' (${choices.join(', ')})`);
  return text as T;
}
