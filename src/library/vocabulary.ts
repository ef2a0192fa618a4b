// The library's vocabulary of specs, for an editor's completion, read from the registries.
import { specJsonSchema } from '../spec/json-schema.js';
import { FUNCTIONS, WRITTEN_FUNCTIONS } from '../symbolic/functions.js';
import { PRESETS } from '../optimizers/presets.js';

/** What an editor of specs offers to complete, read from the registries themselves. */
export interface SpecVocabulary {
  /** The published JSON Schema (keys, layer kinds, losses, activations, presets, with descriptions). */
  schema: object;
  /** Every function an expression may call (the function table, step functions left out). */
  functions: Array<{ name: string; doc: string; activation: boolean }>;
  /** Per preset (pytorch, keras, paper), its optimizers with their options and defaults. */
  optimizers: Record<string, Array<{ name: string; title: string; options: Record<string, string | boolean> }>>;
}

/** The vocabulary of specs, for an editor's completion: nothing in it is written by hand. */
export function specVocabulary(): SpecVocabulary {
  return {
    schema: specJsonSchema(),
    functions: WRITTEN_FUNCTIONS.map((name) => ({ name, doc: FUNCTIONS[name]!.doc, activation: FUNCTIONS[name]!.activation === true })),
    optimizers: Object.fromEntries(Object.entries(PRESETS).map(([preset, p]) => [
      preset,
      Object.entries(p.optimizers).map(([name, def]) => ({ name, title: def.title, options: { ...def.options } })),
    ])),
  };
}
