// The equations of a scope (one sample's program, or one step's) compiled into a flat tape: a list of
// instructions over value slots that the arithmetic kernel (numeric/arena.ts) executes without a
// closure call, an allocation or a JavaScript value per operation. It is another interpreter of the
// same equations as graph/evaluate.ts, and gives the same values digit for digit:
// - every operation is the one the closures perform, in the same order ((a + b) + c stays a chain,
//   a product is multiplied left to right), rounded by the kernel exactly as BigDecimal rounds;
// - a subexpression written the same way twice within a scope is computed once (the closures' memo,
//   applied to every subexpression: within one sample every symbol has one value, so equal shapes are
//   equal values);
// - a kinked function's switch is snapped to 0 as evaluate.ts's `snapped` does (instruction SNAP);
//   relu, heaviside, abs and sign pick their value in the kernel (SELECT), sqrt is computed there (SQRT),
//   every other function is a CALL back to its rule in symbolic/functions.ts, on values read out of the
//   arena.
// What the tape cannot mean the same as the closures is refused here (TapeUnsupported) and the run
// keeps the closures: maxima and minima (their ties are a convention the closures resolve), and values
// with more digits than the precision (the closures' shortcut 1 * x returns x unrounded).
import type { Dec, NumericContext } from '../numeric/context.js';
import { BigDecimal } from '../numeric/bigdecimal.js';
import { FUNCTIONS, COMPARES_ALL_ARGUMENTS, COMPARES_TWO_ARGUMENTS, type FunctionRule } from '../symbolic/functions.js';
import { unwrap, type Node } from '../symbolic/build.js';
import { argsOf, callName, constantText, operatorFn, symbolName } from '../symbolic/tree.js';
import type { Equation, FormulaTemplate } from './program.js';
import { additiveTerms } from './evaluate.js';
import { Op } from '../numeric/arena.js';


/** A program the tape cannot run as the closures do; the run uses the closures. */
export class TapeUnsupported extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'TapeUnsupported';
  }
}

/** A function evaluated in JavaScript (its rule in symbolic/functions.ts, or a general power) on the
 *  values of `args`, its value written to `dst`. */
export interface TapeCall {
  dst: number;
  args: number[];
  name: string;
  evaluate: (args: Dec[]) => Dec;
}

/**
 * Slot numbers of the arena, handed out as programs are compiled. The fixed values (0, 1, -1 and
 * relu'(0)) and the literals of the formulas are set once; everything else is written by the runner or
 * computed by a tape.
 */
export class SlotSpace {
  next = 0;
  readonly ZERO: number;
  readonly ONE: number;
  readonly MINUS_ONE: number;
  readonly AT_ZERO: number;
  /** Slots whose value never changes during a run, with the value to put there. */
  readonly fixed: Array<[number, Dec]> = [];
  private literals = new Map<string, number>();

  constructor(readonly c: NumericContext) {
    this.ZERO = this.fix(c.zero);
    this.ONE = this.fix(c.one);
    this.MINUS_ONE = this.fix(c.one.neg());
    this.AT_ZERO = this.fix(c.reluAtZero);
  }

  take(count = 1): number {
    const first = this.next;
    this.next += count;
    return first;
  }

  fix(value: Dec): number {
    const slot = this.take();
    this.fixed.push([slot, value]);
    return slot;
  }

  /** The slot of a literal of a formula (read from its text, exactly). */
  literal(text: string): number {
    let slot = this.literals.get(text);
    if (slot === undefined) {
      const value = new this.c.D(text);
      // Read exactly, as the closures read it; a literal longer than the precision would be used
      // unrounded by the closures' shortcuts (1 * x), which the kernel's rounding product is not.
      if (digitsOf(value) > this.c.precision) throw new TapeUnsupported(`the constant ${text} has more digits than the precision`);
      this.literals.set(text, (slot = this.fix(value)));
    }
    return slot;
  }
}

/** Significant digits of a run's value (a BigDecimal's n; 0 for zero). A value of any other kind
 *  (an exact fraction, decimal.js's own) counts as too long: the tape holds BigDecimals' digits. */
export function digitsOf(v: Dec): number {
  return v instanceof BigDecimal ? v.n : Infinity;
}

export interface CompiledTape {
  words: Int32Array;
  calls: TapeCall[];
  /** The slot holding each equation's value. */
  outputs: Int32Array;
}

