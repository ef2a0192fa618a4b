// The catalogue of check's diagnoses: the usual alternative conventions and known mistakes, one entry
// each, and every diagnosis a report can name. Most entries are a small named transformation of the
// spec (another penalty, reduction, convention or optimizer) or of the graph of the training (a
// rewiring of the quantities a hand calculation gets wrong); a written value that one reproduces is
// diagnosed by its id and text. None is a heuristic: each computes a whole training its way. The
// second kind, local entries (evidence.ts: the wrong-slot ones, wrong-slot.ts), explain one value from
// the student's values around it. Adding a diagnosis is one entry in DIAGNOSES (test/diagnoses.test.ts
// shows it on a copy of src/). An optimizer's parts are found by its declared roles
// (OptimizerDef.roles: bias correction, epsilon, weight decay), never by their names.
import { optionSymbol } from '../graph/names.js';
import { adjointName } from '../graph/program.js';
import { ExactDecimal } from '../numeric/context.js';
import { constant, sum, symbol, symbolsOf, type Node as MathNode } from '../symbolic/build.js';
import { FUNCTIONS } from '../symbolic/functions.js';
import { parseExpression } from '../symbolic/parse.js';
import type { Spec } from '../spec/model.js';
import type { LocalDiagnosisEntry } from './evidence.js';
import { addNode, nodeKey } from './graph.js';
import {
  NotApplicable, biases, epsInside, l2Penalty, print, renameOutsideCalls, rewire, squares, stepNodes, substitute,
  withDefinition, withOptions, withPenalty, type Variant,
} from './variants.js';
import { COMMON_MISTAKES } from './mistakes.js';
import { ACTIVATION_LEFT_OUT, BIAS_FORGOTTEN, WEIGHTS_TRANSPOSED } from './neuron-slips.js';
import { ANOTHER_PARAMS_VALUE, PARAM_IN_WRONG_SLOT } from './wrong-slot.js';
import { argsOf, callName, operatorFn } from '../symbolic/tree.js';

/** What a diagnosis makes of one spec: the report's text and the rewrite, as in a Variant. */
export type Rewrite = Omit<Variant, 'id' | 'family'>;

/** A diagnosis that computes the whole training its way. */
export interface TrainingDiagnosisEntry {
  /** Unique in DIAGNOSES. */
  id: string;
  /** The stable name reports use (the JSON report, the README's table), where two entries are one
   *  mistake to a user; default `id`. */
  reportAs?: string;
  /** Entries of one family are alternatives to each other and are never combined. */
  family: string;
  /** What the student did, in one line (the report's own text is the rewrite's, worded for the spec). */
  text: string;
  /** Never tried in a pair with another entry: a change so large (every gradient's sign) that with a
   *  second one it matches unrelated values by chance. */
  alone?: boolean;
  /** The rewrite for this spec, or undefined where the diagnosis does not apply (it would change nothing). */
  applies(spec: Spec): Rewrite | undefined;
}

export type DiagnosisEntry = TrainingDiagnosisEntry | LocalDiagnosisEntry;

export const isLocal = (d: DiagnosisEntry): d is LocalDiagnosisEntry => 'explainer' in d;

/** The id a report names an entry by. */
export const reportedId = (d: DiagnosisEntry): string => d.reportAs ?? d.id;

/** The weight decay in force, by the optimizer's declared role: undefined when it has none or it is 0. */
function weightDecay(spec: Spec): { option: string; value: InstanceType<typeof ExactDecimal> } | undefined {
  const option = spec.training.definition.roles?.weightDecay;
  const value = option === undefined ? undefined : spec.training.options[option];
  return typeof value === 'string' && !new ExactDecimal(value).isZero() ? { option: option!, value: new ExactDecimal(value) } : undefined;
}

/** The penalty's gradient: lambda*w (a (lambda/2)*sum w^2 penalty, or weight decay lambda) against
 *  2*lambda*w (the gradient of lambda*sum w^2). */
