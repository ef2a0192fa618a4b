// render/numbers.ts, the one place that decides how a value reads, on values worked by hand.
import { describe, expect, it } from 'vitest';
import { makeContext } from '../src/numeric/context.js';
import { makeRationalContext } from '../src/numeric/rational.js';
import { rounded, stated, substituted, truncated, truncatedSubstituted } from '../src/render/numbers.js';

const { D } = makeContext(50);
const Q = makeRationalContext(50).D;

describe('rounded: significant digits, … when not the whole value', () => {
  it('keeps an exact value as it is and marks a rounded one', () => {
    expect(rounded(new D('1.5'), 12)).toBe('1.5');
    expect(rounded(new D('-85'), 3)).toBe('-85');
    expect(rounded(new D(0), 5)).toBe('0');
    // 2/3 = 0.666666..., the fifth significant digit 6 rounds the fourth up.
    expect(rounded(new D(2).div(3), 4)).toBe('0.6667…');
    // 1.0999999999975 to 6 digits is 1.10000 (the 7th digit 9 carries all the way), trailing zeros kept.
    expect(rounded(new D('1.0999999999975'), 6)).toBe('1.10000…');
    // 0.0001234567 to 3 digits: 0.000123 (the 4th digit 4 rounds down).
    expect(rounded(new D('0.0001234567'), 3)).toBe('0.000123…');
  });

  it('rounds a tie of the working decimals away from zero (half up)', () => {
    expect(rounded(new D('0.125'), 2)).toBe('0.13…');
    expect(rounded(new D('0.135'), 2)).toBe('0.14…');
    expect(rounded(new D('-2.5'), 1)).toBe('-3…');
    // Just below a tie rounds down.
    expect(rounded(new D('0.12499999'), 2)).toBe('0.12…');
  });

  it('writes a very small or very large value with an exponent', () => {
    // 1.23456e-9 to 3 digits: 1.23e-9.
    expect(rounded(new D('1.23456e-9'), 3)).toBe('1.23e-9…');
    expect(rounded(new D('1e-12'), 4)).toBe('1e-12');
  });
});

describe('stated: an exact fraction without a finite decimal is written as the fraction, then its decimal', () => {
  it('under --exact', () => {
    expect(stated(new Q(1).div(new Q(3)), 4)).toBe('1/3 ≈ 0.3333…');
    expect(stated(new Q(-2).div(new Q(3)), 3)).toBe('-2/3 ≈ -0.667…');
    // 3/8 = 0.375 has a finite expansion: the decimal alone.
    expect(stated(new Q(3).div(new Q(8)), 12)).toBe('0.375');
    expect(stated(new D(2).div(3), 4)).toBe('0.6667…');
  });
});

describe('substituted: a number put into a formula', () => {
  it('drops the … and the fraction, and puts a negative number in parentheses', () => {
    expect(substituted(new D(2).div(3), 4)).toBe('0.6667');
    expect(substituted(new D('-0.5'), 12)).toBe('(-0.5)');
    expect(substituted(new Q(-1).div(new Q(3)), 3)).toBe('(-0.333)');
    expect(substituted(new D(0), 3)).toBe('0');
  });
});

describe("truncated: check's reading of a value, never rounded up", () => {
  it('cuts after the digits and marks the cut', () => {
    // 12 significant digits of 1.0999999999975 are 1.09999999999 (truncated, not 1.1).
    expect(truncated(new D('1.0999999999975'))).toBe('1.09999999999…');
    expect(truncated(new D(2).div(3), 4)).toBe('0.6666…');
    expect(truncated(new D('-85'))).toBe('-85');
    expect(truncated(new D(0))).toBe('0');
    expect(truncatedSubstituted(new D(-2).div(3), 3)).toBe('(-0.666)');
    expect(truncatedSubstituted(new D('7.5'), 10)).toBe('7.5');
  });
});

describe('grouped whole numbers', () => {
  it('write the thousands as toLocaleString(en-US) does, without Intl', async () => {
    const { grouped } = await import('../src/text/grouped.js');
    for (const n of [0, 7, 999, 1000, -1000, 12345, 100000, 999999, 1000000, -1234567, 1e12, Number.MAX_SAFE_INTEGER, 1.5, 1e21]) {
      expect(grouped(n)).toBe(n.toLocaleString('en-US'));
    }
    expect(grouped(1234567)).toBe('1,234,567');
  });
});