/**
 * Compiles `equations` in order. `symbolSlot(i, j)` is the slot of the j-th symbol (eq.refs[j]) of the
 * i-th equation; `outputSlot(i)` is where the i-th equation's value is to be written; temporaries are
 * taken from `slots`.
 *
 * Each formula is first turned into a recipe (its instructions over its symbols' places, see Recipe),
 * then the recipe is emitted over the equation's own slots. An equation made from a template
 * (graph/program.ts: a param's optimizer update, a gradient's sum of shares) uses the template's recipe,
 * made once: its formula is never walked.
 */
export function compileTape(equations: readonly Equation[], slots: SlotSpace, symbolSlot: (eq: number, j: number) => number, outputSlot: (eq: number) => number): CompiledTape {
  const tape = new TapeWriter(slots, equations.length);
  const outputs = new Int32Array(equations.length);
  const recipes = new Map<FormulaTemplate, Recipe>();
  // Values of subtrees computed by earlier equations, by node, kept while every equation that records
  // them reads each of its symbols from the slot every earlier one read it from (a sample's program: a
  // symbol is one value throughout). There, a subtree the derivatives restate (a unit's pre-activation
  // in every weight's share) is looked up rather than walked again.
  const shared: SharedValues = { values: new Map(), switches: new Map() };
  const slotOfName = new Map<string, number>();
  // The equation's symbols' slots and its recipe's results, reused from one equation to the next.
  const symbolSlots: number[] = [];
  const results: number[] = [];

  for (let i = 0; i < equations.length; i++) {
    const eq = equations[i]!;
    // A symbol's slot is the equation's own: in a step, m[w] is the state before the step in m's update
    // and this step's m in the next update. (Counted by the refs: an equation made from a template
    // spells its symbols only when asked.)
    const count = eq.refs.length;
    symbolSlots.length = count;
    for (let j = 0; j < count; j++) symbolSlots[j] = symbolSlot(i, j);
    const target = outputSlot(i);
    const template = eq.template;
    if (template && template.symbols.length === count) {
      let recipe = recipes.get(template);
      if (!recipe) recipes.set(template, (recipe = recipeOf(template.formula, symbolIndex(template.symbols), slots)));
      outputs[i] = tape.instantiate(recipe, symbolSlots, results, target);
      continue;
    }
    // Whether this equation reads every symbol where the equations recording shared values read it.
    let consistent = true;
    for (let j = 0; j < count && consistent; j++) {
      const before = slotOfName.get(eq.symbols[j]!);
      if (before !== undefined && before !== symbolSlots[j]) consistent = false;
    }
    if (consistent) for (let j = 0; j < count; j++) slotOfName.set(eq.symbols[j]!, symbolSlots[j]!);
    const recipe = recipeOf(eq.formula, symbolIndex(eq.symbols), slots, consistent ? shared : undefined);
    outputs[i] = tape.instantiate(recipe, symbolSlots, results, target);
    if (!consistent) continue;
    // What this equation computed, for the ones after it.
    for (const [node, operand] of recipe.values ?? []) shared.values.set(node, slotOf(operand, symbolSlots, results));
    for (const [node, operand] of recipe.switches ?? []) shared.switches.set(node, slotOf(operand, symbolSlots, results));
  }
  return { words: tape.done(), calls: tape.calls, outputs };
}

/** The slot of a recipe's operand, for an equation whose symbols are at `symbolSlots` and whose recipe's
 *  steps gave `results`. */
function slotOf(operand: number, symbolSlots: readonly number[], results: readonly number[]): number {
  const index = operand >>> 2;
  switch (operand & 3) {
    case FIXED: return index;
    case SYMBOL: return symbolSlots[index]!;
    default: return results[index]!;
  }
}

/**
 * A tape as it is written: its words (an Int32Array that grows by doubling) and its calls. An
 * instruction that computes what one already written computes (the same operation on the same slots:
 * hash-consing) is not written again; those written are found by a hash of their words, in an
 * open-addressed table of where each starts in the tape (the instruction's own words, compared in place).
 */
class TapeWriter {
  readonly calls: TapeCall[] = [];
  private words: Int32Array;
  private length = 0;
  /** The instruction being emitted, its destination 0 (code[1]). */
  private code = new Int32Array(64);
  /** Entry + 1 of each written instruction, by hash (0: empty). */
  private table: Int32Array;
  private starts: Int32Array;
  private sizes: Int32Array;
  private hashes: Int32Array;
  private count = 0;
  private readonly calledAlready = new Map<string, number>();

