// The TeX printer: quantity names and formula trees as people write them in LaTeX (w1 as w_{1}, yhat as
// \hat{y}, beta1 as \beta_1, dL/dh1 as a partial derivative, m[w1] as m_{w_{1}}), and decimals as
// numbers (1e-8 as 10^{-8}). Markdown, LaTeX and HTML all write their mathematics through this one
// printer; the core never sees TeX.
import type { Dec } from '../numeric/context.js';
import { roundedText } from '../numeric/context.js';
import { unwrap, type Node } from '../symbolic/build.js';
import { displayName } from '../graph/names.js';
import { named, QuantityTable, type QuantityId } from '../graph/ids.js';
import { argsOf, callName, constantText, operatorFn, symbolName } from '../symbolic/tree.js';
import { isRepeatingFraction } from './numbers.js';
import { FUNCTIONS } from '../symbolic/functions.js';

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi',
  'pi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'chi', 'psi', 'omega',
  'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
]);

/** Names with a customary symbol. Used only when no other name of the document prints the same way. */
const ALIASES: Record<string, string> = {
  lr: '\\eta',
  eps: '\\epsilon',
  loss: '\\ell',
  vmax: 'v^{\\max}',
};

/** Derivatives of the kinked functions (kind 'step' in the function table): what matters of their
 *  argument is its sign. */
const isStepFunction = (name: string) => FUNCTIONS[name]?.kind === 'step';

/** The step's losses. */
const STEP_LOSS: Record<'data' | 'penalty' | 'total', string> = {
  data: 'L_{\\text{data}}',
  penalty: 'L_{\\text{penalty}}',
  total: 'L',
};

const mathrm = (s: string) => `\\mathrm{${s.replace(/_/g, '\\_')}}`;
const letter = (s: string) => /^[A-Za-z]$/.test(s) || GREEK.has(s);
const letterTex = (s: string) => (GREEK.has(s) ? `\\${s}` : s);
/** A subscript of digits: \beta_1 for one digit after a Greek letter (as written by hand), w_{1} otherwise. */
const digitsSub = (base: string, digits: string) => (GREEK.has(base) && digits.length === 1 ? `_${digits}` : `_{${digits}}`);

