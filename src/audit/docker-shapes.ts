/**
 * The shapes of the docker JSON the audit reads (`docker-types.ts`), checked before anything reads
 * it: what docker answers and what a snapshot file holds. A field of another type is one clear
 * message naming the field (`services[3].Spec.Mode.Replicated.Replicas is "3" (a string), expected
 * a number`), never a crash further on. `null` counts as absent, as the engine sends it for empty
 * fields. Fields the audit does not read are not checked (engines add fields in every version).
 */

export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  /** anything: a field kept but never read */
  | 'any'
  | { list: Shape }
  | { map: Shape }
  | { object: Record<string, Shape>; required?: readonly string[] };

const str = 'string';
const num = 'number';
const bool = 'boolean';
const list = (of: Shape): Shape => ({ list: of });
const map = (of: Shape): Shape => ({ map: of });
const obj = (fields: Record<string, Shape>, required?: readonly string[]): Shape => ({ object: fields, required });

const labels = map(str);
const strings = list(str);
const resources = obj({ NanoCPUs: num, MemoryBytes: num, Pids: num });
const updateConfig = obj({ Parallelism: num, Delay: num, FailureAction: str, Monitor: num, MaxFailureRatio: num, Order: str });
const networkAttachments = list(obj({ Target: str, Aliases: strings }));
const fileReference = obj({
  File: obj({ Name: str, UID: str, GID: str, Mode: num }),
  SecretID: str,
  SecretName: str,
  ConfigID: str,
  ConfigName: str,
});

export const INFO_SHAPE: Shape = obj({
  ID: str,
  Name: str,
  NCPU: num,
  MemTotal: num,
  ServerVersion: str,
  OperatingSystem: str,
  Swarm: obj({
    NodeID: str,
    NodeAddr: str,
    LocalNodeState: str,
    ControlAvailable: bool,
    Error: str,
    RemoteManagers: list(obj({ NodeID: str, Addr: str })),
    Nodes: num,
    Managers: num,
    Cluster: obj({
      ID: str,
      CreatedAt: str,
      Spec: obj({
        Name: str,
        Orchestration: obj({ TaskHistoryRetentionLimit: num }),
        CAConfig: obj({ NodeCertExpiry: num }),
        EncryptionConfig: obj({ AutoLockManagers: bool }),
      }),
      TLSInfo: obj({ TrustRoot: str }),
      RootRotationInProgress: bool,
    }),
  }),
});

export const NODE_SHAPE: Shape = obj(
  {
    ID: str,
    Spec: obj({ Name: str, Labels: labels, Role: str, Availability: str }),
    Description: obj({
      Hostname: str,
      Platform: obj({ Architecture: str, OS: str }),
      Resources: obj({ NanoCPUs: num, MemoryBytes: num }),
      Engine: obj({ EngineVersion: str, Labels: labels }),
    }),
    Status: obj({ State: str, Message: str, Addr: str }),
    ManagerStatus: obj({ Leader: bool, Reachability: str, Addr: str }),
  },
  ['ID'],
);

const containerSpec = obj({
  Image: str,
  Labels: labels,
  Command: strings,
  Args: strings,
  Hostname: str,
  Env: strings,
  Dir: str,
  User: str,
  Groups: strings,
  Privileges: obj({ NoNewPrivileges: bool, Seccomp: obj({ Mode: str, Profile: str }), AppArmor: obj({ Mode: str }) }),
  Init: bool,
  TTY: bool,
  OpenStdin: bool,
  ReadOnly: bool,
  Mounts: list(
    obj({
      Type: str,
      Source: str,
      Target: str,
      ReadOnly: bool,
      Consistency: str,
      BindOptions: obj({ Propagation: str, NonRecursive: bool }),
      VolumeOptions: obj({ NoCopy: bool, Labels: labels, DriverConfig: obj({ Name: str, Options: map(str) }) }),
      TmpfsOptions: obj({ SizeBytes: num, Mode: num, Options: list(strings) }),
    }),
  ),
  StopSignal: str,
  StopGracePeriod: num,
  Healthcheck: obj({ Test: strings, Interval: num, Timeout: num, StartPeriod: num, StartInterval: num, Retries: num }),
  Hosts: strings,
  DNSConfig: obj({ Nameservers: strings, Search: strings, Options: strings }),
  Secrets: list(fileReference),
  Configs: list(fileReference),
  Isolation: str,
  Sysctls: map(str),
  CapabilityAdd: strings,
  CapabilityDrop: strings,
  Ulimits: list(obj({ Name: str, Soft: num, Hard: num })),
});

const taskResources = obj({ Limits: resources, Reservations: resources });

export const SERVICE_SHAPE: Shape = obj(
  {
    ID: str,
    CreatedAt: str,
    UpdatedAt: str,
    Spec: obj(
      {
        Name: str,
        Labels: labels,
        TaskTemplate: obj({
          ContainerSpec: containerSpec,
          Resources: taskResources,
          RestartPolicy: obj({ Condition: str, Delay: num, MaxAttempts: num, Window: num }),
          Placement: obj({ Constraints: strings, Preferences: list(obj({ Spread: obj({ SpreadDescriptor: str }) })), MaxReplicas: num }),
          Networks: networkAttachments,
          LogDriver: obj({ Name: str, Options: map(str) }),
        }),
        Mode: obj({
          Replicated: obj({ Replicas: num }),
          Global: obj({}),
          ReplicatedJob: obj({ MaxConcurrent: num, TotalCompletions: num }),
          GlobalJob: obj({}),
        }),
        Networks: networkAttachments,
        UpdateConfig: updateConfig,
        RollbackConfig: updateConfig,
        EndpointSpec: obj({
          Mode: str,
          Ports: list(obj({ Name: str, Protocol: str, TargetPort: num, PublishedPort: num, PublishMode: str })),
        }),
      },
      ['Name'],
    ),
    UpdateStatus: obj({ State: str, StartedAt: str, CompletedAt: str, Message: str }),
    JobStatus: obj({ JobIteration: obj({ Index: num }), LastExecution: str }),
  },
  ['ID', 'Spec'],
);

