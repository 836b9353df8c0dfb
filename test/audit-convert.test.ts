/**
 * From recorded docker JSON to the model: a service spec becomes the compose service a stack file
 * would have declared (units normalised, every value located at its docker field), the sleep policy
 * comes from labels, and every rule of the catalogue runs on it.
 */
import { describe, expect, it } from 'vitest';
import { auditLive, auditSnapshot, prepareAudit } from '../src/audit/audit.js';
import { computeCapacity, formatCpus, formatSize } from '../src/model/capacity.js';
import { convertService } from '../src/audit/convert-service.js';
import type { DockerService } from '../src/audit/docker-types.js';
import { buildLiveStack, buildTasks, ScopeError } from '../src/audit/live-model.js';
import { formatNanos, LiveStrings } from '../src/audit/live-tree.js';
import { parseSnapshot, serializeSnapshot, SnapshotError } from '../src/audit/snapshot.js';
import { vanishedDuringRead } from '../src/audit/scope.js';
import { allRules } from '../src/engine/registry.js';
import { runRules } from '../src/engine/run-rules.js';
import { at, child, scalarValue } from '../src/model/access.js';
import { parseDuration } from '../src/model/units.js';
import { toPlain, type LVal } from '../src/parse/located.js';
import { node, recordedSnapshot, service, snapshot } from './helpers/swarm-snapshot.js';

const single = recordedSnapshot('single-node');
const spec = (name: string): DockerService => single.services.find((s) => s.Spec.Name === name)!;

