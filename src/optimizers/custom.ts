// An optimizer written in the spec: hyperparameters, state variables with initial values, and update
// equations over g (the gradient), p (the param), t (the step, from 1) and the hyperparameters. It
// becomes an OptimizerDef like the built-in ones, so it gets the same trace, worked solution and check.
import type { OptimizerDef, UpdateEquation } from './definitions.js';

export interface CustomOptimizer {
  title: string;
  hyperparameters: Record<string, string>;
  state: Record<string, string>;
  /** In order; the last one assigns p. */
  update: UpdateEquation[];
}

export function customDefinition(c: CustomOptimizer): OptimizerDef {
  // The built-ins name the gradient after any weight decay `g`; a custom rule reads `g` as the
  // gradient itself unless it defines g, so `g[w1]` means the same in every trace.
  const definesG = c.update.some((u) => u.name === 'g');
  return {
    title: c.title,
    options: { ...c.hyperparameters },
    state: () => ({ ...c.state }),
    updates: () => [...(definesG ? [] : [{ name: 'g', formula: 'grad' }]), ...c.update],
  };
}
