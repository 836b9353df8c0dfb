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
 * (`PATH` starts with `where`); null when it fits. The value itself must be there: null or absent
 * is `PATH is null, expected an object`. Each shape is compiled once into a checker that visits a
 * value only where the shape goes (a scalar of the right type is checked where it is found), so the
 * depth of the walk is the shape's, however deep a hostile document nests, and nothing is allocated
 * for a value that fits: the path is written out only for the message (a snapshot holds millions of
 * values).
 */
export function findShapeError(value: unknown, shape: Shape, where: string): string | null {
  if (value === null || value === undefined) return mismatch(where, null, describeShape(shape));
  if (fitsOf(shape)(value)) return null;
  const failure = checkerOf(shape)(value);
  return failure ? failure.message(pathText(where, failure.path)) : null;
}

/**
 * The same for each item of a list, whose items are at `where[i]` (`services[3]`): the message
 * about the first item that does not fit, or null.
 */
export function findListShapeError(list: readonly unknown[], shape: Shape, where: string): string | null {
  const fits = fitsOf(shape);
  const check = checkerOf(shape);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === null || v === undefined) return mismatch(`${where}[${i}]`, null, describeShape(shape));
    if (fits(v)) continue;
    const failure = check(v);
    if (failure) return failure.message(pathText(`${where}[${i}]`, failure.path));
  }
  return null;
}

/**
 * Whether a value (neither null nor absent) fits a shape: the same test as the shape's checker,
 * compiled to straight-line code with the shape's field names as literals (a snapshot has tens of
 * thousands of tasks, and a loop over a shape's fields reading `value[field]` looks each field up
 * generically). Only a value that does not fit is walked again by the checker, for its message.
 */
type Fits = (v: unknown) => boolean;

const fitsCache = new WeakMap<object, Fits>();

function fitsOf(shape: Shape): Fits {
  if (typeof shape === 'string') return (v) => shape === 'any' || typeof v === shape;
  let f = fitsCache.get(shape);
  if (!f) {
    const names = { n: 0 };
    const body = fitsCode(shape, 'v', names);
    // the code is made from the shapes above (field names written as JSON string literals), never from input
    f = new Function('v', `'use strict';\n${body}\nreturn true;`) as Fits;
    fitsCache.set(shape, f);
  }
  return f;
}

/** Statements that `return false` when the value in `x` (neither null nor absent) does not fit `shape`. */
function fitsCode(shape: Shape, x: string, names: { n: number }): string {
  if (shape === 'any') return '';
  if (typeof shape === 'string') return `if (typeof ${x} !== ${JSON.stringify(shape)}) return false;`;
  const notObject = `typeof ${x} !== 'object' || Array.isArray(${x})`;
  const id = names.n++;
  if ('list' in shape) {
    const i = `i${id}`;
    const y = `y${id}`;
    return `if (!Array.isArray(${x})) return false;
for (let ${i} = 0; ${i} < ${x}.length; ${i}++) {
const ${y} = ${x}[${i}];
if (${y} === null) return false;
if (${y} === undefined) continue;
${fitsCode(shape.list, y, names)}
}`;
  }
  if ('map' in shape) {
    const i = `i${id}`;
    const k = `k${id}`;
    const y = `y${id}`;
    return `if (${notObject}) return false;
const ${k} = Object.keys(${x});
for (let ${i} = 0; ${i} < ${k}.length; ${i}++) {
const ${y} = ${x}[${k}[${i}]];
if (${y} === null || ${y} === undefined) continue;
${fitsCode(shape.map, y, names)}
}`;
  }
  const lines = [`if (${notObject}) return false;`];
  for (const k of shape.required ?? []) lines.push(`if (${x}[${JSON.stringify(k)}] === undefined || ${x}[${JSON.stringify(k)}] === null) return false;`);
  for (const [k, of] of Object.entries(shape.object)) {
    if (of === 'any') continue;
    const y = `f${names.n++}`;
    lines.push(`{ const ${y} = ${x}[${JSON.stringify(k)}];\nif (${y} !== null && ${y} !== undefined) {\n${fitsCode(of, y, names)}\n} }`);
  }
  return lines.join('\n');
}

