import {
  addSample,
  CPU_HISTOGRAM,
  IDLE_CPU,
  type DailyUsage,
  emptyHistogram,
  MEMORY_HISTOGRAM,
  USAGE_PROFILE_FORMAT,
  type ServiceUsage,
  type UsageProfile,
} from '../../src/model/usage-profile.js';

/** One service's samples for `profileOf`: CPU in cores and memory in bytes, one pair per sample. */
export interface SampledService {
  stack?: string | null;
  cpu: number[];
  memory: number[];
  /** seconds between samples (default 30) */
  interval?: number;
}

/**
 * A usage profile built from samples with the model's own histogram code, as `stackopt usage
 * record` adds them: for tests and the worked example, where the figures must be known exactly.
 */
export function profileOf(services: Record<string, SampledService>, start = '2026-11-30T00:00:00.000Z', generator = 'stackopt test'): UsageProfile {
  const out: Record<string, ServiceUsage> = {};
  let end = start;
  for (const [name, s] of Object.entries(services)) {
    const cpu = { ...emptyHistogram(CPU_HISTOGRAM), max: 0 };
    const memory = { ...emptyHistogram(MEMORY_HISTOGRAM), max: 0 };
    const daily: DailyUsage[] = [];
    const step = (s.interval ?? 30) * 1000;
    for (let i = 0; i < s.cpu.length; i++) {
      addSample(cpu, s.cpu[i]!);
      addSample(memory, s.memory[i]!);
      cpu.max = Math.max(cpu.max, s.cpu[i]!);
      memory.max = Math.max(memory.max, s.memory[i]!);
      const day = new Date(Date.parse(start) + i * step).toISOString().slice(0, 10);
      let row = daily[daily.length - 1];
      if (row?.day !== day) daily.push((row = { day, samples: 0, cpuPeak: 0, memoryPeak: 0, idleSamples: 0 }));
      row.samples++;
      row.cpuPeak = Math.max(row.cpuPeak, s.cpu[i]!);
      row.memoryPeak = Math.max(row.memoryPeak, s.memory[i]!);
      if (s.cpu[i]! < IDLE_CPU) row.idleSamples++;
    }
    const last = new Date(Date.parse(start) + (s.cpu.length - 1) * step).toISOString();
    if (last > end) end = last;
    const stack = s.stack ?? null;
    out[stack ? `${stack}/${name}` : name] = {
      stack,
      service: name,
      kind: 'swarm',
      firstSeen: start,
      lastSeen: last,
      samples: s.cpu.length,
      cpu,
      memory,
      pidsMax: 10,
      throttling: null,
      oomKills: 0,
      oomPeaks: [],
      restarts: 0,
      limits: { cpus: null, memory: null },
      tasksMax: 1,
      daily,
    };
  }
  return {
    format: USAGE_PROFILE_FORMAT,
    generator,
    createdAt: start,
    updatedAt: end,
    recordings: [{ start, end, intervalSeconds: Math.max(...Object.values(services).map((s) => s.interval ?? 30)), ticks: Math.max(0, ...Object.values(services).map((s) => s.cpu.length)), contexts: ['default'], stack: null, ended: 'duration' }],
    services: out,
  };
}

/** n values cycling through a pattern (a day's shape repeated). */
export function cycle(pattern: readonly number[], n: number): number[] {
  return Array.from({ length: n }, (_, i) => pattern[i % pattern.length]!);
}
