// Limits for the spec reader and everything after it: the table (src/limits/limits.ts, where a limit is
// added) and LimitError, the located input error of a limit exceeded.
import { InputError } from './errors.js';
import { overLimitMessage, type Limits } from '../limits/limits.js';

export { DEFAULT_LIMITS, LIMIT_INFO, SPEC_LIMIT_KEYS, howToRaise, overLimitMessage, limitsOf, type Limits } from '../limits/limits.js';

/** A limit exceeded: an input error (exit code 2) that names the limit and how to raise it. */
export class LimitError extends InputError {
  constructor(
    readonly limit: keyof Limits,
    file: string,
    path: string,
    found: string,
    readonly max: number,
    line?: number,
  ) {
    super(file, path, overLimitMessage(limit, found, max), line);
    this.name = 'LimitError';
  }
}
