// The arithmetic kernel of a run (issue 16): decimal floating point over a preallocated arena of values,
// compiled to WebAssembly (scripts/build-wasm.mjs). Every result is digit for digit what
// src/numeric/bigdecimal.ts gives at the same precision (half to even, rounded once), which is the
// reference; only the representation differs. BigDecimal keeps one BigInt per value and allocates on
// every operation; here a value is a slot index, its coefficient lives in base-1e9 limbs in linear
// memory, and nothing is allocated after init.
//
// A value is (-1)^sign * coef * 10^q, coef of n decimal digits (n = 0 for zero, whose sign and q are 0),
// in nl limbs, least significant first, the top limb nonzero. As in BigDecimal, q is the exponent of the
// coefficient's last digit and trailing zeros are kept (they are visible in text() through n and q).

const BASE: u32 = 1000000000;
const BASE64: u64 = 1000000000;

const POW10: usize = memory.data<u32>([1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000]);
// @ts-ignore: decorator
@inline function pow10(k: i32): u32 { return load<u32>(POW10 + (<usize>k << 2)); }

/** Events (SNAP results that were zero) the buffer keeps; further ones are only counted. */
const EVENT_CAP: i32 = 65536;
/** Slots after the caller's: the running total of SUM/PROD/SNAP and the largest term of a SNAP. */
const INTERNAL: i32 = 2;

let P: i32 = 0;
let L: i32 = 0;
let T: i32 = 0;
let M: i32 = 0;
let signBase: usize = 0;
let qBase: usize = 0;
let nBase: usize = 0;
let nlBase: usize = 0;
let limbBase: usize = 0;
let tapeBase: usize = 0;
let textBase: usize = 0;
let eventBase: usize = 0;
let events: i32 = 0;
let initialized = false;
// Scratch limb buffers, each 4L + 16 limbs: an aligned sum, a product, a scaled dividend all fit.
let sA: usize = 0;
let sB: usize = 0;
let sC: usize = 0;
let sD: usize = 0;
let sE: usize = 0;

export function init(precision: i32, limbs: i32, slots: i32, tapeWords: i32, textBytes: i32): void {
  P = precision;
  L = limbs;
  T = slots;
  M = slots + 1;
  const total = <usize>(slots + INTERNAL);
  let at: usize = (__heap_base + 15) & ~15;
  signBase = at; at += total << 2;
  qBase = at; at += total << 2;
  nBase = at; at += total << 2;
  nlBase = at; at += total << 2;
  limbBase = at; at += (total * <usize>L) << 2;
  tapeBase = at; at += <usize>tapeWords << 2;
  textBase = at; at += (<usize>textBytes + 15) & ~15;
  eventBase = at; at += <usize>EVENT_CAP << 2;
  const size = <usize>(4 * L + 16) << 2;
  sA = at; at += size;
  sB = at; at += size;
  sC = at; at += size;
  sD = at; at += size;
  sE = at; at += size;
  const need = <i32>((at + 0xffff) >>> 16);
  const have = memory.size();
  if (need > have && memory.grow(need - have) < 0) unreachable();
  // Every slot starts as zero: memory fresh from the engine is zeros already (the pages a large arena
  // never uses are then never touched); an instance initialized again is cleared.
  if (initialized) memory.fill(signBase, 0, (total << 4));
  initialized = true;
  events = 0;
}

export function signPtr(): usize { return signBase; }
export function qPtr(): usize { return qBase; }
export function nPtr(): usize { return nBase; }
export function nlPtr(): usize { return nlBase; }
export function limbPtr(): usize { return limbBase; }
export function tapePtr(): usize { return tapeBase; }
export function textPtr(): usize { return textBase; }
export function eventPtr(): usize { return eventBase; }
export function eventCount(): i32 { return events; }
export function clearEvents(): void { events = 0; }

