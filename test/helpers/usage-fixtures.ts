/**
 * The usage profiles under fixtures/usage/sizing/, built by simulating what a recorder sees: one sample
 * per task per tick, with daily cycles and noise from a seeded generator, through the model's own
 * histogram code. `test/usage-fixtures.test.ts` keeps the committed files equal to what this
 * builds (`UPDATE_FIXTURES=1` rewrites them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUsageProfile } from '../../src/usage/profile-file.js';
import type { UsageInput } from '../../src/model/usage-recommend.js';
import {
  addSample,
  CPU_HISTOGRAM,
  emptyHistogram,
  IDLE_CPU,
  MEMORY_HISTOGRAM,
  USAGE_PROFILE_FORMAT,
  type DailyUsage,
  type Recording,
  type ServiceUsage,
  type UsageProfile,
} from '../../src/model/usage-profile.js';

const MiB = 1024 ** 2;

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What one task uses at a moment: `hour` is the hour of the day (0-24), `rnd` a generator. */
type Shape = (hour: number, rnd: () => number, tick: number) => { cpu: number; memory: number };

export interface SimulatedService {
  stack: string | null;
  service: string;
  tasks: number;
  shape: Shape;
  limits?: { cpus: number | null; memory: number | null };
  /** CFS periods per tick and the share throttled (a limit that holds the service back) */
  throttled?: number;
  /** ticks at which a task is killed by the OOM killer (its memory just before is the peak recorded) */
  oomAt?: number[];
  /** the part of the recording the service ran in: [first tick, last tick) */
  ticks?: [number, number];
}

export interface Simulation {
  start: string;
  intervalSeconds: number;
  ticks: number;
  /** recordings as [first tick, last tick) (default: one over all ticks) */
  recordings?: Array<[number, number]>;
  services: SimulatedService[];
  seed: number;
}

/** The day of an ISO time, UTC. */
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function simulate(sim: Simulation): UsageProfile {
  const rnd = random(sim.seed);
  const t0 = Date.parse(sim.start);
  const at = (tick: number) => t0 + tick * sim.intervalSeconds * 1000;
  const services: Record<string, ServiceUsage> = {};
  const windows = sim.recordings ?? [[0, sim.ticks]];
  for (const s of sim.services) {
    const [from, to] = s.ticks ?? [0, sim.ticks];
    // the ticks a recording ran while the service did
    const ticks: number[] = [];
    for (const [a, b] of windows) for (let t = Math.max(a, from); t < Math.min(b, to); t++) ticks.push(t);
    const u: ServiceUsage = {
      stack: s.stack,
      service: s.service,
      kind: 'swarm',
      firstSeen: new Date(at(ticks[0]!)).toISOString(),
      lastSeen: new Date(at(ticks[ticks.length - 1]!)).toISOString(),
      samples: 0,
      cpu: { ...emptyHistogram(CPU_HISTOGRAM), max: 0 },
      memory: { ...emptyHistogram(MEMORY_HISTOGRAM), max: 0 },
      pidsMax: 12,
      throttling: s.throttled === undefined ? null : { periods: 0, throttledPeriods: 0 },
      oomKills: 0,
      oomPeaks: [],
      restarts: 0,
      limits: s.limits ?? { cpus: null, memory: null },
      tasksMax: s.tasks,
      daily: [],
    };
    const days = new Map<string, DailyUsage>();
    for (const tick of ticks) {
      const ms = at(tick);
      const hour = (ms / 3_600_000) % 24;
      const day = dayOf(ms);
      let row = days.get(day);
      if (!row) days.set(day, (row = { day, samples: 0, cpuPeak: 0, memoryPeak: 0, idleSamples: 0 }));
      for (let task = 0; task < s.tasks; task++) {
        let { cpu, memory } = s.shape(hour, rnd, tick);
        if (s.limits?.cpus) cpu = Math.min(cpu, s.limits.cpus);
        if (s.limits?.memory) memory = Math.min(memory, s.limits.memory);
        cpu = Math.round(cpu * 1e6) / 1e6;
        memory = Math.round(memory);
        addSample(u.cpu, cpu);
        addSample(u.memory, memory);
        u.cpu.max = Math.max(u.cpu.max, cpu);
        u.memory.max = Math.max(u.memory.max, memory);
        u.samples++;
        row.samples++;
        row.cpuPeak = Math.max(row.cpuPeak, cpu);
        row.memoryPeak = Math.max(row.memoryPeak, memory);
        if (cpu < IDLE_CPU) row.idleSamples++;
        if (u.throttling) {
          const periods = Math.round(sim.intervalSeconds * 10);
          u.throttling.periods += periods;
          u.throttling.throttledPeriods += Math.round(periods * s.throttled!);
        }
        if (task === 0 && s.oomAt?.includes(tick)) {
          u.oomKills++;
          u.restarts++;
          u.oomPeaks.push(memory);
        }
      }
    }
    u.daily = [...days.values()];
    services[s.stack ? `${s.stack}/${s.service}` : s.service] = u;
  }
  const recordings: Recording[] = windows.map(([a, b]) => ({
    start: new Date(at(a)).toISOString(),
    end: new Date(at(b - 1)).toISOString(),
    intervalSeconds: sim.intervalSeconds,
    ticks: b - a,
    contexts: ['default'],
    stack: sim.services[0]?.stack ?? null,
    ended: 'duration',
  }));
  return {
    format: USAGE_PROFILE_FORMAT,
    generator: 'stackopt 0.1.0',
    createdAt: recordings[0]!.start,
    updatedAt: recordings[recordings.length - 1]!.end,
    recordings,
    services,
  };
}

