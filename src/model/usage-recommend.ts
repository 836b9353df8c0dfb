/**
 * Resource recommendations from what a service used (a `ServiceUsage` of a usage profile): the
 * formula `stackopt fix --usage`, the usage findings of `resource-limits` and the resource ledger
 * share. Pure: no clock, no files. docs/usage-sizing.md states the formula and its reasons.
 *
 * In short, per task (container):
 * - memory limit: the peak working set (raised after an OOM kill to max(used + 100 MiB, used × 1.2)
 *   of the peak before the kill, as the Kubernetes VPA recommender does), plus headroom (the
 *   preset's, e.g. 20% of the first GiB and 10% of the rest, at least 16 MiB), plus a widening for
 *   short history, at least 32 MiB, rounded up to a sixteenth of a power of two;
 * - memory reservation by priority: critical = the limit, normal = the 90th percentile of the daily
 *   peaks, sleepable = none;
 * - CPU reservation: the 95th percentile; CPU limit: the 99th percentile plus headroom (and the
 *   widening), at least half of the highest CPU seen and 0.1, raised when throttling was high.
 */
import { child, scalarValue } from './access.js';
import type { Stack } from './types.js';
import { MAX_DOCKER_BYTES, MAX_DOCKER_CPUS } from './units.js';
import { entriesNamed, IDLE_CPU, observedSeconds, quantile, serviceKey, usageFor, type ServiceUsage, type UsageProfile } from './usage-profile.js';
import type { PresetName } from './sizing.js';
import type { SizingPriority } from './service-priority.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** krr's minimum: a recommendation needs at least 3 hours and 100 samples of history. */
export const MIN_HISTORY_SECONDS = 3 * 3600;
export const MIN_HISTORY_SAMPLES = 100;
/** However low `--min-history` goes, a few samples are needed. */
const MIN_SAMPLES_FLOOR = 3;

/** The floors: no memory limit under 32 MiB, no CPU limit under 0.1 CPU, no CPU reservation under 0.01. */
export const MEMORY_LIMIT_FLOOR = 32 * MiB;
export const MEMORY_HEADROOM_FLOOR = 16 * MiB;
export const CPU_LIMIT_FLOOR = 0.1;
export const CPU_RESERVATION_FLOOR = 0.01;

/** After an OOM kill the peak before it is raised to max(peak + 100 MiB, peak × 1.2) (VPA's OOM bump). */
export const OOM_BUMP_BYTES = 100 * MiB;
export const OOM_BUMP_RATIO = 1.2;

/** Throttled periods above this share of all periods count as high (the limit held the service back). */
export const THROTTLING_HIGH = 0.1;
/** A service is idle in a sample under IDLE_CPU; it is a sleep candidate when idle in this share of the samples. */
export const IDLE_SHARE = 0.9;

/** Percentiles the formula reads. */
export const CPU_RESERVATION_PERCENTILE = 0.95;
export const CPU_LIMIT_PERCENTILE = 0.99;
export const DAILY_PEAK_PERCENTILE = 0.9;

/**
 * What a preset aims at: the headroom above what was used, as fractions. Memory headroom is
 * `memory` of the first GiB and `memoryAbove` of the rest (as income tax brackets work, so that a
 * larger peak never gets a smaller limit); the target utilisation is 1 / (1 + headroom).
 */
export interface UsageTargets {
  memory: number;
  memoryAbove: number;
  cpu: number;
}

/** Per preset: edge is a development machine, large a production cluster that pages someone. */
export const USAGE_TARGETS: Readonly<Record<PresetName, Readonly<UsageTargets>>> = Object.freeze({
  edge: { memory: 0.1, memoryAbove: 0.05, cpu: 0.1 },
  small: { memory: 0.15, memoryAbove: 0.075, cpu: 0.15 },
  default: { memory: 0.2, memoryAbove: 0.1, cpu: 0.2 },
  large: { memory: 0.3, memoryAbove: 0.15, cpu: 0.3 },
});

/** The widening for short history: 0.1 / (days of confidence), at most 0.2 (see `confidenceDays`). */
export const CONFIDENCE_WIDENING = 0.1;
export const CONFIDENCE_WIDENING_MAX = 0.2;

