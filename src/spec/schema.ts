// The shape of a spec, checked with zod before any meaning is given to it. Numbers arrive as their
// source text (see yaml.ts), so a numeric field is a string that looks like a decimal number. The
// published JSON Schema (schema/exactprop.schema.json) is generated from this, so the two cannot drift.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DECIMAL_TEXT } from '../numeric/context.js';
import { PRESETS } from '../optimizers/presets.js';
import { ACTIVATION_FUNCTIONS, WRITTEN_FUNCTIONS } from '../symbolic/functions.js';
import { DEFAULT_LIMITS, LIMIT_INFO, SPEC_LIMIT_KEYS } from './limits.js';
import { LOSS_NAMES } from './losses.js';
import { DEFAULT_LAYER_KIND, LAYER_KINDS, type SchemaBlocks, type SchemaBuilders } from './layers.js';
import { TORCH_LAYERS } from './torch-layers.js';

// zod/mini: the same checks as zod's classic API in functional form, a tenth of its size, which is most
// of the command's start-up that it saves. Messages not written here come from its English locale,
// given to each parse (SPEC_PARSE), not set with z.config: importing the library changes no global state
// of a host's own zod.
export const SPEC_PARSE: z.core.ParseContext<z.core.$ZodIssue> = { error: en().localeError };

/** The metadata of the published JSON Schema (json-schema.ts reads it). A registry of our own, not zod's
 *  z.globalRegistry: a host's zod schemas may use the same ids (`number`, `count`). */
export const SCHEMA_METADATA = z.registry<{ id?: string; description?: string }>();

/** A copy of a schema with metadata for the published JSON Schema (an id makes it a shared definition;
 *  a copy of that keeps pointing to it), as zod's classic .meta() makes one. */
function described<T extends z.ZodMiniType>(schema: T, meta: { id?: string; description?: string }): T {
  const copy = schema.clone(undefined, { parent: true }) as T;
  SCHEMA_METADATA.add(copy, meta);
  return copy;
}

const NUMBER_MESSAGE = 'expected a number (e.g. 0.1, -2, 1e-8)';
/** A number, kept as the text it was written with. In the JSON Schema: a number, or a string of one. */
export const NumberText = described(
  z.string({ error: NUMBER_MESSAGE }).check(z.regex(DECIMAL_TEXT, { error: NUMBER_MESSAGE })),
  { id: 'number', description: 'A number; read from its text, never through a binary double.' },
);
export const Name = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a name: letters, digits and _, not starting with a digit' }));
const Expression = described(z.string({ error: 'expected an expression (text such as relu(i1*w1 + b1))' }), { description: `An expression: + - * / ^, parentheses, names and the functions ${WRITTEN_FUNCTIONS.join(', ')}.` });
const Count = described(z.string({ error: 'expected a whole number' }).check(z.regex(/^\d+$/, { error: 'expected a whole number' })), { id: 'count' });
const Flag = z.boolean({ error: 'expected true or false' });

/** A dense layer's activations: linear and softmax (which layers.ts expands), and every function the
 *  function table marks as an activation. */
export const ACTIVATIONS = ['linear', ...ACTIVATION_FUNCTIONS, 'softmax'] as const;
/** The names of the losses of spec/losses.ts's table. */
export const LOSSES = LOSS_NAMES;

