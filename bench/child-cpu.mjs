// CPU time of finished child processes, from the kernel's accounting: cutime + cstime of
// /proc/self/stat (fields 16 and 17) count the user and system time, all threads included, of every
// child this process has waited for. Read it before and after a spawnSync; the difference is that
// child's CPU time. Linux only (100 clock ticks per second).
import { readFileSync } from 'node:fs';

/** Milliseconds of CPU used so far by the children this process has waited for. */
export function childrenCpuMs() {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}