export interface RecommendContext {
  preset: PresetName;
  priority: SizingPriority;
  /** why the service has that priority (for the evidence) */
  priorityReason?: string;
  /** the minimum history in seconds (default MIN_HISTORY_SECONDS; `--min-history`) */
  minHistorySeconds?: number;
  /** when the last recording of the profile started (ISO 8601): a service not seen since is noted */
  lastRecordingStart?: string | null;
}

/** A value and why: `peak 412Mi over 7d (20,160 samples), +20%`. */
export interface Evidenced {
  value: number;
  evidence: string;
}

export interface UsageRecommendation {
  ok: true;
  limits: { cpus: Evidenced; memory: Evidenced };
  /** null: none (a sleepable service reserves no memory) */
  reservations: { cpus: Evidenced; memory: Evidenced | null };
  /** what was observed, for messages and the ledger */
  observed: {
    seconds: number;
    samples: number;
    memoryPeak: number;
    cpuP95: number;
    cpuP99: number;
    cpuMax: number;
    oomKills: number;
    /** throttled / periods, null when never reported */
    throttled: number | null;
  };
  /** 0.1 / days of confidence, capped: the extra headroom for short history */
  widening: number;
  /** `over 7d (20,160 samples)` */
  window: string;
  /** remarks: a service not seen in the last recording */
  notes: string[];
}

export interface UsageRefusal {
  ok: false;
  /** one line: why there is no recommendation (too little history, no samples) */
  reason: string;
}

/** The minimum number of samples for a minimum history: krr's 100 for 3 hours, in proportion below that. */
export function minSamplesFor(minHistorySeconds: number): number {
  const scaled = Math.ceil((MIN_HISTORY_SAMPLES * minHistorySeconds) / MIN_HISTORY_SECONDS);
  return Math.max(MIN_SAMPLES_FLOOR, Math.min(MIN_HISTORY_SAMPLES, scaled));
}

/**
 * How much history backs the figures, in days, as the VPA recommender measures it: the smaller of
 * the time between the first and last sample and the samples counted at one a minute. A week of
 * continuous recording is 7; an hour recorded each night for a week is 7 hours' worth, not 7 days.
 */
export function confidenceDays(u: Pick<ServiceUsage, 'firstSeen' | 'lastSeen' | 'samples'>): number {
  const span = observedSeconds(u as ServiceUsage) / 86400;
  return Math.min(span, u.samples / 1440);
}

/** The extra headroom for a history of `days`: 0.1 / days, at most 0.2 (a week: 1.4%, a day: 10%). */
export function wideningFor(days: number): number {
  if (!(days > 0)) return CONFIDENCE_WIDENING_MAX;
  return Math.min(CONFIDENCE_WIDENING_MAX, CONFIDENCE_WIDENING / days);
}

/** Round bytes up to a sixteenth of the power of two at or below them (at most 6.25% more), whole MiB. */
export function roundMemoryUp(bytes: number): number {
  const mib = Math.max(1, bytes / MiB);
  const step = Math.max(1, 2 ** Math.floor(Math.log2(mib)) / 16);
  return Math.ceil(mib / step - 1e-9) * step * MiB;
}

/** Round CPUs up: to 0.01 under 0.1, 0.05 under 1, 0.25 under 4, else 0.5. */
export function roundCpusUp(cpus: number): number {
  const step = cpus < 0.1 ? 0.01 : cpus < 1 ? 0.05 : cpus < 4 ? 0.25 : 0.5;
  return Math.round(Math.ceil(cpus / step - 1e-9) * step * 1000) / 1000;
}

/** Whether the history is long enough; the reason when it is not. */
export function historyShortfall(u: ServiceUsage, minHistorySeconds = MIN_HISTORY_SECONDS): string | null {
  const seconds = observedSeconds(u);
  const minSamples = minSamplesFor(minHistorySeconds);
  if (u.samples <= 0 || u.memory.total <= 0 || u.cpu.total <= 0) return `the profile has no samples of "${u.service}"`;
  if (seconds < minHistorySeconds || u.samples < minSamples) {
    return `${formatWindow(seconds)} of history (${formatCount(u.samples)} samples) for "${u.service}" is less than the ${formatWindow(minHistorySeconds)} and ${formatCount(minSamples)} samples needed (--min-history lowers it)`;
  }
  return null;
}

