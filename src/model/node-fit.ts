/**
 * Whether a stack's tasks fit on nodes, by their reservations: swarm places a task only on a node
 * whose unreserved CPUs and memory hold the task's reservations, so a stack fits when its tasks can
 * be packed onto the nodes without any node going over on either resource.
 *
 * Packing is first-fit decreasing, the classic bin-packing heuristic: the tasks in decreasing
 * order of their larger share of a node (CPU share or memory share), each placed on the first node
 * with room for it; when counting the nodes a stack needs, a task no node holds opens a new one.
 * On one resource it never uses more than 11/9 of the fewest nodes possible (plus one); on two it
 * is an estimate: a count it gives is achievable, and rarely more than the fewest possible. Tasks of one service are identical, so they are
 * placed together (as many per node as fit), and nodes in the same state are kept as one group:
 * the work grows with services × node groups, not with replicas.
 *
 * What it does not model: placement constraints and preferences, `max_replicas_per_node`, and the
 * scheduler's own spreading (swarm spreads a service's tasks rather than packing them, so a stack
 * that packs only tightly may still leave a task pending). Tasks without reservations fit anywhere.
 */

/** A task's reservations: CPUs and bytes. */
export interface Demand {
  cpus: number;
  memory: number;
}

/** The tasks of one service: `count` tasks of the same reservations. */
export interface TaskGroup extends Demand {
  service: string;
  count: number;
}

/** Nodes in the same state: each has `free` CPUs and memory for the stack's tasks. */
interface NodeGroup {
  count: number;
  free: Demand;
  /** the nodes these are (for a report on named nodes) */
  names: string[];
  tasks: number;
}

export interface NodeSpace {
  name: string;
  /** what the stack may reserve on this node */
  free: Demand;
}

export interface Packing {
  /** every task found a node */
  fits: boolean;
  /** tasks that found no node, per service */
  unplaced: Array<{ service: string; count: number }>;
  /** per node, what is left free after the stack's tasks and how many it holds */
  nodes: Array<{ name: string; free: Demand; tasks: number }>;
}

/** The order first-fit decreasing takes: by the larger share of a node, then by name (stable output). */
function sortDecreasing(groups: readonly TaskGroup[], scale: Demand): TaskGroup[] {
  const share = (t: Demand) => Math.max(scale.cpus > 0 ? t.cpus / scale.cpus : 0, scale.memory > 0 ? t.memory / scale.memory : 0);
  return groups
    .filter((g) => g.count > 0 && (g.cpus > 0 || g.memory > 0))
    .sort((a, b) => share(b) - share(a) || b.memory - a.memory || b.cpus - a.cpus || a.service.localeCompare(b.service));
}

/** How many tasks of `d` a node with `free` holds (Infinity for a task that reserves nothing). */
function perNode(free: Demand, d: Demand): number {
  // a hair of tolerance: 0.1 + 0.2 CPUs must fit in 0.3
  const eps = 1e-9;
  const byCpu = d.cpus > 0 ? Math.floor((free.cpus + eps) / d.cpus) : Infinity;
  const byMem = d.memory > 0 ? Math.floor((free.memory + 0.5) / d.memory) : Infinity;
  return Math.max(0, Math.min(byCpu, byMem));
}

/** Place `t` first-fit on the groups (in order), splitting groups as nodes fill; returns the tasks left. */
function placeFirstFit(groups: NodeGroup[], t: TaskGroup): number {
  let left = t.count;
  for (let i = 0; i < groups.length && left > 0; i++) {
    const g = groups[i]!;
    const k = perNode(g.free, t);
    if (k <= 0) continue;
    const after = (n: number): Demand => ({ cpus: g.free.cpus - n * t.cpus, memory: g.free.memory - n * t.memory });
    if (k * g.count <= left) {
      // every node of the group takes k
      g.free = after(k);
      g.tasks += k;
      left -= k * g.count;
      continue;
    }
    // q nodes take k, one takes the rest, the others stay as they were
    const q = Math.floor(left / k);
    const r = left - q * k;
    const split: NodeGroup[] = [];
    if (q > 0) split.push({ count: q, free: after(k), names: g.names.slice(0, q), tasks: g.tasks + k });
    if (r > 0) split.push({ count: 1, free: after(r), names: g.names.slice(q, q + 1), tasks: g.tasks + r });
    const used = q + (r > 0 ? 1 : 0);
    if (g.count > used) split.push({ count: g.count - used, free: g.free, names: g.names.slice(used), tasks: g.tasks });
    groups.splice(i, 1, ...split);
    left = 0;
  }
  return left;
}

/** Pack the tasks onto these nodes (first-fit decreasing). */
export function packTasks(tasks: readonly TaskGroup[], nodes: readonly NodeSpace[]): Packing {
  const scale = largest(nodes.map((n) => n.free));
  const groups: NodeGroup[] = nodes.map((n) => ({ count: 1, free: { ...n.free }, names: [n.name], tasks: 0 }));
  const unplaced: Packing['unplaced'] = [];
  for (const t of sortDecreasing(tasks, scale)) {
    const left = placeFirstFit(groups, t);
    if (left > 0) unplaced.push({ service: t.service, count: left });
  }
  const byName = new Map<string, { free: Demand; tasks: number }>();
  for (const g of groups) for (const n of g.names) byName.set(n, { free: g.free, tasks: g.tasks });
  return {
    fits: unplaced.length === 0,
    unplaced,
    nodes: nodes.map((n) => ({ name: n.name, ...(byName.get(n.name) ?? { free: n.free, tasks: 0 }) })),
  };
}

/** The result of counting nodes: how many, or the task that no node of that size holds. */
export type NodesNeeded = { nodes: number } | { nodes: null; tooLarge: TaskGroup };

/**
 * How many nodes of `size` the tasks need (first-fit decreasing, opening a node when none holds a
 * task), each node first holding `overhead` (the stack's global services, one task per node).
 */
export function countNodesNeeded(tasks: readonly TaskGroup[], size: Demand, overhead: Demand = { cpus: 0, memory: 0 }): NodesNeeded {
  const space: Demand = { cpus: size.cpus - overhead.cpus, memory: size.memory - overhead.memory };
  const groups: NodeGroup[] = [];
  let opened = 0;
  for (const t of sortDecreasing(tasks, size)) {
    const k = perNode(space, t);
    if (k <= 0 || space.cpus < -1e-9 || space.memory < 0) return { nodes: null, tooLarge: t };
    const left = placeFirstFit(groups, t);
    if (left === 0) continue;
    // open just enough new nodes for the rest; they join the end of the first-fit order
    const fresh = Math.ceil(left / k);
    groups.push({ count: fresh, free: { ...space }, names: [], tasks: 0 });
    opened += fresh;
    // the earlier nodes hold no more of these: first fit puts the rest on the new ones
    placeFirstFit(groups, { ...t, count: left });
  }
  // a stack of global services only (or none) still runs on one node at least
  if (space.cpus < -1e-9 || space.memory < 0) return { nodes: null, tooLarge: { service: 'global services', count: 1, ...overhead } };
  return { nodes: Math.max(1, opened) };
}

function largest(ds: readonly Demand[]): Demand {
  let cpus = 0;
  let memory = 0;
  for (const d of ds) {
    cpus = Math.max(cpus, d.cpus);
    memory = Math.max(memory, d.memory);
  }
  return { cpus, memory };
}
