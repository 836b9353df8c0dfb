/**
 * Values docker compose cannot decode although the compose-spec schema takes them: it types these
 * fields as strings or numbers (to allow `${VAR}`), and compose-go reads the string only when it
 * loads the file (types/bytes.go, duration.go, cpus.go, loader/mapstructure.go):
 * - byte sizes: strconv.ParseInt, else go-units' RAMInBytes (`512m`, `1GB`; not `1 gigabyte`);
 * - durations: go-str2duration (Go's units, and `d`, `w`);
 * - CPU counts: strconv.ParseFloat;
 * - `replicas` and `scale`: strconv.Atoi;
 * - a port's short form: nat.ParsePortSpec (transform/ports.go), as docker stack deploy checks it;
 * - a healthcheck.test list that does not start with CMD, CMD-SHELL or NONE (loader/validate.go).
 * A number written as one is read as it is. `docker stack deploy` reads these its own way
 * (src/engine/swarm-schema.ts).
 */
import { isComposeDuration, isGoFloat, isGoInt, sizeRefusal } from '../parse/go-values.js';
import { ports } from '../parse/stack-formats.js';
import type { LMap, LScalar, LVal } from '../parse/located.js';
import { formatPath } from '../parse/location.js';
import type { ConsistencyIssue } from './compose-consistency.js';

type Kind = 'size' | 'duration' | 'cpus' | 'count' | 'port';

/** What docker compose says of a string of that kind it cannot read, or null. */
function refusal(kind: Kind, s: string): string | null {
  if (kind === 'size') return isGoInt(s) ? null : sizeRefusal(s);
  if (kind === 'duration') {
    if (isComposeDuration(s)) return null;
    return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(s) ? `time: missing unit in duration ${JSON.stringify(s)}` : `time: invalid duration ${JSON.stringify(s)}`;
  }
  if (kind === 'cpus') return isGoFloat(s) ? null : `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`;
  if (kind === 'port') return ports(s) ? null : 'nat.ParsePortSpec refuses it';
  return isGoInt(s) ? null : `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
}

const ADVICE: Record<Kind, string> = {
  size: 'write a number of bytes, or a number with a unit such as 512m, 1g or 1GB',
  duration: 'write a number with a unit, such as 10s, 1m30s, 500ms or 1d',
  cpus: 'write a number of CPUs, such as 0.5 or 2',
  count: 'write a whole number, such as 2',
  port: 'expected [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL], an IP address (not a host name) and ports from 0 to 65535 and protocol tcp, udp or sctp',
};
const WHAT: Record<Kind, string> = { size: 'a size', duration: 'a duration', cpus: 'a number of CPUs', count: 'a whole number', port: 'a port' };

/** What a healthcheck.test list may start with (compose-go compares them as written: `cmd` is none). */
const HEALTHCHECK_KINDS = new Set(['CMD', 'CMD-SHELL', 'NONE']);

/** Where in a service each kind is read: keys, `[]` for every item of a list there, a kind at the end. */
type Where = { readonly [key: string]: Where | Kind };
const DURATIONS_OF = (keys: string[]): Where => Object.fromEntries(keys.map((k) => [k, 'duration' as Kind]));
const FIELDS: Where = {
  mem_limit: 'size',
  mem_reservation: 'size',
  memswap_limit: 'size',
  mem_swappiness: 'size',
  shm_size: 'size',
  cpus: 'cpus',
  scale: 'count',
  stop_grace_period: 'duration',
  build: { shm_size: 'size' },
  healthcheck: DURATIONS_OF(['interval', 'timeout', 'start_period', 'start_interval']),
  volumes: { '[]': { tmpfs: { size: 'size' } } },
  // the short form (a string or a number); the long form's fields are typed by the schema
  ports: { '[]': 'port' },
  blkio_config: { device_read_bps: { '[]': { rate: 'size' } }, device_write_bps: { '[]': { rate: 'size' } } },
  deploy: {
    replicas: 'count',
    update_config: DURATIONS_OF(['delay', 'monitor']),
    rollback_config: DURATIONS_OF(['delay', 'monitor']),
    restart_policy: DURATIONS_OF(['delay', 'window']),
    resources: { limits: { memory: 'size', cpus: 'cpus' }, reservations: { memory: 'size', cpus: 'cpus' } },
  },
};

/**
 * Every string value at one of FIELDS that docker compose cannot read, at the value. A walk of the
 * keys a service has that FIELDS names (most services have few of them).
 */
export function composeValueIssues(root: LMap): ConsistencyIssue[] {
  const out: ConsistencyIssue[] = [];
  const services = root.index.get('services')?.value;
  if (services?.kind !== 'map') return out;
  const path: string[] = [];
  const walk = (v: LVal, where: Where | Kind, name: string) => {
    if (typeof where === 'string') {
      if (v.kind === 'scalar') check(v, where, name);
      return;
    }
    if (v.kind === 'map') {
      for (const e of v.entries) {
        const next = Object.hasOwn(where, e.key) ? where[e.key] : undefined;
        if (next === undefined || e.key === '[]') continue;
        path.push(e.key);
        walk(e.value, next, name);
        path.pop();
      }
    } else if (v.kind === 'seq' && where['[]'] !== undefined) {
      for (let i = 0; i < v.items.length; i++) {
        path.push(String(i));
        walk(v.items[i]!.value, where['[]'], name);
        path.pop();
      }
    }
  };
  const check = (n: LScalar, kind: Kind, name: string) => {
    if (typeof n.value !== 'string' && !(kind === 'port' && typeof n.value === 'number')) return;
    // a value a set variable gives is the deploy's: not judged here, and never shown
    if (n.fromEnv) return;
    // an unset variable (an empty value) is told where the variable is
    if (n.raw !== undefined && n.value === '') return;
    const why = refusal(kind, String(n.value));
    if (!why) return;
    const written = n.raw ?? n.value;
    out.push({
      message: `service "${name}" sets ${formatPath(path)} ${JSON.stringify(written)}, which docker compose cannot read as ${WHAT[kind]} (${why}); ${ADVICE[kind]}`,
      loc: n.loc,
      path: ['services', name, ...path],
    });
  };
  for (const svc of services.entries) {
    if (svc.value.kind !== 'map') continue;
    walk(svc.value, FIELDS, svc.key);
    // compose-go, loader/validate.go: a test list says how it runs first
    const hc = svc.value.index.get('healthcheck')?.value;
    const test = hc?.kind === 'map' ? hc.index.get('test')?.value : undefined;
    const first = test?.kind === 'seq' ? test.items[0]?.value : undefined;
    if (first?.kind === 'scalar' && !first.fromEnv && !HEALTHCHECK_KINDS.has(String(first.value))) {
      out.push({
        message: `service "${svc.key}" sets healthcheck.test starting with ${JSON.stringify(first.raw ?? String(first.value))}, which docker compose refuses ("healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE""); start it with "CMD" to run the command as it is, or write ["CMD-SHELL", "..."] to run it through a shell`,
        loc: first.loc,
        path: ['services', svc.key, 'healthcheck', 'test', '0'],
      });
    }
  }
  return out;
}
