// QTI 2.1 (Canvas, Blackboard and others import it): one assessmentItem per variant, each asked
// quantity a textEntryInteraction bound to a float response whose correct value is the exact one. The
// response processing adds 1 to SCORE when the answer equals it within the policy's absolute tolerance
// (QTI's <equal toleranceMode="absolute">), else the partial credit of the first known mistake's value
// it equals, naming that mistake in the FEEDBACK outcome, whose modal feedback says what the student
// did. An imsmanifest.xml lists the items; zipping the folder makes the content package.
import { XMLBuilder } from 'fast-xml-parser';
import type { Variant } from './generate.js';
import { questionHtml, type QuizInfo } from './moodle.js';

const QTI_NS = 'http://www.imsglobal.org/xsd/imsqti_v2p1';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true, unpairedTags: [] });

export const qtiItemFile = (v: Variant) => `form${String(v.index).padStart(3, '0')}.xml`;

/** The score a response adds: `points` when it equals `value` within `tolerance`; a mistake's value
 *  also adds its `feedback` identifier to FEEDBACK. */
const scoreIf = (response: string, value: string, tolerance: string, points: string, correct: boolean, feedback?: string) => ({
  equal: {
    '@_toleranceMode': 'absolute', '@_tolerance': `${tolerance} ${tolerance}`,
    variable: { '@_identifier': response },
    ...(correct ? { correct: { '@_identifier': response } } : { baseValue: { '@_baseType': 'float', '#text': value } }),
  },
  setOutcomeValue: [
    { '@_identifier': 'SCORE', sum: { variable: { '@_identifier': 'SCORE' }, baseValue: { '@_baseType': 'float', '#text': points } } },
    ...(feedback ? [{ '@_identifier': 'FEEDBACK', multiple: { variable: { '@_identifier': 'FEEDBACK' }, baseValue: { '@_baseType': 'identifier', '#text': feedback } } }] : []),
  ],
});

/** One variant's assessmentItem. The item body is the Moodle question's HTML with an interaction in
 *  each blank's place; it is parsed as XML, so the HTML is written as XHTML (escaped text, closed tags). */
export function qtiItem(v: Variant, info: QuizInfo): string {
  const response = (i: number) => `RESPONSE_${i + 1}`;
  const marker = (i: number) => `@@BLANK${i}@@`;
  const html = questionHtml(v, info, (_, i) => marker(i));
  const partial = (info.partialCredit / 100).toString();
  const mistake = (i: number, k: number) => `MISTAKE_${i + 1}_${k + 1}`;
  const offered = info.partialCredit > 0;
  const item = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    assessmentItem: {
      '@_xmlns': QTI_NS, '@_xmlns:xsi': XSI,
      '@_xsi:schemaLocation': `${QTI_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd`,
      '@_identifier': `${info.title}-${v.index}`.replace(/[^A-Za-z0-9_.-]/g, '_'), '@_title': `${info.title} form ${v.index}`,
      '@_adaptive': 'false', '@_timeDependent': 'false',
      responseDeclaration: v.blanks.map((b, i) => ({
        '@_identifier': response(i), '@_cardinality': 'single', '@_baseType': 'float',
        correctResponse: { value: b.value },
      })),
      outcomeDeclaration: [
        { '@_identifier': 'SCORE', '@_cardinality': 'single', '@_baseType': 'float', defaultValue: { value: '0' } },
        { '@_identifier': 'MAXSCORE', '@_cardinality': 'single', '@_baseType': 'float', defaultValue: { value: String(v.blanks.length) } },
        { '@_identifier': 'FEEDBACK', '@_cardinality': 'multiple', '@_baseType': 'identifier' },
      ],
      itemBody: { div: '@@BODY@@' },
      responseProcessing: {
        responseCondition: v.blanks.map((b, i) => ({
          responseIf: scoreIf(response(i), b.value, b.tolerance, '1', true),
          ...(offered && b.mistakes.length ? { responseElseIf: b.mistakes.map((m, k) => scoreIf(response(i), m.value, b.tolerance, partial, false, mistake(i, k))) } : {}),
        })),
      },
      modalFeedback: offered ? v.blanks.flatMap((b, i) => b.mistakes.map((m, k) => ({
        '@_outcomeIdentifier': 'FEEDBACK', '@_showHide': 'show', '@_identifier': mistake(i, k),
        '#text': `${b.path}: not quite: ${m.text}.`,
      }))) : [],
    },
  };
  const xml = builder.build(item) as string;
  // The body's HTML is the question's own markup (already escaped text), with each blank's interaction.
  let body = html;
  v.blanks.forEach((_, i) => {
    body = body.replace(marker(i), `<textEntryInteraction responseIdentifier="${response(i)}" expectedLength="16"/>`);
  });
  return xml.replace('@@BODY@@', `\n${xhtml(body)}\n`);
}

/** The question's HTML in QTI's XHTML: a table's rows inside a tbody, and no border attribute (QTI's
 *  table has none). The HTML has no void elements, so it is well-formed XML already. */
const xhtml = (html: string) => html.replace(/<table border="1">/g, '<table><tbody>').replace(/<\/table>/g, '</tbody></table>');

/** The content package's manifest: one resource per item. */
export function qtiManifest(variants: Variant[], info: QuizInfo): string {
  const manifest = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    manifest: {
      '@_xmlns': 'http://www.imsglobal.org/xsd/imscp_v1p1', '@_identifier': `${info.title}-manifest`.replace(/[^A-Za-z0-9_.-]/g, '_'),
      metadata: { schema: 'IMS Content', schemaversion: '1.1' },
      organizations: '',
      resources: {
        resource: variants.map((v) => ({
          '@_identifier': `item-${v.index}`, '@_type': 'imsqti_item_xmlv2p1', '@_href': qtiItemFile(v),
          file: { '@_href': qtiItemFile(v) },
        })),
      },
    },
  };
  return builder.build(manifest) as string;
}
