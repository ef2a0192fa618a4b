// The shape of a spec, checked with zod before any meaning is given to it. Numbers arrive as their
// source text (see yaml.ts), so a numeric field is a string that looks like a decimal number. The
// published JSON Schema (schema/exactprop.schema.json) is generated from this, so the two cannot drift.
import { z } from 'zod';
import { DECIMAL_TEXT } from '../numeric/context.js';
import { PRESETS } from '../optimizers/presets.js';

const NUMBER_MESSAGE = 'expected a number (e.g. 0.1, -2, 1e-8)';
/** A number, kept as the text it was written with. In the JSON Schema: a number, or a string of one. */
export const NumberText = z
  .string({ error: NUMBER_MESSAGE })
  .regex(DECIMAL_TEXT, { error: NUMBER_MESSAGE })
  .meta({ id: 'number', description: 'A number; read from its text, never through a binary double.' });
export const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a name: letters, digits and _, not starting with a digit' });
const Expression = z.string({ error: 'expected an expression (text such as relu(i1*w1 + b1))' }).meta({ description: 'An expression: + - * / ^, parentheses, names and the functions relu, leaky_relu, sigmoid, tanh, softplus, exp, log, sqrt, abs, max, min, softmax.' });
const Count = z.string({ error: 'expected a whole number' }).regex(/^\d+$/, { error: 'expected a whole number' }).meta({ id: 'count' });
const Flag = z.boolean({ error: 'expected true or false' });

export const ACTIVATIONS = ['linear', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'softplus', 'softmax'] as const;
export const LOSSES = ['mse', 'sse', 'half_sse', 'mae', 'bce', 'cross_entropy'] as const;

const Layer = z.strictObject({
  units: Count.meta({ description: 'Number of units (neurons) in the layer.' }),
  activation: z.enum(ACTIVATIONS).default('linear'),
  name: Name.optional().meta({ description: 'Prefix of the layer’s neuron names (default h<layer>): name_1, name_2, ... or just name for one unit.' }),
  bias: Flag.default(true),
});

const CustomOptimizer = z.strictObject({
  title: z.string().optional(),
  hyperparameters: z.record(Name, NumberText).default({}),
  state: z.record(Name, z.union([NumberText, Expression])).default({}),
  update: z.array(z.record(Name, Expression), { error: 'expected a list of updates, each `name: formula`' }).min(1),
}).meta({ description: 'An optimizer written as equations: state variables with initial values, then update equations over g (the gradient), p (the param), t (the step) and the hyperparameters; the last assigns p.' });

const ParamValue = z.union([NumberText, z.array(NumberText), z.array(z.array(NumberText))], {
  error: 'expected a number, a vector (list of numbers) or a matrix (list of rows)',
});

export const SpecSchema = z.strictObject({
  $schema: z.string().optional(),
  precision: NumberText.optional().meta({ description: 'Significant digits of every computed value (default 50).' }),
  // A spec without neurons optimises a function of the params alone (the loss x^2/2 of the docs' examples).
  model: z.strictObject({
    inputs: z.union([z.array(Name), Count]).default([]).meta({ description: 'Input names, or a count n for x1..xn.' }),
    neurons: z.record(Name, Expression).optional().meta({ description: 'Neurons as equations, evaluated in order.' }),
    layers: z.array(Layer).optional().meta({ description: 'Dense layers, an alternative to neurons: weights W<l> (rows are units) and biases b<l> in params.' }),
    outputs: z.array(Name).optional(),
  }).default({ inputs: [] }),
  params: z.record(Name, ParamValue),
  frozen: z.array(Name).default([]).meta({ description: 'Params held at their initial values (a whole matrix or vector by its name).' }),
  constants: z.record(Name, NumberText).default({}),
  data: z.union([z.array(z.record(Name, NumberText)).min(1, { error: 'expected at least one data row' }), z.string()], { error: 'expected a list of rows, or the path of a CSV file' }),
  loss: z.strictObject({
    sample: Expression.optional().meta({ description: 'The per-sample loss as an expression.' }),
    name: z.enum(LOSSES).optional().meta({ description: 'A loss by name, over model.outputs and the targets.' }),
    targets: z.array(Name).optional().meta({ description: 'Data columns paired with model.outputs, for a named loss (default y, or y1..yK).' }),
    reduce: z.enum(['mean', 'sum']).optional(),
    penalty: Expression.optional(),
  }),
  // Optimizer options depend on the optimizer; they are checked against its definition afterwards.
  training: z
    .object({
      optimizer: z.union([z.string(), CustomOptimizer], { error: 'expected an optimizer name or an optimizer written as equations' }),
      epochs: Count.default('1'),
      batch: z.union([z.literal('full'), Count], { error: "expected 'full' or a whole number of rows" }).default('full'),
    })
    .catchall(z.union([NumberText, Flag], { error: 'expected a number (e.g. 0.1, -2, 1e-8), or true/false for a flag' })),
  conventions: z
    .union([
      z.enum(Object.keys(PRESETS) as [string, ...string[]]),
      z.strictObject({
        preset: z.enum(Object.keys(PRESETS) as [string, ...string[]]).optional(),
        relu_at_zero: NumberText.optional(), // 0, 1 or 0.5: checked in validate.ts
      }),
    ], { error: `expected a preset (${Object.keys(PRESETS).join(', ')}) or a mapping { preset, relu_at_zero }` })
    .default('pytorch'),
});

export type RawSpec = z.infer<typeof SpecSchema>;
