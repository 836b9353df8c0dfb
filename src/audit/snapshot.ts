import { lstatSync } from 'node:fs';
import { writeOutputFile } from '../parse/write-file.js';
import { notJsonMessage } from '../parse/json-position.js';
import { readText, ReadTextError } from '../parse/read-text.js';
import { DockerError, type DockerClient, type SwarmObjectKind } from './docker.js';
import { findListShapeError, findShapeError, firstListMisfit, INFO_SHAPE, NETWORK_SHAPE, NODE_SHAPE, SERVICE_SHAPE, SNAPSHOT_NETWORK_SHAPE, TASK_SHAPE, type Shape } from './docker-shapes.js';
import { serviceNetworks } from './convert-service.js';
import type { DockerInfo, DockerNetwork, DockerNode, DockerService, DockerTask } from './docker-types.js';
import { noStackError, pickServices, type AuditScope, type VanishedService } from './scope.js';

/**
 * Everything the audit knows about a swarm, taken in one pass of batched docker calls: the engine's
 * info, every node, every service and every task (current and the history the engine keeps).
 * It is saved as JSON (`--save-snapshot`) and read back (`--snapshot`), so an audit can run offline
 * and tests can replay what a real engine said. The docker JSON is kept as the engine sent it, less
 * bulky parts no check reads (certificates, plugin lists, network attachments).
 */
export interface SwarmSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: 1;
  /** when the snapshot was taken (ISO 8601); task ages are measured from here, not from the clock */
  takenAt: string;
  /** the engine it was taken from, as the user named it (`DOCKER_HOST=…`, `docker context "…"`) */
  engine: string;
  info: DockerInfo;
  nodes: DockerNode[];
  /** every service of the swarm: the audit selects by --stack / --service, and capacity needs them all */
  services: DockerService[];
  tasks: DockerTask[];
  /**
   * The networks services attach to, by the swarm id their specs name (absent in older snapshots;
   * those of `docker network ls` have no driver): name, driver, scope, and the `encrypted` option.
   */
  networks?: SnapshotNetwork[];
  /** set when only part of the swarm was read (`--stack`, `--service`): `services` and `tasks` hold that part */
  scope?: { stack: string | null; services: string[] };
  /** objects listed by one call and gone by the next (a task reaped, a service removed), per kind: left out */
  vanished?: Partial<Record<SwarmObjectKind, number>>;
  /**
   * With a scope, the services of `vanished` by id and name (absent in older snapshots): a --service
   * that names one of them is left out of the audit, any other that names nothing is an error
   */
  vanishedServices?: VanishedService[];
  /** environment values replaced by their shape (`saveSnapshot` does it; see `redactSnapshot`) */
  redacted?: boolean;
}

export interface SnapshotNetwork {
  ID: string;
  Name: string;
  Driver?: string;
  Scope?: string;
  Ingress?: boolean;
  /** only the `encrypted` driver option is kept */
  Options?: { encrypted?: string };
}

export const SNAPSHOT_FORMAT = 'stackopt-swarm-snapshot';

export type Progress = (message: string) => void;

export interface CollectOptions {
  progress?: Progress;
  now?: () => Date;
  /** read only these services (and their tasks): the calls are narrowed with docker's filters */
  scope?: AuditScope;
}

/**
 * Take a snapshot through the docker CLI: a fixed number of calls, whatever the size of the swarm.
 * With a scope, the services are listed with docker's filters and only theirs are read, so that a
 * stack of ten services costs ten services on a swarm of a thousand (nodes are always all read).
 * An object that disappears between two calls is left out and counted in `vanished`.
 */
