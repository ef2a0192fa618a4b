// A convolution's output written as a textbook writes it: the window of the input beside the kernel,
// multiplied entry by entry and summed, plus the bias,
//     conv_{0,0,0} = sum( (1 2; 0 1) ⊙ (1 0; 0 -1) ) + 0.1 = 0.1.
// The scalar equation (a sum of products) is the same calculation; the layer says which of its terms
// form which window (spec/torch-layers.ts, WindowView), so nothing here reads names back.
import type { Dec } from '../numeric/context.js';
import type { WindowView } from '../spec/torch-layers.js';
import type { Notation } from './tex.js';
import { substituted } from './numbers.js';

/** The TeX of the formula and of the substitution, and whether any number put in was rounded. */
export function windowTex(view: WindowView, N: Notation, value: (name: string) => Dec | undefined, digits: number): { formula: string; substituted: string; rounded: boolean } {
  let rounded = false;
  const number = (name: string): string => {
    if (name === '') return '0'; // the window lies on zero padding
    const printed = N.number(value(name)!, digits);
    rounded ||= printed.rounded;
    return printed.tex;
  };
  const matrix = (grid: string[][], cell: (name: string) => string) => `\\begin{pmatrix} ${grid.map((row) => row.map(cell).join(' & ')).join(' \\\\ ')} \\end{pmatrix}`;
  const named = (name: string) => (name === '' ? '0' : N.name(name));
  const sum = (terms: string[], bias: string | undefined) => [terms.map((t) => `\\sum ${t}`).join(' + '), ...(bias === undefined ? [] : [bias])].join(' + ');
  const formula = sum(view.windows.map((w, c) => {
    const k = view.kernelNames[c];
    return `${matrix(w, named)} \\odot ${k === undefined ? matrix(view.kernels[c]!, named) : N.name(k)}`;
  }), view.bias === undefined ? undefined : N.name(view.bias));
  const bias = view.bias === undefined ? undefined : number(view.bias);
  const put = sum(view.windows.map((w, c) => `${matrix(w, number)} \\odot ${matrix(view.kernels[c]!, number)}`), bias === undefined ? undefined : bias.startsWith('-') ? `(${bias})` : bias);
  return { formula, substituted: put, rounded };
}

/** The same in plain text: sum([1 2; 0 1] .* [1 0; 0 -1]) + 0.1, with .* for the entry-by-entry product. */
export function windowPlain(view: WindowView, value: (name: string) => Dec | undefined, digits: number): { formula: string; substituted: string } {
  const matrix = (grid: string[][], cell: (name: string) => string) => `[${grid.map((row) => row.map(cell).join(' ')).join('; ')}]`;
  const named = (name: string) => (name === '' ? '0' : name);
  const number = (name: string) => (name === '' ? '0' : substituted(value(name)!, digits).replace(/^\((.*)\)$/, '$1'));
  const sum = (terms: string[], bias: string | undefined) => [...terms.map((t) => `sum(${t})`), ...(bias === undefined ? [] : [bias])].join(' + ');
  return {
    formula: sum(view.windows.map((w, c) => `${matrix(w, named)} .* ${view.kernelNames[c] ?? matrix(view.kernels[c]!, named)}`), view.bias),
    substituted: sum(view.windows.map((w, c) => `${matrix(w, number)} .* ${matrix(view.kernels[c]!, number)}`), view.bias === undefined ? undefined : substituted(value(view.bias)!, digits)),
  };
}
