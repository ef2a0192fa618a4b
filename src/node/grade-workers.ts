// Grading a large class on several cores: the class's sheets split into contiguous parts, each graded
// by gradeSheets in a worker thread, the parts' results put back in order, so the gradebook is the
// one the sequential path makes (test/grade.test.ts holds them equal). Each worker computes the exact
// training and the variants once for its part; that is worth it only for a class large enough, so a
// small class is graded in this thread. The spec goes to a worker as the texts it was read from (its
// file and the data files it names), read once here: a worker reads no file.
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { parseSpec, type Limits, type Spec } from '../library/run.js';
import type { CheckAllOptions } from '../library/check.js';
import { gradeSheets, type GradedSheet, type Sheet } from '../library/grade.js';
import { fileSystem, type FileReader } from './files.js';
import { loadSpecFile, type LoadOptions } from './load.js';

/** A spec as the texts it was read from, which a worker parses again to the same Spec. */
export interface SpecSource {
  file: string;
  text: string;
  /** The data files it names, by the path it names them with. */
  dataFiles: Record<string, string>;
  precision?: number;
  limits?: Partial<Limits>;
}

/** Reads a spec file (as loadSpecFile does) and keeps the texts it was read from, for workers. */
export function loadSpecSource(path: string, options: LoadOptions = {}): { spec: Spec; source: SpecSource } {
  const files = options.files ?? fileSystem;
  const source: SpecSource = { file: path, text: '', dataFiles: {}, ...(options.precision !== undefined ? { precision: options.precision } : {}), ...(options.limits ? { limits: options.limits } : {}) };
  const recording: FileReader = {
    readFile: (p, maxBytes) => {
      const text = files.readFile(p, maxBytes);
      if (p === path) source.text = text;
      return text;
    },
    readDataFile: (specFile, relativePath, maxBytes) => {
      const text = files.readDataFile
        ? files.readDataFile(specFile, relativePath, maxBytes)
        : fileSystem.readDataFile!(specFile, relativePath, maxBytes);
      source.dataFiles[relativePath] = text;
      return text;
    },
  };
  const spec = loadSpecFile(path, { ...options, files: recording });
  return { spec, source };
}

function specOf(source: SpecSource): Spec {
  return parseSpec(source.text, {
    file: source.file,
    ...(source.precision !== undefined ? { precision: source.precision } : {}),
    ...(source.limits ? { limits: source.limits } : {}),
    readDataFile: (relativePath) => {
      const text = source.dataFiles[relativePath];
      if (text === undefined) throw new Error(`internal: the data file ${relativePath} was not read before the workers started`);
      return text;
    },
  });
}

/** Sheets a worker must have to be worth starting. A worker costs about 1.4 s of CPU before it grades
 *  (loading the engine, the spec, the exact training and the variants, the JIT warming up), and a sheet
 *  of homework 7's 100 quantities about 3 ms (bench/grade.ts): below about 800 sheets a worker, two
 *  cores are no faster than one. */
export const SHEETS_PER_WORKER = 1000;

/** How many workers a class of `sheets` sheets is graded with when the caller does not say. */
export function workersFor(sheets: number): number {
  return Math.max(1, Math.min(availableParallelism(), 4, Math.floor(sheets / SHEETS_PER_WORKER)));
}

interface Job {
  exactpropGrade: true;
  source: SpecSource;
  sheets: Sheet[];
  options: CheckAllOptions;
}

/**
 * gradeSheets with `workers` worker threads (default: workersFor the class); with one, in this thread.
 * `spec` must be the spec `source` reads to.
 */
export async function gradeSheetsInWorkers(spec: Spec, source: SpecSource, sheets: Sheet[], options: CheckAllOptions = {}, workers = workersFor(sheets.length)): Promise<GradedSheet[]> {
  const n = Math.max(1, Math.min(workers, sheets.length));
  if (n === 1) return gradeSheets(spec, sheets, options);
  const parts = Array.from({ length: n }, (_, k) => sheets.slice(Math.floor((k * sheets.length) / n), Math.floor(((k + 1) * sheets.length) / n)));
  const results = await Promise.all(parts.map((part) => inWorker({ exactpropGrade: true, source, sheets: part, options })));
  return results.flat();
}

function inWorker(job: Job): Promise<GradedSheet[]> {
  const url = new URL(import.meta.url);
  // Built, this module is JavaScript and the worker runs it. Run from the TypeScript sources (tests,
  // tsx), the worker registers tsx's loader first: a worker does not inherit its parent's module hooks.
  const worker = url.pathname.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true, workerData: job })
    : new Worker(url, { workerData: job });
  return new Promise((resolve, reject) => {
    let done = false;
    worker.once('message', (m: { graded: GradedSheet[] } | { failed: string }) => {
      done = true;
      if ('graded' in m) resolve(m.graded);
      else reject(new Error(`a grading worker failed: ${m.failed}`));
    });
    worker.once('error', (e) => {
      done = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`a grading worker stopped (exit code ${code}) before it finished`));
    });
  });
}

// In a worker started above: grade its part and send the results back.
if (!isMainThread && (workerData as Partial<Job> | null)?.exactpropGrade === true) {
  const job = workerData as Job;
  try {
    parentPort!.postMessage({ graded: gradeSheets(specOf(job.source), job.sheets, job.options) });
  } catch (e) {
    parentPort!.postMessage({ failed: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
}
