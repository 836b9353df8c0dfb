/**
 * What a stack reserves and limits in all: the sum over its services of `deploy.resources`
 * reservations and limits, times the tasks each runs. Swarm places a task only on a node with its
 * reservation free, so the reserved total is what the stack needs from the cluster before anything
 * runs. The fix summary prints it before and after, and the resource ledger (`stackopt resources`)
 * prints it per service: a stack's totals are the sum of its services' rows, in one computation.
 */
import { deployMode } from './service-class.js';
import type { Service, Stack } from './types.js';

/** Reservations and limits summed over tasks (CPUs, bytes); an absent value counts as 0. */
export interface ResourceFigures {
  reservedCpus: number;
  /** bytes */
  reservedMemory: number;
  limitCpus: number;
  /** bytes */
  limitMemory: number;
}

export interface ResourceTotals extends ResourceFigures {
  /** tasks counted in all */
  tasks: number;
  /** services without a CPU or a memory limit (not in the limit totals) */
  unlimited: number;
  /** services in global mode, counted as one task per node (see `nodes`) */
  global: number;
}

/** How tasks are counted. */
export interface CountOptions {
  /**
   * The nodes a global service runs on (one task each). Unknown (undefined): a global service is
   * counted as one task, its figures per node.
   */
  nodes?: number;
}

/** One service's part of the totals: its figures per task as written, and summed over its tasks. */
export interface ServiceResources extends ResourceFigures {
  service: string;
  /** `replicated`, `global`, `replicated-job`, `global-job` (as written, lower case) */
  mode: string;
  /** whether the service runs one task per node */
  global: boolean;
  /** the replicas written (replicated modes; 1 when not written), null for global modes */
  replicas: number | null;
  /** tasks counted: replicas, or for a global service the nodes (1 when unknown) */
  tasks: number;
  /** the values written, per task (null: not set) */
  perTask: { reservedCpus: number | null; reservedMemory: number | null; limitCpus: number | null; limitMemory: number | null };
  /** no CPU limit or no memory limit */
  unlimited: boolean;
}

export function isGlobalMode(mode: string): boolean {
  return mode === 'global' || mode === 'global-job';
}

/** A service's reservations and limits, per task and over its tasks. */
export function serviceResources(svc: Service, opts: CountOptions = {}): ServiceResources {
  const mode = deployMode(svc);
  const global = isGlobalMode(mode);
  const replicas = global ? null : Math.max(0, svc.replicas?.value ?? 1);
  const tasks = global ? Math.max(1, opts.nodes ?? 1) : replicas!;
  const perTask = {
    reservedCpus: svc.reservations.cpus?.value ?? null,
    reservedMemory: svc.reservations.memory?.value ?? null,
    limitCpus: svc.limits.cpus?.value ?? null,
    limitMemory: svc.limits.memory?.value ?? null,
  };
  return {
    service: svc.name,
    mode,
    global,
    replicas,
    tasks,
    perTask,
    reservedCpus: (perTask.reservedCpus ?? 0) * tasks,
    reservedMemory: (perTask.reservedMemory ?? 0) * tasks,
    limitCpus: (perTask.limitCpus ?? 0) * tasks,
    limitMemory: (perTask.limitMemory ?? 0) * tasks,
    unlimited: perTask.limitCpus === null || perTask.limitMemory === null,
  };
}

/** The sum of service rows: the one way a total is made (the ledger's total row, the fix summary). */
export function sumResources(rows: readonly ServiceResources[]): ResourceTotals {
  const t: ResourceTotals = { reservedCpus: 0, reservedMemory: 0, limitCpus: 0, limitMemory: 0, tasks: 0, unlimited: 0, global: 0 };
  for (const r of rows) {
    t.reservedCpus += r.reservedCpus;
    t.reservedMemory += r.reservedMemory;
    t.limitCpus += r.limitCpus;
    t.limitMemory += r.limitMemory;
    t.tasks += r.tasks;
    if (r.unlimited) t.unlimited++;
    if (r.global) t.global++;
  }
  return t;
}

