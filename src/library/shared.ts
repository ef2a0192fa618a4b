// What the library's modules share: a spec at the precision asked for, a run's options checked and made
// into the engine's, and the range checks of options. Not part of the library's surface (src/index.ts).
import type { Spec } from '../spec/model.js';
import { InputError } from '../spec/errors.js';
import type { RunOptions as EngineOptions } from '../graph/run.js';
import type { BudgetOptions } from '../graph/budget.js';
import { whyNotRational } from '../certify/exact.js';
import { MAX_PRECISION, MIN_PRECISION } from '../numeric/context.js';
import type { RunOptions } from './run.js';

/** The spec at the precision asked for, and the engine's options, every option checked first. */
export function prepared(spec: Spec, options: RunOptions): { used: Spec; engine: EngineOptions } {
  const arithmetic = options.arithmetic ?? 'decimal';
  if (!['decimal', 'decimal.js', 'rational'].includes(arithmetic)) throw new RangeError(`unknown arithmetic '${String(arithmetic)}' (decimal, decimal.js, rational)`);
  if (options.certify && arithmetic === 'rational') throw new RangeError('certify and rational arithmetic do not go together: exact fractions need no certificate');
  const used = withPrecision(spec, options.precision);
  if (arithmetic === 'rational') {
    const reason = whyNotRational(used);
    if (reason) throw new InputError(used.file, '', `this spec cannot be computed in exact fractions: ${reason}. In decimal arithmetic it is computed to ${used.precision} significant digits (certify proves them).`);
  }
  return { used, engine: { arithmetic, ...(options.limits ? { limits: options.limits } : {}), ...budgetOf(options) } };
}

export function withPrecision(spec: Spec, precision: number | undefined): Spec {
  if (precision === undefined || precision === spec.precision) return spec;
  wholeIn(precision, 'precision', MIN_PRECISION, MAX_PRECISION);
  return { ...spec, precision };
}

export function budgetOf(options: RunOptions): BudgetOptions {
  const budget: BudgetOptions = {};
  if (options.signal) budget.signal = options.signal;
  if (options.timeout !== undefined) {
    if (!(options.timeout > 0) || !Number.isFinite(options.timeout)) throw new RangeError(`timeout takes a number of seconds greater than 0, got ${options.timeout}`);
    budget.timeout = options.timeout;
    budget.deadline = (options.startedAt ?? Date.now()) + options.timeout * 1000;
  }
  if (options.maxMemory !== undefined) {
    if (!(options.maxMemory > 0)) throw new RangeError(`maxMemory takes a number of bytes greater than 0, got ${options.maxMemory}`);
    if (options.memoryUsage) {
      budget.maxMemory = options.maxMemory;
      budget.memoryCheck = options.memoryUsage;
    }
  }
  return budget;
}

export function wholeIn(value: number, name: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} takes a whole number from ${min} to ${max}, got ${value}`);
}
