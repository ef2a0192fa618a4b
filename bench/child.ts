// One measured run in its own process (see bench/run.ts): `engine SPEC` runs the engine and writes the
// full JSON trace to a counting sink (`closures SPEC`: the same with every step evaluated as closures); `floor SPEC` runs the straight-line decimal.js loop on the same
// numbers. Prints {ms, out, maxRssMb, setupMs, stepMs} as its last line.
import { readFileSync } from 'node:fs';
import { parseSpec } from '../src/spec/validate.js';
import { readDataFile } from '../src/cli/files.js';
import { run } from '../src/graph/run.js';
import { jsonWriter } from '../src/render/json.js';
import { floorTrain, type FloorNet } from './floor.js';

const [mode, file] = process.argv.slice(2) as [string, string];
const spec = parseSpec(readFileSync(file, 'utf8'), file, { readDataFile: (rel, max) => readDataFile(file, rel, max) });
let out = '';
// Engine runs also report the time to build the program (before the first step) and each step's time.
let setupMs = 0;
const stepMs: number[] = [];
const t0 = performance.now();
if (mode === 'engine' || mode === 'closures') {
  let bytes = 0;
  const w = jsonWriter((t) => { bytes += t.length; });
  let last = 0;
  const trace = run(spec, {
    // 'closures': every step evaluated as compiled closures, as before the tape (graph/tape.ts).
    evaluator: mode === 'closures' ? 'closures' : 'tape',
    retain: 'last',
    onStart: (t) => { w.start(t); setupMs = (last = performance.now()) - t0; },
    onStepDone: (s, t) => { w.step(t, s); const now = performance.now(); stepMs.push(now - last); last = now; },
  });
  w.end(trace);
  out = `${bytes} bytes of JSON`;
} else if (mode === 'net') {
  // The network as the Python peers read it (bench/peers/).
  process.stdout.write(`${JSON.stringify({ ...floorNet(), precision: spec.precision })}\n`);
  process.exit(0);
} else {
  floorTrain(floorNet(), spec.precision);
  out = 'floor';
}
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, out, maxRssMb: process.resourceUsage().maxRSS / 1024, setupMs, stepMs }));

/** The same network, read from the spec's expanded params and data (a dense spec of bench/workloads.ts). */
function floorNet(): FloorNet {
  const sizes = [spec.inputs.length];
  const acts: string[] = [];
  const layerOf = (name: string) => Number(/^W(\d+)_/.exec(name)?.[1]);
  const layers = Math.max(...spec.params.map((p) => layerOf(p.name)).filter((l) => l > 0));
  for (let l = 1; l <= layers; l++) sizes.push(spec.params.filter((p) => p.name.startsWith(`b${l}_`)).length);
  for (const n of spec.neurons) {
    const f = /^(\w+)\(/.exec(n.text)?.[1];
    acts.push(f && ['relu', 'tanh', 'sigmoid'].includes(f) ? f : 'linear');
  }
  const perLayer = sizes.slice(1).map((_, l) => acts[sizes.slice(1, l + 1).reduce((a, b) => a + b, 0)]!);
  const get = (n: string) => spec.params.find((p) => p.name === n)!.value;
  const W = sizes.slice(1).map((u, l) => Array.from({ length: u }, (_, j) => Array.from({ length: sizes[l]! }, (_, i) => get(`W${l + 1}_${j + 1}_${i + 1}`))));
  const b = sizes.slice(1).map((u, l) => Array.from({ length: u }, (_, j) => get(`b${l + 1}_${j + 1}`)));
  const x = spec.data.map((r) => spec.inputs.map((i) => r[i]!));
  const y = spec.data.map((r) => spec.targets.map((t) => r[t]!));
  return { sizes, activations: perLayer, W, b, x, y, steps: spec.training.epochs, lr: spec.training.options.lr as string };
}
