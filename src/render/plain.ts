// The plain notation of formulas, as mathjs writes them (`w1 * x1 + b1`, `tanh(z)`): what plain text
// prints (the text solution, derive's text, check's reports), where Markdown, LaTeX and HTML print TeX
// (tex.ts). A calculation in this notation is a document's PlainCalc (document.ts).
import type { Node } from '../symbolic/build.js';
import { displayName, isInternal } from '../graph/names.js';
import { constantText, NodeMemo, symbolName } from '../symbolic/tree.js';

// A formula's text with a hole for each name, kept per tree: a worked solution prints the same equations,
// and their substitution lines, at every sample of every step, and mathjs's printer (slow while it is
// cold; its parentheses worked out from the operators alone, never from what a name prints as) runs once
// per formula. Pieces alternate: text, name, text, ... (trees are never changed once built).
const holed = new NodeMemo<string[]>();
// The text without values, kept per tree too.
const printed = new NodeMemo<string>();
/** Marks a hole in the printed text (around the name's number); no name or constant holds it. */
const HOLE = '\u0000';

/** A formula as text; `valueOf` replaces names by numbers for the substitution line. */
export function print(formula: Node, valueOf?: (name: string) => string | undefined): string {
  if (valueOf) return filled(formula, valueOf);
  let text = printed.get(formula);
  if (text === undefined) printed.set(formula, (text = filled(formula, () => undefined)));
  return text;
}

function filled(formula: Node, valueOf: (name: string) => string | undefined): string {
  let pieces = holed.get(formula);
  if (pieces === undefined) {
    const names: string[] = [];
    const text = formula.toString({
      parenthesis: 'auto',
      implicit: 'show',
      handler: (node: Node) => {
        if (node.type === 'SymbolNode') {
          // Numbered: mathjs prints a call's arguments before its name.
          names.push(symbolName(node));
          return `${HOLE}${names.length - 1}${HOLE}`;
        }
        // A constant as written (mathjs would format a BigNumber its own way).
        if (node.type === 'ConstantNode') return constantText(node);
        return undefined;
      },
    } as never);
    // text, number, text, number, ..., text: each number the name it stands for.
    pieces = text.split(HOLE).map((part, i) => (i % 2 === 1 ? names[Number(part)]! : part));
    holed.set(formula, pieces);
  }
  let out = pieces[0]!;
  for (let i = 1; i < pieces.length; i += 2) {
    const name = pieces[i]!;
    out += (valueOf(name) ?? (isInternal(name) ? displayName(name) : name)) + pieces[i + 1]!;
  }
  return out;
}