/**
 * Why a service's usage gives no limit docker holds, or null: a profile holds no more than docker
 * does (its schema), but headroom, the OOM bump and rounding add to it. Judged with the largest
 * headroom of any preset and history, so that every preset sizes the same services from usage:
 * a limit above MAX_DOCKER_BYTES or MAX_DOCKER_CPUS would overflow docker's int64.
 */
export function rangeShortfall(u: ServiceUsage): string | null {
  const base = Math.max(u.memory.max, oomNeed(u) ?? 0);
  const memory = memoryLimitFrom(base, USAGE_TARGETS.large, CONFIDENCE_WIDENING_MAX);
  if (memory > MAX_DOCKER_BYTES) return `a memory limit for "${u.service}" from its peak ${formatMi(base)} would be more than docker holds (an int64 of bytes, just under 8 EiB)`;
  const cpus = roundCpusUp(Math.max(u.cpu.max * (1 + USAGE_TARGETS.large.cpu + CONFIDENCE_WIDENING_MAX), (u.limits.cpus ?? u.cpu.max) * 2));
  if (cpus > MAX_DOCKER_CPUS) return `a CPU limit for "${u.service}" from its peak ${formatCpu(u.cpu.max)} CPU would be more than docker holds (${MAX_DOCKER_CPUS} CPUs: an int64 of billionths)`;
  return null;
}

/**
 * The memory limit for a peak (or an OOM-killed service's need): the peak, the preset's headroom
 * and the short-history widening, rounded up, at least MEMORY_LIMIT_FLOOR.
 */
function memoryLimitFrom(base: number, t: UsageTargets, widening: number): number {
  return Math.max(MEMORY_LIMIT_FLOOR, roundMemoryUp(base + memoryHeadroom(base, t) + widening * base));
}

/** The memory headroom a preset gives a peak: the bracketed fraction, at least 16 MiB. */
export function memoryHeadroom(peak: number, t: UsageTargets): number {
  const h = t.memory * Math.min(peak, GiB) + t.memoryAbove * Math.max(0, peak - GiB);
  return Math.max(MEMORY_HEADROOM_FLOOR, h);
}

/** What an OOM-killed service needed at least: the VPA bump of the largest peak before a kill. */
export function oomNeed(u: ServiceUsage): number | null {
  if (u.oomKills <= 0) return null;
  const peaks = u.oomPeaks.length > 0 ? u.oomPeaks : [u.limits.memory ?? u.memory.max];
  let need = 0;
  for (const p of peaks) need = Math.max(need, p + OOM_BUMP_BYTES, p * OOM_BUMP_RATIO);
  return need;
}

/** The share of samples under IDLE_CPU, from the daily rows (null without samples). */
export function idleShare(u: ServiceUsage): number | null {
  let samples = 0;
  let idle = 0;
  for (const d of u.daily) {
    samples += d.samples;
    idle += d.idleSamples;
  }
  return samples > 0 ? idle / samples : null;
}

/** The throttled share of CPU periods, null when never reported or no period was counted. */
export function throttledShare(u: ServiceUsage): number | null {
  const t = u.throttling;
  return t && t.periods > 0 ? Math.min(1, t.throttledPeriods / t.periods) : null;
}

/** The p-th percentile (nearest rank) of a list of numbers, null when empty. */
function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/**
 * The recommendation for one service from what it used, or why there is none (too little history).
 * Figures are per task, as the profile keeps them and as compose writes limits.
 */
