// The only place that touches mathjs. We use it for what it is good at: parsing expressions into
// trees and printing trees (text and TeX). Evaluation and differentiation are ours (see functions.ts):
// mathjs's derivative cannot be extended with relu & co, and its simplify corrupts BigNumber constants.
// Only the factories we use are loaded, which keeps start-up short in the bundled CLI.
import {
  create, factory, createParse, createTyped, createBigNumberClass, createNode, createAccessorNode, createArrayNode,
  createAssignmentNode, createBlockNode, createConditionalNode, createConstantNode, createFunctionAssignmentNode,
  createFunctionNode, createIndexNode, createObjectNode, createOperatorNode, createParenthesisNode, createRangeNode,
  createRelationalNode, createSymbolNode,
  type MathNode, type ConstantNode, type SymbolNode, type OperatorNode, type FunctionNode, type ParenthesisNode,
  type FactoryFunction,
} from 'mathjs';

// mathjs exports each of its factories (createParse, createConstantNode, ...), but its type declarations
// name only the assembled functions; these are the ones used here.
declare module 'mathjs' {
  export const createParse: FactoryFunction<unknown>, createTyped: FactoryFunction<unknown>, createBigNumberClass: FactoryFunction<unknown>,
    createNode: FactoryFunction<unknown>, createAccessorNode: FactoryFunction<unknown>, createArrayNode: FactoryFunction<unknown>,
    createAssignmentNode: FactoryFunction<unknown>, createBlockNode: FactoryFunction<unknown>, createConditionalNode: FactoryFunction<unknown>,
    createConstantNode: FactoryFunction<unknown>, createFunctionAssignmentNode: FactoryFunction<unknown>, createFunctionNode: FactoryFunction<unknown>,
    createIndexNode: FactoryFunction<unknown>, createObjectNode: FactoryFunction<unknown>, createOperatorNode: FactoryFunction<unknown>,
    createParenthesisNode: FactoryFunction<unknown>, createRangeNode: FactoryFunction<unknown>, createRelationalNode: FactoryFunction<unknown>,
    createSymbolNode: FactoryFunction<unknown>;
}

// The parser and the node classes, and nothing they would need only to evaluate a tree. mathjs's own
// parseDependencies bring 60 factories (matrices, units, det, inv, pow...), each a typed function built
// when the library is imported: most of the CLI's start-up. The nodes' evaluation helpers (subset,
// size, ResultSet, isBounded) are never called here, since trees are evaluated by graph/evaluate.ts, so
// they are stand-ins that say so; the one number conversion the parser makes, a literal's text to a
// BigNumber, is mathjs's own BigNumber class (a decimal.js clone) built from the text.
const unused = (name: string) => factory(name, [], () => () => {
  throw new Error(`mathjs ${name} is not loaded: expressions are evaluated by exactprop, not by mathjs`);
});
const createNumeric = factory('numeric', ['BigNumber' as never], (scope) => {
  const BigNumber = (scope as unknown as { BigNumber: new (v: string) => unknown }).BigNumber;
  return (value: string, type: string) => (type === 'BigNumber' ? new BigNumber(value) : Number(value));
});
// BigNumber mode, so a literal such as 0.1 is parsed from its text rather than through a double.
const math = create({
  createParse, createTyped, createBigNumberClass, createNumeric, createNode, createAccessorNode, createArrayNode,
  createAssignmentNode, createBlockNode, createConditionalNode, createConstantNode, createFunctionAssignmentNode,
  createFunctionNode, createIndexNode, createObjectNode, createOperatorNode, createParenthesisNode, createRangeNode,
  createRelationalNode, createSymbolNode,
  subset: unused('subset'), size: unused('size'), ResultSet: unused('ResultSet'), isBounded: unused('isBounded'),
}, { number: 'BigNumber', precision: 64 });

export type { MathNode, ConstantNode, SymbolNode, OperatorNode, FunctionNode, ParenthesisNode };
export const parse = (text: string): MathNode => math.parse(text);
/** A literal's value as mathjs's parser makes it in BigNumber mode, from its text (symbolic/plain-parse.ts
 *  builds the parser's trees itself). */
const BigNumberClass = (math as unknown as { BigNumber: new (text: string) => unknown }).BigNumber;
export const bigNumber = (text: string): unknown => new BigNumberClass(text);
export const Nodes = {
  Constant: math.ConstantNode,
  Symbol: math.SymbolNode,
  Operator: math.OperatorNode,
  Function: math.FunctionNode,
  Parenthesis: math.ParenthesisNode,
};
