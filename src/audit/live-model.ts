import { X509Certificate } from 'node:crypto';
import { buildModel } from '../model/build-model.js';
import { compareNames, sortByName } from '../model/collate.js';
import type { LiveLoc } from '../parse/location.js';
import type { Service, Stack } from '../model/types.js';
import { makeMap, type LEntry, type LMap } from '../parse/located.js';
import { noStackError, pickServices, ScopeError, type AuditScope } from './scope.js';
import { convertService, serviceNetworks, tmpfsOptions } from './convert-service.js';
import type { DockerNode, DockerService, DockerTask, SwarmInfo } from './docker-types.js';
import type { LiveFacts, LiveNetwork, LiveNode, LiveService, LiveSwarm, LiveTask, ServiceMode } from '../model/live-facts.js';
import { LiveStrings, LiveTree } from './live-tree.js';
import { SLEEP_POLICY_LABEL_PREFIX, STACK_IMAGE_LABEL, STACK_NAMESPACE_LABEL } from '../model/labels.js';
import type { SwarmSnapshot } from './snapshot.js';

export { ScopeError, type AuditScope };

/**
 * The snapshot as a `Stack`: the services in scope converted to the model files produce, plus live
 * facts. `tasks` are the facts of `snap.tasks` when the caller made them already (`buildTasks`), so
 * that it could let the parsed tasks go first.
 */
export function buildLiveStack(snap: SwarmSnapshot, asked: AuditScope = {}, tasks?: LiveTask[]): Stack {
  // a snapshot of part of the swarm is audited as that part unless asked for less
  const scope = asked.stack || asked.services?.length ? asked : (snap.scope ?? asked);
  const selected = selectServices(snap, scope);
  const entries: LEntry[] = [];
  const secrets = new Set<string>();
  const configs = new Set<string>();
  const networks = new Set<string>();
  // a snapshot from before networks were recorded leaves services without their networks
  const networkNames = snap.networks ? new Map(snap.networks.map((n) => [n.ID, n.Name])) : undefined;
  const strings = new LiveStrings();
  for (const svc of selected) {
    const { name, tree, nameLoc } = convertService(svc, networkNames, strings);
    if (networkNames) for (const n of serviceNetworks(svc)) networks.add(networkNames.get(n.Target ?? '') ?? n.Target ?? '');
    entries.push({ key: name, keyLoc: nameLoc, value: tree });
    for (const s of svc.Spec.TaskTemplate?.ContainerSpec?.Secrets ?? []) if (s.SecretName) secrets.add(s.SecretName);
    for (const c of svc.Spec.TaskTemplate?.ContainerSpec?.Configs ?? []) if (c.ConfigName) configs.add(c.ConfigName);
  }
  const swarm = new LiveTree('swarm');
  const rootEntries: LEntry[] = [{ key: 'services', keyLoc: swarm.loc('Services'), value: makeMap(swarm.loc('Services'), entries) }];
  // secrets, configs and networks exist on the swarm (a service cannot reference one that does not): external
  for (const [key, names] of [['secrets', secrets], ['configs', configs], ['networks', networks]] as const) {
    if (names.size === 0) continue;
    const path = key === 'secrets' ? 'Secrets' : key === 'configs' ? 'Configs' : 'Networks';
    rootEntries.push({
      key,
      keyLoc: swarm.loc(path),
      value: swarm.map(path, [...names].sort().map((n) => [n, swarm.map(swarm.shared.key(path, n), [['external', swarm.scalar(true, swarm.shared.key(path, n))]])])),
    });
  }
  const root = makeMap(swarm.loc(''), rootEntries);
  const stack = buildModel(root, [], 'live');
  const byName = new Map(selected.map((s) => [s.Spec.Name, s]));
  for (const model of stack.services) {
    const svc = byName.get(model.name)!;
    model.sleepPolicy = sleepPolicyFromLabels(model, svc, strings);
    addTmpfsOptions(model, svc);
  }
  stack.target = 'swarm';
  stack.live = buildFacts(snap, scope, stack.services, byName, tasks);
  return stack;
}