export function recommendFromUsage(u: ServiceUsage, ctx: RecommendContext): UsageRecommendation | UsageRefusal {
  const minHistory = ctx.minHistorySeconds ?? MIN_HISTORY_SECONDS;
  const shortfall = historyShortfall(u, minHistory) ?? rangeShortfall(u);
  if (shortfall) return { ok: false, reason: shortfall };
  const t = USAGE_TARGETS[ctx.preset];
  const seconds = observedSeconds(u);
  const widening = wideningFor(confidenceDays(u));
  const window = `over ${formatWindow(seconds)} (${formatCount(u.samples)} samples)`;
  const short = widening >= 0.05 ? ' (short history)' : '';

  // memory limit
  const peak = u.memory.max;
  const need = oomNeed(u);
  const base = Math.max(peak, need ?? 0);
  const headroom = memoryHeadroom(base, t);
  const memoryLimit = memoryLimitFrom(base, t, widening);
  const shownHeadroom = `+${percent(headroom / Math.max(base, 1) + widening)}${short}`;
  const killedAt = u.oomPeaks.length > 0 ? u.oomPeaks.reduce((a, b) => Math.max(a, b), 0) : (u.limits.memory ?? peak);
  const oomText = need !== null ? `${u.oomKills} OOM ${u.oomKills === 1 ? 'kill' : 'kills'} at ${formatMi(killedAt)}: needs ${formatMi(need)}` : '';
  const memoryEvidence = need !== null && need > peak ? `${oomText}, ${shownHeadroom} ${window}` : `peak ${formatMi(peak)} ${window}, ${shownHeadroom}`;

  // memory reservation
  let memoryReservation: Evidenced | null = null;
  if (ctx.priority === 'critical') {
    memoryReservation = { value: memoryLimit, evidence: `= limit (critical: ${ctx.priorityReason ?? 'critical'})` };
  } else if (ctx.priority === 'normal') {
    const days = u.daily.map((d) => d.memoryPeak).filter((v) => v > 0);
    const daily = nearestRank(days, DAILY_PEAK_PERCENTILE) ?? peak;
    const want = Math.max(daily, need ?? 0);
    const value = Math.min(memoryLimit, roundMemoryUp(want));
    const what = days.length > 1 ? `p90 of ${days.length} daily peaks ${formatMi(daily)}` : `peak ${formatMi(daily)} (one day)`;
    memoryReservation = { value, evidence: need !== null && need > daily ? oomText : what };
  }

  // CPU
  // a quantile is the upper bound of its bucket: never above the highest sample itself
  const cpuMax = u.cpu.max;
  const p95 = Math.min(cpuMax, quantile(u.cpu, CPU_RESERVATION_PERCENTILE) ?? 0);
  const p99 = Math.min(cpuMax, quantile(u.cpu, CPU_LIMIT_PERCENTILE) ?? 0);
  const fromP99 = p99 * (1 + t.cpu + widening);
  const burst = cpuMax / 2;
  let cpuLimit = Math.max(CPU_LIMIT_FLOOR, fromP99, burst);
  let cpuEvidence =
    burst > fromP99 && burst > CPU_LIMIT_FLOOR
      ? `half the highest ${formatCpu(cpuMax)} CPU ${window} (start-up bursts; p99 ${formatCpu(p99)})`
      : `p99 ${formatCpu(p99)} CPU ${window}, +${percent(t.cpu + widening)}${short}`;
  const throttled = throttledShare(u);
  if (throttled !== null && throttled > THROTTLING_HIGH) {
    const ranWith = u.limits.cpus ?? cpuMax;
    const factor = Math.max(1.25, 1 + throttled);
    if (ranWith * factor > cpuLimit) {
      cpuLimit = ranWith * factor;
      cpuEvidence = `throttled in ${percent(throttled)} of CPU periods at ${formatCpu(ranWith)} CPU ${window}: ×${Math.round(factor * 100) / 100}`;
    }
  }
  cpuLimit = roundCpusUp(cpuLimit);
  const cpuReservation = Math.min(cpuLimit, roundCpusUp(Math.max(CPU_RESERVATION_FLOOR, p95)));

  const notes: string[] = [];
  if (ctx.lastRecordingStart && Date.parse(u.lastSeen) < Date.parse(ctx.lastRecordingStart)) {
    notes.push(`not seen in the last recording (last seen ${u.lastSeen.slice(0, 10)})`);
  }
  return {
    ok: true,
    limits: { cpus: { value: cpuLimit, evidence: cpuEvidence }, memory: { value: memoryLimit, evidence: memoryEvidence } },
    reservations: { cpus: { value: cpuReservation, evidence: `p95 ${formatCpu(p95)} CPU ${window}` }, memory: memoryReservation },
    observed: { seconds, samples: u.samples, memoryPeak: peak, cpuP95: p95, cpuP99: p99, cpuMax, oomKills: u.oomKills, throttled },
    widening,
    window,
    notes,
  };
}

