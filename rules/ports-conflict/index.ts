import { child, items, scalarValue } from '../../src/model/access.js';
import { positionOf } from '../../src/parse/location.js';
import type { Port, Service } from '../../src/model/types.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';
import { writtenWhenSet } from '../show-value.js';

interface Published {
  /** its place in the order the ports were read */
  order: number;
  svc: Service;
  port: Port;
  start: number;
  end: number;
  /** the container port or range, as publishedRange reads it */
  target: [number, number] | null;
  protocol: string;
  /** null: every address */
  address: string | null;
}

/** The largest port number (docker and compose refuse a larger one, which the schema checks report). */
const MAX_PORT = 65535;

/** `8080` or `8080-8090` → [start, end]; null for no published port or an unreadable one (past 65535 included). */
export function publishedRange(published: string | null): [number, number] | null {
  if (published === null) return null;
  const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(published);
  if (!m) return null;
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  return start === 0 || end < start || end > MAX_PORT ? null : [start, end];
}

function normalizeAddress(ip: string | null): string | null {
  if (ip === null) return null;
  const s = ip.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return s === '' || s === '0.0.0.0' || s === '::' ? null : s;
}

/** The host port or range; what the file wrote (`"${PORT}:80"`) when a set variable gave it. */
function describe(p: Published): string {
  const written = p.port.syntax === 'long' ? child(p.port.ref, 'published') : p.port.ref;
  const raw = writtenWhenSet(written);
  if (raw !== null) return `"${raw}"`;
  return p.start === p.end ? String(p.start) : `${p.start}-${p.end}`;
}

export default defineRule({
  meta: {
    id: 'ports-conflict',
    description:
      'No two services publish the same host port and protocol on overlapping addresses (ranges included): the second one cannot start.',
    severity: 'error',
    category: 'references',
    messages: {
      conflict:
        'service "{{service}}" publishes {{protocol}} port {{port}}{{address}}, which service "{{other}}" already publishes{{otherAddress}} (line {{line}}){{when}}; the second one cannot bind it: publish another host port',
      conflictSelf:
        'service "{{service}}" publishes {{protocol}} port {{port}}{{address}} twice (also on line {{line}}{{otherAddress}}); the second binding fails: publish another host port or remove one',
    },
  },
  create(ctx) {
    const swarm = stackTarget(ctx.stack) === 'swarm';
    return {
      stack(stack) {
        const seen = new PublishedIndex(swarm);
        let order = 0;
        for (const svc of stack.services) {
          // a service that runs no task binds no port
          if (svc.replicas?.value === 0 || (!swarm && scalarValue(child(svc.ref, 'scale')) === 0)) continue;
          // swarm starts every service: profiles do not matter there
          const profiles = swarm ? [] : profilesOf(svc);
          // docker compose drops a port entry written twice in a service before it runs it
          // (by its text: an entry the model reads as several ports, a range, is one entry)
          const written = swarm ? null : new Map<string, Port['ref']['node']>();
          for (const port of svc.ports) {
            if (written) {
              const key = composePortKey(port);
              const first = written.get(key);
              if (first !== undefined && first !== port.ref.node) continue;
              written.set(key, port.ref.node);
            }
            const range = publishedRange(port.published);
            if (!range) continue;
            // swarm drops host IPs: every published port listens on every address
            const address = swarm ? null : normalizeAddress(port.hostIp);
            const p: Published = { order: order++, svc, port, start: range[0], end: range[1], target: publishedRange(port.target), protocol: port.protocol.toLowerCase(), address };
            const first = seen.first(p, profiles);
            if (first) {
              const line = positionOf(first.port.ref.node.loc)?.line ?? 0;
              const where = (x: Published) => (x.address === null ? '' : ` on ${x.address}`);
              ctx.report({
                messageId: first.svc === svc ? 'conflictSelf' : 'conflict',
                data: {
                  service: svc.name,
                  protocol: p.protocol,
                  port: describe(p),
                  address: p.address === null ? ' on every address' : ` on ${p.address}`,
                  other: first.svc.name,
                  otherAddress: where(first),
                  line,
                  when: first.svc === svc ? '' : whenBoth(profiles, swarm ? [] : profilesOf(first.svc)),
                },
                at: port.ref,
                loc: locOf(port),
                service: svc,
              });
            }
            seen.add(p, profiles);
          }
        }
      },
    };
  },
});

/**
 * Whether two entries of one service publish the ports they share to the same container ports on
 * the same address: docker compose expands ranges and short forms and then keeps one entry of each
 * binding (compose-go, loader.go: EnforceUnicity after transform.Canonical), so `9000-9001:9000-9001`
 * and `9001:9001`, or `"9000:9000"` and its long form, are one.
 */
function sameBindings(a: Published, b: Published): boolean {
  if (a.svc !== b.svc || a.address !== b.address) return false;
  const targetAt = (p: Published, port: number): number | null => {
    const r = p.target;
    if (!r) return null;
    return r[0] === r[1] ? r[0] : r[0] + (port - p.start);
  };
  // the maps from host port to container port are linear: equal at both ends of the overlap, equal all along
  const lo = Math.max(a.start, b.start);
  const hi = Math.min(a.end, b.end);
  for (const port of lo === hi ? [lo] : [lo, hi]) {
    const ta = targetAt(a, port);
    if (ta === null || ta !== targetAt(b, port)) return false;
  }
  return true;
}

