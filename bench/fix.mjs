#!/usr/bin/env node
// Times `stackopt fix` (the built CLI, as a user runs it) on synthetic 2,000-service stacks: one
// where every service needs fixes (no limits, single replicas of proxies, databases without a
// healthcheck, read-only services without /tmp; comments, anchors and merge keys throughout) and
// one where nothing needs fixing (the lint cost plus writing the copy). Prints wall and CPU time and
// the ratio to `node -e 0`, and the passes the fix took. Run `npm run build` first.
// Usage: node bench/fix.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs } from './child-cpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const out = join(root, 'bench/out/fix');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const IMAGES = ['postgres:16', 'redis:7', 'traefik:v3.1', 'registry.example.com/team/api:1.2.0', 'rabbitmq:3.13', 'nginx:1.27', 'busybox:1.36', 'mongo:7'];

/** 2,000 services that all need something: the fix loop's worst case in size. */
function dirtyStack() {
  let t = '# synthetic stack: 2,000 services that need fixing\nversion: "3.8"\n\nx-defaults: &defaults\n  restart: unless-stopped\n  logging:\n    driver: json-file\n\nservices:\n';
  for (let i = 0; i < 2000; i++) {
    const image = IMAGES[i % IMAGES.length];
    t += `  # service ${i}\n  svc-${i}:\n    <<: *defaults\n    image: ${image} # pinned\n`;
    if (i % 4 === 0) t += `    deploy:\n      replicas: 1\n`;
    else if (i % 4 === 1) t += `    deploy: { mode: replicated }\n`;
    if (i % 5 === 0) t += `    read_only: true\n`;
    if (i % 7 === 0) t += `    tmpfs:\n      - /run\n`;
    t += `    environment:\n      PORT: "${8000 + (i % 1000)}"\n`;
  }
  return t;
}

/** 2,000 services with nothing to fix for the safe fixes. */
function cleanStack() {
  let t = '# synthetic stack: 2,000 services, nothing to fix\nservices:\n';
  for (let i = 0; i < 2000; i++) {
    t += `  svc-${i}:
    image: "registry.example.com/team/svc-${i}:1.${i % 10}.0"
    deploy:
      replicas: 2
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {cpus: "0.25", memory: 256M}
`;
  }
  return t;
}

const dirty = join(out, 'dirty-stack.yml');
const clean = join(out, 'clean-stack.yml');
writeFileSync(dirty, dirtyStack());
writeFileSync(clean, cleanStack());

const bin = join(root, 'bin/stackopt.js');
function measure(args) {
  const walls = [];
  const cpus = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const before = childrenCpuMs();
    const t0 = process.hrtime.bigint();
    last = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpus.push(childrenCpuMs() - before);
    if (last.status !== 0 && last.status !== 1) throw new Error(`${args.join(' ')} exited ${last.status}: ${last.stderr}`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: median(walls), cpu: median(cpus), output: last.stdout };
}

const baseline = measure(['-e', '0']);
const cases = [
  ['fix: 2,000 services, all need fixes', [bin, 'fix', dirty]],
  ['fix --unsafe: the same file', [bin, 'fix', '--unsafe', dirty]],
  ['fix --check: the same file', [bin, 'fix', '--check', dirty]],
  ['fix: 2,000 services, nothing to fix', [bin, 'fix', clean]],
  ['lint: the file that needs fixes', [bin, 'lint', dirty]],
];
console.log(`stackopt fix bench (median of ${runs} runs, node ${process.version}, ${dirtyStack().length} bytes)`);
console.log('case                                      wall ms   × node -e 0   CPU ms   fixed   passes');
console.log(`${'node -e 0'.padEnd(40)}  ${baseline.wall.toFixed(0).padStart(7)}   ${'1.00'.padStart(10)}   ${String(baseline.cpu).padStart(6)}`);
for (const [name, args] of cases) {
  const m = measure(args);
  const fixed = /(?:fixed|would fix) (\d+) problems?/.exec(m.output)?.[1] ?? '-';
  const passes = /fixed in (\d+) pass/.exec(m.output)?.[1] ?? '-';
  console.log(`${name.padEnd(40)}  ${m.wall.toFixed(0).padStart(7)}   ${(m.wall / baseline.wall).toFixed(2).padStart(10)}   ${String(m.cpu).padStart(6)}   ${fixed.padStart(5)}   ${passes.padStart(6)}`);
}
