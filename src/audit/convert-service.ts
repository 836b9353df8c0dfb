import { formatBytes } from '../model/units.js';
import type { LEntry, LMap, LVal } from '../parse/located.js';
import type { ContainerSpec, DockerMount, DockerService, FileReference, Healthcheck, ResourceSpec, UpdateConfig } from './docker-types.js';
import { formatNanos, LiveTree } from './live-tree.js';

/**
 * A deployed service's spec as the compose service a stack file would have declared for it, so that
 * every file rule runs on it unchanged: NanoCPUs become `cpus`, MemoryBytes a size, nanosecond
 * durations Go durations, `Mode` becomes `deploy.mode`/`deploy.replicas`, and so on. Every value is
 * located at the docker field it came from (`service web` / `Spec.TaskTemplate.ContainerSpec.User`).
 * What docker does not keep (the file's `x-` keys, short `tmpfs:` options, anchors) is not there.
 */
export function convertService(svc: DockerService, networkNames?: ReadonlyMap<string, string>): { name: string; tree: LMap; nameLoc: LEntry['keyLoc'] } {
  const name = svc.Spec.Name;
  const t = new LiveTree(`service ${name}`);
  const ts = svc.Spec.TaskTemplate ?? {};
  const cs: ContainerSpec = ts.ContainerSpec ?? {};
  const entries: Array<[string, LVal | undefined | null, string?]> = [
    ['image', t.opt(cs.Image, 'Spec.TaskTemplate.ContainerSpec.Image')],
    ['entrypoint', t.strings('Spec.TaskTemplate.ContainerSpec.Command', cs.Command)],
    ['command', t.strings('Spec.TaskTemplate.ContainerSpec.Args', cs.Args)],
    ['user', cs.User ? t.scalar(cs.User, 'Spec.TaskTemplate.ContainerSpec.User') : undefined],
    ['group_add', t.strings('Spec.TaskTemplate.ContainerSpec.Groups', cs.Groups)],
    ['working_dir', cs.Dir ? t.scalar(cs.Dir, 'Spec.TaskTemplate.ContainerSpec.Dir') : undefined],
    ['hostname', cs.Hostname ? t.scalar(cs.Hostname, 'Spec.TaskTemplate.ContainerSpec.Hostname') : undefined],
    ['environment', environment(t, 'Spec.TaskTemplate.ContainerSpec.Env', cs.Env)],
    ['labels', t.stringMap('Spec.TaskTemplate.ContainerSpec.Labels', cs.Labels)],
    ['read_only', cs.ReadOnly ? t.scalar(true, 'Spec.TaskTemplate.ContainerSpec.ReadOnly') : undefined],
    ['cap_add', t.strings('Spec.TaskTemplate.ContainerSpec.CapabilityAdd', cs.CapabilityAdd)],
    ['cap_drop', t.strings('Spec.TaskTemplate.ContainerSpec.CapabilityDrop', cs.CapabilityDrop)],
    ['security_opt', securityOpt(t, cs)],
    ['init', typeof cs.Init === 'boolean' ? t.scalar(cs.Init, 'Spec.TaskTemplate.ContainerSpec.Init') : undefined],
    ['tty', cs.TTY ? t.scalar(true, 'Spec.TaskTemplate.ContainerSpec.TTY') : undefined],
    ['stdin_open', cs.OpenStdin ? t.scalar(true, 'Spec.TaskTemplate.ContainerSpec.OpenStdin') : undefined],
    ['healthcheck', cs.Healthcheck ? healthcheck(t, 'Spec.TaskTemplate.ContainerSpec.Healthcheck', cs.Healthcheck) : undefined],
    ['stop_signal', cs.StopSignal ? t.scalar(cs.StopSignal, 'Spec.TaskTemplate.ContainerSpec.StopSignal') : undefined],
    ['stop_grace_period', cs.StopGracePeriod !== undefined ? t.scalar(formatNanos(cs.StopGracePeriod), 'Spec.TaskTemplate.ContainerSpec.StopGracePeriod') : undefined],
    ['sysctls', t.stringMap('Spec.TaskTemplate.ContainerSpec.Sysctls', cs.Sysctls)],
    ['ulimits', ulimits(t, 'Spec.TaskTemplate.ContainerSpec.Ulimits', cs.Ulimits)],
    ['extra_hosts', extraHosts(t, 'Spec.TaskTemplate.ContainerSpec.Hosts', cs.Hosts)],
    ['dns', t.strings('Spec.TaskTemplate.ContainerSpec.DNSConfig.Nameservers', cs.DNSConfig?.Nameservers)],
    ['dns_search', t.strings('Spec.TaskTemplate.ContainerSpec.DNSConfig.Search', cs.DNSConfig?.Search)],
    ['dns_opt', t.strings('Spec.TaskTemplate.ContainerSpec.DNSConfig.Options', cs.DNSConfig?.Options)],
    ['isolation', cs.Isolation && cs.Isolation !== 'default' ? t.scalar(cs.Isolation, 'Spec.TaskTemplate.ContainerSpec.Isolation') : undefined],
    ['volumes', mounts(t, 'Spec.TaskTemplate.ContainerSpec.Mounts', cs.Mounts)],
    ['ports', ports(t, svc)],
    ['networks', networkNames ? networks(t, svc, networkNames) : undefined],
    ['secrets', fileRefs(t, 'Spec.TaskTemplate.ContainerSpec.Secrets', cs.Secrets, 'SecretName')],
    ['configs', fileRefs(t, 'Spec.TaskTemplate.ContainerSpec.Configs', cs.Configs, 'ConfigName')],
    ['logging', ts.LogDriver?.Name ? t.map('Spec.TaskTemplate.LogDriver', [['driver', t.scalar(ts.LogDriver.Name, 'Spec.TaskTemplate.LogDriver.Name')], ['options', t.stringMap('Spec.TaskTemplate.LogDriver.Options', ts.LogDriver.Options)]]) : undefined],
    ['deploy', deploy(t, svc), 'Spec'],
  ];
  return { name, tree: t.map('Spec', entries), nameLoc: t.loc('Spec.Name') };
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
  return t.map(
    path,
    env.map((kv, i) => {
      const eq = kv.indexOf('=');
      const key = eq < 0 ? kv : kv.slice(0, eq);
      return [key, t.scalar(eq < 0 ? null : kv.slice(eq + 1), `${path}[${i}]`)] as [string, LVal];
    }),
  );
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

function healthcheck(t: LiveTree, path: string, h: Healthcheck): LMap {
  const test = h.Test && h.Test.length > 0 ? t.strings(`${path}.Test`, h.Test) : undefined;
  const dur = (v: number | undefined, field: string) => (v ? t.scalar(formatNanos(v), `${path}.${field}`) : undefined);
  return t.map(path, [
    ['test', test],
    ['disable', h.Test && h.Test.length === 1 && h.Test[0] === 'NONE' ? t.scalar(true, `${path}.Test`) : undefined],
    ['interval', dur(h.Interval, 'Interval')],
    ['timeout', dur(h.Timeout, 'Timeout')],
    ['start_period', dur(h.StartPeriod, 'StartPeriod')],
    ['start_interval', dur(h.StartInterval, 'StartInterval')],
    ['retries', h.Retries ? t.scalar(h.Retries, `${path}.Retries`) : undefined],
  ]);
}

function ulimits(t: LiveTree, path: string, list: ContainerSpec['Ulimits']): LMap | undefined {
  if (!list || list.length === 0) return undefined;
  return t.map(
    path,
    list.map((u, i) => {
      const p = `${path}[${i}]`;
      return [u.Name ?? String(i), t.map(p, [['soft', t.opt(u.Soft, `${p}.Soft`)], ['hard', t.opt(u.Hard, `${p}.Hard`)]])] as [string, LVal];
    }),
  );
}

/** Swarm keeps `IP host…` (the /etc/hosts form); compose writes `host:IP`. */
function extraHosts(t: LiveTree, path: string, hosts: string[] | null | undefined): LVal | undefined {
  if (!hosts || hosts.length === 0) return undefined;
  const items: LVal[] = [];
  hosts.forEach((h, i) => {
    const [ip, ...names] = h.trim().split(/\s+/);
    for (const n of names) items.push(t.scalar(`${n}:${ip}`, `${path}[${i}]`));
  });
  return items.length ? t.seq(path, items) : undefined;
}

function mounts(t: LiveTree, path: string, list: DockerMount[] | null | undefined): LVal | undefined {
  if (!list || list.length === 0) return undefined;
  return t.seq(
    path,
    list.map((m, i) => {
      const p = `${path}[${i}]`;
      const type = (m.Type ?? 'volume').toLowerCase();
      const tmpfs = m.TmpfsOptions;
      return t.map(p, [
        ['type', t.scalar(type, `${p}.Type`)],
        ['source', m.Source ? t.scalar(m.Source, `${p}.Source`) : undefined],
        ['target', t.scalar(m.Target ?? '', `${p}.Target`)],
        ['read_only', m.ReadOnly ? t.scalar(true, `${p}.ReadOnly`) : undefined],
        ['consistency', m.Consistency && m.Consistency !== 'default' ? t.scalar(m.Consistency, `${p}.Consistency`) : undefined],
        ['bind', m.BindOptions?.Propagation ? t.map(`${p}.BindOptions`, [['propagation', t.scalar(m.BindOptions.Propagation, `${p}.BindOptions.Propagation`)]]) : undefined],
        ['volume', m.VolumeOptions?.NoCopy ? t.map(`${p}.VolumeOptions`, [['nocopy', t.scalar(true, `${p}.VolumeOptions.NoCopy`)]]) : undefined],
        [
          'tmpfs',
          tmpfs && (tmpfs.SizeBytes || tmpfs.Mode)
            ? t.map(`${p}.TmpfsOptions`, [
                ['size', tmpfs.SizeBytes ? t.scalar(tmpfs.SizeBytes, `${p}.TmpfsOptions.SizeBytes`) : undefined],
                ['mode', tmpfs.Mode ? t.scalar(tmpfs.Mode, `${p}.TmpfsOptions.Mode`) : undefined],
              ])
            : undefined,
        ],
      ]);
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
      const pp = `${path}[${i}]`;
      return t.map(pp, [
        ['target', t.opt(p.TargetPort, `${pp}.TargetPort`)],
        ['published', p.PublishedPort ? t.scalar(p.PublishedPort, `${pp}.PublishedPort`) : undefined],
        ['protocol', t.opt(p.Protocol, `${pp}.Protocol`)],
        ['mode', t.opt(p.PublishMode, `${pp}.PublishMode`)],
      ]);
    }),
  );
}

function fileRefs(t: LiveTree, path: string, list: FileReference[] | null | undefined, nameKey: 'SecretName' | 'ConfigName'): LVal | undefined {
  if (!list || list.length === 0) return undefined;
  return t.seq(
    path,
    list.map((r, i) => {
      const p = `${path}[${i}]`;
      return t.map(p, [
        ['source', t.scalar(r[nameKey] ?? '', `${p}.${nameKey}`)],
        ['target', t.opt(r.File?.Name, `${p}.File.Name`)],
        ['uid', t.opt(r.File?.UID, `${p}.File.UID`)],
        ['gid', t.opt(r.File?.GID, `${p}.File.GID`)],
        ['mode', t.opt(r.File?.Mode, `${p}.File.Mode`)],
      ]);
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
  const resources = t.nonEmpty(
    t.map(R, [
      ['limits', resourceMap(t, 'Spec.TaskTemplate.Resources.Limits', res.Limits, true)],
      ['reservations', resourceMap(t, 'Spec.TaskTemplate.Resources.Reservations', res.Reservations, false)],
    ]),
  );
  const P = 'Spec.TaskTemplate.Placement';
  const pl = ts.Placement ?? {};
  const placement = t.nonEmpty(
    t.map(P, [
      ['constraints', t.strings('Spec.TaskTemplate.Placement.Constraints', pl.Constraints)],
      [
        'preferences',
        pl.Preferences && pl.Preferences.length
          ? t.seq(
              'Spec.TaskTemplate.Placement.Preferences',
              pl.Preferences.map((pref, i) => t.map(`${P}.Preferences[${i}]`, [['spread', t.opt(pref.Spread?.SpreadDescriptor, `${P}.Preferences[${i}].Spread.SpreadDescriptor`)]])),
            )
          : undefined,
      ],
      ['max_replicas_per_node', pl.MaxReplicas ? t.scalar(pl.MaxReplicas, 'Spec.TaskTemplate.Placement.MaxReplicas') : undefined],
    ]),
  );
  const RP = 'Spec.TaskTemplate.RestartPolicy';
  const rp = ts.RestartPolicy;
  const restart = rp
    ? t.nonEmpty(
        t.map(RP, [
          ['condition', t.opt(rp.Condition, 'Spec.TaskTemplate.RestartPolicy.Condition')],
          ['delay', rp.Delay !== undefined ? t.scalar(formatNanos(rp.Delay), 'Spec.TaskTemplate.RestartPolicy.Delay') : undefined],
          ['max_attempts', rp.MaxAttempts !== undefined ? t.scalar(rp.MaxAttempts, 'Spec.TaskTemplate.RestartPolicy.MaxAttempts') : undefined],
          ['window', rp.Window !== undefined ? t.scalar(formatNanos(rp.Window), 'Spec.TaskTemplate.RestartPolicy.Window') : undefined],
        ]),
      )
    : undefined;
  return t.map('Spec', [
    ['mode', t.scalar(modeName, modePath), 'Spec.Mode'],
    ['replicas', replicas],
    ['endpoint_mode', t.opt(spec.EndpointSpec?.Mode, 'Spec.EndpointSpec.Mode')],
    ['labels', t.stringMap('Spec.Labels', spec.Labels)],
    ['resources', resources],
    ['placement', placement],
    ['restart_policy', restart],
    ['update_config', updateConfig(t, 'Spec.UpdateConfig', spec.UpdateConfig)],
    ['rollback_config', updateConfig(t, 'Spec.RollbackConfig', spec.RollbackConfig)],
  ]);
}

function resourceMap(t: LiveTree, path: string, r: ResourceSpec | null | undefined, limits: boolean): LMap | undefined {
  if (!r) return undefined;
  return t.nonEmpty(
    t.map(path, [
      ['cpus', r.NanoCPUs ? t.scalar(r.NanoCPUs / 1e9, `${path}.NanoCPUs`) : undefined],
      ['memory', r.MemoryBytes ? t.scalar(formatBytes(r.MemoryBytes), `${path}.MemoryBytes`) : undefined],
      ['pids', limits && r.Pids ? t.scalar(r.Pids, `${path}.Pids`) : undefined],
    ]),
  );
}

function updateConfig(t: LiveTree, path: string, u: UpdateConfig | null | undefined): LMap | undefined {
  if (!u) return undefined;
  return t.nonEmpty(
    t.map(path, [
      ['parallelism', u.Parallelism !== undefined ? t.scalar(u.Parallelism, `${path}.Parallelism`) : undefined],
      ['delay', u.Delay !== undefined ? t.scalar(formatNanos(u.Delay), `${path}.Delay`) : undefined],
      ['failure_action', t.opt(u.FailureAction, `${path}.FailureAction`)],
      ['monitor', u.Monitor !== undefined ? t.scalar(formatNanos(u.Monitor), `${path}.Monitor`) : undefined],
      ['max_failure_ratio', u.MaxFailureRatio !== undefined ? t.scalar(u.MaxFailureRatio, `${path}.MaxFailureRatio`) : undefined],
      ['order', t.opt(u.Order, `${path}.Order`)],
    ]),
  );
}
