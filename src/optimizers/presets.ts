// Conventions by name. A preset decides how each named optimizer works (its equations and defaults);
// individual convention keys (relu_at_zero, ...) may override a preset's defaults in a spec.
import type { OptimizerDef } from './definitions.js';
import { KERAS } from './keras.js';
import { PYTORCH } from './pytorch.js';

export interface Preset {
  title: string;
  optimizers: Record<string, OptimizerDef>;
  relu_at_zero: string;
}

export const PRESETS: Record<string, Preset> = {
  pytorch: { title: 'PyTorch (torch.optim)', optimizers: PYTORCH, relu_at_zero: '0' },
  keras: { title: 'Keras 3', optimizers: KERAS, relu_at_zero: '0' },
  // The Adam paper's Algorithm 1 is the form torch.optim.Adam implements (bias-corrected moments, eps
  // outside the corrected square root); the paper defines no other optimizer, so the rest are PyTorch's.
  paper: {
    title: 'the Adam paper, Algorithm 1',
    optimizers: { ...PYTORCH, adam: { ...PYTORCH.adam!, title: 'Adam (the Adam paper, Algorithm 1)' } },
    relu_at_zero: '0',
  },
};

export const DEFAULT_PRESET = 'pytorch';
