// The training as equations. A step is a list of equations over named quantities, like a jaxpr:
// per sample, the neurons, the sample's loss, then the backward pass built by differentiating each
// equation locally (adjoints dL/dn of the neurons, then each param's share dL/dp); per step, the
// reduced loss, the gradients and the optimizer's updates. Every equation records where each of its
// symbols takes its value from (a Ref), so evaluating, printing and re-checking with other inputs
// are all just interpretations of the same list.
import type { Spec } from '../spec/model.js';
import { add, constant, constantValue, div, mul, neg, sub, sum, symbol, symbolListOf, symbolsOf, unwrap, type Node } from '../symbolic/build.js';
import { ExactDecimal } from '../numeric/context.js';
import { differentiate } from '../symbolic/differentiate.js';
import { FUNCTIONS } from '../symbolic/functions.js';
import { parseExpression } from '../symbolic/parse.js';
import { compile, countUses, type Compiled, type MemoTable } from './evaluate.js';
import type { NumericContext } from '../numeric/context.js';
import type { OptimizerDef } from '../optimizers/definitions.js';
import { BATCH_SIZE, optionSymbol, STEP_NUMBER } from './names.js';
import { LimitError } from '../spec/limits.js';
import { adjointOf, named, ofSample as sampleQuantity, QuantityTable, stateOf, stepLoss, symbolOf, type QuantityId } from './ids.js';
import { argsOf, callName, calleeOf, childrenOf, contentOf, foldTree, isOperator, NodeMemo, symbolName } from '../symbolic/tree.js';
import { Nodes, type OperatorNode } from '../symbolic/mathjs.js';

/** Where a symbol takes its value from; graph/values.ts is the one place that reads a value through one. */
export type Ref =
  | { kind: 'row'; name: string } // an input or target of the sample's data row
  | { kind: 'constant'; name: string } // a spec constant
  | { kind: 'option'; name: string } // an optimizer option (lr, beta1, ...)
  | { kind: 'sample'; name: string } // a quantity of the same sample, this step
  | { kind: 'sampleOf'; row: number; name: string } // a quantity of the sample of data row `row` (from 0), this step
  | { kind: 'step'; name: string } // a step-level quantity of this step
  | { kind: 'before'; name: string } // a param or optimizer state as it was before this step
  | { kind: 'batchSize' }
  | { kind: 'stepNumber' };

export type Role =
  | 'neuron' | 'loss' | 'seed' | 'adjoint' | 'share'
  | 'loss.data' | 'loss.penalty' | 'loss.total' | 'gradient' | 'optimizer' | 'param' | 'buffer';

export interface Equation {
  /** The symbol of the quantity it defines (symbolOf(id)). */
  name: string;
  /** What it defines. */
  id: QuantityId;
  role: Role;
  /** The neuron (adjoint) or param (share, gradient, optimizer, param) it is about. */
  of?: string;
  /** For optimizer equations: the name in the optimizer's definition (m, v, mhat...). */
  local?: string;
  formula: Node;
  /** The symbols of the formula, and where each takes its value from, in slot order. */
  symbols: string[];
  refs: Ref[];
  /** What each symbol is, in slot order (printers ask these, never the symbol's text). */
  reads: QuantityId[];
  run: Compiled;
  /** When set, `formula` is the template's formula with each of its symbols (template.symbols[j]) read
   *  as this equation's own (symbols[j]): the tape compiles the template once for all the equations
   *  made from it (graph/tape.ts), and the formula itself is built only when something reads it. */
  template?: FormulaTemplate;
}

/** A formula that many equations of a step share but for the names of their symbols: an optimizer's
 *  update, the same for every param; a gradient's sum of its shares, the same for every param. */
export interface FormulaTemplate {
  formula: Node;
  /** Its symbols, in slot order (as symbolsOf lists them). */
  symbols: string[];
}

