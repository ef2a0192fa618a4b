// The numeric layer's own helpers, against decimal.js itself.
import { describe, expect, it } from 'vitest';
import { makeContext, makeDecimalJsContext, roundedText, type DecimalCtor } from '../src/numeric/context.js';

describe("a value's text is what decimal.js writes for the same value", () => {
  it('over magnitudes, signs, precisions and exact zeros', () => {
    for (const precision of [10, 50, 200]) {
      // The same values computed in BigDecimal (the default) and in decimal.js's own.
      const texts = ({ D }: { D: DecimalCtor }) => {
        const values = [new D(0), new D('-0'), new D('1e-7'), new D('-1e-8'), new D('123456789012345678901'), new D('1e21'), new D('100'), new D('-2.5')];
        for (let i = 1; i < 400; i++) values.push(new D(i).div(7).times(new D(10).pow((i % 40) - 20)).times(i % 3 ? 1 : -1));
        return values.map((v) => v.toString());
      };
      const reference = texts(makeDecimalJsContext(precision)).map((t) => (t === '-0' ? '0' : t));
      expect(texts(makeContext(precision))).toEqual(reference);
    }
  });
});

describe('roundedText', () => {
  const { D } = makeContext(50);
  it('shows exact values whole and marks rounded ones by keeping their digits', () => {
    expect(roundedText(new D('1.5'), 12)).toEqual({ text: '1.5', exact: true });
    expect(roundedText(new D('1.0999999999975'), 6)).toEqual({ text: '1.10000', exact: false });
    expect(roundedText(new D(2).div(3), 4)).toEqual({ text: '0.6667', exact: false });
  });
});