export async function collectSnapshot(client: DockerClient, opts: CollectOptions = {}): Promise<SwarmSnapshot> {
  const progress = opts.progress ?? (() => {});
  const stack = opts.scope?.stack ?? null;
  const wanted = opts.scope?.services ?? [];
  const scoped = stack !== null || wanted.length > 0;
  progress('asking the engine for its swarm state');
  const info = checked('docker info', [await client.info()], INFO_SHAPE, 'info')[0]!;
  client.requireManager(info);
  const takenAt = (opts.now ?? (() => new Date()))().toISOString();
  progress('listing nodes');
  const nodeIds = await client.nodeIds();
  progress(`inspecting ${plural(nodeIds.length, 'node')}`);
  const nodes = checked('docker node inspect', nodeIds.length ? await client.inspectNodes(nodeIds) : [], NODE_SHAPE, 'node');
  progress(stack ? `listing the services of stack "${stack}"` : 'listing services');
  const listed = await selectServices(client, stack, wanted);
  const serviceIds = listed.map((s) => s.id);
  progress(`inspecting ${plural(serviceIds.length, 'service')}`);
  const inspected = checked('docker service inspect', serviceIds.length ? await client.inspectServices(serviceIds) : [], SERVICE_SHAPE, 'service');
  progress(`listing the tasks of ${plural(inspected.length, 'service')}`);
  const taskIds = inspected.length ? await client.taskIds(inspected.map((s) => s.ID)) : [];
  // a service removed between its inspect and `service ps` is gone: its spec is not audited
  const services = inspected.filter((s) => !client.vanished.service.has(s.ID));
  progress(`inspecting ${plural(taskIds.length, 'task')}`);
  const read = checked('docker inspect --type task', taskIds.length ? await client.inspectTasks(taskIds) : [], TASK_SHAPE, 'task');
  // a service removed or changed (scaled, updated) while its tasks were read: its spec and its tasks
  // no longer tell one story (2 replicas wanted, their tasks being removed), so it is asked again
  // and, gone or changed, left out with its tasks and counted with what changed during the read
  const again = services.length ? checked('docker service inspect', await client.inspectServices(services.map((s) => s.ID)), SERVICE_SHAPE, 'service') : [];
  const updatedAt = new Map(again.map((s) => [s.ID, s.UpdatedAt]));
  const settled = services.filter((s) => {
    if (updatedAt.has(s.ID) && updatedAt.get(s.ID) === s.UpdatedAt) return true;
    client.vanished.service.add(s.ID);
    return false;
  });
  const kept = new Set(settled.map((s) => s.ID));
  const tasks = settled.length === services.length ? read : read.filter((t) => kept.has(t.ServiceID));
  const networkIds = [...new Set(settled.flatMap((s) => serviceNetworks(s).map((n) => n.Target ?? '')).filter(Boolean))];
  progress(`inspecting ${plural(networkIds.length, 'network')}`);
  const networks = checked('docker network inspect', networkIds.length ? await client.inspectNetworks(networkIds) : [], NETWORK_SHAPE, 'network');
  const snap: SwarmSnapshot = {
    format: SNAPSHOT_FORMAT,
    version: 1,
    takenAt,
    engine: client.describeEngine(),
    info: trimInfo(info),
    nodes: nodes.map(trimNode),
    services: settled.map(trimService),
    tasks: tasks.map(trimTask),
    networks: networks.map(trimNetwork),
  };
  if (scoped) snap.scope = { stack, services: wanted };
  const vanished = countVanished(client);
  if (vanished) snap.vanished = vanished;
  if (scoped && client.vanished.service.size > 0) {
    // which services of the scope vanished: by the name docker listed or inspected, else by id alone
    const names = new Map<string, string>(listed.flatMap((s) => (s.name === null ? [] : [[s.id, s.name] as const])));
    for (const s of inspected) names.set(s.ID, s.Spec.Name);
    snap.vanishedServices = [...client.vanished.service].map((id) => ({ id, name: names.get(id) ?? null }));
  }
  return snap;
}

/**
 * The services in scope, listed through docker's filters rather than by reading every service: by
 * id and name when names were given to resolve, by id alone otherwise.
 */