  /** Sized for about `equations` equations of a few instructions each (and grown past that). */
  constructor(private readonly slots: SlotSpace, equations: number) {
    let entries = 512;
    while (entries < 2 * equations) entries *= 2;
    this.words = new Int32Array(8 * entries);
    this.table = new Int32Array(2 * entries);
    this.starts = new Int32Array(entries);
    this.sizes = new Int32Array(entries);
    this.hashes = new Int32Array(entries);
  }

  /** Emits `recipe` over an equation's symbol slots, its value written to `target`; `results` receives
   *  each step's slot. */
  instantiate(recipe: Recipe, symbolSlots: readonly number[], results: number[], target: number): number {
    const { steps } = recipe;
    results.length = steps.length;
    // The formula's own operation (the last step, when the value is a step's) writes to the target.
    const last = steps.length - 1;
    const rootIsLast = recipe.value === result(last);
    for (let k = 0; k <= last; k++) {
      const step = steps[k]!;
      const dst = rootIsLast && k === last ? target : undefined;
      if (step.call) {
        results[k] = this.callOf(step.call.name, step.call.evaluate, step.call.args.map((o) => slotOf(o, symbolSlots, results)), dst);
        continue;
      }
      const pattern = step.code!;
      const n = pattern.length;
      if (n > this.code.length) this.code = new Int32Array(Math.max(n, this.code.length * 2));
      const code = this.code;
      code[0] = pattern[0]!;
      code[1] = 0;
      // The operands' places: every word after the destination, but for a sum's or a product's count and
      // a switch's count and signs.
      switch (pattern[0]) {
        case Op.SUM: case Op.PROD:
          code[2] = pattern[2]!;
          for (let w = 3; w < n; w++) code[w] = slotOf(pattern[w]!, symbolSlots, results);
          break;
        case Op.SNAP:
          code[2] = pattern[2]!;
          for (let w = 3; w < n; w += 2) {
            code[w] = pattern[w]!;
            code[w + 1] = slotOf(pattern[w + 1]!, symbolSlots, results);
          }
          break;
        default: for (let w = 2; w < n; w++) code[w] = slotOf(pattern[w]!, symbolSlots, results);
      }
      results[k] = this.emit(dst, n);
    }
    return rootIsLast ? results[last]! : this.place(slotOf(recipe.value, symbolSlots, results), target);
  }

  /** The slot of the instruction in code[0..n) (written unless one computing the same is), moved to
   *  `dst` if given. */
  private emit(dst: number | undefined, n: number): number {
    const code = this.code;
    let h = 0x811c9dc5 ^ code[0]!;
    for (let i = 2; i < n; i++) h = Math.imul(h ^ code[i]!, 0x01000193);
    const mask = this.table.length - 1;
    let at = h & mask;
    for (let entry = this.table[at]!; entry !== 0; at = (at + 1) & mask, entry = this.table[at]!) {
      const e = entry - 1;
      if (this.hashes[e] !== h || this.sizes[e] !== n) continue;
      const words = this.words;
      const start = this.starts[e]!;
      let same = words[start] === code[0];
      for (let i = 2; same && i < n; i++) same = words[start + i] === code[i];
      if (!same) continue;
      // Its destination is the slot holding the value.
      return this.place(words[start + 1]!, dst);
    }
    const out = dst ?? this.slots.take();
    code[1] = out;
    const start = this.length;
    this.room(n);
    const words = this.words;
    for (let i = 0; i < n; i++) words[start + i] = code[i]!;
    this.length += n;
    this.remember(at, start, n, h);
    return out;
  }

  private remember(at: number, start: number, size: number, hash: number): void {
    if (this.count === this.starts.length) {
      const grown = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grown(this.starts);
      this.sizes = grown(this.sizes);
      this.hashes = grown(this.hashes);
    }
    const e = this.count++;
    this.starts[e] = start;
    this.sizes[e] = size;
    this.hashes[e] = hash;
    this.table[at] = e + 1;
    // Kept at most half full, so that a probe ends soon at an empty place.
    if (this.count * 2 > this.table.length) {
      const table = new Int32Array(this.table.length * 2);
      const mask = table.length - 1;
      for (let k = 0; k < this.count; k++) {
        let i = this.hashes[k]! & mask;
        while (table[i] !== 0) i = (i + 1) & mask;
        table[i] = k + 1;
      }
      this.table = table;
    }
  }

