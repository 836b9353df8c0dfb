/**
 * Values docker compose cannot decode although the compose-spec schema takes them: it types these
 * fields as strings or numbers (to allow `${VAR}`), and compose-go reads the string only when it
 * loads the file (types/bytes.go, duration.go, cpus.go, loader/mapstructure.go):
 * - byte sizes: strconv.ParseInt, else go-units' RAMInBytes (`512m`, `1GB`; not `1 gigabyte`), whose
 *   int64 overflows from 8 EiB up without an error (`10445360463872G`);
 * - durations: go-str2duration (Go's units, and `d`, `w`);
 * - CPU counts: strconv.ParseFloat;
 * - the numbers and booleans compose-go casts from any string (loader/interpolate.go: replicas,
 *   scale, retries, privileged, ulimits, depends_on required, external, ...): strconv.Atoi,
 *   ParseFloat, its toBoolean;
 * - a port's short form: nat.ParsePortSpec (transform/ports.go), as docker stack deploy checks it;
 * - a healthcheck.test list that does not start with CMD, CMD-SHELL or NONE, and network_mode beside
 *   networks (loader/validate.go); a bind mount without a source (paths/resolve.go); a short volume
 *   form it cannot read (format/volume.go: too many colons, an empty section); the long form of a
 *   volume, port or device without a target (override/uncity.go); a command or entrypoint string
 *   with a quote left open (types/command.go), an environment list item whose name ends in a space
 *   (types/mapping.go), an extra host without an address (types/hostList.go).
 * A number written as one is read as it is, but a ulimit written as a number Go's YAML reader makes
 * no int (a uint64 past int64, a float64: `1e3`, `1e30`) is refused. `docker stack deploy` reads these its own way
 * (src/engine/swarm-schema.ts).
 */
import { atoiRefusal, fitsInt64, goBoolean, isComposeDuration, isGoFloat, isGoInt, parseVolumeSpec, shellWordsProblem, sizeOverflow, sizeRefusal, typeNotInt, ULIMIT_ADVICE, ulimitNotIntWhy, volumeSpecProblem } from '../parse/go-values.js';
import { isIp, ports } from '../parse/stack-formats.js';
import { COMPOSE_CASTS, nodeAt, writtenGoNumber, type LEntry, type LMap, type LScalar, type LVal } from '../parse/located.js';
import { formatPath } from '../parse/location.js';
import type { ConsistencyIssue } from './compose-consistency.js';

type Kind = 'size' | 'duration' | 'cpus' | 'int' | 'float' | 'bool' | 'port';

/** What docker compose says of a string of that kind it cannot read, or null. */
function refusal(kind: Kind, s: string): string | null {
  switch (kind) {
    case 'size':
      // strconv.ParseInt reads an integer within int64 (negative ones too); go-units the rest: it
      // refuses a negative size (`-99999999999999999999`), and overflows from 2^63 up
      if (isGoInt(s) && fitsInt64(s)) return null;
      return sizeRefusal(s) ?? sizeOverflow(s);
    case 'duration':
      if (isComposeDuration(s)) return null;
      return /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(s) ? `time: missing unit in duration ${JSON.stringify(s)}` : `time: invalid duration ${JSON.stringify(s)}`;
    case 'cpus':
    case 'float':
      return isGoFloat(s) ? null : `strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`;
    case 'port':
      return ports(s) ? null : 'nat.ParsePortSpec refuses it';
    case 'bool':
      return goBoolean(s) !== null ? null : `invalid boolean: ${s}`;
    case 'int':
      return atoiRefusal(s);
  }
}

const ADVICE: Record<Kind, string> = {
  size: 'write a number of bytes, or a number with a unit such as 512m, 1g or 1GB',
  duration: 'write a number with a unit, such as 10s, 1m30s, 500ms or 1d',
  cpus: 'write a number of CPUs, such as 0.5 or 2',
  int: 'write a whole number, such as 2',
  float: 'write a number, such as 0.5',
  bool: 'write true or false',
  port: 'expected [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL], an IP address (not a host name) and ports from 0 to 65535 and protocol tcp, udp or sctp',
};
const WHAT: Record<Kind, string> = { size: 'a size', duration: 'a duration', cpus: 'a number of CPUs', int: 'a whole number', float: 'a number', bool: 'a boolean', port: 'a port' };

