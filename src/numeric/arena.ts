// The JavaScript side of the arithmetic kernel (assembly/decimal.ts, issue 16): an arena of decimal values
// in WebAssembly memory, each a slot index, with the operations of BigDecimal and an interpreter of a flat
// instruction tape. Results are digit for digit BigDecimal's at the arena's precision (test/arena.test.ts
// holds them to it); a value crosses over only through set() and get(), exactly.
//
// The module is compiled synchronously from bytes carried in the bundle (a browser worker has no file to
// read and no Buffer), once per process, and instantiated per arena: each arena has its own memory.
import { bigDecimalClass, type BigDecimal } from './bigdecimal.js';
import { DECIMAL_WASM } from './wasm/decimal-wasm.js';

/** The kernel's exports (assembly/decimal.ts). Slot indices are i32; pointers are byte offsets. */
export interface DecimalKernel {
  readonly memory: WebAssembly.Memory;
  init(precision: number, limbs: number, slots: number, tapeWords: number, textBytes: number): void;
  signPtr(): number;
  qPtr(): number;
  nPtr(): number;
  nlPtr(): number;
  limbPtr(): number;
  tapePtr(): number;
  textPtr(): number;
  eventPtr(): number;
  eventCount(): number;
  clearEvents(): void;
  add(r: number, a: number, b: number): void;
  sub(r: number, a: number, b: number): void;
  mul(r: number, a: number, b: number): void;
  div(r: number, a: number, b: number): number;
  sqrt(r: number, a: number): number;
  neg(r: number, a: number): void;
  copy(r: number, a: number): void;
  copyRange(r: number, a: number, count: number): void;
  copyPairs(count: number): void;
  fill(tpl: number, holes: number, base: number, at: number): number;
  cmp(a: number, b: number): number;
  isZero(a: number): number;
  text(a: number, at: number): number;
  fromWords(r: number, nw: number, sign: number, q: number, n: number): void;
  toWords(a: number): number;
  exec(start: number, end: number): number;
}

/** Tape op codes (see assembly/decimal.ts exec). */
export const Op = {
  ADD: 0, SUB: 1, MUL: 2, DIV: 3, NEG: 4, MOV: 5, SUM: 6, PROD: 7, SNAP: 8, SELECT: 9, CALL: 10, SQR: 11, SQRT: 12,
} as const;

/** Events the kernel's buffer keeps (SNAPs that gave zero); further ones are counted only. */
export const EVENT_CAPACITY = 65536;

/** The bytes of base64 text: atob where the host has it (browsers, Node), else decoded here (a bare
 *  JavaScript engine has WebAssembly but not the web's atob). */
function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === 'function') {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = text.replace(/=+$/, '');
  const bytes = new Uint8Array((clean.length * 3) >> 2);
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    value = (value << 6) | alphabet.indexOf(clean[i]!);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (value >> bits) & 0xff;
    }
  }
  return bytes;
}

let compiled: WebAssembly.Module | undefined;
function kernelModule(): WebAssembly.Module {
  if (!compiled) {
    compiled = new WebAssembly.Module(base64Bytes(DECIMAL_WASM));
  }
  return compiled;
}

type Ctor = new (m: bigint, q: number, n: number) => BigDecimal;

/** Text with holes for values (see DecimalArena.fill): pieces.length = offsets.length + 1, all ASCII. */
export interface TextTemplate {
  pieces: Uint8Array[];
  offsets: Int32Array;
  /** The pieces' total length. */
  bytes: number;
  /** The template as the kernel's fill reads it: the pieces' lengths, the offsets, the pieces' bytes. */
  packed: Uint8Array;
}

/** The pieces and the values' text are ASCII: latin1 reads each byte as its character. */
const latin1 = new TextDecoder('latin1');

/** The text of ASCII bytes (fillBytes' output, for a reader that takes text). */
export function asciiText(bytes: Uint8Array): string {
  return latin1.decode(bytes);
}

/** A template from its text pieces (ASCII) and the slot offsets of its holes. */
export function textTemplate(pieces: string[], offsets: number[]): TextTemplate | undefined {
  let total = 0;
  for (const p of pieces) {
    if (/[^\x20-\x7e]/.test(p)) return undefined;
    total += p.length;
  }
  // The pieces' bytes are written once, into the packed form, and each piece is a view of its own bytes
  // there (a template has thousands of pieces: no array is made per piece, nor a call per character).
  const head = 4 * (pieces.length + offsets.length);
  const packed = new Uint8Array(head + total);
  const words = new DataView(packed.buffer);
  offsets.forEach((o, i) => words.setInt32(4 * (pieces.length + i), o, true));
  const bytes: Uint8Array[] = [];
  let at = head;
  pieces.forEach((p, i) => {
    words.setInt32(4 * i, p.length, true);
    for (let k = 0; k < p.length; k++) packed[at + k] = p.charCodeAt(k);
    bytes.push(packed.subarray(at, at + p.length));
    at += p.length;
  });
  return { pieces: bytes, offsets: Int32Array.from(offsets), bytes: total, packed };
}

