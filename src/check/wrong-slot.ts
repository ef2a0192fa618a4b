// The wrong-slot diagnoses: a value taken from the wrong place. Both are local (evidence.ts): a slip of
// one lookup, at one step, so they are tried on the value alone with the student's own values as
// inputs, not as a convention applied throughout the training. Neither is claimed for a written 0: a
// zero is no evidence of which slot it came from.
import { compile, type Compiled } from '../graph/evaluate.js';
import { adjointName, optimizerName } from '../graph/program.js';
import { symbol, symbolsOf, type Node as MathNode } from '../symbolic/build.js';
import type { LocalDiagnosisEntry } from './evidence.js';
import { nodeKey, pathOf } from './graph.js';
import { print, substitute } from './variants.js';

/** A parameter from the wrong slot: a neuron's equation with one param read in place of another. */
export interface SlotSwap {
  param: string;
  instead: string;
  formula: MathNode;
  text: string;
}

export function slotSwaps(neuron: string, formula: MathNode, params: string[]): SlotSwap[] {
  const used = [...symbolsOf(formula)].filter((s) => params.includes(s));
  const out: SlotSwap[] = [];
  for (const p of used) {
    for (const q of params) {
      if (q === p) continue;
      const swapped = substitute(formula, p, symbol(q));
      out.push({ param: q, instead: p, formula: swapped, text: `${q} used in place of ${p} in ${neuron}: ${neuron} = ${print(swapped)}` });
    }
  }
  return out;
}

/** A param from the wrong slot in this neuron's own equation, with the student's values. */
export const PARAM_IN_WRONG_SLOT: LocalDiagnosisEntry = {
  id: 'wrong-slot', family: 'wrong-slot',
  text: "a param read from the wrong slot in a neuron's equation",
  explainer: ({ graph, params, totalSteps }) => {
    // By the neuron's formula (one object for every sample and step): each swap compiled once.
    const compiled = new Map<object, Array<SlotSwap & { run: Compiled; symbols: string[] }>>();
    const swapsOf = (formula: MathNode, neuron: string) => {
      let found = compiled.get(formula);
      if (!found) {
        found = slotSwaps(neuron, formula, params).map((swap) => {
          const symbols = [...symbolsOf(swap.formula)];
          const slot = new Map(symbols.map((s, i) => [s, i]));
          return { ...swap, symbols, run: compile(swap.formula, (s) => slot.get(s)!, graph.ctx) };
        });
        compiled.set(formula, found);
      }
      return found;
    };
    return ({ id, written, reproduces, value }) => {
      const node = graph.nodes[id]!;
      if (node.role !== 'neuron' || written.value.isZero()) return [];
      const inputOf = new Map(node.symbols.map((s, i) => [s, node.inputs[i]!]));
      // A param the equation does not read comes from the params in force at this step: those after
      // the step before (the final forward pass reads the trained ones).
      const before = node.step > totalSteps ? totalSteps : node.step - 1;
      const texts: string[] = [];
      for (const swap of swapsOf(node.formula!, node.name)) {
        const vals = swap.symbols.map((s) => value(inputOf.get(s) ?? graph.index.get(nodeKey(before, undefined, s))!));
        if (reproduces(swap.run({ vals, kinks: [] }))) texts.push(swap.text);
      }
      return texts;
    };
  },
};

/** The value of another param's quantity written under this one: computed exactly, or the way the
 *  student computes elsewhere in this file (a convention that explained an earlier value). Looked for
 *  only when nothing else explains the value: a label is the less likely coincidence. */
export const ANOTHER_PARAMS_VALUE: LocalDiagnosisEntry = {
  id: 'wrong-slot-value', reportAs: 'wrong-slot', family: 'wrong-slot',
  text: "another param's value (its gradient, optimizer quantity or new value) written under this param",
  onlyUnexplained: true,
  explainer: ({ graph, params }) => ({ id, written, reproduces, computed, shownReproducing }) => {
    const node = graph.nodes[id]!;
    const p = node.of;
    if (p === undefined || written.value.isZero() || !['share', 'gradient', 'optimizer', 'param'].includes(node.role)) return [];
    const texts: string[] = [];
    for (const q of params) {
      if (q === p) continue;
      const name = node.role === 'share' || node.role === 'gradient' ? adjointName(q) : node.role === 'optimizer' ? optimizerName(node.local!, q) : q;
      const other = graph.index.get(nodeKey(node.step, node.row, name));
      if (other === undefined) continue;
      if (reproduces(computed(other))) {
        texts.push(`the value of ${pathOf(graph, other)}, written under ${p}`);
        continue;
      }
      const shown = shownReproducing(other);
      if (shown) texts.push(`the value of ${pathOf(graph, other)} under ${shown.id} (${shown.text}), written under ${p}`);
    }
    return texts;
  },
};
