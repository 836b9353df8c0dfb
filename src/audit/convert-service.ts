import { formatBytes } from '../model/units.js';
import type { LEntry, LMap, LVal } from '../parse/located.js';
import type { ContainerSpec, DockerMount, DockerService, FileReference, Healthcheck, ResourceSpec, UpdateConfig } from './docker-types.js';
import { itemPath, LiveTree, type LiveStrings } from './live-tree.js';

/**
 * A deployed service's spec as the compose service a stack file would have declared for it, so that
 * every file rule runs on it unchanged: NanoCPUs become `cpus`, MemoryBytes a size, nanosecond
 * durations Go durations, `Mode` becomes `deploy.mode`/`deploy.replicas`, and so on. Every value is
 * located at the docker field it came from (`service web` / `Spec.TaskTemplate.ContainerSpec.User`).
 * What docker does not keep (the file's `x-` keys, short `tmpfs:` options, anchors) is not there.
 */
export function convertService(
  svc: DockerService,
  networkNames?: ReadonlyMap<string, string>,
  strings?: LiveStrings,
): { name: string; tree: LMap; nameLoc: LEntry['keyLoc'] } {
  const name = svc.Spec.Name;
  const t = new LiveTree(`service ${name}`, strings);
  const ts = svc.Spec.TaskTemplate ?? {};
  const cs: ContainerSpec = ts.ContainerSpec ?? {};
  const start = t.open();
  t.add('image', t.opt(cs.Image, 'Spec.TaskTemplate.ContainerSpec.Image'));
  t.add('entrypoint', t.strings('Spec.TaskTemplate.ContainerSpec.Command', cs.Command));
  t.add('command', t.strings('Spec.TaskTemplate.ContainerSpec.Args', cs.Args));
  t.add('user', cs.User ? t.scalar(cs.User, 'Spec.TaskTemplate.ContainerSpec.User') : undefined);
  t.add('group_add', t.strings('Spec.TaskTemplate.ContainerSpec.Groups', cs.Groups));
  t.add('working_dir', cs.Dir ? t.scalar(cs.Dir, 'Spec.TaskTemplate.ContainerSpec.Dir') : undefined);
  t.add('hostname', cs.Hostname ? t.scalar(cs.Hostname, 'Spec.TaskTemplate.ContainerSpec.Hostname') : undefined);
  t.add('environment', environment(t, 'Spec.TaskTemplate.ContainerSpec.Env', cs.Env));
  t.add('labels', t.stringMap('Spec.TaskTemplate.ContainerSpec.Labels', cs.Labels));
  t.add('read_only', cs.ReadOnly ? t.scalar(true, 'Spec.TaskTemplate.ContainerSpec.ReadOnly') : undefined);
  t.add('cap_add', t.strings('Spec.TaskTemplate.ContainerSpec.CapabilityAdd', cs.CapabilityAdd));
  t.add('cap_drop', t.strings('Spec.TaskTemplate.ContainerSpec.CapabilityDrop', cs.CapabilityDrop));
  t.add('security_opt', securityOpt(t, cs));
  t.add('init', typeof cs.Init === 'boolean' ? t.scalar(cs.Init, 'Spec.TaskTemplate.ContainerSpec.Init') : undefined);
  t.add('tty', cs.TTY ? t.scalar(true, 'Spec.TaskTemplate.ContainerSpec.TTY') : undefined);
  t.add('stdin_open', cs.OpenStdin ? t.scalar(true, 'Spec.TaskTemplate.ContainerSpec.OpenStdin') : undefined);
  t.add('healthcheck', cs.Healthcheck ? healthcheck(t, cs.Healthcheck) : undefined);
  t.add('stop_signal', cs.StopSignal ? t.scalar(cs.StopSignal, 'Spec.TaskTemplate.ContainerSpec.StopSignal') : undefined);
  t.add('stop_grace_period', cs.StopGracePeriod !== undefined ? t.scalar(t.shared.duration(cs.StopGracePeriod), 'Spec.TaskTemplate.ContainerSpec.StopGracePeriod') : undefined);
  t.add('sysctls', t.stringMap('Spec.TaskTemplate.ContainerSpec.Sysctls', cs.Sysctls));
  t.add('ulimits', ulimits(t, 'Spec.TaskTemplate.ContainerSpec.Ulimits', cs.Ulimits));
  t.add('extra_hosts', extraHosts(t, 'Spec.TaskTemplate.ContainerSpec.Hosts', cs.Hosts));
  t.add('dns', t.strings('Spec.TaskTemplate.ContainerSpec.DNSConfig.Nameservers', cs.DNSConfig?.Nameservers));
  t.add('dns_search', t.strings('Spec.TaskTemplate.ContainerSpec.DNSConfig.Search', cs.DNSConfig?.Search));
  t.add('dns_opt', t.strings('Spec.TaskTemplate.ContainerSpec.DNSConfig.Options', cs.DNSConfig?.Options));
  t.add('isolation', cs.Isolation && cs.Isolation !== 'default' ? t.scalar(cs.Isolation, 'Spec.TaskTemplate.ContainerSpec.Isolation') : undefined);
  t.add('volumes', mounts(t, 'Spec.TaskTemplate.ContainerSpec.Mounts', cs.Mounts));
  t.add('ports', ports(t, svc));
  t.add('networks', networkNames ? networks(t, svc, networkNames) : undefined);
  t.add('secrets', fileRefs(t, 'Spec.TaskTemplate.ContainerSpec.Secrets', cs.Secrets, 'SecretName'));
  t.add('configs', fileRefs(t, 'Spec.TaskTemplate.ContainerSpec.Configs', cs.Configs, 'ConfigName'));
  t.add('logging', ts.LogDriver?.Name ? t.map('Spec.TaskTemplate.LogDriver', [['driver', t.scalar(ts.LogDriver.Name, 'Spec.TaskTemplate.LogDriver.Name')], ['options', t.stringMap('Spec.TaskTemplate.LogDriver.Options', ts.LogDriver.Options)]]) : undefined);
  t.add('deploy', deploy(t, svc), 'Spec');
  return { name, tree: t.close('Spec', start), nameLoc: t.loc('Spec.Name') };
}

