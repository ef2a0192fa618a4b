// Runs the built command line (dist/exactprop.js) in this process and, as the process exits, writes its
// wall time, CPU time and peak resident memory to stderr as the last line: the memory figure of bench/run.ts is
// the tool's own, as a user runs it, with its output going wherever stdout goes.
import { writeSync } from 'node:fs';

const t0 = performance.now();
process.on('exit', () => {
  const ms = performance.now() - t0;
  const usage = process.resourceUsage();
  // CPU seconds of every thread of the process (worker threads included).
  const cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  writeSync(2, `\n${JSON.stringify({ ms, maxRssMb: usage.maxRSS / 1024, cpuS, code: process.exitCode ?? 0 })}\n`);
});
process.argv = [process.argv[0], new URL('../dist/exactprop.js', import.meta.url).pathname, ...process.argv.slice(2)];
await import('../dist/exactprop.js');
