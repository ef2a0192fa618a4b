// Names of the quantities the engine itself introduces into equations: the batch size n, the step
// counter t and the optimizer's options (lr, eps, ...). A spec's names are identifiers
// ([A-Za-z_][A-Za-z0-9_]*), so these carry a sigil no identifier can contain: a param called `n` or
// `lr` is a different symbol from the batch size or the learning rate, and renaming a spec's names
// never changes a number. Printers show them without the sigil (`displayName`).
const SIGIL = '#';

/** The number of samples in the step's batch: the mean's 1/n. */
export const BATCH_SIZE = `${SIGIL}n`;
/** The optimizer step counter, from 1. */
export const STEP_NUMBER = `${SIGIL}t`;
/** An optimizer option (hyperparameter) as it appears in the update equations. */
export const optionSymbol = (option: string) => `${SIGIL}${option}`;

export const isInternal = (symbol: string) => symbol.startsWith(SIGIL);
/** How a symbol is written for a reader: internal ones by their usual name (n, t, lr). */
export const displayName = (symbol: string) => (isInternal(symbol) ? symbol.slice(SIGIL.length) : symbol);
