/**
 * `stackopt audit` against a real one-node swarm, started here and torn down after: the stack of
 * fixtures/audit/shop-stack.yml is deployed and each of its services breaks or satisfies rules.
 * The built CLI is run as a user runs it (`node bin/stackopt.js audit`). With
 * RECORD_AUDIT_FIXTURES=1 the snapshot is also written to fixtures/audit/ for the replay tests.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DockerClient } from '../src/audit/docker.js';
import { buildLiveStack } from '../src/audit/live-model.js';
import { collectSnapshot, loadSnapshot } from '../src/audit/snapshot.js';
import { toPlain } from '../src/parse/located.js';
import { assertBuilt, jsonFindings, repoRoot, runCli, type CliRun, type JsonFinding } from './helpers/cli.js';
import {
  deployStack,
  docker,
  engineGate,
  engineSuite,
  freePort,
  importBusybox,
  initSwarm,
  startEngine,
  tasksOf,
  waitFor,
  type Engine,
} from './helpers/swarm.js';

const gate = engineGate('audit against a one-node swarm');
const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const STACK_FILE = join(repoRoot, 'fixtures/audit/shop-stack.yml');
const LIVE_RULES = ['node-availability', 'manager-quorum', 'service-convergence', 'capacity-overcommit', 'placement-unsatisfiable', 'stack-drift', 'swarm-autolock', 'overlay-encryption', 'swarm-certificates', 'engine-version-skew'];


describe.runIf(gate.run)('audit against a one-node swarm', () => {
  let engine: Engine;
  let work = '';
  let snapshotFile = '';
  let json: CliRun;
  let findings: JsonFinding[] = [];
  const audit = (args: string[], env: Record<string, string> = {}) => runCli(['audit', ...args], work, { DOCKER_HOST: engine.host, ...env });
  const of = (service: string, rule?: string) => findings.filter((f) => f.service === service && (!rule || f.ruleId === rule));

  beforeAll(() => assertBuilt());
  engineSuite(
    'swarm1',
    async (root, engines) => {
      work = join(root, 'work');
      mkdirSync(work);
      engine = await startEngine(root, 'solo', 'solo-1');
      engines.push(engine);
      await initSwarm(engine, await freePort('tcp'), await freePort('udp'));
      await importBusybox(engine);
      await deployStack(engine, STACK_FILE, 'shop');
      // web at full strength, crash failed a few times, the others pending with their reason
      await waitFor(async () => (await tasksOf(engine, 'shop_web')).filter((t) => t.CurrentState.startsWith('Running')).length === 2, 60_000, 'shop_web to run 2 tasks');
      await waitFor(async () => (await tasksOf(engine, 'shop_crash')).filter((t) => t.CurrentState.startsWith('Failed')).length >= 3, 60_000, 'shop_crash to fail 3 times');
      await waitFor(async () => (await tasksOf(engine, 'shop_gateway')).some((t) => t.CurrentState.startsWith('Running')), 60_000, 'shop_gateway to run');
      await waitFor(async () => (await tasksOf(engine, 'shop_hog')).some((t) => /insufficient resources/.test(t.Error)), 30_000, 'shop_hog to be pending');
      snapshotFile = join(work, 'snapshot.json');
      json = audit(['--stack', 'shop', '--format', 'json', '--save-snapshot', snapshotFile]);
      if (json.status !== 0 && json.status !== 1) throw new Error(`audit exited ${json.status}: ${json.stderr}`);
      findings = jsonFindings(json);
      if (process.env.RECORD_AUDIT_FIXTURES === '1') copyFileSync(snapshotFile, join(repoRoot, 'fixtures/audit/single-node.json'));
    },
    { setup: 170_000, teardown: 60_000 },
  );

  it('prints the JSON report alone on stdout, nothing on stderr, and exits 1 for the errors', () => {
    expect(json.stderr).toBe('');
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    expect(json.status).toBe(1);
    for (const f of findings) expect(f.line, `${f.ruleId}: ${f.message}`).toBe(0);
  });

  it.runIf(HAS_SCRIPT)('shows progress on stderr when it is a terminal, and only the report on stdout', () => {
    // `script` gives the command a terminal; stdout goes to a file, stderr stays on the terminal
    const out = join(work, 'tty-report.json');
    const bin = join(repoRoot, 'bin', 'stackopt.js');
    const r = spawnSync('script', ['-qec', `'${process.execPath}' '${bin}' audit --stack shop --format json > '${out}'`, '/dev/null'], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: work, DOCKER_HOST: engine.host, TERM: 'dumb' },
      timeout: 300_000,
    });
    expect(r.stdout).toContain('stackopt: listing nodes…');
    expect(r.stdout).toMatch(/stackopt: inspecting \d+ tasks…/);
    expect(r.stdout).toMatch(/\r\u001b\[2K$/); // the progress line is cleared at the end
    expect(Object.keys(JSON.parse(readFileSync(out, 'utf8')))).toEqual(['tool', 'results', 'summary', 'audit']);
  });

  it('finds nothing wrong with the service that satisfies every rule', () => {
    expect(of('shop_web').map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
  });

  it('runs the file rules on the converted services', () => {
    expect(of('shop_crash', 'resource-limits')).toHaveLength(1);
    expect(of('shop_crash', 'non-root-user')[0]?.message).toContain('"0:0"');
    expect(of('shop_crash', 'cap-drop-all')).toHaveLength(1);
    expect(of('shop_crash', 'healthcheck-required')).toHaveLength(1);
    expect(of('shop_gateway', 'critical-single-replica')).toHaveLength(1);
    // the sleep policy comes from the service labels
    const sleep = of('shop_gateway', 'sleep-policy');
    expect(sleep).toHaveLength(1);
    expect(sleep[0]!.message).toContain('priority "high"');
    expect(sleep[0]!.file).toBe('service shop_gateway');
    // read-only without a writable /tmp (hog has no tmpfs; web has one)
    expect(of('shop_hog', 'tmpfs-hardening')).toHaveLength(1);
  });

  it('reports the service whose tasks keep failing, quoting the last task error', () => {
    const f = of('shop_crash', 'service-convergence');
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).toMatch(/runs 0 of 1 replica/);
    expect(f[0]!.message).toMatch(/exit code 1/);
  });

  it('reports the constraint no node satisfies, and the reservation no node can hold', () => {
    const p = of('shop_nowhere', 'placement-unsatisfiable');
    expect(p).toHaveLength(1);
    expect(p[0]!.message).toContain('"node.labels.zone == mars"');
    expect(p[0]!.message).toContain('label zone is unset on "solo-1"');
    const c = of('shop_hog', 'capacity-overcommit');
    expect(c).toHaveLength(1);
    expect(c[0]!.message).toMatch(/reserves 2 TiB of memory per task but the largest node it may run on has/);
    expect(of('shop_hog', 'service-convergence')[0]?.message).toContain('insufficient resources');
  });

  it('reports the single manager and no node problem', () => {
    expect(findings.filter((f) => f.ruleId === 'manager-quorum').map((f) => f.message)).toEqual([expect.stringContaining('the swarm has one manager ("solo-1")')]);
    expect(findings.filter((f) => f.ruleId === 'node-availability')).toEqual([]);
  });

  it('prints the human report: by node, by service, and a capacity bar per node', () => {
    const r = audit(['--stack', 'shop']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toContain('Nodes\n  solo-1');
    expect(out).toMatch(/Services\n {2}shop_crash +replicated 0\/1/);
    expect(out).toMatch(/shop_web +replicated 2\/2 · local\/busybox:1 +✔/);
    expect(out).toMatch(/Capacity.*\n {2}solo-1 +cpu \[█+░*\] +\d+% +0\.1 CPUs of \d+ CPUs? +mem \[/);
    expect(out).toMatch(/✖ \d+ problems \(\d+ errors, \d+ warnings/);
  });

  it('replays the saved snapshot offline to the same report', () => {
    const again = runCli(['audit', '--snapshot', snapshotFile, '--stack', 'shop', '--format', 'json'], work, { DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect(again.status).toBe(1);
    expect(jsonFindings(again)).toEqual(findings);
  });

  it('audits only the named services', () => {
    const r = audit(['--stack', 'shop', '--service', 'web', 'crash', '--format', 'json']);
    const services = new Set(jsonFindings(r).map((f) => f.service).filter(Boolean));
    expect([...services]).toEqual(['shop_crash']);
    const bad = audit(['--stack', 'shop', '--service', 'wbe']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('stackopt: no service "wbe" in stack "shop"; did you mean "web"?');
    const noStack = audit(['--stack', 'shpo']);
    expect(noStack.status).toBe(2);
    expect(noStack.stderr).toContain('no stack "shpo" on this swarm; did you mean "shop"?');
  });

  it('makes the same few docker calls however many services there are', async () => {
    const client = new DockerClient({ env: { PATH: process.env.PATH, DOCKER_HOST: engine.host } });
    const snap = await collectSnapshot(client);
    expect(snap.services.length).toBeGreaterThanOrEqual(5);
    expect(snap.tasks.length).toBeGreaterThan(snap.services.length);
    expect(client.calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['info --format', 'node ls', 'node inspect', 'service ls', 'service inspect', 'service ps', 'inspect --type', 'service inspect', 'network inspect']);
  });

  it('names the networks the services are attached to: the stack\'s default network, with the service\'s alias', () => {
    const snap = loadSnapshot(snapshotFile);
    expect(snap.networks?.map((n) => n.Name)).toContain('shop_default');
    const web = buildLiveStack(snap, { stack: 'shop' }).services.find((s) => s.name === 'shop_web')!;
    expect(web.networks.map((n) => n.name)).toEqual(['shop_default']);
    expect(toPlain(web.networks[0]!.ref.node)).toEqual({ aliases: ['web'] });
  });

  it('honours --context (a docker context naming the engine) over DOCKER_HOST', async () => {
    const config = join(work, 'docker-config');
    mkdirSync(config, { recursive: true });
    await docker(engine, ['--config', config, 'context', 'create', 'solo', '--docker', `host=${engine.host}`]);
    const r = runCli(['audit', '--context', 'solo', '--stack', 'shop', '--format', 'json'], work, { DOCKER_CONFIG: config, DOCKER_HOST: '' });
    expect(r.stderr).toBe('');
    // the same findings (their wording may differ: shop_crash keeps failing between two audits)
    const keys = (list: JsonFinding[]) => list.map((f) => `${f.service} ${f.ruleId} ${f.path}`);
    expect(keys(jsonFindings(r))).toEqual(keys(findings));
    const missing = runCli(['audit', '--context', 'nosuch'], work, { DOCKER_CONFIG: config });
    expect(missing.status).toBe(3);
    expect(missing.stderr.trim()).toBe('stackopt: docker context "nosuch" does not exist: list the contexts with `docker context ls`, or drop --context to use DOCKER_HOST');
  });

  it('compares the swarm with its stack file (stack-drift)', () => {
    const same = audit(['--stack', 'shop', '-f', STACK_FILE, '--format', 'json']);
    expect(same.stderr).toBe('');
    expect(jsonFindings(same).filter((f) => f.ruleId === 'stack-drift')).toEqual([]);
    // a file that says something else than what runs
    const changed = readFileSync(STACK_FILE, 'utf8')
      .replace('      replicas: 2\n', '      replicas: 3\n')
      .replace('limits: {cpus: "0.25", memory: 32M}\n        reservations: {cpus: "0.05", memory: 8M}', 'limits: {cpus: "0.25", memory: 64M}\n        reservations: {cpus: "0.05", memory: 8M}')
      .replace('  crash:\n    image: local/busybox:1', '  crash:\n    image: local/busybox:2')
      .replace('    user: "0:0"', '    user: "1000"')
      .concat('\n  extra:\n    image: local/busybox:1\n');
    const file = join(work, 'changed-stack.yml');
    writeFileSync(file, changed);
    const r = audit(['-f', file, '--format', 'json']);
    expect(r.stderr).toBe('');
    const drift = jsonFindings(r).filter((f) => f.ruleId === 'stack-drift');
    const lineOf = (needle: string) => changed.split('\n').findIndex((l) => l.includes(needle)) + 1;
    const summary = drift.map((f) => [f.service, f.line, f.message.replace(/;.*/, '')]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['shop_web', lineOf('replicas: 3'), 'service "shop_web": the stack file declares replicas 3 but the swarm runs 2'],
        ['shop_web', lineOf('memory: 64M'), 'service "shop_web": the stack file declares deploy.resources.limits.memory 64M but the swarm runs 32M'],
        ['shop_crash', lineOf('local/busybox:2'), 'service "shop_crash": the stack file declares image "local/busybox:2" but the swarm runs "local/busybox:1"'],
        ['shop_crash', lineOf('user: "1000"'), 'service "shop_crash": the stack file declares user "1000" but the swarm runs "0:0"'],
        ['shop_extra', lineOf('  extra:'), `service "extra" is declared in ${file} but stack "shop" has no service "shop_extra": deploy it with \`docker stack deploy -c ${file} shop\``],
      ]),
    );
    expect(drift).toHaveLength(5);
    for (const f of drift) expect(f.file).toBe('changed-stack.yml');
  });

  it('keeps the live rules quiet on a lint of the same file', () => {
    const r = runCli(['lint', '--format', 'json', STACK_FILE], work);
    expect(jsonFindings(r).filter((f) => LIVE_RULES.includes(f.ruleId))).toEqual([]);
  });
});
