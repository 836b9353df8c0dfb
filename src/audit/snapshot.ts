import { writeFileAtomic } from '../parse/write-file.js';
import { readText, ReadTextError } from '../parse/read-text.js';
import type { DockerClient } from './docker.js';
import type { DockerInfo, DockerNode, DockerService, DockerTask } from './docker-types.js';

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
  /** the networks (id and name): service specs attach to networks by id (absent in older snapshots) */
  networks?: Array<{ ID: string; Name: string }>;
}

export const SNAPSHOT_FORMAT = 'stackopt-swarm-snapshot';

export type Progress = (message: string) => void;

/** Take a snapshot through the docker CLI: a fixed number of calls, whatever the size of the swarm. */
export async function collectSnapshot(client: DockerClient, opts: { progress?: Progress; now?: () => Date } = {}): Promise<SwarmSnapshot> {
  const progress = opts.progress ?? (() => {});
  progress('asking the engine for its swarm state');
  const info = await client.info();
  client.requireManager(info);
  const takenAt = (opts.now ?? (() => new Date()))().toISOString();
  progress('listing nodes');
  const nodeIds = await client.nodeIds();
  progress(`inspecting ${plural(nodeIds.length, 'node')}`);
  const nodes = nodeIds.length ? await client.inspectNodes(nodeIds) : [];
  progress('listing services');
  const serviceIds = await client.serviceIds();
  progress(`inspecting ${plural(serviceIds.length, 'service')}`);
  const services = serviceIds.length ? await client.inspectServices(serviceIds) : [];
  progress(`listing the tasks of ${plural(services.length, 'service')}`);
  const taskIds = services.length ? await client.taskIds(services.map((s) => s.ID)) : [];
  progress(`inspecting ${plural(taskIds.length, 'task')}`);
  const tasks = taskIds.length ? await client.inspectTasks(taskIds) : [];
  progress('listing networks');
  const networks = services.length ? await client.networks() : [];
  return {
    format: SNAPSHOT_FORMAT,
    version: 1,
    takenAt,
    engine: client.describeEngine(),
    info: trimInfo(info),
    nodes: nodes.map(trimNode),
    services: services.map(trimService),
    tasks: tasks.map(trimTask),
    networks: networks.map((n) => ({ ID: n.ID, Name: n.Name })),
  };
}

export function serializeSnapshot(s: SwarmSnapshot): string {
  return `${JSON.stringify(s, null, 1)}\n`;
}

/**
 * Write atomically: a temporary file created exclusively under a random name, renamed over the
 * target; readable by its owner only (0600), as it describes the swarm.
 */
export function saveSnapshot(path: string, s: SwarmSnapshot): void {
  writeFileAtomic(path, serializeSnapshot(s), { mode: 0o600 });
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
  } catch (e) {
    throw new SnapshotError(`${name} is not JSON (${(e as Error).message}); make one with \`stackopt audit --save-snapshot ${name}\``);
  }
  const bad = (what: string) => new SnapshotError(`${name} is not a stackopt swarm snapshot: ${what}; make one with \`stackopt audit --save-snapshot FILE\``);
  if (!isObject(data)) throw bad('the top level is not an object');
  if (data.format !== SNAPSHOT_FORMAT) throw bad(`"format" is ${JSON.stringify(data.format)}, expected "${SNAPSHOT_FORMAT}"`);
  if (data.version !== 1) throw bad(`"version" is ${JSON.stringify(data.version)}; this stackopt reads version 1`);
  if (typeof data.takenAt !== 'string' || Number.isNaN(Date.parse(data.takenAt))) throw bad('"takenAt" is not a date');
  if (!isObject(data.info)) throw bad('"info" is not an object');
  for (const key of ['nodes', 'services', 'tasks'] as const) {
    const list = data[key];
    if (!Array.isArray(list)) throw bad(`"${key}" is not a list`);
    list.forEach((o, i) => {
      if (!isObject(o) || typeof o.ID !== 'string') throw bad(`${key}[${i}] has no "ID"`);
      if (key === 'services' && (!isObject(o.Spec) || typeof o.Spec.Name !== 'string')) throw bad(`services[${i}] has no "Spec.Name"`);
      if (key === 'tasks' && typeof o.ServiceID !== 'string') throw bad(`tasks[${i}] has no "ServiceID"`);
    });
  }
  if (data.networks !== undefined) {
    if (!Array.isArray(data.networks)) throw bad('"networks" is not a list');
    data.networks.forEach((o, i) => {
      if (!isObject(o) || typeof o.ID !== 'string' || typeof o.Name !== 'string') throw bad(`networks[${i}] has no "ID" or "Name"`);
    });
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
      Cluster: s.Cluster && { ID: s.Cluster.ID, Spec: s.Cluster.Spec && { Name: s.Cluster.Spec.Name, Orchestration: s.Cluster.Spec.Orchestration } },
    },
  };
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
