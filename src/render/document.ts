// A document, independent of its format: headings, paragraphs, tables, lists, aligned display
// mathematics (already written in TeX by tex.ts) and plain calculation lines. Text, Markdown, LaTeX and
// HTML are each one printer of this (text.ts, markdown.ts, latex.ts, html.ts); what a worked solution,
// a derivation or a check report says is decided once, where its document is made (solution-doc.ts,
// derivation.ts, check/report.ts).
//
// Plain text and typesetting do not lay a page out alike: a block may be for one medium only (`only`),
// and `plain` says how plain text places a block (its indent, whether a blank line comes before it) and
// words it where plain text words it differently. A printer of one medium skips the other's blocks, and
// a document made for one medium's sink only (BlockSink.medium) does not make the other's at all.

/** Running text. A string is the document's words, escaped by each printer for its format. */
export type Inline =
  | string
  /** Inline mathematics in TeX; `text`, its plain-text form (`x = 0.5`). */
  | { math: string; text?: string }
  /** A name or path shown as it is (a file, an answer's path): a code span. */
  | { code: string }
  /** Text we wrote whose characters are meant as they are (numbers, names, formulas in the text
   *  notation): no markup escaping (Markdown escapes only what would break a table row). */
  | { literal: string }
  /** Emphasis (bold). */
  | { strong: Inline[] }
  /** A colour on a terminal (when the text printer colours); other formats print the text plain. */
  | { colour: Colour; text: string };

/** ANSI colours a text report uses. */
export type Colour = 'green' | 'yellow' | 'cyan' | 'red';

/** One line of an aligned display: lhs rel rhs, aligned on rel. An empty lhs continues the line above. */
export interface MathLine {
  lhs: string;
  /** '=', '\\approx', '\\leftarrow' ... */
  rel: string;
  rhs: string;
  /** A line of the calculation of a value: which part of it the line is, and the quantity computed (the
   *  same object on every line of one calculation). Printers of the worked solution ignore it; a
   *  worksheet (html-blocks.ts worksheetBlock) keeps a calculation's formula and puts a cell where the
   *  numbers and the value would be. */
  calc?: { part: CalcPart; quantity: CalcQuantity };
}

/** The parts of a calculation, in its order: the formula (one line, or several when cut), the formula
 *  with the numbers put in, the value. */
export type CalcPart = 'formula' | 'substituted' | 'value';

/** The quantity a calculation computes. */
export interface CalcQuantity {
  /** Its path in an answers file (epoch1.sample1.h1, step2.optimizer.m.w1), as check reads it; absent
   *  for a quantity an answers file has no place for (the loss's own adjoint, a buffer). */
  path?: string;
  /** Its name in plain text (h1, dL/dh1, m[w1]), for a cell's accessible name. */
  name: string;
}

/**
 * One quantity worked out in plain text, the layout of a hand calculation:
 *
 *     name = formula
 *          = formula with the numbers put in
 *          = value   note
 *
 * The substitution line is left out when it repeats the formula or the value.
 */
export interface PlainCalc {
  name: string;
  /** Absent for a constant: `name = value` on one line. */
  formula?: string;
  substituted?: string;
  value: string;
  /** `name = formula = value` on one line (a formula that is one symbol). */
  oneLine?: boolean;
  /** Said after the value. */
  note?: string;
}

/** How plain text places a block. */
export interface PlainLayout {
  /** Spaces before each line. */
  indent?: number;
  /** Follows the block above with no blank line between. */
  tight?: boolean;
  /** Its words in plain text, where they differ from `content` (a heading or paragraph). */
  content?: Inline[];
  /** For a table: the text before each column (the first column's is usually '') and its least width;
   *  cells are padded to the widest of their column. */
  columns?: Array<{ gap: string; width?: number }>;
  /** For a table: whether plain text prints its head row. */
  head?: boolean;
  /** For a table: blocks printed under a row in plain text (what typesetting puts in a section of its own). */
  below?: Array<Block[] | undefined>;
}

export type Block = (
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; content: Inline[] }
  | { kind: 'paragraph'; content: Inline[] }
  /** Aligned display mathematics; `groups` are separated by a little vertical space. */
  | { kind: 'math'; groups: MathLine[][] }
  | { kind: 'table'; head: Inline[][]; rows: Inline[][][] }
  /** `lead`: the sentence the list completes, written right above it. */
  | { kind: 'list'; items: Inline[][]; lead?: Inline[] }
  /** Calculations in the plain notation (formulas as mathjs writes them, not TeX). */
  | { kind: 'calc'; calcs: PlainCalc[] }
  /** A chart drawn as an SVG element (no script, no link: it shows offline). Typeset formats that can
   *  hold SVG (Markdown, HTML) show it above its caption; the others print the caption and `alt`, the
   *  chart said in words. */
  | { kind: 'figure'; svg: string; caption: Inline[]; alt: string }
) & {
  /** A block one medium leaves out: 'text' blocks are plain text's only, 'typeset' ones the others'. */
  only?: Medium;
  /** States computed values outside any calculation (the params after a step, the run's tables, the
   *  layer outputs as tensors): a worksheet, which asks for those values, leaves it out. */
  statesValues?: true;
  /** A heading's or paragraph's words in a worksheet (html-blocks.ts worksheetBlock), where they differ
   *  from `content` (the title, and what the document says of its own layout). */
  worksheet?: Inline[];
  plain?: PlainLayout;
};