async function selectServices(client: DockerClient, stack: string | null, wanted: string[]): Promise<Array<{ id: string; name: string | null }>> {
  if (wanted.length === 0) {
    const ids = await client.serviceIds(stack);
    if (stack && ids.length === 0) throw noStackError(stack, await client.stackNames());
    return ids.map((id) => ({ id, name: null }));
  }
  // names as the user gave them (full, within the stack, an id prefix): resolved on the list of names
  const rows = await client.serviceNames(stack);
  if (stack && rows.length === 0) throw noStackError(stack, await client.stackNames());
  return pickServices(rows, (r) => r.name, (r) => r.id, stack, wanted);
}

function countVanished(client: DockerClient): SwarmSnapshot['vanished'] | undefined {
  const out: Partial<Record<SwarmObjectKind, number>> = {};
  for (const [kind, ids] of Object.entries(client.vanished) as Array<[SwarmObjectKind, Set<string>]>) if (ids.size) out[kind] = ids.size;
  return Object.keys(out).length ? out : undefined;
}

/** Docker's answers in the shape the audit reads, or one error naming the first field that is not. */
function checked<T>(call: string, docs: T[], shape: Shape, what: string): T[] {
  const bad = firstListMisfit(docs, shape, () => '');
  if (bad) {
    const id = (docs[bad.index] as { ID?: unknown } | null)?.ID;
    const which = typeof id === 'string' ? `${what} ${id.slice(0, 25)}` : `${what} ${bad.index + 1} of ${docs.length}`;
    throw new DockerError('failed', `${call} answered JSON of an unexpected shape (${which}): ${bad.message}; check that DOCKER_HOST or --context names a Docker engine`);
  }
  return docs;
}

export function serializeSnapshot(s: SwarmSnapshot): string {
  return `${JSON.stringify(s, null, 1)}\n`;
}

/**
 * Write a snapshot without its secrets (`redactSnapshot`), readable by its owner only (mode 0600),
 * atomically through a temporary file created exclusively under a random name (`writeFileAtomic`).
 * A target that is a symbolic link is written through: the file it points to is replaced; a device
 * or a pipe the name leads to (`--save-snapshot /dev/stdout`) is written to as it is.
 */
export function saveSnapshot(path: string, s: SwarmSnapshot): void {
  const text = serializeSnapshot(redactSnapshot(s));
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    /* a new file */
  }
  writeOutputFile(path, text, { mode: 0o600, inPlace: link });
}

/** Placeholder of a redacted value */
export const REDACTED = '<redacted>';

/**
 * The snapshot with every environment value replaced by what the rules read of it: the variable's
 * name; an empty value, `true`/`false` and `/run/secrets/…` paths as they are (no secret, and
 * `secrets-in-environment` treats them apart); a URL with a user part as `SCHEME://<redacted>:<redacted>@<redacted>`
 * (`:$<redacted>@` where the password was a `$` reference); any other value as `<redacted>`. So the
 * findings of a saved snapshot are those of the live swarm, and the file holds no value.
 */
export function redactSnapshot(s: SwarmSnapshot): SwarmSnapshot {
  return {
    ...s,
    services: s.services.map((svc) => {
      const cs = svc.Spec.TaskTemplate?.ContainerSpec;
      if (!cs?.Env?.length) return svc;
      return { ...svc, Spec: { ...svc.Spec, TaskTemplate: { ...svc.Spec.TaskTemplate, ContainerSpec: { ...cs, Env: cs.Env.map(redactEnvEntry) } } } };
    }),
    redacted: true,
  };
}

function redactEnvEntry(entry: string): string {
  const eq = entry.indexOf('=');
  if (eq < 0) return entry;
  return `${entry.slice(0, eq + 1)}${redactValue(entry.slice(eq + 1))}`;
}

export function redactValue(v: string): string {
  if (v.trim() === '' || /^(?:true|false)$/i.test(v) || v.startsWith('/run/secrets/') || v === REDACTED) return v;
  const url = urlUserPart(v);
  if (url) return `${url.scheme}://${REDACTED}:${url.variable ? '$' : ''}${REDACTED}@${REDACTED}`;
  return REDACTED;
}