/**
 * The networks a service is attached to, by name (the spec names them by id), with their aliases:
 * `networks: {shop_default: {aliases: [web]}}`. An id the swarm no longer lists stays an id.
 */
function networks(t: LiveTree, svc: DockerService, names: ReadonlyMap<string, string>): LMap | undefined {
  const list = serviceNetworks(svc);
  if (list.length === 0) return undefined;
  const path = svc.Spec.TaskTemplate?.Networks?.length ? 'Spec.TaskTemplate.Networks' : 'Spec.Networks';
  return t.map(
    path,
    list.map((n, i) => {
      const at = `${path}[${i}]`;
      const aliases = t.strings(`${at}.Aliases`, n.Aliases);
      return [names.get(n.Target ?? '') ?? n.Target ?? '', aliases ? t.map(at, [['aliases', aliases]]) : t.scalar(null, `${at}.Target`), `${at}.Target`];
    }),
  );
}

/** A service's network attachments: in the task template, or (older API versions) in the spec. */
export function serviceNetworks(svc: DockerService): Array<{ Target?: string; Aliases?: string[] | null }> {
  return (svc.Spec.TaskTemplate?.Networks?.length ? svc.Spec.TaskTemplate.Networks : svc.Spec.Networks) ?? [];
}

function environment(t: LiveTree, path: string, env: string[] | null | undefined): LMap | undefined {
  if (!env || env.length === 0) return undefined;
  const at = t.shared.items(path);
  const start = t.open();
  for (let i = 0; i < env.length; i++) {
    const kv = env[i]!;
    const eq = kv.indexOf('=');
    t.add(eq < 0 ? kv : kv.slice(0, eq), t.scalar(eq < 0 ? null : kv.slice(eq + 1), itemPath(at, path, i)));
  }
  return t.close(path, start);
}

function securityOpt(t: LiveTree, cs: ContainerSpec): LVal | undefined {
  const P = 'Spec.TaskTemplate.ContainerSpec.Privileges';
  const items: LVal[] = [];
  const p = cs.Privileges;
  if (p?.NoNewPrivileges) items.push(t.scalar('no-new-privileges:true', 'Spec.TaskTemplate.ContainerSpec.Privileges.NoNewPrivileges'));
  if (p?.Seccomp?.Mode === 'unconfined') items.push(t.scalar('seccomp:unconfined', 'Spec.TaskTemplate.ContainerSpec.Privileges.Seccomp.Mode'));
  if (p?.AppArmor?.Mode === 'disabled') items.push(t.scalar('apparmor:unconfined', 'Spec.TaskTemplate.ContainerSpec.Privileges.AppArmor.Mode'));
  return items.length ? t.seq(P, items) : undefined;
}