describe('service spec → compose service', () => {
  it('converts the recorded shop_web spec to what its stack file says, in compose units', () => {
    const plain = toPlain(convertService(spec('shop_web')).tree) as Record<string, unknown>;
    expect(plain).toMatchObject({
      image: 'local/busybox:1',
      command: ['/bin/busybox', 'sleep', '86400'],
      user: '1000:1000',
      read_only: true,
      cap_drop: ['ALL'],
      healthcheck: { test: ['CMD', '/bin/busybox', 'true'], interval: '10s', timeout: '3s', start_period: '5s', retries: 3 },
      volumes: [{ type: 'tmpfs', target: '/tmp', tmpfs: { size: 16777216 } }],
      deploy: {
        mode: 'replicated',
        replicas: 2,
        resources: { limits: { cpus: 0.25, memory: '32M' }, reservations: { cpus: 0.05, memory: '8M' } },
        restart_policy: { condition: 'on-failure', delay: '5s', max_attempts: 3, window: '1m' },
        update_config: { parallelism: 1, delay: '5s', failure_action: 'rollback', order: 'start-first' },
        rollback_config: { parallelism: 1, order: 'stop-first' },
      },
    });
    expect((plain.deploy as { labels: Record<string, string> }).labels['stackopt.sleep-policy.priority']).toBe('low');
  });

  it('locates every value at the docker field it came from', () => {
    const stack = buildLiveStack(single, { stack: 'shop' });
    const web = stack.services.find((s) => s.name === 'shop_web')!;
    expect(web.user!.loc).toEqual({ kind: 'live', object: 'service shop_web', path: 'Spec.TaskTemplate.ContainerSpec.User' });
    expect(web.limits.memory!.loc).toEqual({ kind: 'live', object: 'service shop_web', path: 'Spec.TaskTemplate.Resources.Limits.MemoryBytes' });
    expect(web.limits.memory!.value).toBe(32 * 1024 * 1024);
    expect(web.limits.cpus!.value).toBe(0.25);
    expect(web.healthcheck!.interval!.value).toBe(10);
    expect(web.healthcheck!.interval!.loc).toMatchObject({ path: 'Spec.TaskTemplate.ContainerSpec.Healthcheck.Interval' });
    expect(web.capDrop!.items[0]!.loc).toMatchObject({ path: 'Spec.TaskTemplate.ContainerSpec.CapabilityDrop[0]' });
    expect(at(web.deploy, 'placement')).toBeUndefined();
    expect(web.replicas!.loc).toMatchObject({ path: 'Spec.Mode.Replicated.Replicas' });
    expect(stack.origin).toBe('live');
    expect(stack.files).toEqual([]);
  });

  it('reads the sleep policy from the stackopt.sleep-policy.* labels', () => {
    const stack = buildLiveStack(single, { stack: 'shop', services: ['gateway'] });
    const policy = stack.services[0]!.sleepPolicy!;
    expect(policy.key).toBe('labels');
    expect(toPlain(policy.ref.node)).toEqual({ enabled: 'true', priority: 'high' });
    expect(policy.ref.path).toEqual(['services', 'shop_gateway', 'deploy', 'labels', 'stackopt.sleep-policy']);
    expect(child(policy.ref, 'priority')!.node.loc).toEqual({ kind: 'live', object: 'service shop_gateway', path: 'Spec.Labels["stackopt.sleep-policy.priority"]' });
    expect(buildLiveStack(single, { stack: 'shop', services: ['crash'] }).services[0]!.sleepPolicy).toBeNull();
  });

  it('converts what the recorded engine did not have: ports, secrets, hosts, logging, API 1.46 tmpfs options, global mode', () => {
    const svc: DockerService = {
      ID: 'x',
      Spec: {
        Name: 'edge',
        Labels: {},
        TaskTemplate: {
          ContainerSpec: {
            Image: 'traefik:3.1@sha256:' + 'b'.repeat(64),
            Env: ['A=1', 'FLAG'],
            Hosts: ['10.0.0.5 db db.local'],
            Secrets: [{ SecretName: 'tls_key', File: { Name: 'key.pem', UID: '0', GID: '0', Mode: 256 } }],
            Mounts: [{ Type: 'tmpfs', Target: '/run', TmpfsOptions: { SizeBytes: 1048576, Mode: 448, Options: [['noexec'], ['nosuid']] } }],
            StopGracePeriod: 1_500_000_000,
            Privileges: { NoNewPrivileges: true },
          },
          LogDriver: { Name: 'json-file', Options: { 'max-size': '10m' } },
        },
        Mode: { Global: {} },
        EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 443, PublishedPort: 443, PublishMode: 'host' }] },
      },
    };
    const plain = toPlain(convertService(svc).tree) as Record<string, unknown>;
    expect(plain).toMatchObject({
      environment: { A: '1', FLAG: null },
      extra_hosts: ['db:10.0.0.5', 'db.local:10.0.0.5'],
      secrets: [{ source: 'tls_key', target: 'key.pem', uid: '0', gid: '0', mode: 256 }],
      volumes: [{ type: 'tmpfs', target: '/run', tmpfs: { size: 1048576, mode: 448 } }],
      stop_grace_period: '1500ms',
      security_opt: ['no-new-privileges:true'],
      logging: { driver: 'json-file', options: { 'max-size': '10m' } },
      ports: [{ target: 443, published: 443, protocol: 'tcp', mode: 'host' }],
      deploy: { mode: 'global' },
    });
    const stack = buildLiveStack(snapshot({ nodes: [node({ hostname: 'm', role: 'manager' })], services: [svc] }));
    expect(stack.services[0]!.volumes[0]!.options).toEqual(['noexec', 'nosuid']);
    expect([...stack.secrets.keys()]).toEqual(['tls_key']);
    expect(scalarValue(at(stack.services[0]!.ref, 'deploy', 'replicas'))).toBeUndefined();
  });

  it('names the networks a service is attached to (by id in the spec), declared as external; the host network is reported', () => {
    const web = service({ name: 'shop_web', stack: 'shop' });
    web.Spec.TaskTemplate!.Networks = [{ Target: 'n-front', Aliases: ['web'] }, { Target: 'n-gone' }];
    const agent = service({ name: 'agent' });
    agent.Spec.Networks = [{ Target: 'n-host' }]; // where older API versions keep them
    const snap = {
      ...snapshot({ nodes: [node({ hostname: 'm', role: 'manager' })], services: [web, agent] }),
      networks: [
        { ID: 'n-front', Name: 'shop_front' },
        { ID: 'n-host', Name: 'host' },
      ],
    };
    const stack = buildLiveStack(snap);
    expect(toPlain(at(stack.services[1]!.ref, 'networks')!.node)).toEqual({ shop_front: { aliases: ['web'] }, 'n-gone': null });
    expect(stack.services.map((s) => s.networks.map((n) => n.name))).toEqual([['host'], ['shop_front', 'n-gone']]);
    expect([...stack.networks.keys()]).toEqual(['host', 'n-gone', 'shop_front']);
    const net = at(stack.services[1]!.ref, 'networks', 'shop_front')!;
    expect(net.entry!.keyLoc).toEqual({ kind: 'live', object: 'service shop_web', path: 'Spec.TaskTemplate.Networks[0].Target' });
    const findings = auditSnapshot(snap).findings;
    expect(findings.filter((f) => f.ruleId === 'undefined-reference')).toEqual([]);
    expect(findings.filter((f) => f.ruleId === 'no-host-namespaces').map((f) => [f.file, f.message])).toEqual([
      ['service agent', 'service "agent" is attached to network "host", which is the host network, so it shares the host\'s network stack: every host interface and every port on localhost; attach it to an overlay network and publish only the ports it serves'],
    ]);
    // a snapshot saved before networks were recorded: no networks, as before
    const older = buildLiveStack(snapshot({ nodes: [node({ hostname: 'm', role: 'manager' })], services: [web] }));
    expect(older.services[0]!.networks).toEqual([]);
    expect(older.networks.size).toBe(0);
  });

  it('gives each value the location of its own field when the services of an audit share their paths and durations', () => {
    // every value's location, written out: the tree's path, the value, where its key and it come from
    const locations = (v: LVal, at: string, out: string[] = []): string[] => {
      const where = v.loc.kind === 'live' ? `${v.loc.object} ${v.loc.path}` : 'file';
      if (v.kind === 'scalar') out.push(`${at} = ${JSON.stringify(v.value)} @ ${where}`);
      else if (v.kind === 'seq') v.items.forEach((it, i) => locations(it.value, `${at}[${i}]`, out));
      else {
        out.push(`${at} @ ${where}`);
        for (const e of v.entries) {
          out.push(`${at}.${e.key} key @ ${e.keyLoc.kind === 'live' ? e.keyLoc.path : 'file'}`);
          locations(e.value, `${at}.${e.key}`, out);
        }
      }
      return out;
    };
    const made = (name: string, cs: Record<string, unknown>, labels: Record<string, string>): DockerService => ({
      ID: name,
      Spec: { Name: name, Labels: labels, TaskTemplate: { ContainerSpec: { Image: 'busybox:1', ...cs } } },
    });
    const services = [
      ...recordedSnapshot('multi-node').services,
      ...single.services,
      made('a', { Args: ['a', 'b'], Env: ['X=1', 'Y=2'], Labels: { k1: 'w' }, Healthcheck: { Test: ['CMD', 'x'], Interval: 30e9 } }, { k1: 'v' }),
      made('b', { Healthcheck: { Test: ['CMD', 'y', 'z'], Timeout: 30e9 }, Args: ['c'], CapabilityDrop: ['ALL'], Env: ['Z=3'] }, { k2: 'v', k1: 'u' }),
    ];
    const alone = services.map((svc) => locations(convertService(svc).tree, svc.Spec.Name));
    // one LiveStrings for all, in both orders: a path written for one service is read by the others
    for (const order of [services, [...services].reverse()]) {
      const shared = new LiveStrings();
      const together = new Map(order.map((svc) => [svc, locations(convertService(svc, undefined, shared).tree, svc.Spec.Name)]));
      expect(services.map((svc) => together.get(svc))).toEqual(alone);
    }
    // and those locations are the fields' own: item i of a list at path[i], the value of key k at path["k"]
    const b = alone[alone.length - 1]!;
    expect(b).toContain('b.command[0] = "c" @ service b Spec.TaskTemplate.ContainerSpec.Args[0]');
    expect(b).toContain('b.healthcheck.test[2] = "z" @ service b Spec.TaskTemplate.ContainerSpec.Healthcheck.Test[2]');
    expect(b).toContain('b.healthcheck.timeout = "30s" @ service b Spec.TaskTemplate.ContainerSpec.Healthcheck.Timeout');
    expect(b).toContain('b.environment.Z = "3" @ service b Spec.TaskTemplate.ContainerSpec.Env[0]');
    expect(b).toContain('b.cap_drop[0] = "ALL" @ service b Spec.TaskTemplate.ContainerSpec.CapabilityDrop[0]');
    expect(b).toContain('b.deploy.labels.k1 = "u" @ service b Spec.Labels["k1"]');
    const a = alone[alone.length - 2]!;
    expect(a).toContain('a.environment.Y = "2" @ service a Spec.TaskTemplate.ContainerSpec.Env[1]');
    expect(a).toContain('a.labels.k1 = "w" @ service a Spec.TaskTemplate.ContainerSpec.Labels["k1"]');
    expect(a).toContain('a.healthcheck.interval = "30s" @ service a Spec.TaskTemplate.ContainerSpec.Healthcheck.Interval');
    expect(new LiveStrings().item('Spec.TaskTemplate.ContainerSpec.Args', 2)).toBe('Spec.TaskTemplate.ContainerSpec.Args[2]');
  });

  it('writes nanosecond durations exactly as Go durations', () => {
    for (const [ns, text] of [
      [30e9, '30s'],
      [90e9, '1m30s'],
      [3600e9, '1h'],
      [500e6, '500ms'],
      [1_500_000_000, '1500ms'],
      [250e3, '250us'],
      [10, '10ns'],
      [0, '0s'],
    ] as const) {
      expect(formatNanos(ns)).toBe(text);
      if (ns > 0) expect(parseDuration(text)! * 1e9).toBeCloseTo(ns, 3);
    }
  });
});

