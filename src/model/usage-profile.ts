/**
 * A usage profile: what the services of a stack or compose project used while they ran, recorded
 * through the docker CLI (`stackopt usage record`) and read by sizing (`fix --usage`), the
 * usage-aware rules (`lint --usage`) and the resource ledger (`stackopt resources --usage`).
 *
 * The document stays bounded however long the recording: per service it keeps sparse histograms
 * (exponential buckets, as the Kubernetes VPA recommender keeps them) and one row per day, never
 * the samples themselves. Recording again into the same file adds to it.
 */

/** The `format` of a profile document; a reader refuses any other. */
export const USAGE_PROFILE_FORMAT = 'stackopt-usage/1';

/**
 * Exponential histogram: bucket i holds values in [start·ratio^(i-1), start·ratio^i) for i ≥ 1,
 * bucket 0 holds values below `start`. Counts are kept sparse: `counts[String(i)]`.
 */
export interface Histogram {
  /** the upper bound of bucket 0 (cores for CPU, bytes for memory) */
  start: number;
  /** each bucket's upper bound is this many times the previous one's */
  ratio: number;
  /** bucket index → number of samples */
  counts: Record<string, number>;
  /** samples in all (the sum of counts) */
  total: number;
}

/** CPU histogram: 0.001 cores, 5% wide buckets (about 280 buckets up to 1,000 cores). */
export const CPU_HISTOGRAM = Object.freeze({ start: 0.001, ratio: 1.05 });
/** Memory histogram: 1 MiB, 5% wide buckets (about 430 buckets up to 1 TiB). */
export const MEMORY_HISTOGRAM = Object.freeze({ start: 1024 * 1024, ratio: 1.05 });

export function emptyHistogram(shape: { start: number; ratio: number }): Histogram {
  return { start: shape.start, ratio: shape.ratio, counts: {}, total: 0 };
}

export function bucketOf(h: Pick<Histogram, 'start' | 'ratio'>, value: number): number {
  if (!(value >= h.start)) return 0;
  return 1 + Math.floor(Math.log(value / h.start) / Math.log(h.ratio));
}

/** The upper bound of bucket i: a value that no sample of that bucket exceeds. */
export function bucketUpper(h: Pick<Histogram, 'start' | 'ratio'>, i: number): number {
  return h.start * h.ratio ** i;
}

export function addSample(h: Histogram, value: number, weight = 1): void {
  const key = String(bucketOf(h, value));
  h.counts[key] = (h.counts[key] ?? 0) + weight;
  h.total += weight;
}

/** Adds b's counts to a (same start and ratio, else an Error). */
export function mergeHistogram(a: Histogram, b: Histogram): void {
  if (a.start !== b.start || a.ratio !== b.ratio) throw new Error('histograms of different shapes');
  for (const [k, n] of Object.entries(b.counts)) a.counts[k] = (a.counts[k] ?? 0) + n;
  a.total += b.total;
}

/**
 * The q-quantile (0 < q ≤ 1) as the upper bound of the bucket that holds it: never below the true
 * quantile, at most `ratio` times above it. null for an empty histogram.
 */
export function quantile(h: Histogram, q: number): number | null {
  if (h.total <= 0) return null;
  const keys = Object.keys(h.counts)
    .map(Number)
    .sort((x, y) => x - y);
  const need = q * h.total;
  let seen = 0;
  for (const k of keys) {
    seen += h.counts[String(k)]!;
    if (seen >= need) return bucketUpper(h, k);
  }
  return bucketUpper(h, keys[keys.length - 1]!);
}

/** One day (UTC) of one service. */
export interface DailyUsage {
  /** `YYYY-MM-DD`, UTC */
  day: string;
  samples: number;
  /** the highest CPU seen that day, cores */
  cpuPeak: number;
  /** the highest memory working set seen that day, bytes */
  memoryPeak: number;
  /** samples with CPU under the idle threshold (`IDLE_CPU`) */
  idleSamples: number;
}

