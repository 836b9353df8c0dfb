#!/usr/bin/env node
// The speed and memory targets as one table: each figure is measured side by side in this run
// (the command and its yardstick alternate, A B A B ..., and the ratio is taken pair by pair), so
// that the machine's drift moves both. Yardsticks: a bare `node -e 0`, dclint 3.1.0 from npm
// (installed into bench/.tools on first use), `docker stack config -c` where a docker CLI that has
// it is installed, and compose-lint where it is on PATH. CPU is user + system time of the whole
// process (all threads); peak memory is the largest resident set, read with /usr/bin/time.
// Run `npm run build` first. Usage: npm run bench -- --targets [--runs N] [--no-install]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenCpuMs, ranCleanly, runsOption } from './child-cpu.mjs';
import { bigStack, dirtyStack, realFiles, swarmSnapshot } from './generate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = runsOption(5);
const out = mkdtempSync(join(tmpdir(), 'stackopt-bench-targets-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));
const bin = join(root, 'bin/stackopt.js');
const node = process.execPath;
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

// ---- inputs --------------------------------------------------------------------------------------
const small = join(root, 'fixtures/seed-examples/high-efficiency-stack.yml');
const real1 = realFiles(root, join(out, 'real1'), 1);
const real100 = realFiles(root, join(out, 'real100'), 100);
const real1000 = realFiles(root, join(out, 'real1000'), 1000);
const big = join(out, 'docker-compose.2000.yml');
writeFileSync(big, bigStack(2000));
const huge = join(out, 'docker-compose.20000.yml');
writeFileSync(huge, bigStack(20000));
const dirty = join(out, 'dirty-stack.yml');
writeFileSync(dirty, dirtyStack());
const snapFile = join(out, 'snapshot.json');
writeFileSync(snapFile, JSON.stringify(swarmSnapshot(2000, 200)));

// ---- yardsticks ----------------------------------------------------------------------------------
const tools = join(root, 'bench/.tools');
const dclint = join(tools, 'node_modules/.bin/dclint');
if (!existsSync(dclint) && !process.argv.includes('--no-install')) {
  mkdirSync(tools, { recursive: true });
  if (!existsSync(join(tools, 'package.json'))) writeFileSync(join(tools, 'package.json'), '{"private":true}\n');
  console.error('installing dclint 3.1.0 into bench/.tools ...');
  spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', tools, 'dclint@3.1.0'], { stdio: 'inherit' });
}
/** The first docker CLI that has `stack config` (the newest install first). */
const docker = ['/usr/local/bin/docker', 'docker'].find((d) => spawnSync(d, ['stack', 'config', '--help'], { stdio: 'ignore' }).status === 0) ?? null;
const composeLint = spawnSync('compose-lint', ['--help'], { stdio: 'ignore' }).status === 0 ? 'compose-lint' : null;
/** compose-lint takes files, not a folder: the folder's files by name */
const filesOf = (dir) => readdirSync(dir).sort().map((f) => join(dir, f));

// ---- measuring -----------------------------------------------------------------------------------
/**
 * One run of a command: wall and CPU milliseconds, peak resident MiB (null without /usr/bin/time).
 * A linter exits 1 when it finds something; `okExits` names the other statuses that are no failure
 * (compose-lint exits 2 when a file is not valid compose, as some corpus files are not for it).
 */
function once(cmd, args, env = process.env, cwd = out, okExits = [0, 1]) {
  const stats = join(out, 'time.txt');
  const before = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', '-o', stats, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env, cwd, maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, cwd, maxBuffer: 64 * 1024 * 1024 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = childrenCpuMs() - before;
  if (!ranCleanly(r, okExits)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  const peak = timeBin ? Number(readFileSync(stats, 'utf8').trim().split('\n').pop()) / 1024 : null;
  return { wall, cpu, peak };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Each command run `runs` times in turn (after one warm-up each); medians and pairwise ratios to the first. */
function sideBySide(commands) {
  for (const c of commands) once(...c);
  const samples = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, k) => samples[k].push(once(...c)));
  const med = samples.map((s) => ({ wall: median(s.map((x) => x.wall)), cpu: median(s.map((x) => x.cpu)), peak: timeBin ? median(s.map((x) => x.peak)) : null }));
  const ratio = (k, field) => median(samples[0].map((a, i) => a[field] / samples[k][i][field]));
  return { med, ratio, samples };
}

const lint = (...args) => [node, [bin, 'lint', ...args]];
const rows = [];
const row = (measure, now, target) => {
  rows.push([measure, now, target]);
  console.error(`  ${measure}: ${now}`);
};
const ms = (x) => `${x.toFixed(0)} ms`;
const mib = (x) => (x === null ? 'n/a (no /usr/bin/time)' : `${x.toFixed(0)} MiB`);

console.error(`measuring (${runs} runs of each, alternated) ...`);
{
  const flagged = { ...process.env, NODE_OPTIONS: '--max-old-space-size=4096', XDG_CACHE_HOME: join(out, 'cache') };
  // NODE_EXTRA_CA_CERTS makes node read and parse that certificate file at every start, `node -e 0`
  // included (about 40 ms on the development machine): where it is set, the pair is also measured
  // without it, so that the ratio does not lean on a start-up cost of the environment's
  const { NODE_EXTRA_CA_CERTS: extraCerts, ...withoutCerts } = process.env;
  const commands = [lint(small), [node, ['-e', '0']], [...lint(small), flagged]];
  if (extraCerts) commands.push([...lint(small), withoutCerts], [node, ['-e', '0'], withoutCerts]);
  const s = sideBySide(commands);
  const pairRatio = (a, b) => median(s.samples[a].map((x, i) => x.wall / s.samples[b][i].wall));
  const certs = extraCerts ? `; without NODE_EXTRA_CA_CERTS (set here) ${pairRatio(3, 4).toFixed(2)}× (${ms(s.med[3].wall)} vs ${ms(s.med[4].wall)})` : '';
  row('one small file, wall, vs `node -e 0`', `${pairRatio(0, 1).toFixed(2)}× (${ms(s.med[0].wall)} vs ${ms(s.med[1].wall)}); with NODE_OPTIONS=--max-old-space-size=4096 ${pairRatio(2, 1).toFixed(2)}×${certs}`, '≤ 1.5×, also with NODE_OPTIONS');
}
let many;
{
  many = sideBySide([lint(real1), lint(real100), lint(real1000)]);
  const [one, hundred, thousand] = many.med;
  row('marginal CPU per extra real file', `${((hundred.cpu - one.cpu) / 99).toFixed(1)} ms (files 2-100), ${((thousand.cpu - hundred.cpu) / 900).toFixed(1)} ms (101-1,000)`, '≤ 2 ms');
  row('1,000 real files, peak memory', mib(thousand.peak), '≤ 150 MiB');
}
{
  const peers = [lint(real100)];
  if (existsSync(dclint)) peers.push([dclint, [real100]]);
  if (composeLint) peers.push([composeLint, filesOf(real100), process.env, out, [0, 1, 2]]);
  const s = sideBySide(peers);
  const parts = [];
  if (existsSync(dclint)) parts.push(`dclint ${(1 / s.ratio(1, 'cpu')).toFixed(1)}× our CPU (${ms(s.med[1].cpu)} vs ${ms(s.med[0].cpu)}), ${(1 / s.ratio(1, 'wall')).toFixed(1)}× wall`);
  else parts.push('dclint not installed');
  const k = peers.length - 1;
  if (composeLint) parts.push(`compose-lint ${(1 / s.ratio(k, 'cpu')).toFixed(2)}× our CPU (${ms(s.med[k].cpu)})`);
  else parts.push(`compose-lint not installed (ours: ${(s.med[0].cpu / 100).toFixed(1)} ms per file in all)`);
  row('100 real files vs dclint 3.1.0', parts.join('; '), '≥ 20× faster, and faster than compose-lint');
}
{
  const cmds = [lint(big)];
  if (docker) cmds.push([docker, ['stack', 'config', '-c', big]]);
  const s = sideBySide(cmds);
  row('2,000-service file, CPU', docker ? `${ms(s.med[0].cpu)}, ${s.ratio(1, 'cpu').toFixed(2)}× \`docker stack config -c\` (${ms(s.med[1].cpu)})` : `${ms(s.med[0].cpu)} (no docker CLI with stack config)`, 'faster than `docker stack config -c`');
}
{
  const s = sideBySide([lint(huge)]);
  row('20,000 services, peak memory', `${mib(s.med[0].peak)} (CPU ${ms(s.med[0].cpu)})`, '≤ 300 MiB');
}
{
  const s = sideBySide([[node, [bin, 'fix', '--stdout', dirty]], lint(dirty)]);
  row('`fix` on the 2,000-service file, vs its lint', `${s.ratio(1, 'cpu').toFixed(2)}× CPU (${ms(s.med[0].cpu)} vs ${ms(s.med[1].cpu)})`, '≤ 1.5×');
}
{
  const s = sideBySide([[node, [bin, 'audit', '--snapshot', snapFile, '--no-color']]]);
  row('`audit --snapshot`, 2,000 services / 200 nodes', `${ms(s.med[0].cpu)} CPU`, '< 1 s CPU');
}

console.log(`stackopt targets (medians of ${runs} alternated runs, node ${process.version}${docker ? `, ${spawnSync(docker, ['--version'], { encoding: 'utf8' }).stdout.trim()}` : ''})`);
console.log('');
console.log('| measure | now | target |');
console.log('| --- | --- | --- |');
for (const [m, n, t] of rows) console.log(`| ${m} | ${n} | ${t} |`);
