import { existsSync } from 'node:fs';
import { validateUsageProfile } from '../generated/validators.js';
import { readText, ReadTextError } from '../parse/read-text.js';
import { writeOutputFile } from '../parse/write-file.js';
import { locate, notJsonMessage, showPath, type JsonPath } from '../parse/json-position.js';
import { MAX_DOCKER_BYTES, MAX_DOCKER_CPUS } from '../model/units.js';
import {
  mergeHistogram,
  USAGE_PROFILE_FORMAT,
  type DailyUsage,
  type ServiceUsage,
  type UsageProfile,
} from '../model/usage-profile.js';

/**
 * Usage profiles on disk (docs/usage.md), the one reader of them: `usage record` extends a profile,
 * `lint --usage`, `fix --usage` and `resources --usage` read one. A profile is checked whole, against
 * schemas/usage-profile.schema.json and then for what a schema cannot say (histogram totals, the
 * order of days and times), and a damaged, foreign or hostile file gives one line naming the value
 * at fault (`usage.json:12:7: services["shop/web"].memory.max must be >= 0`), never a crash deeper
 * down. Appending a new recording keeps the document within its bounds; writing is atomic. The CLI
 * reads a profile here and hands the checked document down to sizing, rules and the ledger, which
 * never read files.
 */

/** A profile that cannot be used: one line, starting with `file:line:col:` (or `file:`). */
export class UsageProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageProfileError';
  }
}

/** The bounds of the format (the schema holds the same numbers). */
export const PROFILE_BOUNDS = Object.freeze({ recordings: 1000, daily: 400, oomPeaks: 20 });

/** Read and check the profile at `path` (`shown` is how the user wrote it). */
export function readUsageProfile(path: string, shown: string = path): UsageProfile {
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    if (!(e instanceof ReadTextError)) throw e;
    throw new UsageProfileError(`cannot read usage profile ${shown}: ${e.message}`);
  }
  return parseUsageProfile(text, shown);
}