  place(slot: number, dst: number | undefined): number {
    if (dst === undefined || dst === slot) return slot;
    this.room(3);
    this.words[this.length++] = Op.MOV;
    this.words[this.length++] = dst;
    this.words[this.length++] = slot;
    return dst;
  }

  private callOf(name: string, evaluate: TapeCall['evaluate'], args: number[], dst: number | undefined): number {
    const key = `${name}|${args.join(',')}`;
    const hit = this.calledAlready.get(key);
    if (hit !== undefined) return this.place(hit, dst);
    const out = dst ?? this.slots.take();
    this.room(3);
    this.words[this.length++] = Op.CALL;
    this.words[this.length++] = 1;
    this.words[this.length++] = this.calls.length;
    this.calls.push({ dst: out, args, name, evaluate });
    this.calledAlready.set(key, out);
    return out;
  }

  private room(more: number): void {
    if (this.length + more <= this.words.length) return;
    let size = this.words.length * 2;
    while (size < this.length + more) size *= 2;
    const next = new Int32Array(size);
    next.set(this.words.subarray(0, this.length));
    this.words = next;
  }

  /** The words written, in an array of their own size. */
  done(): Int32Array {
    return this.words.slice(0, this.length);
  }
}

/** The places a recipe's operand can be: a slot fixed for the whole tape (a literal, 0, 1...), the
 *  equation's j-th symbol, or the value of the recipe's k-th step; an operand is index * 4 + kind. */
const FIXED = 0, SYMBOL = 1, RESULT = 2;
const fixed = (slot: number) => slot * 4 + FIXED;
const symbolAt = (j: number) => j * 4 + SYMBOL;
const result = (k: number) => k * 4 + RESULT;

/** A formula's instructions apart from where its symbols are: each an instruction (its destination 0,
 *  its operands as above) or a call, in the order a walk of the tree emits them, and the operand that is
 *  the formula's value. With shared values, also the subtrees whose values the steps are (for the
 *  equations after this one). */
interface Recipe {
  steps: Array<{ code?: number[]; call?: { name: string; evaluate: TapeCall['evaluate']; args: number[] } }>;
  value: number;
  values?: Array<[Node, number]>;
  switches?: Array<[Node, number]>;
}

/** Slots of subtrees computed by earlier equations of the same tape: their values, and the snapped
 *  switches of kinked functions (by the switch's node). */
interface SharedValues {
  values: Map<Node, number>;
  switches: Map<Node, number>;
}

/** The index of a symbol among a formula's symbols (a short list is searched, a long one mapped: a
 *  sample program's adjoints and shares read a unit's whole pre-activation, some thirty names, and a Map
 *  for each of them was most of what compiling them allocated). */
function symbolIndex(symbols: readonly string[]): (name: string) => number {
  if (symbols.length <= 64) return (name) => symbols.indexOf(name);
  const index = new Map<string, number>();
  symbols.forEach((s, j) => index.set(s, j));
  return (name) => index.get(name) ?? -1;
}

/** The recipe of a formula whose symbols are numbered by `indexOf`; with `shared`, a subtree an earlier
 *  equation computed is read from its slot. */
