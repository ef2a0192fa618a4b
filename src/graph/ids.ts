// What a quantity of the unrolled training is, as a typed id. The equations of graph/program.ts need
// each quantity as a symbol (a string in a mathjs tree, a key of the trace and of the JSON contract:
// `h1`, `dL/dh1`, `m[w1]`, `loss[2]`, `loss.total`), but nothing reads structure back out of such a
// string: every equation keeps the id of what it defines and of each symbol it reads, and printers,
// check and certify ask the id ("is it an adjoint? of what?") instead of matching the text.
//
// `symbolOf` is the one place that writes the symbol of an id. Its forms cannot collide with a spec's
// names (identifiers: [A-Za-z_][A-Za-z0-9_]*) or with the engine's own symbols (graph/names.ts).

export type QuantityId =
  /** A name of the spec (input, target, constant, neuron, param, the sample's `loss`), or one of the
   *  engine's own symbols (the batch size `#n`, the step `#t`, an optimizer option `#lr`). */
  | { readonly kind: 'named'; readonly name: string }
  /** dL/d(of): a neuron's adjoint, a param's share of one sample or its gradient over the step, and
   *  for `loss` the seed (the weight of the sample's loss in the reduced loss). */
  | { readonly kind: 'adjoint'; readonly of: string }
  /** The step's losses: the reduced data loss, the penalty and their sum L. */
  | { readonly kind: 'stepLoss'; readonly part: 'data' | 'penalty' | 'total' }
  /** An optimizer's own quantity (m, v, mhat...) for one param. */
  | { readonly kind: 'state'; readonly local: string; readonly param: string }
  /** A sample's quantity as a step-level equation reads it: the loss or a share of data row `row`
   *  (from 0). */
  | { readonly kind: 'ofSample'; readonly row: number; readonly of: QuantityId };

export const named = (name: string): QuantityId => ({ kind: 'named', name });
export const adjointOf = (of: string): QuantityId => ({ kind: 'adjoint', of });
export const stepLoss = (part: 'data' | 'penalty' | 'total'): QuantityId => ({ kind: 'stepLoss', part });
export const stateOf = (local: string, param: string): QuantityId => ({ kind: 'state', local, param });
export const ofSample = (row: number, of: QuantityId): QuantityId => ({ kind: 'ofSample', row, of });

/** The symbol of a quantity: its name in equations, in the trace and in the JSON contract. */
export function symbolOf(id: QuantityId): string {
  switch (id.kind) {
    case 'named': return id.name;
    case 'adjoint': return `dL/d${id.of}`;
    case 'stepLoss': return `loss.${id.part}`;
    case 'state': return `${id.local}[${id.param}]`;
    // Rows are numbered from 1 where people read them.
    case 'ofSample': return `${symbolOf(id.of)}[${id.row + 1}]`;
  }
}

/**
 * The ids of the symbols of some equations, learned from the equations themselves (each knows the id
 * it defines and the ids it reads): what a printer consults to write `dL/dh1` as a partial derivative.
 * A symbol it has not learned is a plain name.
 */
export class QuantityTable {
  private readonly ids = new Map<string, QuantityId>();
  /** Ids recorded without their symbols, written when something first asks (see addLater). */
  private pending: Array<() => readonly QuantityId[]> = [];

  /** Records an id under its symbol, and returns the symbol. */
  add(id: QuantityId): string {
    const symbol = symbolOf(id);
    if (id.kind !== 'named' && !this.ids.has(symbol)) this.ids.set(symbol, id);
    return symbol;
  }

  /** Records ids whose symbols are written only when the table is first asked: a step's thousands of
   *  shares (loss[3], dL/dw1[3]) are printed by few runs, and a run on the tape never spells them. (An
   *  id has one symbol, so when it is recorded does not change what the table answers.) */
  addLater(ids: () => readonly QuantityId[]): void {
    this.pending.push(ids);
  }

  /** Records what equations define and read. */
  learn(equations: Iterable<{ id: QuantityId; reads: readonly QuantityId[] }>): this {
    for (const e of equations) {
      this.add(e.id);
      for (const r of e.reads) this.add(r);
    }
    return this;
  }

  idOf(symbol: string): QuantityId {
    if (this.pending.length > 0) {
      const pending = this.pending;
      this.pending = [];
      for (const ids of pending) for (const id of ids()) this.add(id);
    }
    return this.ids.get(symbol) ?? named(symbol);
  }
}
