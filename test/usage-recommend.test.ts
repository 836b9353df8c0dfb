import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  confidenceDays,
  historyShortfall,
  idleShare,
  minSamplesFor,
  recommendFromUsage,
  roundCpusUp,
  roundMemoryUp,
  wideningFor,
  type RecommendContext,
  type UsageRecommendation,
} from '../src/model/usage-recommend.js';
import type { ServiceUsage } from '../src/model/usage-profile.js';
import { fixtureProfiles, fixtureUsage, USAGE_FIXTURES } from './helpers/usage-fixtures.js';

const MiB = 1024 ** 2;
const ctx: RecommendContext = { preset: 'default', priority: 'normal' };

function rec(file: string, service: string, c: Partial<RecommendContext> = {}): UsageRecommendation {
  const input = fixtureUsage(file);
  const r = recommendFromUsage(input.profile.services[`shop/${service}`]!, { ...ctx, ...c });
  if (!r.ok) throw new Error(r.reason);
  return r;
}

describe('fixtures/usage/sizing', () => {
  it('the committed profiles are what the simulation builds (UPDATE_FIXTURES=1 rewrites them)', () => {
    for (const [name, profile] of Object.entries(fixtureProfiles())) {
      const text = `${JSON.stringify(profile, null, 2)}\n`;
      const path = join(USAGE_FIXTURES, name);
      if (process.env.UPDATE_FIXTURES) writeFileSync(path, text);
      expect(readFileSync(path, 'utf8'), name).toBe(text);
    }
  });
});

describe('the formula on recorded profiles', () => {
  it('a week of history: memory limit = peak + 20% (+1.4% for a week), rounded up; CPU from p99 and p95', () => {
    const r = rec('long.json', 'web');
    expect(r.observed.samples).toBe(40_320);
    expect(r.observed.memoryPeak).toBeGreaterThan(400 * MiB);
    expect(r.limits.memory).toEqual({ value: 512 * MiB, evidence: 'peak 412Mi over 7d (40,320 samples), +21%' });
    // the limit is within a rounding step of peak × 1.214
    expect(r.limits.memory.value).toBeGreaterThanOrEqual(r.observed.memoryPeak * 1.214);
    expect(r.limits.memory.value).toBeLessThanOrEqual(r.observed.memoryPeak * 1.214 * 1.0625);
    expect(r.limits.cpus).toEqual({ value: 0.55, evidence: 'p99 0.445 CPU over 7d (40,320 samples), +21%' });
    expect(r.reservations.cpus).toEqual({ value: 0.45, evidence: 'p95 0.404 CPU over 7d (40,320 samples)' });
    expect(r.reservations.memory).toEqual({ value: 416 * MiB, evidence: 'p90 of 7 daily peaks 412Mi' });
    expect(r.notes).toEqual([]);
  });

  it('above 1 GiB the headroom is 10% of what is above: a 1.8 GiB peak gets +17% in all', () => {
    const r = rec('long.json', 'db');
    expect(r.limits.memory.evidence).toBe('peak 1.8Gi over 7d (20,160 samples), +17%');
    const peak = r.observed.memoryPeak;
    const expected = peak + 0.2 * 1024 * MiB + 0.1 * (peak - 1024 * MiB) + wideningFor(7) * peak;
    expect(r.limits.memory.value).toBeGreaterThanOrEqual(expected);
    expect(r.limits.memory.value).toBe(roundMemoryUp(expected));
  });

  it('memory reservation by priority: critical = the limit, normal = p90 of daily peaks, sleepable = none', () => {
    const critical = rec('long.json', 'db', { priority: 'critical', priorityReason: 'a database' });
    expect(critical.reservations.memory).toEqual({ value: critical.limits.memory.value, evidence: '= limit (critical: a database)' });
    const normal = rec('long.json', 'db');
    expect(normal.reservations.memory!.value).toBeLessThan(normal.limits.memory.value);
    expect(rec('long.json', 'db', { priority: 'sleepable' }).reservations.memory).toBeNull();
  });

  it('a nightly job: the CPU limit covers its run (p99), the reservation its idle rest (p95)', () => {
    const r = rec('long.json', 'reporter');
    expect(r.reservations.cpus.value).toBe(0.01);
    expect(r.limits.cpus.value).toBeGreaterThanOrEqual(0.5);
    expect(idleShare(fixtureUsage('long.json').profile.services['shop/reporter']!)).toBeGreaterThan(0.95);
  });

  it('presets are target utilisations: edge < small < default < large', () => {
    const limits = (['edge', 'small', 'default', 'large'] as const).map((preset) => rec('long.json', 'web', { preset }).limits.memory.value / MiB);
    expect(limits).toEqual([464, 480, 512, 544]);
    const cpus = (['edge', 'small', 'default', 'large'] as const).map((preset) => rec('long.json', 'web', { preset }).limits.cpus.value);
    expect(cpus).toEqual([0.5, 0.55, 0.55, 0.6]);
  });

  it('short history (40 minutes): refused with the reason; --min-history lowers the minimum and the recommendation widens', () => {
    const u = fixtureUsage('short.json').profile.services['shop/web']!;
    expect(historyShortfall(u)).toBe('40m of history (240 samples) for "web" is less than the 3h and 100 samples needed (--min-history lowers it)');
    expect(recommendFromUsage(u, ctx)).toEqual({ ok: false, reason: historyShortfall(u) });
    const r = recommendFromUsage(u, { ...ctx, minHistorySeconds: 30 * 60 });
    expect(r.ok).toBe(true);
    const ok = r as UsageRecommendation;
    expect(ok.widening).toBe(0.2);
    expect(ok.limits.memory.evidence).toMatch(/^peak \d+Mi over 40m \(240 samples\), \+40% \(short history\)$/);
    // at most 1.4 times the peak before rounding, at most 6.25% more after it
    expect(ok.limits.memory.value / ok.observed.memoryPeak).toBeGreaterThan(1.4);
    expect(ok.limits.memory.value / ok.observed.memoryPeak).toBeLessThanOrEqual(1.4 * 1.0625);
  });

  it('OOM kills raise the limit as the VPA recommender does: max(peak + 100 MiB, peak × 1.2) of the peak before the kill, plus headroom', () => {
    const r = rec('oom.json', 'worker');
    expect(r.observed.oomKills).toBe(3);
    // 256 MiB before the kill: +100 MiB = 356 MiB; +25% (20% and 5% for two days) = 445 → 448
    expect(r.limits.memory).toEqual({ value: 448 * MiB, evidence: '3 OOM kills at 256Mi: needs 356Mi, +25% (short history) over 48h (5,760 samples)' });
    expect(r.limits.memory.value).toBeGreaterThan(256 * MiB);
    expect(r.reservations.memory).toEqual({ value: 368 * MiB, evidence: '3 OOM kills at 256Mi: needs 356Mi' });
    // a large peak: × 1.2 is the larger bump
    const big: ServiceUsage = { ...fixtureUsage('oom.json').profile.services['shop/worker']!, oomPeaks: [2048 * MiB] };
    const b = recommendFromUsage(big, ctx) as UsageRecommendation;
    expect(b.limits.memory.evidence).toMatch(/^3 OOM kills at 2Gi: needs 2\.4Gi, /);
  });

  it('high throttling raises the CPU limit above the one it ran with', () => {
    const r = rec('throttled.json', 'api');
    expect(r.observed.throttled).toBeCloseTo(0.6, 5);
    expect(r.limits.cpus).toEqual({ value: 0.8, evidence: 'throttled in 60% of CPU periods at 0.5 CPU over 24h (2,880 samples): ×1.6' });
    // the reservation is near the cap it was held at
    expect(r.reservations.cpus.value).toBeGreaterThanOrEqual(0.5);
    expect(r.reservations.cpus.value).toBeLessThanOrEqual(0.55);
    // light throttling changes nothing
    const light = rec('long.json', 'web');
    expect(light.observed.throttled).toBeLessThan(0.01);
    expect(light.limits.cpus.evidence).toMatch(/^p99 /);
  });

  it('a service that disappeared is still sized from its history, with a note', () => {
    const input = fixtureUsage('disappeared.json');
    const last = input.profile.recordings[input.profile.recordings.length - 1]!.start;
    const r = recommendFromUsage(input.profile.services['shop/legacy']!, { ...ctx, lastRecordingStart: last }) as UsageRecommendation;
    expect(r.ok).toBe(true);
    expect(r.notes).toEqual(['not seen in the last recording (last seen 2026-11-28)']);
    const web = recommendFromUsage(input.profile.services['shop/web']!, { ...ctx, lastRecordingStart: last }) as UsageRecommendation;
    expect(web.notes).toEqual([]);
    // three nights of 8 hours: a day of confidence, not the 2.3 days between first and last sample
    expect(confidenceDays(input.profile.services['shop/web']!)).toBeCloseTo(1, 5);
    expect(web.window).toBe('over 2.3d (1,440 samples)');
  });

  it('an idle service: the floors (0.1 CPU limit, 0.01 CPU reservation) and at least 16 MiB of headroom', () => {
    const r = rec('idle.json', 'admin');
    expect(r.limits.cpus.value).toBe(0.1);
    expect(r.reservations.cpus.value).toBe(0.01);
    expect(r.limits.memory.value).toBeGreaterThanOrEqual(r.observed.memoryPeak + 16 * MiB);
  });
});

