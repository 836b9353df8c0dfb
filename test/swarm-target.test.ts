/**
 * Target selection (`--target compose|swarm|auto`, config `target`), the swarm stack schema check
 * under target swarm, and the acceptance test of issue 6: for each seed example, every error the
 * real `docker stack config` prints is matched by a finding at the right line.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { resolveTarget } from '../src/engine/target.js';
import type { LMap } from '../src/parse/located.js';
import { assertBuilt, jsonFindings, onlyRules, runCli, tempProject } from './helpers/cli.js';
import { dockerAvailable, matchDockerError, pool, runStackConfig, stackConfigErrors, type Match } from './oracle-match.js';

const ROOT = join(import.meta.dirname, '..');
const SEEDS = join(ROOT, 'fixtures', 'seed-examples');

/** The merged tree of a file, read through the real loader. */
function rootOf(text: string): LMap {
  return lintProject({ files: [writeTemp(text)], environment: {} }).project.root!;
}

const temps: Array<() => void> = [];
afterAll(() => temps.forEach((c) => c()));
function writeTemp(text: string): string {
  const p = tempProject({ 'compose.yaml': text });
  temps.push(p.cleanup);
  return join(p.dir, 'compose.yaml');
}

describe('resolveTarget', () => {
  const plain = 'services:\n  api:\n    image: api:1\n';

  it('takes an explicit target as it is', () => {
    expect(resolveTarget('swarm', ['compose.yaml'], null)).toEqual({ target: 'swarm', reason: 'target swarm was asked for' });
    expect(resolveTarget('compose', ['docker-stack.yml'], null).target).toBe('compose');
  });

  it('auto: a file name that says stack', () => {
    for (const name of ['docker-stack.yml', 'stack.yaml', 'monitoring-stack.yml', 'prod.STACK.yml', 'deploy/stack-elk.yml']) {
      expect(resolveTarget('auto', [name], null), name).toEqual({ target: 'swarm', reason: `the file name "${name.split('/').pop()}" says stack` });
    }
    expect(resolveTarget(undefined, ['compose.yaml', 'swarm-stack.override.yml'], null).target).toBe('swarm');
    expect(resolveTarget(undefined, ['stacks/visualizer.yml', 'stacks_web.yml'], null).target).toBe('swarm');
    expect(resolveTarget(undefined, ['compose.yaml'], rootOf(plain)).target).toBe('compose');
  });

  it('auto: a name that only contains the letters "stack" is no evidence', () => {
    for (const name of ['bookstack.yaml', 'localstack.yml', 'devstack-compose.yml', 'stackstorm.yml', 'openstack/compose.yaml']) {
      expect(resolveTarget('auto', [name], rootOf(plain)), name).toEqual({ target: 'compose', reason: 'no stack file name and no swarm-only key' });
    }
  });

  it('auto: a swarm-only key inherited through extends is no evidence; extends says compose', () => {
    const p = tempProject({
      'compose.yaml': 'services:\n  agent:\n    extends:\n      file: components.yaml\n      service: agent\n    image: zabbix/zabbix-agent:7.0\n',
      'components.yaml': 'services:\n  agent:\n    image: zabbix/zabbix-agent:7.0\n    deploy:\n      mode: global\n',
    });
    temps.push(p.cleanup);
    const r = lintProject({ files: [join(p.dir, 'compose.yaml')], environment: {} });
    expect(r.target).toEqual({ target: 'compose', reason: 'service "agent" uses extends, which docker stack deploy refuses' });
    expect(r.findings.filter((f) => f.ruleId === 'swarm-compat')).toEqual([]);
    // the same key written in the file is evidence
    expect(lintProject({ files: [join(p.dir, 'components.yaml')], environment: {} }).target).toEqual({ target: 'swarm', reason: 'the file uses the swarm-only key services.agent.deploy.mode: global' });
  });

  it('auto: a swarm-only key', () => {
    const cases: Array<[string, string]> = [
      ['placement:\n        constraints: [node.role == manager]', 'services.api.deploy.placement'],
      ['update_config:\n        parallelism: 1', 'services.api.deploy.update_config'],
      ['rollback_config:\n        parallelism: 1', 'services.api.deploy.rollback_config'],
      ['endpoint_mode: dnsrr', 'services.api.deploy.endpoint_mode'],
      ['mode: global', 'services.api.deploy.mode: global'],
    ];
    for (const [yaml, key] of cases) {
      const r = resolveTarget('auto', ['compose.yaml'], rootOf(`${plain}    deploy:\n      ${yaml}\n`));
      expect(r, key).toEqual({ target: 'swarm', reason: `the file uses the swarm-only key ${key}` });
    }
    // replicas and resources are read by docker compose too, and so is restart_policy: it becomes
    // the container's restart policy (getRestartPolicy, docker/compose pkg/compose/create.go:697-706)
    expect(resolveTarget('auto', ['compose.yaml'], rootOf(`${plain}    deploy:\n      replicas: 2\n      resources:\n        limits: {memory: 1G}\n`)).target).toBe('compose');
    expect(resolveTarget('auto', ['compose.yaml'], rootOf(`${plain}    deploy:\n      restart_policy:\n        condition: on-failure\n`))).toEqual({
      target: 'compose',
      reason: 'no stack file name and no swarm-only key',
    });
  });

  it('lint reports the target it used, and rules read it from the stack', () => {
    const file = writeTemp(`${plain}    mem_limit: 1g\n`);
    const compose = lintProject({ files: [file], environment: {} });
    expect(compose.target.target).toBe('compose');
    expect(compose.stack!.target).toBe('compose');
    expect(compose.findings.some((f) => f.ruleId === 'swarm-compat')).toBe(false);
    const swarm = lintProject({ files: [file], environment: {}, target: 'swarm' });
    expect(swarm.target).toEqual({ target: 'swarm', reason: 'target swarm was asked for' });
    expect(swarm.findings.filter((f) => f.ruleId === 'swarm-compat').map((f) => `${f.line}:${f.column} ${f.path}`)).toEqual(['4:5 services.api.mem_limit']);
  });
});