describe('every rule runs on the live model', () => {
  it('runs the whole catalogue on both recorded swarms without an error, placing findings at live objects', () => {
    for (const name of ['single-node', 'multi-node'] as const) {
      const stack = buildLiveStack(recordedSnapshot(name));
      const findings = runRules(stack, allRules);
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings) {
        expect(f.loc?.kind === 'live' ? f.loc.object : f.file, `${f.ruleId}: ${f.message}`).toMatch(/^(service|node) \S|^swarm$/);
        expect([f.line, f.column]).toEqual([0, 0]);
        expect(f.file).toBe(f.loc?.kind === 'live' ? f.loc.object : f.file);
      }
    }
  });

  it('takes the facts of the tasks made first (the CLI lets the parsed tasks go before converting): the same facts and findings', () => {
    for (const name of ['single-node', 'multi-node'] as const) {
      const snap = recordedSnapshot(name);
      const tasks = buildTasks(snap.tasks);
      expect(tasks.length).toBe(snap.tasks.length);
      const early = buildLiveStack({ ...snap, tasks: [] }, {}, tasks);
      const usual = buildLiveStack(snap);
      expect(early.live!.tasks).toBe(tasks);
      expect(tasks).toEqual(usual.live!.tasks);
      const messages = (stack: typeof usual) => runRules(stack, allRules).map((f) => `${f.ruleId} ${f.file} ${f.message}`);
      expect(messages(early)).toEqual(messages(usual));
      // a snapshot handed over to prepareAudit: its parsed tasks are let go, the audit is the same
      const owned = { ...snap, tasks: [...snap.tasks] };
      const live = prepareAudit(owned, {}, true);
      expect(owned.tasks).toEqual([]);
      const found = (r: ReturnType<typeof auditLive>) => r.findings.map((f) => `${f.ruleId} ${f.file} ${f.message}`);
      expect(found(auditLive(live))).toEqual(found(auditSnapshot(snap)));
    }
  });

  it('selects services by stack and name, and says which names exist', () => {
    expect(buildLiveStack(single).services.map((s) => s.name)).toEqual(['shop_crash', 'shop_gateway', 'shop_hog', 'shop_nowhere', 'shop_web']);
    expect(buildLiveStack(single, { stack: 'shop', services: ['web', 'shop_crash'] }).services.map((s) => s.name)).toEqual(['shop_crash', 'shop_web']);
    expect(() => buildLiveStack(single, { stack: 'shpo' })).toThrow(new ScopeError('no stack "shpo" on this swarm; did you mean "shop"? (stacks: shop)'));
    expect(() => buildLiveStack(single, { services: ['nope'] })).toThrow(ScopeError);
  });

  it('skips a --service that vanished while a scoped snapshot was read, and only that one', () => {
    const web = single.services.find((s) => s.Spec.Name === 'shop_web')!;
    const rest = single.services.filter((s) => s !== web);
    const scoped = { ...single, services: rest, tasks: single.tasks.filter((t) => t.ServiceID !== web.ID), scope: { stack: 'shop', services: ['web', 'crash'] }, vanished: { service: 1 } };
    const names = (snap: typeof scoped, services: string[]) => buildLiveStack(snap, { stack: 'shop', services }).services.map((s) => s.name);
    // the list the snapshot recorded: by name within the stack, full name or id prefix
    const recorded = { ...scoped, vanishedServices: [{ id: web.ID, name: 'shop_web' }] };
    expect(names(recorded, ['web', 'crash'])).toEqual(['shop_crash']);
    expect(names(recorded, ['shop_web', web.ID.slice(0, 8), 'crash'])).toEqual(['shop_crash']);
    expect(() => names(recorded, ['wbe', 'crash'])).toThrow(new ScopeError('no service "wbe" in stack "shop" (the snapshot holds only services "web", "crash" of stack "shop")'));
    // vanished before its name was read: known by its id
    const byId = { ...scoped, vanishedServices: [{ id: web.ID, name: null }] };
    expect(names(byId, [web.ID])).toEqual([]);
    expect(() => names(byId, ['web'])).toThrow(ScopeError);
    // a snapshot saved before the list was kept: any name may have vanished
    expect(names(scoped, ['wbe', 'crash'])).toEqual(['shop_crash']);
    // nothing vanished: the usual error
    expect(() => names({ ...recorded, vanished: { service: 0 } }, ['web'])).toThrow(ScopeError);
  });

  it('a --stack the scoped snapshot never held is an error, also when services of its own stack vanished', () => {
    const shopOnly = { ...single, services: [], tasks: [], scope: { stack: 'shop', services: [] }, vanished: { service: 5 }, vanishedServices: [{ id: 'abcdef123456', name: null }] };
    // every service of the stack vanished while it was read: an audit of nothing, not an error
    expect(buildLiveStack(shopOnly, { stack: 'shop' }).services).toEqual([]);
    expect(() => buildLiveStack(shopOnly, { stack: 'shpo' })).toThrow(new ScopeError('no stack "shpo" on this swarm (stacks: none) (the snapshot holds only stack "shop")'));
    // a snapshot of some services: a stack one of them (by name, or unnamed) may have been in
    const some = { ...shopOnly, scope: { stack: null, services: ['shop_web'] }, vanishedServices: [{ id: 'abcdef123456', name: 'shop_web' }] };
    expect(buildLiveStack(some, { stack: 'shop' }).services).toEqual([]);
    expect(() => buildLiveStack(some, { stack: 'other' })).toThrow(ScopeError);
    expect(buildLiveStack({ ...some, vanishedServices: [{ id: 'abcdef123456', name: null }] }, { stack: 'other' }).services).toEqual([]);
  });

  it('vanishedDuringRead: a name, a name within the stack, an id or an id prefix of a vanished service', () => {
    const gone = [{ id: 'abcdef123456', name: 'shop_web' }, { id: '999999aaaaaa', name: null }];
    expect(vanishedDuringRead('shop_web', null, gone)).toBe(true);
    expect(vanishedDuringRead('web', 'shop', gone)).toBe(true);
    expect(vanishedDuringRead('web', null, gone)).toBe(false);
    expect(vanishedDuringRead('abcdef', null, gone)).toBe(true);
    expect(vanishedDuringRead('abcde', null, gone)).toBe(false);
    expect(vanishedDuringRead('999999aaaaaa0123456789abc', null, gone)).toBe(true);
    expect(vanishedDuringRead('wbe', 'shop', gone)).toBe(false);
    expect(vanishedDuringRead('wbe', 'shop', 'any')).toBe(true);
    expect(vanishedDuringRead('web', 'shop', [])).toBe(false);
  });
});

