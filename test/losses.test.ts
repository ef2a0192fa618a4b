// Losses by name (src/spec/losses.ts): the README's table says what the table says, and each loss has
// the value worked out by hand on a tiny example.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { LOSS_NAMES, NAMED_LOSSES, type LossName } from '../src/spec/losses.js';
import { LOSSES } from '../src/spec/schema.js';
import { parseSpec, run } from '../src/index.js';

describe("the README's table of losses is the registry's", () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split('### Losses by name')[1]!.split('\n### ')[0]!;
  const rows = section.split('\n').filter((line) => /^\| `/.test(line));

  it('has one row per loss, in the registry order, with its description and reduction', () => {
    expect(rows.map((row) => row.split(' | ')[0]!.replace(/^\| `|`$/g, ''))).toEqual(LOSS_NAMES);
    for (const [name, entry] of Object.entries(NAMED_LOSSES)) {
      expect(rows).toContain(`| \`${name}\` | ${entry.description} | ${entry.reduce} |`);
    }
  });

  it("is the schema's list of names", () => {
    expect(LOSSES).toEqual(Object.keys(NAMED_LOSSES));
  });
});

describe('each loss by hand', () => {
  // Two outputs o1 = 1/2 and o2 = 1/4 (params, so the same on every row) and two rows of targets:
  // (y1, y2) = (1, 0) and (0, 1). Differences y - o: row 1 (1/2, -1/4), row 2 (-1/2, 3/4).
  const spec = (name: LossName) => `model:
  neurons: { o1: w1, o2: w2 }
  outputs: [o1, o2]
params: { w1: 0.5, w2: 0.25 }
data:
  - { y1: 1, y2: 0 }
  - { y1: 0, y2: 1 }
loss: { name: ${name} }
training: { optimizer: sgd, lr: 0.1, epochs: 1 }
`;
  const D = Decimal.clone({ precision: 80 });
  const ln = (x: string) => new D(x).ln();
  const byHand: Record<LossName, Decimal> = {
    // rows (1/4 + 1/16) / 2 = 5/32 and (1/4 + 9/16) / 2 = 13/32; mean 9/32
    mse: new D('0.28125'),
    // rows 5/16 and 13/16; sum 18/16
    sse: new D('1.125'),
    // half of sse
    half_sse: new D('0.5625'),
    // rows (1/2 + 1/4) / 2 = 3/8 and (1/2 + 3/4) / 2 = 5/8; mean 1/2
    mae: new D('0.5'),
    // row 1: (-log(1/2) - log(3/4)) / 2; row 2: (-log(1/2) - log(1/4)) / 2; mean of the two
    bce: ln('0.5').neg().sub(ln('0.75')).add(ln('0.5').neg().sub(ln('0.25'))).div(4),
    // row 1: -log(1/2); row 2: -log(1/4); mean (3/2) log 2
    cross_entropy: ln('2').mul(3).div(2),
  };

  for (const name of LOSS_NAMES) {
    it(`${name}: ${NAMED_LOSSES[name].description}`, () => {
      const total = run(parseSpec(spec(name), { file: `${name}.yaml` })).steps[0]!.loss.total;
      // 50 significant digits computed; compared at 45.
      expect(new D(total).toSignificantDigits(45).toString()).toBe(byHand[name].toSignificantDigits(45).toString());
    });
  }

  it('defaults to the reduction of the registry, and a given reduce overrides it', () => {
    const summed = run(parseSpec(spec('mse').replace('{ name: mse }', '{ name: mse, reduce: sum }'), { file: 'sum.yaml' }));
    expect(summed.steps[0]!.loss.total).toBe('0.5625');
  });
});