function penaltyGradient(factor: '1/2' | '2', word: string) {
  return (spec: Spec): Rewrite | undefined => {
    const penalty = spec.loss.penalty;
    const wd = weightDecay(spec);
    const parts: string[] = [];
    let change = (s: Spec) => s;
    if (penalty) {
      const text = factor === '2' ? `2 * (${penalty.text})` : `(${penalty.text}) / 2`;
      parts.push(`the penalty taken as ${text}, so its gradient is ${word} the spec's`);
      const before = change;
      change = (s) => withPenalty(before(s), text);
    }
    if (wd) {
      const value = factor === '2' ? wd.value.times(2) : wd.value.div(2);
      parts.push(`weight decay ${value.toString()} instead of ${wd.value.toString()} (a penalty gradient ${factor === '2' ? '2*lambda*w, as for lambda * sum w^2' : 'lambda/2*w'}, where the spec has lambda*w)`);
      const before = change;
      change = (s) => withOptions(before(s), { [wd.option]: value.toString() });
    }
    return parts.length ? { text: parts.join('; '), spec: change } : undefined;
  };
}

/** relu'(0) taken as `v`: only matters where a kink function is used. */
function reluAtZero(v: string) {
  return (spec: Spec): Rewrite | undefined => {
    if (v === spec.conventions.relu_at_zero) return undefined;
    const usesKinks = [...spec.neurons, spec.loss.sample].some((e) => {
      let found = false;
      e.expr.traverse((n: MathNode) => {
        if (n.type === 'FunctionNode' && FUNCTIONS[callName(n)]?.kink) found = true;
      });
      return found;
    });
    if (!usesKinks) return undefined;
    return {
      atKinks: true,
      text: `relu'(0) taken as ${v} (the spec takes ${spec.conventions.relu_at_zero})`,
      spec: (s) => ({ ...s, conventions: { ...s.conventions, relu_at_zero: v } }),
    };
  };
}

const isDivision = (n: MathNode) => n.type === 'OperatorNode' && operatorFn(n) === 'divide';

/** The table, in the order the diagnoses are tried and reported (the entries that compute a training
 *  first, then the local ones, whatever their place in the table). */
