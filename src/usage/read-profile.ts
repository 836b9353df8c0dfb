/**
 * Reading a usage profile (`stackopt-usage/1`, src/model/usage-profile.ts) for `fix --usage` and
 * `lint --usage`: JSON, the format checked, and the shape of every part the recommendations read
 * checked, so that a damaged or hostile file gives one line naming where it is wrong
 * (`usage.json:12:7: services["shop/web"].memory.max must be a number of bytes`), never a crash
 * deeper down.
 */
import { readText, ReadTextError } from '../parse/read-text.js';
import { USAGE_PROFILE_FORMAT, type Histogram, type ServiceUsage, type UsageProfile } from '../model/usage-profile.js';

/** A profile that cannot be used: the message is one line starting with `file:line:col:` or `file:`. */
export class UsageProfileError extends Error {}

type Path = Array<string | number>;

/** Read and check the profile at `path` (`shown` is how the user wrote it). */
export function readUsageProfile(path: string, shown: string = path): UsageProfile {
  let text: string;
  try {
    text = readText(path);
  } catch (e) {
    if (e instanceof ReadTextError) throw new UsageProfileError(`cannot read usage profile ${shown}: ${e.message}`);
    throw e;
  }
  return parseUsageProfile(text, shown);
}

/** Parse and check a profile's text; `path` names it in errors. */
export function parseUsageProfile(text: string, path: string): UsageProfile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const at = jsonErrorOffset(text);
    throw new UsageProfileError(`${path}:${lineCol(text, at)}: the usage profile is not valid JSON (${at >= text.length ? 'it ends too early' : `unexpected ${describeChar(text, at)}`})`);
  }
  const fail = (where: Path, what: string): never => {
    throw new UsageProfileError(`${path}:${locate(text, where)}: ${showPath(where)} ${what}`);
  };
  if (!isObject(doc)) return fail([], 'must be a JSON object (a stackopt usage profile)');
  if (doc.format === undefined) fail([], `has no "format"; expected "${USAGE_PROFILE_FORMAT}" (record a profile with \`stackopt usage record\`)`);
  if (doc.format !== USAGE_PROFILE_FORMAT) {
    const found = typeof doc.format === 'string' ? JSON.stringify(doc.format.slice(0, 40)) : 'not a string';
    fail(['format'], `is ${found}; expected "${USAGE_PROFILE_FORMAT}" (a profile of another version or another tool)`);
  }
  if (!Array.isArray(doc.recordings)) fail(['recordings'], 'must be a list');
  (doc.recordings as unknown[]).forEach((r, i) => {
    if (!isObject(r)) fail(['recordings', i], 'must be an object');
    checkTime(r as Record<string, unknown>, ['recordings', i], 'start', fail);
  });
  if (!isObject(doc.services)) return fail(['services'], 'must be an object of services');
  // a null-prototype copy: a service key such as "__proto__" is data, never a prototype
  const services: Record<string, ServiceUsage> = Object.create(null) as Record<string, ServiceUsage>;
  for (const [key, s] of Object.entries(doc.services)) {
    const at: Path = ['services', key];
    if (!isObject(s)) return fail(at, 'must be an object');
    checkService(s, at, fail);
    services[key] = s as unknown as ServiceUsage;
  }
  return { ...(doc as unknown as UsageProfile), services };
}

type Fail = (where: Path, what: string) => never;

function checkService(s: Record<string, unknown>, at: Path, fail: Fail): void {
  if (typeof s.service !== 'string' || s.service === '') fail([...at, 'service'], 'must be the service name');
  if (s.stack !== null && typeof s.stack !== 'string') fail([...at, 'stack'], 'must be a stack name or null');
  checkTime(s, at, 'firstSeen', fail);
  checkTime(s, at, 'lastSeen', fail);
  checkCount(s, at, 'samples', fail);
  checkCount(s, at, 'oomKills', fail);
  checkHistogram(s, at, 'cpu', fail);
  checkHistogram(s, at, 'memory', fail);
  if (!Array.isArray(s.oomPeaks) || s.oomPeaks.some((p) => !isAmount(p))) fail([...at, 'oomPeaks'], 'must be a list of byte counts');
  if (s.throttling !== null) {
    if (!isObject(s.throttling)) fail([...at, 'throttling'], 'must be null or {periods, throttledPeriods}');
    const t = s.throttling as Record<string, unknown>;
    checkCount(t, [...at, 'throttling'], 'periods', fail);
    checkCount(t, [...at, 'throttling'], 'throttledPeriods', fail);
  }
  if (!isObject(s.limits)) fail([...at, 'limits'], 'must be {cpus, memory}');
  const limits = s.limits as Record<string, unknown>;
  for (const k of ['cpus', 'memory']) if (limits[k] !== null && !isAmount(limits[k])) fail([...at, 'limits', k], 'must be a number or null');
  if (!Array.isArray(s.daily)) fail([...at, 'daily'], 'must be a list of days');
  (s.daily as unknown[]).forEach((d, i) => {
    const where: Path = [...at, 'daily', i];
    if (!isObject(d)) fail(where, 'must be an object');
    const row = d as Record<string, unknown>;
    for (const k of ['samples', 'idleSamples']) checkCount(row, where, k, fail);
    for (const k of ['cpuPeak', 'memoryPeak']) if (!isAmount(row[k])) fail([...where, k], 'must be a number');
    if ((row.idleSamples as number) > (row.samples as number)) fail([...where, 'idleSamples'], 'must not exceed samples');
  });
}

