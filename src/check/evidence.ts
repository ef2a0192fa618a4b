// The second kind of diagnosis: a local one, which explains one written value from the student's own
// values around it (a param read from the wrong slot, another quantity's value written under this one)
// rather than by recomputing the whole training another way. It is still an entry of DIAGNOSES
// (diagnoses.ts); this file says what such an entry sees.
import type { Dec } from '../numeric/context.js';
import type { Graph } from './graph.js';
import type { WrittenNumber } from './tolerance.js';

/** The exact training a checker grades against, as a local diagnosis needs it. */
export interface ExactTraining {
  graph: Graph;
  /** The trained params, by name. */
  params: string[];
  /** Training steps in the whole training (the final forward pass is step totalSteps + 1). */
  totalSteps: number;
}

/** One written value that is neither correct nor a rounding slip, with the student's values around it. */
export interface WrittenEvidence {
  /** Its node in the exact graph. */
  id: number;
  written: WrittenNumber;
  /** Whether `value` reproduces the written value, within the file's tolerance. */
  reproduces(value: Dec): boolean;
  /** The student's value of a node: theirs where written, recomputed from theirs elsewhere. */
  value(id: number): Dec;
  /** A node computed from the student's values (its own written value, if any, ignored). */
  computed(id: number): Dec;
  /** The first convention or mistake this file already shows elsewhere under which node `other`,
   *  computed from the student's values, gives the written value without contradicting them. */
  shownReproducing(other: number): { id: string; text: string } | undefined;
}

/** How a local diagnosis explains a written value: the report's texts, none when it does not. */
export type Explainer = (value: WrittenEvidence) => string[];

export interface LocalDiagnosisEntry {
  /** Unique in DIAGNOSES. */
  id: string;
  /** The id reports name it by, where several entries are one mistake to a user (default: `id`). */
  reportAs?: string;
  family: string;
  /** What the student did, in one line. */
  text: string;
  /** Tried only when nothing tried before it explains the value: the less likely coincidence. */
  onlyUnexplained?: boolean;
  /** Its explainer for this training, made once per checker (it may keep what it compiles), or
   *  undefined where it cannot apply. */
  explainer(training: ExactTraining): Explainer | undefined;
}
