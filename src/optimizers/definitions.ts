// What an optimizer is, as data the engine runs: option defaults, state variables with their initial
// values, and the update as a list of equations. Equations are read in order, like a program: a name
// on the right of `=` means its newest value, from this step if it was already updated in this step,
// else from the step before. In the equations `p` is the parameter, `grad` is dL/dp of the total
// loss, and `t` counts optimizer steps from 1. The equation for `p` (the new value) comes last.
import Decimal from 'decimal.js';

export type OptionValue = string | boolean;
export type Options = Record<string, OptionValue>;

export interface UpdateEquation {
  name: string;
  formula: string;
  /** The formula at t = 1, where it differs (SGD's momentum buffer starts as the first gradient). */
  first?: string;
}

export interface OptimizerDef {
  title: string;
  /** Every option with its default; booleans are flags. */
  options: Record<string, OptionValue>;
  /** State variables and their initial values (formulas over the options). */
  state(o: Options): Record<string, string>;
  updates(o: Options): UpdateEquation[];
  /** Option combinations the reference implementation refuses. */
  invalid?(o: Options): string | undefined;
}

export const nonzero = (v: OptionValue | undefined) => typeof v === 'string' && !new Decimal(v).isZero();
