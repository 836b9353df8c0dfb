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

/** `--runs N` of the command line (a whole number from 1), else `fallback`; a bad value ends the bench in one line. */
export function runsOption(fallback) {
  const at = process.argv.indexOf('--runs');
  if (at < 0) return fallback;
  const n = Number(process.argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --runs takes a whole number from 1, not ${JSON.stringify(process.argv[at + 1] ?? '')}`);
    process.exit(2);
  }
  return n;
}

/**
 * Whether a finished run counts: its exit status is one the command gives for findings, and it did
 * not crash (node exits 1 on an uncaught error too, with a stack trace on stderr).
 */
export function ranCleanly(r, okExits = [0, 1]) {
  return okExits.includes(r.status) && !/\n\s+at \S/.test(String(r.stderr ?? ''));
}