export const TASK_SHAPE: Shape = obj(
  {
    ID: str,
    ServiceID: str,
    NodeID: str,
    Slot: num,
    CreatedAt: str,
    UpdatedAt: str,
    Spec: obj({ Resources: taskResources }),
    Status: obj({ Timestamp: str, State: str, Message: str, Err: str, ContainerStatus: obj({ ExitCode: num }) }),
    DesiredState: str,
    JobIteration: obj({ Index: num }),
  },
  ['ID', 'ServiceID'],
);

/** `docker network inspect`: a network by the id a service spec names. */
export const NETWORK_SHAPE: Shape = obj({ Id: str, Name: str, Driver: str, Scope: str, Ingress: bool, Options: map(str) }, ['Id', 'Name']);

/** A network as a snapshot keeps it (`trimNetwork`). */
export const SNAPSHOT_NETWORK_SHAPE: Shape = obj({ ID: str, Name: str, Driver: str, Scope: str, Ingress: bool, Options: obj({ encrypted: str }) }, ['ID', 'Name']);

/**
 * The first place where `value` departs from `shape`, as `PATH is VALUE (a TYPE), expected ...`
 * (`PATH` starts with `where`); null when it fits. Iterative, so that a deeply nested hostile
 * document cannot exhaust the stack; each value is visited once. A value's path is kept as a link
 * to its parent's and written out only for the message (a snapshot holds millions of values).
 */
export function findShapeError(value: unknown, shape: Shape, where: string): string | null {
  const root: PathLink = { up: null, key: where, kind: 'root' };
  const vs: unknown[] = [value];
  const ss: Shape[] = [shape];
  const ps: PathLink[] = [root];
  while (vs.length > 0) {
    const v = vs.pop();
    const s = ss.pop()!;
    const p = ps.pop()!;
    if (v === null || v === undefined || s === 'any') continue;
    if (typeof s === 'string') {
      if (typeof v !== s) return mismatch(pathText(p), v, `a ${s}`);
      continue;
    }
    if ('list' in s) {
      if (!Array.isArray(v)) return mismatch(pathText(p), v, 'a list');
      for (let i = v.length - 1; i >= 0; i--) {
        const x: unknown = v[i];
        if (x === null) return mismatch(pathText({ up: p, key: i, kind: 'index' }), null, describeShape(s.list));
        // a scalar of the right type needs no visit (and no path)
        if (typeof s.list === 'string' && (typeof x === s.list || s.list === 'any')) continue;
        vs.push(x);
        ss.push(s.list);
        ps.push({ up: p, key: i, kind: 'index' });
      }
      continue;
    }
    if (typeof v !== 'object' || Array.isArray(v)) return mismatch(pathText(p), v, 'an object');
    const o = v as Record<string, unknown>;
    if ('map' in s) {
      for (const k in o) {
        if (!Object.hasOwn(o, k)) continue;
        const x = o[k];
        if (typeof s.map === 'string' && (typeof x === s.map || s.map === 'any')) continue;
        vs.push(x);
        ss.push(s.map);
        ps.push({ up: p, key: k, kind: 'mapKey' });
      }
      continue;
    }
    for (const k of s.required ?? []) if (o[k] === undefined || o[k] === null) return `${join(pathText(p), k)} is missing; expected ${describeShape(s.object[k]!)}`;
    const keys = Object.keys(s.object);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (!Object.hasOwn(o, k)) continue;
      const x = o[k];
      const f = s.object[k]!;
      if (x === null || x === undefined || (typeof f === 'string' && (typeof x === f || f === 'any'))) continue;
      vs.push(x);
      ss.push(f);
      ps.push({ up: p, key: k, kind: 'field' });
    }
  }
  return null;
}

/** Where a value is: a field, list index or map key of its parent, or the root's path as given. */
interface PathLink {
  up: PathLink | null;
  key: string | number;
  kind: 'root' | 'field' | 'index' | 'mapKey';
}

function pathText(p: PathLink): string {
  const links: PathLink[] = [];
  for (let l: PathLink | null = p; l; l = l.up) links.push(l);
  let out = '';
  for (let i = links.length - 1; i >= 0; i--) {
    const l = links[i]!;
    if (l.kind === 'root') out = String(l.key);
    else if (l.kind === 'field') out = join(out, String(l.key));
    else if (l.kind === 'index') out = `${out}[${l.key}]`;
    else out = `${out}[${JSON.stringify(l.key)}]`;
  }
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function describeShape(s: Shape): string {
  if (typeof s === 'string') return s === 'any' ? 'a value' : `a ${s}`;
  if ('list' in s) return 'a list';
  return 'an object';
}

function mismatch(path: string, v: unknown, expected: string): string {
  return `${path || 'the document'} is ${showValue(v)}, expected ${expected}`;
}

/**
 * A wrong value as the message shows it: numbers and booleans quoted, strings only by kind (a
 * string in the wrong place may be an environment value, which stackopt never prints).
 */
function showValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean') return `${String(v)} (a ${typeof v})`;
  return `a ${typeof v}`;
}
