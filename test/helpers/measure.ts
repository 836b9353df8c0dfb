import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// node's `gc`, reached without a command-line flag: a full collection before each measurement, so
// that what earlier tests in the worker left behind is not collected inside the measured call
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** CPU milliseconds of `f` (user + system of this process, not wall time: the machine may be shared), after a full collection. */
export function cpuMs(f: () => void): number {
  collectGarbage();
  const t0 = process.cpuUsage();
  f();
  return msSince(t0);
}

/** `cpuMs` of asynchronous work, awaited. */
async function cpuMsAsync(f: () => Promise<unknown>): Promise<number> {
  collectGarbage();
  const t0 = process.cpuUsage();
  await f();
  return msSince(t0);
}

function msSince(t0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000;
}

/**
 * How many times the CPU of `run(small)` `run(large)` takes: the least of `tries` measurements of
 * each (a collection of what earlier tests left can still fall in one), the small one at least 1 ms.
 * For linearity tests: at n and 8n, linear work is about 8 times, work that grows with the square 64.
 */
export function cpuRatio<T>(run: (input: T) => unknown, small: T, large: T, tries = 3): number {
  const least = (input: T) => Math.min(...Array.from({ length: tries }, () => cpuMs(() => void run(input))));
  return least(large) / Math.max(1, least(small));
}

/**
 * `cpuRatio` of asynchronous work, `run` awaited (the CLI run in this process): nothing else of the
 * process may run meanwhile.
 */
export async function cpuRatioAsync<T>(run: (input: T) => Promise<unknown>, small: T, large: T, tries = 3): Promise<number> {
  const least = async (input: T) => {
    let best = Infinity;
    for (let i = 0; i < tries; i++) best = Math.min(best, await cpuMsAsync(() => run(input)));
    return best;
  };
  return (await least(large)) / Math.max(1, await least(small));
}