/** A sample under this many cores counts as idle (1% of a core). */
export const IDLE_CPU = 0.01;

/** What one service used. Figures are per task (container), not summed over replicas. */
export interface ServiceUsage {
  /** swarm stack namespace or compose project, when known */
  stack: string | null;
  /** the service name within its stack (`web`, not `shop_web`) */
  service: string;
  /** where it ran */
  kind: 'swarm' | 'compose';
  /** ISO 8601 times of the first and last sample */
  firstSeen: string;
  lastSeen: string;
  /** task samples in all (one per container per tick) */
  samples: number;
  /** CPU in cores */
  cpu: Histogram & { max: number };
  /** memory working set in bytes: usage minus inactive file pages, as `docker stats` shows it */
  memory: Histogram & { max: number };
  /** the most processes seen in one container */
  pidsMax: number;
  /** CFS periods and throttled periods summed over the samples that report them (null: never reported) */
  throttling: { periods: number; throttledPeriods: number } | null;
  /** containers ended by the kernel's OOM killer (State.OOMKilled or an `oom` event) */
  oomKills: number;
  /** the peak working set before each OOM kill that was seen, bytes (the most recent last, at most 20) */
  oomPeaks: number[];
  /** container restarts or task replacements seen */
  restarts: number;
  /** the limits the containers ran with at the last sample (null: none) */
  limits: { cpus: number | null; memory: number | null };
  /** the largest number of tasks seen running at one tick */
  tasksMax: number;
  /** one row per UTC day, oldest first, at most 400 */
  daily: DailyUsage[];
}

/** One recording session that added to the profile. */
export interface Recording {
  start: string;
  end: string;
  intervalSeconds: number;
  /** ticks taken */
  ticks: number;
  /** docker contexts sampled (`default` when none was named) */
  contexts: string[];
  /** the --stack filter, if any */
  stack: string | null;
  /** how the recording ended */
  ended: 'duration' | 'interrupted' | 'error';
}

export interface UsageProfile {
  format: typeof USAGE_PROFILE_FORMAT;
  /** the stackopt version that last wrote it */
  generator: string;
  createdAt: string;
  updatedAt: string;
  /** at most 1,000, the oldest dropped first */
  recordings: Recording[];
  /** keyed by `stack/service` (or `service` when no stack is known) */
  services: Record<string, ServiceUsage>;
}

export function serviceKey(stack: string | null, service: string): string {
  return stack ? `${stack}/${service}` : service;
}

/**
 * The usage of a service of the linted file: by `stack/service` when the stack name is known, else
 * by service name alone when exactly one profile entry has that name.
 */
export function usageFor(profile: UsageProfile, service: string, stack?: string | null): ServiceUsage | null {
  if (stack) {
    const exact = profile.services[serviceKey(stack, service)];
    if (exact) return exact;
  }
  const byName = entriesNamed(profile, service);
  return byName.length === 1 ? byName[0]! : null;
}

/** The profile's entries by service name, made once per profile: a lookup per service of the file, not a scan. */
const byServiceName = new WeakMap<UsageProfile['services'], Map<string, ServiceUsage[]>>();

/** The profile entries of every stack that have the service name `service`. */
export function entriesNamed(profile: UsageProfile, service: string): readonly ServiceUsage[] {
  let index = byServiceName.get(profile.services);
  if (!index) {
    index = new Map();
    for (const s of Object.values(profile.services)) {
      const list = index.get(s.service);
      if (list) list.push(s);
      else index.set(s.service, [s]);
    }
    byServiceName.set(profile.services, index);
  }
  return index.get(service) ?? [];
}

/** Seconds between a service's first and last sample. */
export function observedSeconds(u: ServiceUsage): number {
  const s = (Date.parse(u.lastSeen) - Date.parse(u.firstSeen)) / 1000;
  return Number.isFinite(s) && s > 0 ? s : 0;
}
