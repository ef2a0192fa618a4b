// Reading YAML that may be hostile (spec/yaml.ts): bounded nesting and size, duplicate keys found in
// linear time, keys that are names (never a prototype), one document, no aliases, anchors or tags.
// Each refusal is an InputError with its line, and through the CLI exit code 2 without a stack trace.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEEPEST_YAML, readYaml } from '../src/spec/yaml.js';
import { parseSpec } from '../src/spec/validate.js';
import { InputError } from '../src/spec/errors.js';
import { LimitError } from '../src/spec/limits.js';
import { readAnswersYaml } from '../src/check/read.js';
import { cli, example } from './helpers/spec.js';
import { replaced } from './helpers/replaced.js';

/** The located message of the error `parseSpec` throws for `text` (it must throw an InputError). */
function refused(text: string, options: Parameters<typeof parseSpec>[2] = {}): string {
  try {
    parseSpec(text, 'bad.yaml', options);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).located();
  }
  throw new Error('the spec was accepted');
}

const root = fileURLToPath(new URL('..', import.meta.url));

const depthMessage = 'the YAML is nested too deeply: more than the limit of 64 levels of nested lists and mappings (raise it with --max-yaml-depth N)';

describe('nesting is bounded, and no nesting overflows the stack', () => {
  const hostile: Record<string, string> = {
    'an unclosed flow list': '['.repeat(100_000),
    'a closed flow list': '['.repeat(100_000) + ']'.repeat(100_000),
    'flow mappings': 'a: ' + '{a: '.repeat(100_000) + '1' + '}'.repeat(100_000),
    'compact block lists': '- '.repeat(100_000) + '1',
    'indented mappings': Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n',
  };
  for (const [what, text] of Object.entries(hostile)) {
    it(`refuses ${what} 100,000 deep with the depth limit`, () => {
      const message = refused(text);
      expect(message).toMatch(/^bad\.yaml:\d+: /);
      expect(message).toContain(depthMessage);
    });
  }

  it('holds the true depth to the limit: 64 levels are read, 65 are not', () => {
    const nested = (n: number) => `a: ${'['.repeat(n - 1)}1${']'.repeat(n - 1)}\n`;
    expect(() => readYaml(nested(64), 'ok.yaml')).not.toThrow();
    expect(() => readYaml(nested(65), 'bad.yaml')).toThrow(LimitError);
    expect(() => readYaml(nested(65), 'bad.yaml')).toThrow(depthMessage);
    expect(() => readYaml(nested(65), 'ok.yaml', { limits: { yamlDepth: 65 } })).not.toThrow();
    // Block style: each indented key is a level.
    const block = (n: number) => Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k:`).join('\n') + ' 1\n';
    expect(() => readYaml(block(64), 'ok.yaml')).not.toThrow();
    expect(() => readYaml(block(65), 'bad.yaml')).toThrow(depthMessage);
  });

  it('cannot be raised past what the reader supports', () => {
    const deep = `a: ${'['.repeat(DEEPEST_YAML + 50)}${']'.repeat(DEEPEST_YAML + 50)}\n`;
    expect(() => readYaml(deep, 'bad.yaml', { limits: { yamlDepth: 1_000_000 } })).toThrow(`(this reader goes no deeper than ${DEEPEST_YAML})`);
  });

  it('does not count brackets inside quotes, comments and block scalars', () => {
    const text = `a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\nc: x # ${'['.repeat(500)}\nd: |\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 2)}[{`).join('\n')}\ne: w[1]\n`;
    const doc = readYaml(text, 'ok.yaml');
    expect((doc.value as Record<string, string>).e).toBe('w[1]');
  });

  it('does not count the minus signs of an expression as list items', () => {
    const long = Array.from({ length: 300 }, (_, i) => `x${i}`).join(' - ');
    expect((readYaml(`loss:\n  sample: ${long}\n  penalty: 0 - ${long}\n`, 'ok.yaml').value as { loss: { sample: string } }).loss.sample).toBe(long);
  });

  it('exits 2 through the CLI', async () => {
    const r = await cli(['run', 'deep.yaml'], { 'deep.yaml': '['.repeat(100_000) });
    expect(r.code).toBe(2);
    expect(r.err).toBe(`exactprop: deep.yaml:1: ${depthMessage}\n`);
  });
});