/** Where a value departs from its shape: the steps to it from the checked value, innermost first. */
interface Failure {
  path: Step[];
  message: (path: string) => string;
}

/** A field (`.Name`), a list index (`[3]`) or a map key (`["a.b"]`). */
type Step = { kind: 'field' | 'mapKey'; key: string } | { kind: 'index'; key: number };

/** Checks a value that is neither null nor absent. */
type Checker = (v: unknown) => Failure | null;

const checkers = new WeakMap<object, Checker>();
const scalarCheckers = new Map<string, Checker>();

function checkerOf(shape: Shape): Checker {
  if (typeof shape === 'string') {
    let c = scalarCheckers.get(shape);
    if (!c) scalarCheckers.set(shape, (c = compile(shape)));
    return c;
  }
  let c = checkers.get(shape);
  if (!c) checkers.set(shape, (c = compile(shape)));
  return c;
}

function fail(v: unknown, expected: string): Failure {
  return { path: [], message: (path) => mismatch(path, v, expected) };
}

/** A scalar shape that a value of `typeof` fits without a visit, or null for a list, map or object. */
function scalarType(s: Shape): string | null {
  return typeof s === 'string' ? s : null;
}

function compile(shape: Shape): Checker {
  if (shape === 'any') return () => null;
  if (typeof shape === 'string') return (v) => (typeof v === shape ? null : fail(v, `a ${shape}`));
  if ('list' in shape) {
    const of = shape.list;
    const scalar = scalarType(of);
    const item = checkerOf(of);
    const expected = describeShape(of);
    return (v) => {
      if (!Array.isArray(v)) return fail(v, 'a list');
      // a null item is told before what is inside the items (the last one, as the walk found it first)
      for (let i = v.length - 1; i >= 0; i--) {
        if (v[i] === null) {
          const f = fail(null, expected);
          f.path.push({ kind: 'index', key: i });
          return f;
        }
      }
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x === undefined || scalar === 'any' || typeof x === scalar) continue;
        const f = item(x);
        if (f) {
          f.path.push({ kind: 'index', key: i });
          return f;
        }
      }
      return null;
    };
  }
  if ('map' in shape) {
    const of = shape.map;
    const scalar = scalarType(of);
    const item = checkerOf(of);
    return (v) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(v, 'an object');
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      // from the last key: the order the walk has always reported in
      for (let i = keys.length - 1; i >= 0; i--) {
        const x = o[keys[i]!];
        if (x === null || x === undefined || scalar === 'any' || typeof x === scalar) continue;
        const f = item(x);
        if (f) {
          f.path.push({ kind: 'mapKey', key: keys[i]! });
          return f;
        }
      }
      return null;
    };
  }
  const fields = Object.keys(shape.object);
  const shapes = fields.map((k) => shape.object[k]!);
  const scalars = shapes.map(scalarType);
  const required = (shape.required ?? []).map((k) => [k, describeShape(shape.object[k]!)] as const);
  // compiled when first used: a shape's fields are compiled once, whatever order they are met in
  let items: Checker[] | null = null;
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(v, 'an object');
    const o = v as Record<string, unknown>;
    for (const [k, expected] of required) {
      if (o[k] === undefined || o[k] === null) return { path: [], message: (path) => `${join(path, k)} is missing; expected ${expected}` };
    }
    for (let i = 0; i < fields.length; i++) {
      const x = o[fields[i]!];
      if (x === null || x === undefined) continue;
      const scalar = scalars[i];
      if (scalar !== null && (scalar === 'any' || typeof x === scalar)) continue;
      items ??= shapes.map(checkerOf);
      const f = items[i]!(x);
      if (f) {
        f.path.push({ kind: 'field', key: fields[i]! });
        return f;
      }
    }
    return null;
  };
}

/** `where` and the steps (innermost first) as `services[3].Spec.Labels["a"]`. */
function pathText(where: string, steps: readonly Step[]): string {
  let out = where;
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.kind === 'field') out = join(out, s.key);
    else if (s.kind === 'index') out = `${out}[${s.key}]`;
    else out = `${out}[${JSON.stringify(s.key)}]`;
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
