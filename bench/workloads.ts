// Workloads for the benchmarks: dense networks written as specs (layers form), with deterministic
// pseudo-random weights and data written as short decimal text.
export interface Dense {
  sizes: number[];
  activations: string[];
  samples: number;
  steps: number;
}

/** A small deterministic generator (xorshift), so every run benchmarks the same numbers. */
export function generator(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

/** A decimal with 4 significant digits in [-scale, scale), as text. */
function decimalText(r: () => number, scale: number): string {
  const v = Math.round((r() * 2 - 1) * scale * 1000) / 1000;
  return v.toFixed(3);
}

export function denseSpec(w: Dense, precision = 50): string {
  const r = generator(12345);
  const [inputs, ...units] = w.sizes as [number, ...number[]];
  const params: string[] = [];
  let fanIn = inputs;
  units.forEach((u, l) => {
    const scale = 1 / Math.sqrt(fanIn);
    const rows = Array.from({ length: u }, () => `[${Array.from({ length: fanIn }, () => decimalText(r, scale)).join(', ')}]`);
    params.push(`  W${l + 1}: [${rows.join(', ')}]`);
    params.push(`  b${l + 1}: [${Array.from({ length: u }, () => decimalText(r, 0.1)).join(', ')}]`);
    fanIn = u;
  });
  const outputs = units[units.length - 1]!;
  const rows = Array.from({ length: w.samples }, () => {
    const xs = Array.from({ length: inputs }, (_, i) => `x${i + 1}: ${decimalText(r, 1)}`);
    const ys = Array.from({ length: outputs }, (_, k) => `y${k + 1}: ${decimalText(r, 1)}`);
    return `  - { ${[...xs, ...ys].join(', ')} }`;
  });
  return `precision: ${precision}
model:
  inputs: ${inputs}
  layers:
${units.map((u, l) => `    - { units: ${u}, activation: ${w.activations[l]}${l === units.length - 1 ? ', name: o' : ''} }`).join('\n')}
params:
${params.join('\n')}
data:
${rows.join('\n')}
loss:
  name: mse
  targets: [${Array.from({ length: outputs }, (_, k) => `y${k + 1}`).join(', ')}]
training:
  optimizer: adam
  lr: 0.01
  epochs: ${w.steps}
`;
}
