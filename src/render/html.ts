// HTML printer of a typeset document: one self-contained page that opens offline. The mathematics is
// rendered here, server side, with KaTeX (throwOnError: a fragment KaTeX cannot render is our bug, not
// something to show the reader), and KaTeX's stylesheet is inlined with its fonts as data: URLs
// (woff2 only, and only the font families the page uses).
import katex from 'katex';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { printedIn, printWhole, type Block, type BlockSink, type Doc } from './document.js';
import { htmlBlock, PAGE_CSS } from './html-blocks.js';
import { escapeHtml } from '../text/escape.js';

/** Renders one fragment; throws on anything KaTeX does not accept. KaTeX stops after 1,000 macro
 *  expansions (its guard against a macro that expands forever); \operatorname alone costs several, so a
 *  formula with a few hundred calls needs more. The allowance grows with the fragment's length, which
 *  keeps the guard: our TeX defines no macros, and no finite fragment can expand forever within it. */
export function renderMath(tex: string, display: boolean): string {
  return katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'error', output: 'htmlAndMathml', maxExpand: Math.max(1000, tex.length) });
}


const block = (b: Block): string => htmlBlock(b, renderMath);

/** Body held back before the head is written, so the head's fonts are those the page's start uses. */
const HOLD_BYTES = 1 << 20;

/**
 * Writes the page as its blocks come. The head carries KaTeX's stylesheet with only the fonts the page
 * uses, which the head cannot know before the body: the body is held back until the document ends or
 * HOLD_BYTES of it are made (a short document, every committed example, is then exactly what a
 * whole-document printer writes), the head is written with the fonts of what was held, and a font
 * that a later block is the first to use is embedded by a <style> just before that block. Memory stays
 * bounded by the held part and one block.
 */
export function htmlSink(write: (text: string) => void): BlockSink {
  let title = '';
  let held: string[] | undefined = [];
  let heldBytes = 0;
  let first = true;
  const fonts = new Set<string>();
  const flush = () => {
    const content = held!.join('');
    held = undefined;
    fontsIn(content, fonts);
    write([
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>${escapeHtml(title)}</title>`,
      `<style>${katexCssFor(fonts)}</style>`,
      `<style>${PAGE_CSS}</style>`,
      '</head>',
      '<body>',
      '<main>',
      content,
    ].join('\n'));
  };
  const typeset = printedIn('typeset');
  return {
    medium: 'typeset',
    begin(t) {
      title = t;
    },
    blocks(blocks) {
      for (const b of blocks) {
        if (!typeset(b)) continue;
        const piece = first ? block(b) : `\n${block(b)}`;
        first = false;
        if (held) {
          held.push(piece);
          heldBytes += piece.length;
          if (heldBytes > HOLD_BYTES) flush();
          continue;
        }
        const before = new Set(fonts);
        fontsIn(piece, fonts);
        const added = [...fonts].filter((f) => !before.has(f));
        if (added.length > 0) write(`\n<style>${fontFaces(added)}</style>`);
        write(piece);
      }
    },
    end() {
      if (held) flush();
      write(['', '</main>', '</body>', '</html>', ''].join('\n'));
    },
  };
}

export function html(doc: Doc): string {
  let out = '';
  printWhole(doc, htmlSink((t) => (out += t)));
  return out;
}

// Resolved from this module, so it works from the sources, the bundle, and an installed package.
const requireHere = createRequire(import.meta.url);

interface KatexStyles {
  css: string;
  fontsDir: string;
  /** Per rule that names a KaTeX font family: the classes it selects and the families it uses. */
  rules: Array<{ classes: string[]; families: string[] }>;
}
let styles: KatexStyles | undefined;

/** KaTeX's stylesheet, read once, with which class selects which font family. */
function katexStyles(): KatexStyles {
  if (styles) return styles;
  const cssPath = requireHere.resolve('katex/dist/katex.min.css');
  const css = readFileSync(cssPath, 'utf8');
  const rules: KatexStyles['rules'] = [];
  for (const rule of css.matchAll(/([^{}@]+)\{([^{}]*)\}/g)) {
    const families = [...rule[2]!.matchAll(/KaTeX_(\w+)/g)].map((m) => m[1]!);
    if (families.length === 0) continue;
    rules.push({ classes: [...rule[1]!.matchAll(/\.([\w-]+)/g)].map((m) => m[1]!).filter((c) => c !== 'katex'), families });
  }
  return (styles = { css, fontsDir: join(dirname(cssPath), 'fonts'), rules });
}

/** Adds to `into` the font families the rendered `content` can use: a family is used when a class
 *  that selects it occurs in the content (KaTeX_Main always: it is the base font). */
function fontsIn(content: string, into: Set<string>): Set<string> {
  into.add('Main');
  const classes = new Set([...content.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1]!.split(/\s+/)));
  for (const rule of katexStyles().rules) {
    if (rule.classes.some((c) => classes.has(c))) rule.families.forEach((f) => into.add(f));
  }
  return into;
}

/** An @font-face rule with its woff2 font as a data: URL, or undefined for one to drop. */
function fontFace(decls: string, keep: (family: string) => boolean): string | undefined {
  const family = /font-family:"?KaTeX_(\w+)/.exec(decls)?.[1];
  const woff2 = /url\(fonts\/([\w-]+\.woff2)\)/.exec(decls)?.[1];
  if (!family || !woff2) return `@font-face{${decls}}`;
  if (!keep(family)) return undefined;
  const data = readFileSync(join(katexStyles().fontsDir, woff2)).toString('base64');
  return `@font-face{${decls.replace(/src:[^;}]*/, `src:url(data:font/woff2;base64,${data}) format("woff2")`)}}`;
}

/** KaTeX's stylesheet with the given font families embedded and the others' @font-face rules dropped. */
function katexCssFor(families: Set<string>): string {
  return katexStyles().css.replace(/@font-face\{([^}]*)\}/g, (_, decls: string) => fontFace(decls, (f) => families.has(f)) ?? '');
}

/** Only the @font-face rules of the given families (for a font first used after the head). */
function fontFaces(families: string[]): string {
  return [...katexStyles().css.matchAll(/@font-face\{([^}]*)\}/g)]
    .map((m) => fontFace(m[1]!, (f) => families.includes(f)))
    .filter((f) => f !== undefined && families.some((family) => f.includes(`KaTeX_${family}`)))
    .join('');
}

/**
 * KaTeX's stylesheet with the fonts the rendered `content` can use embedded as data: URLs. A family is
 * kept when a class that selects it occurs in the content (KaTeX_Main always: it is the base font).
 */
export function katexCss(content: string): string {
  return katexCssFor(fontsIn(content, new Set()));
}
