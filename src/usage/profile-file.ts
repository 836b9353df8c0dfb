import { existsSync } from 'node:fs';
import { validateUsageProfile } from '../generated/validators.js';
import { readText, ReadTextError } from '../parse/read-text.js';
import { writeFileAtomic } from '../parse/write-file.js';
import {
  mergeHistogram,
  USAGE_PROFILE_FORMAT,
  type DailyUsage,
  type ServiceUsage,
  type UsageProfile,
} from '../model/usage-profile.js';

/**
 * Usage profiles on disk (docs/usage.md): reading one back with every field checked against
 * schemas/usage-profile.schema.json, appending a new recording to it within the format's bounds,
 * and writing it atomically. The CLI reads a profile here and hands the checked document down to
 * sizing, rules and the ledger, which never read files.
 */

/** A profile that cannot be used: one line, `FILE: what is wrong`. */
export class UsageProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageProfileError';
  }
}

/** The bounds of the format (the schema holds the same numbers). */
export const PROFILE_BOUNDS = Object.freeze({ recordings: 1000, daily: 400, oomPeaks: 20 });

const HINT = 'record one with `stackopt usage record -o FILE`';

/** Read and check a usage profile; a problem is a UsageProfileError naming the file. */
export function readUsageProfile(path: string): UsageProfile {
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    if (!(e instanceof ReadTextError)) throw e;
    throw new UsageProfileError(`${path}: cannot read the usage profile: ${e.message}`);
  }
  return parseUsageProfile(text, path);
}

/** Parse and check a profile's text; `name` starts every message. */
export function parseUsageProfile(text: string, name: string): UsageProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UsageProfileError(`${name}: not a usage profile: not JSON (${describeJsonError(e as Error)}); ${HINT}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageProfileError(`${name}: not a usage profile: the top level is ${describeKind(data)}, not an object; ${HINT}`);
  }
  const format = (data as { format?: unknown }).format;
  if (format !== USAGE_PROFILE_FORMAT) {
    if (typeof format === 'string' && format.startsWith('stackopt-usage/')) {
      throw new UsageProfileError(`${name}: a usage profile of format ${quote(format)}, which this stackopt cannot read (it reads "${USAGE_PROFILE_FORMAT}"): use the stackopt version that wrote it`);
    }
    const found = format === undefined ? 'no "format"' : `"format" ${quote(format)}`;
    throw new UsageProfileError(`${name}: not a stackopt usage profile (${found}; expected "format": "${USAGE_PROFILE_FORMAT}"); ${HINT}`);
  }
  if (!validateUsageProfile(data)) {
    const err = (validateUsageProfile as unknown as { errors: SchemaError[] }).errors[0]!;
    throw new UsageProfileError(`${name}: ${describeSchemaError(err)}`);
  }
  const profile = data as UsageProfile;
  const problem = findConsistencyError(profile);
  if (problem) throw new UsageProfileError(`${name}: ${problem}`);
  return profile;
}

/**
 * The profile at `path` to append to: null when there is no file yet; a UsageProfileError when the
 * file is not a profile this stackopt can extend (it is never overwritten then).
 */
export function readProfileToExtend(path: string): UsageProfile | null {
  if (!existsSync(path)) return null;
  try {
    return readUsageProfile(path);
  } catch (e) {
    if (e instanceof UsageProfileError) throw new UsageProfileError(`${e.message} (refusing to overwrite it: name another file with -o)`);
    throw e;
  }
}

/** Write a profile atomically (a reader sees the old document or the new one, never half). */
export function writeUsageProfile(path: string, profile: UsageProfile): void {
  writeFileAtomic(path, `${JSON.stringify(profile, null, 1)}\n`);
}

/**
 * Add a new recording's profile to an older one: histograms and counters add up, peaks take the
 * larger, daily rows of the same day combine, limits and kind are the newer ones. The bounds
 * (recordings, daily rows, OOM peaks) drop the oldest entries. `base` is not changed.
 */
export function mergeProfiles(base: UsageProfile, added: UsageProfile): UsageProfile {
  const out: UsageProfile = structuredClone(base);
  out.generator = added.generator;
  out.updatedAt = added.updatedAt > out.updatedAt ? added.updatedAt : out.updatedAt;
  out.createdAt = added.createdAt < out.createdAt ? added.createdAt : out.createdAt;
  out.recordings = [...out.recordings, ...structuredClone(added.recordings)];
  for (const [key, svc] of Object.entries(added.services)) {
    const old = Object.hasOwn(out.services, key) ? out.services[key] : undefined;
    setOwn(out.services, key, old ? mergeService(old, svc) : structuredClone(svc));
  }
  return boundProfile(out);
}

function mergeService(a: ServiceUsage, b: ServiceUsage): ServiceUsage {
  const cpu = { ...structuredClone(a.cpu), max: Math.max(a.cpu.max, b.cpu.max) };
  mergeHistogram(cpu, b.cpu);
  const memory = { ...structuredClone(a.memory), max: Math.max(a.memory.max, b.memory.max) };
  mergeHistogram(memory, b.memory);
  const throttling =
    a.throttling || b.throttling
      ? {
          periods: (a.throttling?.periods ?? 0) + (b.throttling?.periods ?? 0),
          throttledPeriods: (a.throttling?.throttledPeriods ?? 0) + (b.throttling?.throttledPeriods ?? 0),
        }
      : null;
  const newer = b.lastSeen >= a.lastSeen ? b : a;
  return {
    stack: b.stack,
    service: b.service,
    kind: b.kind,
    firstSeen: a.firstSeen < b.firstSeen ? a.firstSeen : b.firstSeen,
    lastSeen: newer.lastSeen,
    samples: a.samples + b.samples,
    cpu,
    memory,
    pidsMax: Math.max(a.pidsMax, b.pidsMax),
    throttling,
    oomKills: a.oomKills + b.oomKills,
    oomPeaks: [...a.oomPeaks, ...b.oomPeaks],
    restarts: a.restarts + b.restarts,
    limits: { ...newer.limits },
    tasksMax: Math.max(a.tasksMax, b.tasksMax),
    daily: mergeDaily(a.daily, b.daily),
  };
}

/** Daily rows of both, one per day, oldest first. */
export function mergeDaily(a: DailyUsage[], b: DailyUsage[]): DailyUsage[] {
  const byDay = new Map<string, DailyUsage>();
  for (const row of [...a, ...b]) {
    const old = byDay.get(row.day);
    byDay.set(
      row.day,
      old
        ? {
            day: row.day,
            samples: old.samples + row.samples,
            cpuPeak: Math.max(old.cpuPeak, row.cpuPeak),
            memoryPeak: Math.max(old.memoryPeak, row.memoryPeak),
            idleSamples: old.idleSamples + row.idleSamples,
          }
        : { ...row },
    );
  }
  return [...byDay.values()].sort((x, y) => (x.day < y.day ? -1 : x.day > y.day ? 1 : 0));
}

/** Keep a profile within the format's bounds, the oldest entries dropped first. */
export function boundProfile(p: UsageProfile): UsageProfile {
  if (p.recordings.length > PROFILE_BOUNDS.recordings) p.recordings = p.recordings.slice(-PROFILE_BOUNDS.recordings);
  for (const s of Object.values(p.services)) {
    if (s.daily.length > PROFILE_BOUNDS.daily) s.daily = s.daily.slice(-PROFILE_BOUNDS.daily);
    if (s.oomPeaks.length > PROFILE_BOUNDS.oomPeaks) s.oomPeaks = s.oomPeaks.slice(-PROFILE_BOUNDS.oomPeaks);
  }
  return p;
}

interface SchemaError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  /** set on errors about an object's key (propertyNames) */
  propertyName?: string;
}

/** An ajv error as one line: where (`services["shop/web"].cpu.total`) and what is expected. */
function describeSchemaError(e: SchemaError): string {
  const where = describePointer(e.instancePath);
  if (e.keyword === 'required') return `${where} has no "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'additionalProperties') return `${where} has an unknown key "${shorten(String(e.params.additionalProperty))}"`;
  if (e.propertyName !== undefined) return `${where} has a key ${JSON.stringify(shorten(e.propertyName))} that is not allowed there`;
  if (e.keyword === 'const') return `${where} must be ${JSON.stringify(e.params.allowedValue)}`;
  if (e.keyword === 'enum') return `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${where} ${e.message ?? 'is not valid'}`;
}

