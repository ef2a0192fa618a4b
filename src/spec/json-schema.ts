// The JSON Schema of the spec format, generated from the zod schema that validates specs, so that an
// editor's YAML language server checks and completes exactly what the tool accepts. Numbers are
// numbers or numeric strings in the published schema (inside the tool they are read as text).
import * as z from 'zod/mini';
import { SCHEMA_METADATA, SpecSchema, TorchSpecSchema } from './schema.js';

export function specJsonSchema(): object {
  // A spec is written with neurons or dense layers, or torch-style; a forward-only spec has no training.
  const published = z.union([z.extend(SpecSchema, { training: z.optional(SpecSchema.shape.training) }), TorchSpecSchema]);
  const schema = z.toJSONSchema(published, {
    io: 'input',
    metadata: SCHEMA_METADATA,
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const ref = typeof jsonSchema.$ref === 'string' ? jsonSchema.$ref : '';
      if (ref.endsWith('/number') || ref.endsWith('/count')) {
        // A use of a number with its own description: the reference alone carries the type.
        delete jsonSchema.type;
        delete jsonSchema.pattern;
        return;
      }
      const id = SCHEMA_METADATA.get(zodSchema)?.id;
      if (id === 'number' || id === 'count') {
        const pattern = jsonSchema.pattern;
        const description = jsonSchema.description;
        for (const key of Object.keys(jsonSchema)) delete (jsonSchema as Record<string, unknown>)[key];
        Object.assign(jsonSchema, {
          ...(description ? { description } : {}),
          anyOf: [{ type: id === 'count' ? 'integer' : 'number' }, { type: 'string', pattern }],
        });
      }
    },
  }) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://exactprop.dev/schema/exactprop.schema.json',
    title: 'exactprop spec',
    description: 'A small neural network written as equations, trained exactly by exactprop.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}