export function totalResources(stack: Stack, opts: CountOptions = {}): ResourceTotals {
  return sumResources(stack.services.map((s) => serviceResources(s, opts)));
}

/** `12.35`: CPUs with two decimals. */
export function formatCpuTotal(n: number): string {
  return n.toFixed(2);
}

/** `71.5 GiB`, `512 MiB`, `2 TiB`, `0`: memory for people, one decimal at most. */
export function formatMemoryTotal(bytes: number): string {
  const T = 1024 ** 4;
  const G = 1024 ** 3;
  const M = 1024 ** 2;
  if (bytes === 0) return '0';
  if (bytes >= T) return `${Math.round((bytes / T) * 10) / 10} TiB`;
  if (bytes >= G) return `${Math.round((bytes / G) * 10) / 10} GiB`;
  if (bytes >= M) return `${Math.round((bytes / M) * 10) / 10} MiB`;
  return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}

/**
 * The change from `before` to `after` as a fraction of `before` (−0.43: 43% less); null when
 * `before` is 0 (nothing to compare with).
 */
export function relativeChange(before: number, after: number): number | null {
  return before > 0 ? (after - before) / before : null;
}

/** `−43%`, `+12%`, `±0%`; '' when there is nothing to compare with. */
export function formatPercentChange(before: number, after: number): string {
  const r = relativeChange(before, after);
  if (r === null) return '';
  const p = Math.round(r * 100);
  return p === 0 ? '±0%' : p < 0 ? `\u2212${-p}%` : `+${p}%`;
}

/** `0.80 → 0.60 CPUs (−25%)`, `3 GiB → 2 GiB (−33%)`, `0 → 2 GiB`, `2 GiB (unchanged)`: one figure before → after. */
export function describeChange(kind: 'cpus' | 'memory', before: number, after: number): string {
  const f = kind === 'cpus' ? formatCpuTotal : formatMemoryTotal;
  if (before === after) return `${f(after)}${kind === 'cpus' ? ' CPUs' : ''} (unchanged)`;
  const pct = formatPercentChange(before, after);
  return `${f(before)} \u2192 ${f(after)}${kind === 'cpus' ? ' CPUs' : ''}${pct ? ` (${pct})` : ''}`;
}

/** What the counting left out or counted specially, in words (empty when nothing). */
export function describeTotalsNotes(t: ResourceTotals, opts: CountOptions = {}): string[] {
  const notes: string[] = [`${t.tasks} ${t.tasks === 1 ? 'task' : 'tasks'}, replicas counted`];
  if (t.global > 0) {
    const what = `${t.global} global ${t.global === 1 ? 'service' : 'services'}`;
    notes.push(opts.nodes === undefined ? `${what} counted once (per node)` : `${what} counted on ${opts.nodes} ${opts.nodes === 1 ? 'node' : 'nodes'}`);
  }
  if (t.unlimited > 0) notes.push(`${t.unlimited} ${t.unlimited === 1 ? 'service' : 'services'} without a limit`);
  return notes;
}

/**
 * The totals in one line, before → after: the resource ledger prints it under its total row, and
 * the fix summary prints it when fixing changed them (`describeTotals`).
 */
export function describeTotalsLine(before: ResourceTotals, after: ResourceTotals, opts: CountOptions = {}): string {
  return (
    `reserved ${describeChange('cpus', before.reservedCpus, after.reservedCpus)} and ${describeChange('memory', before.reservedMemory, after.reservedMemory)}; ` +
    `limits ${describeChange('cpus', before.limitCpus, after.limitCpus)} and ${describeChange('memory', before.limitMemory, after.limitMemory)} ` +
    `(${describeTotalsNotes(after, opts).join('; ')})`
  );
}

/** `describeTotalsLine` when the totals changed; null when they did not (or without a stack). */
export function describeTotals(before: ResourceTotals | null, after: ResourceTotals | null, opts: CountOptions = {}): string | null {
  if (!before || !after) return null;
  const same = (['reservedCpus', 'reservedMemory', 'limitCpus', 'limitMemory'] as const).every((k) => before[k] === after[k]);
  return same ? null : describeTotalsLine(before, after, opts);
}