// @ts-ignore: decorator
@inline function SIGN(s: i32): i32 { return load<i32>(signBase + (<usize>s << 2)); }
// @ts-ignore: decorator
@inline function Q(s: i32): i32 { return load<i32>(qBase + (<usize>s << 2)); }
// @ts-ignore: decorator
@inline function N(s: i32): i32 { return load<i32>(nBase + (<usize>s << 2)); }
// @ts-ignore: decorator
@inline function NL(s: i32): i32 { return load<i32>(nlBase + (<usize>s << 2)); }
// @ts-ignore: decorator
@inline function LIMBS(s: i32): usize { return limbBase + ((<usize>s * <usize>L) << 2); }
// @ts-ignore: decorator
@inline function limb(p: usize, i: i32): u32 { return load<u32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function setLimb(p: usize, i: i32, v: u32): void { store<u32>(p + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline function tw(i: i32): i32 { return load<i32>(tapeBase + (<usize>i << 2)); }

// @ts-ignore: decorator
@inline function setHeader(r: i32, sign: i32, q: i32, n: i32, nl: i32): void {
  store<i32>(signBase + (<usize>r << 2), sign);
  store<i32>(qBase + (<usize>r << 2), q);
  store<i32>(nBase + (<usize>r << 2), n);
  store<i32>(nlBase + (<usize>r << 2), nl);
}

function setZero(r: i32): void { setHeader(r, 0, 0, 0, 0); }

function copySlot(r: i32, a: i32): void {
  if (r == a) return;
  const nl = NL(a);
  memory.copy(LIMBS(r), LIMBS(a), <usize>nl << 2);
  setHeader(r, SIGN(a), Q(a), N(a), nl);
}

function digits32(x: u32): i32 {
  if (x < 100000) {
    if (x < 100) return x < 10 ? 1 : 2;
    return x < 1000 ? 3 : x < 10000 ? 4 : 5;
  }
  if (x < 10000000) return x < 1000000 ? 6 : 7;
  return x < 100000000 ? 8 : 9;
}

/** Digits of the number in nl limbs (top limb nonzero). */
// @ts-ignore: decorator
@inline function digitsOf(p: usize, nl: i32): i32 { return 9 * (nl - 1) + digits32(limb(p, nl - 1)); }

/** Limb count with leading zero limbs dropped. */
// @ts-ignore: decorator
@inline function trim(p: usize, nl: i32): i32 {
  while (nl > 0 && limb(p, nl - 1) == 0) nl--;
  return nl;
}

// Shifts by j digits within limbs, with 10^j a constant in each specialisation (after inlining), so that
// the engine divides by a constant (a multiplication) rather than by a variable.

/** dst[i] = floor(src / 10^j) limb i, for i < nout; p = 10^j, m = 10^(9-j). Safe in place (dst <= src).
 *  Returns the j digits dropped from src's first limb. */
// @ts-ignore: decorator
@inline function shrK(dst: usize, src: usize, ns: i32, nout: i32, p: u32, m: u32): u32 {
  let cur = limb(src, 0);
  const dropped = cur % p;
  for (let i = 0; i < nout; i++) {
    const next: u32 = i + 1 < ns ? limb(src, i + 1) : 0;
    setLimb(dst, i, cur / p + (next % p) * m);
    cur = next;
  }
  return dropped;
}

/** shrK for any j in 1..8; returns the j digits dropped from src's first limb. */
function shiftDown(dst: usize, src: usize, ns: i32, j: i32, nout: i32): u32 {
  switch (j) {
    case 1: return shrK(dst, src, ns, nout, 10, 100000000);
    case 2: return shrK(dst, src, ns, nout, 100, 10000000);
    case 3: return shrK(dst, src, ns, nout, 1000, 1000000);
    case 4: return shrK(dst, src, ns, nout, 10000, 100000);
    case 5: return shrK(dst, src, ns, nout, 100000, 10000);
    case 6: return shrK(dst, src, ns, nout, 1000000, 1000);
    case 7: return shrK(dst, src, ns, nout, 10000000, 100);
    default: return shrK(dst, src, ns, nout, 100000000, 10);
  }
}

/** dst = src * 10^j in ns + 1 limbs (dst apart from src); p = 10^j, m = 10^(9-j). */
// @ts-ignore: decorator
@inline function shlK(dst: usize, src: usize, ns: i32, p: u32, m: u32): void {
  let below: u32 = 0;
  for (let i = 0; i < ns; i++) {
    const v = limb(src, i);
    setLimb(dst, i, (v % m) * p + below);
    below = v / m;
  }
  setLimb(dst, ns, below);
}

/** dst = src * 10^shift (dst apart from src); returns its limb count. */
function scaleInto(dst: usize, src: usize, ns: i32, shift: i32): i32 {
  const w = shift / 9;
  const j = shift % 9;
  if (w > 0) memory.fill(dst, 0, <usize>w << 2);
  const d = dst + (<usize>w << 2);
  switch (j) {
    case 0: memory.copy(d, src, <usize>ns << 2); return w + ns;
    case 1: shlK(d, src, ns, 10, 100000000); break;
    case 2: shlK(d, src, ns, 100, 10000000); break;
    case 3: shlK(d, src, ns, 1000, 1000000); break;
    case 4: shlK(d, src, ns, 10000, 100000); break;
    case 5: shlK(d, src, ns, 100000, 10000); break;
    case 6: shlK(d, src, ns, 1000000, 1000); break;
    case 7: shlK(d, src, ns, 10000000, 100); break;
    default: shlK(d, src, ns, 100000000, 10); break;
  }
  return limb(d, ns) != 0 ? w + ns + 1 : w + ns;
}

/**
 * Slot r = (src, nls limbs, nd digits) * 10^q, plus a positive amount below one unit of it when sticky,
 * rounded to P digits half to even, with the sign given: BigDecimal's round(). src may be r's own limbs.
 */
function roundTo(r: i32, src: usize, nls: i32, nd: i32, q: i32, sign: i32, sticky: bool): void {
  const dst = LIMBS(r);
  if (nd <= P && !sticky) {
    if (dst != src) memory.copy(dst, src, <usize>nls << 2);
    setHeader(r, sign, q, nd, nls);
    return;
  }
  const k = nd - P; // >= 1 (a sticky quotient has P + 1 digits or more)
  const w = k / 9;
  const j = k % 9;
  // The dropped part against half a unit of the last kept digit: its top (the j digits below the kept
  // ones in limb w, or all of limb w - 1) against half its range, then whether anything below is nonzero.
  // The digits come out of the shift by a constant divisor: no division by a variable power of ten.
  const nlr = (P + 8) / 9;
  const lowest = j == 0 ? w - 1 : w;
  // Read before the shift, which may write over src (rounding in place).
  let below = sticky;
  for (let i = 0; !below && i < lowest; i++) below = limb(src, i) != 0;
  let top: u32;
  let half: u32;
  if (j == 0) {
    top = limb(src, w - 1);
    half = BASE / 2;
    memory.copy(dst, src + (<usize>w << 2), <usize>nlr << 2);
  } else {
    top = shiftDown(dst, src + (<usize>w << 2), nls - w, j, nlr);
    half = pow10(j) >> 1;
  }
  let qr = q + k;
  if (top > half || (top == half && (below || (limb(dst, 0) & 1) != 0))) {
    let i = 0;
    for (; i < nlr; i++) {
      const v = limb(dst, i) + 1;
      if (v != BASE) { setLimb(dst, i, v); break; }
      setLimb(dst, i, 0);
    }
    // All nines became 10^P: the value is 10^(P-1) one place up.
    if (i == nlr || limb(dst, nlr - 1) == pow10(P - 9 * (nlr - 1))) {
      memory.fill(dst, 0, <usize>nlr << 2);
      setLimb(dst, (P - 1) / 9, pow10((P - 1) % 9));
      qr++;
    }
  }
  setHeader(r, sign, qr, P, nlr);
}

function cmpMag(x: usize, nx: i32, y: usize, ny: i32): i32 {
  if (nx != ny) return nx > ny ? 1 : -1;
  for (let i = nx - 1; i >= 0; i--) {
    const a = limb(x, i);
    const b = limb(y, i);
    if (a != b) return a > b ? 1 : -1;
  }
  return 0;
}

/** dst = x + y; returns the limb count. */
function addMag(dst: usize, x: usize, nx: i32, y: usize, ny: i32): i32 {
  if (nx < ny) { const t = x; x = y; y = t; const tn = nx; nx = ny; ny = tn; }
  // Carries without branches: on random digits a branch would be mispredicted half the time.
  let carry: u32 = 0;
  let i = 0;
  for (; i < ny; i++) {
    const s = limb(x, i) + limb(y, i) + carry;
    carry = <u32>(s >= BASE);
    setLimb(dst, i, s - (BASE & -carry));
  }
  for (; i < nx; i++) {
    const s = limb(x, i) + carry;
    carry = <u32>(s >= BASE);
    setLimb(dst, i, s - (BASE & -carry));
  }
  if (carry != 0) { setLimb(dst, nx, 1); return nx + 1; }
  return nx;
}

/** dst = x - y for x > y; returns the limb count (trimmed). */
function subMag(dst: usize, x: usize, nx: i32, y: usize, ny: i32): i32 {
  let borrow: u32 = 0;
  let i = 0;
  for (; i < ny; i++) {
    const a = limb(x, i);
    const b = limb(y, i) + borrow;
    borrow = <u32>(a < b);
    setLimb(dst, i, a - b + (BASE & -borrow));
  }
  for (; i < nx; i++) {
    const a = limb(x, i);
    if (a >= borrow) { setLimb(dst, i, a - borrow); borrow = 0; } else { setLimb(dst, i, BASE - 1); }
  }
  return trim(dst, nx);
}

/**
 * floor(x / 1e9) for x < 9.9e18, as the high half of x * ceil(2^93 / 1e9) shifted by 29 (exact in that
 * range): engines divide a u64 by a constant with a division instruction, several times slower.
 */
// @ts-ignore: decorator
@inline function div1e9(x: u64): u64 {
  const x0 = x & 0xffffffff;
  const x1 = x >> 32;
  const p00 = x0 * 0x36b4a598;
  const p01 = x0 * 0x89705f41;
  const p10 = x1 * 0x36b4a598;
  const p11 = x1 * 0x89705f41;
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff);
  return (p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)) >> 29;
}

/** dst = x * y (column by column, u64 accumulators carried out every 8 products); returns the limb count. */
function mulMag(dst: usize, x: usize, nx: i32, y: usize, ny: i32): i32 {
  let carry: u64 = 0;
  const cols = nx + ny - 1;
  for (let k = 0; k < cols; k++) {
    let lo: u64 = carry;
    let hi: u64 = 0;
    const i0 = k - ny + 1 > 0 ? k - ny + 1 : 0;
    const i1 = k < nx - 1 ? k : nx - 1;
    // Each product is below 1e18, so eight of them and a carry stay below div1e9's bound: the column goes
    // in runs of eight, carried out between runs.
    let i = i0;
    while (true) {
      const stop = i + 8 <= i1 + 1 ? i + 8 : i1 + 1;
      for (; i < stop; i++) lo += <u64>limb(x, i) * <u64>limb(y, k - i);
      if (i > i1) break;
      const c = div1e9(lo);
      hi += c;
      lo -= c * BASE64;
    }
    const c = div1e9(lo);
    setLimb(dst, k, <u32>(lo - c * BASE64));
    carry = hi + c;
  }
  setLimb(dst, cols, <u32>carry);
  return carry != 0 ? cols + 1 : cols;
}

/** dst = src * f (f < 1e9), ns + 1 limbs written. */
function mulSmall(dst: usize, src: usize, ns: i32, f: u64): void {
  let carry: u64 = 0;
  for (let i = 0; i < ns; i++) {
    const t = <u64>limb(src, i) * f + carry;
    carry = div1e9(t);
    setLimb(dst, i, <u32>(t - carry * BASE64));
  }
  setLimb(dst, ns, <u32>carry);
}

function sum(r: i32, a: i32, b: i32, bsign: i32): void {
  const na = N(a);
  const nb = N(b);
  if (nb == 0) { roundTo(r, LIMBS(a), NL(a), na, Q(a), SIGN(a), false); return; }
  if (na == 0) { roundTo(r, LIMBS(b), NL(b), nb, Q(b), bsign, false); return; }
  // big is the term with the larger last-digit exponent: aligning multiplies its coefficient.
  const aIsBig = Q(a) >= Q(b);
  const big = aIsBig ? a : b;
  const small = aIsBig ? b : a;
  const bigS = aIsBig ? SIGN(a) : bsign;
  const smallS = aIsBig ? bsign : SIGN(a);
  const bigQ = Q(big);
  const bigN = N(big);
  const bigNL = NL(big);
  let smallP = LIMBS(small);
  let smallNL = NL(small);
  let smallQ = Q(small);
  const smallN = N(small);
  // BigDecimal's nudge: a term far below the other's last digit and its P-th digit decides only the
  // direction of a tie or a boundary, by its sign, so it becomes a single unit just below both.
  const lowest = bigQ < bigQ + bigN - 1 - P ? bigQ : bigQ + bigN - 1 - P;
  if (smallQ + smallN - 1 < lowest - 1) {
    if (bigN <= P) { roundTo(r, LIMBS(big), bigNL, bigN, bigQ, bigS, false); return; }
    setLimb(sE, 0, 1);
    smallP = sE;
    smallNL = 1;
    smallQ = lowest - 2;
  }
  const shift = bigQ - smallQ;
  let bigP = LIMBS(big);
  let nA = bigNL;
  if (shift > 0) { nA = scaleInto(sA, bigP, bigNL, shift); bigP = sA; }
  let nR: i32;
  let sign: i32;
  if (bigS == smallS) {
    nR = addMag(sB, bigP, nA, smallP, smallNL);
    sign = bigS;
  } else {
    const c = cmpMag(bigP, nA, smallP, smallNL);
    if (c == 0) { setZero(r); return; }
    if (c > 0) { nR = subMag(sB, bigP, nA, smallP, smallNL); sign = bigS; }
    else { nR = subMag(sB, smallP, smallNL, bigP, nA); sign = smallS; }
  }
  roundTo(r, sB, nR, digitsOf(sB, nR), smallQ, sign, false);
}

export function add(r: i32, a: i32, b: i32): void { sum(r, a, b, SIGN(b)); }
export function sub(r: i32, a: i32, b: i32): void { sum(r, a, b, N(b) == 0 ? 0 : SIGN(b) ^ 1); }

export function mul(r: i32, a: i32, b: i32): void {
  if (N(a) == 0 || N(b) == 0) { setZero(r); return; }
  const np = mulMag(sC, LIMBS(a), NL(a), LIMBS(b), NL(b));
  roundTo(r, sC, np, digitsOf(sC, np), Q(a) + Q(b), SIGN(a) ^ SIGN(b), false);
}

export function neg(r: i32, a: i32): void {
  copySlot(r, a);
  if (N(r) != 0) store<i32>(signBase + (<usize>r << 2), SIGN(r) ^ 1);
}

export function copy(r: i32, a: i32): void { copySlot(r, a); }

/** Slots r.. r + count - 1 = slots a.. a + count - 1 (ranges apart): a sample's values kept, a data row
 *  put in place, in one call rather than one per value. */
export function copyRange(r: i32, a: i32, count: i32): void {
  if (count <= 0 || r == a) return;
  // The slots' fields are arrays by field, so a range is five blocks: the four headers and the limbs,
  // each copied at once (a slot's limbs past its count hold nothing that is read).
  const n = <usize>count << 2;
  memory.copy(signBase + (<usize>r << 2), signBase + (<usize>a << 2), n);
  memory.copy(qBase + (<usize>r << 2), qBase + (<usize>a << 2), n);
  memory.copy(nBase + (<usize>r << 2), nBase + (<usize>a << 2), n);
  memory.copy(nlBase + (<usize>r << 2), nlBase + (<usize>a << 2), n);
  memory.copy(LIMBS(r), LIMBS(a), (<usize>count * <usize>L) << 2);
}

/** Slot pairs[2i] = slot pairs[2i + 1] for i < count, in that order, the pairs read from the text area
 *  (i32 words, where the caller put them): a step's state carried over from the step before in one call
 *  rather than one per value. */
export function copyPairs(count: i32): void {
  for (let i = 0; i < count; i++) {
    const at = textBase + (<usize>i << 3);
    copySlot(load<i32>(at), load<i32>(at + 4));
  }
}

/**
 * The quotient of u (nu limbs) by v (nv >= 2 limbs, top nonzero), Knuth's algorithm D in base 1e9, into
 * q (nu - nv + 1 limbs); returns whether the remainder is nonzero.
 */
function longDivide(q: usize, u: usize, nu: i32, v: usize, nv: i32): bool {
  const f = BASE64 / (<u64>limb(v, nv - 1) + 1);
  const un = sD;
  const vn = sE;
  mulSmall(un, u, nu, f);
  mulSmall(vn, v, nv, f);
  const vtop = <u64>limb(vn, nv - 1);
  const vsec = <u64>limb(vn, nv - 2);
  for (let j = nu - nv; j >= 0; j--) {
    const top = <u64>limb(un, j + nv) * BASE64 + <u64>limb(un, j + nv - 1);
    let qhat = top / vtop;
    let rhat = top - qhat * vtop;
    while (qhat >= BASE64 || qhat * vsec > rhat * BASE64 + <u64>limb(un, j + nv - 2)) {
      qhat--;
      rhat += vtop;
      if (rhat >= BASE64) break;
    }
    let carry: u64 = 0;
    let borrow: i64 = 0;
    for (let i = 0; i < nv; i++) {
      const p = qhat * <u64>limb(vn, i) + carry;
      carry = div1e9(p);
      const t = <i64>limb(un, i + j) - <i64>(p - carry * BASE64) - borrow;
      borrow = <i64>(<u64>t >> 63);
      setLimb(un, i + j, <u32>(t + (<i64>BASE64 & -borrow)));
    }
    const t = <i64>limb(un, j + nv) - <i64>carry - borrow;
    if (t < 0) {
      // qhat was one too large: add v back.
      qhat--;
      let c: u32 = 0;
      for (let i = 0; i < nv; i++) {
        const s = limb(un, i + j) + limb(vn, i) + c;
        c = <u32>(s >= BASE);
        setLimb(un, i + j, s - (BASE & -c));
      }
      setLimb(un, j + nv, <u32>(t + <i64>c));
    } else setLimb(un, j + nv, <u32>t);
    setLimb(q, j, <u32>qhat);
  }
  for (let i = 0; i < nv; i++) if (limb(un, i) != 0) return true;
  return false;
}

/** r = a / b; returns 1 (and leaves r alone) when b is zero. */
export function div(r: i32, a: i32, b: i32): i32 {
  if (N(b) == 0) return 1;
  if (N(a) == 0) { setZero(r); return 0; }
  // As BigDecimal: scale so that the quotient has P + 1 or P + 2 digits; the remainder says whether
  // it was exact.
  const k = P + 1 + N(b) - N(a);
  let u = LIMBS(a);
  let nu = NL(a);
  let v = LIMBS(b);
  let nv = NL(b);
  if (k > 0) { nu = scaleInto(sA, u, nu, k); u = sA; }
  else if (k < 0) { nv = scaleInto(sB, v, nv, -k); v = sB; }
  let sticky: bool;
  let nq: i32;
  if (nv == 1) {
    const d = <u64>limb(v, 0);
    let rem: u64 = 0;
    for (let i = nu - 1; i >= 0; i--) {
      const cur = rem * BASE64 + <u64>limb(u, i);
      const qd = cur / d;
      rem = cur - qd * d;
      setLimb(sC, i, <u32>qd);
    }
    sticky = rem != 0;
    nq = trim(sC, nu);
  } else {
    sticky = longDivide(sC, u, nu, v, nv);
    nq = trim(sC, nu - nv + 1);
  }
  roundTo(r, sC, nq, digitsOf(sC, nq), Q(a) - Q(b) - k, SIGN(a) ^ SIGN(b), sticky);
  return 0;
}

/** Adds A = Y * B + low (Y: j + 1 limbs at y, low < 2B) to the j + 3 limbs at u; returns the carry out of
 *  the top limb (a window that was negative, as a B-complement, is not any more). A carry may be 2 (the
 *  low part is up to two limbs' worth): rare corrections, so plain comparisons. */
function addRootStep(u: usize, y: usize, j: i32, low: u32): u32 {
  let s = <u64>limb(u, 0) + <u64>low;
  let c: u64 = <u64>(s >= BASE64) + <u64>(s >= 2 * BASE64);
  setLimb(u, 0, <u32>(s - c * BASE64));
  for (let k = 0; k <= j; k++) {
    s = <u64>limb(u, k + 1) + <u64>limb(y, k) + c;
    c = <u64>(s >= BASE64) + <u64>(s >= 2 * BASE64);
    setLimb(u, k + 1, <u32>(s - c * BASE64));
  }
  s = <u64>limb(u, j + 2) + c;
  c = <u64>(s >= BASE64);
  setLimb(u, j + 2, <u32>(s - c * BASE64));
  return <u32>c;
}

/** Subtracts A = Y * B + low (as addRootStep) from the j + 3 limbs at u; returns the borrow out of the top
 *  limb (the window went negative, as a B-complement). */
function subRootStep(u: usize, y: usize, j: i32, low: u32): u32 {
  let t = <i64>limb(u, 0) - <i64>low;
  let b: i64 = <i64>(t < 0) + <i64>(t < -<i64>BASE64);
  setLimb(u, 0, <u32>(t + b * <i64>BASE64));
  for (let k = 0; k <= j; k++) {
    t = <i64>limb(u, k + 1) - <i64>limb(y, k) - b;
    b = <i64>(t < 0) + <i64>(t < -<i64>BASE64);
    setLimb(u, k + 1, <u32>(t + b * <i64>BASE64));
  }
  t = <i64>limb(u, j + 2) - b;
  b = <i64>(t < 0);
  setLimb(u, j + 2, <u32>(t + b * <i64>BASE64));
  return <u32>b;
}

/**
 * The integer square root of u (2m limbs, the top two not both zero) by the schoolbook method in base 1e9:
 * one root limb per pair of u's limbs, from the top, as long division finds one quotient limb per limb.
 * The root goes to x (m limbs, the top one nonzero); u becomes the remainder u - x^2, and the result is
 * whether it is nonzero. y (m + 1 limbs) holds 2X for the root X found so far: a step subtracts
 * (2X * B + d) * d, where Newton's method would divide u by a root estimate several times over.
 */
function rootRem(x: usize, u: usize, m: i32, y: usize): bool {
  // The top pair (below 1e18, exact in a u64 but not in a double): the double's root corrected.
  const top = <u64>limb(u, 2 * m - 1) * BASE64 + <u64>limb(u, 2 * m - 2);
  let d = <u64>Math.sqrt(<f64>top);
  while (d * d > top) d--;
  while ((d + 1) * (d + 1) <= top) d++;
  const rest = top - d * d; // at most 2d
  const restHi = div1e9(rest);
  setLimb(u, 2 * m - 1, <u32>restHi);
  setLimb(u, 2 * m - 2, <u32>(rest - restHi * BASE64));
  setLimb(x, m - 1, <u32>d);
  const twice = d << 1;
  setLimb(y, m, <u32>(twice >= BASE64));
  setLimb(y, m - 1, <u32>(twice >= BASE64 ? twice - BASE64 : twice));
  const B = <f64>BASE;
  // B^j as a double (infinite past j = 34, where the term it divides is nothing).
  let far: f64 = 1;
  for (let j = 1; j < m; j++) {
    far *= B;
    // X: x's limbs [m - j, m); Y = 2X: y's j + 1 limbs from m - j; the remainder with the next pair
    // brought down, R < 2 B^(j+2): u's j + 3 limbs from 2(m - j - 1).
    const ul = u + (<usize>(2 * (m - j - 1)) << 2);
    const yl = y + (<usize>(m - j) << 2);
    // The limb d is the largest with (Y B + d) d <= R; over the reals d = 2R / (Y B + sqrt(Y^2 B^2 + 4R)),
    // estimated in doubles from the top limbs (scaled by B^j: Y / B^(j-1) >= 2, as X's top limb is
    // nonzero, and R / B^j), then corrected below: the limbs left out and the doubles' rounding move it by
    // less than one, so it is d or next to it.
    const ys = <f64>limb(yl, j) * B + <f64>limb(yl, j - 1) + (j >= 2 ? <f64>limb(yl, j - 2) / B : 0.0);
    const rs = (<f64>limb(ul, j + 2) * B + <f64>limb(ul, j + 1)) * B + <f64>limb(ul, j) + <f64>limb(ul, j - 1) / B;
    const est = 2 * rs / (ys + Math.sqrt(ys * ys + 4 * rs / far));
    d = est >= <f64>(BASE - 1) ? <u64>(BASE - 1) : <u64>est;
    // R -= (Y B + d) d: d^2 at limb 0, Y d from limb 1, carried as in longDivide.
    let borrow: i64 = 0;
    let carry: u64 = 0;
    if (d != 0) {
      const dd = d * d;
      carry = div1e9(dd);
      let t = <i64>limb(ul, 0) - <i64>(dd - carry * BASE64);
      borrow = <i64>(<u64>t >> 63);
      setLimb(ul, 0, <u32>(t + (<i64>BASE64 & -borrow)));
      for (let k = 0; k <= j; k++) {
        const p = <u64>limb(yl, k) * d + carry;
        carry = div1e9(p);
        t = <i64>limb(ul, k + 1) - <i64>(p - carry * BASE64) - borrow;
        borrow = <i64>(<u64>t >> 63);
        setLimb(ul, k + 1, <u32>(t + (<i64>BASE64 & -borrow)));
      }
      t = <i64>limb(ul, j + 2) - <i64>carry - borrow;
      borrow = <i64>(<u64>t >> 63);
      setLimb(ul, j + 2, <u32>(t + (<i64>BASE64 & -borrow)));
    }
    // Too large: each step down gives back (Y B + d + 1)(d + 1) - (Y B + d) d = Y B + 2d + 1.
    while (borrow != 0) {
      d--;
      if (addRootStep(ul, yl, j, <u32>(2 * d + 1)) != 0) borrow = 0;
    }
    // Too small while R >= Y B + 2d + 1. R < Y B whenever R's limbs above the lowest are below Y's, which
    // is almost always told by the top ones; otherwise the subtraction is tried and undone if it goes below.
    for (;;) {
      let below = limb(ul, j + 2) == 0;
      if (below) {
        let k = j;
        while (k >= 0 && limb(ul, k + 1) == limb(yl, k)) k--;
        below = k >= 0 && limb(ul, k + 1) < limb(yl, k);
      }
      if (below) break;
      if (subRootStep(ul, yl, j, <u32>(2 * d + 1)) != 0) { addRootStep(ul, yl, j, <u32>(2 * d + 1)); break; }
      d++;
    }
    setLimb(x, m - j - 1, <u32>d);
    // Y = 2X for the longer X: Y B + 2d.
    const d2 = d << 1;
    setLimb(y, m - j - 1, <u32>(d2 >= BASE64 ? d2 - BASE64 : d2));
    if (d2 >= BASE64) {
      for (let k = m - j; ; k++) {
        const v = limb(y, k) + 1;
        if (v != BASE) { setLimb(y, k, v); break; }
        setLimb(y, k, 0);
      }
    }
  }
  // The remainder is at most 2X: m + 1 limbs.
  for (let i = 0; i <= m; i++) if (limb(u, i) != 0) return true;
  return false;
}

/** r = sqrt(a); returns 1 (and leaves r alone) when a is negative (its root is NaN: the caller's), or of
 *  an exponent so far down that scaling it would wrap around (the caller's too, where it is exact). */
export function sqrt(r: i32, a: i32): i32 {
  const n = N(a);
  if (n == 0) { setZero(r); return 0; }
  if (SIGN(a) != 0 || Q(a) < i32.MIN_VALUE + 2 * P + 4) return 1;
  // As BigDecimal: the coefficient times 10^s, at least 2P + 2 digits with an even exponent q - s, so that
  // the integer root has at least P + 1 digits (ceil of half the digits) and its exponent is (q - s) / 2;
  // the remainder is the sticky bit. sqrt(x) is at most P + 1 digits away from x's digits: a slot holds it.
  const q = Q(a);
  let s = 2 * P + 2 - n;
  if (s < 0) s = 0;
  if (((q - s) & 1) != 0) s++;
  let nu = scaleInto(sA, LIMBS(a), NL(a), s);
  // An odd count of limbs gets a zero on top: the pairs are whole limbs, the root's value the same.
  if ((nu & 1) != 0) setLimb(sA, nu++, 0);
  const m = nu >> 1;
  const sticky = rootRem(sC, sA, m, sB);
  roundTo(r, sC, m, digitsOf(sC, m), (q - s) / 2, 0, sticky);
  return 0;
}

/** Compares |x| and |y| of two nonzero values given by their parts. */
function cmpAbs(pa: usize, nla: i32, na: i32, qa: i32, pb: usize, nlb: i32, nb: i32, qb: i32): i32 {
  const ea = qa + na - 1;
  const eb = qb + nb - 1;
  if (ea != eb) return ea > eb ? 1 : -1;
  if (qa == qb) return cmpMag(pa, nla, pb, nlb);
  if (qa > qb) return cmpMag(sD, scaleInto(sD, pa, nla, qa - qb), pb, nlb);
  return cmpMag(pa, nla, sD, scaleInto(sD, pb, nlb, qb - qa));
}

// @ts-ignore: decorator
@inline function signum(a: i32): i32 { return N(a) == 0 ? 0 : SIGN(a) != 0 ? -1 : 1; }

export function cmp(a: i32, b: i32): i32 {
  const sa = signum(a);
  const sb = signum(b);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  const c = cmpAbs(LIMBS(a), NL(a), N(a), Q(a), LIMBS(b), NL(b), N(b), Q(b));
  return sa > 0 ? c : -c;
}

export function isZero(a: i32): i32 { return N(a) == 0 ? 1 : 0; }

/** Writes the decimal digits of u as exactly `count` bytes ending before `end`. */
/** "00" to "99": the text of two digits at once (a trace writes millions of values' digits). */
const PAIRS: usize = memory.data<u8>([
  48,48,48,49,48,50,48,51,48,52,48,53,48,54,48,55,48,56,48,57, 49,48,49,49,49,50,49,51,49,52,49,53,49,54,49,55,49,56,49,57,
  50,48,50,49,50,50,50,51,50,52,50,53,50,54,50,55,50,56,50,57, 51,48,51,49,51,50,51,51,51,52,51,53,51,54,51,55,51,56,51,57,
  52,48,52,49,52,50,52,51,52,52,52,53,52,54,52,55,52,56,52,57, 53,48,53,49,53,50,53,51,53,52,53,53,53,54,53,55,53,56,53,57,
  54,48,54,49,54,50,54,51,54,52,54,53,54,54,54,55,54,56,54,57, 55,48,55,49,55,50,55,51,55,52,55,53,55,54,55,55,55,56,55,57,
  56,48,56,49,56,50,56,51,56,52,56,53,56,54,56,55,56,56,56,57, 57,48,57,49,57,50,57,51,57,52,57,53,57,54,57,55,57,56,57,57,
]);

/** The last `count` decimal digits of u (leading zeros included), ending just before `end`: two at a
 *  time from the table, the odd one alone. */
function putDigits(end: usize, u: u32, count: i32): void {
  let at = end;
  let left = count;
  while (left >= 2) {
    const t = u / 100;
    const pair = PAIRS + (<usize>(u - t * 100) << 1);
    at -= 2;
    store<u16>(at, load<u16>(pair));
    u = t;
    left -= 2;
  }
  if (left == 1) store<u8>(at - 1, <u8>(48 + u % 10));
}

/** BigDecimal's toString (decimal.js's): plain from 1e-7 up to 1e21, an exponent beyond. */
export function text(a: i32, at: i32): i32 {
  const out = textBase + <usize>at;
  const n = N(a);
  if (n == 0) { store<u8>(out, 48); return 1; }
  // The coefficient's digits, into scratch.
  const digits = sE;
  const p = LIMBS(a);
  const nl = NL(a);
  const topDigits = n - 9 * (nl - 1);
  putDigits(digits + <usize>topDigits, limb(p, nl - 1), topDigits);
  for (let i = nl - 2; i >= 0; i--) putDigits(digits + <usize>(n - 9 * i), limb(p, i), 9);
  let len = n;
  while (len > 1 && load<u8>(digits + <usize>(len - 1)) == 48) len--;
  const e = Q(a) + n - 1;
  let o = out;
  if (SIGN(a) != 0) { store<u8>(o, 45); o++; }
  if (e <= -7 || e >= 21) {
    store<u8>(o, load<u8>(digits)); o++;
    if (len > 1) {
      store<u8>(o, 46); o++;
      memory.copy(o, digits + 1, <usize>(len - 1)); o += <usize>(len - 1);
    }
    store<u8>(o, 101); o++;
    store<u8>(o, e < 0 ? 45 : 43); o++;
    const ae = <u32>(e < 0 ? -e : e);
    // An exponent may have ten digits (a slot's goes to about 2^31); digits32 counts up to nine.
    const c = ae >= 1000000000 ? 10 : digits32(ae);
    putDigits(o + <usize>c, ae, c); o += <usize>c;
  } else if (e < 0) {
    store<u8>(o, 48); store<u8>(o + 1, 46); o += 2;
    for (let i = 0; i < -e - 1; i++) { store<u8>(o, 48); o++; }
    memory.copy(o, digits, <usize>len); o += <usize>len;
  } else if (len > e + 1) {
    memory.copy(o, digits, <usize>(e + 1)); o += <usize>(e + 1);
    store<u8>(o, 46); o++;
    memory.copy(o, digits + <usize>(e + 1), <usize>(len - e - 1)); o += <usize>(len - e - 1);
  } else {
    memory.copy(o, digits, <usize>len); o += <usize>len;
    for (let i = 0; i < e + 1 - len; i++) { store<u8>(o, 48); o++; }
  }
  return <i32>(o - out);
}

/**
 * A template filled with the text of values, in one call (DecimalArena.fillBytes): at `tpl` in the text
 * area, the holes + 1 pieces' lengths and the holes' slot offsets (i32 each), then the pieces' bytes;
 * piece 0, the text of slot base + offset 0, piece 1, ... written from `at`. Returns the text's length.
 */
export function fill(tpl: i32, holes: i32, base: i32, at: i32): i32 {
  const lens = textBase + <usize>tpl;
  const offs = lens + (<usize>(holes + 1) << 2);
  let piece = offs + (<usize>holes << 2);
  let o = at;
  for (let i = 0; i < holes; i++) {
    const len = load<i32>(lens + (<usize>i << 2));
    memory.copy(textBase + <usize>o, piece, <usize>len);
    piece += <usize>len;
    o += len;
    o += text(base + load<i32>(offs + (<usize>i << 2)), o);
  }
  const last = load<i32>(lens + (<usize>holes << 2));
  memory.copy(textBase + <usize>o, piece, <usize>last);
  return o + last - at;
}

// Moving a value in and out of the arena: as a BigInt's 64-bit words, which JavaScript reads and writes
// through a BigUint64Array in linear time (a BigInt's decimal text takes quadratic time past a few hundred
// digits, and its hex text costs a string); the change of base is done here (bench/kernel-wasm.ts).

/** Slot r = (-1)^sign * coef * 10^q, coef given as nw u64 words (least significant first) at textPtr(),
 *  with n its decimal digit count: JavaScript writes a BigInt's words through a BigUint64Array. */
export function fromWords(r: i32, nw: i32, sign: i32, q: i32, n: i32): void {
  // In little-endian memory the u64 words are the u32 halves in order: base 2^32, least significant first.
  let nh = trim(textBase, 2 * nw);
  if (nh == 0) { setZero(r); return; }
  const dst = LIMBS(r);
  let nl = 0;
  for (let h = nh - 1; h >= 0; h--) {
    let carry = <u64>limb(textBase, h);
    for (let k = 0; k < nl; k++) {
      const t = (<u64>limb(dst, k) << 32) + carry;
      carry = div1e9(t);
      setLimb(dst, k, <u32>(t - carry * BASE64));
    }
    while (carry != 0) {
      const c = div1e9(carry);
      setLimb(dst, nl++, <u32>(carry - c * BASE64));
      carry = c;
    }
  }
  setHeader(r, sign, q, n, nl);
}

/** Writes the coefficient of slot a at textPtr() as u64 words (least significant first); returns their
 *  count (0 for zero). */
export function toWords(a: i32): i32 {
  const nl = NL(a);
  if (nl == 0) return 0;
  const src = LIMBS(a);
  const words = textBase;
  let nw = 0;
  // coef = sum of limbs * 1e9^k, from the top: words = words * 1e9 + limb, in base 2^32.
  for (let k = nl - 1; k >= 0; k--) {
    let carry = <u64>limb(src, k);
    for (let i = 0; i < nw; i++) {
      const t = <u64>limb(words, i) * BASE64 + carry;
      setLimb(words, i, <u32>t);
      carry = t >> 32;
    }
    if (carry != 0) setLimb(words, nw++, <u32>carry);
  }
  if (nw & 1) setLimb(words, nw++, 0);
  return nw >> 1;
}

function event(at: i32): void {
  if (events < EVENT_CAP) store<i32>(eventBase + (<usize>events << 2), at);
  events++;
}

/** The kink switch of src/graph/evaluate.ts snapped(): terms at tape words [at, at + 2k) as sign, slot. */
function snap(dst: i32, k: i32, at: i32, self: i32): void {
  setZero(T);
  let largestE: i32 = i32.MIN_VALUE;
  for (let i = 0; i < k; i++) {
    const v = tw(at + 2 * i + 1);
    sum(T, T, v, tw(at + 2 * i) > 0 ? SIGN(v) : N(v) == 0 ? 0 : SIGN(v) ^ 1);
    const nv = N(v);
    if (nv != 0) {
      const e = Q(v) + nv - 1;
      if (e > largestE) largestE = e;
    }
  }
  const nt = N(T);
  if (nt == 0) { setZero(dst); event(self); return; }
  const gap = largestE - (Q(T) + nt - 1) - (P - 10);
  if (gap > 1) { setZero(dst); event(self); return; }
  if (gap < -1) { copySlot(dst, T); return; }
  // The largest |term| (the first of equals), times 10^-(P-10) as a rounded product: its P digits.
  let largest = -1;
  for (let i = 0; i < k; i++) {
    const v = tw(at + 2 * i + 1);
    if (N(v) == 0) continue;
    if (largest < 0 || cmpAbs(LIMBS(v), NL(v), N(v), Q(v), LIMBS(largest), NL(largest), N(largest), Q(largest)) > 0) largest = v;
  }
  roundTo(M, LIMBS(largest), NL(largest), N(largest), Q(largest), 0, false);
  if (cmpAbs(LIMBS(T), NL(T), nt, Q(T), LIMBS(M), NL(M), N(M), Q(M) - (P - 10)) <= 0) { setZero(dst); event(self); return; }
  copySlot(dst, T);
}

/**
 * Runs tape words [start, end); returns the index of the first instruction it leaves to the caller (a
 * CALL, a DIV by zero, a SQRT of a negative value, an unknown op) or `end`. Each instruction is its op
 * code, then slot indices:
 *   0 ADD dst a b | 1 SUB dst a b | 2 MUL dst a b | 3 DIV dst a b (stops at itself when b is zero)
 *   4 NEG dst a | 5 MOV dst a | 11 SQR dst a | 12 SQRT dst a (stops at itself when a is negative)
 *   6 SUM dst k s1..sk: ((s1 + s2) + s3) + ..., each rounded | 7 PROD dst k s1..sk: likewise, stopping at 0
 *   8 SNAP dst k sign1 slot1 .. signk slotk (sign 1 or -1): snapped() of src/graph/evaluate.ts; a zero
 *     result appends the instruction's index to the events
 *   9 SELECT dst x p z m: p if x > 0, z if x is zero, m if x < 0
 *   10 CALL len w1..wlen: the caller's (always stops here)
 * dst may be any operand.
 */
export function exec(start: i32, end: i32): i32 {
  let pc = start;
  while (pc < end) {
    switch (tw(pc)) {
      case 0: sum(tw(pc + 1), tw(pc + 2), tw(pc + 3), SIGN(tw(pc + 3))); pc += 4; break;
      case 1: sub(tw(pc + 1), tw(pc + 2), tw(pc + 3)); pc += 4; break;
      case 2: mul(tw(pc + 1), tw(pc + 2), tw(pc + 3)); pc += 4; break;
      case 3: if (div(tw(pc + 1), tw(pc + 2), tw(pc + 3)) != 0) return pc; pc += 4; break;
      case 4: neg(tw(pc + 1), tw(pc + 2)); pc += 3; break;
      case 5: copySlot(tw(pc + 1), tw(pc + 2)); pc += 3; break;
      case 6: {
        const k = tw(pc + 2);
        sum(T, tw(pc + 3), tw(pc + 4), SIGN(tw(pc + 4)));
        for (let i = 2; i < k; i++) sum(T, T, tw(pc + 3 + i), SIGN(tw(pc + 3 + i)));
        copySlot(tw(pc + 1), T);
        pc += 3 + k;
        break;
      }
      case 7: {
        const k = tw(pc + 2);
        mul(T, tw(pc + 3), tw(pc + 4));
        for (let i = 2; i < k && N(T) != 0; i++) mul(T, T, tw(pc + 3 + i));
        copySlot(tw(pc + 1), T);
        pc += 3 + k;
        break;
      }
      case 8: {
        const k = tw(pc + 2);
        snap(tw(pc + 1), k, pc + 3, pc);
        pc += 3 + 2 * k;
        break;
      }
      case 9: {
        const x = tw(pc + 2);
        copySlot(tw(pc + 1), N(x) == 0 ? tw(pc + 4) : SIGN(x) != 0 ? tw(pc + 5) : tw(pc + 3));
        pc += 6;
        break;
      }
      case 11: mul(tw(pc + 1), tw(pc + 2), tw(pc + 2)); pc += 3; break;
      case 12: if (sqrt(tw(pc + 1), tw(pc + 2)) != 0) return pc; pc += 3; break;
      default: return pc; // CALL (10), or anything else: the caller's
    }
  }
  return end;
}