/** `/services/shop~1web/cpu/total` → `services["shop/web"].cpu.total`; `` → `the document`. */
function describePointer(pointer: string): string {
  if (pointer === '') return 'the document';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(shorten(part))}]`;
  }
  return out;
}

/** What the schema cannot say: histogram totals, the order of days and of times. */
function findConsistencyError(p: UsageProfile): string | null {
  for (const [key, s] of Object.entries(p.services)) {
    const at = `services[${JSON.stringify(shorten(key))}]`;
    for (const which of ['cpu', 'memory'] as const) {
      const h = s[which];
      const sum = Object.values(h.counts).reduce((x, y) => x + y, 0);
      if (Math.abs(sum - h.total) > 1e-6 * Math.max(1, h.total)) return `${at}.${which}.total is ${h.total} but its counts add up to ${sum}`;
    }
    if (s.firstSeen > s.lastSeen) return `${at}.firstSeen (${s.firstSeen}) is after lastSeen (${s.lastSeen})`;
    for (let i = 1; i < s.daily.length; i++) {
      if (!(s.daily[i - 1]!.day < s.daily[i]!.day)) return `${at}.daily[${i}] (${s.daily[i]!.day}) does not follow ${s.daily[i - 1]!.day}: one row per day, oldest first`;
    }
  }
  return null;
}

/** Set a property as an own one, whatever its name (`__proto__` included: names come from docker labels). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * JSON.parse's complaint without the excerpt of the file it quotes (the file's own text, which may
 * span lines or hold a secret): `Unexpected token 's'`, `Unexpected end of JSON input`.
 */
function describeJsonError(e: Error): string {
  const first = e.message.split('\n')[0]!.replace(/, ".*$/, '').replace(/ in JSON at position \d+.*$/, '');
  return shorten(first);
}

function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

function quote(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return shorten(s);
}

function shorten(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