const COMMAND_KEYS = ['command', 'entrypoint'];
/** the counts compose refuses below 0 */
const COUNTS = [['scale'], ['deploy', 'replicas']];

/** Lists whose long form needs a target: [key, what compose calls it, how its message names the item] */
const LONG_FORMS: ReadonlyArray<readonly [string, string, string]> = [
  ['volumes', 'mount target', 'volume'],
  ['ports', 'target port', 'ports'],
  ['devices', 'mount target', 'device'],
];

/** What a healthcheck.test list may start with (compose-go compares them as written: `cmd` is none). */
const HEALTHCHECK_KINDS = new Set(['CMD', 'CMD-SHELL', 'NONE']);

/**
 * Where each kind is read: keys, `*` for any key, `[]` for every item of a list, `''` for the value
 * itself where it may also be a mapping (a short or long form), a kind at the end. The casts are
 * compose-go's (loader/interpolate.go): it casts every string there, written or interpolated.
 */
type Where = { readonly [key: string]: Where | Kind };
const ALL = (kind: Kind, keys: string[]): Where => Object.fromEntries(keys.map((k) => [k, kind]));
const UPDATE: Where = ALL('duration', ['delay', 'monitor']);
const FIELDS: Where = {
  services: {
    '*': {
      ...ALL('size', ['mem_limit', 'mem_reservation', 'memswap_limit', 'mem_swappiness', 'shm_size']),
      cpus: 'cpus',
      stop_grace_period: 'duration',
      build: { shm_size: 'size' },
      healthcheck: ALL('duration', ['interval', 'timeout', 'start_period', 'start_interval']),
      // a port's short form (a string or a number)
      ports: { '[]': { '': 'port' } },
      volumes: { '[]': { tmpfs: { size: 'size' } } },
      blkio_config: { device_read_bps: { '[]': { rate: 'size' } }, device_write_bps: { '[]': { rate: 'size' } } },
      deploy: {
        update_config: UPDATE,
        rollback_config: UPDATE,
        restart_policy: ALL('duration', ['delay', 'window']),
        resources: { limits: { memory: 'size', cpus: 'cpus' }, reservations: { memory: 'size', cpus: 'cpus' } },
      },
    },
  },
};

/** FIELDS as the walk reads it: a value's own kind, its keys, any key, any list item (one look-up a key). */
interface Node {
  kind?: Kind;
  keys?: Map<string, Node>;
  any?: Node;
  item?: Node;
}
function compile(where: Where | Kind): Node {
  if (typeof where === 'string') return { kind: where };
  const node: Node = {};
  for (const k of Object.keys(where)) {
    const v = where[k]!;
    if (k === '') node.kind = v as Kind;
    else if (k === '*') node.any = compile(v);
    else if (k === '[]') node.item = compile(v);
    else (node.keys ??= new Map()).set(k, compile(v));
  }
  return node;
}

/** The trie of FIELDS, with compose's casts (COMPOSE_CASTS, the one table of them) where nothing else is read. */
const TRIE = compile(FIELDS);
for (const [path, kind] of COMPOSE_CASTS) {
  let node = TRIE;
  for (const seg of path) {
    if (seg === '*') node = node.any ??= {};
    else if (seg === '[]') node = node.item ??= {};
    else {
      const keys = (node.keys ??= new Map());
      let next = keys.get(seg);
      if (!next) keys.set(seg, (next = {}));
      node = next;
    }
  }
  // a kind already there (a size, cpus) is what compose reads first
  node.kind ??= kind;
}

/** The kind compose-go reads at a path (keys; list indexes as numbers or digit strings), or undefined. */
export function composeKindAt(path: readonly (string | number)[]): Kind | undefined {
  let node: Node | undefined = TRIE;
  for (const seg of path) {
    const list = typeof seg === 'number' || /^\d+$/.test(seg);
    node = list ? node.item : (node.keys?.get(seg) ?? node.any);
    if (node === undefined) return undefined;
  }
  return node.kind;
}

/** Whether docker compose reads this string at that path as the number or boolean the schema wants there (it casts it before validating). */
export function composeCasts(path: readonly (string | number)[], value: string): boolean {
  const kind = composeKindAt(path);
  return kind !== undefined && kind !== 'size' && kind !== 'duration' && kind !== 'port' && refusal(kind, value) === null;
}

/**
 * Every string value at one of FIELDS that docker compose cannot read, at the value, and each
 * healthcheck.test list it refuses. A walk of the keys the file has that FIELDS names (most
 * services have few of them).
 */
