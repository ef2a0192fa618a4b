// Limits: every run is bounded before its work starts. Each limit has a default that serves any
// exercise a course sets (and then some), a command-line flag that raises or lowers it, and, for the
// limits that measure the model's size rather than the reader's machine, a key of the spec's own
// `limits:` section. A host that runs specs it did not write (a web form) passes `specMayRaise: false`
// and the spec's section may then only lower them.
//
// The table of limits sits below every folder that reads it (the expression parser in symbolic/ among
// them); spec/limits.ts adds LimitError, the input error of a refused run.

export interface Limits {
  /** Bytes of a spec or answers file, checked before it is read. */
  inputBytes: number;
  /** Bytes of a CSV data file beside the spec, checked before it is read. */
  dataBytes: number;
  /** Nesting of YAML mappings and lists. */
  yamlDepth: number;
  /** YAML nodes (keys, values, list items) in one file. */
  yamlNodes: number;
  /** Data rows. */
  rows: number;
  /** Scalar params (a matrix counts each entry). */
  params: number;
  /** Neurons (a layer counts each unit). */
  neurons: number;
  /** Characters of one expression. */
  expressionChars: number;
  /** Nesting of one expression (parentheses, calls, powers, unary signs). */
  expressionDepth: number;
  /** Optimizer steps of a run (epochs times batches). */
  steps: number;
  /** Equations evaluated in a run (per sample and per step), estimated before it starts. */
  work: number;
  /** Bytes written by one command. */
  outputBytes: number;
  /** Nodes of one equation of the training as written out (a neuron's adjoint, a param's gradient). */
  equationNodes: number;
  /** Nodes of the expanded derivative `derive` prints. */
  deriveNodes: number;
  /** Digits of a numerator or denominator under --exact. */
  exactDigits: number;
  /** Students of a class graded at once (rows of its CSV, or answers files of its folder). */
  students: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  inputBytes: 5_000_000,
  dataBytes: 20_000_000,
  yamlDepth: 64,
  yamlNodes: 250_000,
  rows: 100_000,
  params: 20_000,
  neurons: 20_000,
  expressionChars: 20_000,
  expressionDepth: 200,
  steps: 10_000,
  work: 50_000_000,
  outputBytes: 500_000_000,
  equationNodes: 100_000,
  deriveNodes: 200_000,
  exactDigits: 10_000,
  students: 100_000,
});

/** How each limit is named on the command line and in a spec's `limits:` section, and what it bounds. */
export const LIMIT_INFO: Record<keyof Limits, { flag: string; key?: string; what: string }> = {
  inputBytes: { flag: 'max-input-bytes', what: 'bytes of a spec or answers file' },
  dataBytes: { flag: 'max-data-bytes', key: 'data_bytes', what: 'bytes of a CSV data file' },
  yamlDepth: { flag: 'max-yaml-depth', what: 'levels of nested lists and mappings' },
  yamlNodes: { flag: 'max-yaml-nodes', what: 'YAML keys and values in one file' },
  rows: { flag: 'max-rows', key: 'rows', what: 'data rows' },
  params: { flag: 'max-params', key: 'params', what: 'params (each entry of a matrix or vector counts)' },
  neurons: { flag: 'max-neurons', key: 'neurons', what: 'neurons (each unit of a layer counts)' },
  expressionChars: { flag: 'max-expression-chars', key: 'expression_chars', what: 'characters of one expression' },
  expressionDepth: { flag: 'max-expression-depth', what: 'nesting depth of one expression' },
  steps: { flag: 'max-steps', key: 'steps', what: 'optimizer steps (epochs times batches)' },
  work: { flag: 'max-work', key: 'work', what: 'equations evaluated in the run' },
  outputBytes: { flag: 'max-output-bytes', what: 'bytes of output' },
  equationNodes: { flag: 'max-equation-nodes', key: 'equation_nodes', what: 'nodes of one equation (a derivative written out)' },
  deriveNodes: { flag: 'max-derive-nodes', key: 'derive_nodes', what: 'nodes of the expanded derivative' },
  exactDigits: { flag: 'max-exact-digits', key: 'exact_digits', what: 'digits of a fraction under --exact' },
  students: { flag: 'max-students', what: 'students of a class graded at once (CSV rows or answers files)' },
};

/** The spec keys of `limits:`, for the schema. */
export const SPEC_LIMIT_KEYS = Object.entries(LIMIT_INFO).filter(([, i]) => i.key).map(([name, i]) => [name as keyof Limits, i.key!] as const);

/** How to raise `limit`, for messages. */
export function howToRaise(limit: keyof Limits): string {
  const info = LIMIT_INFO[limit];
  return `raise it with --${info.flag} N${info.key ? ` or limits.${info.key} in the spec` : ''}`;
}

/** The message of a refused run: what was found, the limit, and how to raise it. */
export function overLimitMessage(limit: keyof Limits, found: string, max: number): string {
  return `${found}: more than the limit of ${max.toLocaleString('en-US')} ${LIMIT_INFO[limit].what} (${howToRaise(limit)})`;
}

/** The limits in force: defaults, then what the caller set. */
export function limitsOf(given: Partial<Limits> = {}): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_INFO) as Array<keyof Limits>) {
    const v = given[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
