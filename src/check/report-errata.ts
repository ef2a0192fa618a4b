// Printing a key's errata (check --key): one document, printed by render's text and Markdown printers,
// and JSON for scripts. What goes in it is errata.ts's.
import type { Block, Doc, Inline } from '../render/document.js';
import { plainText } from '../render/text.js';
import { markdown } from '../render/markdown.js';
import { shortText } from './format.js';
import type { Errata, Erratum } from './errata.js';

const literal = (text: string): Inline => ({ literal: text });
const code = (text: string): Inline => ({ code: text });
const named = (path: string, alias?: string) => (alias !== undefined ? `${path} (${alias})` : path);

/** `told`: the diagnoses explained already, named alone after their first time (as check's report does). */
function because(e: Erratum, errata: Errata, told: Set<string>): string {
  if (e.kind === 'new') {
    const said = e.diagnosis.map((d) => {
      const again = told.has(`${d.id}|${d.text}`);
      told.add(`${d.id}|${d.text}`);
      return again ? `${d.id} (as above)` : `${d.id}: ${d.text}`;
    });
    return said.length ? `a new error, reproduced by ${said.join('; ')}` : 'a new error: no known convention or mistake reproduces it';
  }
  if (e.firstError === undefined) return 'follows from earlier values';
  const first = errata.errata.find((x) => x.path === e.firstError) ?? errata.rounding.find((x) => x.path === e.firstError);
  const what = errata.rounding.some((x) => x.path === e.firstError) ? 'follows from the rounding of' : 'follows from';
  return `${what} ${named(e.firstError, first?.alias)}${first ? ` = ${first.written}` : ''}, computed correctly from there${e.slip ? ' (with a rounding slip of its own)' : ''}`;
}

export function errataSummary(e: Errata): string {
  const fresh = e.errata.filter((x) => x.kind === 'new').length;
  const follows = e.errata.length - fresh;
  return `errata: ${e.errata.length} wrong value${e.errata.length === 1 ? '' : 's'} (${fresh} new error${fresh === 1 ? '' : 's'}, ${follows} following from ${fresh === 1 ? 'it' : 'them'}), ${e.rounding.length} rounded in the last digit, ${e.correct} correct`;
}

export function errataDocument(e: Errata): Doc {
  const blocks: Block[] = [
    { kind: 'heading', level: 2, content: ['Errata: ', code(e.key)], plain: { content: ['exactprop check --key: errata of ', code(e.key), ' against ', code(e.spec)] } },
    { kind: 'paragraph', only: 'typeset', content: ['Against ', code(e.spec), '.'] },
  ];
  const told = new Set<string>();
  if (e.errata.length === 0) blocks.push({ kind: 'paragraph', content: ['No wrong value.'] });
  else {
    blocks.push({
      kind: 'list',
      // Aliases are the key's own text: plain strings, escaped by the printer.
      items: e.errata.map((x) => [
        code(x.path), ...(x.alias !== undefined ? [` (${x.alias})`] : []),
        ` = ${x.written}${x.line !== undefined ? ` (line ${x.line})` : ''}: should be ${shortText(x.exact)}; ${because(x, e, told)}`,
      ]),
    });
  }
  if (e.rounding.length) {
    blocks.push({
      kind: 'list',
      lead: ['Rounded in the last digit (within one unit of it, not wrong):'],
      items: e.rounding.map((x) => [code(x.path), ...(x.alias !== undefined ? [` (${x.alias})`] : []), ` = ${x.written}, exact ${shortText(x.exact)}`]),
    });
  }
  blocks.push({ kind: 'paragraph', content: [literal(errataSummary(e))] });
  return { title: `Errata: ${e.key}`, blocks };
}

export function errataText(e: Errata, colour = false): string {
  return plainText(errataDocument(e), { colour });
}

export function errataMarkdown(e: Errata): string {
  return markdown(errataDocument(e));
}

export function errataJson(e: Errata): object {
  return {
    key: e.key,
    spec: e.spec,
    errata: e.errata.map((x) => ({
      path: x.path,
      ...(x.alias !== undefined ? { alias: x.alias } : {}),
      ...(x.line !== undefined ? { line: x.line } : {}),
      written: x.written,
      exact: x.exact.toString(),
      kind: x.kind,
      ...(x.firstError !== undefined ? { first_error: x.firstError } : {}),
      ...(x.slip ? { rounding_slip: true } : {}),
      diagnosis: x.diagnosis,
    })),
    rounding: e.rounding.map((x) => ({ path: x.path, ...(x.alias !== undefined ? { alias: x.alias } : {}), written: x.written, exact: x.exact.toString() })),
    correct: e.correct,
  };
}
