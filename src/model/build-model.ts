import type { LMap } from '../parse/located.js';
import type { SourceFile } from '../parse/source-file.js';
import { at, child, entries, items, located, rootRef, scalarValue, type LRef, type Located } from './access.js';
import { parseShortPort } from '../parse/stack-formats.js';
import type { Healthcheck, Mount, Port, Resources, Service, SleepPolicy, Stack, TopLevelObject } from './types.js';
import { parseBytes, parseCpus, parseDuration } from './units.js';

/** Build the typed model from a located (interpolated, merged) compose tree. */
export function buildModel(root: LMap, files: SourceFile[], origin: Stack['origin'] = 'file'): Stack {
  const r = rootRef(root);
  const services: Service[] = [];
  for (const { key, ref } of entries(child(r, 'services'))) {
    if (ref.node.kind !== 'map') continue; // the schema reports it
    services.push(buildService(key, ref as LRef<LMap>));
  }
  return {
    origin,
    files,
    root: r,
    services,
    networks: topLevel(child(r, 'networks')),
    volumes: topLevel(child(r, 'volumes')),
    secrets: topLevel(child(r, 'secrets')),
    configs: topLevel(child(r, 'configs')),
  };
}

function topLevel(ref: LRef | undefined): Map<string, TopLevelObject> {
  const out = new Map<string, TopLevelObject>();
  for (const { key, ref: r } of entries(ref)) out.set(key, { name: key, ref: r, loc: r.entry!.keyLoc });
  return out;
}

function str(ref: LRef | undefined): Located<string> | null {
  const v = scalarValue(ref);
  if (v === undefined || v === null) return null;
  return located(ref!, String(v));
}

function num(ref: LRef | undefined, parse: (v: unknown) => number | null): Located<number> | null {
  const v = scalarValue(ref);
  if (v === undefined) return null;
  const n = parse(v);
  return n === null ? null : located(ref!, n);
}

const toInt = (v: unknown): number | null => {
  const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) ? n : null;
};

/** One service of the model: its typed, normalised fields, each with the node it was read from. */
export function buildService(name: string, ref: LRef<LMap>): Service {
  const deploy = child(ref, 'deploy') ?? null;
  const healthRef = child(ref, 'healthcheck');
  const capDropRef = child(ref, 'cap_drop');
  const readOnly = child(ref, 'read_only');
  const ro = scalarValue(readOnly);
  return {
    name,
    nameLoc: ref.entry ? ref.entry.keyLoc : ref.node.loc,
    ref,
    image: str(child(ref, 'image')),
    user: str(child(ref, 'user')),
    deploy,
    mode: str(at(deploy, 'mode')),
    replicas: num(at(deploy, 'replicas'), toInt),
    limits: resources(at(deploy, 'resources', 'limits')),
    reservations: resources(at(deploy, 'resources', 'reservations')),
    healthcheck: healthRef && healthRef.node.kind === 'map' ? healthcheck(healthRef) : null,
    capAdd: stringItems(child(ref, 'cap_add')),
    capDrop: capDropRef ? { ref: capDropRef, items: stringItems(capDropRef) } : null,
    readOnly: typeof ro === 'boolean' ? located(readOnly!, ro) : ro === 'true' || ro === 'false' ? located(readOnly!, ro === 'true') : null,
    tmpfs: tmpfsMounts(child(ref, 'tmpfs')),
    volumes: volumeMounts(child(ref, 'volumes')),
    ports: ports(child(ref, 'ports')),
    networks: networkRefs(child(ref, 'networks')),
    labels: readKeyValues(child(ref, 'labels')) as Map<string, Located<string>>,
    environment: readKeyValues(child(ref, 'environment')),
    sleepPolicy: sleepPolicy(ref),
    xStackopt: child(ref, 'x-stackopt') ?? null,
  };
}

function resources(ref: LRef | undefined): Resources {
  return {
    ref: ref ?? null,
    cpus: num(child(ref, 'cpus'), parseCpus),
    memory: num(child(ref, 'memory'), parseBytes),
    pids: num(child(ref, 'pids'), toInt),
  };
}

function healthcheck(ref: LRef): Healthcheck {
  const testRef = child(ref, 'test');
  let test: Located<string[] | string> | null = null;
  if (testRef) {
    if (testRef.node.kind === 'seq') test = located(testRef, items(testRef).map((i) => String(scalarValue(i) ?? '')));
    else if (testRef.node.kind === 'scalar' && testRef.node.value !== null) test = located(testRef, String(testRef.node.value));
  }
  const disable = scalarValue(child(ref, 'disable'));
  return {
    ref,
    disable: disable === true || disable === 'true',
    test,
    interval: num(child(ref, 'interval'), parseDuration),
    timeout: num(child(ref, 'timeout'), parseDuration),
    startPeriod: num(child(ref, 'start_period'), parseDuration),
    retries: num(child(ref, 'retries'), toInt),
  };
}

function stringItems(ref: LRef | undefined): Located<string>[] {
  const out: Located<string>[] = [];
  for (const i of items(ref)) {
    const v = scalarValue(i);
    if (v !== undefined && v !== null) out.push(located(i, String(v)));
  }
  return out;
}

