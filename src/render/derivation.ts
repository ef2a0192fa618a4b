// `exactprop derive` output: per param, the chain-rule form with each local factor, the expanded form,
// and (with --at) every factor's value at one step and sample: one document (derivationDocument),
// printed in plain text, Markdown and LaTeX.
import type { Spec } from '../spec/model.js';
import type { Dec, NumericContext } from '../numeric/context.js';
import { rounded, substituted } from './numbers.js';
import { isOne, type Node } from '../symbolic/build.js';
import type { DerivativeAt, ParamDerivative } from '../graph/derive.js';
import { print } from './plain.js';
import { math, type Block, type Doc, type Inline, type MathLine, type Medium } from './document.js';
import { plainText } from './text.js';
import { notationFor } from './solution-doc.js';
import { callsFunction } from '../symbolic/functions.js';
import { adjointOf, ofSample, stepLoss } from '../graph/ids.js';

export interface DerivationReport {
  spec: Spec;
  derivatives: ParamDerivative[];
  /** With --at: the step and sample, and for each param the values at every sample of that step's batch. */
  at?: { step: number; sample: number; byParam: Map<string, DerivativeAt[]>; ctx: NumericContext };
  digits: number;
}

/** The chain-rule and expanded values agree to the working precision (a disagreement is a bug). */
export function formsAgree(a: DerivativeAt, ctx: NumericContext): boolean {
  const scale = a.share.abs().gt(1) ? a.share.abs() : ctx.one;
  const tolerance = scale.times(new ctx.D(10).pow(-(ctx.precision - 5)));
  return a.share.minus(a.expandedShare).abs().lte(tolerance) && a.share.minus(a.engineShare).abs().lte(tolerance);
}

/** Whether a formula calls the step function relu'(z), whose value at 0 is conventions.relu_at_zero. */
const callsHeaviside = (tree: Node) => callsFunction(tree, (name) => name === 'heaviside');
const usesStep = (trees: Node[]) => trees.some(callsHeaviside);
const factorName = (of: string, wrt: string) => `d${of}/d${wrt}`;

// ------------------------------------------------------------------------------------------ document

/** derive's plain text: the document printed by the text printer. */
export function derivationText(r: DerivationReport): string {
  return plainText(derivationDocument(r, 'text'));
}

/**
 * derive's output as one document: the loss, then per param the chain-rule form, the expanded form and
 * (with --at) the values. Typeset, every formula is TeX (Notation); plain text writes the same parts in
 * the plain notation, one line each, under its own wording. `medium`: make only that medium's blocks
 * (the TeX of a large expanded form costs); absent, both.
 */
