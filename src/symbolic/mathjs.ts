// The only place that touches mathjs. We use it for what it is good at: parsing expressions into
// trees and printing trees (text and TeX). Evaluation and differentiation are ours (see functions.ts):
// mathjs's derivative cannot be extended with relu & co, and its simplify corrupts BigNumber constants.
// Only the factories we use are loaded, which keeps start-up short in the bundled CLI.
import { create, parseDependencies, type MathNode, type ConstantNode, type SymbolNode, type OperatorNode,
  type FunctionNode, type ParenthesisNode } from 'mathjs';

// BigNumber mode, so a literal such as 0.1 is parsed from its text rather than through a double.
const math = create({ parseDependencies: parseDependencies! }, { number: 'BigNumber', precision: 64 });

export type { MathNode, ConstantNode, SymbolNode, OperatorNode, FunctionNode, ParenthesisNode };
export const parse = (text: string): MathNode => math.parse(text);
export const Nodes = {
  Constant: math.ConstantNode,
  Symbol: math.SymbolNode,
  Operator: math.OperatorNode,
  Function: math.FunctionNode,
  Parenthesis: math.ParenthesisNode,
};
