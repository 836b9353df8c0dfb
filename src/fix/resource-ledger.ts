/**
 * The resource ledger (`stackopt resources`): per service and per stack, the replicas, CPU and
 * memory reservations and limits as the files have them and as `stackopt fix` makes them, what a
 * usage profile observed, whether the tasks fit on nodes of a given size, and what they cost.
 *
 * "As fix makes them" is the real fix loop run in memory (`fixProject`): the ledger reads the model
 * of the fixed text, so it shows exactly what `stackopt fix` with the same options writes, and the
 * totals are those of the fix summary (`sumResources` over the same rows).
 */
import type { LiveFacts } from '../model/live-facts.js';
import { isActiveTask, isNodeUsable } from '../model/live-facts.js';
import { countNodesNeeded, packTasks, type Demand, type NodeSpace, type NodesNeeded, type Packing, type TaskGroup } from '../model/node-fit.js';
import { serviceResources, sumResources, type CountOptions, type ResourceFigures, type ResourceTotals, type ServiceResources } from '../model/resource-totals.js';
import type { Stack } from '../model/types.js';
import { observedSeconds, quantile, type Histogram } from '../model/usage-profile.js';
import { fileStackName, findServiceUsage } from '../model/usage-recommend.js';
import { blockedText, fixProject, type FixOptions } from './fix-project.js';

/** Hours in a month for the cost column: 365 days × 24 h / 12. */
export const HOURS_PER_MONTH = 730;

export interface LedgerOptions extends FixOptions {
  /** how many nodes a global service runs on (--nodes, or the usable nodes of a snapshot) */
  nodes?: number;
}

/** What a profile observed of one service, per task. */
export interface Observed {
  samples: number;
  /** seconds between the first and the last sample */
  seconds: number;
  cpu: { p95: number | null; peak: number };
  memory: { p95: number | null; peak: number };
}

export interface LedgerRow {
  service: string;
  before: ServiceResources;
  after: ServiceResources;
  observed: Observed | null;
}

export interface StackLedger {
  /** the first file (display path) */
  file: string;
  files: string[];
  target: 'compose' | 'swarm';
  rows: LedgerRow[];
  totals: { before: ResourceTotals; after: ResourceTotals };
  /** fixes `stackopt fix` would apply */
  fixes: number;
  count: CountOptions;
}

/** The project could not be read as a stack (it does not parse): the reason, one line. */
export class LedgerInputError extends Error {}

/** The ledger of one project (one file, or -f files merged). Throws InputError, LedgerInputError. */
export function buildLedger(opts: LedgerOptions): StackLedger {
  const result = fixProject(opts);
  const before = result.stacks.before;
  const after = result.stacks.after;
  if (result.blocked || !before || !after) throw new LedgerInputError(result.blocked ? blockedText(result.blocked) : `${result.file}: the file holds no compose document`);
  const count: CountOptions = opts.nodes === undefined ? {} : { nodes: opts.nodes };
  const afterByName = new Map(after.services.map((s) => [s.name, s]));
  const fileStack = fileStackName(before);
  const rows: LedgerRow[] = [];
  for (const svc of before.services) {
    const fixed = afterByName.get(svc.name) ?? svc;
    // the entry fix sized the service from (the --stack named, else the file's name:, else the service name)
    const found = opts.usage ? findServiceUsage(opts.usage, svc.name, fileStack) : null;
    const u = found?.usage ?? null;
    rows.push({
      service: svc.name,
      before: serviceResources(svc, count),
      after: serviceResources(fixed, count),
      observed: u
        ? {
            samples: u.samples,
            seconds: observedSeconds(u),
            cpu: { p95: p95Of(u.cpu), peak: u.cpu.max },
            memory: { p95: p95Of(u.memory), peak: u.memory.max },
          }
        : null,
    });
  }
  return {
    file: result.file,
    files: result.files.map((f) => f.source.displayPath),
    target: stackTargetOf(after),
    rows,
    totals: { before: sumResources(rows.map((r) => r.before)), after: sumResources(rows.map((r) => r.after)) },
    fixes: result.applied.length,
    count,
  };
}

