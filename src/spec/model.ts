// A spec after reading and validation: names resolved, expressions parsed and whitelisted, numbers
// kept as their source text. Everything downstream reads this, never the raw YAML.
import type { Node } from '../symbolic/build.js';
import type { OptimizerDef, Options } from '../optimizers/definitions.js';
import type { Limits } from './limits.js';
import type { TorchModel } from './torch-model.js';

export interface Equation {
  name: string;
  text: string;
  expr: Node;
}

export interface Spec {
  file: string;
  precision: number;
  inputs: string[];
  /** In evaluation order. */
  neurons: Equation[];
  outputs: string[];
  /** Parameters in the order written (matrices and vectors expanded to W1_2_1, b1_2), with their
   *  initial values as text. */
  params: Array<{ name: string; value: string }>;
  /** Params held at their initial values (never updated; their gradients are still computed). */
  frozen: string[];
  constants: Record<string, string>;
  /** Names the loss reads from each data row besides the inputs. */
  targets: string[];
  /** One record per data row: every input and target, as text. */
  data: Array<Record<string, string>>;
  loss: { sample: Equation; reduce: 'mean' | 'sum'; penalty?: Equation; name?: string };
  training: {
    /** The optimizer's name, or 'custom' for one written as equations in the spec. */
    optimizer: string;
    /** The optimizer's equations. A spec variant (another convention, a known mistake) may swap it. */
    definition: OptimizerDef;
    /** Every option of the optimizer, defaults filled in. */
    options: Options;
    epochs: number;
    /** Rows per optimizer step; full batch is the number of rows. */
    batchSize: number;
    batch: 'full' | number;
    /** A spec without `training`: one forward and backward pass, nothing updated (its optimizer is the
     *  identity p = p, so run, check and certify need nothing of their own; printers say it as it is). */
    forwardOnly?: true;
  };
  /** max_tie only when the spec gives it (its default is first). */
  conventions: { preset: string; relu_at_zero: string; max_tie?: 'first' | 'split' };
  /** The limits in force for this spec: defaults, the spec's `limits:` section, the caller's. */
  limits: Limits;
  /** For a torch-style spec: its tensors (params and buffers by state_dict name, the input, each
   *  layer's output, the target), each with the scalar names of its entries. */
  tensors?: TorchModel;
  /** Buffers (batch norm's running statistics): not trained, but updated after each step by their own
   *  equations over the step's quantities (and themselves). */
  buffers?: Array<{ name: string; value: string; update: Equation }>;
}