export function composeValueIssues(root: LMap): ConsistencyIssue[] {
  const out: ConsistencyIssue[] = [];
  const services = root.index.get('services')?.value;
  const path: string[] = [];
  const walk = (v: LVal, node: Node) => {
    if (v.kind === 'scalar') {
      if (node.kind !== undefined) check(v, node.kind);
    } else if (v.kind === 'map') {
      if (node.keys === undefined && node.any === undefined) return;
      const entries = v.entries;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const next = node.keys?.get(e.key) ?? node.any;
        if (next === undefined) continue;
        path.push(e.key);
        walk(e.value, next);
        path.pop();
      }
    } else if (node.item !== undefined) {
      for (let i = 0; i < v.items.length; i++) {
        path.push(String(i));
        walk(v.items[i]!.value, node.item);
        path.pop();
      }
    }
  };
  const check = (n: LScalar, kind: Kind) => {
    if (kind === 'int' && path[2] === 'ulimits' && typeof n.value === 'number') return ulimitNotInt(n);
    if (typeof n.value !== 'string' && !(kind === 'port' && typeof n.value === 'number')) return;
    // only what the file wrote: a value an interpolation makes is the deploy's environment's (a
    // variable unset here, "${PORT}:${PORT}" read as ":", is told where the variable is)
    if (n.raw !== undefined) return;
    const why = refusal(kind, String(n.value));
    if (!why) return;
    const written = n.value;
    const what = path[0] === 'services' && path.length > 2 ? `service "${path[1]}" sets ${formatPath(path.slice(2))}` : `${formatPath(path)} is`;
    out.push({ message: `${what} ${JSON.stringify(written)}, which docker compose cannot read as ${WHAT[kind]} (${why}); ${ADVICE[kind]}`, loc: n.loc, path: [...path] });
  };
  // a ulimit written as a whole number that is no int to go.yaml.in/yaml/v4 (a uint64 or a
  // float64): transform/ulimits.go refuses one, and types.UlimitsConfig stops with a panic on soft or hard
  const ulimitNotInt = (n: LScalar) => {
    const num = writtenGoNumber(n, typeNotInt);
    if (!num) return;
    const said = path.length === 5 ? `it stops with a panic: "interface conversion: interface {} is ${num.type}, not int"` : `"${formatPath(path)}: invalid type ${num.type} for external"`;
    out.push({ message: `service "${path[1]}" sets ${formatPath(path.slice(2))} ${num.written}, ${ulimitNotIntWhy(num.type)}, which docker compose refuses (${said}); ${ULIMIT_ADVICE}`, loc: n.loc, path: [...path] });
  };
  walk(root, TRIE);
  if (services?.kind !== 'map') return out;
  for (const svc of services.entries) {
    if (svc.value.kind !== 'map') continue;
    // compose-go, loader/validate.go: a network mode is the service's whole network
    const mode = svc.value.index.get('network_mode')?.value;
    const nets = svc.value.index.get('networks');
    const netCount = nets?.value.kind === 'map' ? nets.value.entries.length : nets?.value.kind === 'seq' ? nets.value.items.length : 0;
    if (mode?.kind === 'scalar' && typeof mode.value === 'string' && mode.value !== '' && nets && netCount > 0) {
      out.push({
        message: `service "${svc.key}" sets network_mode and networks, which docker compose refuses ("service ${svc.key} declares mutually exclusive \`network_mode\` and \`networks\`"); keep one of them: a service on the host's network or another's has no networks of its own`,
        loc: nets.keyLoc,
        path: ['services', svc.key, 'networks'],
      });
    }
    // compose-go, paths/resolve.go: a bind mount needs a source; format/volume.go: the short form
    const volumes = svc.value.index.get('volumes')?.value;
    if (volumes?.kind === 'seq') {
      volumes.items.forEach((it, i) => {
        const short = it.value;
        if (short.kind === 'scalar' && typeof short.value === 'string' && short.raw === undefined) {
          const why = volumeSpecProblem(short.value, true);
          if (why) {
            out.push({
              message: `service "${svc.key}" sets volumes[${i}] ${JSON.stringify(short.value)}, which docker compose cannot read ("invalid spec: ${short.value}: ${why}"); write SOURCE:TARGET[:MODE], with MODE one or more of ro, rw, z, Z, nocopy and the propagation options, joined by commas`,
              loc: short.loc,
              path: ['services', svc.key, 'volumes', String(i)],
            });
          }
          return;
        }
        const type = it.value.kind === 'map' ? it.value.index.get('type') : undefined;
        if (it.value.kind !== 'map' || type?.value.kind !== 'scalar' || type.value.value !== 'bind' || type.value.raw !== undefined || it.value.index.has('source')) return;
        out.push({
          message: `service "${svc.key}" sets volumes[${i}] as a bind mount without a source, which docker compose refuses ("invalid mount config for type "bind": field Source must not be empty"); set source to the path on the host to mount`,
          loc: type.keyLoc,
          path: ['services', svc.key, 'volumes', String(i)],
        });
      });
    }
    // compose-go, types/command.go: a command string is split into words (shellwords)
    for (const key of COMMAND_KEYS) {
      const cmd = svc.value.index.get(key)?.value;
      if (cmd?.kind !== 'scalar' || typeof cmd.value !== 'string' || cmd.raw !== undefined || !shellWordsProblem(cmd.value, true)) continue;
      out.push({
        message: `service "${svc.key}" sets ${key} ${JSON.stringify(cmd.value)} with a quote left open, which docker compose refuses ("invalid command line string"); close the quote, or write the ${key} as a list of words`,
        loc: cmd.loc,
        path: ['services', svc.key, key],
      });
    }
    // types/mapping.go: a variable's name in the list form ends at `=`, not after a space
    const env = svc.value.index.get('environment')?.value;
    if (env?.kind === 'seq') {
      env.items.forEach((it, i) => {
        const v = it.value;
        if (v.kind !== 'scalar' || typeof v.value !== 'string' || v.raw !== undefined) return;
        const eq = v.value.indexOf('=');
        const name = eq < 0 ? v.value : v.value.slice(0, eq);
        if (name === '' || !/\s/.test(name[name.length - 1]!)) return;
        out.push({
          // the name only: the value may be a secret
          message: `service "${svc.key}" sets environment[${i}] with the name ${JSON.stringify(name)}, which docker compose refuses ("environment variable ${name} is declared with a trailing space"); write NAME=value without spaces around the name`,
          loc: v.loc,
          path: ['services', svc.key, 'environment', String(i)],
        });
      });
    }
    // types/hostList.go: an extra host names its address
    const hosts = svc.value.index.get('extra_hosts')?.value;
    if (hosts?.kind === 'seq') {
      hosts.items.forEach((it, i) => {
        const v = it.value;
        if (v.kind !== 'scalar' || typeof v.value !== 'string' || v.raw !== undefined || v.value.includes('=') || v.value.includes(':')) return;
        out.push({
          message: `service "${svc.key}" sets extra_hosts[${i}] ${JSON.stringify(v.value)} without an address, which docker compose refuses ("invalid additional host, missing IP: ${v.value}"); write HOST:ADDRESS or HOST=ADDRESS`,
          loc: v.loc,
          path: ['services', svc.key, 'extra_hosts', String(i)],
        });
      });
    }
    consistency(svc.key, svc.value, services, out);
    // compose-go, override/uncity.go: the long form of a volume, port or device names its target
    for (const [key, what, word] of LONG_FORMS) {
      const list = svc.value.index.get(key)?.value;
      if (list?.kind !== 'seq') continue;
      list.items.forEach((it, i) => {
        if (it.value.kind !== 'map' || it.value.index.has('target')) return;
        out.push({
          message: `service "${svc.key}" sets ${key}[${i}] without a target, which docker compose refuses ("service ${word} ${key}[${i}] is missing a ${what}"); set target to the ${what === 'target port' ? 'port in the container' : 'path in the container'}`,
          loc: it.value.loc,
          path: ['services', svc.key, key, String(i)],
        });
      });
    }
    // compose-go, loader/validate.go: a test list says how it runs first
    const hc = svc.value.index.get('healthcheck')?.value;
    const test = hc?.kind === 'map' ? hc.index.get('test')?.value : undefined;
    const first = test?.kind === 'seq' ? test.items[0]?.value : undefined;
    if (first?.kind === 'scalar' && first.raw === undefined && !HEALTHCHECK_KINDS.has(String(first.value))) {
      out.push({
        message: `service "${svc.key}" sets healthcheck.test starting with ${JSON.stringify(String(first.value))}, which docker compose refuses ("healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE""); start it with "CMD" to run the command as it is, or write ["CMD-SHELL", "..."] to run it through a shell`,
        loc: first.loc,
        path: ['services', svc.key, 'healthcheck', 'test', '0'],
      });
    }
  }
  return out;
}

