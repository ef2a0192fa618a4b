// A typeset document, independent of its format: headings, paragraphs, tables and aligned display
// mathematics, with the mathematics already written in TeX (tex.ts). Markdown, LaTeX and HTML are each
// one printer of this (markdown.ts, latex.ts, html.ts); what a worked solution or a derivation says is
// decided once, in solution-doc.ts and derivation-doc.ts.

/** Running text: plain strings, and inline mathematics in TeX. */
export type Inline = string | { math: string };

/** One line of an aligned display: lhs rel rhs, aligned on rel. An empty lhs continues the line above. */
export interface MathLine {
  lhs: string;
  /** '=', '\\approx', '\\leftarrow' ... */
  rel: string;
  rhs: string;
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3 | 4; content: Inline[] }
  | { kind: 'paragraph'; content: Inline[] }
  /** Aligned display mathematics; `groups` are separated by a little vertical space. */
  | { kind: 'math'; groups: MathLine[][] }
  | { kind: 'table'; head: Inline[][]; rows: Inline[][][] }
  | { kind: 'list'; items: Inline[][] };

export interface Doc {
  title: string;
  blocks: Block[];
}

/**
 * Where a document is written as it is made: its title first, then its blocks a few at a time (the
 * opening, each step, the closing), then the end. A printer (markdown.ts, latex.ts, html.ts) writes
 * each block as it comes, so a document of any length is never held whole.
 */
export interface BlockSink {
  begin(title: string): void;
  blocks(blocks: Block[]): void;
  end(): void;
}

/** A sink for formats that write a fixed opening, the blocks separated by a blank line, and a fixed end
 *  (Markdown, LaTeX): each block is printed as it comes. */
export function separatedBlocks(write: (text: string) => void, block: (b: Block) => string, opening: string, ending: string): BlockSink {
  let first = true;
  return {
    begin() {
      if (opening) write(opening);
    },
    blocks(blocks) {
      for (const b of blocks) {
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

export const math = (tex: string): Inline => ({ math: tex });

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
  const inline = (content: Inline[]) => content.forEach((c) => typeof c !== 'string' && out.push({ tex: c.math, display: false }));
  for (const b of doc.blocks) {
    if (b.kind === 'heading' || b.kind === 'paragraph') inline(b.content);
    else if (b.kind === 'list') b.items.forEach(inline);
    else if (b.kind === 'table') [...b.head, ...b.rows.flat()].forEach(inline);
    else out.push({ tex: `\\begin{aligned}\n${alignedBody(b.groups)}\n\\end{aligned}`, display: true });
  }
  return out;
}
