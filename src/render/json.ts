// The trace as JSON: the contract of `exactprop run --format json`. Values are decimal strings at the
// working precision; nothing passes through a double.
import { decimalText, type Dec } from '../numeric/context.js';
import type { Trace } from '../graph/run.js';
import { adjointName } from '../graph/program.js';

type Values = Record<string, string>;

export function traceJson(trace: Trace): object {
  const { spec } = trace;
  const text = (d: Dec) => decimalText(d);
  const neurons = spec.neurons.map((n) => n.name);
  const params = spec.params.map((p) => p.name);
  const optimizerLocals = trace.optimizer.updates.map((u) => u.name).filter((n) => n !== 'p');
  return {
    precision: spec.precision,
    optimizer: { name: spec.training.optimizer, options: spec.training.options },
    conventions: spec.conventions,
    initial: { params: pick(params, (p) => trace.initial.get(p)!, text) },
    steps: trace.steps.map((s) => ({
      step: s.step,
      epoch: s.epoch,
      samples: s.samples.map((sample) => ({
        sample: sample.row + 1,
        values: pick(neurons, (n) => sample.values.get(n)!, text),
        adjoints: pick(neurons, (n) => sample.values.get(adjointName(n))!, text),
        gradients: pick(params.filter((p) => sample.values.has(adjointName(p))), (p) => sample.values.get(adjointName(p))!, text),
        loss: text(sample.values.get('loss')!),
      })),
      loss: {
        data: text(s.values.get('loss.data')!),
        penalty: text(s.values.get('loss.penalty') ?? trace.ctx.zero),
        total: text(s.values.get('loss.total')!),
      },
      gradients: pick(params, (p) => s.values.get(adjointName(p))!, text),
      optimizer: Object.fromEntries(optimizerLocals.map((local) => [local, pick(params, (p) => s.values.get(`${local}[${p}]`)!, text)])),
      params: pick(params, (p) => s.values.get(p)!, text),
    })),
    warnings: trace.warnings,
  };
}

function pick(names: string[], get: (name: string) => Dec, text: (d: Dec) => string): Values {
  return Object.fromEntries(names.map((n) => [n, text(get(n))]));
}
