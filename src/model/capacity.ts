import { isActiveTask, type LiveFacts, type LiveNode, type LiveTask } from './live-facts.js';

/**
 * What one node holds: the reservations of the tasks placed on it against its CPUs and memory. Read
 * only, and frozen: one answer serves every caller (computeCapacity).
 */
export interface NodeCapacity {
  readonly node: LiveNode;
  /** tasks that hold the node's resources now */
  readonly tasks: readonly LiveTask[];
  readonly cpu: NodeResource;
  readonly memory: NodeResource;
}

export interface NodeResource {
  readonly reserved: number;
  readonly limit: number;
  readonly total: number;
}

/**
 * Per node, in the order of `facts.nodes`. CPU figures in NanoCPUs, memory in bytes. The answer for a
 * list of tasks and a list of nodes is kept and given again for the same two lists (an audit asks
 * twice, for `capacity-overcommit` and for `AuditResult.capacity`, the report's: 20,000 tasks walked
 * once). Since every caller gets the same array, it is frozen all the way down (the array, each
 * node's entry, its figures and its list of tasks; not the nodes and tasks of the facts themselves):
 * a caller that changed it would change what the others read.
 */
export function computeCapacity(facts: Pick<LiveFacts, 'nodes' | 'tasks'>): readonly NodeCapacity[] {
  const known = computed.get(facts.tasks);
  if (known !== undefined && known.nodes === facts.nodes) return known.capacity;
  const out = walkCapacity(facts);
  computed.set(facts.tasks, { nodes: facts.nodes, capacity: out });
  return out;
}

const computed = new WeakMap<readonly LiveTask[], { nodes: readonly LiveNode[]; capacity: readonly NodeCapacity[] }>();

/** a node's figures while its tasks are added up */
interface Tally {
  node: LiveNode;
  tasks: LiveTask[];
  cpu: { reserved: number; limit: number; total: number };
  memory: { reserved: number; limit: number; total: number };
}

function walkCapacity(facts: Pick<LiveFacts, 'nodes' | 'tasks'>): readonly NodeCapacity[] {
  const byNode = new Map<string, Tally>();
  const out: Tally[] = [];
  for (const node of facts.nodes) {
    const c: Tally = {
      node,
      tasks: [],
      cpu: { reserved: 0, limit: 0, total: node.nanoCpus },
      memory: { reserved: 0, limit: 0, total: node.memoryBytes },
    };
    byNode.set(node.id, c);
    out.push(c);
  }
  for (const t of facts.tasks) {
    if (!isActiveTask(t)) continue;
    const c = byNode.get(t.nodeId!);
    if (!c) continue;
    c.tasks.push(t);
    c.cpu.reserved += t.reservation.nanoCpus;
    c.memory.reserved += t.reservation.memoryBytes;
    c.cpu.limit += t.limit.nanoCpus;
    c.memory.limit += t.limit.memoryBytes;
  }
  for (const c of out) {
    Object.freeze(c.tasks);
    Object.freeze(c.cpu);
    Object.freeze(c.memory);
    Object.freeze(c);
  }
  return Object.freeze(out);
}

/** `1.5 CPUs`, `0.25 CPUs`, `1 CPU` from NanoCPUs. */
export function formatCpus(nano: number): string {
  const n = nano / 1e9;
  const s = Number.isInteger(n) ? String(n) : n >= 10 ? n.toFixed(1) : String(+n.toFixed(3));
  return `${s} ${n === 1 ? 'CPU' : 'CPUs'}`;
}

/** A human size with one decimal (`1.5 GiB`, `512 MiB`, `800 KiB`). */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const s = i === 0 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
  return `${s} ${units[i]}`;
}