/** TeX of a plain spec name (no derived-quantity syntax), without aliases. */
function baseName(name: string): string {
  let m = /^([A-Za-z]+)(\d*)(hat|bar|tilde)(\d*)$/.exec(name);
  if (m && letter(m[1]!) && !(m[2] && m[4])) {
    const digits = m[2] || m[4];
    return `\\${m[3]}{${letterTex(m[1]!)}}${digits ? digitsSub(m[1]!, digits) : ''}`;
  }
  m = /^([A-Za-z]+)(\d+)$/.exec(name);
  if (m) return `${letter(m[1]!) ? letterTex(m[1]!) : mathrm(m[1]!)}${digitsSub(m[1]!, m[2]!)}`;
  if (letter(name)) return letterTex(name);
  // x_in as x_{in}, w1_out as w_{1,out}, W1_2_1 (a layer's weight matrix entry) as W_{1,2,1}.
  m = /^([A-Za-z]+?)(\d*)((?:_[A-Za-z0-9]+)+)$/.exec(name);
  if (m && letter(m[1]!)) {
    const subs = [...(m[2] ? [m[2]] : []), ...m[3]!.slice(1).split('_').map((part) => (/^\d+$/.test(part) ? part : mathrm(part)))];
    return `${letterTex(m[1]!)}_{${subs.join(',')}}`;
  }
  // A word with indices, as layers name their tensors' entries (conv_weight_1_0_0_1, lstm_i_0_1): the
  // word upright, the indices as a subscript.
  m = /^([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*)((?:_\d+)+)$/.exec(name);
  if (m) return `${mathrm(m[1]!)}_{${m[2]!.slice(1).split('_').join(',')}}`;
  return mathrm(name);
}

/** Attaches a subscript to a printed name that may already carry one. */
const subscripted = (tex: string, sub: string) => (/(^|[^\\])_/.test(tex) ? `{${tex}}_{${sub}}` : `${tex}_{${sub}}`);

export interface TexOptions {
  /** Significant digits of substituted numbers and values. */
  digits: number;
}

export interface FormulaOptions extends TexOptions {
  /** The substitution line: each symbol this knows is replaced by its value. */
  value?: (name: string) => Dec | undefined;
  /** In a substitution, a function shows its argument's value rather than the argument's formula with
   *  numbers put in: always for the step functions (H, LeakyReLU', sgn: only the sign matters), and for
   *  every function when `collapseArguments` is set (the backward pass, whose arguments the forward pass
   *  has already worked out). */
  argumentValue?: (arg: Node) => Dec;
  collapseArguments?: boolean;
}

/** A printed piece of a formula with what its neighbours need to know to place parentheses. */
interface Piece {
  tex: string;
  /** 1 sum, 2 product or unary minus, 4 power, 5 atom. */
  prec: number;
  /** Its text starts with a minus sign (a negative number, a negation). */
  neg: boolean;
  /** A number written out (a constant or a substituted value). */
  numeric: boolean;
  /** It still contains a name (so it is not a line of numbers only). */
  symbolic: boolean;
  /** A fraction or a derivative (reads best with \cdot around it in a product). */
  fraction: boolean;
  /** Its first and last factors are fractions: a product must not juxtapose anything with them, or
   *  dL/dl (y - yhat) could read as a derivative of (y - yhat). */
  firstFraction: boolean;
  lastFraction: boolean;
  /** A function call written name(args): a power must wrap it in parentheses. */
  call: boolean;
}

const atom = (tex: string, more: Partial<Piece> = {}): Piece => {
  const p = { tex, prec: 5, neg: false, numeric: false, symbolic: true, fraction: false, call: false, ...more };
  return { firstFraction: p.fraction, lastFraction: p.fraction, ...p };
};

export interface Printed {
  tex: string;
  /** A shown number was rounded: the line relates with \approx, not =. */
  rounded: boolean;
  /** How it binds (see Piece), for callers that put it next to something else. */
  prec?: number;
  neg?: boolean;
}

/**
 * The notation of one document. Built from every name that appears in it, so that a customary symbol
 * (lr as \eta, sigmoid as \sigma, the step function as H) is used only when it cannot be confused
 * with another name of the same document.
 */
export class Notation {
  private readonly names = new Map<string, string>();
  /** How each function with a customary symbol is written in this document (sigmoid, heaviside). */
  private readonly operators = new Map<string, string>();

  /** What each derived symbol of the document is (graph/ids.ts): a symbol it does not know is a name. */
  private readonly quantities: QuantityTable;

  constructor(names: Iterable<string>, quantities: QuantityTable = new QuantityTable()) {
    this.quantities = quantities;
    const all = [...new Set(names)];
    const plain = new Map(all.map((n) => [n, baseName(n)]));
    const taken = new Set(plain.values());
    for (const n of all) {
      const alias = ALIASES[n];
      this.names.set(n, alias && !taken.has(alias) && ![...plain.entries()].some(([o, t]) => o !== n && ALIASES[o] === alias) ? alias : plain.get(n)!);
    }
    const used = new Set(this.names.values());
    for (const [fn, rule] of Object.entries(FUNCTIONS)) {
      const { write, symbol } = rule.tex;
      if (symbol && typeof write === 'string') this.operators.set(fn, used.has(symbol) ? write : symbol);
    }
  }

  /** The TeX of a symbol: what the document's quantity table says it is (a plain name otherwise). */
  name(symbol: string): string {
    return this.quantity(this.quantities.idOf(symbol));
  }

  /** Whether a symbol is a derivative dL/d(...) (it reads best with \\cdot around it in a product). */
  isDerivative(symbol: string): boolean {
    return this.quantities.idOf(symbol).kind === 'adjoint';
  }

  /** The TeX of a quantity: a spec name, dL/dx as a partial derivative, the step's losses, an
   *  optimizer's state for a param (m_{w_1}), a sample's quantity read by the step (x^{(k)}). */
  quantity(id: QuantityId): string {
    switch (id.kind) {
      case 'named': {
        // The engine's own symbols (n, t, the optimizer's options) are written by their usual names.
        const name = displayName(id.name);
        return this.names.get(name) ?? (ALIASES[name] && !this.taken(ALIASES[name]!) ? ALIASES[name]! : baseName(name));
      }
      case 'stepLoss': return STEP_LOSS[id.part];
      case 'adjoint': return `\\frac{\\partial L}{\\partial ${this.quantity(named(id.of))}}`;
      case 'state': return subscripted(this.quantity(named(id.local)), this.quantity(named(id.param)));
      case 'ofSample': {
        const tex = this.quantity(id.of);
        return id.of.kind === 'adjoint' ? `\\left(${tex}\\right)^{(${id.row + 1})}` : `${tex}^{(${id.row + 1})}`;
      }
    }
  }

  private taken(tex: string): boolean {
    return [...this.names.values()].includes(tex);
  }

  /** The partial derivative d(of)/d(wrt) as a fraction. */
  partial(of: string | QuantityId, wrt: string): string {
    const top = typeof of === 'string' ? this.name(of) : this.quantity(of);
    return `\\frac{\\partial ${top}}{\\partial ${this.name(wrt)}}`;
  }

  /** A decimal as TeX, rounded to `digits` significant digits: 1e-8 as 10^{-8}. */
  number(d: Dec, digits: number): Printed {
    const r = roundedText(d, digits);
    return { tex: numberTex(r.text), rounded: !r.exact };
  }

  /** A value where it is stated (a result, an initial or final value): an exact fraction with no finite
   *  decimal expansion is the fraction, then its rounded decimal, as the text solution writes it. */
  value(d: Dec, digits: number): Printed {
    const decimal = this.number(d, digits);
    if (!isRepeatingFraction(d)) return decimal;
    const [num, den] = d.toString().split('/') as [string, string];
    const neg = num.startsWith('-');
    return { tex: `${neg ? '-' : ''}\\frac{${neg ? num.slice(1) : num}}{${den}} \\approx ${decimal.tex}`, rounded: false };
  }

  /** A formula; with `value`, each symbol it knows is replaced by its value (the substitution line). */
  formula(tree: Node, options: FormulaOptions): Printed {
    let rounded = false;
    const piece = (n: Node): Piece => {
      const node = unwrap(n);
      switch (node.type) {
        case 'ConstantNode':
          return numberPiece(numberTex(constantText(node)));
        case 'SymbolNode': {
          const name = symbolName(node);
          const v = options.value?.(name);
          if (v) {
            const p = this.number(v, options.digits);
            rounded ||= p.rounded;
            return numberPiece(p.tex);
          }
          return atom(this.name(name), { fraction: this.isDerivative(name) });
        }
        case 'OperatorNode':
          return operator(node);
        case 'FunctionNode':
          return call(node);
      }
      throw new Error(`cannot print ${node.type}`);
    };
    const wrap = (p: Piece): string => (/\\frac|\\sqrt|\\left/.test(p.tex) ? `\\left(${p.tex}\\right)` : `(${p.tex})`);
    const compound = (tex: string, prec: number, parts: Piece[], more: Partial<Piece> = {}): Piece =>
      atom(tex, { prec, neg: tex.startsWith('-'), symbolic: parts.some((p) => p.symbolic), ...more });
    // A product of two pieces. A longer product (an n-ary node) is printed as the chain of binary ones
    // it stands for, ((a b) c) d, so it reads exactly as before: see `operator`.
    const times = (a: Piece, b: Piece): Piece => {
      const left = a.prec < 2 || (a.neg && a.numeric) ? wrap(a) : a.tex;
      const right = b.prec < 2 || b.neg ? wrap(b) : b.tex;
      // Names multiply by juxtaposition (2 \lambda w_{1}); numbers and fractions need a visible dot.
      const numbersOnly = !a.symbolic && !b.symbolic;
      const dot = numbersOnly || b.numeric || a.lastFraction || b.firstFraction || /^[\d.]/.test(right);
      const firstFraction = left === a.tex && a.firstFraction;
      const lastFraction = right === b.tex && b.lastFraction;
      return compound(`${left}${dot ? ' \\cdot ' : ' '}${right}`, 2, [a, b], { firstFraction, lastFraction });
    };
    const operator = (node: Node): Piece => {
      const fn = operatorFn(node);
      const args = argsOf(node);
      const pieces = args.map(piece);
      const [a, b] = pieces as [Piece, Piece];
      // Sums and products of many terms: joined in one pass (folding them pairwise would copy the
      // growing text once per term), with the same text the binary chain gives.
      if (pieces.length > 2 && fn === 'add') {
        return compound(pieces.map((p, i) => (i > 0 && p.neg ? wrap(p) : p.tex)).join(' + '), 1, pieces);
      }
      if (pieces.length > 2 && fn === 'multiply') {
        // After the first multiplication the left side is a product (precedence 2, not a number), which
        // is never wrapped: only what the right side adds, and whether the left ends in a fraction and
        // names anything, carry from one factor to the next.
        const first = times(a, b);
        const parts = [first.tex];
        let symbolic = first.symbolic;
        let lastFraction = first.lastFraction;
        for (const p of pieces.slice(2)) {
          const right = p.prec < 2 || p.neg ? wrap(p) : p.tex;
          const dot = (!symbolic && !p.symbolic) || p.numeric || lastFraction || p.firstFraction || /^[\d.]/.test(right);
          parts.push(dot ? ' \\cdot ' : ' ', right);
          symbolic ||= p.symbolic;
          lastFraction = right === p.tex && p.lastFraction;
        }
        return compound(parts.join(''), 2, pieces, { firstFraction: first.firstFraction, lastFraction });
      }
      switch (fn) {
        case 'unaryPlus':
          return a;
        case 'unaryMinus':
          return a.prec < 2 || a.neg ? compound(`-${wrap(a)}`, 2, [a]) : compound(`-${a.tex}`, 2, [a], { firstFraction: a.firstFraction, lastFraction: a.lastFraction });
        case 'add':
          return compound(`${a.tex} + ${b.neg ? wrap(b) : b.tex}`, 1, [a, b]);
        case 'subtract':
          return compound(`${a.tex} - ${b.prec < 2 || b.neg ? wrap(b) : b.tex}`, 1, [a, b]);
        case 'multiply':
          return times(a, b);
        case 'divide':
          return compound(`\\frac{${a.tex}}{${b.tex}}`, 5, [a, b], { fraction: true });
        case 'pow': {
          const base = a.prec < 5 || a.neg || a.fraction || a.call ? wrap(a) : a.tex;
          // A base that already has a superscript (a sample index) gets braces: no double superscript.
          return compound(`${base.includes('^') && !/^(\\left)?\(/.test(base) ? `{${base}}` : base}^{${b.tex}}`, 4, [a, b]);
        }
      }
      throw new Error(`cannot print operator ${fn}`);
    };
    const call = (node: Node): Piece => {
      const f = { fn: { name: callName(node) }, args: argsOf(node) };
      const collapse = options.argumentValue && (options.collapseArguments || isStepFunction(f.fn.name));
      const args = f.args.map((arg, i) => {
        if (!collapse || i > 0) return piece(arg);
        const p = this.number(options.argumentValue!(arg), options.digits);
        rounded ||= p.rounded;
        return numberPiece(p.tex);
      });
      const list = args.map((p) => p.tex).join(', ');
      const paren = (tex: string) => (/\\frac|\\sqrt|\\left/.test(tex) ? `\\left(${tex}\\right)` : `(${tex})`);
      const fnPiece = (tex: string, isCall = true) => compound(tex, 5, args, { call: isCall, neg: false });
      const named = (op: string) => fnPiece(`${op}${paren(list)}`);
      // Each function's TeX form is in its entry of the function table.
      const form = FUNCTIONS[f.fn.name]?.tex;
      if (!form) return named(`\\operatorname{${f.fn.name.replace(/_/g, '\\_')}}`);
      if (typeof form.write === 'string') return named(this.operators.get(f.fn.name) ?? form.write);
      return fnPiece(form.write(args.map((p) => p.tex), paren), !form.bracketed);
    };
    const top = piece(tree);
    return { tex: top.tex, rounded, prec: top.prec, neg: top.neg };
  }

  /**
   * A long formula cut into lines for an aligned display: a product into groups of factors (each line
   * after the first starting with \cdot), a sum into groups of terms. Short formulas stay one line.
   */
  formulaLines(tree: Node, options: FormulaOptions, width = 72): { lines: string[]; rounded: boolean } {
    const printed = this.formula(tree, options);
    return { lines: this.cut(tree, printed.tex, options, width), rounded: printed.rounded };
  }

  private cut(tree: Node, whole: string, options: FormulaOptions, width: number): string[] {
    if (visibleWidth(whole) <= width) return [whole];
    let node = unwrap(tree);
    let sign = '';
    if (node.type === 'OperatorNode' && operatorFn(node) === 'unaryMinus') {
      sign = '-';
      node = unwrap(argsOf(node)[0]!);
    }
    const fn = node.type === 'OperatorNode' ? operatorFn(node) : '';
    let parts: Array<{ joiner: string; tex: string }>;
    if (fn === 'multiply') {
      parts = flatten(node, 'multiply').map((f) => {
        const p = this.formula(f, options);
        return { joiner: '\\cdot', tex: (p.prec ?? 5) < 2 || p.neg ? `(${p.tex})` : p.tex };
      });
    } else if (fn === 'add' || fn === 'subtract') {
      parts = signedTerms(node).map(([s, t]) => {
        const p = this.formula(t, options);
        return { joiner: s, tex: (p.prec ?? 5) < 2 || p.neg ? `(${p.tex})` : p.tex };
      });
      if (parts[0]!.joiner === '-') parts[0]!.tex = `-${parts[0]!.tex}`;
    } else {
      return [whole];
    }
    const lines: string[] = [];
    let line = '';
    for (const [i, part] of parts.entries()) {
      const piece = i === 0 ? part.tex : `${part.joiner} ${part.tex}`;
      if (line && visibleWidth(`${line} ${piece}`) > width) {
        lines.push(line);
        line = `\\quad ${piece}`;
      } else {
        line = line ? `${line} ${piece}` : piece;
      }
    }
    lines.push(line);
    if (sign) {
      lines[0] = `-\\bigl(${lines[0]}`;
      lines[lines.length - 1] = `${lines[lines.length - 1]}\\bigr)`;
    }
    return lines;
  }

  /** How the step function and the other kinked derivatives are written, for the document's conventions line. */
  get stepFunction(): string {
    return this.operators.get('heaviside')!;
  }
}

/** The factors of a product (or terms of a sum) through nested binary nodes and parentheses. */
function flatten(n: Node, fn: string): Node[] {
  const node = unwrap(n);
  if (node.type === 'OperatorNode' && operatorFn(node) === fn) {
    return argsOf(node).flatMap((a) => flatten(a, fn));
  }
  return [node];
}

function signedTerms(n: Node, sign: '+' | '-' = '+'): Array<['+' | '-', Node]> {
  const node = unwrap(n);
  if (node.type === 'OperatorNode') {
    const fn = operatorFn(node);
    const args = argsOf(node);
    const flip = sign === '+' ? '-' : '+';
    if (fn === 'add') return args.flatMap((a) => signedTerms(a, sign));
    if (fn === 'subtract') return [...signedTerms(args[0]!, sign), ...signedTerms(args[1]!, flip)];
  }
  return [[sign, node]];
}

/** Roughly how many characters wide a TeX string prints (commands count as one glyph). */
export function visibleWidth(tex: string): number {
  return tex
    .replace(/\\operatorname\{([^}]*)\}/g, '$1')
    .replace(/\\(left|right|bigl|bigr|quad|,)/g, '')
    .replace(/\\frac\{\\partial ([^}]*)\}\{\\partial ([^}]*)\}/g, 'd$2')
    .replace(/\\[a-zA-Z]+/g, 'x')
    .replace(/[{}_^\s]/g, '').length;
}

function numberPiece(tex: string): Piece {
  const neg = tex.startsWith('-');
  // 2.5 \times 10^{21} groups like a product, 10^{-8} like a power.
  const prec = neg || tex.includes('\\times') ? 2 : tex.includes('^') ? 4 : 5;
  return atom(tex, { prec, neg, numeric: true, symbolic: false });
}

/** 1e-8 as 10^{-8}, 2.5e+21 as 2.5 \times 10^{21}. */
export function numberTex(text: string): string {
  const m = /^(-?)([\d.]+)e([+-]?\d+)$/i.exec(text);
  if (!m) return text;
  const exponent = String(Number(m[3]));
  const power = `10^{${exponent}}`;
  return `${m[1]}${m[2] === '1' ? power : `${m[2]} \\times ${power}`}`;
}
