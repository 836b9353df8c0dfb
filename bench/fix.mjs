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
import { childrenCpuMs, runsOption } from './child-cpu.mjs';
import { cleanStack, dirtyStack } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = runsOption(5);
const out = join(root, 'bench/out/fix');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

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
