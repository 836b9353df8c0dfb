/**
 * `stackopt usage record` against a real one-node swarm, started here and torn down after: services
 * that hold known amounts of memory (a file written to a tmpfs, whose pages are charged to the
 * container) and CPU (a busy loop under a CPU limit), an idle one, one killed by its memory limit
 * again and again, and one removed while the recording runs. The built CLI is run as a user runs
 * it. With RECORD_USAGE_FIXTURES=1 the profile is also copied to fixtures/usage/recorded-swarm.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { quantile, type ServiceUsage, type UsageProfile } from '../src/model/usage-profile.js';
import { DockerClient } from '../src/audit/docker.js';
import { readUsageProfile } from '../src/usage/profile-file.js';
import { assertBuilt, repoRoot, runCliAsync, type CliRun } from './helpers/cli.js';
import { parseBytes, parseCpus } from '../src/model/units.js';
import { parseDocument } from 'yaml';
import { deployStack, docker, engineGate, engineSuite, freePort, importBusybox, initSwarm, startEngine, tasksOf, waitFor, type Engine } from './helpers/swarm.js';

const gate = engineGate('usage record against a one-node swarm');
const MiB = 1024 * 1024;
const HELD_MIB = 200;
const CPU_CAP = 0.25;
const bin = join(repoRoot, 'bin', 'stackopt.js');
const HAS_SCRIPT = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

const STACK = `version: "3.8"
services:
  mem:
    image: local/busybox:1
    command: ["/bin/busybox", "sh", "-c", "/bin/busybox dd if=/dev/zero of=/data/held bs=1M count=${HELD_MIB} && exec /bin/busybox sleep 3600"]
    volumes:
      - type: tmpfs
        target: /data
        tmpfs:
          size: ${(HELD_MIB + 56) * MiB}
    deploy:
      resources:
        limits:
          memory: 512M
  cpu:
    image: local/busybox:1
    command: ["/bin/busybox", "sh", "-c", "while :; do :; done"]
    deploy:
      resources:
        limits:
          cpus: "${CPU_CAP}"
  idle:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "3600"]
  oom:
    image: local/busybox:1
    command: ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 5; exec /bin/busybox dd if=/dev/zero of=/data/f bs=1M count=64"]
    volumes:
      - type: tmpfs
        target: /data
        tmpfs:
          size: ${128 * MiB}
    deploy:
      restart_policy:
        condition: on-failure
        delay: 2s
      resources:
        limits:
          memory: 32M
  gone:
    image: local/busybox:1
    command: ["/bin/busybox", "sleep", "3600"]
    stop_grace_period: 1s
`;

/** Run the built CLI without waiting: the test acts on the swarm (or signals the CLI) meanwhile. */
function startCli(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr })));
  return { child, done };
}

