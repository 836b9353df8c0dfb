#!/usr/bin/env node
// Times `stackopt lint` (the built CLI, as a user runs it) and prints each figure as a ratio to a
// bare `node -e 0`: one small file, 100 files in one run, and one synthetic 2,000-service file
// (wall time and CPU time). Run `npm run build` first. Usage: npm run bench [-- --runs N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs, ranCleanly, runsOption } from './child-cpu.mjs';
import { bigStack } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = runsOption(15);
const out = join(root, 'bench/out');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'many'), { recursive: true });

const small = join(root, 'fixtures/seed-examples/high-efficiency-stack.yml');
const smallText = `services:
  api:
    image: registry.example.com/api:1.4.2
    user: "1000:1000"
    deploy:
      replicas: 2
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {cpus: "0.25", memory: 256M}
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"]
      interval: 30s
`;
for (let i = 0; i < 100; i++) writeFileSync(join(out, 'many', `docker-compose.${String(i).padStart(3, '0')}.yml`), smallText.replace('api:', `api${i}:`));

const big = join(out, 'docker-compose.2000.yml');
writeFileSync(big, bigStack(2000));

const bin = join(root, 'bin/stackopt.js');
function measure(args, env = process.env) {
  const walls = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    if (!ranCleanly(r)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    walls.push(wall);
  }
  walls.sort((a, b) => a - b);
  return walls[Math.floor(walls.length / 2)];
}
/** CPU time (user + system, all threads) of one run, from the kernel's accounting of waited-for children. */
function cpuOf(args, env = process.env) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const before = childrenCpuMs();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    samples.push(childrenCpuMs() - before);
    if (!ranCleanly(r)) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

// Under a V8 flag in NODE_OPTIONS the CLI records a code cache of the user's own on the first run
// (bin/stackopt.js): one run to record it, in a cache folder of the bench's own.
const flagged = { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096', XDG_CACHE_HOME: join(out, 'cache') };
spawnSync(process.execPath, [bin, 'lint', small], { stdio: 'ignore', env: flagged });

const baseline = measure(['-e', '0']);
const rows = [
  ['node -e 0', baseline, cpuOf(['-e', '0'])],
  ['lint: one small file', measure([bin, 'lint', small]), cpuOf([bin, 'lint', small])],
  ['  the same, NODE_OPTIONS=--max-old-space-size=4096', measure([bin, 'lint', small], flagged), cpuOf([bin, 'lint', small], flagged)],
  ['lint: 100 files in one run', measure([bin, 'lint', join(out, 'many')]), cpuOf([bin, 'lint', join(out, 'many')])],
  ['lint: one 2,000-service file', measure([bin, 'lint', big]), cpuOf([bin, 'lint', big])],
  ['  the same, --target swarm', measure([bin, 'lint', '--target', 'swarm', big]), cpuOf([bin, 'lint', '--target', 'swarm', big])],
];
console.log(`stackopt bench (median of ${runs} runs, node ${process.version})`);
console.log(`${'case'.padEnd(52)}  wall ms   × node -e 0   CPU ms (median)`);
for (const [name, wall, cpu] of rows) {
  console.log(`${name.padEnd(52)}  ${wall.toFixed(1).padStart(7)}   ${(wall / baseline).toFixed(2).padStart(10)}   ${cpu.toFixed(0).padStart(8)}`);
}