/**
 * The 95th percentile of a histogram: the upper bound of its bucket (at most 5% above the true
 * value), never shown above the peak that was seen.
 */
function p95Of(h: Histogram & { max: number }): number | null {
  const q = quantile(h, 0.95);
  return q === null ? null : Math.min(q, h.max);
}

function stackTargetOf(s: Stack): 'compose' | 'swarm' {
  return s.target === 'swarm' ? 'swarm' : 'compose';
}

/** Several stacks' totals, before and after (the sum of each stack's total). */
export function sumLedgers(ledgers: readonly StackLedger[]): { before: ResourceTotals; after: ResourceTotals } {
  const add = (ts: ResourceTotals[]): ResourceTotals => {
    const t: ResourceTotals = { reservedCpus: 0, reservedMemory: 0, limitCpus: 0, limitMemory: 0, tasks: 0, unlimited: 0, global: 0 };
    for (const x of ts) for (const k of Object.keys(t) as Array<keyof ResourceTotals>) t[k] += x[k];
    return t;
  };
  return { before: add(ledgers.map((l) => l.totals.before)), after: add(ledgers.map((l) => l.totals.after)) };
}

// ---------------------------------------------------------------------------------------------
// Prices

export interface Prices {
  /** per CPU reserved per hour */
  cpuHour: number;
  /** per GiB of memory reserved per hour */
  gibHour: number;
}

/** What a month of these reservations costs: (CPUs × CPU price + GiB × GiB price) × 730 h. */
export function monthlyCost(f: Pick<ResourceFigures, 'reservedCpus' | 'reservedMemory'>, p: Prices): number {
  return (f.reservedCpus * p.cpuHour + (f.reservedMemory / 1024 ** 3) * p.gibHour) * HOURS_PER_MONTH;
}

/** What a month of whole nodes of `size` costs. */
export function monthlyNodeCost(nodes: number, size: Demand, p: Prices): number {
  return nodes * (size.cpus * p.cpuHour + (size.memory / 1024 ** 3) * p.gibHour) * HOURS_PER_MONTH;
}

// ---------------------------------------------------------------------------------------------
// Fit on nodes

/** The nodes a stack is to run on. */
export type Cluster =
  | { kind: 'nodes'; count: number | null; size: Demand }
  | {
      kind: 'snapshot';
      /** usable nodes with what other services leave free on them */
      nodes: NodeSpace[];
      /** the size new nodes would have (the most common size among the usable nodes, else among all) */
      size: Demand;
      /** nodes in the snapshot that take no tasks (drained, paused, down) */
      unusable: number;
    };

export interface Fit {
  /** whether the tasks fit on the nodes given (null: no node count was given) */
  fits: boolean | null;
  /** tasks that found no node, per service */
  unplaced: Packing['unplaced'];
  /** nodes of the cluster's size the stack needs on its own */
  needed: NodesNeeded;
  /** per node after packing, for a snapshot */
  nodes: Packing['nodes'];
}

export interface StackFit {
  before: Fit;
  after: Fit;
}

/** The tasks of a ledger's rows by their reservations, global services apart (they run on every node). */
function demandOf(rows: readonly ServiceResources[]): { tasks: TaskGroup[]; perNode: Demand } {
  const tasks: TaskGroup[] = [];
  const perNode: Demand = { cpus: 0, memory: 0 };
  for (const r of rows) {
    const d = { cpus: r.perTask.reservedCpus ?? 0, memory: r.perTask.reservedMemory ?? 0 };
    if (r.global) {
      perNode.cpus += d.cpus;
      perNode.memory += d.memory;
    } else tasks.push({ service: r.service, count: r.tasks, ...d });
  }
  return { tasks, perNode };
}

