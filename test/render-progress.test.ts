// The step counter of long runs: silent for the first two seconds, only on a terminal, redrawn at most
// every 100 ms, cleared at the end; never on stdout. A fake clock stands in for time: nothing here waits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progress } from '../src/render/progress.js';
import { cli } from './helpers/spec.js';

function clocked(isTTY: boolean) {
  let t = 0;
  const written: string[] = [];
  const p = progress({ write: (s) => written.push(s), isTTY, now: () => t });
  return { p, written, at: (ms: number) => (t = ms) };
}

describe('progress on stderr', () => {
  it('says nothing for a run shorter than two seconds', () => {
    const { p, written, at } = clocked(true);
    for (let s = 1; s <= 10; s++) {
      at(s * 150);
      p.onStep(s, 10);
    }
    p.done();
    expect(written).toEqual([]);
  });

  it('counts steps after two seconds, at most every 100 ms, always the last, and clears the line', () => {
    const { p, written, at } = clocked(true);
    at(1999);
    p.onStep(1, 400);
    at(2000);
    p.onStep(2, 400);
    at(2050);
    p.onStep(3, 400); // too soon after the last redraw
    at(2100);
    p.onStep(4, 400);
    at(2101);
    p.onStep(400, 400); // the last step is always drawn
    p.done();
    expect(written).toEqual([
      '\r\x1b[Kstep   2/400 (0%)',
      '\r\x1b[Kstep   4/400 (1%)',
      '\r\x1b[Kstep 400/400 (100%)',
      '\r\x1b[K',
    ]);
  });

  it('never writes when stderr is not a terminal', () => {
    const { p, written, at } = clocked(false);
    at(10_000);
    p.onStep(1, 2);
    p.done();
    expect(written).toEqual([]);
  });

});

// The CLI's own wiring: `run` gives the counter the Io's stderr and errIsTTY, and Date.now() as its clock.
// The clock is replaced by one that jumps 5 s at every reading, so each of hw7's two steps is "late" and
// drawn, with no wait; only the terminal flag differs between the two runs.
describe('progress through the CLI', () => {
  afterEach(() => vi.restoreAllMocks());
  const slowClock = () => {
    let t = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => (t += 5000));
  };

  it('on a terminal, a long run draws every step on stderr and clears the line; stdout stays pure JSON', async () => {
    const quiet = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json']);
    slowClock();
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json'], {}, { errIsTTY: true });
    expect(r.code).toBe(0);
    expect(r.err).toBe('\r\x1b[Kstep 1/2 (50%)\r\x1b[Kstep 2/2 (100%)\r\x1b[K');
    expect(r.out).toBe(quiet.out);
    expect(JSON.parse(r.out).steps).toHaveLength(2);
  });

  it('on a terminal, a run under two seconds prints nothing', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json'], {}, { errIsTTY: true });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
  });

  it('not on a terminal, the same long run prints nothing on stderr', async () => {
    slowClock();
    const r = await cli(['run', 'examples/hw7-q2.yaml', '--format', 'json'], {}, { errIsTTY: false });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out).steps).toHaveLength(2);
  });
});
