// TEMPORARY stand-in (BigDecimal objects) until the kernel lands: same interface as the wasm arena.
import { BigDecimal, bigDecimalClass } from './bigdecimal.js';

export class DecimalArena {
  private vals: BigDecimal[];
  readonly tape: Int32Array;
  private ev: number[] = [];
  private P: number;
  private D: ReturnType<typeof bigDecimalClass>;
  constructor(precision: number, _maxDigits: number, slots: number, tapeWords: number) {
    this.P = precision;
    this.D = bigDecimalClass(precision);
    this.vals = new Array(slots);
    this.tape = new Int32Array(tapeWords);
  }
  set(slot: number, x: BigDecimal): void { this.vals[slot] = x; }
  get(slot: number): BigDecimal { return this.vals[slot]!; }
  text(slot: number): string { return this.vals[slot]!.toString(); }
  copy(r: number, a: number): void { this.vals[r] = this.vals[a]!; }
  eventCount(): number { return this.ev.length; }
  clearEvents(): void { this.ev = []; }
  exec(start: number, end: number): number {
    const t = this.tape, v = this.vals;
    const zero = new this.D(0);
    let pc = start;
    while (pc < end) {
      const op = t[pc]!;
      switch (op) {
        case 0: v[t[pc + 1]!] = v[t[pc + 2]!]!.plus(v[t[pc + 3]!]!); pc += 4; break;
        case 1: v[t[pc + 1]!] = v[t[pc + 2]!]!.minus(v[t[pc + 3]!]!); pc += 4; break;
        case 2: v[t[pc + 1]!] = v[t[pc + 2]!]!.times(v[t[pc + 3]!]!); pc += 4; break;
        case 3: if (v[t[pc + 3]!]!.isZero()) return pc; v[t[pc + 1]!] = v[t[pc + 2]!]!.div(v[t[pc + 3]!]!); pc += 4; break;
        case 4: v[t[pc + 1]!] = v[t[pc + 2]!]!.neg(); pc += 3; break;
        case 5: v[t[pc + 1]!] = v[t[pc + 2]!]!; pc += 3; break;
        case 6: { const k = t[pc + 2]!; let s = v[t[pc + 3]!]!; for (let i = 1; i < k; i++) s = s.plus(v[t[pc + 3 + i]!]!); v[t[pc + 1]!] = s; pc += 3 + k; break; }
        case 7: { const k = t[pc + 2]!; let s = v[t[pc + 3]!]!; for (let i = 1; i < k; i++) { if (s.isZero()) break; s = s.times(v[t[pc + 3 + i]!]!); } v[t[pc + 1]!] = s.isZero() ? zero : s; pc += 3 + k; break; }
        case 8: {
          const k = t[pc + 2]!;
          let total: BigDecimal = zero;
          let largestE = -Infinity;
          const terms: BigDecimal[] = [];
          for (let i = 0; i < k; i++) {
            const sign = t[pc + 3 + 2 * i]!, x = v[t[pc + 4 + 2 * i]!]!;
            terms.push(x);
            total = sign > 0 ? total.plus(x) : total.minus(x);
            if (!x.isZero() && x.e > largestE) largestE = x.e;
          }
          let out = total;
          if (!total.isZero()) {
            const gap = largestE - total.e - (this.P - 10);
            if (gap > 1) out = zero;
            else if (gap >= -1) {
              let largest: BigDecimal = zero;
              for (const x of terms) if (x.abs().gt(largest)) largest = x.abs();
              if (total.abs().lte(largest.times(new this.D(`1e-${this.P - 10}`)))) out = zero;
            }
          }
          if (out.isZero()) this.ev.push(pc);
          v[t[pc + 1]!] = out;
          pc += 3 + 2 * k;
          break;
        }
        case 9: { const x = v[t[pc + 2]!]!; v[t[pc + 1]!] = v[t[pc + (x.isZero() ? 4 : x.isPositive() ? 3 : 5)]!]!; pc += 6; break; }
        case 10: return pc;
        case 11: { const x = v[t[pc + 2]!]!; v[t[pc + 1]!] = x.times(x); pc += 3; break; }
        default: throw new Error(`bad op ${op} at ${pc}`);
      }
    }
    return end;
  }
}