/** Whether a ledger's tasks fit on the cluster, before and after fixing. */
export function fitLedger(ledger: StackLedger, cluster: Cluster): StackFit {
  const fit = (rows: ServiceResources[]): Fit => {
    const { tasks, perNode } = demandOf(rows);
    const needed = countNodesNeeded(tasks, cluster.size, perNode);
    const nodes: NodeSpace[] | null =
      cluster.kind === 'snapshot'
        ? cluster.nodes
        : cluster.count === null
          ? null
          : Array.from({ length: cluster.count }, (_, i) => ({ name: `node ${i + 1}`, free: { ...cluster.size } }));
    if (!nodes) return { fits: null, unplaced: [], needed, nodes: [] };
    // every node first holds one task of each global service
    const free = nodes.map((n) => ({ name: n.name, free: { cpus: n.free.cpus - perNode.cpus, memory: n.free.memory - perNode.memory } }));
    const globalFits = free.every((n) => n.free.cpus >= -1e-9 && n.free.memory >= 0);
    const packing = packTasks(tasks, free.map((n) => ({ name: n.name, free: { cpus: Math.max(0, n.free.cpus), memory: Math.max(0, n.free.memory) } })));
    const unplaced = globalFits ? packing.unplaced : [{ service: 'global services (one task per node)', count: free.filter((n) => n.free.cpus < -1e-9 || n.free.memory < 0).length }, ...packing.unplaced];
    return { fits: globalFits && packing.fits && nodes.length > 0, unplaced, needed, nodes: packing.nodes };
  };
  return { before: fit(ledger.rows.map((r) => r.before)), after: fit(ledger.rows.map((r) => r.after)) };
}

/**
 * A snapshot's nodes as a cluster for a stack: the usable nodes (active and ready), each with its
 * CPUs and memory less what the running tasks of other services reserve on it. Tasks of services
 * named `<stack>_<service>` for a service of the file are the stack's own (they would be replaced,
 * not added): `ownNames` lists those full names.
 */
export function clusterFromSnapshot(facts: Pick<LiveFacts, 'nodes' | 'tasks' | 'serviceNames'>, ownNames: ReadonlySet<string>): Extract<Cluster, { kind: 'snapshot' }> {
  const usable = facts.nodes.filter(isNodeUsable);
  const taken = new Map<string, Demand>();
  for (const t of facts.tasks) {
    if (!isActiveTask(t) || !t.nodeId) continue;
    if (ownNames.has(facts.serviceNames.get(t.serviceId) ?? '')) continue;
    const d = taken.get(t.nodeId) ?? { cpus: 0, memory: 0 };
    d.cpus += t.reservation.nanoCpus / 1e9;
    d.memory += t.reservation.memoryBytes;
    taken.set(t.nodeId, d);
  }
  const nodes = usable.map((n) => {
    const d = taken.get(n.id) ?? { cpus: 0, memory: 0 };
    return { name: n.name, free: { cpus: Math.max(0, n.nanoCpus / 1e9 - d.cpus), memory: Math.max(0, n.memoryBytes - d.memory) } };
  });
  // new nodes are like the usable ones (like any, when none takes tasks)
  const sized = usable.length > 0 ? usable : facts.nodes;
  return { kind: 'snapshot', nodes, size: commonSize(sized.map((n) => ({ cpus: n.nanoCpus / 1e9, memory: n.memoryBytes }))), unusable: facts.nodes.length - usable.length };
}

/** The most common node size (ties: the larger); 0 CPUs and memory without nodes. */
function commonSize(sizes: readonly Demand[]): Demand {
  const counts = new Map<string, { size: Demand; n: number }>();
  for (const s of sizes) {
    const k = `${s.cpus}/${s.memory}`;
    const e = counts.get(k);
    if (e) e.n++;
    else counts.set(k, { size: s, n: 1 });
  }
  let best: { size: Demand; n: number } | null = null;
  for (const e of counts.values()) {
    if (!best || e.n > best.n || (e.n === best.n && e.size.memory + e.size.cpus > best.size.memory + best.size.cpus)) best = e;
  }
  return best?.size ?? { cpus: 0, memory: 0 };
}