/** The fixed paths are written out (not joined per service): each would be a string kept per value. */
function healthcheck(t: LiveTree, h: Healthcheck): LMap {
  const test = h.Test && h.Test.length > 0 ? t.strings('Spec.TaskTemplate.ContainerSpec.Healthcheck.Test', h.Test) : undefined;
  const start = t.open();
  t.add('test', test);
  t.add('disable', h.Test && h.Test.length === 1 && h.Test[0] === 'NONE' ? t.scalar(true, 'Spec.TaskTemplate.ContainerSpec.Healthcheck.Test') : undefined);
  t.add('interval', h.Interval ? t.scalar(t.shared.duration(h.Interval), 'Spec.TaskTemplate.ContainerSpec.Healthcheck.Interval') : undefined);
  t.add('timeout', h.Timeout ? t.scalar(t.shared.duration(h.Timeout), 'Spec.TaskTemplate.ContainerSpec.Healthcheck.Timeout') : undefined);
  t.add('start_period', h.StartPeriod ? t.scalar(t.shared.duration(h.StartPeriod), 'Spec.TaskTemplate.ContainerSpec.Healthcheck.StartPeriod') : undefined);
  t.add('start_interval', h.StartInterval ? t.scalar(t.shared.duration(h.StartInterval), 'Spec.TaskTemplate.ContainerSpec.Healthcheck.StartInterval') : undefined);
  t.add('retries', h.Retries ? t.scalar(h.Retries, 'Spec.TaskTemplate.ContainerSpec.Healthcheck.Retries') : undefined);
  return t.close('Spec.TaskTemplate.ContainerSpec.Healthcheck', start);
}

function ulimits(t: LiveTree, path: string, list: ContainerSpec['Ulimits']): LMap | undefined {
  if (!list || list.length === 0) return undefined;
  return t.map(
    path,
    list.map((u, i) => {
      const p = t.shared.item(path, i);
      return [u.Name ?? String(i), t.map(p, [['soft', t.opt(u.Soft, `${p}.Soft`)], ['hard', t.opt(u.Hard, `${p}.Hard`)]])] as [string, LVal];
    }),
  );
}

/** Swarm keeps `IP host…` (the /etc/hosts form); compose writes `host:IP`. */
function extraHosts(t: LiveTree, path: string, hosts: string[] | null | undefined): LVal | undefined {
  if (!hosts || hosts.length === 0) return undefined;
  const items: LVal[] = [];
  const at = t.shared.items(path);
  hosts.forEach((h, i) => {
    const [ip, ...names] = h.trim().split(/\s+/);
    for (const n of names) items.push(t.scalar(`${n}:${ip}`, itemPath(at, path, i)));
  });
  return items.length ? t.seq(path, items) : undefined;
}

function mounts(t: LiveTree, path: string, list: DockerMount[] | null | undefined): LVal | undefined {
  if (!list || list.length === 0) return undefined;
  const at = t.shared.items(path);
  return t.seq(
    path,
    list.map((m, i) => {
      const p = itemPath(at, path, i);
      const type = (m.Type ?? 'volume').toLowerCase();
      const tmpfs = m.TmpfsOptions;
      const start = t.open();
      t.add('type', t.scalar(type, `${p}.Type`));
      t.add('source', m.Source ? t.scalar(m.Source, `${p}.Source`) : undefined);
      t.add('target', t.scalar(m.Target ?? '', `${p}.Target`));
      t.add('read_only', m.ReadOnly ? t.scalar(true, `${p}.ReadOnly`) : undefined);
      t.add('consistency', m.Consistency && m.Consistency !== 'default' ? t.scalar(m.Consistency, `${p}.Consistency`) : undefined);
      t.add('bind', m.BindOptions?.Propagation ? t.map(`${p}.BindOptions`, [['propagation', t.scalar(m.BindOptions.Propagation, `${p}.BindOptions.Propagation`)]]) : undefined);
      t.add('volume', m.VolumeOptions?.NoCopy ? t.map(`${p}.VolumeOptions`, [['nocopy', t.scalar(true, `${p}.VolumeOptions.NoCopy`)]]) : undefined);
      if (tmpfs && (tmpfs.SizeBytes || tmpfs.Mode)) {
        const tmpfsStart = t.open();
        t.add('size', tmpfs.SizeBytes ? t.scalar(tmpfs.SizeBytes, `${p}.TmpfsOptions.SizeBytes`) : undefined);
        t.add('mode', tmpfs.Mode ? t.scalar(tmpfs.Mode, `${p}.TmpfsOptions.Mode`) : undefined);
        t.add('tmpfs', t.close(`${p}.TmpfsOptions`, tmpfsStart));
      }
      return t.close(p, start);
    }),
  );
}

