#!/usr/bin/env node
// Where the CPU time of a cold lint goes, stage by stage: bench/phases.ts is bundled and run in a
// fresh process up to each stage, several times; each row is the median CPU time (user + system,
// all threads: V8's compiler and GC threads included) and what the stage adds to the one before.
// A stage's cost on a cold run is mostly V8 warming its code up, which a loop in one process hides.
// The harness runs from source without the CLI's code cache and V8 budget (bin/stackopt.js): read
// the stages against each other, and bench/run.mjs for what a user gets.
// Usage: node bench/phases.mjs [FILE] [--runs N] (default: the 2,000-service file of bench/run.mjs)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { childrenCpuMs } from './child-cpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 9;
const file = args[0] ?? join(root, 'bench/out/docker-compose.2000.yml');
if (!existsSync(file)) {
  console.error(`bench/phases: no ${file}; run \`node bench/run.mjs\` once (it writes the 2,000-service file), or name a file`);
  process.exit(2);
}
const out = join(root, 'bench/out/phases.cjs');
mkdirSync(dirname(out), { recursive: true });
await build({ entryPoints: [join(root, 'bench/phases.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
const names = JSON.parse(spawnSync(process.execPath, [out, '--stages'], { encoding: 'utf8' }).stdout);

/** CPU time of one cold run up to `stage`. */
function cpuOf(stage) {
  const before = childrenCpuMs();
  const r = spawnSync(process.execPath, [out, file, String(stage)], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`stage ${stage} failed: ${r.stderr}`);
  return childrenCpuMs() - before;
}

const medians = [];
for (let stage = 0; stage < names.length; stage++) {
  const samples = Array.from({ length: runs }, () => cpuOf(stage)).sort((a, b) => a - b);
  medians.push(samples[Math.floor(samples.length / 2)]);
}
console.log(`stackopt lint, stage by stage (median CPU of ${runs} cold runs, node ${process.version}): ${file}`);
console.log('stage                                       CPU ms   added');
names.forEach((name, i) => console.log(`${name.padEnd(42)}  ${String(medians[i]).padStart(6)}  ${i === 0 ? '' : String(medians[i] - medians[i - 1]).padStart(6)}`));
