import { buildModel } from '../model/build-model.js';
import type { LiveLoc } from '../parse/location.js';
import type { Service, Stack } from '../model/types.js';
import { makeMap, type LEntry, type LMap } from '../parse/located.js';
import { closest } from '../parse/validate-schema.js';
import { convertService, serviceNetworks, tmpfsOptions } from './convert-service.js';
import type { DockerNode, DockerService, DockerTask } from './docker-types.js';
import type { LiveFacts, LiveNode, LiveService, LiveTask, ServiceMode } from '../model/live-facts.js';
import { LiveTree } from './live-tree.js';
import { SLEEP_POLICY_LABEL_PREFIX, STACK_IMAGE_LABEL, STACK_NAMESPACE_LABEL } from '../model/labels.js';
import type { SwarmSnapshot } from './snapshot.js';

export interface AuditScope {
  /** only the services of this stack (`com.docker.stack.namespace`) */
  stack?: string | null;
  /** only these services: full names (`shop_web`) or, with `stack`, names within it (`web`) */
  services?: string[];
}


/** A --stack or --service that names nothing on the swarm. */
export class ScopeError extends Error {}

/** The snapshot as a `Stack`: the services in scope converted to the model files produce, plus live facts. */
export function buildLiveStack(snap: SwarmSnapshot, scope: AuditScope = {}): Stack {
  const selected = selectServices(snap.services, scope);
  const entries: LEntry[] = [];
  const secrets = new Set<string>();
  const configs = new Set<string>();
  const networks = new Set<string>();
  // a snapshot from before networks were recorded leaves services without their networks
  const networkNames = snap.networks ? new Map(snap.networks.map((n) => [n.ID, n.Name])) : undefined;
  for (const svc of selected) {
    const { name, tree, nameLoc } = convertService(svc, networkNames);
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
      value: swarm.map(path, [...names].sort().map((n) => [n, swarm.map(`${path}[${JSON.stringify(n)}]`, [['external', swarm.scalar(true, `${path}[${JSON.stringify(n)}]`)]])])),
    });
  }
  const root = makeMap(swarm.loc(''), rootEntries);
  const stack = buildModel(root, [], 'live');
  const byName = new Map(selected.map((s) => [s.Spec.Name, s]));
  for (const model of stack.services) {
    const svc = byName.get(model.name)!;
    model.sleepPolicy = sleepPolicyFromLabels(model, svc);
    addTmpfsOptions(model, svc);
  }
  stack.target = 'swarm';
  stack.live = buildFacts(snap, scope, stack.services, byName);
  return stack;
}

function selectServices(all: DockerService[], scope: AuditScope): DockerService[] {
  let list = all;
  const stackName = scope.stack ?? null;
  if (stackName) {
    list = all.filter((s) => s.Spec.Labels?.[STACK_NAMESPACE_LABEL] === stackName);
    if (list.length === 0) {
      const stacks = [...new Set(all.map((s) => s.Spec.Labels?.[STACK_NAMESPACE_LABEL]).filter((n): n is string => !!n))].sort();
      const guess = closest(stackName, stacks);
      throw new ScopeError(
        `no stack "${stackName}" on this swarm${guess ? `; did you mean "${guess}"?` : ''} (stacks: ${stacks.length ? stacks.join(', ') : 'none'})`,
      );
    }
  }
  const wanted = scope.services ?? [];
  if (wanted.length > 0) {
    const names = list.map((s) => s.Spec.Name);
    const picked: DockerService[] = [];
    for (const w of wanted) {
      const hit = list.find((s) => s.Spec.Name === w || (stackName !== null && s.Spec.Name === `${stackName}_${w}`) || s.ID === w || s.ID.startsWith(w) && w.length >= 6);
      if (!hit) {
        const short = stackName ? names.filter((n) => n.startsWith(`${stackName}_`)).map((n) => n.slice(stackName.length + 1)) : [];
        const guess = closest(w, [...names, ...short]);
        throw new ScopeError(`no service "${w}"${stackName ? ` in stack "${stackName}"` : ' on this swarm'}${guess ? `; did you mean "${guess}"?` : ''}`);
      }
      if (!picked.includes(hit)) picked.push(hit);
    }
    list = picked;
  }
  return [...list].sort((a, b) => a.Spec.Name.localeCompare(b.Spec.Name));
}

/**
 * A deployed service keeps no `x-` keys, so the sleep policy of a live service is read from its
 * labels: `stackopt.sleep-policy.<key>` on the service (`deploy.labels`), or on its containers.
 */
function sleepPolicyFromLabels(model: Service, svc: DockerService): Service['sleepPolicy'] {
  const found: Array<{ key: string; value: string; path: string }> = [];
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
      found.push({ key, value: v, path: `${path}[${JSON.stringify(k)}]` });
    }
  }
  if (found.length === 0) return null;
  const t = new LiveTree(`service ${model.name}`);
  const map: LMap = t.map(found[0]!.path.split('[')[0]!, found.map((f) => [f.key, t.scalar(f.value, f.path)]));
  const entry: LEntry = { key: SLEEP_POLICY_LABEL_PREFIX.slice(0, -1), keyLoc: map.entries[0]!.keyLoc, value: map };
  return { key: 'labels', ref: { node: map, path: [...model.ref.path, 'deploy', 'labels', entry.key], shared: false, entry } };
}

/** Newer engines keep tmpfs mount options (`noexec`, `nosuid`); the long syntax has no key for them. */
function addTmpfsOptions(model: Service, svc: DockerService): void {
  const mounts = svc.Spec.TaskTemplate?.ContainerSpec?.Mounts ?? [];
  model.volumes.forEach((m, i) => {
    const src = mounts[i];
    if (src && m.type === 'tmpfs') m.options = tmpfsOptions(src);
  });
}

function buildFacts(snap: SwarmSnapshot, scope: AuditScope, models: Service[], byName: Map<string, DockerService>): LiveFacts {
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
    tasks: snap.tasks.map(buildTask),
    scope: { stack: scope.stack ?? null, services: scope.services ?? [] },
  };
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
  return nodes.sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name) : a.role === 'manager' ? -1 : 1));
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
    image: spec.Labels?.[STACK_IMAGE_LABEL] ?? (spec.TaskTemplate?.ContainerSpec?.Image ?? '').replace(/@sha256:[0-9a-f]{64}$/i, ''),
    updateStatus: svc.UpdateStatus?.State ? { state: svc.UpdateStatus.State, message: svc.UpdateStatus.Message ?? '' } : null,
    job:
      m === 'replicated-job' || m === 'global-job'
        ? { iteration: svc.JobStatus?.JobIteration?.Index ?? 0, completions: m === 'replicated-job' ? (mode.ReplicatedJob?.TotalCompletions ?? 1) : null }
        : null,
    model,
    loc: (path: string): LiveLoc => ({ kind: 'live', object, path }),
  };
}

function buildTask(t: DockerTask): LiveTask {
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
    reservation: { nanoCpus: res?.Reservations?.NanoCPUs ?? 0, memoryBytes: res?.Reservations?.MemoryBytes ?? 0 },
    limit: { nanoCpus: res?.Limits?.NanoCPUs ?? 0, memoryBytes: res?.Limits?.MemoryBytes ?? 0 },
  };
}