export function derivationDocument(r: DerivationReport, medium?: Medium): Doc {
  const { spec, digits } = r;
  const typeset = medium !== 'text';
  const text = medium !== 'typeset';
  const N = typeset ? notationFor(spec) : undefined!;
  const opts = { digits };
  const file = spec.file.split(/[\\/]/).pop()!;
  const blocks: Block[] = [];
  const h = (level: 1 | 2 | 3 | 4, plain: Block['plain'], ...content: Inline[]) => blocks.push({ kind: 'heading', level, content, plain });
  const p = (...content: Inline[]) => typeset && blocks.push({ kind: 'paragraph', content, only: 'typeset' });
  const display = (...groups: MathLine[][]) => typeset && blocks.push({ kind: 'math', only: 'typeset', groups: groups.filter((g) => g.length > 0) });
  // Plain text's lines: each a paragraph at `indent`, right under the line above.
  const line = (indent: number, words: string) => text && blocks.push({ kind: 'paragraph', only: 'text', content: [{ literal: words }], plain: { indent, tight: true } });
  const lines = (lhs: string, rel: string, texLines: string[]): MathLine[] => texLines.map((t, i) => ({ lhs: i === 0 ? lhs : '', rel: i === 0 ? rel : '', rhs: t }));
  const pen = (param: string) => N.partial(stepLoss('penalty'), param);
  const ell = typeset ? N.name('loss') : '';
  const value = (d: Dec) => N.number(d, digits);
  const rel = (d: Dec) => (value(d).rounded ? '\\approx' : '=');
  const paren = (d: Dec) => (d.isNegative() && !d.isZero() ? `(${value(d).tex})` : value(d).tex);
  const num = (d: Dec) => rounded(d, digits);
  const plainParen = (d: Dec) => substituted(d, digits);

  h(1, { content: ['exactprop derive: ', { literal: spec.file }] }, `Derivatives of the loss: ${file}`);
  line(0, `L = ${spec.loss.reduce} over the n samples of a batch of loss${spec.loss.penalty ? ', + penalty' : ''}`);
  line(2, `loss = ${spec.loss.sample.text}`);
  if (spec.loss.penalty) line(2, `penalty = ${spec.loss.penalty.text}`);
  p('The loss, for a batch of ', math('n'), ' samples:');
  if (typeset) {
    const reduced = spec.loss.reduce === 'mean' ? `\\frac{1}{n} \\sum_{s=1}^{n} ${ell}^{(s)}` : `\\sum_{s=1}^{n} ${ell}^{(s)}`;
    display([
      { lhs: 'L', rel: '=', rhs: spec.loss.penalty ? `${reduced} + ${N.quantity(stepLoss('penalty'))}` : reduced },
      { lhs: ell, rel: '=', rhs: N.formula(spec.loss.sample.expr, opts).tex },
      ...(spec.loss.penalty ? [{ lhs: N.quantity(stepLoss('penalty')), rel: '=', rhs: N.formula(spec.loss.penalty.expr, opts).tex }] : []),
      ...spec.neurons.map((n) => ({ lhs: N.name(n.name), rel: '=', rhs: N.formula(n.expr, opts).tex })),
    ]);
  }
  if (usesStep(r.derivatives.flatMap((d) => [...d.factors.map((f) => f.formula), d.expanded]))) {
    const step = typeset ? N.stepFunction : '';
    blocks.push({
      kind: 'paragraph',
      content: [math(`${step}(z)`), ' is the derivative of ', math('\\operatorname{ReLU}'), ', a step function: ', math('1'), ' for ', math('z > 0'), ', ',
        math('0'), ' for ', math('z < 0'), ', and ', math(`${step}(0) = ${spec.conventions.relu_at_zero}`), ' (conventions.relu_at_zero).'],
      plain: { content: [{ literal: `heaviside(z) = relu'(z): 1 if z > 0, 0 if z < 0, and ${spec.conventions.relu_at_zero} at z = 0 (conventions.relu_at_zero)` }], tight: true },
    });
  }
  const seedShown = (d: ParamDerivative) => !isOne(d.seed);

  for (const d of r.derivatives) {
    const param = d.param;
    const dL = typeset ? N.quantity(adjointOf(param)) : '';
    const seedTex = isOne(d.seed) ? '' : `${typeset ? N.quantity(adjointOf('loss')) : ''} \\cdot `;
    h(2, { content: [`== dL/d${param} ==`] }, math(dL));
    h(3, { content: ['chain rule'], tight: true }, 'Chain rule');
    const product = (path: ParamDerivative['paths'][number]) => path.factors.map((i) => N.partial(d.factors[i]!.of, d.factors[i]!.wrt)).join(' \\cdot ');
    const products = typeset ? d.paths.map(product) : d.paths.map(() => '');
    const sum = products.length === 0 ? '' : `\\sum_{s=1}^{n} ${seedTex}${products.length === 1 ? products[0] : `\\left(${products.join(' + ')}\\right)`}`;
    const terms = [sum, d.penalty ? (typeset ? pen(param) : 'penalty') : ''].filter(Boolean);
    display([{ lhs: dL, rel: '=', rhs: terms.length ? terms.join(' + ') : '0' }]);
    if (text) {
      const plainProducts = d.paths.map((path) => path.factors.map((i) => factorName(d.factors[i]!.of, d.factors[i]!.wrt)).join(' * '));
      const seed = seedShown(d) ? 'dL/dloss * ' : '';
      const plainSum = plainProducts.length === 0 ? '' : plainProducts.length === 1 ? `sum over the samples of ${seed}${plainProducts[0]}` : `sum over the samples of ${seed}(${plainProducts.join(' + ')})`;
      const plainTerms = [plainSum, d.penalty ? `dpenalty/d${param}` : ''].filter(Boolean);
      line(2, `dL/d${param} = ${plainTerms.length ? plainTerms.join(' + ') : `0 (the loss does not depend on ${param})`}`);
      if (plainTerms.length) {
        line(2, 'where');
        if (plainProducts.length && seedShown(d)) line(4, `dL/dloss = ${print(d.seed)}`);
        for (const f of d.factors) line(4, `${factorName(f.of, f.wrt)} = ${print(f.formula)}`);
        if (d.penalty) line(4, `dpenalty/d${param} = ${print(d.penalty)}`);
      }
    }
    if (terms.length === 0) {
      p(`The loss does not depend on ${param}.`);
    } else if (typeset) {
      p('where each factor is the derivative of one equation with respect to one of its symbols:');
      display([
        ...(products.length && !isOne(d.seed) ? [{ lhs: N.quantity(adjointOf('loss')), rel: '=', rhs: N.formula(d.seed, opts).tex }] : []),
        ...d.factors.map((f) => ({ lhs: N.partial(f.of, f.wrt), rel: '=', rhs: N.formula(f.formula, opts).tex })),
        ...(d.penalty ? [{ lhs: pen(param), rel: '=', rhs: N.formula(d.penalty, opts).tex }] : []),
      ]);
    }
    h(3, { content: ["expanded: one sample's loss with the neurons substituted, differentiated as a whole"], tight: true }, 'Expanded');
    line(2, `loss = ${print(d.expandedLoss)}`);
    line(2, `dloss/d${param} = ${print(d.expanded)}`);
    line(2, `dL/d${param} = ${[`sum over the samples of ${seedShown(d) ? 'dL/dloss * ' : ''}dloss/d${param}`, d.penalty ? `dpenalty/d${param}` : ''].filter(Boolean).join(' + ')}`);
    p('One sample\'s loss with the neurons substituted in, differentiated as a whole:');
    if (typeset) {
      display(
        lines(ell, '=', N.formulaLines(d.expandedLoss, opts).lines),
        lines(N.partial('loss', param), '=', N.formulaLines(d.expanded, opts).lines),
        [{ lhs: dL, rel: '=', rhs: [`\\sum_{s=1}^{n} ${seedTex}${N.partial('loss', param)}`, d.penalty ? pen(param) : ''].filter(Boolean).join(' + ') }],
      );
    }

    const all = r.at?.byParam.get(param);
    if (!r.at || !all) continue;
    const a = all.find((x) => x.sample === r.at!.sample)!;
    h(3, { content: [`at step ${a.step}, sample ${a.sample} (the params as they were before step ${a.step})`], tight: true }, `At step ${a.step}, sample ${a.sample}`);
    if (text) {
      if (seedShown(d) && d.paths.length) line(2, `dL/dloss = ${num(a.seed)}`);
      d.factors.forEach((f, i) => {
        const v = a.factors[i]!;
        const kink = v.atKink ? ` (at the kink: ${callsHeaviside(f.formula) ? `heaviside(0) = ${spec.conventions.relu_at_zero} by conventions.relu_at_zero` : 'the convention at 0 decides'})` : '';
        line(2, `${factorName(f.of, f.wrt)} = ${num(v.value)}${kink}`);
      });
      const seedPart = seedShown(d) ? `${plainParen(a.seed)} * ` : '';
      const pathText = d.paths.map((path) => path.factors.map((i) => plainParen(a.factors[i]!.value)).join(' * '));
      if (d.paths.length === 1) line(2, `chain rule: ${seedPart}${pathText[0]} = ${num(a.share)}`);
      else if (d.paths.length > 1) line(2, `chain rule: ${seedPart}(${pathText.join(' + ')}) = ${num(a.share)}`);
      else line(2, `chain rule: no path from the loss to ${param}, so 0`);
      line(2, `dloss/d${param} = ${num(a.expanded.value)}`);
      line(2, `expanded: ${seedPart}${plainParen(a.expanded.value)} = ${num(a.expandedShare)}`);
      line(2, formsAgree(a, r.at.ctx)
        ? "the two forms agree, and agree with the backward pass of 'exactprop run'"
        : `DISAGREEMENT (a bug, please report it): chain rule ${a.share}, expanded ${a.expandedShare}, backward pass ${a.engineShare}`);
      if (a.penalty) line(2, `dpenalty/d${param} = ${num(a.penalty)}`);
      const parts = [...all.map((x) => plainParen(x.share)), ...(a.penalty ? [plainParen(a.penalty)] : [])];
      line(2, `dL/d${param} at step ${a.step} = ${parts.join(' + ')} = ${num(a.gradient)} ` +
        `(the shares of samples ${all.map((x) => x.sample).join(', ')}${a.penalty ? ", and the penalty's term" : ''})`);
    }
    if (!typeset) continue;
    p(`With the params as they were before step ${a.step}:`);
    const factorLines: MathLine[] = [
      ...(products.length && !isOne(d.seed) ? [{ lhs: N.quantity(adjointOf('loss')), rel: rel(a.seed), rhs: value(a.seed).tex }] : []),
      ...d.factors.map((f, i) => {
        const v = a.factors[i]!;
        const kink = v.atKink ? `\\quad (\\text{at the kink: } ${N.stepFunction}(0) = ${spec.conventions.relu_at_zero})` : '';
        return { lhs: N.partial(f.of, f.wrt), rel: rel(v.value), rhs: `${value(v.value).tex}${kink}` };
      }),
      { lhs: N.partial('loss', param), rel: rel(a.expanded.value), rhs: value(a.expanded.value).tex },
      ...(a.penalty ? [{ lhs: pen(param), rel: rel(a.penalty), rhs: value(a.penalty).tex }] : []),
    ];
    const seedValue = isOne(d.seed) ? '' : `${paren(a.seed)} \\cdot `;
    const pathValues = d.paths.map((path) => path.factors.map((i) => paren(a.factors[i]!.value)).join(' \\cdot '));
    const chain = pathValues.length === 0 ? '0' : `${seedValue}${pathValues.length === 1 ? pathValues[0] : `\\left(${pathValues.join(' + ')}\\right)`}`;
    display(factorLines, [
      { lhs: `\\text{chain rule: } ${N.quantity(ofSample(a.sample - 1, adjointOf(param)))}`, rel: '=', rhs: chain },
      { lhs: '', rel: rel(a.share), rhs: value(a.share).tex },
      { lhs: `\\text{expanded: } ${N.quantity(ofSample(a.sample - 1, adjointOf(param)))}`, rel: '=', rhs: `${seedValue}${paren(a.expanded.value)}` },
      { lhs: '', rel: rel(a.expandedShare), rhs: value(a.expandedShare).tex },
    ], [
      { lhs: `${dL}\\Big|_{\\text{step } ${a.step}}`, rel: '=', rhs: [...all.map((x) => paren(x.share)), ...(a.penalty ? [paren(a.penalty)] : [])].join(' + ') },
      { lhs: '', rel: rel(a.gradient), rhs: value(a.gradient).tex },
    ]);
    p(formsAgree(a, r.at.ctx)
      ? `The two forms agree to the working precision (${r.at.ctx.precision} digits), and with the backward pass of exactprop run. The step's gradient adds the shares of samples ${all.map((x) => x.sample).join(', ')}${a.penalty ? " and the penalty's term" : ''}.`
      : `DISAGREEMENT (a bug, please report it): chain rule ${a.share}, expanded ${a.expandedShare}, backward pass ${a.engineShare}.`);
  }
  return { title: `Derivatives of the loss: ${file}`, blocks };
}
