// A step counter for long runs, on stderr only: it appears once a run has taken more than about two
// seconds, and only when stderr is a terminal (a file or a pipe never receives it). It rewrites one
// line and clears it when the run ends, so nothing of it stays on screen or in any output.

export interface ProgressOptions {
  /** Where the counter is written (stderr). */
  write: (text: string) => void;
  /** Whether that stream is a terminal. */
  isTTY: boolean;
  /** Milliseconds; injectable so that tests never wait. */
  now?: () => number;
  /** Quiet period before the counter appears. */
  delayMs?: number;
  /** Least time between two redraws. */
  intervalMs?: number;
}

export interface Progress {
  onStep: (step: number, total: number) => void;
  /** Clears the counter if it was shown. */
  done: () => void;
}

export function progress({ write, isTTY, now = () => Date.now(), delayMs = 2000, intervalMs = 100 }: ProgressOptions): Progress {
  const start = now();
  let shown = false;
  let last = -Infinity;
  return {
    onStep(step, total) {
      if (!isTTY) return;
      const t = now();
      if (t - start < delayMs || (t - last < intervalMs && step < total)) return;
      last = t;
      shown = true;
      const width = String(total).length;
      write(`\r\x1b[Kstep ${String(step).padStart(width)}/${total} (${Math.floor((100 * step) / total)}%)`);
    },
    done() {
      if (shown) write('\r\x1b[K');
      shown = false;
    },
  };
}