/** A layer: a `type` from the layer-kind table (spec/layers.ts; dense when absent) and that kind's keys. */
const BUILDERS: SchemaBuilders = { enum: z.enum, _default: z._default, optional: z.optional, union: z.union, literal: z.literal, array: z.array, string: z.string, boolean: z.boolean };
const LAYER_BLOCKS: SchemaBlocks = { z: BUILDERS, Count, Flag, Name, activations: ACTIVATIONS, described };
const layerObject = (kind: string, type: z.ZodMiniType) => {
  const options = LAYER_KINDS[kind]!.options(LAYER_BLOCKS);
  return z.strictObject({ type, ...options, ...('name' in options ? {} : { name: z.optional(Name) }) });
};
const LAYER_TYPE_DESCRIPTION = `The layer's kind (${Object.keys(LAYER_KINDS).join(', ')}); ${DEFAULT_LAYER_KIND} when not given.`;
const LAYER_KIND_NAMES = Object.keys(LAYER_KINDS) as [string, ...string[]];
const Layer = LAYER_KIND_NAMES.length === 1
  ? layerObject(DEFAULT_LAYER_KIND, described(z.optional(z.enum(LAYER_KIND_NAMES)), { description: LAYER_TYPE_DESCRIPTION }))
  : z.discriminatedUnion('type', LAYER_KIND_NAMES.map((kind) => {
    const type = described(z.literal(kind), { description: LAYER_TYPE_DESCRIPTION });
    return layerObject(kind, kind === DEFAULT_LAYER_KIND ? z.optional(type) : type);
  }) as unknown as [z.ZodMiniObject, ...z.ZodMiniObject[]], {
    error: (issue) => (issue.code === 'invalid_union' ? `expected one of ${LAYER_KIND_NAMES.join(', ')} (the layer kinds)` : undefined),
  });

const CustomOptimizer = described(z.strictObject({
  title: z.optional(z.string()),
  hyperparameters: z._default(z.record(Name, NumberText), {}),
  state: z._default(z.record(Name, z.union([NumberText, Expression])), {}),
  update: z.array(z.record(Name, Expression), { error: 'expected a list of updates, each `name: formula`' }).check(z.minLength(1)),
  roles: described(z.optional(z.strictObject({
    bias_correction: z.optional(z.array(Name)),
    epsilon: z.optional(Name),
    weight_decay: z.optional(Name),
  })), { description: "Which parts play a known role, so that check can diagnose the usual mistakes with them: bias_correction (the updates x / (1 - beta^t)), epsilon (the hyperparameter added to a square root), weight_decay (the hyperparameter)." }),
}), { description: 'An optimizer written as equations: state variables with initial values, then update equations over g (the gradient), p (the param), t (the step) and the hyperparameters; the last assigns p.' });

const ParamValue = z.union([NumberText, z.array(NumberText), z.array(z.array(NumberText))], {
  error: 'expected a number, a vector (list of numbers) or a matrix (list of rows)',
});

const PRESET_NAMES = Object.keys(PRESETS) as [string, ...string[]];

// Optimizer options depend on the optimizer; they are checked against its definition afterwards.
const Training = z.catchall(
  z.object({
    optimizer: z.union([z.string(), CustomOptimizer], { error: 'expected an optimizer name or an optimizer written as equations' }),
    epochs: z._default(Count, '1'),
    batch: z._default(z.union([z.literal('full'), Count], { error: "expected 'full' or a whole number of rows" }), 'full'),
  }),
  z.union([NumberText, Flag], { error: 'expected a number (e.g. 0.1, -2, 1e-8), or true/false for a flag' }),
);
const SpecLimits = described(z.optional(z.strictObject(Object.fromEntries(SPEC_LIMIT_KEYS.map(([, key]) => [key, z.optional(Count)])) as Record<string, z.ZodMiniOptional<typeof Count>>)),
  { description: 'Raise (or lower) the limits a run is held to: ' + SPEC_LIMIT_KEYS.map(([name, key]) => `${key}: ${LIMIT_INFO[name].what}, default ${DEFAULT_LIMITS[name]}`).join('; ') + '.' });
const Conventions = z._default(
  z.union([
    z.enum(PRESET_NAMES),
    z.strictObject({
      preset: z.optional(z.enum(PRESET_NAMES)),
      relu_at_zero: z.optional(NumberText), // 0, 1 or 0.5: checked in validate.ts
      max_tie: described(z.optional(z.enum(['first', 'split'])), { description: 'Where the gradient of a maximum (max pooling) goes at a tie: all to the first largest entry in scan order (first, as PyTorch) or split evenly (split).' }),
    }),
  ], { error: `expected a preset (${PRESET_NAMES.join(', ')}) or a mapping { preset, relu_at_zero }` }),
  'pytorch',
);

