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

/** Which parts of an optimizer play a known part, for check's diagnoses (src/check/diagnoses.ts): they
 *  read these roles, never an update's or option's name. A part without a role gets no diagnosis. */
export interface OptimizerRoles {
  /** The updates that divide by 1 - beta^t (bias correction), in order: each is `x / (1 - beta^t)`. */
  biasCorrection?: string[];
  /** The option added to a square root in the step (`sqrt(v) + eps`). */
  epsilon?: string;
  /** The weight-decay option (coupled or decoupled). */
  weightDecay?: string;
  /** The momentum state (present when its option is not 0) and how the step reads it: a `buffer` of
   *  gradients that the step multiplies by the learning rate (PyTorch's buf = mu*buf + g, p - lr*buf)
   *  or a `velocity` that is the step itself (Keras's v = mu*v - lr*g, p + v); `option` is mu and `lr`
   *  the learning rate. */
  momentum?: { state: string; form: 'buffer' | 'velocity'; option: string; lr: string };
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
  /** Declared roles of its updates and options (an optimizer written in a spec declares them in `roles:`). */
  roles?: OptimizerRoles;
}

export const nonzero = (v: OptionValue | undefined) => typeof v === 'string' && !new Decimal(v).isZero();
