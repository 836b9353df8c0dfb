/**
 * `stackopt audit` against a real four-node swarm on this machine (four engines, each with its own
 * data root, socket and hostname): three managers and a worker; one manager is then stopped (its
 * node goes down and its manager becomes unreachable), the worker is drained, and services are
 * constrained to a label no node has, to the drained node, and to more nodes than remain.
 * With RECORD_AUDIT_FIXTURES=1 the snapshot is written to fixtures/audit/multi-node.json.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, jsonFindings, repoRoot, runCli, type CliRun, type JsonFinding } from './helpers/cli.js';
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
  waitFor,
  type Engine,
} from './helpers/swarm.js';

const gate = engineGate('audit against a multi-node swarm');

const STACK = `services:
  nowhere:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "86400"]
    deploy:
      placement:
        constraints: [node.labels.zone == mars]
  pinned:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "86400"]
    deploy:
      placement:
        constraints: [node.hostname == wrk-1]
  spread:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "86400"]
    deploy:
      replicas: 3
      placement:
        constraints: [node.role == manager]
        max_replicas_per_node: 1
`;


describe.runIf(gate.run)('audit against a multi-node swarm with a node down and a node drained', () => {
  let mgr1: Engine;
  let wrk1: Engine;
  let work = '';
  let json: CliRun;
  let findings: JsonFinding[] = [];
  const rule = (id: string) => findings.filter((f) => f.ruleId === id);

  beforeAll(() => assertBuilt());
  engineSuite(
    'swarm4',
    async (root, engines) => {
      work = join(root, 'work');
      mkdirSync(work);
      const [m1, m2, m3, w1] = await Promise.all([
        startEngine(root, 'm1', 'mgr-1'),
        startEngine(root, 'm2', 'mgr-2'),
        startEngine(root, 'm3', 'mgr-3'),
        startEngine(root, 'w1', 'wrk-1'),
      ]);
      engines.push(m1!, m2!, m3!, w1!);
      mgr1 = m1!;
      wrk1 = w1!;
      const [p1, p2, p3, p4] = [await freePort(), await freePort(), await freePort(), await freePort()];
      await initSwarm(mgr1, p1!, await freePort('udp'));
      const managerToken = await joinToken(mgr1, 'manager');
      const workerToken = await joinToken(mgr1, 'worker');
      await joinSwarm(m2!, managerToken, p2!, p1!);
      await joinSwarm(m3!, managerToken, p3!, p1!);
      await joinSwarm(wrk1, workerToken, p4!, p1!);
      await Promise.all(engines.map(importBusybox));
      await waitFor(async () => (await nodeStates(mgr1)).filter((n) => n.Status === 'Ready').length === 4, 60_000, 'four ready nodes');
      await docker(mgr1, ['node', 'update', '--label-add', 'zone=earth', 'mgr-2']);
      await docker(mgr1, ['node', 'update', '--availability', 'drain', 'wrk-1']);
      const stackFile = join(work, 'stack.yml');
      writeFileSync(stackFile, STACK);
      await deployStack(mgr1, stackFile, 'edge');
      // one manager goes away: its node turns down and its manager unreachable
      await stopEngine(m3!);
      await waitFor(
        async () => (await nodeStates(mgr1)).some((n) => n.Hostname === 'mgr-3' && n.Status === 'Down' && n.ManagerStatus === 'Unreachable'),
        60_000,
        'mgr-3 to be down and unreachable',
      );
      const snapshotFile = join(work, 'snapshot.json');
      // a manager that just lost a peer may need a moment (a leader election) before it answers
      await waitFor(
        () => {
          json = runCli(['audit', '--format', 'json', '--save-snapshot', snapshotFile], work, { DOCKER_HOST: mgr1.host });
          return !(json.status === 3 && /leader|did not answer/.test(json.stderr));
        },
        60_000,
        'the audit to get answers',
        false,
      );
      if (json!.status !== 0 && json!.status !== 1) throw new Error(`audit exited ${json!.status}: ${json!.stderr}`);
      findings = jsonFindings(json);
      if (process.env.RECORD_AUDIT_FIXTURES === '1') copyFileSync(snapshotFile, join(repoRoot, 'fixtures/audit/multi-node.json'));
    },
    { setup: 170_000, teardown: 90_000 },
  );

  it('prints only the report and exits 1', () => {
    expect(json.stderr).toBe('');
    expect(json.status).toBe(1);
  });

  it('reports the stopped node as down (error) and the drained one (warning), with hostname and role', () => {
    const nodes = rule('node-availability').map((f) => [f.severity, f.file, f.message.replace(/:.*/, '')]);
    expect(nodes).toEqual([
      ['error', 'node mgr-3', 'node "mgr-3" (manager) is down (the engine says'],
      ['warning', 'node wrk-1', 'node "wrk-1" (worker) is drained'],
    ]);
    expect(rule('node-availability')[0]!.message).toMatch(/is down \(the engine says: "heartbeat failure"\)/);
  });

  it('reports the unreachable manager and the quorum margin left', () => {
    const q = rule('manager-quorum');
    expect(q).toHaveLength(1);
    expect(q[0]!.severity).toBe('error');
    expect(q[0]!.message).toContain('manager "mgr-3" is unreachable');
    expect(q[0]!.message).toContain('2 of 3 managers are reachable and a majority is 2; one more manager failure loses the quorum');
  });

  it('reports the constraints no active node satisfies', () => {
    const p = Object.fromEntries(rule('placement-unsatisfiable').map((f) => [f.service, f]));
    expect(Object.keys(p).sort()).toEqual(['edge_nowhere', 'edge_pinned', 'edge_spread']);
    expect(p.edge_nowhere!.message).toContain('no node satisfies "node.labels.zone == mars" (4 nodes: label zone is "earth" on "mgr-2"; unset on "mgr-1", "mgr-3" and "wrk-1")');
    expect(p.edge_pinned!.message).toContain('can only run on "wrk-1" (its constraints: "node.hostname == wrk-1"), but "wrk-1" is drained');
    expect(p.edge_spread!.severity).toBe('warning');
    expect(p.edge_spread!.message).toContain('wants 3 replicas with at most 1 per node, but only 2 nodes can take them: 2 can run');
  });

  it('shows the nodes with their state, and a capacity line for each', () => {
    const r = runCli(['audit'], work, { DOCKER_HOST: mgr1.host });
    expect(r.stdout).toMatch(/mgr-1 +manager \(leader\) · ready · active/);
    expect(r.stdout).toMatch(/mgr-3 +manager \(unreachable\) · down · active · "heartbeat failure"/);
    expect(r.stdout).toMatch(/wrk-1 +worker · ready · drain/);
    const capacity = r.stdout.slice(r.stdout.indexOf('Capacity'));
    for (const n of ['mgr-1', 'mgr-2', 'mgr-3', 'wrk-1']) expect(capacity).toMatch(new RegExp(`\\n  ${n} +cpu \\[`));
    expect(capacity).toMatch(/mgr-3 .*\(down\)/);
  });

  it('refuses a worker with a message that says to use a manager (exit 3)', () => {
    const r = runCli(['audit'], work, { DOCKER_HOST: wrk1.host });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `stackopt: the Docker engine at DOCKER_HOST=${wrk1.host} is a swarm worker, not a manager: point DOCKER_HOST or --context at a manager node (\`docker node ls\` works there)`,
    );
  });
});