// The symbols of derived quantities, for lookups by key (graph/ids.ts writes them; nothing parses them).
export const adjointName = (of: string) => symbolOf(adjointOf(of));
export const optimizerName = (local: string, param: string) => symbolOf(stateOf(local, param));

function equation(id: QuantityId, role: Role, formula: Node, refOf: (symbol: string) => Ref, table: QuantityTable, c: NumericContext, extra: Partial<Equation> = {}, memo?: MemoTable): Equation {
  const symbols = [...symbolListOf(formula)];
  return equationOver(id, role, formula, symbols, symbols.map(refOf), table, c, extra, memo);
}

/** An equation whose symbols (as symbolsOf lists them) and their refs the caller already knows: the
 *  step's thousands of equations are built from pieces whose symbols are known, not walked again. */
function equationOver(id: QuantityId, role: Role, formula: Node, symbols: string[], refs: Ref[], table: QuantityTable, c: NumericContext, extra: Partial<Equation> = {}, memo?: MemoTable): Equation {
  return new GivenEquation(table.add(id), id, role, formula, symbols, refs, table, c, memo, extra);
}

/**
 * What an equation of a program holds besides its formula and its symbols. What it is made for but a
 * run on the tape (graph/tape.ts) never reads is made when first read: its closure (compiled when first
 * called), the ids of its symbols (`reads`, asked of the table), and for an equation made from a
 * template its formula and its symbols' names. Those are the prototype's getters, so that a step's
 * thousands of equations hold no closures of their own.
 */
abstract class ProgramEquation implements Equation {
  declare of?: string;
  declare local?: string;
  declare template?: FormulaTemplate;
  readonly #c: NumericContext;
  readonly #memo: MemoTable | undefined;
  #run?: Compiled;

  constructor(readonly name: string, readonly id: QuantityId, readonly role: Role, readonly refs: Ref[], c: NumericContext, memo: MemoTable | undefined) {
    this.#c = c;
    this.#memo = memo;
  }

  abstract get formula(): Node;
  abstract get symbols(): string[];
  abstract get reads(): QuantityId[];

  get run(): Compiled {
    if (!this.#run) {
      let compiled: Compiled | undefined;
      this.#run = (env) => (compiled ??= this.compiled())(env);
    }
    return this.#run;
  }

  private compiled(): Compiled {
    const symbols = this.symbols;
    const slot = new Map<string, number>();
    for (let i = 0; i < symbols.length; i++) slot.set(symbols[i]!, i);
    return compile(this.formula, (s) => slot.get(s)!, this.#c, this.#memo);
  }
}

/** An equation whose formula and symbols are made with it. */
class GivenEquation extends ProgramEquation {
  readonly #table: QuantityTable;
  #reads?: QuantityId[];

  constructor(name: string, id: QuantityId, role: Role, readonly formula: Node, readonly symbols: string[], refs: Ref[], table: QuantityTable, c: NumericContext, memo: MemoTable | undefined, extra: Partial<Equation>) {
    super(name, id, role, refs, c, memo);
    this.#table = table;
    Object.assign(this, extra);
  }

  get reads(): QuantityId[] {
    return (this.#reads ??= this.symbols.map((s) => this.#table.idOf(s)));
  }
}

/** How the equations made from a template name the template's symbols: the symbol and the id of the
 *  j-th (called `local` in the template). */
interface Naming {
  symbol(local: string, j: number): string;
  id(local: string, j: number): QuantityId;
}

/** An equation made from a template (see Equation.template): its formula is the template's renamed. */
class TemplateEquation extends ProgramEquation {
  readonly #naming: Naming;
  #formula?: Node;
  #symbols?: string[];
  #reads?: QuantityId[];

  constructor(name: string, id: QuantityId, role: Role, template: FormulaTemplate, naming: Naming, refs: Ref[], c: NumericContext, of: string, local?: string) {
    super(name, id, role, refs, c, undefined);
    this.of = of;
    if (local !== undefined) this.local = local;
    this.template = template;
    this.#naming = naming;
  }

