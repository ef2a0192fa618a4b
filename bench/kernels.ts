// Per-call time of the arithmetic a run does: + and * of decimal.js against src/numeric/bigdecimal.ts,
// and the transcendental kernels, decimal.js's own methods against src/numeric/fast.ts.
// A benchmark, not a test: run with `npx tsx bench/kernels.ts` (add --quick for shorter runs).
// Arguments are the kind a tanh/sigmoid network feeds its activations: |x| up to about 6, full precision.
import Decimal from 'decimal.js';
import { fastExp, fastLn, fastSigmoid, fastSoftplus, fastTanh } from '../src/numeric/fast.js';
import { bigDecimalClass, type BigDecimal } from '../src/numeric/bigdecimal.js';

type DecimalCtor = typeof Decimal;
const quick = process.argv.includes('--quick');
const precisions = [20, 50, 100, 300];

/** A fixed pseudo-random sequence, so every run times the same arguments. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function argumentsFor(D: DecimalCtor, count: number): Decimal[] {
  const next = lcg(12345);
  const xs: Decimal[] = [];
  for (let i = 0; i < count; i++) {
    let digits = String(1 + Math.floor(next() * 9));
    while (digits.length < D.precision) digits += String(Math.floor(next() * 10));
    const x = new D(`0.${digits}`).times(12).minus(6); // spread over (-6, 6), rounded to P digits
    xs.push(x);
  }
  return xs;
}

/** Microseconds per call: repeated passes over the arguments until the time budget is spent, best pass rate. */
function perCall(xs: Decimal[], f: (x: Decimal) => Decimal, budgetMs: number): number {
  for (const x of xs.slice(0, 4)) f(x); // warm-up (and constant caches)
  let best = Infinity;
  const start = performance.now();
  do {
    const t = performance.now();
    for (const x of xs) f(x);
    best = Math.min(best, ((performance.now() - t) * 1000) / xs.length);
  } while (performance.now() - start < budgetMs);
  return best;
}

interface Kernel {
  name: string;
  reference: (x: Decimal, D: DecimalCtor) => Decimal;
  fast: (x: Decimal, D: DecimalCtor) => Decimal;
}

const kernels: Kernel[] = [
  { name: 'exp', reference: (x) => x.exp(), fast: fastExp },
  { name: 'ln', reference: (x) => x.ln(), fast: (x, D) => fastLn(x, D) },
  { name: 'tanh', reference: (x) => x.tanh(), fast: fastTanh },
  // decimal.js has no sigmoid or softplus: its reference is the usual formula on its exp and ln.
  { name: 'sigmoid', reference: (x, D) => new D(1).div(new D(1).plus(x.neg().exp())), fast: fastSigmoid },
  { name: 'softplus', reference: (x, D) => new D(1).plus(x.exp()).ln(), fast: fastSoftplus },
];

console.log(`node ${process.version}, per-call microseconds (best pass), arguments in (-6, 6) at full precision`);
console.log('op        P   decimal.js  BigDecimal  speed-up');
for (const P of precisions) {
  const D = Decimal.clone({ precision: P, rounding: Decimal.ROUND_HALF_EVEN });
  const B = bigDecimalClass(P);
  const xs = argumentsFor(D, 64);
  const ys = xs.map((x) => new B(x.toString()));
  const budget = quick ? 300 : 1500;
  for (const op of ['times', 'plus'] as const) {
    // Each argument with its neighbour, so that operands differ in every digit.
    let i = 0;
    const ref = perCall(xs, (x) => x[op](xs[(i = (i + 1) % xs.length)]!), budget);
    let j = 0;
    const big = perCall(ys as unknown as Decimal[], (y) => (y as unknown as BigDecimal)[op](ys[(j = (j + 1) % ys.length)]!) as unknown as Decimal, budget);
    console.log(`${op.padEnd(8)} ${String(P).padStart(4)} ${ref.toFixed(2).padStart(12)} ${big.toFixed(2).padStart(11)} ${(ref / big).toFixed(1).padStart(9)}x`);
  }
}
console.log('');
console.log('kernel    P   decimal.js     fast   speed-up');
for (const P of precisions) {
  const D = Decimal.clone({ precision: P, rounding: Decimal.ROUND_HALF_EVEN });
  const count = P >= 300 ? 16 : 64;
  const xs = argumentsFor(D, count);
  const budget = (quick ? 300 : 1500) * (P >= 300 ? 2 : 1);
  for (const k of kernels) {
    // ln takes |x| (decimal.js gives NaN for negatives, which would time nothing).
    const args = k.name === 'ln' ? xs.map((x) => x.abs()) : xs;
    const ref = perCall(args, (x) => k.reference(x, D), budget);
    const fast = perCall(args, (x) => k.fast(x, D), budget);
    const cells = [k.name.padEnd(8), String(P).padStart(4), ref.toFixed(1).padStart(12), fast.toFixed(1).padStart(8)];
    console.log(`${cells.join(' ')} ${(ref / fast).toFixed(1).padStart(9)}x`);
  }
}