/** A daily cycle between `low` and `high` (busiest at 14:00), with ±`noise` relative noise. */
function daily(low: number, high: number, noise: number): (hour: number, rnd: () => number) => number {
  return (hour, rnd) => {
    const cycle = (1 + Math.cos(((hour - 14) / 24) * 2 * Math.PI)) / 2;
    return (low + (high - low) * cycle) * (1 + noise * (rnd() * 2 - 1));
  };
}

const web: Shape = (h, r) => ({ cpu: daily(0.04, 0.35, 0.3)(h, r), memory: daily(300 * MiB, 400 * MiB, 0.03)(h, r) });
const db: Shape = (h, r) => ({ cpu: daily(0.08, 0.5, 0.4)(h, r), memory: daily(1400 * MiB, 1750 * MiB, 0.02)(h, r) });
const cache: Shape = (h, r) => ({ cpu: daily(0.012, 0.05, 0.3)(h, r), memory: daily(60 * MiB, 78 * MiB, 0.02)(h, r) });
/** idle but for a report run from 02:00 to 02:30 every night */
const reporter: Shape = (h, r) => (h >= 2 && h < 2.5 ? { cpu: 0.3 + 0.2 * r(), memory: 180 * MiB + 20 * MiB * r() } : { cpu: 0.001 + 0.004 * r(), memory: 42 * MiB + 2 * MiB * r() });