describe('size is bounded', () => {
  it('counts keys and values', () => {
    const text = `params: {${Array.from({ length: 20 }, (_, i) => `w${i}: 1`).join(', ')}}\n`;
    // 20 keys and their values, `params` and its mapping, the document's mapping.
    expect(() => readYaml(text, 'ok.yaml', { limits: { yamlNodes: 43 } })).not.toThrow();
    expect(() => readYaml(text, 'bad.yaml', { limits: { yamlNodes: 42 } })).toThrow(
      'the YAML is too large: more than the limit of 42 YAML keys and values in one file (raise it with --max-yaml-nodes N)',
    );
  });

  it('refuses a file over the count before the YAML package parses it', () => {
    const text = `params:\n${Array.from({ length: 200_000 }, (_, i) => `  w${i}: 1`).join('\n')}\n`;
    const started = Date.now();
    expect(() => readYaml(text, 'bad.yaml', { limits: { yamlNodes: 100_000 } })).toThrow(
      'the YAML is too large: more than the limit of 100,000 YAML keys and values in one file (raise it with --max-yaml-nodes N)',
    );
    try {
      readYaml(text, 'bad.yaml', { limits: { yamlNodes: 100_000 } });
    } catch (e) {
      // `params` and its mapping, then two per key: the 50,000th key, on line 50,001, is one too many.
      expect((e as InputError).line).toBe(50_001);
    }
    // Parsing 200,000 keys takes the package several seconds; the scan, a few hundredths.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses text over the input limit', () => {
    expect(() => readYaml('a: 1\n'.repeat(10), 'bad.yaml', { limits: { inputBytes: 20 } })).toThrow('the text has 50 characters: more than the limit of 20 bytes of a spec or answers file');
  });
});

describe('duplicate keys', () => {
  it('are named with the line of both', () => {
    expect(refused('params: { w: 1 }\ntraining:\n  lr: 0.1\n  optimizer: sgd\n  lr: 0.2\n')).toBe(
      "bad.yaml:5: at training: the key 'lr' is given twice (first at line 3); the keys of a mapping must be unique",
    );
    expect(refused('params: { w: 1, w: 2 }\n')).toContain("bad.yaml:1: at params: the key 'w' is given twice (first at line 1)");
  });

  it('are found in linear time (20,000 keys, the duplicate last)', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `  w${i}: 1`).join('\n');
    const started = Date.now();
    expect(() => readYaml(`params:\n${keys}\n  w7: 2\n`, 'bad.yaml')).toThrow("the key 'w7' is given twice (first at line 9)");
    // The yaml package's own check (uniqueKeys) compares every pair: 8 s here, where this takes about 1.
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 20_000);
});

describe('keys are names', () => {
  it('JavaScript property names are plain keys of objects without a prototype', () => {
    const doc = readYaml('constructor: 1\ntoString: { valueOf: 2, hasOwnProperty: 3 }\nprototype: [4]\n', 'ok.yaml');
    const value = doc.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(value.constructor).toBe('1');
    expect(Object.getPrototypeOf(value.toString)).toBe(null);
    expect(value.toString).toEqual({ valueOf: '2', hasOwnProperty: '3' });
    expect(doc.lines.get('toString.hasOwnProperty')).toBe(2);
  });

  it("refuses '__proto__' however it is written", () => {
    for (const text of ['params:\n  __proto__: 1\n', 'params: { "__proto__": 1 }\n', "params: {'__proto__': 1}\n"]) {
      expect(refused(text), text).toMatch(/^bad\.yaml:\d: at params: '__proto__' cannot be a name; choose another$/);
    }
  });

  it("refuses '__proto__' in an answers file too (the fast reader leaves it to this one)", () => {
    expect(() => readAnswersYaml('step1:\n  __proto__: { h1: 1 }\n', 'answers.yaml')).toThrow("'__proto__' cannot be a name; choose another");
    expect(() => readAnswersYaml('step1: { h1: 1 }\n---\nstep2: {}\n', 'answers.yaml')).toThrow('an answers file is one YAML document; this file has 2');
  });

  it('refuses a key that is a mapping, a list, null or missing', () => {
    expect(refused('params:\n  ? { a: 1 }\n  : 2\n')).toBe('bad.yaml:2: at params: a key must be a name, not a mapping');
    expect(refused('params:\n  [a, b]: 2\n')).toBe('bad.yaml:2: at params: a key must be a name, not a list');
    expect(refused('params:\n  ~: 2\n')).toBe("bad.yaml:2: at params: a key must be a name, not null (write '~' in quotes to mean the word)");
    expect(refused('params:\n  : 2\n')).toBe('bad.yaml:2: at params: a key must be a name, not empty (a key is missing before the colon)');
  });

  it('keeps the text of a key written as a number', () => {
    expect(Object.keys(readYaml('1.50: a\n0x1F: b\n', 'ok.yaml').value as object)).toEqual(['1.50', '0x1F']);
  });
});

