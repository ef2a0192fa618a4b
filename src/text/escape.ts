// Escaping of user text (a custom optimizer's title, a file name, a name or expression from the spec)
// for each place it is shown: a terminal, Markdown, LaTeX and HTML. One module, so every printer and
// every message escapes the same way, and what counts as dangerous is decided once:
// - a terminal obeys control characters: ESC starts a sequence that can recolour, move the cursor,
//   retitle the window or hide text; bidi overrides reorder what the reader sees (the "Trojan Source"
//   trick); C1 controls are read as ESC-sequences by some terminals;
// - Markdown and LaTeX would read markup (`$...$` as live mathematics, `*` as emphasis, `\input`);
// - HTML would read tags.

/**
 * Control characters a terminal would act on, and the invisible characters that reorder or hide text:
 * C0 except tab and newline, DEL, C1, the bidi embeddings/overrides/isolates, the zero-width and
 * direction marks, line/paragraph separators and the BOM.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_TERMINAL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

/** `\x1B`, `\u202E`: the character's code written out, visible and inert. */
function visibleCode(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `text` safe to print on a terminal: every control or direction-changing character is replaced by its
 * code written out (`\x1B`, `\u202E`), so the reader sees that it is there and the terminal does not act
 * on it. Tabs and newlines are kept (messages and documents are laid out with them).
 */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_TERMINAL, visibleCode);
}

/** Like terminalSafe, but newlines and tabs are written out too: for one-line values (a name, a path). */
export function terminalSafeLine(text: string): string {
  return terminalSafe(text).replace(/[\t\n]/g, visibleCode);
}

/**
 * Running text in Markdown: every character CommonMark or a math extension would read as markup is
 * backslash-escaped (`$` so that `$...$` is not live mathematics; `*`, `_` emphasis; `[`, `]` links;
 * `` ` `` code; `|` table cells; `#` headings; `\` itself; `~` strikethrough; `!` before `[` an image;
 * `&` an entity), and `<`, `>` are written as entities, so that no tag survives even a renderer that
 * passes HTML through before it reads escapes. Control characters are replaced as for a terminal (a
 * Markdown file is also read with `cat`).
 */
export function escapeMarkdown(text: string): string {
  return terminalSafe(text)
    .replace(/([\\`*_[\]|#$~&!])/g, '\\$1')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'));
}

const LATEX_SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}', '{': '\\{', '}': '\\}', $: '\\$', '&': '\\&', '#': '\\#', '%': '\\%',
  _: '\\_', '^': '\\textasciicircum{}', '~': '\\textasciitilde{}', '<': '$<$', '>': '$>$',
  '…': '\\ldots{}', '≈': '$\\approx$',
};

/**
 * Running text in LaTeX: the ten special characters (\ { } $ & # ^ _ % ~) and the few others that
 * need math mode are written as commands, so no user text can start a command, a group or math mode.
 * Control characters are replaced by their written-out code (TeX would choke on most of them).
 */
export function escapeLatex(text: string): string {
  return terminalSafe(text).replace(/[\\{}$&#%_^~<>…≈]/g, (c) => LATEX_SPECIAL[c] ?? c);
}

/** Text in HTML content or a double-quoted attribute (the only kind the printers write): & < > " as
 *  entities, and control and direction characters written out as for a terminal (a bidi override
 *  reorders a web page as it does a terminal line). */
export function escapeHtml(text: string): string {
  return terminalSafe(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** Direction and invisible characters JSON.stringify leaves as they are: written as \uXXXX escapes, the
 *  same string to a JSON reader, inert on a terminal that shows the JSON. */
// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

/** JSON text (from JSON.stringify) with the characters above escaped. */
export function jsonSafe(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