export class DecimalArena {
  readonly precision: number;
  readonly slots: number;
  /** Limbs (base 1e9) a slot holds. */
  readonly limbs: number;
  readonly kernel: DecimalKernel;
  private readonly D: Ctor;
  private readonly tapeWords: number;
  private readonly textBytes: number;
  private signs!: Int32Array;
  private qs!: Int32Array;
  private ns!: Int32Array;
  private nls!: Int32Array;
  private limbView!: Uint32Array;
  private textView!: Uint8Array;
  private eventView!: Int32Array;
  /** The text area as u64 words: how coefficients cross over (set, get). */
  private wordView!: BigUint64Array;
  private tapeView!: Int32Array;

  /** `maxDigits`: the most digits a value given to set() has (the precision at least); `textBytes`: room
   *  for the text fill() writes at once (at least one value's). */
  constructor(precision: number, maxDigits: number, slots: number, tapeWords: number, textBytes = 0) {
    if (!Number.isInteger(precision) || precision < 1) throw new Error(`precision must be a whole number, got ${precision}`);
    this.precision = precision;
    this.slots = slots;
    this.limbs = Math.ceil(Math.max(maxDigits, precision) / 9) + 2;
    this.tapeWords = tapeWords;
    // The longest text: every digit, a sign, '0.' and six zeros, or twenty zeros of a plain integer,
    // or an exponent.
    this.textBytes = Math.max(this.valueTextBytes, textBytes + 8);
    this.D = bigDecimalClass(precision) as unknown as Ctor;
    const instance = new WebAssembly.Instance(kernelModule(), {});
    this.kernel = instance.exports as unknown as DecimalKernel;
    this.kernel.init(precision, this.limbs, slots, tapeWords, this.textBytes);
    this.refresh();
  }

  /** The bytes fill() has room for. */
  get textCapacity(): number {
    return this.textBytes;
  }

  /** The most bytes one value's text takes. */
  get valueTextBytes(): number {
    return 9 * this.limbs + 64;
  }

  /**
   * Text made of the template's pieces with a value's text after each piece but the last: piece 0,
   * value of slot base + offsets[0], piece 1, ..., piece k. Written in the kernel's memory and read out
   * once, so no string is made per value (the JSON trace writes a sample's values this way). Undefined
   * when it would not fit the room the arena was made with.
   */
  fill(base: number, template: TextTemplate): string | undefined {
    const bytes = this.fillBytes(base, template);
    return bytes && asciiText(bytes);
  }

  /**
   * fill()'s text as its bytes (ASCII), not made into a string: a view of the kernel's memory, valid
   * until the arena is next used (a writer copies it or writes it out at once). Output that goes to a
   * file is written from here byte for byte.
   */
  fillBytes(base: number, template: TextTemplate): Uint8Array | undefined {
    const most = template.bytes + template.offsets.length * this.valueTextBytes;
    if (most > this.textBytes) return undefined;
    this.fresh();
    const view = this.textView;
    // The kernel fills it in one call, the template put at the end of the text area (past the most the
    // text can take), where nothing else writes between the two; where there is no room for it, a call
    // per value from here.
    const { packed } = template;
    const tpl = (this.textBytes - packed.length) & ~3;
    if (tpl >= most) {
      view.set(packed, tpl);
      return view.subarray(0, this.kernel.fill(tpl, template.offsets.length, base, 0));
    }
    const { pieces, offsets } = template;
    let at = 0;
    for (let i = 0; i < offsets.length; i++) {
      const piece = pieces[i]!;
      view.set(piece, at);
      at += piece.length;
      at += this.kernel.text(base + offsets[i]!, at);
    }
    const last = pieces[offsets.length]!;
    view.set(last, at);
    at += last.length;
    return view.subarray(0, at);
  }

  /** Views over the kernel's memory (made again when the memory grew, which detaches the old ones). */
  private refresh(): void {
    const k = this.kernel;
    const buffer = k.memory.buffer;
    this.signs = new Int32Array(buffer, k.signPtr(), this.slots);
    this.qs = new Int32Array(buffer, k.qPtr(), this.slots);
    this.ns = new Int32Array(buffer, k.nPtr(), this.slots);
    this.nls = new Int32Array(buffer, k.nlPtr(), this.slots);
    this.limbView = new Uint32Array(buffer, k.limbPtr(), this.slots * this.limbs);
    this.tapeView = new Int32Array(buffer, k.tapePtr(), this.tapeWords);
    this.textView = new Uint8Array(buffer, k.textPtr(), this.textBytes);
    this.eventView = new Int32Array(buffer, k.eventPtr(), EVENT_CAPACITY);
    this.wordView = new BigUint64Array(buffer, k.textPtr(), this.textBytes >> 3);
  }

  private fresh(): void {
    if (this.signs.length === 0) this.refresh();
  }

  /** The tape (i32 words), for the caller to write instructions into. */
  get tape(): Int32Array {
    this.fresh();
    return this.tapeView;
  }

