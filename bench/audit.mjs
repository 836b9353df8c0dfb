#!/usr/bin/env node
// Times `stackopt audit` on a synthetic swarm snapshot of 500 services on 50 nodes (about 2,000
// tasks: replicas, some failed history, some pending), as `--snapshot` replays it: no docker.
//   1. in process: parse the snapshot, convert every service, run every rule (file and live
//      rules), compute capacity and render the human report: the analysis itself;
//   2. the built CLI end to end (`node bin/stackopt.js audit --snapshot F`), as a user runs it,
//      wall and CPU time, and as a ratio to a bare `node -e 0`.
// Run `npm run build` first (for 2).
// Usage: node bench/audit.mjs [--runs N] [--services N] [--nodes N] [--save SNAPSHOT.json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { swarmSnapshot } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg('--runs', 7);
const SERVICES = arg('--services', 500);
const NODES = arg('--nodes', 50);
// a folder of its own (bench/run.mjs empties bench/out when it starts)
const out = mkdtempSync(join(tmpdir(), 'stackopt-bench-audit-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

const snapshot = swarmSnapshot(SERVICES, NODES);
const tasks = snapshot.tasks;
const saveAt = process.argv.indexOf('--save');
const snapFile = saveAt > 0 ? process.argv[saveAt + 1] : join(out, 'synthetic-snapshot.json');
const snapText = JSON.stringify(snapshot);
writeFileSync(snapFile, snapText);
console.log(`synthetic snapshot: ${SERVICES} services, ${NODES} nodes, ${tasks.length} tasks, ${(snapText.length / 1024 / 1024).toFixed(1)} MiB`);

// ---- 1. the analysis in process --------------------------------------------------------------
const entry = join(out, 'entry.ts');
writeFileSync(entry, `
export { parseSnapshot } from '${join(root, 'src/audit/snapshot.ts')}';
export { auditSnapshot } from '${join(root, 'src/audit/audit.ts')}';
export { formatAuditHuman } from '${join(root, 'src/format/audit-human.ts')}';
`);
await build({ entryPoints: [entry], outfile: join(out, 'audit-lib.mjs'), bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error',
  banner: { js: "import{createRequire as __r}from'node:module';const require=__r(import.meta.url);" } });
const lib = await import(pathToFileURL(join(out, 'audit-lib.mjs')).href);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const inproc = [];
let findings = 0;
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const snap = lib.parseSnapshot(snapText, 'synthetic');
  const result = lib.auditSnapshot(snap);
  lib.formatAuditHuman(result, { color: false });
  inproc.push(Number(process.hrtime.bigint() - t0) / 1e6);
  findings = result.findings.length;
}
console.log(`in process (parse + convert + all rules + human report): median ${median(inproc).toFixed(0)} ms, first ${inproc[0].toFixed(0)} ms (${findings} findings) over ${runs} runs`);

// ---- 2. the CLI end to end ----------------------------------------------------------------------
const bin = join(root, 'bin/stackopt.js');

/** Wall time of a child, and its CPU time (user + system) as the shell's `times` reports children. */
function time(args) {
  const walls = [];
  const cpus = [];
  const quoted = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', `${quoted} >/dev/null 2>"$0"; s=$?; times; exit $s`, join(out, 'stderr')], { encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const stderr = readFileSync(join(out, 'stderr'), 'utf8');
    // exit 1 is "error findings"; a crash also exits 1, but says so on stderr
    if ((r.status !== 0 && r.status !== 1) || (args[0] === bin && stderr !== '')) throw new Error(`${args.join(' ')} exited ${r.status}: ${stderr}`);
    // `times`: the shell's own user/sys, then its children's: "0m0.412s 0m0.051s"
    const child = r.stdout.trim().split('\n')[1] ?? '';
    const secs = [...child.matchAll(/(\d+)m([\d.]+)s/g)].reduce((n, m) => n + Number(m[1]) * 60 + Number(m[2]), 0);
    walls.push(wall);
    cpus.push(secs * 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}
const base = time(['-e', '0']);
for (const [label, args] of [
  ['audit --snapshot (human report)', [bin, 'audit', '--snapshot', snapFile, '--no-color']],
  ['audit --snapshot --format json', [bin, 'audit', '--snapshot', snapFile, '--format', 'json']],
]) {
  const t = time(args);
  console.log(`${label}: wall ${t.wall.toFixed(0)} ms (${(t.wall / base.wall).toFixed(1)}× node -e 0 at ${base.wall.toFixed(0)} ms), CPU ${t.cpu.toFixed(0)} ms`);
}
