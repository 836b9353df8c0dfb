/**
 * `stackopt audit` on a real two-engine swarm in the states an operator meets on call: a worker
 * promoted to manager while it was down (it has the role but is no Raft member: no lost quorum), a
 * service on the host network, a service whose image was changed by `docker service update --image`
 * after the stack was deployed, a replicated job parked on a constraint nothing satisfies, a
 * replicated job of 0 completions, and the swarm's own settings as `docker swarm init` leaves them
 * (no autolock; the stack's overlay network unencrypted).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockerClient } from '../src/audit/docker.js';
import { collectSnapshot } from '../src/audit/snapshot.js';
import { assertBuilt, jsonFindings, runCli, type CliRun, type JsonFinding } from './helpers/cli.js';
import {
  deployStack,
  docker,
  engineGate,
  engineSuite,
  freePort,
  importBusybox,
  initSwarm,
  joinSwarm,
  joinToken,
  nodeStates,
  startEngine,
  stopEngine,
  tasksOf,
  waitFor,
  type Engine,
} from './helpers/swarm.js';

const gate = engineGate('audit of an unhealthy swarm and its settings');

const STACK = `services:
  hostnet:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "86400"]
    networks: [hostnet]
  app:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "86400"]
  parked:
    image: local/busybox:1
    command: ["/bin/busybox", "true"]
    deploy:
      mode: replicated-job
      placement:
        constraints: [node.labels.zone == mars]
  nothing:
    image: local/busybox:1
    command: ["/bin/busybox", "true"]
    deploy:
      mode: replicated-job
      replicas: 0
networks:
  hostnet:
    external: true
    name: host
`;

/** a parked task counts as stuck after this (the default is 5 minutes; a test cannot wait that long) */
const CONFIG = 'rules:\n  service-convergence:\n    options:\n      stuckAfter: 2s\n';


