// Budgets of a run: what it may cost before it starts (the work estimate, refused over limits.work) and
// while it runs (a deadline, an AbortSignal, a memory ceiling). The running checks are made once per
// sample and once per step, never per equation: a check costs a clock read, and the memory figure is
// read at most every few milliseconds, so a budgeted run is as fast as an unbudgeted one.
import { InputError } from '../spec/errors.js';
import { LimitError, type Limits } from '../spec/limits.js';
import type { Spec } from '../spec/model.js';

/** A run stopped by its time or memory budget, or aborted by its caller: an input error (exit code 2)
 *  that says where the run was and which budget stopped it. */
export class BudgetError extends InputError {
  constructor(
    readonly budget: 'time' | 'memory' | 'abort',
    file: string,
    message: string,
    /** The step the run had reached (1-based), and the run's total. */
    readonly step: number,
    readonly total: number,
  ) {
    super(file, '', message);
    this.name = 'BudgetError';
  }
}

export interface BudgetOptions {
  /** Aborting stops the run at its next check, with the signal's reason in the message. */
  signal?: AbortSignal;
  /** Milliseconds since the epoch (Date.now()) after which the run stops. */
  deadline?: number;
  /** The seconds the deadline was set as (--timeout), for the message; the time is then counted from
   *  deadline - timeout, not from the run's start. */
  timeout?: number;
  /** Bytes of memory in use (the CLI passes process.memoryUsage().rss; a browser passes nothing). */
  memoryCheck?: () => number;
  /** Bytes memoryCheck may report before the run stops (with memoryCheck only). */
  maxMemory?: number;
}

/** Least time between two memory readings: reading the resident size is a system call. */
const MEMORY_EVERY_MS = 20;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;

/** The reason an AbortSignal carries, as text for a message. */
function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.name === 'AbortError' && reason.message === 'This operation was aborted' ? 'aborted' : reason.message;
  return reason === undefined ? 'aborted' : String(reason);
}

/**
 * The running checks of a run of `total` steps, or undefined when it has no budget (nothing to check).
 * `check(step)` throws a BudgetError when a budget is exhausted.
 */
export function runBudget(file: string, total: number, options: BudgetOptions): { check: (step: number) => void } | undefined {
  const { signal, deadline, timeout, memoryCheck, maxMemory } = options;
  const memory = memoryCheck && maxMemory !== undefined ? memoryCheck : undefined;
  if (!signal && deadline === undefined && !memory) return undefined;
  const started = deadline !== undefined && timeout !== undefined ? deadline - timeout * 1000 : Date.now();
  let nextMemory = Date.now();
  const where = (step: number) => `step ${step.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
  const check = (step: number) => {
    if (signal?.aborted) {
      throw new BudgetError('abort', file, `stopped at ${where(step)}: the run was aborted (${reasonText(signal.reason)})`, step, total);
    }
    if (deadline === undefined && !memory) return;
    const now = Date.now();
    if (deadline !== undefined && now > deadline) {
      const budget = timeout !== undefined ? `the run's time budget (--timeout ${timeout})` : `the run's deadline (${new Date(deadline).toISOString()})`;
      throw new BudgetError('time', file, `stopped after ${seconds(now - started)} at ${where(step)}: ${budget} is spent`, step, total);
    }
    if (memory && now >= nextMemory) {
      nextMemory = now + MEMORY_EVERY_MS;
      const used = memory();
      if (used > maxMemory!) {
        throw new BudgetError('memory', file,
          `stopped at ${where(step)}: the process uses ${megabytes(used)}, more than the run's memory budget of ${megabytes(maxMemory!)} (raise it with --max-memory MB)`, step, total);
      }
    }
  };
  return { check };
}

/**
 * The equations a run evaluates, estimated before it starts: per step, every sample equation for each
 * row of the batch, and the step's own equations (the loss, each param's gradient and optimizer
 * updates); times the steps. Equations of a step are counted, not their terms: a gradient over a batch
 * of n rows has n terms, so the row count enters through the samples.
 */
export function estimatedWork(spec: Spec, sampleEquations: number, updatesPerParam: number): { total: number; steps: number; perEpoch: number } {
  const rows = spec.data.length;
  const batchesPerEpoch = Math.ceil(rows / spec.training.batchSize) || 0;
  const stepEquations = 3 + spec.params.length * (1 + updatesPerParam);
  const perEpoch = sampleEquations * rows + batchesPerEpoch * stepEquations;
  const steps = batchesPerEpoch * spec.training.epochs;
  return { total: perEpoch * spec.training.epochs, steps, perEpoch };
}

/** Refuses, before any work, a run over limits.steps or limits.work. */
export function checkRunSize(spec: Spec, limits: Limits, sampleEquations: number, updatesPerParam: number): void {
  const work = estimatedWork(spec, sampleEquations, updatesPerParam);
  if (work.steps > limits.steps) {
    throw new LimitError('steps', spec.file, 'training.epochs',
      `the run has ${work.steps.toLocaleString('en-US')} optimizer steps (${spec.training.epochs.toLocaleString('en-US')} epochs of ${(work.steps / spec.training.epochs).toLocaleString('en-US')})`, limits.steps);
  }
  if (work.total > limits.work) {
    throw new LimitError('work', spec.file, 'training.epochs',
      `the run evaluates about ${work.total.toLocaleString('en-US')} equations (${spec.training.epochs.toLocaleString('en-US')} epochs of ${work.perEpoch.toLocaleString('en-US')})`, limits.work);
  }
}
