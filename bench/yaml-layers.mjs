#!/usr/bin/env node
// What each layer of reading a large compose file costs, cold, in fresh processes: yaml's Lexer,
// its Parser (CST), its Composer (Document), the located tree lint built on that Document, and the
// fast reader (src/parse/fast-yaml.ts) with the same located tree on it. Each row is the median
// CPU time (user + system, all threads) and peak RSS of N runs, the file read included.
// Usage: node bench/yaml-layers.mjs [FILE | --services N] [--runs N] (default: bigStack(2000))
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { childrenCpuMs } from './child-cpu.mjs';
import { bigStack } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const take = (flag, dflt) => {
  const at = args.indexOf(flag);
  return at >= 0 ? Number(args.splice(at, 2)[1]) : dflt;
};
const runs = take('--runs', 7);
const services = take('--services', 2000);
mkdirSync(join(root, 'bench/out'), { recursive: true });
let file = args[0];
if (!file) {
  file = join(root, `bench/out/docker-compose.${services}.yml`);
  writeFileSync(file, bigStack(services));
}
const out = join(root, 'bench/out/yaml-layers.cjs');
await build({ entryPoints: [join(root, 'bench/yaml-layers.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
const names = JSON.parse(spawnSync(process.execPath, [out, '--layers'], { encoding: 'utf8' }).stdout);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpu = names.map(() => []);
const rss = names.map(() => []);
// layers alternate run by run, so that a change in the machine's load touches them all alike
for (let r = 0; r < runs; r++) {
  names.forEach((_, i) => {
    const before = childrenCpuMs();
    const p = spawnSync(process.execPath, [out, file, String(i)], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`layer ${i} failed: ${p.stderr}`);
    cpu[i].push(childrenCpuMs() - before);
    rss[i].push(JSON.parse(p.stdout).maxRssKiB / 1024);
  });
}
console.log(`reading ${file} (median of ${runs} cold runs, node ${process.version})`);
console.log('layer                                         CPU ms  peak MiB');
names.forEach((n, i) => console.log(`${n.padEnd(44)}  ${String(median(cpu[i])).padStart(6)}  ${median(rss[i]).toFixed(0).padStart(8)}`));
