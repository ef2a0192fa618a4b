// Runs the built command (dist/exactprop.cjs) in this process and, as the process exits, writes its
// wall time, CPU time and peak resident memory to stderr as the last line: the memory figure of bench/run.ts is
// the tool's own, as a user runs it, with its output going wherever stdout goes. CommonJS, as the command
// is, so that the figure holds no ES module loader the command does not start.
const { writeSync } = require('node:fs');
const { join } = require('node:path');

const t0 = performance.now();
process.on('exit', () => {
  const ms = performance.now() - t0;
  const usage = process.resourceUsage();
  // CPU seconds of every thread of the process (worker threads included).
  const cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  writeSync(2, `\n${JSON.stringify({ ms, maxRssMb: usage.maxRSS / 1024, cpuS, code: process.exitCode ?? 0 })}\n`);
});
const command = join(__dirname, '..', 'dist', 'exactprop.cjs');
process.argv = [process.argv[0], command, ...process.argv.slice(2)];
require(command).runCommandLine();
