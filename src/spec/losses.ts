// Losses by name: one table, the single source of truth about each. An entry is the per-sample
// expression a textbook writes, over the model's outputs o_k and the targets y_k (paired in order), the
// reduction over samples it is usually paired with, and its description. The schema's list of names
// (spec/schema.ts LOSSES) is this table's keys, validate.ts expands a `loss.name` with it, and the
// README's "Losses by name" table must say what `description` says (test/losses.test.ts checks).

/** A target and the output it is paired with, as the names the expression uses. */
export type LossPair = readonly [y: string, o: string];

export interface LossEntry {
  /** The per-sample term, as expression text over the pairs (at least one). */
  sample(pairs: readonly LossPair[]): string;
  /** The reduction over the samples of a batch when the spec gives none. */
  reduce: 'mean' | 'sum';
  /** What the per-sample term is, as the README's table says it. */
  description: string;
}

const sumOf = (terms: string[]) => (terms.length === 1 ? terms[0]! : terms.join(' + '));
const meanOf = (terms: string[]) => (terms.length === 1 ? terms[0]! : `(${terms.join(' + ')}) / ${terms.length}`);
const squares = (pairs: readonly LossPair[]) => pairs.map(([y, o]) => `(${y} - ${o})^2`);

export const NAMED_LOSSES = {
  mse: {
    sample: (pairs) => meanOf(squares(pairs)),
    reduce: 'mean',
    description: 'mean over outputs of (y - o)^2 (PyTorch MSELoss, Keras MSE)',
  },
  sse: {
    sample: (pairs) => sumOf(squares(pairs)),
    reduce: 'sum',
    description: 'sum of (y - o)^2',
  },
  half_sse: {
    sample: (pairs) => (pairs.length === 1 ? `${squares(pairs)[0]} / 2` : `(${sumOf(squares(pairs))}) / 2`),
    reduce: 'sum',
    description: '(sum of (y - o)^2) / 2, the textbook E = sum 1/2 (t - o)^2',
  },
  mae: {
    sample: (pairs) => meanOf(pairs.map(([y, o]) => `abs(${y} - ${o})`)),
    reduce: 'mean',
    description: "mean over outputs of abs(y - o) (a kink at 0, handled like ReLU's)",
  },
  bce: {
    sample: (pairs) => meanOf(pairs.map(([y, o]) => `-(${y}*log(${o}) + (1 - ${y})*log(1 - ${o}))`)),
    reduce: 'mean',
    description: '-(y log o + (1 - y) log(1 - o)) on a probability output, mean over outputs',
  },
  cross_entropy: {
    sample: (pairs) => `-(${pairs.map(([y, o]) => `${y}*log(${o})`).join(' + ')})`,
    reduce: 'mean',
    description: '-sum y_k log o_k over softmax outputs, one-hot targets',
  },
} as const satisfies Record<string, LossEntry>;

export type LossName = keyof typeof NAMED_LOSSES;

/** The names, in the table's order (the schema's enum and the messages list them). */
export const LOSS_NAMES = Object.keys(NAMED_LOSSES) as [LossName, ...LossName[]];

export function namedLoss(name: LossName, outputs: string[], targets: string[]): { sample: string; reduce: 'mean' | 'sum' } {
  const entry: LossEntry = NAMED_LOSSES[name];
  return { sample: entry.sample(outputs.map((o, k) => [targets[k]!, o] as const)), reduce: entry.reduce };
}

export function defaultTargets(outputs: string[]): string[] {
  return outputs.length === 1 ? ['y'] : outputs.map((_, k) => `y${k + 1}`);
}
