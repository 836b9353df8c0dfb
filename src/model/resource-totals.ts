/**
 * What a stack reserves and limits in all: the sum over its services of `deploy.resources`
 * reservations and limits, times the replicas each runs. Swarm places a task only on a node
 * with its reservation free, so the reserved total is what the stack needs from the cluster
 * before anything runs. The fix summary prints it before and after.
 */
import { deployMode } from './service-class.js';
import type { Stack } from './types.js';

export interface ResourceTotals {
  reservedCpus: number;
  /** bytes */
  reservedMemory: number;
  limitCpus: number;
  /** bytes */
  limitMemory: number;
  /** services without a CPU or a memory limit (not in the limit totals) */
  unlimited: number;
  /** services in global mode, counted as one task each (they run one per node) */
  global: number;
}

export function totalResources(stack: Stack): ResourceTotals {
  const t: ResourceTotals = { reservedCpus: 0, reservedMemory: 0, limitCpus: 0, limitMemory: 0, unlimited: 0, global: 0 };
  for (const svc of stack.services) {
    const mode = deployMode(svc);
    if (mode === 'global' || mode === 'global-job') t.global++;
    const tasks = mode === 'replicated' || mode === 'replicated-job' ? Math.max(0, svc.replicas?.value ?? 1) : 1;
    t.reservedCpus += (svc.reservations.cpus?.value ?? 0) * tasks;
    t.reservedMemory += (svc.reservations.memory?.value ?? 0) * tasks;
    t.limitCpus += (svc.limits.cpus?.value ?? 0) * tasks;
    t.limitMemory += (svc.limits.memory?.value ?? 0) * tasks;
    if (!svc.limits.cpus || !svc.limits.memory) t.unlimited++;
  }
  return t;
}

/** `12.35` CPUs: at most two decimals. */
export function formatCpuTotal(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** `71.5 GiB`, `512 MiB`: memory totals for people, one decimal at most. */
export function formatMemoryTotal(bytes: number): string {
  const G = 1024 ** 3;
  const M = 1024 ** 2;
  if (bytes === 0) return '0';
  if (bytes >= G) return `${Math.round((bytes / G) * 10) / 10} GiB`;
  return `${Math.round(bytes / M)} MiB`;
}

/**
 * What the stack reserves and limits in all, before → after, when fixing changed it: swarm
 * schedules by the reservations, so their sum is what the stack asks of the cluster.
 */
export function describeTotals(before: ResourceTotals | null, after: ResourceTotals | null): string | null {
  if (!before || !after) return null;
  const same = (['reservedCpus', 'reservedMemory', 'limitCpus', 'limitMemory'] as const).every((k) => before[k] === after[k]);
  if (same) return null;
  const cpus = (a: number, b: number) => `${formatCpuTotal(a)} → ${formatCpuTotal(b)} CPUs`;
  const mem = (a: number, b: number) => `${formatMemoryTotal(a)} → ${formatMemoryTotal(b)}`;
  const notes: string[] = ['replicas counted'];
  if (after.global > 0) notes.push(`${after.global} global ${after.global === 1 ? 'service' : 'services'} counted once (one task per node)`);
  if (after.unlimited > 0) notes.push(`${after.unlimited} ${after.unlimited === 1 ? 'service' : 'services'} still without a limit`);
  return (
    `the stack reserves ${cpus(before.reservedCpus, after.reservedCpus)} and ${mem(before.reservedMemory, after.reservedMemory)}, ` +
    `and is limited to ${cpus(before.limitCpus, after.limitCpus)} and ${mem(before.limitMemory, after.limitMemory)} (${notes.join('; ')})`
  );
}
