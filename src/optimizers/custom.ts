// An optimizer written in the spec: hyperparameters, state variables with initial values, and update
// equations over g (the gradient), p (the param), t (the step, from 1) and the hyperparameters. It
// becomes an OptimizerDef like the built-in ones, so it gets the same trace, worked solution and check.
import type { OptimizerDef, OptimizerRoles, UpdateEquation } from './definitions.js';

export interface CustomOptimizer {
  title: string;
  hyperparameters: Record<string, string>;
  state: Record<string, string>;
  /** In order; the last one assigns p. */
  update: UpdateEquation[];
  /** The roles the spec declares (`roles:`), for check's diagnoses. */
  roles?: OptimizerRoles;
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
    // Only the roles the spec declares: check's optimizer diagnoses (bias correction, eps placement,
    // weight decay) apply to the parts it names, whatever they are called.
    ...(c.roles ? { roles: c.roles } : {}),
  };
}