/**
 * When two services run together, for a message: with the profiles that start them both
 * (`docker compose up` starts the services of the profiles asked for and those without any).
 */
function whenBoth(a: readonly string[], b: readonly string[]): string {
  const shared = a.length === 0 ? b : b.length === 0 ? a : a.filter((x) => b.includes(x));
  if (shared.length === 0) return '';
  const names = shared.map((x) => `"${x}"`);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return `, when profile ${list} is enabled`;
}

/** The service's profiles, each once. */
function profilesOf(svc: Service): string[] {
  const out = new Set<string>();
  for (const it of items(child(svc.ref, 'profiles'))) {
    const v = scalarValue(it);
    if (typeof v === 'string') out.add(v);
  }
  return [...out];
}

/** Host ports per bucket: a range spans at most 65,535 / BLOCK of them, a bucket holds few entries. */
const BLOCK = 64;

/**
 * The ports published so far, found by what a new one conflicts with, in time that grows with the
 * ports (comparing each with every one before it grew with their square: 20,000 ports in one
 * service took a second, 40,000 four).
 *
 * Two published ports conflict when they have the same protocol, their host ports overlap, their
 * addresses overlap (one of them is every address, or both are the same), docker compose runs both
 * services at once (one has no profiles, or they share one: `docker compose up` starts only the
 * services of the profiles asked for, and those without any), and they are not one binding of one
 * service written twice (`sameBindings`). Target swarm ignores addresses, profiles and that
 * de-duplication.
 *
 * Each port is filed in buckets by protocol, address, profile and block of host ports, so that
 * every port in a bucket a new port looks in conflicts with it, unless both are one binding of one
 * service:
 * - address: in "every address" ('*') and in its own ('' when it is every address); a port on
 *   every address looks in '*', one on an address in '' and in its own;
 * - profile: in '*' and in each of its profiles ('' when it has none); a port of a service without
 *   profiles looks in '*', one with profiles in '' and in each of its own.
 * A port whose part in a block is already covered by an earlier port of that bucket is not filed
 * there: whatever a later port conflicts with in it, it conflicts with the earlier one first.
 */
class PublishedIndex {
  private readonly buckets = new Map<string, Map<number, Published[]>>();

  constructor(private readonly swarm: boolean) {}

  /** The earliest port filed that `p` conflicts with. */
  first(p: Published, profiles: readonly string[]): Published | undefined {
    let best: Published | undefined;
    for (const address of p.address === null || this.swarm ? ['*'] : ['', `a${p.address}`]) {
      for (const profile of profiles.length === 0 ? ['*'] : ['', ...profiles.map((x) => `p${x}`)]) {
        const blocks = this.buckets.get(`${p.protocol}\u0000${address}\u0000${profile}`);
        if (!blocks) continue;
        for (let b = Math.floor(p.start / BLOCK); b <= Math.floor(p.end / BLOCK); b++) {
          for (const q of blocks.get(b) ?? []) {
            if (best && q.order >= best.order) break;
            if (q.start <= p.end && p.start <= q.end && !this.oneBinding(q, p)) {
              best = q;
              break;
            }
          }
        }
      }
    }
    return best;
  }

  add(p: Published, profiles: readonly string[]): void {
    const addresses = this.swarm ? ['*'] : ['*', p.address === null ? '' : `a${p.address}`];
    for (const address of addresses) {
      for (const profile of ['*', ...(profiles.length === 0 ? [''] : profiles.map((x) => `p${x}`))]) {
        const key = `${p.protocol}\u0000${address}\u0000${profile}`;
        let blocks = this.buckets.get(key);
        if (!blocks) this.buckets.set(key, (blocks = new Map()));
        for (let b = Math.floor(p.start / BLOCK); b <= Math.floor(p.end / BLOCK); b++) {
          const lo = Math.max(p.start, b * BLOCK);
          const hi = Math.min(p.end, b * BLOCK + BLOCK - 1);
          let bucket = blocks.get(b);
          if (!bucket) blocks.set(b, (bucket = []));
          if (!bucket.some((q) => q.start <= lo && hi <= q.end)) bucket.push(p);
        }
      }
    }
  }

  /** Compose's one binding written twice in a service (swarm binds each entry). */
  private oneBinding(q: Published, p: Published): boolean {
    return !this.swarm && sameBindings(q, p);
  }
}

/**
 * What makes two port entries of a service the same one for docker compose (compose-go,
 * override/uncity.go, portIndexer): the text of a short one, or the host address, published and
 * target port and protocol of a long one (0.0.0.0 and tcp where they are not written).
 */
function composePortKey(port: Port): string {
  if (port.syntax === 'short') return `s${String(scalarValue(port.ref))}`;
  const v = (k: string, dflt: string) => {
    const x = scalarValue(child(port.ref, k));
    return x === undefined || x === null ? dflt : String(x);
  };
  return `l${v('host_ip', '0.0.0.0')}:${v('published', '')}:${v('target', '')}/${v('protocol', 'tcp')}`;
}

function locOf(port: Port) {
  if (port.syntax === 'long') {
    const pub = child(port.ref, 'published');
    if (pub && scalarValue(pub) !== undefined) return pub.node.loc;
  }
  return port.ref.node.loc;
}
