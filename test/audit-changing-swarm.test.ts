/**
 * `stackopt audit` on a real one-node swarm that changes while it is read: a crash-looping service
 * (the engine reaps its old tasks all the time) and services created and removed in a loop. Every
 * audit must end with a complete report (exit 0 or 1), objects that vanished are left out and
 * counted. Also here, on the same engine: the docker filters of --stack and --service, and the
 * saved snapshot (no environment value in it, mode 0600, replayed to the same report).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockerClient } from '../src/audit/docker.js';
import { collectSnapshot, saveSnapshot } from '../src/audit/snapshot.js';
import { assertBuilt, runCli, runCliAsync } from './helpers/cli.js';
import { deployStack, docker, engineGate, engineSuite, freePort, importBusybox, initSwarm, startEngine, tasksOf, waitFor, type Engine } from './helpers/swarm.js';

const gate = engineGate('audit of a swarm that changes while it is read');


const SECRET_VALUES = ['pa55-w0rd-live', 'tok-9f8e7d6c', 'appuser-x', 'hunter2-in-url', 'db.internal.example', 'visible-greeting-value'];

const STACK = `services:
  api:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "3600"]
    environment:
      DB_PASSWORD: pa55-w0rd-live
      API_TOKEN: tok-9f8e7d6c
      DATABASE_URL: postgres://appuser-x:hunter2-in-url@db.internal.example:5432/app
      GREETING: visible-greeting-value
      EMPTY: ""
    deploy:
      resources:
        reservations: {cpus: "0.01", memory: 4M}
  worker:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "3600"]
`;

describe.runIf(gate.run)('audit of a swarm that changes while it is read', () => {
  let engine: Engine;
  const env = () => ({ DOCKER_HOST: engine.host });

  beforeAll(() => assertBuilt());
  engineSuite(
    'churn',
    async (root, engines) => {
      engine = await startEngine(root, 'churn', 'churn-1');
      engines.push(engine);
      await initSwarm(engine, await freePort('tcp'), await freePort('udp'));
      await importBusybox(engine);
      const file = join(root, 'stack.yml');
      writeFileSync(file, STACK);
      await deployStack(engine, file, 'shop');
      // a service that fails at once and is restarted at once: its old tasks are reaped all the time
      await docker(engine, ['service', 'create', '--detach', '--quiet', '--name', 'crashloop', '--restart-delay', '0s', 'local/busybox:1', '/bin/busybox', 'false']);
      await waitFor(async () => (await tasksOf(engine, 'shop_api')).some((t) => t.CurrentState.startsWith('Running')), 90_000, 'shop_api to run');
      await waitFor(async () => (await tasksOf(engine, 'crashloop')).filter((t) => t.CurrentState.startsWith('Failed')).length >= 4, 90_000, 'crashloop to fail 4 times');
    },
    { setup: 170_000, teardown: 60_000 },
  );

  it('ten audits or more during a crash loop and a create/remove loop all end with a complete report', async () => {
    let stop = false;
    let created = 0;
    let createdBefore = 0;
    /** services the loop created while the audits ran: the swarm changed while it was read */
    let createdDuring = 0;
    // services created and removed while the audits run (bounded: it stops with the audits, or after 300 services).
    // Their two tasks wait for a node label no node has: tasks that appear and vanish with their
    // service, as a container's would, without starting one (the crash loop above restarts one at
    // every moment: a second one cost the engine about half a core more for the whole loop)
    let previous: string | null = null;
    const churn = (async () => {
      for (let i = 0; i < 300 && !stop; i++) {
        const name = `churn-${i}`;
        await docker(engine, ['service', 'create', '--detach', '--quiet', '--name', name, '--replicas', '2', '--constraint', 'node.labels.churn==none', 'local/busybox:1', '/bin/busybox', 'false'], { reject: false });
        created++;
        if (previous) await docker(engine, ['service', 'rm', previous], { reject: false });
        previous = name;
      }
    })();
    const runs: Array<{ args: string[]; status: number; stderr: string; report: { summary?: unknown; audit?: { changedObjects: number }; results?: unknown[] } | null }> = [];
    try {
      await waitFor(() => created >= 2, 60_000, 'the create/remove loop to start');
      createdBefore = created;
      // two at a time, a whole-swarm audit beside one scoped to one stack (the others' churn must
      // not break it either): the loops cost the engine CPU for as long as the audits take. Ten
      // audits, and more (up to forty) until the loop has created two services while they ran: on
      // a busy machine the engine may create fewer in the time ten take
      for (let i = 0; i < 40 && (i < 10 || created - createdBefore < 2); i += 2) {
        const pair = await Promise.all(
          [[], ['--stack', 'shop']].map(async (scope) => {
            const args = ['audit', '--format', 'json', ...scope];
            const r = await runCliAsync(args, process.cwd(), env());
            let report = null;
            try {
              report = JSON.parse(r.stdout);
            } catch {
              /* reported below */
            }
            return { args, status: r.status, stderr: r.stderr, report };
          }),
        );
        runs.push(...pair);
      }
    } finally {
      createdDuring = created - createdBefore;
      stop = true;
      await churn;
      // the crash loops end with this test: an engine restarting a task every moment costs a fifth
      // of a core, which the tests below (and the other test files) would pay for the whole file
      await docker(engine, ['service', 'rm', 'crashloop', ...(previous ? [previous] : [])], { reject: false });
    }
    for (const r of runs) {
      expect([r.args.join(' '), r.status, r.stderr]).toEqual([r.args.join(' '), r.status === 0 ? 0 : 1, '']);
      expect(r.report?.summary).toBeDefined();
      expect(Array.isArray(r.report?.results)).toBe(true);
      expect(r.report?.audit?.changedObjects).toBeGreaterThanOrEqual(0);
    }
    expect(createdDuring).toBeGreaterThanOrEqual(2);
    // the crash loop is reported in every whole-swarm audit
    for (const r of runs.filter((x) => !x.args.includes('--stack'))) expect(JSON.stringify(r.report)).toContain('service crashloop');
  }, 300_000);

  it('an object removed between two calls is left out and counted, and the rest is read', async () => {
    await docker(engine, ['service', 'create', '--detach', '--quiet', '--name', 'doomed', 'local/busybox:1', '/bin/busybox', 'sleep', '3600']);
    await waitFor(async () => (await tasksOf(engine, 'doomed')).length > 0, 60_000, 'doomed to have a task');
    const doomedId = (await docker(engine, ['service', 'inspect', '--format', '{{.ID}}', 'doomed'])).stdout.trim();
    const doomedTask = (await docker(engine, ['service', 'ps', '--quiet', '--no-trunc', 'doomed'])).stdout.split('\n')[0]!.trim();
    const apiId = (await docker(engine, ['service', 'inspect', '--format', '{{.ID}}', 'shop_api'])).stdout.trim();
    const apiTasks = (await docker(engine, ['service', 'ps', '--quiet', '--no-trunc', 'shop_api'])).stdout.split('\n').filter(Boolean);
    await docker(engine, ['service', 'rm', 'doomed']);
    await waitFor(async () => (await docker(engine, ['inspect', '--type', 'task', doomedTask], { reject: false })).exitCode !== 0, 60_000, 'the task of doomed to be removed');

    const client = new DockerClient({ env: { PATH: process.env.PATH, DOCKER_HOST: engine.host } });
    const services = await client.inspectServices([doomedId, apiId]);
    expect(services.map((s) => s.Spec.Name)).toEqual(['shop_api']);
    const taskIds = await client.taskIds([apiId, doomedId]);
    expect(taskIds.sort()).toEqual([...apiTasks].sort());
    const tasks = await client.inspectTasks([doomedTask, ...apiTasks]);
    expect(tasks.map((t) => t.ID).sort()).toEqual([...apiTasks].sort());
    expect([...client.vanished.service]).toEqual([doomedId]);
    expect([...client.vanished.task]).toEqual([doomedTask]);
    // the first call of each batch named the removed object, the second did without it
    expect(client.calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['service inspect', 'service inspect', 'service ps', 'service ps', 'inspect --type', 'inspect --type']);
  }, 300_000);

  it('a service removed or scaled while its tasks are read is left out with its tasks and counted, not reported short of replicas', async () => {
    // a docker on PATH that, once, removes or scales the service just before the tasks are inspected
    const bin = mkdtempSync(join(tmpdir(), 'stackopt-race-'));
    const real = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
    for (const [name, race] of [
      ['victim', ['service', 'rm', 'victim']],
      ['shrunk', ['service', 'scale', '--detach', 'shrunk=0']],
    ] as const) {
      await docker(engine, ['service', 'create', '--detach', '--quiet', '--name', name, '--replicas', '2', 'local/busybox:1', '/bin/busybox', 'sleep', '3600']);
      await waitFor(async () => (await tasksOf(engine, name)).filter((t) => t.CurrentState.startsWith('Running')).length === 2, 90_000, `${name} to run 2 tasks`);
      const done = join(bin, `${name}.done`);
      writeFileSync(join(bin, 'docker'), `#!/bin/sh
if [ "$1 $2" = "inspect --type" ] && [ ! -e ${done} ]; then : > ${done}; ${real} ${race.join(' ')} >/dev/null; fi
exec ${real} "$@"
`, { mode: 0o755 });
      const path = `${bin}:${process.env.PATH}`;
      const client = new DockerClient({ env: { PATH: path, DOCKER_HOST: engine.host } });
      const snap = await collectSnapshot(client, { scope: { stack: null, services: [name] } });
      expect(existsSync(done), name).toBe(true);
      expect(snap.services, name).toEqual([]);
      expect(snap.tasks, name).toEqual([]);
      expect(snap.vanished?.service, name).toBe(1);
      expect(snap.vanishedServices?.map((v) => v.name), name).toEqual([name]);
      // replayed, the name that vanished is left out and a name that never existed is still an error
      const saved = join(bin, `${name}.json`);
      saveSnapshot(saved, snap);
      expect(runCli(['audit', '--snapshot', saved, '--service', name, '--no-color'], process.cwd()).status, name).toBeLessThan(2);
      const typo = runCli(['audit', '--snapshot', saved, '--service', `${name}x`], process.cwd());
      expect([typo.status, typo.stderr], name).toEqual([2, `stackopt: no service "${name}x" on this swarm (the snapshot holds only service "${name}")\n`]);
      if (name === 'shrunk') {
        // the CLI: no finding about the service, the change said in the report
        rmSync(done);
        await docker(engine, ['service', 'scale', '--detach', 'shrunk=2']);
        await waitFor(async () => (await tasksOf(engine, name)).filter((t) => t.CurrentState.startsWith('Running')).length === 2, 90_000, 'shrunk to run 2 tasks again');
        const r = runCli(['audit', '--service', name, '--no-color'], process.cwd(), { ...env(), PATH: path });
        expect(r.stdout, name).toContain('1 object changed during the audit');
        expect(r.stdout, name).not.toMatch(/runs 0 of 2/);
      }
      await docker(engine, ['service', 'rm', name], { reject: false });
    }
    rmSync(bin, { recursive: true, force: true });
  }, 400_000);

  it('narrows the calls with docker filters for --stack and --service', async () => {
    const client = new DockerClient({ env: { PATH: process.env.PATH, DOCKER_HOST: engine.host } });
    const snap = await collectSnapshot(client, { scope: { stack: 'shop' } });
    expect(snap.services.map((s) => s.Spec.Name).sort()).toEqual(['shop_api', 'shop_worker']);
    expect(new Set(snap.tasks.map((t) => t.ServiceID))).toEqual(new Set(snap.services.map((s) => s.ID)));
    expect(snap.scope).toEqual({ stack: 'shop', services: [] });
    const shape = (calls: string[][]) => calls.map((c) => c.filter((a) => !/^[a-z0-9]{12}$|^[a-z0-9]{25}$/.test(a)).join(' '));
    expect(shape(client.calls)).toEqual([
      'info --format {{json .}}',
      'node ls --quiet',
      'node inspect --format {{json .}}',
      'service ls --quiet --filter label=com.docker.stack.namespace=shop',
      'service inspect --format {{json .}}',
      'service ps --quiet --no-trunc',
      'inspect --type task --format {{json .}}',
      'service inspect --format {{json .}}',
      'network inspect --format {{json .}}',
    ]);
    expect(client.calls[4]!.length - 4).toBe(2); // two services inspected, not the whole swarm

    const one = new DockerClient({ env: { PATH: process.env.PATH, DOCKER_HOST: engine.host } });
    const snapOne = await collectSnapshot(one, { scope: { stack: 'shop', services: ['api'] } });
    expect(snapOne.services.map((s) => s.Spec.Name)).toEqual(['shop_api']);
    expect(shape(one.calls)[3]).toBe('service ls --format {{.ID}} {{.Name}} --filter label=com.docker.stack.namespace=shop');
    expect(one.calls[4]!.length - 4).toBe(1);

    const bad = runCli(['audit', '--stack', 'shpo'], process.cwd(), env());
    expect([bad.status, bad.stderr]).toEqual([2, 'stackopt: no stack "shpo" on this swarm; did you mean "shop"? (stacks: shop)\n']);
    const badService = runCli(['audit', '--stack', 'shop', '--service', 'apy'], process.cwd(), env());
    expect([badService.status, badService.stderr]).toEqual([2, 'stackopt: no service "apy" in stack "shop"; did you mean "api"?\n']);
  });

  it('saves a snapshot without environment values, mode 0600, that replays to the same report', () => {
    const file = join(process.cwd(), 'node_modules', `.cache-stackopt-churn-${process.pid}.json`);
    const live = runCli(['audit', '--stack', 'shop', '--format', 'json', '--save-snapshot', file], process.cwd(), env());
    expect(live.stderr).toBe('');
    const text = readFileSync(file, 'utf8');
    for (const v of SECRET_VALUES) expect(text, v).not.toContain(v);
    expect(text).toContain('DB_PASSWORD=<redacted>');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const replay = runCli(['audit', '--snapshot', file, '--format', 'json'], process.cwd(), { DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect([replay.status, replay.stdout]).toEqual([live.status, live.stdout]);
    expect(replay.stdout).toContain('secrets-in-environment');
    expect(replay.stdout).toContain('has a URL with a password in DATABASE_URL in its spec');
    // the human report too, byte for byte
    const liveHuman = runCli(['audit', '--stack', 'shop', '--save-snapshot', file], process.cwd(), env());
    const replayHuman = runCli(['audit', '--snapshot', file], process.cwd(), { DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect(replayHuman.stdout).toBe(liveHuman.stdout);
    expect(liveHuman.stdout).toContain('reserved by the running tasks of stack "shop" only');
    rmSync(file, { force: true });
  }, 300_000);
});
