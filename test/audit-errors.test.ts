/**
 * Every way `stackopt audit` can fail to talk to docker, provoked for real and checked end to end
 * through the built CLI: exit 3, one line on stderr that says what to do, nothing on stdout, no
 * stack trace. The engine-less cases need only the docker CLI; "not a swarm manager" and
 * "permission denied" start an engine of their own (skipped without dockerd, required in CI).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, repoRoot, runCli, tempProject } from './helpers/cli.js';
import { engineGate, engineSuite, startEngine, type Engine } from './helpers/swarm.js';

const HAS_DOCKER_CLI = spawnSync('docker', ['--version'], { stdio: 'ignore' }).status === 0;
const bin = join(repoRoot, 'bin', 'stackopt.js');

/** Exit 3, exactly one line on stderr starting with `stackopt: `, nothing on stdout. */
function expectDockerFailure(r: { status: number; stdout: string; stderr: string }, line: string | RegExp) {
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\n\s+at /);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(r.status).toBe(3);
}

describe('audit: docker failures without an engine', () => {
  const project = tempProject({});
  beforeAll(() => assertBuilt());
  afterAll(() => project.cleanup());

  it('docker not installed: a PATH without docker', () => {
    const r = runCli(['audit'], project.dir, { PATH: join(project.dir, 'no-bin') });
    expectDockerFailure(
      r,
      'stackopt: the docker CLI was not found on PATH ("docker"): install Docker (https://docs.docker.com/engine/install/) or add the directory holding `docker` to PATH',
    );
  });

  it.runIf(HAS_DOCKER_CLI)('engine not reachable: DOCKER_HOST names a socket that does not exist (quoted)', () => {
    const host = `unix://${join(project.dir, 'missing', 'docker.sock')}`;
    const r = runCli(['audit'], project.dir, { DOCKER_HOST: host });
    expectDockerFailure(r, `stackopt: cannot reach the Docker engine at DOCKER_HOST=${host}: start the engine, or set DOCKER_HOST or --context to a running swarm manager`);
  });

  it.runIf(HAS_DOCKER_CLI)('a context that does not exist', () => {
    const r = runCli(['audit', '--context', 'nosuch'], project.dir, { DOCKER_CONFIG: join(project.dir, 'docker-config') });
    expectDockerFailure(r, 'stackopt: docker context "nosuch" does not exist: list the contexts with `docker context ls`, or drop --context to use DOCKER_HOST');
  });

  describe.runIf(HAS_DOCKER_CLI)('a call that times out', () => {
    let server: Server;
    const sockets: Socket[] = [];
    const sock = join(project.dir, 'silent.sock');
    beforeAll(async () => {
      // an "engine" that accepts connections and never answers
      server = createServer((s) => {
        sockets.push(s);
      });
      await new Promise<void>((resolve) => server.listen(sock, resolve));
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('stops the call at --timeout and says so', async () => {
      const t0 = Date.now();
      const r = await execa(process.execPath, [bin, 'audit', '--timeout', '1.5'], {
        cwd: project.dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', DOCKER_HOST: `unix://${sock}` },
        extendEnv: false,
        reject: false,
        timeout: 300_000,
      });
      const took = Date.now() - t0;
      expectDockerFailure(
        { status: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr },
        `stackopt: docker info did not answer within 1.5 s (engine at DOCKER_HOST=unix://${sock}): check that the engine is responsive, or allow more time with --timeout SECONDS`,
      );
      expect(took).toBeGreaterThanOrEqual(1500);
      // the socket never answers: without --timeout the call would run until this test's 300 s limit
      expect(took).toBeLessThan(150_000);
    });
  });

  it('usage errors exit 2: a bad timeout, an unknown format, a missing or invalid snapshot', () => {
    expect(runCli(['audit', '--timeout', '0'], project.dir).stderr.trim()).toBe('stackopt: --timeout takes a number of seconds above 0 and at most 86400 (a day), not "0"');
    const fmt = runCli(['audit', '--format', 'yaml', '--snapshot', 'x.json'], project.dir);
    expect(fmt.status).toBe(2);
    expect(fmt.stderr).toMatch(/^stackopt: unknown format "yaml"; choose one of stylish, .*json/);
    const missing = runCli(['audit', '--snapshot', 'nope.json'], project.dir);
    expect([missing.status, missing.stderr.trim()]).toEqual([2, 'stackopt: cannot read the snapshot nope.json: no such file']);
    project.write('bad.json', '{"format": "something-else"}');
    const bad = runCli(['audit', '--snapshot', 'bad.json'], project.dir);
    expect([bad.status, bad.stderr.trim()]).toEqual([
      2,
      'stackopt: bad.json is not a stackopt swarm snapshot: "format" is "something-else", expected "stackopt-swarm-snapshot"; make one with `stackopt audit --save-snapshot FILE`',
    ]);
    const both = runCli(['audit', '--snapshot', 'bad.json', '--context', 'x'], project.dir);
    expect(both.status).toBe(2);
  });

  it('a snapshot that is not JSON: where it stops being JSON, without quoting the text there (a value of a service\'s environment)', () => {
    project.write('broken.json', '{"format": "stackopt-swarm-snapshot",\n  "env": ["DB_PASSWORD=s3cretvalue", x]}\n');
    const broken = runCli(['audit', '--snapshot', 'broken.json'], project.dir);
    expect([broken.status, broken.stderr]).toEqual([
      2,
      'stackopt: broken.json:2:38: the snapshot is not valid JSON (unexpected character); make one with `stackopt audit --save-snapshot broken.json`\n',
    ]);
    project.write('short.json', '{"format": "stackopt-swarm-snapshot", "env": ["DB_PASSWORD=s3cr');
    const short = runCli(['audit', '--snapshot', 'short.json'], project.dir);
    expect([short.status, short.stderr]).toEqual([
      2,
      'stackopt: short.json:1:64: the snapshot is not valid JSON (it ends too early); make one with `stackopt audit --save-snapshot short.json`\n',
    ]);
  });
});

const gate = engineGate('audit errors that need an engine');

describe.runIf(gate.run)('audit: docker failures with an engine that is not a swarm manager', () => {
  let engine: Engine;
  let work = '';

  beforeAll(() => assertBuilt());
  engineSuite(
    'noswarm',
    async (root, engines) => {
      work = join(root, 'work');
      mkdirSync(work, { mode: 0o755 });
      engine = await startEngine(root, 'plain', 'plain-1');
      engines.push(engine);
      // folders others may traverse, so that only the socket's own mode stands in the way
      chmodSync(root, 0o755);
      chmodSync(engine.dir, 0o755);
    },
    { setup: 60_000, teardown: 60_000 },
  );

  it('not a swarm manager: an engine without `docker swarm init`', () => {
    const r = runCli(['audit'], work, { DOCKER_HOST: engine.host });
    expectDockerFailure(
      r,
      `stackopt: the Docker engine at DOCKER_HOST=${engine.host} is not part of a swarm (state "inactive"): point DOCKER_HOST or --context at a swarm manager, or create a swarm with \`docker swarm init\``,
    );
  });

  it('permission denied on the socket: a user outside its group', () => {
    // the socket is root:docker 0660; `nobody` may neither read nor write it
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, 'audit'], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: work, NO_COLOR: '1', DOCKER_HOST: engine.host, DOCKER_CONFIG: join(work, '.docker') },
      timeout: 300_000,
    });
    expectDockerFailure(
      { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr },
      `stackopt: permission denied on the Docker socket ${engine.host}: run stackopt as a user in the socket's group (usually \`docker\`) or as root, or point DOCKER_HOST at a socket you may use`,
    );
  });
});
