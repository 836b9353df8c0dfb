#!/usr/bin/env node
// Times `stackopt fix` (the built CLI) where one edit serves many services: a file whose services
// all merge one anchor (`<<: *common`, the anchor holding the lists and mappings the fixes edit),
// and a chain of services each extending the one before. Both used to cost time growing with the
// square (or cube) of the number of services; the work should now grow about as the file does.
// Each case runs at two sizes and prints the CPU time of both and their ratio (1 per doubling is
// linear; 2 per doubling is quadratic). Run `npm run build` first.
// Usage: node bench/fix-shared.mjs [--anchor N] [--extends N]   (defaults: 10000 and 500)
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs } from './child-cpu.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const out = join(root, 'bench/out/fix-shared');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** n services merging one anchor whose security_opt and deploy every fix edits. */
export function sharedAnchorStack(n) {
  let t = 'x-common: &common\n  image: nginx:1.27\n  restart: unless-stopped\n  security_opt:\n    - label:disable\n  deploy:\n    mode: replicated\n  environment:\n    A: "1"\n\nservices:\n';
  for (let i = 0; i < n; i++) t += `  svc-${i}:\n    <<: *common\n`;
  return t;
}

/** A chain of n services, each extending the one before. */
export function extendsChainStack(n) {
  let t = 'services:\n  base-0:\n    image: nginx:1.27\n';
  for (let i = 1; i < n; i++) t += `  base-${i}:\n    extends: base-${i - 1}\n`;
  return t;
}

const bin = join(root, 'bin/stackopt.js');
function run(name, text) {
  const file = join(out, `${name}.yml`);
  writeFileSync(file, text);
  const before = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'fix', file, '-o', `${file}.optimized`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = childrenCpuMs() - before;
  if (r.status !== 0 && r.status !== 1) throw new Error(`fix ${file} exited ${r.status}: ${r.stderr}`);
  const head = r.stdout.split('\n')[0];
  return { wall, cpu, fixed: /(\d+) fixed/.exec(head)?.[1] ?? '-', passes: /in (\d+) pass/.exec(head)?.[1] ?? '-' };
}

const anchorN = arg('--anchor', 10000);
const extendsN = arg('--extends', 500);
console.log(`stackopt fix with shared definitions (node ${process.version})`);
console.log('case                                   CPU ms   wall ms   fixed  passes');
for (const [label, make, n] of [
  ['services merging one anchor', sharedAnchorStack, anchorN],
  ['extends chain', extendsChainStack, extendsN],
]) {
  const half = run(`${label.replace(/ /g, '-')}-${n / 2}`, make(Math.floor(n / 2)));
  const full = run(`${label.replace(/ /g, '-')}-${n}`, make(n));
  for (const [size, m] of [[Math.floor(n / 2), half], [n, full]]) {
    console.log(`${`${label}, ${size}`.padEnd(36)}  ${String(m.cpu).padStart(7)}   ${m.wall.toFixed(0).padStart(7)}   ${m.fixed.padStart(5)}  ${m.passes.padStart(6)}`);
  }
  console.log(`${'  CPU ratio for twice the size'.padEnd(36)}  ${(full.cpu / half.cpu).toFixed(2).padStart(7)}`);
}
