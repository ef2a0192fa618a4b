// Plain-text printer of the worked solution: each quantity as formula, then the formula with the
// numbers put in, then the value (the layout of a hand calculation), indented by step and sample.
import { roundedText, type Dec } from '../numeric/context.js';
import type { Node } from '../symbolic/build.js';
import { initialValues, written, type Calc, type Solution, type SolutionWriter } from './solution.js';
import { terminalSafe, terminalSafeLine } from '../text/escape.js';
import type { Certification } from '../certify/certify.js';
import { isRationalContext } from '../numeric/rational.js';
import { displayName, isInternal } from '../graph/names.js';

export interface TextOptions {
  /** Significant digits shown; values are exact at the working precision underneath. */
  digits: number;
  /** With --certify: said in the header (the caller caps `digits` at the fewest certified). */
  certification?: Certification;
}

export function solutionText(sol: Solution, options: TextOptions): string {
  let out = '';
  written(sol, textWriter((t) => (out += t), options));
  return out;
}

/**
 * The text solution written as the run goes: the header before the first step, each step as it is
 * finished, the final values and warnings at the end. User text (the file name, a custom optimizer's
 * title, expressions) is made terminal-safe: this is what a terminal shows.
 */
export function textWriter(write: (text: string) => void, { digits, certification }: TextOptions): SolutionWriter {
  // An exact fraction without a finite decimal expansion is written as the fraction, then its decimal.
  const num = (d: Dec) => {
    const r = roundedText(d, digits);
    const fraction = (d as unknown as { isTerminating?: () => boolean }).isTerminating?.() === false ? `${d.toString()} ≈ ` : '';
    return fraction + (r.exact ? r.text : `${r.text}…`);
  };
  // Lines of a part are gathered and written together: one write per part, not per line.
  const lines = (build: (out: string[]) => void) => {
    const out: string[] = [];
    build(out);
    write(out.map((l) => `${l}\n`).join(''));
  };
  return {
    start(trace) {
      const { spec } = trace;
      const title = terminalSafe(trace.optimizer.def.title);
      lines((out) => {
        const opts = Object.entries(spec.training.options).map(([k, v]) => `${k} ${v}`).join(', ');
        out.push(`exactprop worked solution: ${terminalSafeLine(spec.file)}`);
        const arithmetic = isRationalContext(trace.ctx) ? 'exact fractions' : `precision ${spec.precision} digits`;
        out.push(terminalSafe(`${arithmetic} (shown to ${digits}); ${title} (${opts}); ` +
          `${spec.training.epochs} epoch${spec.training.epochs > 1 ? 's' : ''}, batch ${spec.training.batch}; ` +
          `loss = ${spec.loss.reduce} of ${spec.loss.sample.text}${spec.loss.penalty ? ` + ${spec.loss.penalty.text}` : ''}`));
        out.push(`conventions: ${spec.conventions.preset}; relu_at_zero = ${spec.conventions.relu_at_zero} (relu'(0), written heaviside(0))${spec.frozen.length ? `; frozen: ${spec.frozen.join(', ')}` : ''}`);
        if (certification) {
          out.push(`certified: every value was computed again at ${certification.referencePrecision} digits; every value agrees to at least ${certification.fewest} significant digits, and no digit shown is uncertified` +
            (certification.undecidable.length ? `; UNDECIDABLE branches at this precision: ${certification.undecidable.length} (see warnings)` : '; every branch was decided the same way'));
        }
        out.push('');
        out.push(`initial values: ${initialValues(trace).map(([n, v]) => `${n} = ${num(v)}`).join(', ')}`);
      });
    },
    step(step, trace) {
      lines((out) => {
        out.push('');
        out.push(`== Step ${step.step} (epoch ${step.epoch}), samples ${step.samples.map((s) => s.sample).join(', ')} ==`);
      });
      // A sample at a time: a step of a large batch is never one string.
      for (const sample of step.samples) {
        lines((out) => {
          out.push('');
          out.push(`  Sample ${sample.sample}: ${sample.given.map(([n, v]) => `${n} = ${num(v)}`).join(', ')}`);
          out.push('    forward');
          sample.forward.forEach((c) => out.push(...calcLines(c, num, '      ')));
          out.push('    backward');
          sample.backward.forEach((c) => out.push(...calcLines(c, num, '      ')));
        });
      }
      lines((out) => {
        out.push('');
        out.push('  Loss');
        step.loss.forEach((c) => out.push(...calcLines(c, num, '    ')));
        out.push('  Gradients (of the total loss)');
        step.gradients.forEach((c) => out.push(...calcLines(c, num, '    ')));
        out.push(`  ${terminalSafe(trace.optimizer.def.title)} update (t = ${step.step})`);
        for (const u of step.updates) {
          u.calcs.forEach((c) => out.push(...calcLines(c, num, '    ')));
        }
      });
    },
    end(trace, final) {
      lines((out) => {
        out.push('');
        out.push(`final values: ${final.map(([n, v]) => `${n} = ${num(v)}`).join(', ')}`);
        const warnings = [...trace.warnings.map((w) => w.message), ...(certification?.undecidable.map((u) => u.message) ?? [])];
        if (warnings.length > 0) {
          out.push('');
          out.push('warnings:');
          for (const w of warnings) out.push(`  - ${terminalSafe(w)}`);
        }
      });
    },
  };
}

function calcLines(c: Calc, num: (d: Dec) => string, indent: string): string[] {
  const formula = print(c.eq.formula);
  const lead = `${indent}${c.eq.name} = `;
  const value = num(c.value);
  if (c.eq.formula.type === 'ConstantNode') return [`${lead}${value}`];
  if (c.eq.formula.type === 'SymbolNode') return [`${lead}${formula} = ${value}`];
  const values = new Map(c.eq.symbols.map((s, i) => [s, c.inputs[i]!]));
  const substituted = print(c.eq.formula, (name) => {
    const v = values.get(name);
    if (!v) return undefined;
    const t = num(v).replace('…', '').replace(/^.* ≈ /, '');
    return v.isNegative() && !v.isZero() ? `(${t})` : t;
  });
  const pad = ' '.repeat(lead.length - 2);
  const lines = [`${lead}${formula}`];
  if (substituted !== formula && substituted !== value) lines.push(`${pad}= ${substituted}`);
  lines.push(`${pad}= ${value}`);
  return lines;
}

/** A formula as text; `valueOf` replaces names by numbers for the substitution line. */
export function print(formula: Node, valueOf?: (name: string) => string | undefined): string {
  return formula.toString({
    parenthesis: 'auto',
    implicit: 'show',
    handler: (node: Node) => {
      if (node.type === 'SymbolNode') {
        const name = (node as unknown as { name: string }).name;
        return (valueOf ? valueOf(name) : undefined) ?? (isInternal(name) ? displayName(name) : undefined);
      }
      // A constant as written (mathjs would format a BigNumber its own way).
      if (node.type === 'ConstantNode') return String((node as unknown as { value: unknown }).value);
      return undefined;
    },
  } as never);
}