/** The profiles of fixtures/usage/sizing/, by file name. */
export function fixtureProfiles(): Record<string, UsageProfile> {
  const week = 7 * 24 * 120; // 30-second ticks
  return {
    // a week of a shop: a busy backend (2 tasks), a database, a cache, a nightly reporter idle the rest of the day
    'long.json': simulate({
      start: '2026-11-23T00:00:00.000Z',
      intervalSeconds: 30,
      ticks: week,
      recordings: [
        [0, week / 2],
        [week / 2, week],
      ],
      seed: 1,
      services: [
        { stack: 'shop', service: 'web', tasks: 2, shape: web, limits: { cpus: 1, memory: 1024 * MiB }, throttled: 0.002 },
        { stack: 'shop', service: 'db', tasks: 1, shape: db },
        { stack: 'shop', service: 'cache', tasks: 1, shape: cache, limits: { cpus: 0.5, memory: 4096 * MiB } },
        { stack: 'shop', service: 'reporter', tasks: 1, shape: reporter },
      ],
    }),
    // 40 minutes at 10-second ticks: too little history for a recommendation unless --min-history lowers the minimum
    'short.json': simulate({
      start: '2026-11-30T09:00:00.000Z',
      intervalSeconds: 10,
      ticks: 240,
      seed: 2,
      services: [
        { stack: 'shop', service: 'web', tasks: 1, shape: web },
        { stack: 'shop', service: 'db', tasks: 1, shape: db },
      ],
    }),
    // two days of a worker that grows until its 256M limit kills it, three times
    'oom.json': simulate({
      start: '2026-11-28T00:00:00.000Z',
      intervalSeconds: 30,
      ticks: 2 * 24 * 120,
      seed: 3,
      services: [
        {
          stack: 'shop',
          service: 'worker',
          tasks: 1,
          limits: { cpus: 1, memory: 256 * MiB },
          oomAt: [1900, 3700, 5200],
          // memory grows by about 1 MiB a minute from 120 MiB after each restart, up to the limit
          shape: (h, r, tick) => {
            const since = tick - ([0, 1901, 3701, 5201].filter((t) => t <= tick).pop() ?? 0);
            return { cpu: 0.05 + 0.1 * r(), memory: 120 * MiB + since * 0.5 * MiB + MiB * r() };
          },
        },
        { stack: 'shop', service: 'web', tasks: 1, shape: web, limits: { cpus: 1, memory: 1024 * MiB } },
      ],
    }),
    // a day of an API held back by its 0.5 CPU limit: it would use 0.8, so 60% of its periods are throttled
    'throttled.json': simulate({
      start: '2026-11-29T00:00:00.000Z',
      intervalSeconds: 30,
      ticks: 24 * 120,
      seed: 4,
      services: [{ stack: 'shop', service: 'api', tasks: 1, shape: (h, r) => ({ cpu: 0.8 * (0.9 + 0.2 * r()), memory: 220 * MiB + 10 * MiB * r() }), limits: { cpus: 0.5, memory: 512 * MiB }, throttled: 0.6 }],
    }),
    // three nightly recordings of 8 hours; "legacy" ran in the first two only (it was removed)
    'disappeared.json': simulate({
      start: '2026-11-27T00:00:00.000Z',
      intervalSeconds: 60,
      ticks: 3 * 24 * 60,
      recordings: [
        [0, 480],
        [1440, 1920],
        [2880, 3360],
      ],
      seed: 5,
      services: [
        { stack: 'shop', service: 'web', tasks: 1, shape: web },
        { stack: 'shop', service: 'legacy', tasks: 1, shape: web, ticks: [0, 1920] },
      ],
    }),
    // two days: a report generator idle but for its nightly run, an admin UI nobody opened, a busy api
    'idle.json': simulate({
      start: '2026-11-28T00:00:00.000Z',
      intervalSeconds: 30,
      ticks: 2 * 24 * 120,
      seed: 6,
      services: [
        { stack: 'shop', service: 'reporter', tasks: 1, shape: reporter },
        { stack: 'shop', service: 'admin', tasks: 1, shape: (h, r) => ({ cpu: 0.002 * r(), memory: 90 * MiB }) },
        { stack: 'shop', service: 'api', tasks: 1, shape: web },
        { stack: 'shop', service: 'db', tasks: 1, shape: (h, r) => ({ cpu: 0.003 * r(), memory: 300 * MiB }) },
      ],
    }),
  };
}

/** A committed profile of fixtures/usage/sizing/ as `--usage` gives it to the rules. */
export function fixtureUsage(name: string, extra: Partial<Omit<UsageInput, 'profile'>> = {}): UsageInput {
  const path = join(USAGE_FIXTURES, name);
  return { profile: parseUsageProfile(readFileSync(path, 'utf8'), name), file: name, stack: null, ...extra };
}

export const USAGE_FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'usage', 'sizing');
