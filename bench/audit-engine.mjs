#!/usr/bin/env node
// What `stackopt audit` costs on a real engine as the swarm grows: a one-node swarm of its own
// (test/helpers/swarm.ts starts it), a 10-service stack `bench`, and tiny services added around it
// until the swarm holds 100, then 1,000 services. At each size it times the docker calls of an
// audit of the whole swarm, of `--stack bench` and of `--service bench_s3` (median of --runs),
// lists every call with its filters, and times the built CLI end to end.
// Every service has one task, kept pending by a constraint no node satisfies: the engine holds
// the task objects the audit reads, without running a thousand containers (no image is pulled).
// Creating 1,000 services takes minutes; --keep DIR keeps the engine (and reuses it when DIR holds
// one), so that a second run measures without creating them again. Needs root and dockerd.
// Usage: node bench/audit-engine.mjs [--sizes 100,1000] [--runs 3] [--keep DIR]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argOf = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = argOf('--sizes', '100,1000').split(',').map(Number);
const runs = Number(argOf('--runs', '3'));
const keep = argOf('--keep', null);
const STACK = 'bench';
const STACK_SIZE = 10;

// ---- the library: the docker door and the snapshot, and the engine helpers of the tests ------
// inside the repository, so that the bundle finds the packages it leaves out (execa, vitest)
mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
const out = mkdtempSync(join(root, 'node_modules', '.cache', 'stackopt-bench-engine-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
const entry = join(out, 'entry.ts');
writeFileSync(
  entry,
  `export { DockerClient } from '${join(root, 'src/audit/docker.ts')}';
export { collectSnapshot, serializeSnapshot } from '${join(root, 'src/audit/snapshot.ts')}';
export { startEngine, stopEngine, teardown, initSwarm, freePort, docker, waitFor } from '${join(root, 'test/helpers/swarm.ts')}';
`,
);
await build({
  entryPoints: [entry],
  outfile: join(out, 'lib.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'error',
  packages: 'external',
  // the helpers register suite hooks with vitest, which this script does not run under
  plugins: [
    {
      name: 'no-vitest',
      setup(b) {
        b.onResolve({ filter: /^vitest$/ }, () => ({ path: 'vitest', namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export const beforeAll = () => {}; export const afterAll = () => {};' }));
      },
    },
  ],
  banner: { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" },
});
const lib = await import(pathToFileURL(join(out, 'lib.mjs')).href);

// ---- the engine -----------------------------------------------------------------------------
const dir = keep ?? mkdtempSync(join(tmpdir(), 'stackopt-bench-swarm-'));
mkdirSync(dir, { recursive: true });
const state = join(dir, 'bench-engine.json');
let engine;
if (keep && existsSync(state)) {
  const saved = JSON.parse(readFileSync(state, 'utf8'));
  engine = { ...saved, env: { ...process.env, DOCKER_HOST: saved.host }, stopped: false };
  delete engine.env.DOCKER_CONTEXT;
  const alive = spawnSync('docker', ['version'], { env: engine.env, stdio: 'ignore' }).status === 0;
  if (!alive) {
    console.error(`the engine kept in ${dir} does not answer; remove the folder and start again`);
    process.exit(2);
  }
  console.log(`reusing the engine in ${dir}`);
} else {
  engine = await lib.startEngine(dir, 'bench', 'bench-1');
  await lib.initSwarm(engine, await lib.freePort('tcp'), await lib.freePort('udp'));
  writeFileSync(state, JSON.stringify({ name: engine.name, hostname: engine.hostname, dir: engine.dir, socket: engine.socket, host: engine.host, pid: engine.pid }));
  console.log(`engine started in ${dir}`);
}
const cleanup = async () => {
  if (!keep) await lib.teardown(dir, [engine]);
  // a kept engine outlives this script: the helpers stop the engines they started when it exits
  else engine.stopped = true;
};

const dockerOk = (args) => lib.docker(engine, args);
const serviceNames = async () => new Set((await dockerOk(['service', 'ls', '--format', '{{.Name}}'])).stdout.split('\n').filter(Boolean));

/** `docker service create` for each name not there yet, four at a time. */
async function createServices(names, labels = []) {
  const existing = await serviceNames();
  const todo = names.filter((n) => !existing.has(n));
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const name = todo[next++];
      await dockerOk([
        'service', 'create', '--detach', '--quiet', '--no-resolve-image', '--name', name,
        '--constraint', 'node.labels.stackopt-bench==nowhere',
        '--reserve-memory', '8M', '--limit-memory', '32M',
        ...labels.flatMap((l) => ['--label', l]),
        'local/busybox:1', '/bin/busybox', 'sleep', '3600',
      ]);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (todo.length) console.log(`created ${todo.length} services in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The calls, with ids folded: `docker service inspect --format {{json .}} <12 ids>`. */
function describeCalls(calls) {
  return calls.map((c) => {
    const words = [];
    let ids = 0;
    for (const a of c) {
      if (/^[a-z0-9]{12}$|^[a-z0-9]{25}$/.test(a)) ids++;
      else words.push(a.includes(' ') || a.includes('{') ? `'${a}'` : a);
    }
    return `docker ${words.join(' ')}${ids ? ` <${ids} id${ids === 1 ? '' : 's'}>` : ''}`;
  });
}

async function measure(label, scope, cliArgs) {
  const times = [];
  let snap;
  let calls = [];
  /** per call (by position), the wall time of each run */
  const callTimes = [];
  for (let i = 0; i < runs; i++) {
    const client = new lib.DockerClient({ env: { PATH: process.env.PATH, DOCKER_HOST: engine.host } });
    const run = client.run.bind(client);
    client.run = async (args) => {
      const t = process.hrtime.bigint();
      try {
        return await run(args);
      } finally {
        const k = client.calls.length - 1;
        (callTimes[k] ??= []).push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    };
    const t0 = process.hrtime.bigint();
    snap = await lib.collectSnapshot(client, { scope });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    calls = client.calls;
  }
  const cli = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [join(root, 'bin/stackopt.js'), 'audit', '--format', 'json', ...cliArgs], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: engine.host },
      encoding: 'utf8',
      maxBuffer: 1024 ** 3,
    });
    cli.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status !== 0 && r.status !== 1) throw new Error(`audit ${cliArgs.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  const size = lib.serializeSnapshot(snap).length;
  console.log(
    `  ${label.padEnd(22)} ${String(snap.services.length).padStart(5)} services ${String(snap.tasks.length).padStart(5)} tasks  ` +
      `${String(calls.length).padStart(2)} calls  docker ${(median(times) / 1000).toFixed(2)} s  CLI ${(median(cli) / 1000).toFixed(2)} s  snapshot ${(size / 1024).toFixed(0)} KiB`,
  );
  describeCalls(calls).forEach((c, k) => console.log(`      ${`${(median(callTimes[k] ?? [0]) / 1000).toFixed(2)} s`.padStart(7)}  ${c}`));
}

try {
  await createServices(
    Array.from({ length: STACK_SIZE }, (_, i) => `${STACK}_s${i}`),
    [`com.docker.stack.namespace=${STACK}`],
  );
  for (const size of sizes) {
    await createServices(Array.from({ length: size - STACK_SIZE }, (_, i) => `other-${String(i).padStart(4, '0')}`));
    const all = await serviceNames();
    console.log(`\n${all.size} services on one node (median of ${runs})`);
    await measure('whole swarm', {}, []);
    await measure(`--stack ${STACK}`, { stack: STACK }, ['--stack', STACK]);
    await measure(`--service ${STACK}_s3`, { services: [`${STACK}_s3`] }, ['--service', `${STACK}_s3`]);
  }
} finally {
  await cleanup();
}
