// Moodle XML: one Cloze ("embedded answers") question per variant. The question text is HTML with the
// network, its numbers and its data, TeX between \( \) for Moodle's MathJax filter (or KaTeX); each
// asked quantity is a NUMERICAL blank {1:NUMERICAL:=value:tolerance~%50%wrong:tolerance#feedback...}:
// the exact value with the policy's tolerance, then each known mistake's value for partial credit with
// what the student did as its feedback. Written with fast-xml-parser's builder; the text of a
// question is CDATA, as Moodle's own exports write it.
import { XMLBuilder } from 'fast-xml-parser';
import { escapeHtml } from '../text/escape.js';
import type { Blank, Variant } from './generate.js';
import { policyText, type GradingPolicy } from './policy.js';
import type { Statement } from './statement.js';

export interface QuizInfo {
  /** The exercise's name (the base spec's file name without its extension). */
  title: string;
  policy: GradingPolicy;
  /** Percent of a blank's marks for a mistake's value. */
  partialCredit: number;
}

/** A Cloze answer's feedback or text: HTML-escaped, then the characters Cloze syntax reads (\ } # ~ /)
 *  backslash-escaped, so no text can end a blank or start another answer. */
export function clozeText(text: string): string {
  return escapeHtml(text).replace(/[\\}#~/]/g, (c) => `\\${c}`);
}

/** One blank in Cloze syntax. */
export function clozeBlank(blank: Blank, partialCredit: number): string {
  const answers = [`=${blank.value}:${blank.tolerance}`];
  if (partialCredit > 0) {
    for (const m of blank.mistakes) answers.push(`%${partialCredit}%${m.value}:${blank.tolerance}#${clozeText(`Not quite: ${m.text}.`)}`);
  }
  return `{1:NUMERICAL:${answers.join('~')}}`;
}

const math = (tex: string) => `\\(${escapeHtml(tex)}\\)`;

/** The question's HTML: the problem as the statement gives it, then a table of the asked values. */
export function questionHtml(v: Variant, info: QuizInfo, blank: (b: Blank, i: number) => string): string {
  const s: Statement = v.statement;
  const parts = [
    `<p>${escapeHtml(`${info.title}, form ${v.index}.`)} Train the network below by hand, exactly as written, and give each value asked (marked right ${escapeHtml(policyText(info.policy))}).</p>`,
    `<p>The network:</p><ul>${s.neurons.map((n) => `<li>${math(n)}</li>`).join('')}</ul>`,
    `<p>The loss:</p><ul>${s.loss.map((l) => `<li>${math(l)}</li>`).join('')}</ul>`,
    `<p>Initial parameters: ${s.params.map((p) => math(`${p.tex} = ${p.value}`)).join(', ')}.</p>`,
    ...(s.constants.length ? [`<p>Constants: ${s.constants.map((c) => math(`${c.tex} = ${c.value}`)).join(', ')}.</p>`] : []),
    `<p>Data:</p><table border="1"><tr><th>row</th>${s.data.columns.map((c) => `<th>${math(c)}</th>`).join('')}</tr>${s.data.rows.map((r, i) => `<tr><td>${i + 1}</td>${r.map((x) => `<td>${math(x)}</td>`).join('')}</tr>`).join('')}</table>`,
    `<p>Training: ${escapeHtml(s.optimizer)}${s.options.length ? `, ${s.options.map(math).join(', ')}` : ''}; ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}, ${escapeHtml(s.batch)}.</p>`,
    `<table border="1"><tr><th>where</th><th>quantity</th><th>value</th></tr>${v.blanks.map((b, i) => `<tr><td>${escapeHtml(b.where)}</td><td>${math(b.tex)}</td><td>${blank(b, i)}</td></tr>`).join('')}</table>`,
  ];
  return parts.join('\n');
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', cdataPropName: '#cdata', format: true, indentBy: '  ', suppressEmptyNode: false });

/** CDATA cannot hold `]]>`: such a run is split across two sections (the usual ]]]]><![CDATA[> ). */
const cdata = (text: string) => ({ '#cdata': text.replaceAll(']]>', ']]]]><![CDATA[>') });

/** The Moodle XML of every variant: a category named after the exercise, then one Cloze question per
 *  variant (named by its form number, never by a student's id). */
export function moodleXml(variants: Variant[], info: QuizInfo): string {
  const questions = variants.map((v) => ({
    '@_type': 'cloze',
    name: { text: `${info.title} form ${v.index}` },
    questiontext: { '@_format': 'html', text: cdata(questionHtml(v, info, (b) => clozeBlank(b, info.partialCredit))) },
    generalfeedback: { '@_format': 'html', text: '' },
    penalty: '0.3333333',
    hidden: '0',
    idnumber: `${info.title}-${v.index}`,
  }));
  const quiz = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    quiz: { question: [{ '@_type': 'category', category: { text: `$course$/exactprop/${info.title}` } }, ...questions] },
  };
  // A question's text inside its <text> element as Moodle writes it, <text><![CDATA[...]]></text>: the
  // builder's indentation would add blank lines around the HTML.
  return (builder.build(quiz) as string).replace(/<text>\s*<!\[CDATA\[/g, '<text><![CDATA[').replace(/\]\]>\s*<\/text>/g, ']]></text>');
}