describe('the pieces', () => {
  it('confidence: the smaller of the days spanned and the samples at one a minute', () => {
    expect(confidenceDays({ firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-08T00:00:00Z', samples: 7 * 1440 })).toBe(7);
    expect(confidenceDays({ firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-08T00:00:00Z', samples: 720 })).toBe(0.5);
    expect(wideningFor(7)).toBeCloseTo(0.0143, 4);
    expect(wideningFor(1)).toBe(0.1);
    expect(wideningFor(0.25)).toBe(0.2);
    expect(wideningFor(0)).toBe(0.2);
  });

  it('the minimum of samples follows the minimum history (krr: 100 for 3 hours), never under 3', () => {
    expect(minSamplesFor(3 * 3600)).toBe(100);
    expect(minSamplesFor(24 * 3600)).toBe(100);
    expect(minSamplesFor(3600)).toBe(34);
    expect(minSamplesFor(30)).toBe(3);
  });

  it('rounding up: memory to a sixteenth of the power of two below, CPUs to readable steps', () => {
    expect(roundMemoryUp(412 * MiB)).toBe(416 * MiB);
    expect(roundMemoryUp(500.5 * MiB)).toBe(512 * MiB);
    expect(roundMemoryUp(1100 * MiB)).toBe(1152 * MiB);
    expect(roundMemoryUp(10 * MiB + 1)).toBe(11 * MiB);
    expect(roundMemoryUp(64 * MiB)).toBe(64 * MiB);
    expect(roundCpusUp(0.0123)).toBe(0.02);
    expect(roundCpusUp(0.412)).toBe(0.45);
    expect(roundCpusUp(0.45)).toBe(0.45);
    expect(roundCpusUp(1.3)).toBe(1.5);
    expect(roundCpusUp(5.1)).toBe(5.5);
  });
});