describe('snapshots', () => {
  it('round-trip through JSON', () => {
    expect(parseSnapshot(serializeSnapshot(single))).toEqual(single);
  });

  it('keep the docker JSON, less what no check reads', () => {
    const text = serializeSnapshot(recordedSnapshot('multi-node'));
    expect(text).not.toContain('BEGIN CERTIFICATE');
    expect(text).not.toContain('NetworksAttachments');
    expect(text).not.toContain('"Plugins"');
    expect(recordedSnapshot('multi-node').nodes[0]).toHaveProperty('Description.Resources.NanoCPUs');
  });

  it('say what is wrong with a file that is not one', () => {
    expect(() => parseSnapshot('nope', 'x.json')).toThrow(SnapshotError);
    expect(() => parseSnapshot('[]', 'x.json')).toThrow('x.json is not a stackopt swarm snapshot: the top level is not an object');
    const broken = JSON.parse(serializeSnapshot(single));
    delete broken.tasks[0].ServiceID;
    expect(() => parseSnapshot(JSON.stringify(broken), 'x.json')).toThrow('tasks[0].ServiceID is missing; expected a string');
    expect(() => parseSnapshot(JSON.stringify({ ...single, version: 2 }), 'x.json')).toThrow('"version" is 2; this stackopt reads version 1');
  });
});