function selectServices(snap: SwarmSnapshot, scope: AuditScope): DockerService[] {
  const all = snap.services;
  let list = all;
  const stackName = scope.stack ?? null;
  // a snapshot of part of the swarm says so when a name is not in it
  const note = snap.scope ? ` (the snapshot holds only ${describeScope(snap.scope)})` : '';
  // services of the scope removed or changed while the swarm was read were left out of the
  // snapshot (counted in `vanished`, listed in `vanishedServices`): a --service naming one of them
  // is not a name the user got wrong; a snapshot saved before the list was kept may have lost any
  const changed = snap.scope !== undefined && (snap.vanished?.service ?? 0) > 0;
  const vanished = changed ? (snap.vanishedServices ?? 'any') : [];
  if (stackName) {
    list = all.filter((s) => s.Spec.Labels?.[STACK_NAMESPACE_LABEL] === stackName);
    // every service of the stack a snapshot of one stack holds may have vanished while it was read,
    // but that snapshot never held another stack; of a snapshot of some services, the stack of one
    // that vanished (or whose name was never read)
    const scoped = snap.scope?.stack ?? null;
    const mayHaveVanished = changed && (scoped !== null ? scoped === stackName : vanished === 'any' || vanished.some((v) => v.name === null || v.name.startsWith(`${stackName}_`)));
    if (list.length === 0 && mayHaveVanished) return [];
    if (list.length === 0) {
      throw noStackError(stackName, [...new Set(all.map((s) => s.Spec.Labels?.[STACK_NAMESPACE_LABEL]).filter((n): n is string => !!n))].sort(), note);
    }
  }
  const wanted = scope.services ?? [];
  if (wanted.length > 0) list = pickServices(list, (s) => s.Spec.Name, (s) => s.ID, stackName, wanted, note, vanished);
  return sortByName([...list], (s) => s.Spec.Name);
}

/** `stack "shop"`, `services "a", "b"`, `services "web" of stack "shop"` */
export function describeScope(scope: { stack: string | null; services: string[] }): string {
  const services = scope.services.map((s) => `"${s}"`).join(', ');
  if (scope.stack && services) return `service${scope.services.length === 1 ? '' : 's'} ${services} of stack "${scope.stack}"`;
  if (scope.stack) return `stack "${scope.stack}"`;
  return `service${scope.services.length === 1 ? '' : 's'} ${services}`;
}

/**
 * A deployed service keeps no `x-` keys, so the sleep policy of a live service is read from its
 * labels: `stackopt.sleep-policy.<key>` on the service (`deploy.labels`), or on its containers.
 * The label paths are the audit's `strings` (those of the services' trees): a `LiveStrings` of its
 * own per service wrote each path again and made three maps for it.
 */
function sleepPolicyFromLabels(model: Service, svc: DockerService, strings: LiveStrings): Service['sleepPolicy'] {
  if (!hasSleepLabel(svc.Spec.Labels) && !hasSleepLabel(svc.Spec.TaskTemplate?.ContainerSpec?.Labels)) return null;
  const t = new LiveTree(`service ${model.name}`, strings);
  const found: Array<{ key: string; value: string; path: string; labels: string }> = [];
  const sources = [
    ['Spec.Labels', svc.Spec.Labels],
    ['Spec.TaskTemplate.ContainerSpec.Labels', svc.Spec.TaskTemplate?.ContainerSpec?.Labels],
  ] as const;
  const seen = new Set<string>();
  for (const [path, labels] of sources) {
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (!k.startsWith(SLEEP_POLICY_LABEL_PREFIX)) continue;
      const key = k.slice(SLEEP_POLICY_LABEL_PREFIX.length);
      if (seen.has(key)) continue; // a service label wins over a container label
      seen.add(key);
      found.push({ key, value: v, path: t.shared.key(path, k), labels: path });
    }
  }
  if (found.length === 0) return null;
  const map: LMap = t.map(found[0]!.labels, found.map((f) => [f.key, t.scalar(f.value, f.path)]));
  const entry: LEntry = { key: SLEEP_POLICY_LABEL_PREFIX.slice(0, -1), keyLoc: map.entries[0]!.keyLoc, value: map };
  return { key: 'labels', ref: { node: map, path: [...model.ref.path, 'deploy', 'labels', entry.key], shared: false, entry } };
}