  /** Puts a finite value into a slot, exactly (all its digits). */
  set(slot: number, x: BigDecimal): void {
    this.fresh();
    const m = x.m;
    if ((x.q | 0) !== x.q) throw new Error(x.isFinite() ? `an exponent beyond the arena's range: ${x.toString()}` : `the arena holds finite values only, got ${x.toString()}`);
    if (m === 0n) {
      this.signs[slot] = 0;
      this.qs[slot] = 0;
      this.ns[slot] = 0;
      this.nls[slot] = 0;
      return;
    }
    const neg = m < 0n;
    const mag = neg ? -m : m;
    if (x.n <= 9) {
      this.limbView[slot * this.limbs] = Number(mag);
      this.signs[slot] = neg ? 1 : 0;
      this.qs[slot] = x.q;
      this.ns[slot] = x.n;
      this.nls[slot] = 1;
      return;
    }
    if (x.n > 9 * this.limbs) throw new Error(`a value of ${x.n} digits does not fit the arena (at most ${9 * this.limbs})`);
    // As 64-bit words, the kernel changing the base: faster than any text of the BigInt (bench/kernel-wasm.ts).
    const words = this.wordView;
    let nw = 0;
    for (let v = mag; v > 0n; v >>= 64n) words[nw++] = BigInt.asUintN(64, v);
    this.kernel.fromWords(slot, nw, neg ? 1 : 0, x.q, x.n);
  }

  /** The value in a slot, as a value of bigDecimalClass(precision) with the slot's exact (m, q, n). */
  get(slot: number): BigDecimal {
    this.fresh();
    const n = this.ns[slot]!;
    if (n === 0) return new this.D(0n, 0, 0);
    let mag: bigint;
    if (this.nls[slot] === 1) mag = BigInt(this.limbView[slot * this.limbs]!);
    else {
      // As 64-bit words the kernel writes: faster than multiply-adds per limb or any text (bench/kernel-wasm.ts).
      const words = this.wordView;
      const nw = this.kernel.toWords(slot);
      mag = words[nw - 1]!;
      for (let i = nw - 2; i >= 0; i--) mag = (mag << 64n) | words[i]!;
    }
    return new this.D(this.signs[slot] ? -mag : mag, this.qs[slot]!, n);
  }

  /** The text of a slot's value, as BigDecimal's toString() writes it. (The kernel's text area, where it
   *  is written, is also where set() and get() pass coefficients: it holds nothing between calls.) */
  text(slot: number): string {
    this.fresh();
    const len = this.kernel.text(slot, 0);
    return String.fromCharCode.apply(null, this.textView.subarray(0, len) as unknown as number[]);
  }

  add(r: number, a: number, b: number): void { this.kernel.add(r, a, b); }
  sub(r: number, a: number, b: number): void { this.kernel.sub(r, a, b); }
  mul(r: number, a: number, b: number): void { this.kernel.mul(r, a, b); }
  /** r = a / b; false (and r unchanged) when b is zero, which the caller handles. */
  div(r: number, a: number, b: number): boolean { return this.kernel.div(r, a, b) === 0; }
  /** r = sqrt(a); false (and r unchanged) when a is negative (BigDecimal's NaN), which the caller handles. */
  sqrt(r: number, a: number): boolean { return this.kernel.sqrt(r, a) === 0; }
  neg(r: number, a: number): void { this.kernel.neg(r, a); }
  copy(r: number, a: number): void { this.kernel.copy(r, a); }
  /** Slots r.. r + count - 1 = slots a.. a + count - 1, the two ranges apart. */
  copyRange(r: number, a: number, count: number): void { this.kernel.copyRange(r, a, count); }
  /** Slot pairs[k] = slot pairs[k + 1] for each even k, in order (later pairs see earlier copies): in
   *  one call to the kernel where the pairs fit its text area, else one call per pair. */
  copyPairs(pairs: Int32Array): void {
    this.fresh();
    if (4 * pairs.length <= this.textBytes) {
      new Int32Array(this.textView.buffer, this.textView.byteOffset, pairs.length).set(pairs);
      this.kernel.copyPairs(pairs.length >> 1);
      return;
    }
    for (let k = 0; k < pairs.length; k += 2) this.kernel.copy(pairs[k]!, pairs[k + 1]!);
  }
  cmp(a: number, b: number): number { return this.kernel.cmp(a, b); }
  isZero(a: number): boolean { return this.kernel.isZero(a) !== 0; }

  /** Runs tape words [start, end); returns the index of the first instruction left to the caller (a CALL,
   *  a DIV by zero, a SQRT of a negative value), or `end`. */
  exec(start: number, end: number): number { return this.kernel.exec(start, end); }

  /** Word indices of the SNAPs that gave zero since clearEvents() (the first EVENT_CAPACITY of them). */
  events(): Int32Array {
    this.fresh();
    const count = this.kernel.eventCount();
    return this.eventView.slice(0, Math.min(count, EVENT_CAPACITY));
  }
  /** How many SNAPs gave zero since clearEvents(), including any beyond the buffer. */
  eventCount(): number { return this.kernel.eventCount(); }
  clearEvents(): void { this.kernel.clearEvents(); }
}
