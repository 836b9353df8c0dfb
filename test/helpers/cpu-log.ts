import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll } from 'vitest';

/**
 * With STACKOPT_TEST_CPU_LOG=FILE, each test file appends one line to FILE: its name, its wall
 * time and the CPU seconds its worker process spent on it, its own and that of the children it
 * waited for (CLI runs, docker, engines). A worker runs many files one after another: each line
 * counts from the end of the worker's previous file (the first one of a worker also counts the
 * worker's start). The lines add up to the CPU of the run but for vitest's own process.
 */
const log = process.env.STACKOPT_TEST_CPU_LOG;
const state = globalThis as { stackoptCpuLogPrev?: { own: number; children: number } };

function cpuNow(): { own: number; children: number } {
  // /proc/self/stat fields 14-17: utime, stime, cutime, cstime, in clock ticks (100 per second)
  const f = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ').map(Number);
  return { own: (f[11]! + f[12]!) / 100, children: (f[13]! + f[14]!) / 100 };
}

if (log) {
  const started = Date.now();
  afterAll((suite) => {
    const now = cpuNow();
    const prev = state.stackoptCpuLogPrev ?? { own: 0, children: 0 };
    state.stackoptCpuLogPrev = now;
    const file = ((suite as { filepath?: string }).filepath ?? '?').replace(`${process.cwd()}/`, '');
    appendFileSync(log, `${file}\t${((Date.now() - started) / 1000).toFixed(1)}\t${(now.own - prev.own).toFixed(2)}\t${(now.children - prev.children).toFixed(2)}\t${process.pid}\n`);
  });
}