/** Mount options of a live tmpfs mount (API 1.46+ `TmpfsOptions.Options`), e.g. `noexec`, `nosuid`. */
export function tmpfsOptions(m: DockerMount): string[] {
  return (m.TmpfsOptions?.Options ?? []).map((o) => (o.length > 1 ? `${o[0]}=${o[1]}` : String(o[0] ?? ''))).filter(Boolean);
}

function ports(t: LiveTree, svc: DockerService): LVal | undefined {
  const list = svc.Spec.EndpointSpec?.Ports;
  if (!list || list.length === 0) return undefined;
  const path = 'Spec.EndpointSpec.Ports';
  return t.seq(
    path,
    list.map((p, i) => {
      const pp = t.shared.item(path, i);
      const start = t.open();
      t.add('target', t.opt(p.TargetPort, `${pp}.TargetPort`));
      t.add('published', p.PublishedPort ? t.scalar(p.PublishedPort, `${pp}.PublishedPort`) : undefined);
      t.add('protocol', t.opt(p.Protocol, `${pp}.Protocol`));
      t.add('mode', t.opt(p.PublishMode, `${pp}.PublishMode`));
      return t.close(pp, start);
    }),
  );
}

function fileRefs(t: LiveTree, path: string, list: FileReference[] | null | undefined, nameKey: 'SecretName' | 'ConfigName'): LVal | undefined {
  if (!list || list.length === 0) return undefined;
  return t.seq(
    path,
    list.map((r, i) => {
      const p = t.shared.item(path, i);
      const start = t.open();
      t.add('source', t.scalar(r[nameKey] ?? '', `${p}.${nameKey}`));
      t.add('target', t.opt(r.File?.Name, `${p}.File.Name`));
      t.add('uid', t.opt(r.File?.UID, `${p}.File.UID`));
      t.add('gid', t.opt(r.File?.GID, `${p}.File.GID`));
      t.add('mode', t.opt(r.File?.Mode, `${p}.File.Mode`));
      return t.close(p, start);
    }),
  );
}

function deploy(t: LiveTree, svc: DockerService): LMap {
  const spec = svc.Spec;
  const ts = spec.TaskTemplate ?? {};
  const mode = spec.Mode ?? {};
  let modeName = 'replicated';
  if (mode.Global) modeName = 'global';
  else if (mode.ReplicatedJob) modeName = 'replicated-job';
  else if (mode.GlobalJob) modeName = 'global-job';
  const modePath = mode.Global ? 'Spec.Mode.Global' : mode.ReplicatedJob ? 'Spec.Mode.ReplicatedJob' : mode.GlobalJob ? 'Spec.Mode.GlobalJob' : 'Spec.Mode.Replicated';
  const replicas = mode.Replicated ? t.scalar(mode.Replicated.Replicas ?? 0, 'Spec.Mode.Replicated.Replicas') : mode.ReplicatedJob?.TotalCompletions !== undefined ? t.scalar(mode.ReplicatedJob.TotalCompletions, 'Spec.Mode.ReplicatedJob.TotalCompletions') : undefined;
  const R = 'Spec.TaskTemplate.Resources';
  const res = ts.Resources ?? {};
  const resourcesAt = t.open();
  t.add('limits', resourceMap(t, LIMITS, res.Limits, true));
  t.add('reservations', resourceMap(t, RESERVATIONS, res.Reservations, false));
  const resources = t.closeNonEmpty(R, resourcesAt);
  const P = 'Spec.TaskTemplate.Placement';
  const pl = ts.Placement ?? {};
  const placementAt = t.open();
  t.add('constraints', t.strings('Spec.TaskTemplate.Placement.Constraints', pl.Constraints));
  t.add(
    'preferences',
    pl.Preferences && pl.Preferences.length
      ? t.seq(
          'Spec.TaskTemplate.Placement.Preferences',
          pl.Preferences.map((pref, i) => t.map(`${P}.Preferences[${i}]`, [['spread', t.opt(pref.Spread?.SpreadDescriptor, `${P}.Preferences[${i}].Spread.SpreadDescriptor`)]])),
        )
      : undefined,
  );
  t.add('max_replicas_per_node', pl.MaxReplicas ? t.scalar(pl.MaxReplicas, 'Spec.TaskTemplate.Placement.MaxReplicas') : undefined);
  const placement = t.closeNonEmpty(P, placementAt);
  const RP = 'Spec.TaskTemplate.RestartPolicy';
  const rp = ts.RestartPolicy;
  let restart: LMap | undefined;
  if (rp) {
    const at = t.open();
    t.add('condition', t.opt(rp.Condition, 'Spec.TaskTemplate.RestartPolicy.Condition'));
    t.add('delay', rp.Delay !== undefined ? t.scalar(t.shared.duration(rp.Delay), 'Spec.TaskTemplate.RestartPolicy.Delay') : undefined);
    t.add('max_attempts', rp.MaxAttempts !== undefined ? t.scalar(rp.MaxAttempts, 'Spec.TaskTemplate.RestartPolicy.MaxAttempts') : undefined);
    t.add('window', rp.Window !== undefined ? t.scalar(t.shared.duration(rp.Window), 'Spec.TaskTemplate.RestartPolicy.Window') : undefined);
    restart = t.closeNonEmpty(RP, at);
  }
  const start = t.open();
  t.add('mode', t.scalar(modeName, modePath), 'Spec.Mode');
  t.add('replicas', replicas);
  t.add('endpoint_mode', t.opt(spec.EndpointSpec?.Mode, 'Spec.EndpointSpec.Mode'));
  t.add('labels', t.stringMap('Spec.Labels', spec.Labels));
  t.add('resources', resources);
  t.add('placement', placement);
  t.add('restart_policy', restart);
  t.add('update_config', updateConfig(t, UPDATE_CONFIG, spec.UpdateConfig));
  t.add('rollback_config', updateConfig(t, ROLLBACK_CONFIG, spec.RollbackConfig));
  return t.close('Spec', start);
}

