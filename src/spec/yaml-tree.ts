// The `yaml` package's reading of a YAML text (spec/yaml.ts reads with js-yaml's events first): what
// js-yaml refuses and the package accepts (a flow list closed at its key's indentation, a tab between flow
// items), and the wording of the errors of what neither accepts. Into the same Builder, so that values,
// lines and refusals are the same whichever parser read a text. Provided as a reader (spec/readers.ts).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Parser, type Node as YamlNode } from 'yaml';
import { InputError } from './errors.js';
import { NONE, type Builder, type Extras, type NotAName, type Plain, type ReadDocument } from './yaml.js';

/** The document from the `yaml` package's tree (the reader of what js-yaml refuses). The package
 *  recurses once per level, as does this walk; both are bounded by the scan and the depth limit. */
export function fromTree(text: string, b: Builder): ReadDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: true });
  const problem = doc.errors[0];
  if (problem) {
    const line = problem.linePos?.[0]?.line;
    if (problem.code === 'MULTIPLE_DOCS') {
      let documents = 0;
      for (const token of new Parser().parse(text)) if (token.type === 'document') documents++;
      throw b.documents(documents, line);
    }
    // The package catches its own stack overflow and reports it as an error of the document.
    if (/call stack/i.test(problem.message)) throw b.depthError(line);
    throw b.invalid(problem.message.split('\n')[0]!, line);
  }
  const lineOf = (node: YamlNode | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);
  const extrasOf = (n: YamlNode): Extras => {
    if (isAlias(n)) return { alias: n.source };
    return { ...(n.anchor ? { anchor: n.anchor } : {}), ...(n.tag ? { tag: n.tag } : {}) };
  };

  const walk = (node: unknown, path: string, depth: number): Plain => {
    if (node === null || node === undefined) return null;
    const n = node as YamlNode;
    const line = lineOf(n);
    b.node(path, depth, line, extrasOf(n), isMap(n) || isSeq(n));
    if (isMap(n)) {
      const out: { [key: string]: Plain } = Object.create(null) as { [key: string]: Plain };
      const seen = new Map<string, number | undefined>();
      for (const pair of n.items) {
        const keyNode = pair.key as YamlNode | null;
        const keyLine = lineOf(keyNode) ?? lineOf(pair.value as YamlNode) ?? line;
        const key = keyOf(keyNode);
        const childPath = b.key(path, keyLine, keyNode ? extrasOf(keyNode) : NONE, key, seen);
        out[key as string] = walk(pair.value, childPath, depth + 1);
      }
      return out;
    }
    if (isSeq(n)) return n.items.map((item, i) => walk(item, `${path}[${i + 1}]`, depth + 1));
    if (isScalar(n)) {
      if (typeof n.value === 'number' || typeof n.value === 'bigint') return n.source ?? String(n.value);
      if (typeof n.value === 'boolean' || n.value === null) return n.value;
      return String(n.value);
    }
    throw new InputError(b.file, path, 'unsupported YAML node', line);
  };

  /** A key as the text it names: a string, or the source text of a number or a boolean. */
  const keyOf = (keyNode: YamlNode | null): string | NotAName => {
    if (keyNode === null || keyNode === undefined) return { nullAs: '' };
    if (isMap(keyNode)) return { node: 'a mapping' };
    if (isSeq(keyNode)) return { node: 'a list' };
    if (!isScalar(keyNode)) return { node: 'this YAML node' };
    const v = keyNode.value;
    if (v === null) return { nullAs: keyNode.source ?? '' };
    return typeof v === 'string' ? v : (keyNode.source ?? String(v));
  };

  return b.document(walk(doc.contents, '', 0));
}