describe('one plain document', () => {
  it('refuses several documents, saying how many', () => {
    expect(refused('params: { w: 1 }\n---\nparams: { w: 2 }\n---\nx: 1\n')).toBe('bad.yaml:2: a spec is one YAML document; this file has 3 (separated by ---)');
    // A leading --- alone is one document.
    expect(refused('---\nparams: { w: 1 }\n')).not.toContain('YAML document');
  });

  it('refuses aliases, anchors and tags where they are written', () => {
    expect(refused('params: { w: 1 }\nconstants: { c: *w }\n')).toBe('bad.yaml:2: at constants.c: an alias (*w) is not used in specs; write the value out');
    expect(refused('params: &p { w: 1 }\n')).toBe('bad.yaml:1: at params: an anchor (&p) is not used in specs (aliases are not either); remove it');
    expect(refused('params: { w: !!str 1 }\n')).toBe('bad.yaml:1: at params.w: a tag (!!str) is not used in specs; write the plain value');
    expect(refused('params: { w: !custom 1 }\n')).toBe('bad.yaml:1: at params.w: a tag (!custom) is not used in specs; write the plain value');
  });

  it('exits 2 through the CLI for each', async () => {
    const good = example('hw7-q2.yaml');
    for (const [text, message] of [
      [`${good}---\n${good}`, 'a spec is one YAML document; this file has 2'],
      [replaced(good, 'params:', 'params: &p'), 'an anchor (&p) is not used in specs'],
      [replaced(good, 'training:', '__proto__: 1\ntraining:'), "'__proto__' cannot be a name"],
    ] as const) {
      const r = await cli(['run', 'bad.yaml'], { 'bad.yaml': text });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^exactprop: bad\.yaml:\d+: /);
      expect(r.err).toContain(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});

// Two readers (spec/yaml.ts): js-yaml's event stream, fast on a spec's long lists of numbers, and the
// `yaml` package for what js-yaml refuses (it is stricter about flow lists closed at their key's
// indentation and tabs between flow items). Each is an independent YAML parser; whatever the first
// accepts, the second must read the same (values, lines, refusals), so a spec means one thing.
describe('the two YAML readers agree', () => {
  const read = (text: string, parser: 'events' | 'tree'): string => {
    try {
      const doc = readYaml(text, 'x.yaml', { parser });
      return JSON.stringify({ value: doc.value, lines: [...doc.lines] });
    } catch (e) {
      if (e instanceof InputError) return `refused: ${e.located()}`;
      return 'unread';
    }
  };
  const repositoryYaml = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' }).trim().split('\n');

  it(`on every YAML file of the repository (${repositoryYaml.length}): the same values and lines`, () => {
    expect(repositoryYaml.length).toBeGreaterThan(200);
    for (const file of repositoryYaml) {
      const text = readFileSync(join(root, file), 'utf8');
      const events = read(text, 'events');
      expect(events, file).not.toBe('unread');
      expect(read(text, 'tree'), file).toBe(events);
    }
  }, 60_000);

  it('on the refusals: the same message at the same line', () => {
    for (const text of [
      'params: { w: 1 }\nconstants: { c: *w }\n', 'params: &p { w: 1 }\n', 'params: { w: !!str 1 }\n', 'params:\n  ? { a: 1 }\n  : 2\n',
      'params:\n  [a, b]: 2\n', 'params:\n  ~: 2\n', 'params:\n  : 2\n', 'a: 1\n---\nb: 2\n---\nc: 3\n', 'p:\n  __proto__: 1\n',
      'params:\n  w: 1\n  v: 2\n  w: 3\n', '- a\n- - b\n  - &x c\n',
    ]) {
      const events = read(text, 'events');
      expect(events, text).toMatch(/^refused: x\.yaml:\d+: /);
      expect(read(text, 'tree'), text).toBe(events);
    }
  });

  it('on specs changed at random (fast-check): what the first accepts or refuses, the second reads the same', () => {
    const specs = repositoryYaml.filter((f) => f.startsWith('examples/')).map((f) => readFileSync(join(root, f), 'utf8'));
    const pieces = [':', ' ', '\n', '- ', '-', '[', ']', '{', '}', ',', '"', "'", '#', '? ', '|', '>', '~', 'null', 'True', '  ', '&a ', '*a', '!!str ', '---\n', 'x: 1', '0x1F', '.inf', '\\', ': ', '\n  - '];
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: specs.length - 1 }),
        fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.integer({ min: 0, max: 3 }), piece: fc.constantFrom(...pieces) }), { minLength: 1, maxLength: 3 }),
        (which, edits) => {
          let text = specs[which]!;
          for (const { at, cut, piece } of edits) {
            const i = Math.floor(at * text.length);
            text = text.slice(0, i) + piece + text.slice(i + cut);
          }
          const events = read(text, 'events');
          if (events === 'unread') return; // js-yaml refused it: the package alone reads it
          const tree = read(text, 'tree');
          if (!events.startsWith('refused') && !tree.startsWith('refused')) {
            // Both read it: one document.
            accepted++;
            expect(tree).toBe(events);
          } else if (events.startsWith('refused')) {
            // A rule of the reader's (keys, aliases, limits...) holds whichever parser read the text.
            expect(tree).toMatch(/^refused: /);
          } else {
            // The grammars differ at their edges (js-yaml takes `: :x` as an empty key, the package
            // refuses it): the package can only call it invalid YAML, never break a rule of the reader.
            expect(tree).toMatch(/^refused: x\.yaml(:\d+)?: invalid YAML: /);
          }
        },
      ),
      { numRuns: 3000, seed: 16 },
    );
    // Most changes leave a readable spec: the comparison is of documents, not only of refusals.
    expect(accepted).toBeGreaterThan(600);
  }, 120_000);

  it('line ends: CRLF and a CR alone (old Mac files) read as LF, each value at its line', () => {
    const text = example('hw7-q2.yaml');
    const lf = readYaml(text, 'x.yaml');
    for (const ends of ['\r\n', '\r']) {
      const doc = readYaml(text.replace(/\n/g, ends), 'x.yaml');
      expect(JSON.stringify(doc.value), JSON.stringify(ends)).toBe(JSON.stringify(lf.value));
      expect([...doc.lines]).toEqual([...lf.lines]);
    }
    expect(lf.lines.get('training')).toBeGreaterThan(10);
  });

  it('what js-yaml refuses is read by the package: a flow list closed at its key\'s indentation, a tab between flow items', () => {
    for (const [text, value] of [
      ['data: [\n  { x: 1 },\n  { x: 2 }\n]\n', { data: [{ x: '1' }, { x: '2' }] }],
      ['params: { w: 1,\tv: -0.5 }\n', { params: { w: '1', v: '-0.5' } }],
    ] as const) {
      expect(read(text, 'events'), text).toBe('unread');
      expect(JSON.parse(JSON.stringify(readYaml(text, 'x.yaml').value))).toEqual(value);
    }
  });
});
