// Losses by name. Each is the per-sample expression a textbook writes, over the model's outputs o_k
// and the targets y_k (paired in order), with the reduction over samples it is usually paired with.
//   mse            mean over outputs of (y - o)^2, mean over samples (PyTorch MSELoss, Keras MSE)
//   sse            sum of (y - o)^2, summed over samples
//   half_sse       1/2 * sum of (y - o)^2, summed over samples (the textbook E = sum 1/2 (t - o)^2)
//   mae            mean over outputs of |y - o|, mean over samples (a kink at 0, handled like ReLU's)
//   bce            binary cross-entropy -(y log o + (1 - y) log(1 - o)) of a probability output (sigmoid),
//                  mean over outputs and samples
//   cross_entropy  categorical cross-entropy -sum y_k log o_k of probability outputs (softmax), mean over samples
export type LossName = 'mse' | 'sse' | 'half_sse' | 'mae' | 'bce' | 'cross_entropy';

const sumOf = (terms: string[]) => (terms.length === 1 ? terms[0]! : terms.join(' + '));
const meanOf = (terms: string[]) => (terms.length === 1 ? terms[0]! : `(${terms.join(' + ')}) / ${terms.length}`);

export function namedLoss(name: LossName, outputs: string[], targets: string[]): { sample: string; reduce: 'mean' | 'sum' } {
  const pairs = outputs.map((o, k) => [targets[k]!, o] as const);
  const sq = pairs.map(([y, o]) => `(${y} - ${o})^2`);
  switch (name) {
    case 'mse': return { sample: meanOf(sq), reduce: 'mean' };
    case 'sse': return { sample: sumOf(sq), reduce: 'sum' };
    case 'half_sse': return { sample: sq.length === 1 ? `${sq[0]} / 2` : `(${sumOf(sq)}) / 2`, reduce: 'sum' };
    case 'mae': return { sample: meanOf(pairs.map(([y, o]) => `abs(${y} - ${o})`)), reduce: 'mean' };
    case 'bce': return { sample: meanOf(pairs.map(([y, o]) => `-(${y}*log(${o}) + (1 - ${y})*log(1 - ${o}))`)), reduce: 'mean' };
    case 'cross_entropy': return { sample: `-(${pairs.map(([y, o]) => `${y}*log(${o})`).join(' + ')})`, reduce: 'mean' };
  }
}

export function defaultTargets(outputs: string[]): string[] {
  return outputs.length === 1 ? ['y'] : outputs.map((_, k) => `y${k + 1}`);
}