  get symbols(): string[] {
    return (this.#symbols ??= this.template!.symbols.map((local, j) => this.#naming.symbol(local, j)));
  }

  get reads(): QuantityId[] {
    return (this.#reads ??= this.template!.symbols.map((local, j) => this.#naming.id(local, j)));
  }

  get formula(): Node {
    if (!this.#formula) {
      const symbols = this.symbols;
      const own = new Map(this.template!.symbols.map((local, j) => [local, symbols[j]!]));
      this.#formula = renamed(this.template!.formula, (local) => own.get(local)!);
    }
    return this.#formula;
  }
}

/** The symbol of a derived quantity in a formula, recorded in the table that says what it is. */
const quantity = (table: QuantityTable, id: QuantityId) => symbol(table.add(id));

/** Where a symbol of a sample's equations (a spec name, or the batch size) takes its value from. */
export function sampleRefOf(spec: Spec): (symbol: string) => Ref {
  const rowNames = new Set([...spec.inputs, ...spec.targets]);
  const paramNames = new Set(spec.params.map((p) => p.name));
  // One ref per symbol, shared by every equation that reads it (refs are never changed): a program's
  // thousands of reads of a few hundred names.
  const known = new Map<string, Ref>();
  const refOf = (s: string): Ref => {
    if (rowNames.has(s)) return { kind: 'row', name: s };
    if (paramNames.has(s)) return { kind: 'before', name: s };
    if (Object.hasOwn(spec.constants, s)) return { kind: 'constant', name: s };
    if (s === BATCH_SIZE) return { kind: 'batchSize' };
    return { kind: 'sample', name: s };
  };
  return (s: string): Ref => {
    let ref = known.get(s);
    if (ref === undefined) known.set(s, (ref = refOf(s)));
    return ref;
  };
}

/** The equations of one sample, the same for every sample and step. With a memo table, subexpressions
 *  they share are computed once per sample (see graph/evaluate.ts). */
export function sampleProgram(spec: Spec, c: NumericContext, memo?: MemoTable, table = new QuantityTable()): Equation[] {
  const refOf = sampleRefOf(spec);
  const forward = [...spec.neurons, spec.loss.sample];
  // The formulas first, then (knowing which subexpressions recur) the compiled equations.
  const planned: Array<[QuantityId, Role, Node, Partial<Equation>]> = forward.map((n) => [named(n.name), n.name === 'loss' ? 'loss' : 'neuron', n.expr, {}]);

  // Backward: the loss's adjoint is the reduction's weight, then each neuron's adjoint sums what it
  // receives from every equation that uses it, each through that equation's own local derivative.
  planned.push([adjointOf('loss'), 'seed', spec.loss.reduce === 'mean' ? div(constant(1), symbol(BATCH_SIZE)) : constant(1), {}]);
  // Who uses each name, in the forward order: asked once per neuron and param.
  const usersOf = new Map<string, typeof forward>();
  for (const f of forward) {
    for (const s of symbolListOf(f.expr)) {
      const list = usersOf.get(s);
      if (list) list.push(f);
      else usersOf.set(s, [f]);
    }
  }
  const users = (name: string): typeof forward => usersOf.get(name) ?? [];
  const fused = fusedSoftmaxCrossEntropy(spec, users);
  const softmaxLocal = softmaxDerivatives(spec);
  const local = (u: { name: string; expr: Node }, name: string) => softmaxLocal(u.name, name) ?? fromOutput(u, name) ?? differentiate(u.expr, name);
  const chain = (name: string) => {
    const rule = fused?.get(name);
    if (rule) return mul(quantity(table, adjointOf('loss')), sub(symbol(rule.p), symbol(rule.y)));
    return sum(users(name).map((u) => mul(quantity(table, adjointOf(u.name)), local(u, name))));
  };
  for (const n of [...spec.neurons].reverse()) planned.push([adjointOf(n.name), 'adjoint', chain(n.name), { of: n.name }]);
  // A torch-style spec also gives dL/dx of its input tensor's entries (convolution and attention
  // exercises ask for them).
  for (const x of spec.tensors?.inputs[0]?.entries ?? []) {
    if (users(x).length > 0) planned.push([adjointOf(x), 'adjoint', chain(x), { of: x }]);
  }
  for (const p of spec.params) {
    if (users(p.name).length === 0) continue;
    planned.push([adjointOf(p.name), 'share', chain(p.name), { of: p.name }]);
  }
  for (const [id, , formula] of planned) checkSize(spec, symbolOf(id), formula);
  if (memo) memo.countLater = () => countUses(planned.map(([, , formula]) => formula), memo);
  const out = planned.map(([id, role, formula, extra]) => equation(id, role, formula, refOf, table, c, extra, role === 'seed' ? undefined : memo));
  return out;
}

/**
 * Softmax followed by cross-entropy, as every textbook writes its backward pass: dL/dz_k = dL/dloss *
 * (p_k - y_k), not the Jacobian of the softmax times -y_j/p_j. The two are equal when the targets of
 * every data row sum to 1 (one-hot or probability targets), which is checked exactly; the fused rule
 * is used only then, and only where the logits z feed nothing but the softmax outputs p, and the p
 * nothing but the loss -(y_1 log p_1 + ... + y_K log p_K). Returns, for each logit, its p and y.
 */
function fusedSoftmaxCrossEntropy(spec: Spec, users: (name: string) => Array<{ name: string }>): Map<string, { p: string; y: string }> | undefined {
  // The loss: -(sum of y*log(p)), each p a neuron.
  let body = unwrap(spec.loss.sample.expr);
  if (!isOperator(body, 'unaryMinus')) return undefined;
  body = unwrap(argsOf(body)[0]!);
  const terms = isOperator(body, 'add') ? argsOf(body) : [body];
  const targetOf = new Map<string, string>();
  for (const term of terms) {
    const t = unwrap(term);
    if (!isOperator(t, 'multiply') || argsOf(t).length !== 2) return undefined;
    const [y, log] = argsOf(t).map(unwrap) as [Node, Node];
    if (y.type !== 'SymbolNode' || log.type !== 'FunctionNode' || callName(log) !== 'log') return undefined;
    const p = unwrap(argsOf(log)[0]!);
    if (p.type !== 'SymbolNode') return undefined;
    targetOf.set(symbolName(p), symbolName(y));
  }
  // Each p = softmax(k, z_1, ..., z_K) over the same logits, every k once.
  const neuron = new Map(spec.neurons.map((n) => [n.name, n.expr]));
  let logits: string[] | undefined;
  const byIndex = new Map<number, string>();
  for (const p of targetOf.keys()) {
    const e = neuron.get(p);
    const call = e && unwrap(e);
    if (!call || call.type !== 'FunctionNode' || callName(call) !== 'softmax') return undefined;
    const [index, ...zs] = argsOf(call).map(unwrap);
    const k = constantValue(index!);
    if (!k || zs.some((z) => z.type !== 'SymbolNode')) return undefined;
    const names = zs.map(symbolName);
    if (logits && names.join(',') !== logits.join(',')) return undefined;
    logits = names;
    byIndex.set(k.toNumber(), p);
  }
  if (!logits || byIndex.size !== logits.length || targetOf.size !== logits.length) return undefined;
  const outputs = new Set(targetOf.keys());
  if (logits.some((z) => users(z).some((u) => !outputs.has(u.name)))) return undefined;
  if ([...outputs].some((p) => users(p).some((u) => u.name !== 'loss'))) return undefined;
  // Every row's targets sum to exactly 1.
  const ys = [...targetOf.values()];
  if (!spec.data.every((row) => ys.reduce((acc, y) => acc.plus(row[y] ?? 'NaN'), new ExactDecimal(0)).eq(1))) return undefined;
  return new Map(logits.map((z, i) => {
    const p = byIndex.get(i + 1)!;
    return [z, { p, y: targetOf.get(p)! }];
  }));
}

/**
 * A neuron y = f(z) of a function whose derivative hand calculations write in terms of y (sigmoid's
 * y (1 - y), tanh's 1 - y^2): dy/dx = f'(y) * dz/dx, reading y, the neuron's own value (the same value
 * f(z) would give, not computed again). Undefined for any other neuron.
 */
function fromOutput(u: { name: string; expr: Node }, x: string): Node | undefined {
  const call = unwrap(u.expr);
  if (call.type !== 'FunctionNode') return undefined;
  const rule = FUNCTIONS[callName(call)];
  const args = argsOf(call);
  if (!rule?.fromOutput || args.length !== 1) return undefined;
  return mul(rule.fromOutput(symbol(u.name)), differentiate(args[0]!, x));
}

/**
 * The derivative of a softmax output with respect to one of its logits as hand calculations write it,
 * in terms of the outputs themselves: d p_k / d z_i = p_k (1 - p_i) for i = k, -p_k p_i otherwise,
 * where p_i is the neuron that is softmax(i, z_1..z_K) of the same logits (the same values, read
 * rather than computed again). Undefined where the neuron is not such a softmax, or its sibling p_i
 * is not a neuron.
 */
function softmaxDerivatives(spec: Spec): (neuron: string, logit: string) => Node | undefined {
  const outputs = new Map<string, string>(); // "logits|i" -> the neuron softmax(i, logits)
  const of = new Map<string, { index: number; logits: string[] }>();
  for (const n of spec.neurons) {
    const call = unwrap(n.expr);
    if (call.type !== 'FunctionNode' || callName(call) !== 'softmax') continue;
    const [index, ...zs] = argsOf(call).map(unwrap);
    const k = constantValue(index!);
    if (!k || !k.isInteger() || zs.some((z) => z.type !== 'SymbolNode')) continue;
    const logits = zs.map(symbolName);
    if (new Set(logits).size !== logits.length) continue;
    outputs.set(`${logits.join(',')}|${k.toNumber()}`, n.name);
    of.set(n.name, { index: k.toNumber(), logits });
  }
  return (neuron, logit) => {
    const p = of.get(neuron);
    if (!p) return undefined;
    const i = p.logits.indexOf(logit) + 1;
    const sibling = outputs.get(`${p.logits.join(',')}|${i}`);
    if (i === 0 || sibling === undefined) return undefined;
    return i === p.index ? mul(symbol(neuron), sub(constant(1), symbol(neuron))) : neg(mul(symbol(neuron), symbol(sibling)));
  };
}

/** An equation is refused when it is too large to evaluate and print in reasonable time: the product
 *  rule turns a product of k factors that all depend on a param into k products of k factors. What is
 *  counted is every occurrence (as a printer meets them); a subtree shared by reference (derivatives
 *  share them) is counted once and its count reused, so the cost is that of the distinct nodes, and
 *  trees are never changed once built (symbolic/build.ts), so a count holds for every equation. */
function checkSize(spec: Spec, name: string, formula: Node): void {
  const max = spec.limits.equationNodes;
  if (occurrences(formula) > max) throw new LimitError('equationNodes', spec.file, '', `the equation ${name}`, max);
}

/** Occurrences of nodes in each tree counted so far (exact up to 2^53, which no limit comes near). */
const occurrenceCounts = new NodeMemo<number>();

/** The occurrences of nodes in `tree`, each distinct node counted once and its count reused. */
function occurrences(tree: Node): number {
  return foldTree(tree, occurrenceCounts, childrenOf, (_, counts) => Math.min(counts.reduce((n, c) => n + c, 1), Number.MAX_SAFE_INTEGER));
}

/** The parsed update equations of an optimizer, with its options. */
export interface OptimizerProgram {
  def: OptimizerDef;
  state: Array<{ name: string; initial: Node }>;
  updates: Array<{ name: string; formula: Node; first?: Node }>;
}

export function optimizerProgram(spec: Spec): OptimizerProgram {
  const def = spec.training.definition;
  const o = spec.training.options;
  return {
    def,
    state: Object.entries(def.state(o)).map(([name, initial]) => ({ name, initial: parseExpression(initial) })),
    updates: def.updates(o).map((u) => ({
      name: u.name,
      formula: parseExpression(u.formula),
      ...(u.first ? { first: parseExpression(u.first) } : {}),
    })),
  };
}

/** Renames symbols (never function names) through `rename`: the tree mathjs's transform would give
 *  (every node a new copy), made directly for the kinds of node a formula has, since an optimizer's
 *  updates are renamed once per param. */
function renamed(tree: Node, rename: (s: string) => string): Node {
  const copy = (node: Node, path: string | null): Node => {
    switch (node.type) {
      case 'SymbolNode': return path === 'fn' ? symbol(symbolName(node)) : symbol(rename(symbolName(node)));
      case 'ConstantNode': return node.clone();
      case 'OperatorNode': {
        // mathjs's types leave out the constructor's fifth argument (and the field it sets).
        const o = node as OperatorNode & { isPercentage: boolean };
        const Operator = Nodes.Operator as unknown as new (...args: unknown[]) => Node;
        return new Operator(o.op, o.fn, o.args.map((a) => copy(a, 'args')), o.implicit, o.isPercentage);
      }
      case 'FunctionNode': return new Nodes.Function(copy(calleeOf(node), 'fn') as never, argsOf(node).map((a) => copy(a, 'args')));
      case 'ParenthesisNode': return new Nodes.Parenthesis(copy(contentOf(node), 'content'));
      default: return node.map((child: Node, childPath: string) => copy(child, childPath));
    }
  };
  return copy(tree, null);
}

/** The step-level equations for a batch of data rows (0-based), at step `t`. */
export function stepProgram(spec: Spec, opt: OptimizerProgram, rows: number[], t: number, shareParams: Set<string>, c: NumericContext, table = new QuantityTable()): Equation[] {
  return [...lossAndGradientEquations(spec, rows, shareParams, c, table), ...optimizerEquations(spec, opt, t === 1, c, table)];
}

/** The reduced loss and the gradients of the total loss, for a batch of data rows (0-based). */
export function lossAndGradientEquations(spec: Spec, rows: number[], shareParams: Set<string>, c: NumericContext, table = new QuantityTable()): Equation[] {
  const out: Equation[] = [];
  const constRef = (s: string): Ref => (Object.hasOwn(spec.constants, s) ? { kind: 'constant', name: s } : { kind: 'before', name: s });
  const penalty = spec.loss.penalty?.expr;
  // Step-level sums read the samples' losses and shares, named loss[1], dL/dw1[2], ... by data row.
  const samplesMap = new Map<string, Ref>();
  const sampleLoss = (row: number) => sampleQuantity(row, named('loss'));
  for (const row of rows) samplesMap.set(table.add(sampleLoss(row)), { kind: 'sampleOf', row, name: 'loss' });
  // Each param's shares, by data row: their refs are made once, here, and are what the param's
  // gradient (their sum) reads, in this order. (A batch is a list of distinct rows; were one given
  // twice, the gradients take the general path below, which lists each symbol once.) Their ids and
  // symbols are made when something reads them: the general path's sums do, a run on the tape never.
  const distinctRows = new Set(rows).size === rows.length;
  const general = penalty !== undefined || !distinctRows;
  const shares = new Map<string, { naming: SharesOf; refs: Ref[]; symbols?: string[] }>();
  for (const p of shareParams) {
    const name = adjointName(p);
    const naming = new SharesOf(rows, adjointOf(p));
    const refs = rows.map((row): Ref => ({ kind: 'sampleOf', row, name }));
    if (general) {
      const symbols = naming.ids().map((id, i) => {
        const s = table.add(id);
        samplesMap.set(s, refs[i]!);
        return s;
      });
      shares.set(p, { naming, refs, symbols });
    } else {
      table.addLater(() => naming.ids());
      shares.set(p, { naming, refs });
    }
  }
  const stepLosses = new Set((['data', 'penalty', 'total'] as const).map((part) => table.add(stepLoss(part))));
  const stepRef = (s: string): Ref =>
    samplesMap.get(s) ?? (s === BATCH_SIZE ? { kind: 'batchSize' } : stepLosses.has(s) ? { kind: 'step', name: s } : constRef(s));

  const losses = sum(rows.map((r) => quantity(table, sampleLoss(r))));
  const data = spec.loss.reduce === 'mean' ? div(losses, symbol(BATCH_SIZE)) : losses;
  out.push(equation(stepLoss('data'), 'loss.data', data, stepRef, table, c));
  if (penalty) out.push(equation(stepLoss('penalty'), 'loss.penalty', penalty, constRef, table, c));
  const total = penalty ? add(quantity(table, stepLoss('data')), quantity(table, stepLoss('penalty'))) : quantity(table, stepLoss('data'));
  out.push(equation(stepLoss('total'), 'loss.total', total, stepRef, table, c));

  // The gradients' sums, one template for every param (the batch's rows are every param's).
  let sumOfShares: FormulaTemplate | undefined;
  for (const p of spec.params) {
    const own = shares.get(p.name);
    if (own && rows.length > 0 && !general) {
      // Without a penalty, add(sum(shares), 0) below is the sum of the shares itself, whose symbols
      // are the shares in row order: the template's sum with the template's shares read as this param's.
      if (!sumOfShares) {
        const symbols = own.naming.ids().map(symbolOf);
        sumOfShares = { formula: sum(symbols.map(symbol)), symbols };
        // Every sum has the template's size.
        checkSize(spec, adjointName(p.name), sumOfShares.formula);
      }
      out.push(new TemplateEquation(table.add(adjointOf(p.name)), adjointOf(p.name), 'gradient', sumOfShares, own.naming, own.refs, c, p.name));
      continue;
    }
    const terms = own ? own.symbols!.map(symbol) : [];
    const g = add(sum(terms), penalty ? differentiate(penalty, p.name) : constant(0));
    checkSize(spec, adjointName(p.name), g);
    out.push(equation(adjointOf(p.name), 'gradient', g, stepRef, table, c, { of: p.name }));
  }

  return out;
}

/** A param's shares of a batch as its gradient reads them (dL/dw1[1], dL/dw1[2], ... by data row). */
class SharesOf implements Naming {
  #ids?: QuantityId[];

  constructor(private readonly rows: number[], private readonly adjoint: QuantityId) {}

  ids(): QuantityId[] {
    return (this.#ids ??= this.rows.map((row) => sampleQuantity(row, this.adjoint)));
  }

  symbol(_local: string, j: number): string {
    return symbolOf(this.ids()[j]!);
  }

  id(_local: string, j: number): QuantityId {
    return this.ids()[j]!;
  }
}

/** The updates of the spec's buffers (batch norm's running statistics) after a step over `rows`: each
 *  reads its own value before the step and the quantities of the step's samples. A model with buffers
 *  packs a batch into one data row (spec/torch-model.ts), so a step has one sample to read. */
export function bufferEquations(spec: Spec, rows: number[], c: NumericContext, table = new QuantityTable()): Equation[] {
  const buffers = new Set((spec.buffers ?? []).map((b) => b.name));
  const refOf = (s: string): Ref => (buffers.has(s) ? { kind: 'before', name: s } : Object.hasOwn(spec.constants, s) ? { kind: 'constant', name: s } : { kind: 'sampleOf', row: rows[0]!, name: s });
  return (spec.buffers ?? []).map((b) => equation(named(b.name), 'buffer', b.update.expr, refOf, table, c, { of: b.name }));
}

/** The optimizer's updates for every param; `first` selects the formulas of step 1 where they differ. */
export function optimizerEquations(spec: Spec, opt: OptimizerProgram, first: boolean, c: NumericContext, table = new QuantityTable()): Equation[] {
  const out: Equation[] = [];
  const stateNames = new Set(opt.state.map((s) => s.name));
  const options = new Set(Object.keys(spec.training.options));
  const frozen = new Set(spec.frozen);
  // Each update's formula and its symbols, the same for every param, and where each symbol is read
  // from: the step number and the options are the engine's; the gradient is this step's; the param
  // and a state no update before this one assigns are as they were before the step; every other
  // state is as this step's updates before this one made it.
  const templates = opt.updates.map((u, k) => {
    const template = first && u.first ? u.first : u.formula;
    const locals = [...symbolsOf(template)];
    const assignedBefore = new Set(opt.updates.slice(0, k).map((v) => v.name));
    const from = locals.map((local): Ref | 'step' | 'before' => {
      if (local === 't') return { kind: 'stepNumber' };
      if (options.has(local)) return { kind: 'option', name: local };
      if (local === 'grad') return 'step';
      if (local === 'p' || (stateNames.has(local) && !assignedBefore.has(local))) return 'before';
      return 'step';
    });
    return { u, template, locals, from, shape: { formula: template, symbols: locals } as FormulaTemplate };
  });
  const allLocals = [...new Set(templates.flatMap((t) => t.locals))];
  for (const p of spec.params) {
    if (frozen.has(p.name)) {
      // Held fixed: the param keeps its value; its gradient above is still shown.
      out.push(equation(named(p.name), 'param', symbol(p.name), () => ({ kind: 'before', name: p.name }), table, c, { of: p.name }));
      continue;
    }
    const names = new ParamNames(p.name, options, table);
    const global = (local: string) => names.symbol(local);
    // Renaming keeps a tree's order, so an update's symbols are its template's, renamed: each once
    // when no two of the optimizer's names are one name of this param.
    const distinct = new Set(allLocals.map(global)).size === allLocals.length;
    for (const { u, template, locals, from, shape } of templates) {
      const refs = locals.map((local, j): Ref => {
        const f = from[j]!;
        return typeof f === 'string' ? { kind: f, name: global(local) } : f;
      });
      const isParam = u.name === 'p';
      const id = isParam ? named(p.name) : stateOf(u.name, p.name);
      const role = isParam ? 'param' : 'optimizer';
      if (distinct) {
        out.push(new TemplateEquation(table.add(id), id, role, shape, names, refs, c, p.name, u.name));
        continue;
      }
      const localOf = new Map<string, number>();
      locals.forEach((local, j) => localOf.set(global(local), j));
      const symbols = [...localOf.keys()];
      out.push(equationOver(id, role, renamed(template, global), symbols, symbols.map((s) => refs[localOf.get(s)!]!), table, c, { of: p.name, local: u.name }));
    }
  }
  return out;
}

/** A param's names for an optimizer's own (p the param, grad its gradient, t and the options the
 *  engine's, never a spec name; everything else the param's own state, m[w1]), made when first asked. */
class ParamNames implements Naming {
  readonly #names = new Map<string, { symbol: string; id: QuantityId }>();

  constructor(private readonly param: string, private readonly options: ReadonlySet<string>, private readonly table: QuantityTable) {}

  private of(local: string): { symbol: string; id: QuantityId } {
    let g = this.#names.get(local);
    if (g === undefined) {
      const p = this.param;
      const id = local === 'p' ? named(p) : local === 'grad' ? adjointOf(p) : local === 't' ? named(STEP_NUMBER) : this.options.has(local) ? named(optionSymbol(local)) : stateOf(local, p);
      this.#names.set(local, (g = { symbol: this.table.add(id), id }));
    }
    return g;
  }

  symbol(local: string): string {
    return this.of(local).symbol;
  }

  id(local: string): QuantityId {
    return this.of(local).id;
  }
}