/**
 * The paths of a spec object's fields, written once when the module loads: joined for each service,
 * each would be a string kept per value.
 */
function fieldPaths<const F extends readonly string[]>(path: string, fields: F): { path: string } & Record<F[number], string> {
  const out: Record<string, string> = { path };
  for (const f of fields) out[f] = `${path}.${f}`;
  return out as { path: string } & Record<F[number], string>;
}

const RESOURCE_FIELDS = ['NanoCPUs', 'MemoryBytes', 'Pids'] as const;
const LIMITS = fieldPaths('Spec.TaskTemplate.Resources.Limits', RESOURCE_FIELDS);
const RESERVATIONS = fieldPaths('Spec.TaskTemplate.Resources.Reservations', RESOURCE_FIELDS);
const UPDATE_FIELDS = ['Parallelism', 'Delay', 'FailureAction', 'Monitor', 'MaxFailureRatio', 'Order'] as const;
const UPDATE_CONFIG = fieldPaths('Spec.UpdateConfig', UPDATE_FIELDS);
const ROLLBACK_CONFIG = fieldPaths('Spec.RollbackConfig', UPDATE_FIELDS);

function resourceMap(t: LiveTree, at: typeof LIMITS, r: ResourceSpec | null | undefined, limits: boolean): LMap | undefined {
  if (!r) return undefined;
  const start = t.open();
  t.add('cpus', r.NanoCPUs ? t.scalar(r.NanoCPUs / 1e9, at.NanoCPUs) : undefined);
  t.add('memory', r.MemoryBytes ? t.scalar(formatBytes(r.MemoryBytes), at.MemoryBytes) : undefined);
  t.add('pids', limits && r.Pids ? t.scalar(r.Pids, at.Pids) : undefined);
  return t.closeNonEmpty(at.path, start);
}

function updateConfig(t: LiveTree, at: typeof UPDATE_CONFIG, u: UpdateConfig | null | undefined): LMap | undefined {
  if (!u) return undefined;
  const start = t.open();
  t.add('parallelism', u.Parallelism !== undefined ? t.scalar(u.Parallelism, at.Parallelism) : undefined);
  t.add('delay', u.Delay !== undefined ? t.scalar(t.shared.duration(u.Delay), at.Delay) : undefined);
  t.add('failure_action', t.opt(u.FailureAction, at.FailureAction));
  t.add('monitor', u.Monitor !== undefined ? t.scalar(t.shared.duration(u.Monitor), at.Monitor) : undefined);
  t.add('max_failure_ratio', u.MaxFailureRatio !== undefined ? t.scalar(u.MaxFailureRatio, at.MaxFailureRatio) : undefined);
  t.add('order', t.opt(u.Order, at.Order));
  return t.closeNonEmpty(at.path, start);
}