function hasSleepLabel(labels: Record<string, string> | null | undefined): boolean {
  if (labels) for (const k in labels) if (k.startsWith(SLEEP_POLICY_LABEL_PREFIX)) return true;
  return false;
}

/** Newer engines keep tmpfs mount options (`noexec`, `nosuid`); the long syntax has no key for them. */
function addTmpfsOptions(model: Service, svc: DockerService): void {
  const mounts = svc.Spec.TaskTemplate?.ContainerSpec?.Mounts ?? [];
  model.volumes.forEach((m, i) => {
    const src = mounts[i];
    if (src && m.type === 'tmpfs') m.options = tmpfsOptions(src);
  });
}

function buildFacts(snap: SwarmSnapshot, scope: AuditScope, models: Service[], byName: Map<string, DockerService>, tasks: LiveTask[] | undefined): LiveFacts {
  const nodes = buildNodes(snap.nodes);
  const services: LiveService[] = models.map((model) => buildService(byName.get(model.name)!, model));
  const serviceNames = new Map(snap.services.map((s) => [s.ID, s.Spec.Name]));
  return {
    takenAt: Date.parse(snap.takenAt),
    engine: snap.engine,
    engineVersion: snap.info.ServerVersion ?? null,
    localNodeId: snap.info.Swarm?.NodeID ?? null,
    nodes,
    services,
    serviceNames,
    tasks: tasks ?? buildTasks(snap.tasks),
    scope: { stack: scope.stack ?? null, services: scope.services ?? [] },
    swarm: buildSwarm(snap.info.Swarm),
    ...(snap.networks ? { networks: buildNetworks(snap, [...byName.values()]) } : {}),
  };
}

/**
 * The facts of a snapshot's tasks (what `buildLiveStack` keeps of them). `emptying`: the list is the
 * caller's own, read by nothing else, and each parsed task is let go once its facts are made, the
 * last first. The tasks are the end of a snapshot's JSON, so those parsed last are still in the
 * young generation when this starts; made in order, they stayed reachable until the end, and each
 * scavenge meanwhile copied them (on 2,000 services, about 15 MB copied in this step). The same
 * facts, in the same order, either way.
 */
export function buildTasks(list: DockerTask[], emptying = false): LiveTask[] {
  const amounts = new Amounts();
  const out = new Array<LiveTask>(list.length);
  if (emptying) for (let i = list.length - 1; i >= 0; i--) out[i] = buildTask(list.pop()!, amounts);
  else for (let i = 0; i < list.length; i++) out[i] = buildTask(list[i]!, amounts);
  return out;
}

/** The swarm's own settings from `docker info` (a snapshot from before they were recorded has none). */
export function buildSwarm(info: SwarmInfo | undefined): LiveSwarm | null {
  const cluster = info?.Cluster;
  if (!cluster?.Spec?.CAConfig && !cluster?.Spec?.EncryptionConfig && !cluster?.TLSInfo) return null;
  const expiry = cluster.Spec?.CAConfig?.NodeCertExpiry;
  return {
    autoLockManagers: cluster.Spec?.EncryptionConfig ? cluster.Spec.EncryptionConfig.AutoLockManagers === true : null,
    nodeCertExpiryMs: typeof expiry === 'number' && expiry > 0 ? expiry / 1e6 : null,
    rootCa: rootCaValidity(cluster.TLSInfo?.TrustRoot),
    rootRotationInProgress: cluster.RootRotationInProgress === true,
    loc: (path: string) => ({ kind: 'live', object: 'swarm', path }),
  };
}