/**
 * The first `scheme://user:password@` in a value (as `secrets-in-environment` finds it): its scheme,
 * and whether the password is a `$` reference. Scans each `://` once: linear in the value.
 */
function urlUserPart(v: string): { scheme: string; variable: boolean } | null {
  let at = v.indexOf('://');
  while (at > 0) {
    let start = at;
    while (start > 0 && /[a-z0-9+.-]/i.test(v[start - 1]!)) start--;
    // the scheme starts with a letter at a word boundary; skip leading characters that cannot start it
    while (start < at && !(/[a-z]/i.test(v[start]!) && (start === 0 || !/\w/.test(v[start - 1]!)))) start++;
    if (start < at) {
      let i = at + 3;
      const userStart = i;
      while (i < v.length && !/[\s:/@]/.test(v[i]!)) i++;
      if (i > userStart && v[i] === ':') {
        const pwStart = ++i;
        while (i < v.length && !/[\s@/]/.test(v[i]!)) i++;
        if (i > pwStart && v[i] === '@') return { scheme: v.slice(start, at), variable: v[pwStart] === '$' };
      }
    }
    at = v.indexOf('://', at + 3);
  }
  return null;
}

export class SnapshotError extends Error {}

export function loadSnapshot(path: string): SwarmSnapshot {
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    if (!(e instanceof ReadTextError)) throw e;
    throw new SnapshotError(`cannot read the snapshot ${path}: ${e.message}`);
  }
  return parseSnapshot(text, path);
}

/** Parse and check a snapshot's shape; a message names what is wrong. */
export function parseSnapshot(text: string, name = 'snapshot'): SwarmSnapshot {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // where, not V8's message: that quotes the text around the error, which can be a secret's value
    throw new SnapshotError(`${notJsonMessage(text, name, 'the snapshot', false)}; make one with \`stackopt audit --save-snapshot ${name}\``);
  }
  const bad = (what: string) => new SnapshotError(`${name} is not a stackopt swarm snapshot: ${what}; make one with \`stackopt audit --save-snapshot FILE\``);
  if (!isObject(data)) throw bad('the top level is not an object');
  if (data.format !== SNAPSHOT_FORMAT) throw bad(`"format" is ${JSON.stringify(data.format)}, expected "${SNAPSHOT_FORMAT}"`);
  if (data.version !== 1) throw bad(`"version" is ${JSON.stringify(data.version)}; this stackopt reads version 1`);
  if (typeof data.takenAt !== 'string' || Number.isNaN(Date.parse(data.takenAt))) throw bad('"takenAt" is not a date');
  if (!isObject(data.info)) throw bad('"info" is not an object');
  const fields: Array<[string, Shape]> = [['nodes', NODE_SHAPE], ['services', SERVICE_SHAPE], ['tasks', TASK_SHAPE], ['networks', SNAPSHOT_NETWORK_SHAPE]];
  for (const [key, shape] of fields) {
    const list = data[key];
    if (list === undefined && key === 'networks') continue;
    if (!Array.isArray(list)) throw bad(`"${key}" is not a list`);
    const problem = findListShapeError(list, shape, key);
    if (problem) throw bad(problem);
  }
  const info = findShapeError(data.info, INFO_SHAPE, 'info');
  if (info) throw bad(info);
  if (data.scope !== undefined) {
    const sc = data.scope;
    if (!isObject(sc) || !(sc.stack === null || typeof sc.stack === 'string') || !Array.isArray(sc.services) || !sc.services.every((x) => typeof x === 'string')) {
      throw bad('"scope" is not {stack, services}');
    }
  }
  if (data.vanished !== undefined && (!isObject(data.vanished) || !Object.values(data.vanished).every((n) => Number.isInteger(n) && (n as number) >= 0))) {
    throw bad('"vanished" is not a count per kind of object');
  }
  const vs = data.vanishedServices;
  if (vs !== undefined && (!Array.isArray(vs) || !vs.every((v) => isObject(v) && typeof v.id === 'string' && (v.name === null || typeof v.name === 'string')))) {
    throw bad('"vanishedServices" is not a list of {id, name}');
  }
  return { engine: '', ...data } as unknown as SwarmSnapshot;
}

