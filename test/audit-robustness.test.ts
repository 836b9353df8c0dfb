/**
 * The audit facing what it cannot trust: snapshots that hold secrets or fields of another type,
 * and docker binaries that misbehave (a child that keeps stdout open past --timeout, megabytes of
 * stderr, JSON of an unexpected shape). A fake `docker` on PATH is the subject of these tests: the
 * behaviour under test is that of a misbehaving binary. The real engine's side (a swarm that changes
 * while it is read, the filters of --stack and --service) is in audit-changing-swarm.test.ts.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSnapshot } from '../src/audit/audit.js';
import * as dockerShapes from '../src/audit/docker-shapes.js';
import { findShapeError, INFO_SHAPE, NODE_SHAPE, SERVICE_SHAPE, TASK_SHAPE, type Shape } from '../src/audit/docker-shapes.js';
import { parseSnapshot, redactSnapshot, redactValue, REDACTED, saveSnapshot, serializeSnapshot } from '../src/audit/snapshot.js';
// @ts-expect-error: a plain JavaScript build script
import { FITS_FILE, shapeFitsModule } from '../scripts/build-shape-fits.mjs';
import { assertBuilt, jsonFindings, repoRoot, runCli, tempProject } from './helpers/cli.js';
import { node, recordedSnapshot, running, service, snapshot } from './helpers/swarm-snapshot.js';

/** Every environment class secrets-in-environment tells apart, with values that must not be saved. */
const ENV = [
  'DB_PASSWORD=s3cr3t-pa55word',
  'API_TOKEN=tok_live_0123456789abcdef',
  'DATABASE_URL=postgres://dbuser-x:hunter2-url@db.internal:5432/appdb',
  'CACHE_URL=redis://cache:$REDIS_PASS@cache.internal:6379',
  'PLAIN_URL=https://docs.example.org/some/path',
  'GREETING=hello-visible-value',
  'EMPTY=',
  'FEATURE_TOKEN_ENABLED=true',
  'SECRET_FILE=/run/secrets/db-password',
  'ADMIN_SECRET=/run/secrets/admin',
  'UNSET_ONLY',
];
const SECRET_VALUES = ['s3cr3t-pa55word', 'tok_live_0123456789abcdef', 'dbuser-x', 'appdb', 'hunter2-url', 'db.internal', 'REDIS_PASS', 'cache.internal', 'docs.example.org', 'hello-visible-value'];

function envSnapshot() {
  const m = node({ hostname: 'm', role: 'manager', leader: true });
  const svc = service({ name: 'shop_api', stack: 'shop', replicas: 1 });
  svc.Spec.TaskTemplate!.ContainerSpec!.Env = [...ENV];
  return snapshot({ nodes: [m], services: [svc], tasks: running(svc, [m], 1) });
}