export const DIAGNOSES: DiagnosisEntry[] = [
  {
    id: 'penalty-gradient-halved', family: 'penalty-gradient',
    text: "the penalty's gradient lambda*w where the spec's gives 2*lambda*w (a penalty in the loss, or weight decay)",
    applies: penaltyGradient('1/2', 'half'),
  },
  {
    id: 'penalty-gradient-doubled', family: 'penalty-gradient',
    text: "the penalty's gradient 2*lambda*w where the spec's gives lambda*w (a penalty in the loss, or weight decay)",
    applies: penaltyGradient('2', 'twice'),
  },
  {
    id: 'biases-regularised', family: 'biases',
    text: 'the biases penalised too, where the L2 penalty leaves them out',
    applies: (spec) => {
      const l2 = l2Penalty(spec);
      const missing = l2 ? biases(spec).filter((b) => !l2.penalised.includes(b)) : [];
      if (!l2 || !missing.length) return undefined;
      const text = `${spec.loss.penalty!.text} + (${print(l2.c)}) / 2 * (${print(squares(missing))})`;
      return { text: `the biases (${missing.join(', ')}) penalised too: penalty ${text}`, spec: (s) => withPenalty(s, text) };
    },
  },
  {
    id: 'biases-not-regularised', family: 'biases',
    text: 'the biases left out of the L2 penalty, where the spec penalises them',
    applies: (spec) => {
      const l2 = l2Penalty(spec);
      const included = l2 ? biases(spec).filter((b) => l2.penalised.includes(b)) : [];
      if (!l2 || !included.length) return undefined;
      const text = `${spec.loss.penalty!.text} - (${print(l2.c)}) / 2 * (${print(squares(included))})`;
      return { text: `the biases (${included.join(', ')}) left out of the penalty`, spec: (s) => withPenalty(s, text) };
    },
  },
  // The weight-decay form of the same mistake: reports name it as the penalty form, as they always
  // have (both forms are one family, never combined).
  {
    id: 'biases-not-decayed', reportAs: 'biases-not-regularised', family: 'biases',
    text: "no weight decay on the biases, where the optimizer's weight decay applies to every param",
    applies: (spec) => {
      const wd = weightDecay(spec);
      const biasNames = biases(spec);
      if (!wd || !biasNames.length) return undefined;
      const decay = optionSymbol(wd.option);
      return {
        text: `no weight decay on the biases (${biasNames.join(', ')}): their update uses the plain gradient`,
        graph: (g) => {
          for (const [n, id] of g.nodes.map((n, id) => [n, id] as const)) {
            if ((n.role === 'optimizer' || n.role === 'param') && biasNames.includes(n.of!) && n.symbols.includes(decay)) {
              rewire(g, id, substitute(n.formula!, decay, constant(0)));
            }
          }
        },
      };
    },
  },
  {
    id: 'penalty-left-out', family: 'penalty-value',
    text: 'the loss value without the penalty',
    applies: (spec) => {
      const penalty = spec.loss.penalty;
      if (!penalty) return undefined;
      return {
        text: `the penalty (${penalty.text}) left out of the loss value: the total written is the data term alone`,
        graph: (g) => {
          for (let step = 1; step <= g.steps + (g.final ? 1 : 0); step++) {
            const total = g.index.get(nodeKey(step, undefined, 'loss.total'));
            if (total !== undefined) rewire(g, total, symbol('loss.data'), { 'loss.data': g.index.get(nodeKey(step, undefined, 'loss.data'))! });
          }
        },
      };
    },
  },
  { id: 'relu-at-zero-1', family: 'relu-at-zero', text: "relu'(0) taken as 1", applies: reluAtZero('1') },
  { id: 'relu-at-zero-0', family: 'relu-at-zero', text: "relu'(0) taken as 0", applies: reluAtZero('0') },
  { id: 'relu-at-zero-0.5', family: 'relu-at-zero', text: "relu'(0) taken as 0.5", applies: reluAtZero('0.5') },
  {
    id: 'mse-without-1-over-n', family: 'reduce',
    text: 'the loss summed over the batch where the spec averages it',
    applies: (spec) => spec.loss.reduce === 'mean' && spec.training.batchSize > 1
      ? { text: 'the loss summed over the batch, not averaged (no 1/n)', spec: (s) => ({ ...s, loss: { ...s.loss, reduce: 'sum' } }) }
      : undefined,
  },
  {
    id: 'mse-with-1-over-n', family: 'reduce',
    text: 'the loss averaged over the batch where the spec sums it',
    applies: (spec) => spec.loss.reduce === 'sum' && spec.training.batchSize > 1
      ? { text: 'the loss averaged over the batch (1/n), not summed', spec: (s) => ({ ...s, loss: { ...s.loss, reduce: 'mean' } }) }
      : undefined,
  },
  {
    id: 'mse-with-half', family: 'half',
    text: 'the sample loss with a factor 1/2',
    applies: (spec) => {
      const text = `(${spec.loss.sample.text}) / 2`;
      return {
        text: `the sample loss with a factor 1/2: ${text}`,
        spec: (s) => ({ ...s, loss: { ...s.loss, sample: { ...s.loss.sample, text, expr: parseExpression(text) } } }),
      };
    },
  },
  {
    id: 'adam-no-bias-correction', family: 'bias-correction',
    text: "the optimizer's bias-corrected moments taken uncorrected (mhat = m, vhat = v)",
    applies: (spec) => {
      const def = spec.training.definition;
      const roles = def.roles?.biasCorrection ?? [];
      const corrected = def.updates(spec.training.options).filter((u) => roles.includes(u.name) && isDivision(parseExpression(u.formula)));
      if (!roles.length || corrected.length !== roles.length) return undefined;
      return {
        text: `${def.title} without bias correction: ${corrected.map((u) => `${u.name} = ${print(argsOf(parseExpression(u.formula))[0]!)}`).join(' and ')}`,
        spec: (s) => withDefinition(s, {
          ...s.training.definition,
          title: `${s.training.definition.title} without bias correction`,
          updates: (o) => s.training.definition.updates(o).map((u) =>
            roles.includes(u.name) && isDivision(parseExpression(u.formula)) ? { name: u.name, formula: print(argsOf(parseExpression(u.formula))[0]!) } : u),
        }),
      };
    },
  },
  {
    id: 'eps-inside-sqrt', family: 'eps',
    text: "the optimizer's epsilon inside the square root instead of added to it",
    applies: (spec) => {
      const eps = spec.training.definition.roles?.epsilon;
      if (eps === undefined) return undefined;
      const moved = (formula: string) => print(epsInside(parseExpression(formula), eps));
      if (!spec.training.definition.updates(spec.training.options).some((u) => moved(u.formula) !== print(parseExpression(u.formula)))) return undefined;
      return {
        text: `${eps} inside the square root: sqrt(vhat + ${eps}) instead of sqrt(vhat) + ${eps}`,
        spec: (s) => withDefinition(s, {
          ...s.training.definition,
          title: `${s.training.definition.title}, ${eps} inside the square root`,
          updates: (o) => s.training.definition.updates(o).map((u) => ({ ...u, formula: moved(u.formula) })),
        }),
      };
    },
  },
  // Backward-pass mistakes.
  {
    id: 'sum-times-sum', family: 'sum-times-sum',
    text: "the batch's summed output error multiplied into every sample's terms",
    applies: (spec) => {
      const lossUses = symbolsOf(spec.loss.sample.expr);
      const outputs = spec.neurons.map((n) => n.name).filter((n) => lossUses.has(n));
      if (spec.training.batchSize <= 1 || !outputs.length) return undefined;
      return {
        text: `the summed error times the summed inputs: the batch's total output error (the sum of ${outputs.map(adjointName).join(', ')} over its samples) multiplied into every sample's terms, so a gradient is (sum of errors) * (sum of inputs) instead of the sum of (error * input)`,
        graph: (g) => {
          for (let step = 1; step <= g.steps; step++) {
            const rows = [...new Set(stepNodes(g, step).map(([n]) => n.row).filter((r): r is number => r !== undefined))];
            if (rows.length < 2) continue;
            for (const o of outputs) {
              const ids = rows.map((r) => g.index.get(nodeKey(step, r, adjointName(o)))!);
              const names = rows.map((r) => `${adjointName(o)}[${r + 1}]`);
              const total = addNode(g, { key: nodeKey(step, undefined, `sum ${adjointName(o)}`), step, row: undefined, name: `sum ${adjointName(o)}`, role: 'adjoint' },
                sum(names.map(symbol)), (s) => ids[names.indexOf(s)]!);
              for (const [n] of stepNodes(g, step)) {
                if (n.row === undefined) continue;
                n.inputs = n.inputs.map((i) => (ids.includes(i) ? total : i));
              }
            }
          }
        },
      };
    },
  },
  {
    id: 'updated-weights-in-backward', family: 'updated-weights',
    text: "the backward pass multiplies by weights already updated in this step",
    applies: (spec) => {
      const params = new Set(spec.params.map((p) => p.name).filter((p) => !(spec.frozen ?? []).includes(p)));
      const updatedName = (p: string) => `${p} (updated)`;
      return {
        text: 'weights already updated used in the backward pass: the adjoints of earlier neurons multiply by the weights after this step\'s update',
        graph: (g) => {
          let changed = false;
          for (let step = 1; step <= g.steps; step++) {
            for (const [n, id] of stepNodes(g, step)) {
              if (n.role !== 'adjoint' || n.row === undefined) continue;
              const formula = renameOutsideCalls(n.formula!, (s) => (params.has(s) ? updatedName(s) : undefined));
              const renamed = [...symbolsOf(formula)].filter((s) => s.endsWith(' (updated)'));
              if (!renamed.length) continue;
              changed = true;
              rewire(g, id, formula, Object.fromEntries(renamed.map((s) => [s, g.index.get(nodeKey(step, undefined, s.slice(0, -' (updated)'.length)))!])));
            }
          }
          if (!changed) throw new NotApplicable();
        },
      };
    },
  },
  // Mistakes common in hand calculations and published solutions (mistakes.ts).
  ...COMMON_MISTAKES,
  // Local: tried after every entry above, on the written value alone.
  PARAM_IN_WRONG_SLOT,
  BIAS_FORGOTTEN,
  WEIGHTS_TRANSPOSED,
  ACTIVATION_LEFT_OUT,
  ANOTHER_PARAMS_VALUE,
];

/** The catalogue, for one spec: the variants that apply to it (the others would change nothing). */
export function conventionVariants(spec: Spec): Variant[] {
  return DIAGNOSES.flatMap((d) => {
    if (isLocal(d)) return [];
    const rewrite = d.applies(spec);
    return rewrite ? [{ id: reportedId(d), family: d.family, ...rewrite, ...(d.alone ? { alone: true } : {}) }] : [];
  });
}
