/**
 * Usage profiles on disk: every committed profile reads back; a bad, foreign or future file is one
 * line naming the file and what is wrong; appending merges histograms, daily rows and recordings
 * and keeps the document within its bounds.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quantile, type UsageProfile } from '../src/model/usage-profile.js';
import { mergeProfiles, parseUsageProfile, PROFILE_BOUNDS, readProfileToExtend, readUsageProfile, writeUsageProfile } from '../src/usage/profile-file.js';
import { repoRoot } from './helpers/cli.js';

const dir = join(repoRoot, 'fixtures', 'usage');
const tmp = mkdtempSync(join(tmpdir(), 'stackopt-usage-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const week = () => readUsageProfile(join(dir, 'week.json'));
const write = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const errorOf = (text: string) => {
  try {
    parseUsageProfile(text, 'u.json');
  } catch (e) {
    // the positions are checked in usage-profile-positions.test.ts
    return (e as Error).message.replace(/^u\.json:\d+:\d+: /, 'u.json:L:C: ');
  }
  throw new Error('no error');
};
const edited = (edit: (p: Record<string, any>) => void) => {
  const p = JSON.parse(readFileSync(join(dir, 'week.json'), 'utf8'));
  edit(p);
  return JSON.stringify(p);
};

describe('reading a usage profile', () => {
  it('reads every committed profile', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(expect.arrayContaining(['recorded-swarm.json', 'week.json', 'short-history.json', 'oom.json', 'throttled.json', 'disappeared.json']));
    for (const f of files) {
      const p = readUsageProfile(join(dir, f));
      expect(Object.keys(p.services).length, f).toBeGreaterThan(0);
    }
  });

  it('says which file cannot be read, and why', () => {
    expect(() => readUsageProfile(join(tmp, 'missing.json'))).toThrow(new RegExp(`^cannot read usage profile ${join(tmp, 'missing.json')}: no such file`));
    expect(readProfileToExtend(join(tmp, 'missing.json'))).toBeNull();
  });

  it('refuses what is not a profile, in one line', () => {
    expect(errorOf('{"format": "stackopt-usage/1",')).toBe('u.json:L:C: the usage profile is not valid JSON (it ends too early)');
    expect(errorOf('[1, 2]')).toBe('u.json:L:C: the usage profile must be a JSON object (a stackopt usage profile)');
    expect(errorOf('{"services": {"web": {"image": "nginx"}}}')).toBe('u.json:L:C: the usage profile has no "format"; expected "stackopt-usage/1" (record a profile with `stackopt usage record`)');
    const snapshot = readFileSync(join(repoRoot, 'fixtures', 'audit', 'single-node.json'), 'utf8');
    expect(errorOf(snapshot)).toBe('u.json:L:C: format is "stackopt-swarm-snapshot"; expected "stackopt-usage/1" (a profile of another version or another tool)');
    expect(errorOf('{"format": "stackopt-usage/2"}')).toBe('u.json:L:C: format is "stackopt-usage/2"; expected "stackopt-usage/1" (a profile of another version or another tool)');
  });

  it('names the field that breaks the schema', () => {
    expect(errorOf(edited((p) => (p.services['shop/web'].cpu.total = -1)))).toBe('u.json:L:C: services["shop/web"].cpu.total must be >= 0');
    expect(errorOf(edited((p) => delete p.services['shop/api'].daily))).toBe('u.json:L:C: services["shop/api"] has no "daily"');
    expect(errorOf(edited((p) => (p.services['shop/web'].colour = 'red')))).toBe('u.json:L:C: services["shop/web"] has an unknown key "colour"');
    expect(errorOf(edited((p) => (p.recordings[0].ended = 'crashed')))).toBe('u.json:L:C: recordings[0].ended must be one of "duration", "interrupted", "error"');
    expect(errorOf(edited((p) => (p.services['shop/web'].memory.ratio = 1.1)))).toBe('u.json:L:C: services["shop/web"].memory.ratio must be 1.05');
    expect(errorOf(edited((p) => (p.services['shop/web'].cpu.counts['x'] = 1)))).toBe('u.json:L:C: services["shop/web"].cpu.counts.x is not a bucket index (a whole number from 0 to 1000)');
    expect(errorOf(edited((p) => (p.recordings = Array.from({ length: 1001 }, () => p.recordings[0]))))).toBe('u.json:L:C: recordings must NOT have more than 1000 items');
  });

  it('refuses sizes and CPUs docker cannot hold: bytes within an int64, CPUs within its billionths of a CPU', () => {
    const bytes = 'is more bytes than docker holds: at most 9223372036854774784 (just under 8 EiB: docker holds a size in an int64)';
    const cpus = 'is more CPUs than docker holds: at most 9223372036.854 (docker holds CPUs in an int64 of billionths)';
    expect(errorOf(edited((p) => (p.services['shop/web'].memory.max = 1e308)))).toBe(`u.json:L:C: services["shop/web"].memory.max ${bytes}`);
    expect(errorOf(edited((p) => (p.services['shop/web'].daily[0].memoryPeak = 1e22)))).toBe(`u.json:L:C: services["shop/web"].daily[0].memoryPeak ${bytes}`);
    expect(errorOf(edited((p) => (p.services['shop/web'].oomPeaks = [2 ** 63])))).toBe(`u.json:L:C: services["shop/web"].oomPeaks[0] ${bytes}`);
    expect(errorOf(edited((p) => (p.services['shop/web'].limits.memory = 2 ** 63)))).toBe(`u.json:L:C: services["shop/web"].limits.memory ${bytes}`);
    expect(errorOf(edited((p) => (p.services['shop/web'].cpu.max = 1e10)))).toBe(`u.json:L:C: services["shop/web"].cpu.max ${cpus}`);
    expect(errorOf(edited((p) => (p.services['shop/web'].daily[0].cpuPeak = 1e10)))).toBe(`u.json:L:C: services["shop/web"].daily[0].cpuPeak ${cpus}`);
    expect(errorOf(edited((p) => (p.services['shop/web'].limits.cpus = 1e10)))).toBe(`u.json:L:C: services["shop/web"].limits.cpus ${cpus}`);
    // the largest of each is read
    expect(() =>
      parseUsageProfile(
        edited((p) => {
          p.services['shop/web'].memory.max = 2 ** 63 - 1024;
          p.services['shop/web'].cpu.max = 9223372036.854;
        }),
        'u.json',
      ),
    ).not.toThrow();
  });

  it('checks what the schema cannot: histogram totals, the order of days and times', () => {
    expect(errorOf(edited((p) => (p.services['shop/web'].cpu.total += 1)))).toMatch(/^u\.json:L:C: services\["shop\/web"\]\.cpu\.total is \d+ but its counts add up to \d+$/);
    expect(errorOf(edited((p) => p.services['shop/web'].daily.reverse()))).toBe('u.json:L:C: services["shop/web"].daily[1] (2026-11-07) does not follow 2026-11-08: one row per day, oldest first');
    expect(errorOf(edited((p) => (p.services['shop/web'].firstSeen = '2027-01-01T00:00:00.000Z')))).toMatch(/^u\.json:L:C: services\["shop\/web"\]\.firstSeen \(2027-01-01T00:00:00\.000Z\) is after lastSeen/);
  });

  it('will not overwrite a file that is not a profile', () => {
    const p = write('compose.yaml', 'services:\n  web:\n    image: nginx\n');
    expect(() => readProfileToExtend(p)).toThrow(`${p}:1:1: the usage profile is not valid JSON (unexpected "s") (refusing to overwrite it: name another file with -o)`);
  });
});

describe('appending to a usage profile', () => {
  it('adds histograms, samples and daily rows, concatenates recordings, and keeps limits of the newer', () => {
    const a = week();
    const b = week();
    b.recordings = b.recordings.map((r) => ({ ...r, start: r.start.replace('2026-11', '2026-12'), end: r.end.replace('2026-11', '2026-12') }));
    b.updatedAt = '2026-12-09T00:00:00.000Z';
    b.services['shop/web']!.limits = { cpus: 0.5, memory: 512 * 1024 * 1024 };
    b.services['shop/web']!.lastSeen = '2026-12-08T23:59:00.000Z';
    const m = mergeProfiles(a, b);
    const web = m.services['shop/web']!;
    const w = a.services['shop/web']!;
    expect(web.samples).toBe(2 * w.samples);
    expect(web.cpu.total).toBe(2 * w.cpu.total);
    expect(web.memory.max).toBe(w.memory.max);
    expect(quantile(web.memory, 0.95)).toBe(quantile(w.memory, 0.95));
    expect(web.daily).toHaveLength(w.daily.length);
    expect(web.daily[0]!.samples).toBe(2 * w.daily[0]!.samples);
    expect(web.limits).toEqual({ cpus: 0.5, memory: 512 * 1024 * 1024 });
    expect(web.lastSeen).toBe('2026-12-08T23:59:00.000Z');
    expect(m.recordings).toHaveLength(14);
    expect(m.updatedAt).toBe('2026-12-09T00:00:00.000Z');
    // the inputs are left as they were
    expect(a.services['shop/web']!.samples).toBe(w.samples);
    // and the result is a valid profile
    expect(() => parseUsageProfile(JSON.stringify(m), 'merged')).not.toThrow();
  });

  it('keeps the bounds: the oldest recordings, days and OOM peaks are dropped', () => {
    const base = readUsageProfile(join(dir, 'oom.json'));
    const big: UsageProfile = structuredClone(base);
    big.recordings = Array.from({ length: PROFILE_BOUNDS.recordings }, (_, i) => ({ ...base.recordings[0]!, ticks: i }));
    const cache = big.services['shop/cache']!;
    cache.daily = Array.from({ length: PROFILE_BOUNDS.daily }, (_, i) => ({ day: new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), samples: 1, cpuPeak: 0.1, memoryPeak: 1, idleSamples: 0 }));
    cache.oomPeaks = Array.from({ length: PROFILE_BOUNDS.oomPeaks }, (_, i) => i + 1);
    cache.oomKills = PROFILE_BOUNDS.oomPeaks;
    const m = mergeProfiles(big, base);
    expect(m.recordings).toHaveLength(PROFILE_BOUNDS.recordings);
    expect(m.recordings[0]!.ticks).toBe(base.recordings.length);
    const merged = m.services['shop/cache']!;
    expect(merged.daily).toHaveLength(PROFILE_BOUNDS.daily);
    expect(merged.daily[merged.daily.length - 1]!.day).toBe(base.services['shop/cache']!.daily.at(-1)!.day);
    expect(merged.oomPeaks).toHaveLength(PROFILE_BOUNDS.oomPeaks);
    expect(merged.oomPeaks.at(-1)).toBe(256 * 1024 * 1024);
    expect(merged.oomKills).toBe(PROFILE_BOUNDS.oomPeaks + 4);
    expect(() => parseUsageProfile(JSON.stringify(m), 'merged')).not.toThrow();
  });

  it('keeps a service named like an object property as a service', () => {
    const a = week();
    const b = week();
    b.services = JSON.parse('{"__proto__": ' + JSON.stringify({ ...b.services['shop/web']!, stack: null, service: '__proto__' }) + '}');
    const m = mergeProfiles(a, b);
    expect(Object.keys(m.services)).toContain('__proto__');
    expect(Object.getPrototypeOf(m.services)).toBe(Object.prototype);
    const back = parseUsageProfile(JSON.stringify(m), 'merged');
    expect(back.services['__proto__']!.service).toBe('__proto__');
  });

  it('writes atomically and reads back what it wrote', () => {
    const p = join(tmp, 'round.json');
    writeUsageProfile(p, week());
    expect(readUsageProfile(p)).toEqual(week());
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