function tmpfsMounts(ref: LRef | undefined): Mount[] {
  if (!ref) return [];
  const list = ref.node.kind === 'seq' ? items(ref) : [ref];
  const out: Mount[] = [];
  for (const i of list) {
    const v = scalarValue(i);
    if (typeof v !== 'string') continue;
    const colon = v.indexOf(':');
    const target = colon < 0 ? v : v.slice(0, colon);
    const options = colon < 0 ? [] : v.slice(colon + 1).split(',').map((o) => o.trim()).filter(Boolean);
    const sizeOpt = options.find((o) => o.startsWith('size='));
    out.push({ ref: i, syntax: 'short', type: 'tmpfs', source: null, target, readOnly: false, size: sizeOpt ? parseBytes(sizeOpt.slice(5)) : null, options });
  }
  return out;
}

function volumeMounts(ref: LRef | undefined): Mount[] {
  const out: Mount[] = [];
  for (const i of items(ref)) {
    if (i.node.kind === 'scalar' && typeof i.node.value === 'string') {
      const parts = splitVolume(i.node.value);
      const source = parts.length > 1 ? parts[0]! : null;
      const target = parts.length > 1 ? parts[1]! : parts[0]!;
      const mode = parts[2] ?? '';
      const type = source === null ? 'volume' : /^[./~]|^[A-Za-z]:[\\/]/.test(source) ? 'bind' : 'volume';
      out.push({ ref: i, syntax: 'short', type, source, target, readOnly: mode.split(',').includes('ro'), size: null, options: mode ? mode.split(',') : [] });
    } else if (i.node.kind === 'map') {
      const type = String(scalarValue(child(i, 'type')) ?? 'volume');
      const src = scalarValue(child(i, 'source'));
      const ro = scalarValue(child(i, 'read_only'));
      out.push({
        ref: i,
        syntax: 'long',
        type,
        source: src === undefined || src === null ? null : String(src),
        target: String(scalarValue(child(i, 'target')) ?? ''),
        readOnly: ro === true || ro === 'true',
        size: parseBytes(scalarValue(at(i, 'tmpfs', 'size'))),
        options: [],
      });
    }
  }
  return out;
}

/** `SOURCE:TARGET:MODE`, keeping a Windows drive letter (`C:\data`) in the source. */
function splitVolume(s: string): string[] {
  const parts = s.split(':');
  if (parts.length > 1 && /^[A-Za-z]$/.test(parts[0]!) && /^[\\/]/.test(parts[1]!)) {
    parts.splice(0, 2, `${parts[0]}:${parts[1]}`);
  }
  return parts;
}

function networkRefs(ref: LRef | undefined): Array<{ name: string; ref: LRef }> {
  if (ref?.node.kind === 'seq') {
    const out: Array<{ name: string; ref: LRef }> = [];
    for (const i of items(ref)) {
      const v = scalarValue(i);
      if (typeof v === 'string') out.push({ name: v, ref: i });
    }
    return out;
  }
  return entries(ref).map((e) => ({ name: e.key, ref: e.ref }));
}

function ports(ref: LRef | undefined): Port[] {
  const out: Port[] = [];
  for (const i of items(ref)) {
    const v = scalarValue(i);
    if (i.node.kind === 'map') {
      const pub = scalarValue(child(i, 'published'));
      const hostIp = scalarValue(child(i, 'host_ip'));
      const mode = scalarValue(child(i, 'mode'));
      out.push({
        ref: i,
        syntax: 'long',
        target: String(scalarValue(child(i, 'target')) ?? ''),
        published: pub === undefined || pub === null ? null : String(pub),
        hostIp: hostIp === undefined || hostIp === null ? null : String(hostIp),
        protocol: String(scalarValue(child(i, 'protocol')) ?? 'tcp'),
        mode: mode === undefined || mode === null ? null : String(mode),
      });
    } else if (v !== undefined && v !== null) {
      out.push({ ref: i, syntax: 'short', ...parseShortPort(String(v)) });
    }
  }
  return out;
}

/** `environment` / `labels` (also `deploy.labels`) in either form: a mapping or a list of `KEY=VALUE`. */
export function readKeyValues(ref: LRef | undefined): Map<string, Located<string | number | boolean | null>> {
  const out = new Map<string, Located<string | number | boolean | null>>();
  if (!ref) return out;
  if (ref.node.kind === 'map') {
    for (const { key, ref: r } of entries(ref)) {
      const v = scalarValue(r);
      out.set(key, located(r, v === undefined ? null : v));
    }
  } else {
    for (const i of items(ref)) {
      const v = scalarValue(i);
      if (typeof v !== 'string') continue;
      const eq = v.indexOf('=');
      out.set(eq < 0 ? v : v.slice(0, eq), located(i, eq < 0 ? null : v.slice(eq + 1)));
    }
  }
  return out;
}

function sleepPolicy(ref: LRef<LMap>): SleepPolicy | null {
  const plain = child(ref, 'sleep_policy');
  if (plain) return { key: 'sleep_policy', ref: plain };
  const ext = child(ref, 'x-sleep-policy');
  if (ext) return { key: 'x-sleep-policy', ref: ext };
  return null;
}
