// The messages between the page (main.ts) and the worker that runs the library (worker/worker.ts).
// Every request carries an id; the worker answers with the same id, so the page drops answers to
// requests it has since replaced.
import type { CheckReport, SpecVocabulary } from '../src/index.js';

/** The controls of the CLI's `run` and `derive`, as the page holds them. */
export interface Controls {
  /** Significant digits shown. */
  digits: number;
  /** Working precision in significant digits; undefined: the spec's own. */
  precision?: number;
  /** A step selection such as `1,last` (empty: every step). */
  steps: string;
  certify: boolean;
  /** Exact fractions (arithmetic 'rational'). */
  exact: boolean;
}

/** Every request names the spec's file as its messages and titles show it (hw7-q2.yaml, spec.yaml). */
export type View = 'solution' | 'derive' | 'worksheet';

export type Request =
  | { type: 'vocabulary'; id: number }
  /** Read the spec and show it: its diagnostics at once, then the view. */
  | { type: 'show'; id: number; text: string; file: string; controls: Controls; view: View }
  /** Grade the worksheet's answers (answers YAML) against the spec. */
  | { type: 'check'; id: number; text: string; file: string; answers: string }
  /** The solution (or derivation) as a file to download. */
  | { type: 'export'; id: number; text: string; file: string; controls: Controls; view: View; format: ExportFormat };

export type ExportFormat = 'markdown' | 'latex' | 'html' | 'json';

/** An error the user can act on, located where the library located it. */
export interface Problem {
  /** The library's own one-line message, as the CLI prints it (`spec.yaml:5: at model.neurons.h1: ...`). */
  located: string;
  message: string;
  /** The key path (`model.neurons.h1`) and 1-based line, when the library knows them. */
  path?: string;
  line?: number;
  /** Which text it is about. */
  source: 'spec' | 'answers' | 'controls' | 'run';
}

export type Reply =
  | { type: 'vocabulary'; id: number; vocabulary: SpecVocabulary }
  /** The spec was read (problem undefined) or not. Sent before the view is computed. */
  | { type: 'diagnostics'; id: number; problem?: Problem }
  | { type: 'progress'; id: number; step: number; total: number }
  | { type: 'solution'; id: number; html: string; title: string; ms: number; warnings: string[] }
  /** The worked solution as a worksheet: its HTML (the library's worksheet printer: an
   *  `<input data-quantity="PATH">` where each value would be), and whether its paths name steps as
   *  epochs (epoch1..., one step per epoch), as the cells name the paths check reports as step1... */
  | { type: 'worksheet'; id: number; html: string; title: string; byEpoch: boolean; ms: number; warnings: string[] }
  | { type: 'verdicts'; id: number; results: CheckReport['results']; ms: number }
  | { type: 'export'; id: number; content: string; format: ExportFormat }
  | { type: 'failed'; id: number; problem: Problem };