/** Parse and check a profile's text; `name` names it in every message. */
export function parseUsageProfile(text: string, name: string): UsageProfile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageProfileError(notJsonMessage(text, name, 'the usage profile'));
  }
  const fail = (where: JsonPath, what: string): never => {
    throw new UsageProfileError(`${name}:${locate(text, where)}: ${showPath(where)} ${what}`);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return fail([], 'must be a JSON object (a stackopt usage profile)');
  const format = (doc as { format?: unknown }).format;
  if (format === undefined) fail([], `has no "format"; expected "${USAGE_PROFILE_FORMAT}" (record a profile with \`stackopt usage record\`)`);
  if (format !== USAGE_PROFILE_FORMAT) {
    const found = typeof format === 'string' ? JSON.stringify(format.slice(0, 40)) : 'not a string';
    fail(['format'], `is ${found}; expected "${USAGE_PROFILE_FORMAT}" (a profile of another version or another tool)`);
  }
  if (!validateUsageProfile(doc)) {
    const err = (validateUsageProfile as unknown as { errors: SchemaError[] }).errors[0]!;
    const where = pathOf(doc, err);
    fail(where, describeSchemaError(err));
  }
  const profile = doc as UsageProfile;
  const problem = findConsistencyError(profile);
  if (problem) fail(problem.where, problem.what);
  // a null-prototype copy: a service key such as "__proto__" is data, never a prototype
  const services: Record<string, ServiceUsage> = Object.create(null) as Record<string, ServiceUsage>;
  for (const [key, svc] of Object.entries(profile.services)) services[key] = svc;
  return { ...profile, services };
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

/**
 * Write a profile atomically (a reader sees the old document or the new one, never half); to a
 * device or a pipe the name leads to (`-o /dev/stdout`) as it is, as `lint -o` writes.
 */
export function writeUsageProfile(path: string, profile: UsageProfile): void {
  writeOutputFile(path, `${JSON.stringify(profile, null, 1)}\n`);
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
  schemaPath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
  /** set on errors about an object's key (propertyNames) */
  propertyName?: string;
}

const TYPE_NAMES: Record<string, string> = { number: 'a number', integer: 'a whole number', string: 'a string', object: 'an object', array: 'a list', boolean: 'true or false', null: 'null' };

/** What an ajv error says is wrong with the value at its path (the path is shown before it). */
function describeSchemaError(e: SchemaError): string {
  if (e.keyword === 'required') return `has no "${String(e.params.missingProperty)}"`;
  if (e.keyword === 'additionalProperties') return `has an unknown key "${shorten(String(e.params.additionalProperty))}"`;
  if (e.propertyName !== undefined) return e.schemaPath.includes('/counts/') ? 'is not a bucket index (a whole number from 0 to 1000)' : 'is a key that is not allowed there';
  if (e.schemaPath.startsWith('#/definitions/time/')) return 'must be an ISO 8601 time in UTC, such as 2026-11-01T00:00:00Z';
  if (e.keyword === 'pattern' && e.schemaPath.endsWith('/day/pattern')) return 'must be a day, such as 2026-11-01';
  if (e.keyword === 'const') return `must be ${JSON.stringify(e.params.allowedValue)}`;
  if (e.keyword === 'type') return `must be ${String(e.params.type).split(',').map((t) => TYPE_NAMES[t] ?? t).join(' or ')}`;
  if (e.keyword === 'maximum' && e.params.limit === MAX_DOCKER_BYTES) return `is more bytes than docker holds: at most ${BigInt(MAX_DOCKER_BYTES)} (just under 8 EiB: docker holds a size in an int64)`;
  if (e.keyword === 'maximum' && e.params.limit === MAX_DOCKER_CPUS) return `is more CPUs than docker holds: at most ${MAX_DOCKER_CPUS} (docker holds CPUs in an int64 of billionths)`;
  if (e.keyword === 'enum') return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return e.message ?? 'is not valid';
}

/**
 * The path of the value an ajv error is about (a key that is not allowed: that key's value), read
 * against the document so that `/daily/2` is an index where the container is a list and `/counts/2`
 * a key where it is an object.
 */
function pathOf(doc: unknown, e: SchemaError): JsonPath {
  const parts = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.propertyName !== undefined) parts.push(e.propertyName);
  const out: JsonPath = [];
  let at: unknown = doc;
  for (const part of parts) {
    const key = Array.isArray(at) ? Number(part) : part;
    out.push(key);
    at = at !== null && typeof at === 'object' && Object.hasOwn(at, key) ? (at as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}

/** What the schema cannot say: histogram totals, idle samples within samples, the order of days and of times. */
function findConsistencyError(p: UsageProfile): { where: JsonPath; what: string } | null {
  for (const [key, s] of Object.entries(p.services)) {
    for (const which of ['cpu', 'memory'] as const) {
      const h = s[which];
      const sum = Object.values(h.counts).reduce((x, y) => x + y, 0);
      if (Math.abs(sum - h.total) > 1e-6 * Math.max(1, h.total)) return { where: ['services', key, which, 'total'], what: `is ${h.total} but its counts add up to ${sum}` };
    }
    if (s.firstSeen > s.lastSeen) return { where: ['services', key, 'firstSeen'], what: `(${s.firstSeen}) is after lastSeen (${s.lastSeen})` };
    for (let i = 0; i < s.daily.length; i++) {
      const row = s.daily[i]!;
      if (row.idleSamples > row.samples) return { where: ['services', key, 'daily', i, 'idleSamples'], what: `(${row.idleSamples}) exceeds samples (${row.samples})` };
      if (i > 0 && !(s.daily[i - 1]!.day < row.day)) return { where: ['services', key, 'daily', i], what: `(${row.day}) does not follow ${s.daily[i - 1]!.day}: one row per day, oldest first` };
    }
  }
  return null;
}

/** Set a property as an own one, whatever its name (`__proto__` included: names come from docker labels). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}




function shorten(s: string, max = 60): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
