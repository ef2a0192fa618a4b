// Loaded into each CLI process of the hostile corpus with `node --import`: when the process exits it
// writes its peak resident memory (bytes) and the CPU time it used (ms) to the file named by
// HOSTILE_MAXRSS_FILE, so the runner can hold every input to the memory budget without sampling (and
// report CPU time, which a busy machine distorts less than elapsed time). Nothing else changes in the
// process.
import { writeFileSync } from 'node:fs';

const file = process.env.HOSTILE_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      // resourceUsage() gives kilobytes and microseconds.
      const u = process.resourceUsage();
      writeFileSync(file, JSON.stringify({ maxRss: u.maxRSS * 1024, cpuMs: Math.round((u.userCPUTime + u.systemCPUTime) / 1000) }));
    } catch {
      // The runner reports a missing measurement itself.
    }
  });
}