describe('target swarm validates against the stack schema, every error at its line', () => {
  it('reports each error of a file, not the first one only', () => {
    const file = writeTemp(
      'services:\n  a:\n    image: a:1\n    environment:\n      ON: true\n    deploy:\n      replicas: "two"\n      update_config:\n        delay: 10\n  b:\n    image: b:1\n    platform: linux/amd64\n    healthcheck:\n      test: ["CMD", "true"]\n      timeout: 5\n',
    );
    const got = lintProject({ files: [file], environment: {}, target: 'swarm' })
      .findings.filter((f) => (f.ruleId === 'swarm-compat' || f.ruleId === 'schema') && f.severity === 'error')
      .map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.path}`);
    expect(got).toEqual([
      '5:11 swarm-compat services.a.environment.ON',
      // replicas: "two" is a string the compose schema takes (for ${VAR}); docker needs an integer
      '7:17 swarm-compat services.a.deploy.replicas',
      // a number where a duration string belongs: both schemas refuse it, `schema` says so once
      '9:16 schema services.a.deploy.update_config.delay',
      '12:5 swarm-compat services.b.platform',
      '15:16 schema services.b.healthcheck.timeout',
    ]);
  });
});

describe.skipIf(!dockerAvailable())('what docker stack config prints back, and docker stack deploy then does', () => {
  it('depends_on naming no service, an empty name, a cycle: docker ignores depends_on; depends-on warns (compose refuses such a file)', async () => {
    const file = writeTemp('services:\n  apm-server:\n    image: elastic/apm-server:8.1.0\n    depends_on:\n      - elasticsearch\n      - "${DB}"\n  a:\n    image: a:1\n    depends_on: [b]\n  b:\n    image: b:1\n    depends_on: [a]\n');
    expect(await runStackConfig(file)).toEqual({ ok: true, error: '' });
    const found = lintProject({ files: [file], environment: {}, target: 'swarm' }).findings.filter((f) => f.ruleId === 'depends-on');
    expect(found.map((f) => `${f.line}:${f.column} ${f.severity}`)).toEqual(['5:9 warning', '6:9 warning', '12:18 warning']);
    // under target compose the same file is refused: errors
    expect(lintProject({ files: [file], environment: {}, target: 'compose' }).findings.filter((f) => f.ruleId === 'depends-on').map((f) => f.severity)).toEqual(['error', 'error', 'error']);
  });

  it('build and no image, an image an unset variable leaves invalid: docker stack config prints them, swarm refuses the services; swarm-compat errors', async () => {
    // swarmkit's validateImage (manager/controlapi/service.go) refuses an empty image ("image
    // reference must be provided") and one distribution/reference cannot read ("is not a valid
    // repository/tag"), as docker stack deploy creates the service; docker stack config does not ask
    const file = writeTemp('services:\n  api:\n    build: .\n  db:\n    image: postgres:${TAG}\n  backend:\n    image: ghcr.io/${ORG}/backend:latest\n');
    const docker = await runStackConfig(file);
    expect(docker).toEqual({ ok: true, error: '' });
    const errors = lintProject({ files: [file], environment: {}, target: 'swarm' }).findings.filter((f) => f.ruleId === 'swarm-compat' && f.severity === 'error');
    expect(errors.map((f) => `${f.line}:${f.column} ${f.path}`)).toEqual(['2:3 services.api', '5:12 services.db.image', '7:12 services.backend.image']);
  });
});

describe('--target on the command line and in the config', () => {
  beforeAll(() => assertBuilt());
  const file = 'services:\n  api:\n    image: api:1\n    mem_limit: 1g\n';
  const only = onlyRules({ 'swarm-compat': 'error' });

  it('--target swarm turns swarm-compat on for a compose file; --target compose off for a stack file', () => {
    const p = tempProject({ 'compose.yaml': file, 'docker-stack.yml': file, '.stackopt.yaml': only });
    try {
      const swarm = runCli(['lint', '--target', 'swarm', '--format', 'json', 'compose.yaml'], p.dir);
      expect(swarm.status).toBe(1);
      expect(jsonFindings(swarm).map((f) => `${f.ruleId} ${f.line}`)).toEqual(['swarm-compat 4']);
      const auto = runCli(['lint', '--format', 'json', 'docker-stack.yml'], p.dir);
      expect(jsonFindings(auto).map((f) => f.ruleId)).toEqual(['swarm-compat']);
      const compose = runCli(['lint', '--target', 'compose', '--format', 'json', 'docker-stack.yml'], p.dir);
      expect(compose.status).toBe(0);
      expect(jsonFindings(compose)).toEqual([]);
    } finally {
      p.cleanup();
    }
  });

  it('the config sets it; the flag wins', () => {
    const p = tempProject({ 'compose.yaml': file, '.stackopt.yaml': `target: swarm\n${only}` });
    try {
      expect(jsonFindings(runCli(['lint', '--format', 'json', 'compose.yaml'], p.dir)).map((f) => f.ruleId)).toEqual(['swarm-compat']);
      expect(jsonFindings(runCli(['lint', '--target', 'compose', '--format', 'json', 'compose.yaml'], p.dir))).toEqual([]);
    } finally {
      p.cleanup();
    }
  });

  it('an unknown target is a usage error', () => {
    const p = tempProject({ 'compose.yaml': file });
    try {
      const r = runCli(['lint', '--target', 'kubernetes', 'compose.yaml'], p.dir);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('--target takes compose, swarm or auto, not "kubernetes"');
    } finally {
      p.cleanup();
    }
  });
});

describe('seed examples with target swarm', () => {
  const files = readdirSync(SEEDS)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(SEEDS, f));
  const lint = (f: string) => lintProject({ files: [f], environment: {}, target: 'swarm' });
  const at = (f: string, rule: string) =>
    lint(join(SEEDS, f))
      .findings.filter((x) => x.ruleId === rule && x.severity === 'error')
      .map((x) => `${x.line} ${x.path}`);

  it('high-efficiency-stack.yml: boolean environment values and service-level sleep_policy, each where it is', () => {
    expect(at('high-efficiency-stack.yml', 'swarm-compat')).toEqual([
      '11 services.gateway.environment.FORGE_ENABLE_SLEEP_POLICIES',
      '21 services.gateway.sleep_policy',
      // build and no image: swarm cannot create the service ("image reference must be provided")
      '26 services.service-manager',
      '31 services.service-manager.environment.ENABLE_SLEEP_POLICIES',
      '41 services.service-manager.sleep_policy',
      '50 services.filesystem.environment.FORGE_ENABLE_SLEEP_POLICIES',
      '59 services.filesystem.sleep_policy',
      '71 services.chrome-devtools.environment.FORGE_ENABLE_SLEEP_POLICIES',
      '80 services.chrome-devtools.sleep_policy',
    ]);
  });

  it('high-efficiency-example-service.yml: memswap_limit is forbidden', () => {
    expect(at('high-efficiency-example-service.yml', 'swarm-compat')).toEqual(['14 services.example-service.memswap_limit', '15 services.example-service.sleep_policy']);
  });

  describe.skipIf(!dockerAvailable())('every error docker stack config prints is matched at its line', () => {
    let results: Array<{ file: string; ok: boolean; matches: Match[] }> = [];
    beforeAll(async () => {
      // more runs than the corpus oracle: docker names one error per run, picked at random
      const docker = await pool(files, 4, (f) => stackConfigErrors(f, 40, 120));
      results = files.map((file, i) => {
        const l = lint(file);
        return { file, ok: docker[i]!.ok, matches: docker[i]!.errors.map((e) => matchDockerError(e, l)) };
      });
    }, 300_000);

    it('matches them all', () => {
      expect(results.length).toBe(files.length);
      const rejected = results.filter((r) => !r.ok).map((r) => relative(SEEDS, r.file));
      expect(rejected).toEqual(['high-efficiency-example-service.yml', 'high-efficiency-stack.yml']);
      for (const r of results) {
        for (const m of r.matches) {
          expect(m.matched, `${relative(SEEDS, r.file)}: docker says ${m.error}; ${m.reason ?? ''}`).toBe(true);
          if (m.expectedLines.length > 0) expect(m.expectedLines).toContain(m.finding!.line);
        }
      }
      // over its runs docker names the boolean environment values of several services (one per run,
      // at random): each is one we report
      const named = results.find((r) => r.file.endsWith('high-efficiency-stack.yml'))!.matches.map((m) => m.property);
      expect(named.length).toBeGreaterThanOrEqual(2);
      for (const p of named) {
        expect([
          'services.chrome-devtools.environment.FORGE_ENABLE_SLEEP_POLICIES',
          'services.filesystem.environment.FORGE_ENABLE_SLEEP_POLICIES',
          'services.gateway.environment.FORGE_ENABLE_SLEEP_POLICIES',
          'services.service-manager.environment.ENABLE_SLEEP_POLICIES',
        ]).toContain(p);
      }
    });
  });
});
