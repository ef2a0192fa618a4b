// Microbenchmark of the WebAssembly arithmetic kernel (src/numeric/arena.ts) against BigDecimal: ns per
// ADD, MUL and DIV at precisions 50 and 500, called one at a time from JavaScript and run from a tape, and
// the cost of moving a value in (set) and out (get). Not a test: `npx tsx bench/kernel-wasm.ts`.
import { DecimalArena, Op } from '../src/numeric/arena.js';
import { bigDecimalClass, type BigDecimal } from '../src/numeric/bigdecimal.js';

let seed = 0x2545f491;
function next(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
function digits(n: number): string {
  let s = String(1 + (next() % 9));
  while (s.length < n) s += String(next() % 10);
  return s;
}

const COUNT = 256;

function timeNs(body: () => void, ops: number, minMs = 300): number {
  body(); // warm up
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    let reps = 0;
    const start = performance.now();
    let now = start;
    while (now - start < minMs / 5) {
      body();
      reps++;
      now = performance.now();
    }
    best = Math.min(best, ((now - start) * 1e6) / (reps * ops));
  }
  return best;
}

for (const P of [50, 500]) {
  const D = bigDecimalClass(P) as unknown as new (m: bigint, q: number, n: number) => BigDecimal;
  // Operands of P digits, exponents near each other (sums that align by a few digits).
  const values: BigDecimal[] = [];
  for (let i = 0; i < COUNT; i++) values.push(new D(BigInt(digits(P)) * (next() % 2 ? 1n : -1n), -P + (next() % 7) - 3, P));
  const arena = new DecimalArena(P, P, 2 * COUNT, 4 * COUNT);
  values.forEach((v, i) => arena.set(i, v));
  const k = arena.kernel;
  const results: Record<string, string> = {};
  for (const [name, code] of [['ADD', Op.ADD], ['MUL', Op.MUL], ['DIV', Op.DIV]] as const) {
    const kernelName = name === 'ADD' ? 'add' : name === 'MUL' ? 'mul' : 'div';
    const call = k[kernelName] as (r: number, a: number, b: number) => unknown;
    const direct = timeNs(() => {
      for (let i = 0; i < COUNT; i++) call(COUNT + i, i, (i * 7 + 1) % COUNT);
    }, COUNT);
    const tape = arena.tape;
    for (let i = 0; i < COUNT; i++) tape.set([code, COUNT + i, i, (i * 7 + 1) % COUNT], 4 * i);
    const onTape = timeNs(() => { arena.exec(0, 4 * COUNT); }, COUNT);
    const method = name === 'ADD' ? 'plus' : name === 'MUL' ? 'times' : 'div';
    let sink: BigDecimal | undefined;
    const reference = timeNs(() => {
      for (let i = 0; i < COUNT; i++) sink = values[i]![method](values[(i * 7 + 1) % COUNT]!);
    }, COUNT);
    void sink;
    results[name] = `kernel ${direct.toFixed(0)} ns (call), ${onTape.toFixed(0)} ns (tape); BigDecimal ${reference.toFixed(0)} ns`;
  }
  const setNs = timeNs(() => { for (let i = 0; i < COUNT; i++) arena.set(COUNT + i, values[i]!); }, COUNT);
  const getNs = timeNs(() => { for (let i = 0; i < COUNT; i++) arena.get(i); }, COUNT);
  // Other ways set() and get() could move a coefficient, for comparison with the u64 words they use.
  const limbView = new Uint32Array(k.memory.buffer, k.limbPtr(), 2 * COUNT * arena.limbs);
  const nl = new Int32Array(k.memory.buffer, k.nlPtr(), COUNT);
  let big = 0n;
  const getByMultiply = timeNs(() => {
    for (let i = 0; i < COUNT; i++) {
      const base = i * arena.limbs;
      let m = BigInt(limbView[base + nl[i]! - 1]!);
      for (let j = nl[i]! - 2; j >= 0; j--) m = m * 1000000000n + BigInt(limbView[base + j]!);
      big = m;
    }
  }, COUNT);
  const getByDecimal = timeNs(() => {
    for (let i = 0; i < COUNT; i++) {
      const base = i * arena.limbs;
      let s = String(limbView[base + nl[i]! - 1]!);
      for (let j = nl[i]! - 2; j >= 0; j--) s += String(limbView[base + j]!).padStart(9, '0');
      big = BigInt(s);
    }
  }, COUNT);
  void big;
  const setByDecimal = timeNs(() => {
    for (let i = 0; i < COUNT; i++) {
      const v = values[i]!;
      const s = (v.m < 0n ? -v.m : v.m).toString();
      let at = (COUNT + i) * arena.limbs;
      for (let end = s.length; end > 0; end -= 9) limbView[at++] = Number(s.slice(end > 9 ? end - 9 : 0, end));
    }
  }, COUNT);
  console.log(`P = ${P}`);
  for (const [name, line] of Object.entries(results)) console.log(`  ${name}: ${line}`);
  console.log(`  set ${setNs.toFixed(0)} ns (coefficient by decimal text: ${setByDecimal.toFixed(0)} ns)`);
  console.log(`  get ${getNs.toFixed(0)} ns (coefficient by multiply-add per limb: ${getByMultiply.toFixed(0)} ns, by decimal text: ${getByDecimal.toFixed(0)} ns)`);
}