function isObject(v: unknown): v is Record<string, unknown> & { Spec?: Record<string, unknown> } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function trimInfo(i: DockerInfo): DockerInfo {
  const s = i.Swarm;
  return {
    ID: i.ID,
    Name: i.Name,
    NCPU: i.NCPU,
    MemTotal: i.MemTotal,
    ServerVersion: i.ServerVersion,
    OperatingSystem: i.OperatingSystem,
    Swarm: s && {
      NodeID: s.NodeID,
      NodeAddr: s.NodeAddr,
      LocalNodeState: s.LocalNodeState,
      ControlAvailable: s.ControlAvailable,
      Error: s.Error,
      RemoteManagers: s.RemoteManagers,
      Nodes: s.Nodes,
      Managers: s.Managers,
      Cluster: s.Cluster && trimCluster(s.Cluster),
    },
  };
}

/** The cluster's identity and the settings the swarm rules read (not its external CAs or raft tuning). */
function trimCluster(c: NonNullable<NonNullable<DockerInfo['Swarm']>['Cluster']>): NonNullable<NonNullable<DockerInfo['Swarm']>['Cluster']> {
  const spec = c.Spec;
  return {
    ID: c.ID,
    CreatedAt: c.CreatedAt,
    Spec: spec && {
      Name: spec.Name,
      Orchestration: spec.Orchestration,
      CAConfig: spec.CAConfig ? { NodeCertExpiry: spec.CAConfig.NodeCertExpiry } : spec.CAConfig,
      EncryptionConfig: spec.EncryptionConfig,
    },
    TLSInfo: c.TLSInfo ? { TrustRoot: c.TLSInfo.TrustRoot } : c.TLSInfo,
    RootRotationInProgress: c.RootRotationInProgress,
  };
}

function trimNetwork(n: DockerNetwork): SnapshotNetwork {
  const out: SnapshotNetwork = { ID: n.Id, Name: n.Name, Driver: n.Driver ?? '', Scope: n.Scope ?? '' };
  if (n.Ingress) out.Ingress = true;
  if (n.Options && 'encrypted' in n.Options) out.Options = { encrypted: n.Options.encrypted ?? '' };
  return out;
}

function trimNode(n: DockerNode): DockerNode {
  const d = n.Description;
  const out: DockerNode = { ...n };
  delete (out as { Version?: unknown }).Version;
  if (d) {
    const desc = { ...d } as NonNullable<DockerNode['Description']> & { TLSInfo?: unknown };
    delete desc.TLSInfo;
    if (desc.Engine) {
      const engine = { ...desc.Engine } as NonNullable<typeof desc.Engine> & { Plugins?: unknown };
      delete engine.Plugins;
      desc.Engine = engine;
    }
    out.Description = desc;
  }
  return out;
}

function trimService(s: DockerService): DockerService {
  const out: DockerService = { ID: s.ID, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt, Spec: s.Spec };
  if (s.UpdateStatus) out.UpdateStatus = s.UpdateStatus;
  if (s.JobStatus) out.JobStatus = s.JobStatus;
  return out;
}

function trimTask(t: DockerTask): DockerTask {
  const out: DockerTask = { ID: t.ID, ServiceID: t.ServiceID };
  if (t.NodeID) out.NodeID = t.NodeID;
  if (t.Slot !== undefined) out.Slot = t.Slot;
  out.CreatedAt = t.CreatedAt;
  out.UpdatedAt = t.UpdatedAt;
  out.DesiredState = t.DesiredState;
  if (t.JobIteration) out.JobIteration = t.JobIteration;
  if (t.Status) {
    const st = { ...t.Status } as NonNullable<DockerTask['Status']> & { PortStatus?: unknown };
    delete st.PortStatus;
    out.Status = st;
  }
  const res = t.Spec?.Resources;
  if (res && (res.Limits || res.Reservations)) out.Spec = { Resources: res };
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
