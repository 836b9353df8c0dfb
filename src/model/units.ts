/** Normalisers for the units compose files write: byte sizes, durations and CPU counts. */

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
};
// `[kKmMgGtTpP]` then an optional `i` and an optional `b`: what a size means, read leniently (`512Mi`
// too, which go-units 0.5 refuses: whether docker reads a value is src/parse/go-values.ts's question)
for (const [u, f] of [['k', 1024], ['m', 1024 ** 2], ['g', 1024 ** 3], ['t', 1024 ** 4], ['p', 1024 ** 5]] as const) {
  for (const suffix of ['', 'b', 'i', 'ib']) BYTE_UNITS[u + suffix] = f;
}

/** `512M`, `1g`, `256MB`, `1.5GiB`, `512Mi`, `268435456` → bytes; null when it is not a size. */
export function parseBytes(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(v.trim());
  if (!m) return null;
  const unit = BYTE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  return Math.floor(parseFloat(m[1]!) * unit);
}

/** Bytes → the shortest exact compose size (`512M`, `1G`), or a byte count. */
export function formatBytes(n: number): string {
  // no list of units made per call: the audit formats two sizes of every service
  if (n >= GIB && n % GIB === 0) return `${n / GIB}G`;
  if (n >= MIB && n % MIB === 0) return `${n / MIB}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

/**
 * The most bytes a size docker reads can hold: compose-go's UnitBytes and docker/cli's MemoryBytes
 * are int64s, which go-units fills from a float64 (from 2^63 up it overflows). The largest float64
 * below 2^63.
 */
export const MAX_DOCKER_BYTES = 2 ** 63 - 1024;

/**
 * The most CPUs docker holds, in thousandths (as sizes are written): opts.ParseCPUs makes an int64 of
 * billionths of a CPU (NanoCPUs, at most 9,223,372,036.854775807 CPUs).
 */
export const MAX_DOCKER_CPUS = 9_223_372_036.854;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go-style durations (`1m30s`, `500ms`, `10s`) → seconds; a bare number counts as seconds. */
export function parseDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return parseFloat(s);
  // Go's time.ParseDuration: `1.5h`, `.5s` and `1.s` are all durations
  // µ (micro sign) and μ (Greek mu) escaped: one character above U+00FF in the bundle makes V8 hold
  // all of it as a two-byte string (scripts/build-bundle.mjs checks that none is left)
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += parseFloat(m[1]!) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === s.length && pos > 0 ? total : null;
}

/** `"0.5"`, `2`, `'1.0'` → a CPU count; null when it is not one. */
export function parseCpus(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) return null;
  return parseFloat(s);
}

/** Seconds → a compact Go-style duration (`30s`, `1m30s`, `500ms`). */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = +(seconds % 60).toFixed(3);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