/** The validity of the first certificate of a PEM bundle (the root CA a swarm's nodes trust). */
function rootCaValidity(pem: string | undefined): LiveSwarm['rootCa'] {
  const BEGIN = '-----BEGIN CERTIFICATE-----';
  const END = '-----END CERTIFICATE-----';
  const start = pem ? pem.indexOf(BEGIN) : -1;
  const end = start >= 0 ? pem!.indexOf(END, start) : -1;
  const first = end >= 0 ? pem!.slice(start, end + END.length) : undefined;
  if (!first) return null;
  try {
    const cert = new X509Certificate(first);
    const notBefore = Date.parse(cert.validFrom);
    const notAfter = Date.parse(cert.validTo);
    return Number.isNaN(notBefore) || Number.isNaN(notAfter) ? null : { notBefore, notAfter };
  } catch {
    return null;
  }
}

/** The networks the audited services attach to, with the services on each. */
function buildNetworks(snap: SwarmSnapshot, audited: DockerService[]): LiveNetwork[] {
  const byId = new Map((snap.networks ?? []).map((n) => [n.ID, n]));
  const users = new Map<string, string[]>();
  for (const svc of audited) {
    for (const n of serviceNetworks(svc)) {
      const id = n.Target ?? '';
      if (!byId.has(id)) continue;
      const list = users.get(id) ?? [];
      if (!list.includes(svc.Spec.Name)) list.push(svc.Spec.Name);
      users.set(id, list);
    }
  }
  return [...users].map(([id, services]): LiveNetwork => {
    const n = byId.get(id)!;
    const object = `network ${n.Name}`;
    return {
      id,
      name: n.Name,
      driver: n.Driver ?? '',
      scope: n.Scope ?? '',
      encrypted: n.Options?.encrypted !== undefined && n.Options.encrypted !== 'false',
      ingress: n.Ingress === true,
      services: services.sort(),
      loc: (path: string) => ({ kind: 'live', object, path }),
    };
  }).sort((a, b) => compareNames(a.name, b.name));
}

export function buildNodes(list: DockerNode[]): LiveNode[] {
  const hostCount = new Map<string, number>();
  for (const n of list) {
    const h = n.Description?.Hostname ?? '';
    hostCount.set(h, (hostCount.get(h) ?? 0) + 1);
  }
  const nodes = list.map((n): LiveNode => {
    const hostname = n.Description?.Hostname ?? n.ID.slice(0, 12);
    const name = (hostCount.get(hostname) ?? 0) > 1 || hostname === '' ? `${hostname || 'node'} (${n.ID.slice(0, 12)})` : hostname;
    const object = `node ${name}`;
    const ms = n.ManagerStatus;
    return {
      id: n.ID,
      name,
      hostname,
      role: n.Spec?.Role ?? 'worker',
      availability: n.Spec?.Availability ?? 'active',
      state: n.Status?.State ?? 'unknown',
      message: n.Status?.Message ?? '',
      addr: n.Status?.Addr ?? '',
      labels: n.Spec?.Labels ?? {},
      engineLabels: n.Description?.Engine?.Labels ?? {},
      os: n.Description?.Platform?.OS ?? '',
      arch: n.Description?.Platform?.Architecture ?? '',
      nanoCpus: n.Description?.Resources?.NanoCPUs ?? 0,
      memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
      engineVersion: n.Description?.Engine?.EngineVersion ?? '',
      manager: ms ? { leader: ms.Leader === true, reachability: ms.Reachability ?? 'unknown', addr: ms.Addr ?? '' } : null,
      loc: (path: string): LiveLoc => ({ kind: 'live', object, path }),
    };
  });
  // managers first, then by name: the order a reader scans a cluster in
  return nodes.sort((a, b) => (a.role === b.role ? compareNames(a.name, b.name) : a.role === 'manager' ? -1 : 1));
}

