// The shape of a spec, checked with zod before any meaning is given to it. Numbers arrive as their
// source text (see yaml.ts), so a numeric field is a string that looks like a decimal number.
import { z } from 'zod';
import { DECIMAL_TEXT } from '../numeric/context.js';

const NUMBER_MESSAGE = 'expected a number (e.g. 0.1, -2, 1e-8)';
export const NumberText = z.string({ error: NUMBER_MESSAGE }).regex(DECIMAL_TEXT, { error: NUMBER_MESSAGE });
export const Name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a name: letters, digits and _, not starting with a digit' });
const Expression = z.string({ error: 'expected an expression (text such as relu(i1*w1 + b1))' });
const Count = z.string({ error: 'expected a whole number' }).regex(/^\d+$/, { error: 'expected a whole number' });

export const SpecSchema = z.strictObject({
  precision: NumberText.optional(),
  // A spec without neurons optimises a function of the params alone (the loss x^2/2 of the docs' examples).
  model: z.strictObject({
    inputs: z.array(Name).default([]),
    neurons: z.record(Name, Expression).default({}),
    outputs: z.array(Name).optional(),
  }).default({ inputs: [], neurons: {} }),
  params: z.record(Name, NumberText),
  constants: z.record(Name, NumberText).default({}),
  data: z.array(z.record(Name, NumberText), { error: 'expected a list of rows' }).min(1, { error: 'expected at least one data row' }),
  loss: z.strictObject({
    sample: Expression,
    reduce: z.enum(['mean', 'sum']).default('mean'),
    penalty: Expression.optional(),
  }),
  // Optimizer options depend on the optimizer; they are checked against its definition afterwards.
  training: z.looseObject({
    optimizer: z.string({ error: 'expected an optimizer name' }),
    epochs: Count.default('1'),
    batch: z.union([z.literal('full'), Count], { error: "expected 'full' or a whole number of rows" }).default('full'),
  }),
  conventions: z
    .strictObject({ relu_at_zero: z.enum(['0', '1', '0.5'], { error: 'expected 0, 1 or 0.5' }).default('0') })
    .default({ relu_at_zero: '0' }),
});

export type RawSpec = z.infer<typeof SpecSchema>;
