// Plain-text printer of a document, for a terminal: headings and paragraphs as lines, calculations in
// the layout of a hand calculation (formula, then the numbers put in, then the value), tables as padded
// columns, each block indented as its `plain` layout says and separated from the one above by a blank
// line unless it follows tightly. Every piece of text is made terminal-safe; colours (check's report)
// are written only when asked for. Blocks are printed as they come (textSink), so a long document
// streams; the worked solution in plain text is solution-doc.ts's document through this printer.
import { plainCalcLines, printedIn, printWhole, type Block, type BlockSink, type Colour, type Doc, type Inline } from './document.js';
import { terminalSafe, terminalSafeLine } from '../text/escape.js';
import { documentWriter } from './solution-doc.js';
import { written, type Solution, type SolutionWriter } from './solution.js';
import type { Certification } from '../certify/certify.js';

export { print } from './plain.js';

export interface TextOptions {
  /** Significant digits shown; values are exact at the working precision underneath. */
  digits: number;
  /** With --certify: said in the header (the caller caps `digits` at the fewest certified). */
  certification?: Certification;
}

export interface TextSinkOptions {
  /** ANSI colours and bold (a terminal that asked for them). */
  colour?: boolean;
}

const ANSI: Record<Colour, string> = { green: '32', yellow: '33', cyan: '36', red: '31' };

/** `s` in an ANSI style (a colour, or 1: bold), when colours are written. */
const painter = (colour: boolean) => (code: string, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);

/** Running text on a terminal; `colour`, whether colours and bold are written. */
function inlineText(content: Inline[], colour: boolean): string {
  const paint = painter(colour);
  return content.map((c) => {
    if (typeof c === 'string') return terminalSafe(c);
    if ('math' in c) return terminalSafe(c.text ?? c.math);
    if ('code' in c) return terminalSafeLine(c.code);
    if ('literal' in c) return terminalSafe(c.literal);
    if ('strong' in c) return paint('1', inlineText(c.strong, colour));
    return paint(ANSI[c.colour], terminalSafe(c.text));
  }).join('');
}

/** Writes each block as it comes, one write per call of `blocks`; every line ends in a newline. */
export function textSink(write: (text: string) => void, { colour = false }: TextSinkOptions = {}): BlockSink {
  const paint = painter(colour);
  const inline = (content: Inline[]) => inlineText(content, colour);
  // A cell's width is what it shows; its padding goes inside its colour (as a coloured word padded).
  const shown = (cell: Inline[]) => inlineText(cell, false).length;
  const padded = (cell: Inline[], width: number): string => {
    const only = cell.length === 1 ? cell[0] : undefined;
    if (only && typeof only !== 'string' && 'colour' in only) return paint(ANSI[only.colour], terminalSafe(only.text).padEnd(width));
    return inline(cell) + ' '.repeat(Math.max(0, width - shown(cell)));
  };
  let first = true;
  const text = printedIn('text');
  const linesOf = (b: Block, out: string[]): void => {
    if (!text(b)) return;
    const lines: string[] = [];
    const indent = ' '.repeat(b.plain?.indent ?? 0);
    switch (b.kind) {
      case 'heading':
      case 'paragraph':
        lines.push(`${indent}${inline(b.plain?.content ?? b.content)}`);
        break;
      case 'list':
        if (b.lead) lines.push(`${indent}${inline(b.lead)}`);
        for (const item of b.items) lines.push(`${indent}- ${inline(item)}`);
        break;
      case 'math':
        for (const group of b.groups) for (const l of group) lines.push(terminalSafe(`${indent}${l.lhs} ${l.rel} ${l.rhs}`));
        break;
      case 'calc':
        for (const c of b.calcs) lines.push(...plainCalcLines(c, indent).map(terminalSafe));
        break;
      case 'figure':
        lines.push(`${indent}${inline(b.caption)}`, terminalSafe(`${indent}${b.alt}`));
        break;
      case 'table': {
        const rows = b.plain?.head === false ? b.rows : [b.head, ...b.rows];
        const columns = b.plain?.columns ?? [];
        const widths = (rows[0] ?? []).map((_, i) => Math.max(columns[i]?.width ?? 0, ...rows.map((r) => (r[i] ? shown(r[i]!) : 0))));
        const below = b.plain?.below;
        rows.forEach((row, r) => {
          const cells = row.map((cell, i) => `${columns[i]?.gap ?? (i === 0 ? '' : '  ')}${i === row.length - 1 ? inline(cell) : padded(cell, widths[i]!)}`);
          lines.push(`${indent}${cells.join('')}`.trimEnd());
          // The blocks under a row follow it, whatever their own spacing.
          const rowBelow = below?.[b.plain?.head === false ? r : r - 1];
          if (rowBelow) {
            const sub: string[] = [];
            for (const x of rowBelow) linesOf({ ...x, plain: { ...x.plain, tight: true } }, sub);
            lines.push(...sub);
          }
        });
        break;
      }
    }
    if (lines.length === 0) return;
    if (!first && !b.plain?.tight) out.push('');
    first = false;
    out.push(...lines);
  };
  return {
    medium: 'text',
    begin() {},
    blocks(blocks) {
      const out: string[] = [];
      for (const b of blocks) linesOf(b, out);
      if (out.length > 0) write(out.map((l) => `${l}\n`).join(''));
    },
    end() {},
  };
}

/** A whole document in plain text. */
export function plainText(doc: Doc, options: TextSinkOptions = {}): string {
  let out = '';
  printWhole(doc, textSink((t) => (out += t), options));
  return out;
}

export function solutionText(sol: Solution, options: TextOptions): string {
  let out = '';
  written(sol, textWriter((t) => (out += t), options));
  return out;
}

/**
 * The text solution written as the run goes: the header before the first step, each step as it is
 * finished (a sample at a time), the final values and warnings at the end. It is the worked solution's
 * document (solution-doc.ts) printed in plain text.
 */
export function textWriter(write: (text: string) => void, { digits, certification }: TextOptions): SolutionWriter {
  return documentWriter(textSink(write), { digits, certification });
}