describe.runIf(gate.run)('usage record against a one-node swarm', () => {
  let engine: Engine;
  let work = '';
  let run: CliRun;
  let profile: UsageProfile;
  let removedAt = 0;
  /** the busy loop's CPU over the recording as the kernel counts it (cgroup v1 cpuacct), in cores */
  let cpuTruth: number | null = null;
  /** its CFS periods and throttled periods over the recording as the kernel counts them (cgroup v1 cpu.stat) */
  let throttleTruth: { periods: number; throttled: number } | null = null;
  const svc = (name: string): ServiceUsage => {
    const s = profile.services[`rt/${name}`];
    if (!s) throw new Error(`no rt/${name} in the profile: ${Object.keys(profile.services).join(', ')}`);
    return s;
  };

  beforeAll(() => assertBuilt());
  engineSuite(
    'usage',
    async (root, engines) => {
      work = join(root, 'work');
      mkdirSync(work);
      engine = await startEngine(root, 'solo', 'usage-1');
      engines.push(engine);
      await initSwarm(engine, await freePort('tcp'), await freePort('udp'));
      await importBusybox(engine);
      writeFileSync(join(work, 'stack.yml'), STACK);
      await deployStack(engine, join(work, 'stack.yml'), 'rt');
      for (const s of ['mem', 'cpu', 'idle', 'gone']) {
        await waitFor(async () => (await tasksOf(engine, `rt_${s}`)).some((t) => t.CurrentState.startsWith('Running')), 90_000, `rt_${s} to run`);
      }
      // the memory holder has written its whole file (its pages are charged to it) before the recording starts
      const memId = (await docker(engine, ['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.swarm.service.name=rt_mem'])).stdout.trim();
      const held = async () => (await docker(engine, ['exec', memId, '/bin/busybox', 'stat', '-c', '%s', '/data/held'], { reject: false })).stdout.trim();
      await waitFor(async () => (await held()) === String(HELD_MIB * MiB), 60_000, `rt_mem to write its ${HELD_MIB} MiB file`);
      // the recording starts as a new container of the OOM service starts, its previous one just
      // killed: its next kill then comes about 5 s into the recording (its sleep), however slowly a
      // loaded machine runs the cycle (started at any other moment, a loaded machine's cycle of
      // start, sleep, kill and restart delay could leave the 24 s without a kill)
      const failedOom = async () => new Set((await tasksOf(engine, 'rt_oom')).filter((t) => t.CurrentState.startsWith('Failed')).map((t) => t.ID));
      const killedBefore = await failedOom();
      await waitFor(async () => [...(await failedOom())].some((id) => !killedBefore.has(id)), 120_000, 'rt_oom to be killed by its memory limit');
      await waitFor(async () => (await tasksOf(engine, 'rt_oom')).some((t) => t.DesiredState === 'Running' && t.CurrentState.startsWith('Running')), 120_000, 'rt_oom to run again');
      const cpuId = (await docker(engine, ['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.swarm.service.name=rt_cpu'])).stdout.trim();
      const cpuacct = `/sys/fs/cgroup/cpuacct/docker/${cpuId}/cpuacct.usage`;
      const cpuStat = `/sys/fs/cgroup/cpu/docker/${cpuId}/cpu.stat`;
      const readCpu = () => {
        if (!existsSync(cpuacct) || !existsSync(cpuStat)) return null;
        const stat = readFileSync(cpuStat, 'utf8');
        const field = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(stat)?.[1]);
        return { ns: Number(readFileSync(cpuacct, 'utf8')), at: Date.now(), periods: field('nr_periods'), throttled: field('nr_throttled') };
      };
      const before = readCpu();
      const rec = startCli(['usage', 'record', '--stack', 'rt', '--duration', '24s', '--interval', '2s', '-o', 'usage.json'], work, { DOCKER_HOST: engine.host });
      await new Promise((r) => setTimeout(r, 9000));
      removedAt = Date.now();
      await docker(engine, ['service', 'rm', 'rt_gone']);
      run = await rec.done;
      const after = readCpu();
      if (before && after) {
        cpuTruth = (after.ns - before.ns) / 1e9 / ((after.at - before.at) / 1000);
        throttleTruth = { periods: after.periods - before.periods, throttled: after.throttled - before.throttled };
      }
      // the busy loop has been recorded: the tests below record other services only, and it would
      // take a quarter of a core for the rest of the file (its container stays, for the listings)
      await docker(engine, ['update', '--cpus', '0.01', cpuId], { reject: false });
      if (run.status !== 0) throw new Error(`usage record exited ${run.status}: ${run.stderr}`);
      profile = readUsageProfile(join(work, 'usage.json'));
      if (process.env.RECORD_USAGE_FIXTURES === '1') copyFileSync(join(work, 'usage.json'), join(repoRoot, 'fixtures/usage/recorded-swarm.json'));
    },
    { setup: 480_000, teardown: 60_000 },
  );

  it('writes a profile that reads back, with one recording of the stack, and a summary on stdout', () => {
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^recorded \d+ samples every 2s over \d+s into usage\.json \(1 recording in the file\)\n/);
    expect(run.stdout).toMatch(/^ {2}rt\/mem +1 task +CPU p95/m);
    expect(profile.recordings).toHaveLength(1);
    const r = profile.recordings[0]!;
    expect(r).toMatchObject({ stack: 'rt', contexts: ['default'], ended: 'duration', intervalSeconds: 2 });
    expect(r.ticks).toBeGreaterThanOrEqual(4);
    expect(Object.keys(profile.services).sort()).toEqual(['rt/cpu', 'rt/gone', 'rt/idle', 'rt/mem', 'rt/oom']);
    for (const name of ['mem', 'cpu', 'idle']) {
      expect(svc(name)).toMatchObject({ stack: 'rt', service: name, kind: 'swarm', tasksMax: 1, oomKills: 0, restarts: 0 });
      expect(svc(name).samples).toBe(r.ticks);
      expect(svc(name).daily.reduce((n, d) => n + d.samples, 0)).toBe(r.ticks);
    }
  });

  it('shows the memory a service holds (a file in a tmpfs) as its working set', () => {
    const mem = svc('mem');
    const held = HELD_MIB * MiB;
    // the file, plus the few hundred KiB of the shell and sleep
    expect(mem.memory.max).toBeGreaterThanOrEqual(held);
    expect(mem.memory.max).toBeLessThan(held + 8 * MiB);
    // the median is the upper bound of its 5% bucket
    const median = quantile(mem.memory, 0.5)!;
    expect(median).toBeGreaterThanOrEqual(held);
    expect(median).toBeLessThan(held * 1.06);
    expect(mem.limits).toEqual({ cpus: null, memory: 512 * MiB });
    expect(mem.daily[0]!.memoryPeak).toBe(mem.memory.max);
  });

  it('shows a busy loop under a CPU limit at that limit, and an idle service at ~0', () => {
    const cpu = svc('cpu');
    const median = quantile(cpu.cpu, 0.5)!;
    // a busy machine may give the loop less than its quota, never (much) more: the samples are
    // compared with what the kernel counted for the container over the same time
    expect(cpu.cpu.max).toBeLessThan(CPU_CAP * 1.2);
    const cgroupV1 = spawnSync('docker', ['info', '--format', '{{.CgroupVersion}}'], { env: engine.env, encoding: 'utf8' }).stdout.trim() === '1';
    if (cgroupV1) expect(cpuTruth, 'cpuacct.usage of the busy loop').not.toBeNull();
    if (cpuTruth !== null) {
      expect(cpuTruth).toBeGreaterThan(0.05);
      expect(Math.abs(median - cpuTruth)).toBeLessThan(cpuTruth * 0.25 + 0.02);
    } else expect(median).toBeGreaterThan(CPU_CAP * 0.5);
    // CFS throttling from the engine's stats endpoint, compared with the kernel's counts over the
    // recording (the first reading of a container is its baseline: a sample's worth is not counted).
    // How often the loop runs out of its quota depends on how much CPU the machine gives it.
    expect(cpu.throttling).not.toBeNull();
    expect(cpu.throttling!.periods).toBeGreaterThan(0);
    expect(cpu.throttling!.throttledPeriods).toBeLessThanOrEqual(cpu.throttling!.periods);
    if (cgroupV1) expect(throttleTruth).not.toBeNull();
    if (throttleTruth) {
      expect(cpu.throttling!.periods).toBeLessThanOrEqual(throttleTruth.periods);
      expect(cpu.throttling!.periods).toBeGreaterThan(throttleTruth.periods * 0.5);
      expect(cpu.throttling!.throttledPeriods).toBeLessThanOrEqual(throttleTruth.throttled);
      if (throttleTruth.throttled >= 20) expect(cpu.throttling!.throttledPeriods).toBeGreaterThan(0);
    }
    expect(svc('idle').throttling).toEqual({ periods: 0, throttledPeriods: 0 });
    expect(svc('mem').throttling).toEqual({ periods: 0, throttledPeriods: 0 });
    console.log(`usage record: held ${HELD_MIB} MiB, recorded max ${(svc('mem').memory.max / MiB).toFixed(2)} MiB; CPU cap ${CPU_CAP}, kernel-counted ${cpuTruth?.toFixed(3)}, recorded median ${median.toFixed(3)} max ${cpu.cpu.max.toFixed(3)}, throttled ${cpu.throttling!.throttledPeriods} of ${cpu.throttling!.periods} periods (kernel: ${throttleTruth?.throttled} of ${throttleTruth?.periods})`);
    expect(cpu.limits).toEqual({ cpus: CPU_CAP, memory: null });
    expect(cpu.daily[0]!.idleSamples).toBe(0);
    const idle = svc('idle');
    expect(idle.cpu.max).toBeLessThan(0.01);
    expect(quantile(idle.cpu, 0.95)).toBeLessThanOrEqual(0.01);
    expect(idle.daily[0]!.idleSamples).toBe(idle.samples);
    expect(idle.memory.max).toBeLessThan(4 * MiB);
    expect(idle.pidsMax).toBe(1);
  });

  it('counts the OOM kills of a container that exceeds its memory limit, with the limit as the peak, and its restarts', () => {
    const oom = svc('oom');
    expect(oom.oomKills).toBeGreaterThanOrEqual(1);
    expect(oom.oomPeaks).toHaveLength(oom.oomKills);
    for (const p of oom.oomPeaks) expect(p).toBe(32 * MiB);
    expect(oom.restarts).toBeGreaterThanOrEqual(1);
    expect(oom.limits.memory).toBe(32 * MiB);
  });

  it('keeps a service removed during the recording, up to when it went', () => {
    const gone = svc('gone');
    expect(gone.samples).toBeGreaterThanOrEqual(1);
    // stopped within its 1 s grace period; a sample already under way when it went may still count
    expect(Date.parse(gone.lastSeen)).toBeLessThan(removedAt + 6000);
    expect(gone.samples).toBeLessThan(svc('idle').samples);
  });

  it('sizes from the recording: fix --usage gives the memory holder 1.1-1.6x what it holds, the busy loop a CPU reservation at what it used, and raises a limit the OOM killer hit', async () => {
    // the stack as a user would hand it to fix: no limits on what was measured, the too-small limit kept
    const unsized = STACK.replace(/\n    deploy:\n      resources:\n        limits:\n          (?:memory: 512M|cpus: "[\d.]+")/g, '');
    writeFileSync(join(work, 'unsized.yml'), unsized);
    const r = await runCliAsync(['fix', 'unsized.yml', '--usage', 'usage.json', '--stack', 'rt', '--min-history', '10s', '--stdout'], work);
    expect(r.status, r.stderr).toBe(0);
    const fixed = parseDocument(r.stdout).toJS() as { services: Record<string, { deploy?: { resources?: { limits?: { memory?: string; cpus?: string }; reservations?: { memory?: string; cpus?: string } } } }> };
    const res = (name: string) => fixed.services[name]?.deploy?.resources;
    const memLimit = parseBytes(res('mem')?.limits?.memory)!;
    expect(memLimit / (HELD_MIB * MiB)).toBeGreaterThanOrEqual(1.1);
    expect(memLimit / (HELD_MIB * MiB)).toBeLessThanOrEqual(1.6);
    // the evidence travels with the value as a trailing comment
    expect(r.stdout).toMatch(/memory: \S+ # peak \d+(?:\.\d+)?Mi over \d+s \(\d+ samples\)/);
    // the reservation is the 95th percentile of what the loop used: the cap on an idle machine, what the kernel gave it on a busy one
    const cpuReserved = parseCpus(res('cpu')?.reservations?.cpus)!;
    const used = cpuTruth ?? CPU_CAP;
    expect(cpuReserved).toBeGreaterThanOrEqual(used * 0.7 - 0.02);
    expect(cpuReserved).toBeLessThanOrEqual(CPU_CAP * 1.3);
    // killed at 32M: the recommendation is raised above the limit it died at (max(peak + 100 MiB, peak x 1.2))
    expect(parseBytes(res('oom')?.limits?.memory)!, `${svc('oom').samples} samples of oom; ${r.stdout}\n${r.stderr}`).toBeGreaterThanOrEqual(32 * MiB + 100 * MiB);
  });

  it('lint --usage names the idle service a sleep candidate and the OOM-killed one, at their lines', async () => {
    const r = await runCliAsync(['lint', 'stack.yml', '--usage', 'usage.json', '--stack', 'rt', '--min-history', '10s', '--format', 'compact'], work);
    expect([0, 1]).toContain(r.status);
    const lines = r.stdout.split('\n');
    const at = (text: string) => STACK.split('\n').findIndex((l) => l === text) + 1;
    expect(lines.some((l) => l.startsWith(`stack.yml:${at('  idle:')}:3: info `) && l.endsWith('[sleep-candidate]')), r.stdout).toBe(true);
    expect(lines.some((l) => l.startsWith(`stack.yml:${at('          memory: 32M')}:`) && /OOM|killed/i.test(l) && l.endsWith('[resource-limits]')), r.stdout).toBe(true);
    // the busy loop is not idle (the memory holder is: it holds its file and sleeps)
    expect(lines.some((l) => l.startsWith(`stack.yml:${at('  cpu:')}:`) && l.endsWith('[sleep-candidate]')), r.stdout).toBe(false);
  });

  it('ends cleanly on Ctrl-C (SIGINT), keeping what was sampled, and appends to the profile', async () => {
    const file = join(work, 'appended.json');
    copyFileSync(join(work, 'usage.json'), file);
    const rec = startCli(['usage', 'record', '--stack', 'rt', '--service', 'mem', 'idle', '--interval', '1s', '-o', 'appended.json'], work, { DOCKER_HOST: engine.host });
    await new Promise((r) => setTimeout(r, 6000));
    rec.child.kill('SIGINT');
    const r = await rec.done;
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(interrupted: what was sampled is kept\) into appended\.json \(2 recordings in the file\)/);
    const merged = readUsageProfile(file);
    expect(merged.recordings).toHaveLength(2);
    const second = merged.recordings[1]!;
    expect(second.ended).toBe('interrupted');
    expect(second.ticks).toBeGreaterThanOrEqual(1);
    const mem = merged.services['rt/mem']!;
    expect(mem.samples).toBe(svc('mem').samples + second.ticks);
    expect(mem.memory.total).toBe(mem.samples);
    expect(mem.daily.reduce((n, d) => n + d.samples, 0)).toBe(mem.samples);
    // services not asked for this time are kept as they were
    expect(merged.services['rt/cpu']).toEqual(svc('cpu'));
  });

  it.runIf(HAS_SCRIPT)('shows progress on stderr when it is a terminal (one line, rewritten), and the summary on stdout', () => {
    // `script` gives the command a terminal; stdout goes to a file, stderr stays on the terminal
    const out = join(work, 'tty-summary.txt');
    const r = spawnSync('script', ['-qec', `'${process.execPath}' '${bin}' usage record --stack rt --service idle --duration 3s --interval 1s -o tty.json > '${out}'`, '/dev/null'], {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: work, DOCKER_HOST: engine.host, TERM: 'dumb' },
      timeout: 300_000,
    });
    expect(r.stdout).toMatch(/\r\u001b\[2Kstackopt: recording \d+s of 3s: 1 sample, 1 service, 1 running container…/);
    expect(r.stdout).not.toContain('\n');
    expect(r.stdout).toMatch(/\r\u001b\[2K$/); // the progress line is cleared at the end
    expect(readFileSync(out, 'utf8')).toMatch(/^recorded \d+ samples? every 1s over \d+s into tty\.json \(1 recording in the file\)\n {2}rt\/idle +1 task/);
  });

  it('leaves out a container that vanished between the listing and the reading, without failing', async () => {
    const client = new DockerClient({ env: engine.env });
    const idle = (await docker(engine, ['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.swarm.service.name=rt_idle'])).stdout.trim();
    const gone = 'f'.repeat(64);
    const rows = await client.containerStats([gone, idle]);
    expect(rows.map((r) => r.ID)).toEqual([idle]);
    const inspected = await client.inspectContainers([idle, gone]);
    expect(inspected.map((c) => c.Id)).toEqual([idle]);
    expect([...client.vanished.container]).toEqual([gone]);
    // the throttling counters come from the engine's socket; a container it does not know has none
    const counters = await client.throttlingCounters([idle, gone]);
    expect([...counters.keys()]).toEqual([idle]);
  });

  it('fails with exit 2 and one line when the stack has no container, writing nothing', () => {
    const r = spawnSync(process.execPath, [bin, 'usage', 'record', '--stack', 'nosuch', '--duration', '5s', '-o', 'none.json'], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DOCKER_HOST: engine.host } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stackopt: no container of stack or compose project "nosuch" was found at DOCKER_HOST=unix:\/\/\S+: check the names/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(work, 'none.json'))).toBe(false);
  });

  it('names the services found when --service names none of them', () => {
    const r = spawnSync(process.execPath, [bin, 'usage', 'record', '--stack', 'rt', '--service', 'nosuch', '--duration', '5s', '-o', 'none.json'], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', DOCKER_HOST: engine.host } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stackopt: no container of service "nosuch" in "rt" was found at .*; containers were found for: rt\/cpu, (rt\/gone, )?rt\/idle, rt\/mem, rt\/oom$/m);
    expect(readFileSync(join(work, 'usage.json'), 'utf8')).toContain('"rt/mem"');
  });
});