describe.runIf(gate.run)('audit of an unhealthy swarm and its settings', () => {
  let mgr: Engine;
  let work = '';
  let stackFile = '';
  let json: CliRun;
  let findings: JsonFinding[] = [];
  const rule = (id: string) => findings.filter((f) => f.ruleId === id);

  beforeAll(() => assertBuilt());
  engineSuite(
    'health',
    async (root, engines) => {
      work = join(root, 'work');
      mkdirSync(work);
      const [m, w] = await Promise.all([startEngine(root, 'm', 'health-1'), startEngine(root, 'w', 'health-2')]);
      engines.push(m!, w!);
      mgr = m!;
      const [pm, pw] = [await freePort(), await freePort()];
      await initSwarm(mgr, pm, await freePort('udp'));
      await joinSwarm(w!, await joinToken(mgr, 'worker'), pw, pm);
      await importBusybox(mgr);
      await docker(mgr, ['tag', 'local/busybox:1', 'local/busybox:2']);
      // the worker goes down, then is promoted: it gets the manager role but cannot join the Raft group
      await stopEngine(w!);
      await waitFor(async () => (await nodeStates(mgr)).some((n) => n.Hostname === 'health-2' && n.Status === 'Down'), 60_000, 'health-2 to be down');
      await docker(mgr, ['node', 'promote', 'health-2']);
      stackFile = join(work, 'stack.yml');
      writeFileSync(stackFile, STACK);
      writeFileSync(join(work, '.stackopt.yaml'), CONFIG);
      await deployStack(mgr, stackFile, 'ops');
      await waitFor(async () => (await tasksOf(mgr, 'ops_app')).some((t) => t.CurrentState.startsWith('Running')), 60_000, 'ops_app to run');
      // changed by hand after the deploy: the stack label keeps local/busybox:1
      await docker(mgr, ['service', 'update', '--detach', '--no-resolve-image', '--image', 'local/busybox:2', 'ops_app']);
      const updateState = async () => (await docker(mgr, ['service', 'inspect', '--format', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}', 'ops_app'])).stdout.trim();
      await waitFor(async () => (await updateState()) === 'completed', 60_000, 'the update of ops_app to complete');
      // the parked task must have waited past stuckAfter (its age is measured from the snapshot's time)
      await waitFor(async () => (await tasksOf(mgr, 'ops_parked')).some((t) => t.CurrentState.startsWith('Pending')), 60_000, 'ops_parked to be pending');
      await new Promise((r) => setTimeout(r, 3000));
      json = runCli(['audit', '--stack', 'ops', '-f', stackFile, '--format', 'json'], work, { DOCKER_HOST: mgr.host });
      if (json.status !== 0 && json.status !== 1) throw new Error(`audit exited ${json.status}: ${json.stderr}`);
      findings = jsonFindings(json);
    },
    { setup: 170_000, teardown: 90_000 },
  );

  it('prints only the report and exits 1', () => {
    expect(json.stderr).toBe('');
    expect(json.status).toBe(1);
  });

  it('counts Raft members: the worker promoted while down is no lost quorum, and --force-new-cluster is not advised', async () => {
    expect(await nodeStates(mgr)).toEqual(expect.arrayContaining([expect.objectContaining({ Hostname: 'health-2', Status: 'Down', ManagerStatus: '' })]));
    const q = rule('manager-quorum');
    expect(q.map((f) => [f.severity, f.file])).toEqual([
      ['warning', 'node health-2'],
      ['warning', 'swarm'],
    ]);
    expect(q[0]!.message).toBe(
      'node "health-2" has the manager role but is not a member of the managers\' Raft group (node down: "heartbeat failure"): it neither votes nor adds fault tolerance until it is up and has joined; bring the node back, or demote it (`docker node demote health-2`)',
    );
    expect(q[1]!.message).toContain('the swarm has one manager ("health-1")');
    expect(findings.map((f) => f.message).join('\n')).not.toMatch(/lost its quorum|force-new-cluster/);
  });

  it('sees the service on the host network (the spec names it by its swarm id)', () => {
    const h = rule('no-host-namespaces');
    expect(h.map((f) => [f.severity, f.service, f.message])).toEqual([
      [
        'error',
        'ops_hostnet',
        'service "ops_hostnet" is attached to network "host", which is the host network, so it shares the host\'s network stack: every host interface and every port on localhost; attach it to an overlay network and publish only the ports it serves',
      ],
    ]);
  });

  it('reports the image changed by `docker service update --image` as drift, and shows the running image', () => {
    const drift = rule('stack-drift');
    expect(drift.map((f) => [f.service, f.line, f.column, f.message.replace(/;.*/, '')])).toEqual([
      ['ops_app', 7, 12, 'service "ops_app": the stack file declares image "local/busybox:1" but the swarm runs "local/busybox:2" (deployed as "local/busybox:1", then changed by `docker service update --image`)'],
    ]);
    const human = runCli(['audit', '--stack', 'ops'], work, { DOCKER_HOST: mgr.host });
    expect(human.stdout).toMatch(/ops_app +replicated 1\/1 · local\/busybox:2\n/);
  });

  it('reports the parked job with its age and where it waits; the job of 0 completions is not waiting', () => {
    const c = rule('service-convergence');
    expect(c.map((f) => [f.severity, f.service])).toEqual([['error', 'ops_parked']]);
    expect(c[0]!.message).toMatch(
      /^job "ops_parked" has 1 task stuck for more than 2s: ops_parked \(task \w{12}\) pending for \d+ s on no node \("no suitable node \(.*scheduling constraints not satisfied on \d+ nodes?\)"\); a pending task waits for a node/,
    );
  });

  it('reports the swarm settings: managers not auto-locked (CIS 7.5), the stack\'s overlay network unencrypted (CIS 7.3)', () => {
    expect(rule('swarm-autolock').map((f) => [f.severity, f.file, f.message.replace(/:.*/, '')])).toEqual([['warning', 'swarm', "the swarm's managers are not auto-locked (EncryptionConfig.AutoLockManagers is false)"]]);
    const overlay = rule('overlay-encryption');
    expect(overlay.map((f) => [f.file, f.message.replace(/ is not encrypted.*/, '')])).toEqual([
      ['network ops_default', 'overlay network "ops_default", used by 3 services "ops_app", "ops_nothing" and "ops_parked",'],
    ]);
    // docker's defaults: 90-day node certificates, a root CA made minutes ago, one engine version
    expect(rule('swarm-certificates')).toEqual([]);
    expect(rule('engine-version-skew')).toEqual([]);
  });

  it('resolves networks with one batched docker network inspect', async () => {
    const client = new DockerClient({ env: { PATH: process.env.PATH, DOCKER_HOST: mgr.host } });
    const snap = await collectSnapshot(client);
    expect(client.calls.filter((c) => c[0] === 'network').map((c) => c.slice(0, 2).join(' '))).toEqual(['network inspect']);
    expect(snap.networks?.map((n) => [n.Name, n.Driver, n.Scope, n.Options ?? null]).sort()).toEqual([
      ['host', 'host', 'swarm', null],
      ['ops_default', 'overlay', 'swarm', null],
    ]);
  });
});