describe('capacity', () => {
  it('sums what the running tasks of every stack reserve on each node', () => {
    const cap = computeCapacity(auditSnapshot(single).facts);
    expect(cap).toHaveLength(1);
    // shop_web: 2 tasks × (0.05 CPU, 8 MiB); the other services reserve nothing or run nowhere
    expect(cap[0]!.cpu.reserved).toBe(0.1e9);
    expect(cap[0]!.memory.reserved).toBe(16 * 1024 * 1024);
    expect(formatCpus(cap[0]!.cpu.reserved)).toBe('0.1 CPUs');
    expect(formatSize(cap[0]!.memory.reserved)).toBe('16 MiB');
    expect(formatCpus(1e9)).toBe('1 CPU');
    expect(formatSize(1.5 * 1024 ** 3)).toBe('1.5 GiB');
  });

  it('counts tasks of services outside --stack, which use the same nodes', () => {
    const m = node({ hostname: 'm', role: 'manager', cpus: 2 });
    const a = service({ name: 'a_x', stack: 'a', reserve: { cpus: 1 } });
    const b = service({ name: 'b_x', stack: 'b', reserve: { cpus: 1.5 } });
    const snap = snapshot({
      nodes: [m],
      services: [a, b],
      tasks: [a, b].map((s) => ({ ID: `t-${s.ID}`, ServiceID: s.ID, NodeID: m.ID, DesiredState: 'running', Status: { State: 'running' }, Spec: { Resources: s.Spec.TaskTemplate!.Resources } })),
    });
    const r = auditSnapshot(snap, { stack: 'a' });
    expect(r.findings.filter((f) => f.ruleId === 'capacity-overcommit').map((f) => f.message)).toEqual([
      expect.stringContaining('node "m" has 2.5 CPUs of CPU reserved by 2 tasks but only 2 CPUs (125%)'),
    ]);
  });

  it('is one answer for the same facts, given to capacity-overcommit and the report, and read only all the way down', () => {
    const r = auditSnapshot(single);
    const cap = computeCapacity(r.facts);
    // the array the rule read is the one the result holds
    expect(r.capacity).toBe(cap);
    expect(computeCapacity(r.facts)).toBe(cap);
    const first = cap[0]!;
    const tasks = first.tasks.length;
    expect(tasks).toBeGreaterThan(0);
    // readonly in its types (each line below is a type error, checked by tsc) and frozen while running
    // @ts-expect-error: the list of nodes is read only
    expect(() => cap.push(first)).toThrow(TypeError);
    // @ts-expect-error: a node's figures are read only
    expect(() => (first.cpu.reserved = 0)).toThrow(TypeError);
    // @ts-expect-error: read only
    expect(() => (first.memory.total = 0)).toThrow(TypeError);
    // @ts-expect-error: a node's list of tasks is read only
    expect(() => first.tasks.pop()).toThrow(TypeError);
    // @ts-expect-error: read only
    expect(() => (first.tasks = [])).toThrow(TypeError);
    expect(cap).toHaveLength(1);
    expect(first.tasks).toHaveLength(tasks);
    expect(first.cpu.reserved).toBe(0.1e9);
    expect(computeCapacity(r.facts)[0]!.memory.reserved).toBe(16 * 1024 * 1024);
  });
});