describe('snapshots hold no secrets', () => {
  it('redacts every environment value but keeps the shape the rules read', () => {
    expect(redactValue('s3cr3t')).toBe(REDACTED);
    expect(redactValue('')).toBe('');
    expect(redactValue('  ')).toBe('  ');
    expect(redactValue('TRUE')).toBe('TRUE');
    expect(redactValue('/run/secrets/x')).toBe('/run/secrets/x');
    expect(redactValue('postgres://u:p@h/db')).toBe(`postgres://${REDACTED}:${REDACTED}@${REDACTED}`);
    expect(redactValue('see mysql+tcp://u:$P@h and more')).toBe(`mysql+tcp://${REDACTED}:$${REDACTED}@${REDACTED}`);
    expect(redactValue('https://example.org/x')).toBe(REDACTED);
    expect(redactValue('a://b://c:d@e')).toBe(`b://${REDACTED}:${REDACTED}@${REDACTED}`);
    expect(redactValue(redactValue('postgres://u:p@h/db'))).toBe(redactValue('postgres://u:p@h/db'));
  });

  it('gives the same findings from the redacted snapshot as from the live one', () => {
    const snap = envSnapshot();
    const live = auditSnapshot(snap).findings;
    const redacted = auditSnapshot(parseSnapshot(serializeSnapshot(redactSnapshot(snap)))).findings;
    const show = (list: typeof live) => list.map((f) => `${f.ruleId} ${f.path} ${f.message}`);
    expect(show(redacted)).toEqual(show(live));
    // the cases the redaction must keep apart: two literal secrets, one URL password, nothing else
    expect(live.filter((f) => f.ruleId === 'secrets-in-environment').map((f) => f.path)).toEqual([
      'services.shop_api.environment.DB_PASSWORD',
      'services.shop_api.environment.API_TOKEN',
      'services.shop_api.environment.DATABASE_URL',
    ]);
  });

  describe('saving', () => {
    const project = tempProject({});
    afterAll(() => project.cleanup());

    it('writes no environment value, with mode 0600, and replays to the same findings', () => {
      const file = join(project.dir, 'swarm.json');
      writeFileSync(file, 'old', { mode: 0o644 });
      const snap = envSnapshot();
      saveSnapshot(file, snap);
      const text = readFileSync(file, 'utf8');
      for (const v of SECRET_VALUES) expect(text, v).not.toContain(v);
      expect(text).toContain('"redacted": true');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(auditSnapshot(parseSnapshot(text)).findings.map((f) => f.message)).toEqual(auditSnapshot(snap).findings.map((f) => f.message));
    });

    it('writes through a symbolic link at the target, and leaves no temporary file', () => {
      mkdirSync(join(project.dir, 'real'));
      const real = join(project.dir, 'real', 'swarm.json');
      writeFileSync(real, 'old');
      const link = join(project.dir, 'link.json');
      symlinkSync(real, link);
      saveSnapshot(link, envSnapshot());
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(parseSnapshot(readFileSync(real, 'utf8')).services[0]!.Spec.Name).toBe('shop_api');
      expect(statSync(real).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(project.dir, 'real', 'swarm.json'), 'utf8')).not.toContain('hunter2');
    });
  });
});

