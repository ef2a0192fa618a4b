// The optimizers of PyTorch's torch.optim, exactly (betas split into beta1 and beta2). This is the
// default convention. Adding an optimizer is one entry.
import { nonzero, type OptimizerDef, type OptimizerRoles, type Options, type UpdateEquation } from './definitions.js';

/** torch.optim's coupled weight decay: an L2 term added to the gradient. */
const coupledDecay = (o: Options): UpdateEquation =>
  nonzero(o.weight_decay) ? { name: 'g', formula: 'grad + weight_decay * p' } : { name: 'g', formula: 'grad' };

const adamMoments = (o: Options): UpdateEquation[] => [
  { name: 'm', formula: 'beta1 * m + (1 - beta1) * g' },
  { name: 'v', formula: 'beta2 * v + (1 - beta2) * g^2' },
  ...(o.amsgrad ? [{ name: 'vmax', formula: 'max(vmax, v)' }] : []),
  { name: 'mhat', formula: 'm / (1 - beta1^t)' },
  { name: 'vhat', formula: `${o.amsgrad ? 'vmax' : 'v'} / (1 - beta2^t)` },
];

/** Adam's bias-corrected moments, its epsilon and its weight decay, for check's diagnoses. */
const ADAM_ROLES: OptimizerRoles = { biasCorrection: ['mhat', 'vhat'], epsilon: 'eps', weightDecay: 'weight_decay' };

export const PYTORCH: Record<string, OptimizerDef> = {
  sgd: {
    title: 'SGD',
    options: { lr: '0.001', momentum: '0', dampening: '0', nesterov: false, weight_decay: '0' },
    state: (o): Record<string, string> => (nonzero(o.momentum) ? { buf: '0' } : {}),
    updates: (o) => {
      if (!nonzero(o.momentum)) return [coupledDecay(o), { name: 'p', formula: 'p - lr * g' }];
      return [
        coupledDecay(o),
        { name: 'buf', formula: 'momentum * buf + (1 - dampening) * g', first: 'g' },
        { name: 'p', formula: o.nesterov ? 'p - lr * (g + momentum * buf)' : 'p - lr * buf' },
      ];
    },
    roles: { weightDecay: 'weight_decay', momentum: { state: 'buf', form: 'buffer', option: 'momentum', lr: 'lr' } },
    invalid: (o) =>
      o.nesterov && (!nonzero(o.momentum) || nonzero(o.dampening)) ? 'nesterov needs momentum > 0 and dampening 0 (as torch.optim.SGD)' : undefined,
  },
  adam: {
    title: 'Adam',
    options: { lr: '0.001', beta1: '0.9', beta2: '0.999', eps: '1e-8', weight_decay: '0', amsgrad: false },
    state: (o) => ({ m: '0', v: '0', ...(o.amsgrad ? { vmax: '0' } : {}) }),
    updates: (o) => [coupledDecay(o), ...adamMoments(o), { name: 'p', formula: 'p - lr * mhat / (sqrt(vhat) + eps)' }],
    roles: ADAM_ROLES,
  },
  adamw: {
    title: 'AdamW',
    options: { lr: '0.001', beta1: '0.9', beta2: '0.999', eps: '1e-8', weight_decay: '0.01', amsgrad: false },
    state: (o) => ({ m: '0', v: '0', ...(o.amsgrad ? { vmax: '0' } : {}) }),
    // Decoupled decay: the parameter shrinks first, then takes the Adam step on the plain gradient.
    updates: (o) => [
      { name: 'p_decayed', formula: 'p * (1 - lr * weight_decay)' },
      { name: 'g', formula: 'grad' },
      ...adamMoments(o),
      { name: 'p', formula: 'p_decayed - lr * mhat / (sqrt(vhat) + eps)' },
    ],
    roles: ADAM_ROLES,
  },
  rmsprop: {
    title: 'RMSprop',
    options: { lr: '0.01', alpha: '0.99', eps: '1e-8', weight_decay: '0', momentum: '0', centered: false },
    state: (o) => ({ square_avg: '0', ...(o.centered ? { grad_avg: '0' } : {}), ...(nonzero(o.momentum) ? { buf: '0' } : {}) }),
    updates: (o) => [
      coupledDecay(o),
      { name: 'square_avg', formula: 'alpha * square_avg + (1 - alpha) * g^2' },
      ...(o.centered
        ? [
            { name: 'grad_avg', formula: 'alpha * grad_avg + (1 - alpha) * g' },
            { name: 'avg', formula: 'sqrt(square_avg - grad_avg^2) + eps' },
          ]
        : [{ name: 'avg', formula: 'sqrt(square_avg) + eps' }]),
      ...(nonzero(o.momentum)
        ? [
            { name: 'buf', formula: 'momentum * buf + g / avg' },
            { name: 'p', formula: 'p - lr * buf' },
          ]
        : [{ name: 'p', formula: 'p - lr * g / avg' }]),
    ],
    roles: { epsilon: 'eps', weightDecay: 'weight_decay' },
  },
  adagrad: {
    title: 'Adagrad',
    options: { lr: '0.01', lr_decay: '0', weight_decay: '0', initial_accumulator_value: '0', eps: '1e-10' },
    state: () => ({ sum: 'initial_accumulator_value' }),
    updates: (o) => [
      coupledDecay(o),
      ...(nonzero(o.lr_decay) ? [{ name: 'clr', formula: 'lr / (1 + (t - 1) * lr_decay)' }] : [{ name: 'clr', formula: 'lr' }]),
      { name: 'sum', formula: 'sum + g^2' },
      { name: 'p', formula: 'p - clr * g / (sqrt(sum) + eps)' },
    ],
    roles: { epsilon: 'eps', weightDecay: 'weight_decay' },
  },
};