export type Medium = 'text' | 'typeset';

export interface Doc {
  title: string;
  blocks: Block[];
}

/**
 * Where a document is written as it is made: its title first, then its blocks a few at a time (the
 * opening, each step, the closing), then the end. A printer (text.ts, markdown.ts, latex.ts, html.ts)
 * writes each block as it comes, so a document of any length is never held whole.
 */
export interface BlockSink {
  begin(title: string): void;
  blocks(blocks: Block[]): void;
  end(): void;
  /** The one medium this sink prints, so that the document's maker need not make the other's blocks;
   *  absent: both are made (a document held whole, for any printer). */
  medium?: Medium;
}

/** Whether a printer of `medium` prints a block. */
export const printedIn = (medium: Medium) => (b: Block): boolean => b.only === undefined || b.only === medium;

/** Which media a document written into `sink` is made for. */
export function wanted(sink: BlockSink): Record<Medium, boolean> {
  return { text: sink.medium !== 'typeset', typeset: sink.medium !== 'text' };
}

/** A sink for formats that write a fixed opening, the blocks separated by a blank line, and a fixed end
 *  (Markdown, LaTeX): each block is printed as it comes. */
export function separatedBlocks(write: (text: string) => void, block: (b: Block) => string, opening: string, ending: string): BlockSink {
  let first = true;
  const typeset = printedIn('typeset');
  return {
    medium: 'typeset',
    begin() {
      if (opening) write(opening);
    },
    blocks(blocks) {
      for (const b of blocks) {
        if (!typeset(b)) continue;
        write(first ? block(b) : `\n\n${block(b)}`);
        first = false;
      }
    },
    end() {
      write(ending);
    },
  };
}

/** A whole document through a sink (what a printer of a held document does). */
export function printWhole(doc: Doc, sink: BlockSink): void {
  sink.begin(doc.title);
  sink.blocks(doc.blocks);
  sink.end();
}

/** Inline mathematics; `text`, its plain-text form where plain text prints it. */
export const math = (tex: string, text?: string): Inline => (text === undefined ? { math: tex } : { math: tex, text });

/** A calculation's lines in plain text, each after `indent` (see PlainCalc). */
export function plainCalcLines(c: PlainCalc, indent: string): string[] {
  const lead = `${indent}${c.name} = `;
  const value = c.note ? `${c.value}   ${c.note}` : c.value;
  if (c.formula === undefined) return [`${lead}${value}`];
  if (c.oneLine) return [`${lead}${c.formula} = ${value}`];
  // The later lines start under the first line's '=' sign.
  const pad = ' '.repeat(lead.length - 2);
  const lines = [`${lead}${c.formula}`];
  if (c.substituted !== undefined && c.substituted !== c.formula && c.substituted !== c.value) lines.push(`${pad}= ${c.substituted}`);
  lines.push(`${pad}= ${value}`);
  return lines;
}

/** The TeX body of an aligned display (what goes between \begin{aligned} and \end{aligned}). */
export function alignedBody(groups: MathLine[][]): string {
  const lines: string[] = [];
  groups.forEach((group, g) => {
    group.forEach((line, i) => {
      const last = g === groups.length - 1 && i === group.length - 1;
      const gap = i === group.length - 1 && !last ? '[0.6em]' : '';
      lines.push(`${line.lhs} &${line.rel} ${line.rhs}${last ? '' : ` \\\\${gap}`}`);
    });
  });
  return lines.join('\n');
}

/** Every piece of TeX in a document, with whether it is displayed: what a renderer must accept. */
export function mathFragments(doc: Doc): Array<{ tex: string; display: boolean }> {
  const out: Array<{ tex: string; display: boolean }> = [];
  const inline = (content: Inline[]): void =>
    content.forEach((c) => {
      if (typeof c === 'string') return;
      if ('math' in c) out.push({ tex: c.math, display: false });
      else if ('strong' in c) inline(c.strong);
    });
  for (const b of doc.blocks.filter(printedIn('typeset'))) {
    if (b.kind === 'heading' || b.kind === 'paragraph') inline(b.content);
    else if (b.kind === 'list') [...(b.lead ? [b.lead] : []), ...b.items].forEach(inline);
    else if (b.kind === 'table') [...b.head, ...b.rows.flat()].forEach(inline);
    else if (b.kind === 'math') out.push({ tex: `\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}`, display: true });
  }
  return out;
}
