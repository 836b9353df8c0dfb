import { afterAll, beforeAll, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { execa } from 'execa';

/**
 * Real Docker engines for the audit integration tests, started and torn down by the test itself
 * (recipe: ../shared/reference/live-swarm.md). Each engine has its own data root, exec root, pid
 * file and socket under one temporary folder, no iptables, no bridge, the vfs storage driver, and
 * (through a UTS namespace) its own hostname. Nothing is published and nothing leaves loopback.
 */

export interface Engine {
  name: string;
  hostname: string;
  dir: string;
  socket: string;
  /** `unix:///…/docker.sock` */
  host: string;
  pid: number;
  /** the environment for a docker CLI talking to this engine */
  env: NodeJS.ProcessEnv;
  stopped: boolean;
}

export interface EngineCheck {
  ok: boolean;
  reason: string;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Whether this machine can run engines for the tests (root, dockerd, docker CLI, busybox). */
export function checkEngineSupport(): EngineCheck {
  if (process.platform !== 'linux') return { ok: false, reason: 'the audit integration tests start Docker engines, which needs Linux' };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'starting a Docker engine needs root' };
  if (!onPath('dockerd')) return { ok: false, reason: 'dockerd is not installed (apt-get install -y docker.io busybox-static)' };
  if (!onPath('docker')) return { ok: false, reason: 'the docker CLI is not on PATH' };
  if (!busyboxPath()) return { ok: false, reason: 'busybox is not installed (apt-get install -y busybox-static)' };
  if (!onPath('unshare')) return { ok: false, reason: 'unshare (util-linux) is not installed' };
  return { ok: true, reason: '' };
}

function busyboxPath(): string | null {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (existsSync(p)) return p;
  return null;
}

/**
 * Skip the suite with a clear message where no engine can run, but fail it in CI (`CI=true`), where
 * the engine must be there (`.ci/run` installs it).
 */
export function engineGate(suite: string): { run: boolean; failure: string | null } {
  const check = checkEngineSupport();
  if (check.ok) return { run: true, failure: null };
  if (process.env.CI === 'true') {
    // in CI the engine tests must run: a machine that cannot start one fails the file, not skips it
    const failure = `${suite}: CI=true but no Docker engine can be started here: ${check.reason}`;
    it('starts a Docker engine (required with CI=true)', () => {
      throw new Error(failure);
    });
    return { run: false, failure };
  }
  console.warn(`[skip] ${suite}: ${check.reason}; these tests run when dockerd is installed (they are required with CI=true)`);
  return { run: false, failure: null };
}

/**
 * The engines of a test suite: `setup` starts them in a fresh run folder before the suite's tests
 * (pushing each onto `engines`), and they are torn down after the tests, or at once when setup
 * fails (its error then fails the suite).
 */
export function engineSuite(
  label: string,
  setup: (root: string, engines: Engine[]) => Promise<void>,
  timeouts: { setup?: number; teardown?: number } = {},
): void {
  let root = '';
  const engines: Engine[] = [];
  beforeAll(async () => {
    root = makeRunDir(label);
    try {
      await setup(root, engines);
    } catch (e) {
      await teardown(root, engines);
      root = '';
      throw e;
    }
  }, timeouts.setup ?? 170_000);
  afterAll(async () => {
    if (root) await teardown(root, engines);
  }, timeouts.teardown ?? 60_000);
}

/** A temporary folder for a test run's engines. */
export function makeRunDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `stackopt-${label}-`));
}

const started = new Set<Engine>();
let exitHookInstalled = false;

/** Start one engine; resolves when it answers `docker version`. */
export async function startEngine(root: string, name: string, hostname = name): Promise<Engine> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const args = [
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'dockerd.pid'),
    '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver=vfs',
    '--host', `unix://${socket}`,
  ];
  // unshare --uts then exec: the pid we get is dockerd's own, and the engine gets its own hostname
  const child = spawn('unshare', ['--uts', 'sh', '-c', 'hostname "$0" && exec dockerd "$@"', hostname, ...args], {
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
  child.unref();
  const host = `unix://${socket}`;
  const engine: Engine = { name, hostname, dir, socket, host, pid: child.pid!, env: { ...process.env, DOCKER_HOST: host }, stopped: false };
  delete engine.env.DOCKER_CONTEXT;
  started.add(engine);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // last resort when a worker dies without running afterAll: signal our engines by pid
    process.on('exit', () => {
      for (const e of started) if (!e.stopped) try { process.kill(e.pid, 'SIGTERM'); } catch { /* gone */ }
    });
  }
  await waitFor(async () => (await docker(engine, ['version', '--format', '{{.Server.Version}}'], { reject: false })).exitCode === 0, 30_000, `engine ${name} to answer`);
  return engine;
}

