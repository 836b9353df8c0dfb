import { isNodeUsable, type LiveNode, type LiveService } from './live-facts.js';

/**
 * Placement constraints as swarmkit evaluates them: `KEY==VALUE` or `KEY!=VALUE`, all of a service's
 * constraints must hold, values compare case-insensitively, a missing label reads as the empty
 * string (so `!=` holds on a node without it), label names are case-sensitive.
 */
export interface Constraint {
  raw: string;
  key: string;
  op: '==' | '!=';
  value: string;
}

export function parseConstraint(raw: string): Constraint | null {
  const t = raw.trim();
  const m = /^([^=!\s]+)\s*(==|!=)/.exec(t);
  if (!m) return null;
  const value = t.slice(m[0].length).trim();
  if (/[\n\r\u2028\u2029]/.test(value)) return null;
  return { raw, key: m[1]!, op: m[2] as Constraint['op'], value };
}

const ARCH_ALIASES: Record<string, string> = { amd64: 'x86_64', x86_64: 'x86_64', arm64: 'aarch64', aarch64: 'aarch64' };

/** The node's value(s) for a constraint key, or null when stackopt does not know the key. */
export function nodeValues(key: string, n: LiveNode): string[] | null {
  const k = key.toLowerCase();
  if (k === 'node.id') return [n.id];
  if (k === 'node.hostname') return [n.hostname];
  if (k === 'node.role') return [n.role];
  if (k === 'node.platform.os') return [n.os];
  if (k === 'node.platform.arch') return [n.arch, ARCH_ALIASES[n.arch.toLowerCase()] ?? n.arch];
  if (k === 'node.ip') return [n.addr];
  if (k.startsWith('node.labels.')) return [n.labels[key.slice('node.labels.'.length)] ?? ''];
  if (k.startsWith('engine.labels.')) return [n.engineLabels[key.slice('engine.labels.'.length)] ?? ''];
  return null;
}

/** Whether the node satisfies the constraint; null when the key is one stackopt cannot evaluate. */
export function matches(c: Constraint, n: LiveNode): boolean | null {
  const values = nodeValues(c.key, n);
  if (values === null) return null;
  let want = c.value;
  if (c.key.toLowerCase() === 'node.platform.arch') want = ARCH_ALIASES[want.toLowerCase()] ?? want;
  const hit = c.key.toLowerCase() === 'node.ip' ? values.some((v) => ipMatches(v, want)) : values.some((v) => v.toLowerCase() === want.toLowerCase());
  return c.op === '==' ? hit : !hit;
}

/** `node.ip` takes an address or a CIDR range. */
function ipMatches(addr: string, want: string): boolean {
  const slash = want.indexOf('/');
  if (slash < 0) return addr === want;
  const bits = Number(want.slice(slash + 1));
  const a = ipv4(addr);
  const b = ipv4(want.slice(0, slash));
  if (a === null || b === null || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function ipv4(s: string): number | null {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return null;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** Shared by every service with the same constraints (see analysePlacement): read only. */
export interface PlacementAnalysis {
  readonly constraints: readonly Constraint[];
  /** nodes satisfying every constraint, whatever their state */
  readonly matching: readonly LiveNode[];
  /** matching nodes that can take tasks (active and ready) */
  readonly eligible: readonly LiveNode[];
  /** for each constraint, the nodes it rules out */
  readonly excludedBy: ReadonlyMap<Constraint, readonly LiveNode[]>;
}

/**
 * Where a service's tasks may go. Several rules and the report ask this for every service of a
 * swarm, and most services share their constraints (often none), so the answer is kept per node
 * list and set of constraints: the result is shared, and read only.
 */
export function analysePlacement(svc: Pick<LiveService, 'constraints'>, nodes: readonly LiveNode[]): PlacementAnalysis {
  let memo = placementMemo.get(nodes);
  if (!memo || memo.length !== nodes.length) placementMemo.set(nodes, (memo = { length: nodes.length, byConstraints: new Map() }));
  const key = JSON.stringify(svc.constraints);
  let p = memo.byConstraints.get(key);
  if (!p) memo.byConstraints.set(key, (p = computePlacement(svc.constraints, nodes)));
  return p;
}

const placementMemo = new WeakMap<readonly LiveNode[], { length: number; byConstraints: Map<string, PlacementAnalysis> }>();

function computePlacement(raw: readonly string[], nodes: readonly LiveNode[]): PlacementAnalysis {
  const constraints = raw.map(parseConstraint).filter((c): c is Constraint => c !== null);
  const excludedBy = new Map<Constraint, LiveNode[]>();
  for (const c of constraints) excludedBy.set(c, []);
  const matching: LiveNode[] = [];
  for (const n of nodes) {
    let ok = true;
    for (const c of constraints) {
      if (matches(c, n) === false) {
        ok = false;
        excludedBy.get(c)!.push(n);
      }
    }
    if (ok) matching.push(n);
  }
  return { constraints, matching, eligible: matching.filter(isNodeUsable), excludedBy };
}