// What may vary from one student's variant of an exercise to another's, and what every variant must
// satisfy (src/variants/ reads it; `exactprop variants` writes the variants). Every other command reads
// a spec with this section as the base spec, the section's shape checked and its content unused.
const QuantityPatterns = described(z.array(z.string()), { description: 'Quantities by their answers-file paths, * standing for any part of one segment: epoch1.*.h*, epoch1.params.*, final.loss.total.' });
const VaryRange = z.strictObject({
  from: NumberText,
  to: NumberText,
  step: described(z.optional(NumberText), { description: 'The spacing of the values from `from` (default: 10^-places, or 1).' }),
  places: described(z.optional(Count), { description: 'Decimal places: the step is 10^-places.' }),
  exclude: described(z.optional(z.array(NumberText)), { description: 'Values never drawn (0 for a weight that must not vanish).' }),
});
const VaryChoices = z.strictObject({ choices: z.array(NumberText).check(z.minLength(1)) });
const Vary = described(z.union([VaryRange, VaryChoices], { error: 'expected a range { from, to, step or places } or { choices: [...] }' }),
  { description: 'The values one number of the spec may take: a range from..to by a step (or decimal places), or a set of choices.' });
const GradingTolerance = described(z.union([
  z.strictObject({ abs: NumberText }),
  z.strictObject({ rel: NumberText }),
  z.strictObject({ sig: Count }),
], { error: 'expected { abs: X }, { rel: X } or { sig: N }' }), { description: 'How far from the exact value an answer is marked right in the exported quizzes: absolute, relative, or half a unit of the Nth significant digit (default sig: 3).' });
export const VariantsSchema = described(z.strictObject({
  vary: described(z.record(z.string(), Vary), { description: 'Each number that varies, by its place in the spec (params.w1, constants.lambda, training.lr, data[2].i1, params.W1[1][2]) or by the name of a param or constant.' }),
  constraints: z.optional(z.strictObject({
    kinks: described(z.optional(z.union([z.literal('none'), z.strictObject({ margin: NumberText })], { error: "expected 'none' or { margin: X }" })),
      { description: "Every kink (a ReLU's argument) decided by at least `margin` from its corner, or `none` met exactly." }),
    friendly: described(z.optional(z.strictObject({
      digits: z.optional(Count),
      decimals: z.optional(Count),
      terminating: z.optional(Flag),
      of: z.optional(QuantityPatterns),
    })), { description: 'Values friendly by hand: at most `digits` significant digits, at most `decimals` decimal places, or terminating decimals, for the quantities `of` (default: those asked).' }),
    bounded: described(z.optional(z.strictObject({ max_abs: NumberText, of: z.optional(QuantityPatterns) })),
      { description: 'Every quantity `of` (default: every one) at most max_abs in size.' }),
    loss_decreasing: described(z.optional(Flag), { description: 'The total loss goes down at every step, and after the last.' }),
    conditions: described(z.optional(z.array(z.string())), { description: 'Conditions over trace quantities by their paths: step2.loss.total < step1.loss.total, abs(epoch1.gradients.w1) >= 0.5 (and, or, not; + - * /; abs, min, max).' }),
  })),
  ask: z.optional(QuantityPatterns),
  tolerance: z.optional(GradingTolerance),
  partial_credit: described(z.optional(Count), { description: 'Percent of the marks for a value a known mistake gives (default 50; 0 leaves the alternatives out).' }),
  attempts: described(z.optional(Count), { description: 'Draws tried per variant before giving up (default 1000).' }),
}), { description: 'Variants of this exercise, one per student (exactprop variants): what may vary and what every variant must satisfy. Other commands ignore it.' });