const text = (v: LVal | undefined): string | undefined => (v?.kind === 'scalar' && v.raw === undefined && typeof v.value === 'string' ? v.value : undefined);

/**
 * What compose-go's checkConsistency (loader/validate.go) refuses in one service, from what the file
 * wrote: dockerfile beside dockerfile_inline, build.platforms without the service's platform, a
 * negative scale or replicas count, a watch rule without a target for an action that syncs, and a
 * tmpfs target mounted again by another tmpfs entry or a volume (volumes of one target are one
 * volume: compose keeps the last before it checks).
 */
function consistency(name: string, svc: LMap, services: LMap, out: ConsistencyIssue[]): void {
  const issue = (loc: LEntry['keyLoc'], path: string[], message: string) => out.push({ message: `service "${name}" ${message}`, loc, path: ['services', name, ...path] });
  const build = svc.index.get('build');
  if (build?.value.kind === 'map') {
    // an additional context from another service's image: that service is there and builds
    const contexts = build.value.index.get('additional_contexts')?.value;
    const pairs: Array<[string, LVal]> = contexts?.kind === 'map' ? contexts.entries.map((e) => [e.key, e.value]) : contexts?.kind === 'seq' ? contexts.items.map((it) => [text(it.value)?.split('=', 1)[0] ?? '', it.value]) : [];
    for (const [ctx, v] of pairs) {
      const written = text(v);
      const value = written === undefined ? undefined : contexts?.kind === 'seq' ? written.slice(written.indexOf('=') + 1) : written;
      if (value === undefined || !value.startsWith('service:')) continue;
      const target = value.slice('service:'.length);
      const other = services.index.get(target)?.value;
      const why = other === undefined ? 'unknown' : other.kind === 'map' && other.index.has('build') ? null : 'non-buildable';
      if (why) issue(v.loc, ['build', 'additional_contexts'], `uses ${why === 'unknown' ? 'service' : 'the image of service'} "${target}" as additional context ${ctx}, which docker compose refuses ("declares ${why} service ${JSON.stringify(target)} as additional contexts ${ctx}"); ${why === 'unknown' ? 'name a service of the file' : 'give that service a build, or name an image'}`);
    }
    const inline = build.value.index.get('dockerfile_inline');
    if (inline && build.value.index.has('dockerfile')) issue(inline.keyLoc, ['build', 'dockerfile_inline'], `sets build.dockerfile and build.dockerfile_inline, which docker compose refuses ("declares mutualy exclusive dockerfile and dockerfile_inline"); keep one of them`);
    const platforms = build.value.index.get('platforms');
    const platform = text(svc.index.get('platform')?.value);
    if (platform !== undefined && platforms?.value.kind === 'seq' && platforms.value.items.length > 0 && platforms.value.items.every((it) => text(it.value) !== undefined) && !platforms.value.items.some((it) => text(it.value) === platform)) {
      issue(platforms.keyLoc, ['build', 'platforms'], `sets platform ${JSON.stringify(platform)}, which build.platforms does not list, and docker compose refuses that ("service.build.platforms MUST include service.platform"); add it to build.platforms`);
    }
  }
  for (const path of COUNTS) {
    const v = nodeAt(svc, path);
    if (v?.kind === 'scalar' && v.raw === undefined && typeof v.value === 'number' && v.value < 0) {
      out.push({ message: `service "${name}" sets ${path.join('.')} to ${v.value}, which docker compose refuses ("services.${name}.${path.join('.')}: must be greater than or equal to 0"); write 0 or more`, loc: v.loc, path: ['services', name, ...path] });
    }
  }
  // compose-go, validation/validation.go: a device request counts devices or names them, not both
  const reservations = svc.index.get('deploy')?.value;
  const devicesAt: Array<[LVal | undefined, string[]]> = [
    [svc.index.get('gpus')?.value, ['gpus']],
    [reservations?.kind === 'map' ? resourcesDevices(reservations) : undefined, ['deploy', 'resources', 'reservations', 'devices']],
  ];
  for (const [list, path] of devicesAt) {
    if (list?.kind !== 'seq') continue;
    list.items.forEach((it, i) => {
      const count = it.value.kind === 'map' ? it.value.index.get('count') : undefined;
      if (count && it.value.kind === 'map' && it.value.index.has('device_ids')) issue(count.keyLoc, [...path, String(i), 'count'], `sets ${path.join('.')}[${i}] with count and device_ids, which docker compose refuses ("count" and "device_ids" attributes are exclusive); give one of them`);
    });
  }
  // and a long-form port's host_ip is an address
  const ports = svc.index.get('ports')?.value;
  if (ports?.kind === 'seq') {
    ports.items.forEach((it, i) => {
      const ip = it.value.kind === 'map' ? text(it.value.index.get('host_ip')?.value) : undefined;
      if (ip !== undefined && !isIp(ip)) issue(it.value.kind === 'map' ? it.value.index.get('host_ip')!.value.loc : it.value.loc, ['ports', String(i), 'host_ip'], `sets ports[${i}].host_ip ${JSON.stringify(ip)}, which docker compose refuses ("invalid ip address: ${ip}"); write an IPv4 or IPv6 address, not a host name`);
    });
  }
  const watch = svc.index.get('develop')?.value;
  const rules = watch?.kind === 'map' ? watch.index.get('watch')?.value : undefined;
  if (rules?.kind === 'seq') {
    rules.items.forEach((it, i) => {
      if (it.value.kind !== 'map' || it.value.index.has('target')) return;
      const action = text(it.value.index.get('action')?.value);
      if (action === undefined || action === 'rebuild' || action === 'restart') return;
      issue(it.value.loc, ['develop', 'watch', String(i)], `sets develop.watch[${i}] with action ${action} and no target, which docker compose refuses ("develop.watch: target is required for non-rebuild actions"); set target to the path in the container`);
    });
  }
  // each mount target once: the tmpfs entries, then the volumes (the last volume of a target)
  const tmpfs = svc.index.get('tmpfs')?.value;
  if (!tmpfs) return;
  const mounts = new Map<string, string>();
  const tmpfsItems = tmpfs?.kind === 'seq' ? tmpfs.items.map((it) => it.value) : tmpfs ? [tmpfs] : [];
  // entries of one key (the text before `=`) are one entry for compose: it keeps the last
  const byKey = new Map<string, number>();
  tmpfsItems.forEach((v, i) => {
    const t = text(v);
    if (t !== undefined) byKey.set(t.split('=', 1)[0]!, i);
  });
  tmpfsItems.forEach((v, i) => {
    const t = text(v);
    if (t === undefined || byKey.get(t.split('=', 1)[0]!) !== i) return;
    const path = t.split(':', 1)[0]!;
    const where = tmpfs?.kind === 'seq' ? `tmpfs[${i}]` : 'tmpfs';
    const first = mounts.get(path);
    if (first !== undefined) issue(v.loc, tmpfs?.kind === 'seq' ? ['tmpfs', String(i)] : ['tmpfs'], `mounts ${path} twice (${first} and ${where}), which docker compose refuses ("target ${path} already mounted"); keep one of them`);
    else mounts.set(path, where);
  });
  const volumes = svc.index.get('volumes')?.value;
  if (volumes?.kind === 'seq' && mounts.size > 0) {
    const last = new Map<string, { i: number; loc: LEntry['keyLoc'] }>();
    volumes.items.forEach((it, i) => {
      const v = it.value;
      const target = v.kind === 'map' ? text(v.index.get('target')?.value) : (() => {
        const spec = text(v);
        const parsed = spec === undefined ? undefined : parseVolumeSpec(spec, true);
        return parsed && !('problem' in parsed) ? parsed.target : undefined;
      })();
      if (target !== undefined) last.set(target, { i, loc: v.loc });
    });
    for (const [target, { i, loc }] of last) {
      const first = mounts.get(target);
      if (first !== undefined) issue(loc, ['volumes', String(i)], `mounts ${target} twice (${first} and volumes[${i}]), which docker compose refuses ("target ${target} already mounted"); keep one of them`);
    }
  }
}

/** deploy.resources.reservations.devices under a deploy mapping, if written. */
function resourcesDevices(deploy: LMap): LVal | undefined {
  const resources = deploy.index.get('resources')?.value;
  const reservations = resources?.kind === 'map' ? resources.index.get('reservations')?.value : undefined;
  return reservations?.kind === 'map' ? reservations.index.get('devices')?.value : undefined;
}
