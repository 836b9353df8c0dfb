import { isActiveTask, type LiveFacts, type LiveNode, type LiveTask } from './live-facts.js';

/** What one node holds: the reservations of the tasks placed on it against its CPUs and memory. */
export interface NodeCapacity {
  node: LiveNode;
  /** tasks that hold the node's resources now */
  tasks: LiveTask[];
  cpu: { reserved: number; limit: number; total: number };
  memory: { reserved: number; limit: number; total: number };
}

/**
 * Per node, in the order of `facts.nodes`. CPU figures in NanoCPUs, memory in bytes. Read only: the
 * answer for a list of tasks and a list of nodes is kept and given again for the same two lists
 * (an audit asks twice, for `capacity-overcommit` and for the report: 20,000 tasks walked once).
 */
export function computeCapacity(facts: Pick<LiveFacts, 'nodes' | 'tasks'>): NodeCapacity[] {
  const known = computed.get(facts.tasks);
  if (known !== undefined && known.nodes === facts.nodes) return known.capacity;
  const out = walkCapacity(facts);
  computed.set(facts.tasks, { nodes: facts.nodes, capacity: out });
  return out;
}

const computed = new WeakMap<readonly LiveTask[], { nodes: readonly LiveNode[]; capacity: NodeCapacity[] }>();

function walkCapacity(facts: Pick<LiveFacts, 'nodes' | 'tasks'>): NodeCapacity[] {
  const byNode = new Map<string, NodeCapacity>();
  const out: NodeCapacity[] = [];
  for (const node of facts.nodes) {
    const c: NodeCapacity = {
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
  return out;
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
