// The plain notation of formulas, as mathjs writes them (`w1 * x1 + b1`, `tanh(z)`): what plain text
// prints (the text solution, derive's text, check's reports), where Markdown, LaTeX and HTML print TeX
// (tex.ts). A calculation in this notation is a document's PlainCalc (document.ts).
import type { Node } from '../symbolic/build.js';
import { displayName, isInternal } from '../graph/names.js';
import { constantText, symbolName } from '../symbolic/tree.js';

// A formula's text without values, kept per tree: a worked solution prints the same equations at every
// sample of every step, and mathjs's printer is slow while it is cold (trees are never changed once
// built; symbolic/build.ts).
const printed = new WeakMap<Node, string>();

/** A formula as text; `valueOf` replaces names by numbers for the substitution line. */
export function print(formula: Node, valueOf?: (name: string) => string | undefined): string {
  if (valueOf) return printWith(formula, valueOf);
  let text = printed.get(formula);
  if (text === undefined) printed.set(formula, (text = printWith(formula, undefined)));
  return text;
}

function printWith(formula: Node, valueOf: ((name: string) => string | undefined) | undefined): string {
  return formula.toString({
    parenthesis: 'auto',
    implicit: 'show',
    handler: (node: Node) => {
      if (node.type === 'SymbolNode') {
        const name = symbolName(node);
        return (valueOf ? valueOf(name) : undefined) ?? (isInternal(name) ? displayName(name) : undefined);
      }
      // A constant as written (mathjs would format a BigNumber its own way).
      if (node.type === 'ConstantNode') return constantText(node);
      return undefined;
    },
  } as never);
}