function recipeOf(formula: Node, indexOf: (name: string) => number, slots: SlotSpace, shared?: SharedValues): Recipe {
  const steps: Recipe['steps'] = [];
  const values: Array<[Node, number]> | undefined = shared ? [] : undefined;
  const switches: Array<[Node, number]> | undefined = shared ? [] : undefined;
  const emit = (code: number[]): number => {
    steps.push({ code });
    return result(steps.length - 1);
  };
  const callOf = (name: string, evaluate: TapeCall['evaluate'], args: number[]): number => {
    steps.push({ call: { name, evaluate, args } });
    return result(steps.length - 1);
  };
  // Each node object compiled once per formula: derivatives share subtrees by reference. (Across
  // equations the same shape on the same slots is found by the tape's hash-consing.) Made when first
  // needed: most of a step's equations are a sum or an update with nothing shared.
  let done: Map<Node, number> | undefined;
  let snapped: Map<Node, number> | undefined;

  // An explicit stack would be needed for unbounded depth; formulas are depth-limited by the spec's
  // reading (spec/limits.ts), and the closures recurse over the same trees.
  const visit = (node: Node): number => {
    const n = unwrap(node);
    if (n.type === 'SymbolNode') {
      const j = indexOf(symbolName(n));
      if (j < 0) throw new TapeUnsupported(`no slot for ${symbolName(n)}`);
      return symbolAt(j);
    }
    if (n.type === 'ConstantNode') return fixed(slots.literal(constantText(n)));
    const seen = done?.get(n);
    if (seen !== undefined) return seen;
    const earlier = shared?.values.get(n);
    if (earlier !== undefined) return fixed(earlier);
    const operand = visitNew(n);
    (done ??= new Map()).set(n, operand);
    values?.push([n, operand]);
    return operand;
  };
  const visitNew = (n: Node): number => {
    switch (n.type) {
      case 'OperatorNode': {
        const fn = operatorFn(n);
        const args = argsOf(n);
        if (fn === 'unaryPlus') return visit(args[0]!);
        if (fn === 'pow') {
          const e = unwrap(args[1]!);
          const a = visit(args[0]!);
          if (e.type === 'ConstantNode' && constantText(e) === '2') return emit([Op.SQR, 0, a]);
          return callOf('^', ([x, y]) => x!.pow(y!), [a, visit(args[1]!)]);
        }
        const parts = args.map((a) => visit(a));
        if (fn === 'unaryMinus') return emit([Op.NEG, 0, parts[0]!]);
        if (parts.length > 2) {
          if (fn === 'add') return emit([Op.SUM, 0, parts.length, ...parts]);
          if (fn === 'multiply') return emit([Op.PROD, 0, parts.length, ...parts]);
        }
        const [a, b] = parts as [number, number];
        switch (fn) {
          case 'add': return emit([Op.ADD, 0, a, b]);
          case 'subtract': return emit([Op.SUB, 0, a, b]);
          case 'multiply': return emit([Op.MUL, 0, a, b]);
          case 'divide': return emit([Op.DIV, 0, a, b]);
        }
        throw new TapeUnsupported(`operator ${fn}`);
      }
      case 'FunctionNode': {
        const name = callName(n);
        const rule = FUNCTIONS[name];
        if (!rule) throw new TapeUnsupported(`function ${name}`);
        // The square root (Adam's, once per param per step) in the kernel, rounded as BigDecimal.sqrt
        // rounds; a negative argument stops the tape there (NaN is the closures' to handle).
        if (name === 'sqrt' && argsOf(n).length === 1) return emit([Op.SQRT, 0, visit(argsOf(n)[0]!)]);
        if (!rule.kink) return callOf(name, (xs) => rule.evaluate(xs, slots.c), argsOf(n).map((a) => visit(a)));
        return kink(name, rule, argsOf(n));
      }
    }
    throw new TapeUnsupported(`node ${n.type}`);
  };

  // A kinked function: its switch (the first argument) summed term by term and snapped to 0 where
  // the terms cancel within the last digits, as evaluate.ts's compileKink does; then the value. The
  // snapped switch of a subtree is made once (a unit's relu and every weight's heaviside share it).
  const kink = (name: string, rule: FunctionRule, args: Node[]): number => {
    if (COMPARES_ALL_ARGUMENTS.has(name) || COMPARES_TWO_ARGUMENTS.has(name)) throw new TapeUnsupported(`${name} compares its arguments`);
    const z = unwrap(args[0]!);
    const earlier = shared?.switches.get(z);
    let x = snapped?.get(z) ?? (earlier === undefined ? undefined : fixed(earlier));
    const terms = x === undefined ? additiveTerms(z, 1).map(([sign, t]) => [sign, visit(t)] as const) : undefined;
    const rest = args.slice(1).map((a) => visit(a));
    if (x === undefined) {
      x = emit([Op.SNAP, 0, terms!.length, ...terms!.flatMap(([s, t]) => [s, t])]);
      (snapped ??= new Map()).set(z, x);
      switches?.push([z, x]);
    }
    const ZERO = fixed(slots.ZERO), ONE = fixed(slots.ONE);
    switch (name) {
      case 'relu': return emit([Op.SELECT, 0, x, x, ZERO, ZERO]);
      case 'heaviside': return emit([Op.SELECT, 0, x, ONE, fixed(slots.AT_ZERO), ZERO]);
      case 'sign': return emit([Op.SELECT, 0, x, ONE, ZERO, fixed(slots.MINUS_ONE)]);
      case 'abs': {
        const minus = emit([Op.NEG, 0, x]);
        return emit([Op.SELECT, 0, x, x, x, minus]);
      }
    }
    return callOf(name, (xs) => rule.evaluate(xs, slots.c), [x, ...rest]);
  };

  const value = visit(formula);
  return { steps, value, ...(values ? { values } : {}), ...(switches ? { switches } : {}) };
}
