// The --max-... flags: one per limit of src/limits/limits.ts, accepted by every command, so raising a
// limit is the same on every command and a new limit needs no change here.
import { grouped } from '../text/grouped.js';
import { LIMIT_INFO, DEFAULT_LIMITS, type Limits } from '../limits/limits.js';
import { wholeNumber } from './io.js';

const NAMES = Object.keys(LIMIT_INFO) as Array<keyof Limits>;

/** The parseArgs options of the limit flags. */
export const LIMIT_OPTIONS: Record<string, { type: 'string' }> = Object.fromEntries(NAMES.map((name) => [LIMIT_INFO[name].flag, { type: 'string' as const }]));

/** The limits given on the command line (the rest keep their defaults). */
export function limitFlags(values: Record<string, unknown>): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const name of NAMES) {
    const flag = LIMIT_INFO[name].flag;
    const n = wholeNumber(values[flag] as string | undefined, flag, 1, 1_000_000_000_000);
    if (n !== undefined) out[name] = n;
  }
  return out;
}

/** One line for a command's usage. */
export const LIMIT_USAGE = `    --max-...   raise or lower a limit (see "Limits and safety" in the README): ${NAMES.map((n) => `--${LIMIT_INFO[n].flag} (${grouped(DEFAULT_LIMITS[n])})`).join(', ')}`;