function checkHistogram(s: Record<string, unknown>, at: Path, key: string, fail: Fail): void {
  const where = [...at, key];
  const h = s[key];
  if (!isObject(h)) return fail(where, 'must be a histogram {start, ratio, counts, total, max}');
  if (!(typeof h.start === 'number' && h.start > 0 && Number.isFinite(h.start))) fail([...where, 'start'], 'must be a positive number');
  if (!(typeof h.ratio === 'number' && h.ratio > 1 && h.ratio < 100)) fail([...where, 'ratio'], 'must be a number above 1');
  if (!isAmount(h.max)) fail([...where, 'max'], 'must be a number');
  if (!isObject(h.counts)) return fail([...where, 'counts'], 'must be an object of bucket index: count');
  let total = 0;
  for (const [k, n] of Object.entries(h.counts)) {
    // bucket indexes: a 5% ratio reaches 10^21 in 1,000 buckets; more is damage
    if (!/^\d{1,5}$/.test(k) || Number(k) > 20000) fail([...where, 'counts', k], 'is not a bucket index (a whole number up to 20000)');
    if (!isAmount(n)) fail([...where, 'counts', k], 'must be a count');
    total += n as number;
  }
  if (!isAmount(h.total) || Math.abs((h.total as number) - total) > 1e-6 * Math.max(1, total)) fail([...where, 'total'], `must be the sum of the counts (${total})`);
  (h as unknown as Histogram).total = h.total as number;
}

function checkCount(o: Record<string, unknown>, at: Path, key: string, fail: Fail): void {
  if (!isAmount(o[key])) fail([...at, key], 'must be a number, 0 or more');
}

function checkTime(o: Record<string, unknown>, at: Path, key: string, fail: Fail): void {
  const v = o[key];
  if (typeof v !== 'string' || !Number.isFinite(Date.parse(v))) fail([...at, key], 'must be an ISO 8601 time');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAmount(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/** `services["shop/web"].daily[2].samples` (the whole document: `the usage profile`). */
function showPath(p: Path): string {
  if (p.length === 0) return 'the usage profile';
  let s = '';
  for (const k of p) {
    if (typeof k === 'number') s += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) s += s ? `.${k}` : k;
    else s += `[${JSON.stringify(k.length > 60 ? `${k.slice(0, 60)}\u2026` : k)}]`;
  }
  return s;
}

/** `line:col` of the value at `p` (or of the deepest part of it that exists) in valid JSON. */
function locate(text: string, p: Path): string {
  if (p.length === 0) return firstContent(text);
  for (let n = p.length; n > 0; n--) {
    const at = scanJson(text, p.slice(0, n));
    if (at.found !== null) return lineCol(text, at.found);
  }
  return firstContent(text);
}

function firstContent(text: string): string {
  const m = /\S/.exec(text);
  return lineCol(text, m ? m.index : 0);
}

function lineCol(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return `${line}:${offset - start + 1}`;
}

function describeChar(text: string, at: number): string {
  const c = text[at]!;
  return /[\x21-\x7e]/.test(c) ? `"${c}"` : `character U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The offset of the first character that makes `text` invalid JSON (its length when it ends too
 * early).
 */
export function jsonErrorOffset(text: string): number {
  return scanJson(text, null).error ?? text.length;
}

/**
 * One pass over JSON text: where the value at `target` starts (`found`), and where the text stops
 * being JSON (`error`). Iterative, so that deep nesting cannot overflow the stack; linear in the
 * text.
 */
function scanJson(text: string, target: Path | null): { found: number | null; error: number | null } {
  let i = 0;
  const n = text.length;
  /** the open containers (true: an object), and the key or index of the value being read in each */
  const objects: boolean[] = [];
  const ats: Array<string | number> = [];
  const isTarget = (): boolean => {
    if (!target || target.length !== ats.length) return false;
    for (let k = 0; k < ats.length; k++) if (ats[k] !== target[k]) return false;
    return true;
  };
  const fail = (at: number) => ({ found: null, error: Math.min(at, n) });
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** a string at i (i moves past it): whether it is one */
  const str = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return false;
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else return false;
      } else i++;
    }
    return false;
  };
  /** a key and its colon: the key is where the next value goes */
  const key = (): boolean => {
    const from = i;
    if (!str()) return false;
    // only a search needs the key's value
    if (target) ats[ats.length - 1] = JSON.parse(text.slice(from, i)) as string;
    ws();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  const scalar = (): boolean => {
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  let wantValue = true;
  for (;;) {
    ws();
    if (wantValue) {
      if (i >= n) return fail(n);
      if (isTarget()) return { found: i, error: null };
      const c = text[i];
      if (c === '{' || c === '[') {
        objects.push(c === '{');
        ats.push(c === '[' ? 0 : '');
        i++;
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) {
          objects.pop();
          ats.pop();
          i++;
          wantValue = false;
          continue;
        }
        if (c === '{' && !key()) return fail(i);
        continue;
      }
      if (c === '"' ? !str() : !scalar()) return fail(i);
      wantValue = false;
      continue;
    }
    const depth = objects.length;
    if (depth === 0) return i < n ? fail(i) : { found: null, error: null };
    if (i >= n) return fail(n);
    const inObject = objects[depth - 1]!;
    const c = text[i];
    if (c === ',') {
      i++;
      ws();
      if (inObject) {
        if (!key()) return fail(i);
      } else ats[depth - 1] = (ats[depth - 1] as number) + 1;
      wantValue = true;
    } else if (c === (inObject ? '}' : ']')) {
      objects.pop();
      ats.pop();
      i++;
    } else return fail(i);
  }
}
