// The random draws of a variant, from a documented hash rather than a seeded generator's state: the
// variant of student `id` under seed `seed` depends on nothing else (not on the other students, their
// order or their number), so the same id always gets the same variant, and anyone can recompute it.
//
// The draws of attempt `a` (0, 1, 2, ... until the constraints hold) are the bytes of the blocks
//   SHA-256("exactprop-variants/1" NUL seed NUL id NUL a NUL k)   for k = 0, 1, 2, ...
// (UTF-8, NUL the byte 0, a and k in decimal), read 8 bytes at a time as big-endian 64-bit integers.
// A whole number below `count` is the first such integer below the largest multiple of `count` that
// fits in 64 bits, reduced modulo `count` (rejection sampling, so every value is equally likely); a
// count of 2^64 or more draws as many 64-bit integers as it needs, most significant first.
// SHA-256 is @noble/hashes's (audited, no dependencies, no Node built-in: the library runs in a browser).
import { sha256 } from '@noble/hashes/sha2.js';

export const DRAWS_VERSION = 'exactprop-variants/1';
const TWO_64 = 1n << 64n;
const encoder = new TextEncoder();

export class Draws {
  private block = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private offset = 0;

  constructor(readonly seed: string, readonly id: string, readonly attempt: number) {}

  /** The next 64 bits of the stream. */
  private next64(): bigint {
    if (this.offset + 8 > this.bytes.length) {
      this.bytes = sha256(encoder.encode(`${DRAWS_VERSION}\0${this.seed}\0${this.id}\0${this.attempt}\0${this.block++}`));
      this.offset = 0;
    }
    let v = 0n;
    for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(this.bytes[this.offset++]!);
    return v;
  }

  /** A whole number from 0 to count - 1, every one equally likely. */
  below(count: bigint): bigint {
    if (count <= 0n) throw new RangeError('nothing to draw from');
    let words = 1;
    let span = TWO_64;
    while (span < count) {
      span *= TWO_64;
      words++;
    }
    const limit = span - (span % count);
    for (;;) {
      let v = 0n;
      for (let i = 0; i < words; i++) v = (v << 64n) | this.next64();
      if (v < limit) return v % count;
    }
  }
}