export const SpecSchema = z.strictObject({
  $schema: z.optional(z.string()),
  precision: described(z.optional(NumberText), { description: 'Significant digits of every computed value (default 50).' }),
  // A spec without neurons optimises a function of the params alone (the loss x^2/2 of the docs' examples).
  model: z._default(z.strictObject({
    inputs: described(z._default(z.union([z.array(Name), Count]), []), { description: 'Input names, or a count n for x1..xn.' }),
    neurons: described(z.optional(z.record(Name, Expression)), { description: 'Neurons as equations, evaluated in order.' }),
    layers: described(z.optional(z.array(Layer)), { description: 'Dense layers, an alternative to neurons: weights W<l> (rows are units) and biases b<l> in params.' }),
    outputs: z.optional(z.array(Name)),
  }), { inputs: [] }),
  params: z.record(Name, ParamValue),
  frozen: described(z._default(z.array(Name), []), { description: 'Params held at their initial values (a whole matrix or vector by its name).' }),
  constants: z._default(z.record(Name, NumberText), {}),
  data: z.union([z.array(z.record(Name, NumberText)).check(z.minLength(1, { error: 'expected at least one data row' })), z.string()], { error: 'expected a list of rows, or the path of a CSV file' }),
  loss: z.strictObject({
    sample: described(z.optional(Expression), { description: 'The per-sample loss as an expression.' }),
    name: described(z.optional(z.enum(LOSSES)), { description: 'A loss by name, over model.outputs and the targets.' }),
    targets: described(z.optional(z.array(Name)), { description: 'Data columns paired with model.outputs, for a named loss (default y, or y1..yK).' }),
    reduce: z.optional(z.enum(['mean', 'sum'])),
    penalty: z.optional(Expression),
  }),
  training: Training,
  limits: SpecLimits,
  conventions: Conventions,
  variants: z.optional(VariantsSchema),
});

export type RawSpec = z.infer<typeof SpecSchema>;
export type RawVariants = z.infer<typeof VariantsSchema>;

// The torch-style form (spec/torch-model.ts reads it and writes the scalar spec it stands for, which
// SpecSchema then checks): published beside SpecSchema so that an editor knows both. A tensor is a
// number or nested lists of numbers (up to 6 deep, as the reader allows).
const tensorOf = (depth: number): z.ZodMiniType => (depth === 0 ? NumberText : z.union([NumberText, z.array(tensorOf(depth - 1))]));
const TensorValue = described(tensorOf(6), { description: 'A tensor: a number, or nested lists of numbers in PyTorch\'s layout.' });
const TorchLayerSchema = z.looseObject({
  type: described(z.enum(Object.keys(TORCH_LAYERS) as [string, ...string[]]), { description: 'The torch.nn class; the other keys are its constructor arguments, with PyTorch\'s names and defaults.' }),
  name: described(z.optional(Name), { description: 'Its state_dict prefix (its params are <name>.weight, ...); required for layers with params.' }),
});
export const TorchSpecSchema = z.strictObject({
  $schema: z.optional(z.string()),
  precision: described(z.optional(NumberText), { description: 'Significant digits of every computed value (default 50).' }),
  model: z.strictObject({
    inputs: described(z.union([z.record(Name, z.array(Count)), z.array(Name)]), { description: 'The input tensor and its shape for one sample, unbatched: { x: [1, 4, 4] }.' }),
    layers: described(z.array(TorchLayerSchema), { description: 'torch.nn layers, applied in order (as nn.Sequential).' }),
    outputs: z.optional(z.array(Name)),
  }),
  params: described(z._default(z.record(z.string(), TensorValue), {}), { description: 'Params and buffers by state_dict name, in PyTorch\'s layouts.' }),
  constants: z._default(z.record(Name, NumberText), {}),
  data: z.array(z.record(Name, TensorValue)).check(z.minLength(1)),
  loss: z.strictObject({
    name: z.optional(z.enum(LOSSES)),
    targets: described(z.optional(z.array(Name)), { description: 'The target tensor (in the output\'s shape) of each data row.' }),
    upstream: described(z.optional(Name), { description: 'A data column holding dL/d(output), shaped like the output, instead of a loss.' }),
    sample: z.optional(Expression),
    reduce: z.optional(z.enum(['mean', 'sum'])),
    penalty: z.optional(Expression),
  }),
  training: described(z.optional(Training), { description: 'How to train; without it, one forward and backward pass, no update.' }),
  limits: SpecLimits,
  conventions: Conventions,
});
