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
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000;
}
