// The library's derive: the symbolic derivative of the loss with respect to each param, as the chain rule
// composes it, in the report `exactprop derive` prints and as values.
import type { Spec } from '../spec/model.js';
import { run as runSpec } from '../graph/run.js';
import { markdown } from '../render/markdown.js';
import { latex } from '../render/latex.js';
import { printWhole, type BlockSink } from '../render/document.js';
import { atProblem, derivativesAt, derivatives as paramDerivatives, type ParamDerivative } from '../graph/derive.js';
import { derivationDocument, derivationText, type DerivationReport } from '../render/derivation.js';
import { print } from '../render/text.js';
import { isOne } from '../symbolic/build.js';
import { didYouMean } from '../text/did-you-mean.js';
import { wholeIn } from './shared.js';

export { TooManyPathsError } from '../graph/derive.js';

export interface DeriveOptions {
  /** Only this trained param (default: every one). */
  param?: string;
  /** Evaluate both forms at one step and one sample (data row from 1) of that step's batch. */
  at?: { step: number; sample: number };
  /** The report's format (default text): what `exactprop derive --format FORMAT` prints. */
  format?: 'text' | 'markdown' | 'latex';
  digits?: number;
  /** The largest expanded form written out, in nodes (default: the spec's limits); more throws a
   *  TooManyPathsError. */
  maxNodes?: number;
  /** With `at`: called as the run to that step computes each step (see StreamOptions.onProgress). */
  onProgress?: (step: number, total: number) => void;
}

export interface DerivativeJson {
  param: string;
  /** dL/dloss, the weight of one sample's loss. */
  seed: string;
  /** The chain rule, as `derive` writes it: "sum over the samples of dloss/dyhat * dyhat/dh1 * ...". */
  chain: string;
  /** Each local factor d(of)/d(wrt) and its formula. */
  factors: Array<{ of: string; wrt: string; formula: string }>;
  paths: string[][];
  penalty?: string;
  /** One sample's loss with the neurons substituted, and its derivative. */
  expandedLoss: string;
  expanded: string;
  /** With `at`: the values at that step, for each sample of its batch. */
  at?: Array<{ step: number; sample: number; seed: string; factors: string[]; share: string; expandedShare: string; penalty?: string; gradient: string }>;
}

export interface DeriveResult {
  derivatives: DerivativeJson[];
  /** The whole report as `exactprop derive` prints it. */
  report: string;
}

/** The derivative of the loss with respect to each trained param: its chain-rule and expanded forms. */
export function derive(spec: Spec, options: DeriveOptions = {}): DeriveResult {
  const { derivs, report, text } = derivation(spec, options);
  return { derivatives: derivs.map((d) => derivativeJson(d, report)), report: text };
}

/** Only the report of derive(), as `exactprop derive` prints it (nothing else is computed). */
export function deriveReport(spec: Spec, options: DeriveOptions = {}): string {
  return derivation(spec, options).text;
}

/** Why derive cannot be evaluated at this step and sample (outside the run, or past its batch), or
 *  undefined when it can. */
export function deriveAtProblem(spec: Spec, at: { step: number; sample: number }): string | undefined {
  return atProblem(spec, at.step, at.sample);
}

/** derive()'s report written into a host's own printer (a browser's HTML, say): the same document the
 *  Markdown and LaTeX reports print (format is ignored). */
export function deriveInto(spec: Spec, sink: BlockSink, options: Omit<DeriveOptions, 'format'> = {}): void {
  printWhole(derivationDocument(derivation(spec, { ...options, format: 'markdown' }, false).report), sink);
}

function derivation(spec: Spec, options: DeriveOptions, printed = true): { derivs: ParamDerivative[]; report: DerivationReport; text: string } {
  const params = spec.params.map((p) => p.name);
  if (options.param !== undefined && !params.includes(options.param)) {
    throw new RangeError(`unknown param '${options.param}'${didYouMean(options.param, params)}; the trained params are ${params.join(', ')}`);
  }
  const digits = options.digits ?? 12;
  wholeIn(digits, 'digits', 1, 1000);
  const format = options.format ?? 'text';
  if (!['text', 'markdown', 'latex'].includes(format)) throw new RangeError(`unknown format '${String(format)}' (text, markdown, latex)`);
  // The point of evaluation is checked before the derivatives are formed (they may be too many).
  const problem = options.at ? atProblem(spec, options.at.step, options.at.sample) : undefined;
  if (problem) throw new RangeError(`at: ${problem}`);
  const derivs = paramDerivatives(spec, options.param, options.maxNodes !== undefined ? { maxNodes: options.maxNodes } : {});
  const report: DerivationReport = { spec, derivatives: derivs, digits };
  if (options.at) {
    const onStep = options.onProgress;
    report.at = derivativesAt(spec, derivs, options.at, (s) => runSpec(s, onStep ? { onStep } : {}));
  }
  const text = !printed ? '' : format === 'text' ? derivationText(report) : format === 'markdown' ? markdown(derivationDocument(report)) : latex(derivationDocument(report));
  return { derivs, report, text };
}

function derivativeJson(d: ParamDerivative, report: DerivationReport): DerivativeJson {
  const name = (i: number) => `d${d.factors[i]!.of}/d${d.factors[i]!.wrt}`;
  const products = d.paths.map((p) => p.factors.map(name).join(' * '));
  const seed = isOne(d.seed) ? '' : 'dL/dloss * ';
  const sum = products.length === 0 ? '' : `sum over the samples of ${seed}${products.length === 1 ? products[0] : `(${products.join(' + ')})`}`;
  const terms = [sum, d.penalty ? `dpenalty/d${d.param}` : ''].filter(Boolean);
  const at = report.at?.byParam.get(d.param);
  return {
    param: d.param,
    seed: print(d.seed),
    chain: `dL/d${d.param} = ${terms.length ? terms.join(' + ') : '0'}`,
    factors: d.factors.map((f) => ({ of: f.of, wrt: f.wrt, formula: print(f.formula) })),
    paths: d.paths.map((p) => p.nodes),
    ...(d.penalty ? { penalty: print(d.penalty) } : {}),
    expandedLoss: print(d.expandedLoss),
    expanded: print(d.expanded),
    ...(at ? {
      at: at.map((a) => ({
        step: a.step, sample: a.sample, seed: a.seed.toString(), factors: a.factors.map((f) => f.value.toString()),
        share: a.share.toString(), expandedShare: a.expandedShare.toString(), ...(a.penalty ? { penalty: a.penalty.toString() } : {}), gradient: a.gradient.toString(),
      })),
    } : {}),
  };
}