function buildService(svc: DockerService, model: Service): LiveService {
  const spec = svc.Spec;
  const mode = spec.Mode ?? {};
  const m: ServiceMode = mode.Global ? 'global' : mode.ReplicatedJob ? 'replicated-job' : mode.GlobalJob ? 'global-job' : 'replicated';
  const res = spec.TaskTemplate?.Resources?.Reservations;
  const object = `service ${spec.Name}`;
  return {
    id: svc.ID,
    name: spec.Name,
    namespace: spec.Labels?.[STACK_NAMESPACE_LABEL] ?? null,
    mode: m,
    replicas: m === 'replicated' ? (mode.Replicated?.Replicas ?? 0) : null,
    constraints: spec.TaskTemplate?.Placement?.Constraints ?? [],
    maxReplicasPerNode: spec.TaskTemplate?.Placement?.MaxReplicas ?? 0,
    reservation: { nanoCpus: res?.NanoCPUs ?? 0, memoryBytes: res?.MemoryBytes ?? 0 },
    image: (spec.TaskTemplate?.ContainerSpec?.Image ?? '').replace(/@sha256:[0-9a-f]{64}$/i, ''),
    stackImage: spec.Labels?.[STACK_IMAGE_LABEL] ?? null,
    updateStatus: svc.UpdateStatus?.State ? { state: svc.UpdateStatus.State, message: svc.UpdateStatus.Message ?? '' } : null,
    job:
      m === 'replicated-job' || m === 'global-job'
        ? { iteration: svc.JobStatus?.JobIteration?.Index ?? 0, completions: m === 'replicated-job' ? (mode.ReplicatedJob?.TotalCompletions ?? 1) : null }
        : null,
    model,
    loc: (path: string): LiveLoc => ({ kind: 'live', object, path }),
  };
}

/**
 * One `{nanoCpus, memoryBytes}` per pair of values, shared by the tasks that have it (the tasks of a
 * service reserve alike): the facts of 20,000 tasks kept 40,000 of these objects. Read only.
 */
class Amounts {
  private readonly byCpu = new Map<number, Map<number, LiveTask['reservation']>>();
  get(nanoCpus: number, memoryBytes: number): LiveTask['reservation'] {
    let byMemory = this.byCpu.get(nanoCpus);
    if (!byMemory) this.byCpu.set(nanoCpus, (byMemory = new Map()));
    let out = byMemory.get(memoryBytes);
    if (!out) byMemory.set(memoryBytes, (out = { nanoCpus, memoryBytes }));
    return out;
  }
}

function buildTask(t: DockerTask, amounts: Amounts): LiveTask {
  const res = t.Spec?.Resources;
  const ts = Date.parse(t.Status?.Timestamp ?? t.UpdatedAt ?? t.CreatedAt ?? '');
  return {
    id: t.ID,
    serviceId: t.ServiceID,
    nodeId: t.NodeID || null,
    slot: t.Slot ?? null,
    desiredState: t.DesiredState ?? '',
    state: t.Status?.State ?? 'unknown',
    message: t.Status?.Message ?? '',
    err: t.Status?.Err ?? '',
    exitCode: t.Status?.ContainerStatus?.ExitCode ?? null,
    jobIteration: t.JobIteration ? (t.JobIteration.Index ?? 0) : null,
    timestamp: Number.isNaN(ts) ? 0 : ts,
    reservation: amounts.get(res?.Reservations?.NanoCPUs ?? 0, res?.Reservations?.MemoryBytes ?? 0),
    limit: amounts.get(res?.Limits?.NanoCPUs ?? 0, res?.Limits?.MemoryBytes ?? 0),
  };
}