describe('snapshots of an unexpected shape', () => {
  it('name the first field of another type', () => {
    const single = recordedSnapshot('single-node');
    const broken = JSON.parse(serializeSnapshot(single));
    broken.services[1].Spec.Mode = { Replicated: { Replicas: '3' } };
    expect(() => parseSnapshot(JSON.stringify(broken), 'x.json')).toThrow(
      'x.json is not a stackopt swarm snapshot: services[1].Spec.Mode.Replicated.Replicas is a string, expected a number; make one with `stackopt audit --save-snapshot FILE`',
    );
    broken.services[1].Spec.Mode = { Replicated: { Replicas: 3 } };
    broken.services[2].Spec.TaskTemplate.ContainerSpec.Env = 'PASSWORD=hunter2';
    expect(() => parseSnapshot(JSON.stringify(broken), 'x.json')).toThrow('services[2].Spec.TaskTemplate.ContainerSpec.Env is a string, expected a list');
    broken.services[2].Spec.TaskTemplate.ContainerSpec.Env = [];
    broken.nodes[0].Description.Resources.NanoCPUs = true;
    expect(() => parseSnapshot(JSON.stringify(broken), 'x.json')).toThrow('nodes[0].Description.Resources.NanoCPUs is true (a boolean), expected a number');
  });

  it('write the path of a value deep in lists and maps', () => {
    const svc = (containerSpec: unknown) => ({ ID: 'x', Spec: { Name: 'a', TaskTemplate: { ContainerSpec: containerSpec } } });
    const C = 'services[4].Spec.TaskTemplate.ContainerSpec';
    expect(findShapeError(svc({ Mounts: [{}, { TmpfsOptions: { Options: [['a'], ['b', 2]] } }] }), SERVICE_SHAPE, 'services[4]')).toBe(`${C}.Mounts[1].TmpfsOptions.Options[1][1] is 2 (a number), expected a string`);
    expect(findShapeError(svc({ Mounts: [{ VolumeOptions: { DriverConfig: { Options: { 'o.k': 'x', 'a "b"': false } } } }] }), SERVICE_SHAPE, 'services[4]')).toBe(
      `${C}.Mounts[0].VolumeOptions.DriverConfig.Options["a \\"b\\""] is false (a boolean), expected a string`,
    );
    expect(findShapeError(svc({ Env: ['A=1', null] }), SERVICE_SHAPE, 'services[4]')).toBe(`${C}.Env[1] is null, expected a string`);
    expect(findShapeError(svc({ Secrets: [{ File: { Name: 'x' } }, { File: { Mode: '0400' } }] }), SERVICE_SHAPE, 'services[4]')).toBe(`${C}.Secrets[1].File.Mode is a string, expected a number`);
    expect(findShapeError({ Spec: {} }, SERVICE_SHAPE, 'services[4]')).toBe('services[4].ID is missing; expected a string');
    expect(findShapeError(svc({ Env: ['A=1'], Labels: { a: 'b' }, Mounts: [{ TmpfsOptions: { Options: [['ro']] } }] }), SERVICE_SHAPE, 'services[4]')).toBeNull();
  });

  it('tell the first of several wrong values as they always did: a null list item first, a map from its last key', () => {
    const svc = (containerSpec: unknown) => ({ ID: 'x', Spec: { Name: 'a', TaskTemplate: { ContainerSpec: containerSpec } } });
    const C = 'services[4].Spec.TaskTemplate.ContainerSpec';
    expect(findShapeError(svc({ Env: [5, 'A=1', null, 'B=2'] }), SERVICE_SHAPE, 'services[4]')).toBe(`${C}.Env[2] is null, expected a string`);
    expect(findShapeError(svc({ Env: [5, 6] }), SERVICE_SHAPE, 'services[4]')).toBe(`${C}.Env[0] is 5 (a number), expected a string`);
    expect(findShapeError(svc({ Labels: { a: 1, b: 'ok', c: true } }), SERVICE_SHAPE, 'services[4]')).toBe(`${C}.Labels["c"] is true (a boolean), expected a string`);
    expect(findShapeError(svc({ User: 0, Env: 'A=1' }), SERVICE_SHAPE, 'services[4]')).toBe(`${C}.Env is a string, expected a list`);
  });

  it('say which item of a list is null instead of failing on it later', () => {
    const single = recordedSnapshot('single-node');
    for (const key of ['nodes', 'services', 'tasks'] as const) {
      const broken = JSON.parse(serializeSnapshot(single));
      broken[key].splice(1, 0, null);
      expect(() => parseSnapshot(JSON.stringify(broken), 'x.json')).toThrow(`x.json is not a stackopt swarm snapshot: ${key}[1] is null, expected an object;`);
    }
    expect(findShapeError(null, SERVICE_SHAPE, '')).toBe('the document is null, expected an object');
  });

  it('name every value of a recorded snapshot that is given another type', () => {
    // each scalar the shape reads, one at a time, replaced by one of another type: the check (a
    // compiled test, then a walk for the message) names that value, and the document fits again after
    const leaves = (v: unknown, shape: Shape, path: string, out: Array<{ path: string; set: (x: unknown) => void; value: unknown }>) => {
      if (v === null || v === undefined || typeof shape === 'string') return;
      const visit = (obj: Record<string, unknown> | unknown[], key: string | number, of: Shape, at: string) => {
        const x = (obj as Record<string, unknown>)[key];
        if (typeof of === 'string' && of !== 'any' && x !== null && x !== undefined) out.push({ path: at, value: x, set: (y) => ((obj as Record<string, unknown>)[key] = y) });
        else leaves(x, of, at, out);
      };
      if ('list' in shape) (v as unknown[]).forEach((_, i) => visit(v as unknown[], i, shape.list, `${path}[${i}]`));
      else if ('map' in shape) for (const k of Object.keys(v as object)) visit(v as Record<string, unknown>, k, shape.map, `${path}[${JSON.stringify(k)}]`);
      else for (const [k, of] of Object.entries(shape.object)) visit(v as Record<string, unknown>, k, of, `${path}.${k}`);
    };
    let checked = 0;
    for (const name of ['single-node', 'multi-node'] as const) {
      const snap = JSON.parse(serializeSnapshot(recordedSnapshot(name)));
      const docs: Array<[unknown, Shape, string]> = [[snap.info, INFO_SHAPE, 'info']];
      for (const [key, shape] of [['nodes', NODE_SHAPE], ['services', SERVICE_SHAPE], ['tasks', TASK_SHAPE]] as const) snap[key].forEach((d: unknown, i: number) => docs.push([d, shape, `${key}[${i}]`]));
      for (const [doc, shape, where] of docs) {
        expect(findShapeError(doc, shape, where)).toBeNull();
        const found: Array<{ path: string; set: (x: unknown) => void; value: unknown }> = [];
        leaves(doc, shape, where, found);
        for (const leaf of found) {
          leaf.set(typeof leaf.value === 'string' ? 7 : 'x');
          expect(findShapeError(doc, shape, where)).toBe(`${leaf.path} is ${typeof leaf.value === 'string' ? '7 (a number)' : 'a string'}, expected a ${typeof leaf.value}`);
          leaf.set(leaf.value);
          checked++;
        }
        expect(findShapeError(doc, shape, where)).toBeNull();
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('use the tests written at build time from the shapes as they are now (scripts/build-shape-fits.mjs)', () => {
    const written = readFileSync(join(repoRoot, FITS_FILE), 'utf8');
    expect(written).toMatch(/^export function fitsService\(v: any\): boolean \{$/m);
    // a shape changed since the build (npm run build writes the file again) fails here
    expect(written).toBe(shapeFitsModule(dockerShapes));
  });

  it('walk deep documents only as deep as the shape goes', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { Spec: deep };
    expect(findShapeError({ ID: 'x', Spec: { Name: 'a', Labels: { a: deep } } }, SERVICE_SHAPE, 'services[0]')).toBe('services[0].Spec.Labels["a"] is an object, expected a string');
  });

  it('through the CLI: exit 2 and one line', () => {
    const project = tempProject({ 'bad.json': JSON.stringify({ ...JSON.parse(serializeSnapshot(recordedSnapshot('single-node'))), tasks: [{ ID: 'x', ServiceID: 7 }] }) });
    try {
      const r = runCli(['audit', '--snapshot', 'bad.json'], project.dir);
      expect([r.status, r.stdout, r.stderr]).toEqual([
        2,
        '',
        'stackopt: bad.json is not a stackopt swarm snapshot: tasks[0].ServiceID is 7 (a number), expected a string; make one with `stackopt audit --save-snapshot FILE`\n',
      ]);
    } finally {
      project.cleanup();
    }
  });
});

describe('live findings', () => {
  beforeAll(() => assertBuilt());

  it('are never fixable, in any format', () => {
    const result = auditSnapshot(recordedSnapshot('single-node'));
    expect(result.findings.length).toBeGreaterThan(10);
    expect(result.findings.filter((f) => f.fixable || f.fix)).toEqual([]);
    const fixture = join(repoRoot, 'fixtures/audit/single-node.json');
    const json = runCli(['audit', '--snapshot', fixture, '--format', 'json'], repoRoot);
    const report = JSON.parse(json.stdout);
    expect(report.summary.fixable).toBe(0);
    expect(jsonFindings(json).length).toBe(result.findings.length);
    expect(json.stdout).not.toContain('"fixable": true');
    expect(report.audit).toEqual({ changedObjects: 0, vanished: {}, partial: false });
    const sarif = JSON.parse(runCli(['audit', '--snapshot', fixture, '--format', 'sarif'], repoRoot).stdout);
    for (const r of sarif.runs[0].results) {
      expect(r.fixes).toBeUndefined();
      expect(r.properties?.fixable).toBeUndefined();
    }
  });
});

// ---- a misbehaving docker ------------------------------------------------------------------

/** A folder holding an executable `docker` script, to put first on PATH. */
function fakeDocker(dir: string, script: string): string {
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(bin, 'docker'), 0o755);
  return `${bin}:${process.env.PATH ?? ''}`;
}

/** Wait (polling, up to 2 minutes: the machine may be busy) until `ok` holds. */
async function until(ok: () => boolean, what: string): Promise<void> {
  for (const t0 = Date.now(); !ok(); ) {
    if (Date.now() - t0 > 120_000) throw new Error(`waited 2 minutes for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Exit 3, one line on stderr, nothing on stdout. */
function expectOneLine(r: { status: number; stdout: string; stderr: string }, line: string | RegExp) {
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines, r.stderr).toHaveLength(1);
  if (typeof line === 'string') expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(r.status).toBe(3);
}

const INFO = '{"ServerVersion":"28.0.0","Swarm":{"NodeID":"n1","LocalNodeState":"active","ControlAvailable":true}}';

describe('a docker that misbehaves', () => {
  const project = tempProject({});
  beforeAll(() => assertBuilt());
  afterAll(() => project.cleanup());

  it('--timeout holds when docker leaves a child holding stdout open, and the child is ended too', () => {
    const pids = join(project.dir, 'pids');
    const PATH = fakeDocker(join(project.dir, 'hold'), `sleep 300 &\necho $! > '${pids}'\nexec sleep 300`);
    const t0 = Date.now();
    const r = runCli(['audit', '--timeout', '1'], project.dir, { PATH, DOCKER_HOST: 'unix:///nonexistent.sock' });
    const took = Date.now() - t0;
    expectOneLine(r, 'stackopt: docker info did not answer within 1 s (engine at DOCKER_HOST=unix:///nonexistent.sock): check that the engine is responsive, or allow more time with --timeout SECONDS');
    // 1 s, then SIGTERM to the whole group; far below the child's 300 s
    expect(took).toBeLessThan(150_000);
    const child = Number(readFileSync(pids, 'utf8'));
    expect(existsSync(`/proc/${child}`) && !/\) Z /.test(readFileSync(`/proc/${child}/stat`, 'utf8'))).toBe(false);
  });

  it('Ctrl-C or SIGTERM during a call ends the docker call and what it started, then stackopt as the signal would', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const pids = join(project.dir, `pids-${signal}`);
      // docker in a process group of its own, as the audit runs it: the terminal's signal does not reach it
      const PATH = fakeDocker(join(project.dir, `hang-${signal}`), `sleep 300 &\necho "$$ $!" > '${pids}'\nwait`);
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'stackopt.js'), 'audit', '--timeout', '600'], { cwd: project.dir, env: { ...process.env, PATH, DOCKER_HOST: 'unix:///nonexistent.sock' }, stdio: 'ignore' });
      const ended = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, sig) => done(sig)));
      await until(() => existsSync(pids) && readFileSync(pids, 'utf8').includes(' '), `docker of ${signal} to start`);
      child.kill(signal);
      expect(await ended, signal).toBe(signal);
      const [docker, sleeper] = readFileSync(pids, 'utf8').trim().split(' ').map(Number);
      const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      await until(() => !alive(docker!) && !alive(sleeper!), `the docker call of ${signal} and its child to end`);
    }
  }, 300_000);

  it('--timeout takes a positive number of seconds up to a day', () => {
    const usage = (v: string) => runCli(['audit', '--timeout', v, '--snapshot', 'none.json'], project.dir);
    for (const v of ['0', '-1', 'abc', '2147484', '86400.5', '1e3', '']) {
      const r = usage(v);
      expect([v, r.status, r.stderr]).toEqual([v, 2, `stackopt: --timeout takes a number of seconds above 0 and at most 86400 (a day), not ${JSON.stringify(v)}\n`]);
    }
    // valid values go on (to the missing snapshot)
    for (const v of ['0.0001', '86400', '.5', '30']) expect(usage(v).stderr).toBe('stackopt: cannot read the snapshot none.json: no such file\n');
  });

  it('a tiny --timeout still limits the call (it is not rounded to "no timeout")', () => {
    const PATH = fakeDocker(join(project.dir, 'slow'), 'exec sleep 300');
    const r = runCli(['audit', '--timeout', '0.0001'], project.dir, { PATH, DOCKER_HOST: 'unix:///x.sock' });
    expectOneLine(r, /^stackopt: docker info did not answer within 0\.001 s /);
  });

  it('megabytes of stderr: read up to a bound, classified in linear time', () => {
    // lines that start every pattern of the classifier and never finish one, then a real message
    const noise = [
      'context "'.repeat(2000),
      'permission denied while trying to connect to the Docker daemon socket at '.repeat(500),
      `Cannot connect to the Docker daemon at ${'x'.repeat(100_000)}`,
      `no such file or directory ${'a'.repeat(100_000)}`,
    ].join('\n');
    const file = join(project.dir, 'noise.txt');
    writeFileSync(file, `${noise}\n`.repeat(20)); // about 5 MB
    const PATH = fakeDocker(join(project.dir, 'noisy'), `cat '${file}' >&2\nexit 1`);
    const started = Date.now();
    const r = runCli(['audit'], project.dir, { PATH, DOCKER_HOST: 'unix:///x.sock' });
    expectOneLine(r, /^stackopt: /);
    expect(r.stderr.length).toBeLessThan(400);
    // the quadratic classifier took minutes on far less; this is a few hundred milliseconds
    expect(Date.now() - started).toBeLessThan(120_000);
  });

  it('JSON of an unexpected shape is one error naming the field', () => {
    /** a docker that answers as a one-node swarm manager would, with these answers (`"$1 $2"` → output) */
    const answering = (name: string, answers: Record<string, string>) =>
      fakeDocker(
        join(project.dir, name),
        `case "$1 $2" in\n  "info --format") echo '${INFO}' ;;\n  "node ls") echo n1 ;;\n${Object.entries(answers)
          .map(([k, v]) => `  "${k}") echo '${v}' ;;\n`)
          .join('')}  *) echo "unexpected: $*" >&2; exit 1 ;;\nesac`,
      );
    const PATH = answering('shapes', { 'node inspect': '{"ID":"n1","Spec":{"Role":"manager"},"Description":{"Resources":{"NanoCPUs":"4"}}}' });
    const r = runCli(['audit'], project.dir, { PATH, DOCKER_HOST: 'unix:///x.sock' });
    expectOneLine(
      r,
      'stackopt: docker node inspect answered JSON of an unexpected shape (node n1): Description.Resources.NanoCPUs is a string, expected a number; check that DOCKER_HOST or --context names a Docker engine',
    );
    const empty = answering('empty', { 'node inspect': '{"ID":"n1"}', 'service ls': 's1', 'service inspect': '{}' });
    const r2 = runCli(['audit'], project.dir, { PATH: empty, DOCKER_HOST: 'unix:///x.sock' });
    expectOneLine(r2, 'stackopt: docker service inspect answered JSON of an unexpected shape (service 1 of 1): ID is missing; expected a string; check that DOCKER_HOST or --context names a Docker engine');
  });
});

describe('the report of a partial or changing read', () => {
  it('says how many objects vanished, in the human report and in json', () => {
    const m = node({ hostname: 'm', role: 'manager', leader: true });
    const a = service({ name: 'a', replicas: 1 });
    const snap = { ...snapshot({ nodes: [m], services: [a], tasks: running(a, [m], 1) }), vanished: { task: 2, service: 1 } };
    const project = tempProject({ 'snap.json': serializeSnapshot(snap) });
    try {
      const human = runCli(['audit', '--snapshot', 'snap.json'], project.dir);
      expect(human.stdout.split('\n')[2]).toBe('3 objects changed during the audit (2 tasks, 1 service gone between two docker calls): left out, the rest audited');
      const json = JSON.parse(runCli(['audit', '--snapshot', 'snap.json', '--format', 'json'], project.dir).stdout);
      expect(json.audit).toEqual({ changedObjects: 3, vanished: { task: 2, service: 1 }, partial: false });
    } finally {
      project.cleanup();
    }
  });
});
