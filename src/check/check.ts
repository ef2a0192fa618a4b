// Grading written values against the exact training, with error carried forward and diagnosis.
//
// A Checker is built once per spec (for a whole class): the exact graph of the training, and the graph
// of every variant (alternative conventions, known mistakes). Grading a file then only evaluates what
// that file needs: for each written value that is neither correct nor a rounding slip, its own formula
// with the student's values as inputs (theirs where written, recomputed from theirs elsewhere), and
// the same under each diagnosis that could change it. The parts, one concern each: variant-graph.ts
// builds the graphs, scope.ts computes a file's values in one, verdict-cache.ts remembers the quick
// verdicts, diagnose.ts tries DIAGNOSES (diagnoses.ts), report-data.ts is what a report reads.
import type { Spec } from '../spec/model.js';
import { answerShape, type Answers, type AnswerShape } from './answers.js';
import { Diagnoser } from './diagnose.js';
import { InputError } from '../spec/errors.js';
import type { ViewRequest } from './graph.js';
import type { ViewKind } from './views.js';
import { recomputedOf, usedValuesOf, VERDICTS, type FileReport, type Recomputed, type Result, type Verdict } from './report-data.js';
import { scopeOf, type FileState, type Interned } from './scope.js';
import { isCorrect, reproduces, slipOfRecomputation, type Tolerance } from './tolerance.js';
import { VerdictCache } from './verdict-cache.js';
import { VariantGraphs, type VariantGraph } from './variant-graph.js';

export { VERDICTS, type UsedValue, type Diagnosis, type FileReport, type Recomputed, type Result, type Verdict } from './report-data.js';

export interface CheckerNeeds {
  /** Training steps the answers refer to. */
  steps: number;
  /** Whether they refer to the final forward pass. */
  final: boolean;
  /** The quantities they name that the training does not (local derivatives, pre-activations, one
   *  use's share: views.ts), added to every graph. */
  views?: readonly ViewRequest[];
}

export class Checker {
  readonly shape: AnswerShape;
  /** The exact training's graph. */
  readonly base: VariantGraph;
  private readonly diagnoser: Diagnoser;
  private readonly verdicts: VerdictCache;

  constructor(readonly spec: Spec, needs: CheckerNeeds) {
    this.shape = answerShape(spec);
    const steps = needs.final ? this.shape.totalSteps : Math.min(needs.steps, this.shape.totalSteps);
    const graphs = new VariantGraphs(spec, this.shape, steps, needs.final, needs.views ?? []);
    this.base = graphs.exact;
    this.diagnoser = new Diagnoser(spec, graphs, { graph: this.base.graph, params: this.shape.params, totalSteps: this.shape.totalSteps });
    this.verdicts = new VerdictCache(this.base.graph.ctx.D);
  }

  /** Builds the single variants now (a batch does this once, before grading; pairs come as needed). */
  prepare(): void {
    this.diagnoser.singles();
  }

  check(answers: Answers, tolerance: Tolerance): FileReport {
    const base = this.base.graph;
    const written: Array<Interned | undefined> = new Array(base.nodes.length);
    const paths: Array<string | undefined> = new Array(base.nodes.length);
    const lines: Array<number | undefined> = new Array(base.nodes.length);
    const aliases: Array<string | undefined> = new Array(base.nodes.length);
    for (const w of answers.written) {
      const id = base.index.get(w.key);
      if (id === undefined) {
        // A view whose equations do not split as it asks (a neuron the loss does not reach has no delta;
        // a use whose term the backward formula does not keep apart has no share of its own).
        if (w.view) throw new InputError(answers.file, w.alias ?? w.path, `${w.path} cannot be graded: the training has no such part of its equations (${viewProblem(w.view.kind)})`, w.line);
        throw new Error(`internal: no quantity ${w.key} for ${w.path}`);
      }
      written[id] = this.verdicts.number(w.text);
      paths[id] = w.path;
      lines[id] = w.line;
      aliases[id] = w.alias;
    }
    for (const b of [this.base, ...this.diagnoser.built()]) b.results.trim();
    this.verdicts.useTolerance(tolerance);
    const file = { written, verdicts: new Array(base.nodes.length), tolerance, scopes: new Map(), shown: new Set() } as unknown as FileState;
    const exact = scopeOf(file, this.base);
    file.exact = exact;

    const results: Result[] = [];
    for (const id of base.order) {
      const w = written[id];
      if (!w) continue;
      const value = base.values[id]!;
      const result: Result = { path: paths[id]!, line: lines[id], written: w.text, exact: value, verdict: 'wrong', because: [], used: [], diagnosis: [], ...(aliases[id] !== undefined ? { alias: aliases[id] } : {}) };
      results.push(result);
      const quick = this.verdicts.quick(id, w, value);
      if (quick) result.verdict = quick;
      else {
        const mine = exact.computed(id);
        let detail: Recomputed | undefined;
        result.recomputed = () => (detail ??= recomputedOf(base, exact, id, mine, paths));
        const sources = exact.sources(id);
        result.because = exact.causes(id, sources).map((i) => paths[i]!);
        result.used = usedValuesOf(base, exact, id, sources, paths, (i) => written[i]!.text, aliases);
        if (result.because.length && reproduces(w, mine, tolerance)) {
          result.verdict = 'carried';
          // Carried, and rounded as a correct value would be, or only within a slip of it.
          if (!isCorrect(w, mine, tolerance)) result.slip = true;
        } else if (result.because.length && slipOfRecomputation(w, mine, exact.roundingSpread(id))) {
          // Within a slip once the student's own rounding of the values that go in is allowed for.
          result.verdict = 'carried';
          result.slip = true;
        } else result.diagnosis = this.diagnoser.diagnose(file, id, w);
      }
      file.verdicts[id] = result.verdict;
    }
    const summary = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
    return { file: answers.file, spec: this.spec.file, results, summary, firstError: results.find((r) => r.verdict === 'wrong') };
  }
}

function viewProblem(kind: ViewKind): string {
  switch (kind) {
    case 'local': case 'pre': return 'the neuron is not a function of one pre-activation';
    case 'delta': return 'the neuron does not reach the loss, so it has no adjoint';
    case 'via': return 'its backward formula does not keep that use\'s term apart';
  }
}
