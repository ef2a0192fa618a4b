// The optimizers of Keras 3, exactly as its update rules are written (option names as ours: lr, eps;
// rho for RMSprop as Keras names it). Where Keras differs from PyTorch: Adam folds the bias
// corrections into the step size and adds an "epsilon hat" outside the uncorrected sqrt(v); RMSprop
// puts eps inside the square root; Adagrad's accumulator starts at 0.1; SGD's momentum is a velocity
// v = mu*v - lr*g; and weight_decay is always decoupled: p <- p - p*wd*lr before the step.
import { nonzero, type OptimizerDef, type OptimizerRoles, type Options, type UpdateEquation } from './definitions.js';

/** Every Keras optimizer's epsilon and weight decay, for check's diagnoses. */
const ROLES: OptimizerRoles = { epsilon: 'eps', weightDecay: 'weight_decay' };

/** Decoupled weight decay before the step; the step then starts from p_decayed. */
const decayed = (o: Options): UpdateEquation[] => (nonzero(o.weight_decay) ? [{ name: 'p_decayed', formula: 'p - p * weight_decay * lr' }] : []);
const base = (o: Options) => (nonzero(o.weight_decay) ? 'p_decayed' : 'p');

const adam = (title: string, weightDecay: string): OptimizerDef => ({
  title,
  options: { lr: '0.001', beta1: '0.9', beta2: '0.999', eps: '1e-7', weight_decay: weightDecay, amsgrad: false },
  state: (o) => ({ m: '0', v: '0', ...(o.amsgrad ? { vmax: '0' } : {}) }),
  updates: (o) => [
    ...decayed(o),
    { name: 'g', formula: 'grad' },
    { name: 'm', formula: 'beta1 * m + (1 - beta1) * g' },
    { name: 'v', formula: 'beta2 * v + (1 - beta2) * g^2' },
    ...(o.amsgrad ? [{ name: 'vmax', formula: 'max(vmax, v)' }] : []),
    { name: 'alpha', formula: 'lr * sqrt(1 - beta2^t) / (1 - beta1^t)' },
    { name: 'p', formula: `${base(o)} - alpha * m / (sqrt(${o.amsgrad ? 'vmax' : 'v'}) + eps)` },
  ],
  // The bias correction is folded into alpha, not a division of the moments: no biasCorrection role.
  roles: ROLES,
});

export const KERAS: Record<string, OptimizerDef> = {
  sgd: {
    title: 'SGD (Keras)',
    options: { lr: '0.01', momentum: '0', nesterov: false, weight_decay: '0' },
    state: (o): Record<string, string> => (nonzero(o.momentum) ? { velocity: '0' } : {}),
    updates: (o) => [
      ...decayed(o),
      { name: 'g', formula: 'grad' },
      ...(nonzero(o.momentum)
        ? [
            { name: 'velocity', formula: 'momentum * velocity - lr * g' },
            { name: 'p', formula: o.nesterov ? `${base(o)} + momentum * velocity - lr * g` : `${base(o)} + velocity` },
          ]
        : [{ name: 'p', formula: `${base(o)} - lr * g` }]),
    ],
    roles: { weightDecay: 'weight_decay', momentum: { state: 'velocity', form: 'velocity', option: 'momentum', lr: 'lr' } },
  },
  adam: adam('Adam (Keras)', '0'),
  adamw: adam('AdamW (Keras)', '0.004'),
  rmsprop: {
    title: 'RMSprop (Keras)',
    options: { lr: '0.001', rho: '0.9', eps: '1e-7', momentum: '0', centered: false, weight_decay: '0' },
    state: (o) => ({ velocity: '0', ...(o.centered ? { average_grad: '0' } : {}), ...(nonzero(o.momentum) ? { momentum_buf: '0' } : {}) }),
    updates: (o) => [
      ...decayed(o),
      { name: 'g', formula: 'grad' },
      { name: 'velocity', formula: 'rho * velocity + (1 - rho) * g^2' },
      ...(o.centered
        ? [
            { name: 'average_grad', formula: 'rho * average_grad + (1 - rho) * g' },
            { name: 'increment', formula: 'lr * g / sqrt(velocity - average_grad^2 + eps)' },
          ]
        : [{ name: 'increment', formula: 'lr * g / sqrt(velocity + eps)' }]),
      ...(nonzero(o.momentum)
        ? [
            { name: 'momentum_buf', formula: 'momentum * momentum_buf + increment' },
            { name: 'p', formula: `${base(o)} - momentum_buf` },
          ]
        : [{ name: 'p', formula: `${base(o)} - increment` }]),
    ],
    roles: ROLES,
  },
  adagrad: {
    title: 'Adagrad (Keras)',
    options: { lr: '0.001', initial_accumulator_value: '0.1', eps: '1e-7', weight_decay: '0' },
    state: () => ({ accumulator: 'initial_accumulator_value' }),
    updates: (o) => [
      ...decayed(o),
      { name: 'g', formula: 'grad' },
      { name: 'accumulator', formula: 'accumulator + g^2' },
      { name: 'p', formula: `${base(o)} - lr * g / sqrt(accumulator + eps)` },
    ],
    roles: ROLES,
  },
};