/** How the services of a file are found in a profile. */
export interface UsageInput {
  profile: UsageProfile;
  /** the profile's path as the user wrote it (for messages) */
  file: string;
  /** the stack or compose project the services ran under (`--stack`); null: the file's `name:`, else the service name alone */
  stack: string | null;
  /** the minimum history in seconds (`--min-history`; default MIN_HISTORY_SECONDS) */
  minHistorySeconds?: number;
}

/**
 * The profile entry of a service of the file, or why there is none: by `stack/service` for the
 * stack `--stack` names (that one only); else by the file's `name:` and, failing that, by service
 * name when exactly one entry has it.
 */
export function findServiceUsage(input: UsageInput, service: string, fileStack: string | null): { usage: ServiceUsage } | { usage: null; reason: string } {
  const stack = input.stack ?? fileStack;
  // a stack the user named is the one meant; the file's name: may differ from the name it was deployed under
  const found = input.stack ? (input.profile.services[serviceKey(input.stack, service)] ?? null) : usageFor(input.profile, service, stack);
  if (found) return { usage: found };
  const named = entriesNamed(input.profile, service);
  if (named.length > 1) {
    const stacks = named.map((s) => s.stack ?? '(none)').sort();
    return { usage: null, reason: `${input.file} has "${service}" in ${stacks.length} stacks (${stacks.join(', ')}); name one with --stack` };
  }
  return { usage: null, reason: `${input.file} has no "${service}"${stack ? ` in stack "${stack}"` : ''}` };
}

/** The stack name the file gives itself (`name:`), which a profile's `stack/service` keys may use; null without one. */
export function fileStackName(stack: Stack): string | null {
  const name = scalarValue(child(stack.root, 'name'));
  return typeof name === 'string' && name !== '' ? name : null;
}

/** The start of the profile's last recording (a service not seen since then has gone), null without recordings. */
export function lastRecordingStart(profile: UsageProfile): string | null {
  let last: string | null = null;
  for (const r of profile.recordings) if (last === null || Date.parse(r.start) > Date.parse(last)) last = r.start;
  return last;
}

// ---------------------------------------------------------------------------------------------
// Wording

/** `412Mi`, `1.5Gi`: a size for people, rounded up to what the unit shows. */
export function formatMi(bytes: number): string {
  if (bytes >= 10 * GiB) return `${Math.ceil(bytes / GiB)}Gi`;
  if (bytes >= GiB) return `${Math.ceil((bytes / GiB) * 10) / 10}Gi`;
  return `${Math.ceil(bytes / MiB)}Mi`;
}

/** CPUs with at most three decimals. */
export function formatCpu(cpus: number): string {
  return String(Math.round(cpus * 1000) / 1000);
}

/** `7d`, `36h`, `45m`, `40s`: the largest unit that shows the window in at least 2 whole units (one decimal for days). */
export function formatWindow(seconds: number): string {
  if (seconds >= 2 * 86400) return `${Math.round((seconds / 86400) * 10) / 10}d`;
  if (seconds >= 2 * 3600) return `${Math.round((seconds / 3600) * 10) / 10}h`;
  if (seconds >= 120) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds)}s`;
}

/** `20,160`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `20%`, `1.4%`. */
export function percent(fraction: number): string {
  const p = fraction * 100;
  return `${p >= 10 ? Math.round(p) : Math.round(p * 10) / 10}%`;
}

/** The recording's idle threshold, for messages (`1%` of a CPU). */
export const IDLE_CPU_SHOWN = percent(IDLE_CPU);
