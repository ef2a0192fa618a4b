// The worked solution or a derivation as an HTML fragment: a printer of the library's document model (a
// BlockSink) that writes the blocks the way the library's own HTML printer (src/render/html.ts) does,
// minus the page around them (that printer reads KaTeX's stylesheet and fonts from the file system,
// which a browser has not). How a formula is written is the caller's: for the page, its TeX in a
// placeholder that the page typesets with KaTeX when it scrolls into view (typesetting hw7's hundreds of
// formulas at once takes most of a second; the screenful in view, a few milliseconds); for a download,
// typeset here at once (renderMath).
import type Katex from 'katex';
import { htmlBlock, worksheetBlock, worksheetCells, type BlockSink, type MathWriter } from '../../src/library/run.js';
import { escapeHtml } from '../../src/text/escape.js';

export { escapeHtml, type MathWriter };

/** One fragment of TeX. A fragment KaTeX refuses is shown as its source in red rather than failing the
 *  whole page (the CLI's printer throws: there a refusal is a bug to find in tests, here a reader would
 *  lose the solution over one formula). The allowance of macro expansions grows with the fragment, as in
 *  the library's printer. */
export function renderMath(tex: string, display: boolean): string {
  return katexNow().renderToString(tex, { displayMode: display, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml', maxExpand: Math.max(1000, tex.length) });
}

/** KaTeX, loaded the first time a download typesets here (the page typesets its own view): 294 KB the
 *  worker would otherwise parse at every start, before it can answer the first request. */
let katex: typeof Katex | undefined;
function katexNow(): typeof Katex {
  if (!katex) {
    const scope = self as unknown as { importScripts(url: string): void; katex: typeof Katex };
    scope.importScripts('katex/katex.min.js');
    katex = scope.katex;
  }
  return katex;
}

/** A formula for the page to typeset (main.ts), its TeX shown until then. */
export const placeholder: MathWriter = (tex, display) => `<span class="tex" data-display="${display ? 1 : 0}">${escapeHtml(tex)}</span>`;

/** A sink writing each typeset block as it comes, through the library's block printer; `shift` moves
 *  headings down (1 in the page, which has its own h1; 0 in a downloaded page, as the CLI writes it).
 *  `title` receives the document's title. */
export function fragmentSink(write: (html: string) => void, math: MathWriter, title?: (t: string) => void, shift = 1): BlockSink {
  return {
    medium: 'typeset',
    begin(t) {
      title?.(t);
    },
    blocks(blocks) {
      for (const b of blocks) if (b.only === undefined || b.only === 'typeset') write(htmlBlock(b, math, shift) + '\n');
    },
    end() {},
  };
}

/** A sink writing the worked solution as a worksheet, through the library's worksheet printer (the
 *  solution's headings, formulas and order, a cell where each value would be). A training of more than
 *  `maxCells` cells is cut after the block that passes them, with a note saying so: a sheet that long
 *  is not one anybody fills in, and the page would hold thousands of inputs. `cells` counts them. */
export function worksheetSink(write: (html: string) => void, math: MathWriter, maxCells: number, title?: (t: string) => void): BlockSink & { cells(): number } {
  let cells = 0;
  let cut = false;
  return {
    medium: 'typeset',
    begin(t) {
      title?.(t);
    },
    blocks(blocks) {
      for (const b of blocks) {
        if (cut || (b.only !== undefined && b.only !== 'typeset')) continue;
        const html = worksheetBlock(b, math, 1);
        if (html) write(html + '\n');
        cells += worksheetCells(b).length;
        cut = cells > maxCells;
      }
    },
    end() {
      if (cut) write(`<p class="ws-cut" role="note">The worksheet stops here, after ${cells.toLocaleString('en-US')} cells: a longer one is not laid out. The whole training is in the worked solution.</p>\n`);
    },
    cells: () => cells,
  };
}