/** Stop an engine by its pid and wait until it is gone (it stops its containers first). */
export async function stopEngine(e: Engine, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (e.stopped) return;
  try {
    process.kill(e.pid, signal);
  } catch {
    e.stopped = true;
    return;
  }
  const gone = await waitFor(async () => !alive(e.pid), 25_000, `engine ${e.name} to stop`, false);
  if (!gone) {
    try {
      process.kill(e.pid, 'SIGKILL');
    } catch { /* gone */ }
    await waitFor(async () => !alive(e.pid), 5_000, `engine ${e.name} to die`, false);
  }
  // a containerd that dockerd started and did not stop (it records its pid in the exec root)
  const ctrPid = readPid(join(e.dir, 'exec', 'containerd', 'containerd.pid'));
  if (ctrPid && alive(ctrPid)) {
    try { process.kill(ctrPid, 'SIGTERM'); } catch { /* gone */ }
    await waitFor(async () => !alive(ctrPid), 10_000, 'containerd to stop', false);
  }
  e.stopped = true;
}

function readPid(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // a zombie (exited, not yet reaped by its parent) counts as gone
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Stop every engine, unmount what is still mounted under the folder, and remove it. */
export async function teardown(root: string, engines: Engine[]): Promise<void> {
  for (const e of engines) {
    try {
      await stopEngine(e);
    } catch { /* keep tearing down */ }
    started.delete(e);
  }
  unmountUnder(root);
  rmSync(root, { recursive: true, force: true });
}

function unmountUnder(root: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === root || m.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
}

/** `docker ARGS` against an engine. */
export async function docker(e: Engine, args: string[], opts: { reject?: boolean; input?: string } = {}) {
  return execa('docker', args, { env: e.env, extendEnv: false, reject: opts.reject ?? true, timeout: 300_000, input: opts.input, stdin: opts.input === undefined ? 'ignore' : undefined });
}

/**
 * Poll until `check` holds; returns whether it did (or throws when `fail`). The pause between
 * polls grows from 250 ms to 1 s: most checks run a docker CLI (about 80 ms of CPU each), and a
 * wait of a minute would otherwise spend seconds of CPU the other tests need.
 */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string, fail = true): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  let pause = 250;
  for (;;) {
    try {
      if (await check()) return true;
    } catch { /* not yet */ }
    if (Date.now() > end) {
      if (fail) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(1000, Math.round(pause * 1.5));
  }
}

const handedOut = new Set<number>();

/**
 * A port nobody listens on now, for a swarm's listen address (TCP, loopback) or its VXLAN data
 * path (UDP). Fixed ports would collide when two test runs share a machine.
 */
export async function freePort(kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      if (kind === 'tcp') {
        const srv = createServer();
        srv.once('error', () => resolve(false));
        srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
      } else {
        const sock = createSocket('udp4');
        sock.once('error', () => resolve(false));
        sock.bind(port, () => sock.close(() => resolve(true)));
      }
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free ${kind} port found`);
}

/** A one-node manager: `docker swarm init` on loopback, with a 1 s heartbeat so that node failures show quickly. */
export async function initSwarm(e: Engine, port: number, dataPathPort: number): Promise<void> {
  await docker(e, ['swarm', 'init', '--advertise-addr', `127.0.0.1:${port}`, '--listen-addr', `127.0.0.1:${port}`, '--dispatcher-heartbeat', '1s', '--data-path-port', String(dataPathPort)]);
}

export async function joinToken(manager: Engine, role: 'worker' | 'manager'): Promise<string> {
  return (await docker(manager, ['swarm', 'join-token', '-q', role])).stdout.trim();
}

export async function joinSwarm(e: Engine, token: string, port: number, managerPort: number): Promise<void> {
  await docker(e, ['swarm', 'join', '--token', token, '--listen-addr', `127.0.0.1:${port}`, '--advertise-addr', `127.0.0.1:${port}`, `127.0.0.1:${managerPort}`]);
}

/**
 * A tiny local image, `local/busybox:1`: busybox in /bin of a tar whose folders are world-readable,
 * so that non-root users can run it too (no registry is reachable).
 */
export async function importBusybox(e: Engine): Promise<void> {
  const stage = join(e.dir, 'image');
  mkdirSync(join(stage, 'bin'), { recursive: true });
  mkdirSync(join(stage, 'tmp'), { recursive: true });
  chmodSync(stage, 0o755);
  chmodSync(join(stage, 'bin'), 0o755);
  chmodSync(join(stage, 'tmp'), 0o1777);
  copyFileSync(busyboxPath()!, join(stage, 'bin', 'busybox'));
  chmodSync(join(stage, 'bin', 'busybox'), 0o755);
  const tar = spawnSync('tar', ['-C', stage, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  await execa('docker', ['import', '-', 'local/busybox:1'], { env: e.env, extendEnv: false, input: tar.stdout, timeout: 60_000 });
  rmSync(stage, { recursive: true, force: true });
}

export async function deployStack(e: Engine, file: string, name: string): Promise<void> {
  await docker(e, ['stack', 'deploy', '--resolve-image', 'never', '-c', file, name]);
}

export interface TaskRow {
  ID: string;
  Name: string;
  Node: string;
  DesiredState: string;
  CurrentState: string;
  Error: string;
}

export async function tasksOf(e: Engine, service: string): Promise<TaskRow[]> {
  const out = (await docker(e, ['service', 'ps', '--no-trunc', '--format', '{{json .}}', service])).stdout;
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TaskRow);
}

export async function nodeStates(e: Engine): Promise<Array<{ Hostname: string; Status: string; Availability: string; ManagerStatus: string }>> {
  const out = (await docker(e, ['node', 'ls', '--format', '{{json .}}'])).stdout;
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
