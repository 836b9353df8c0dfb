/** Short tmpfs entries (`/tmp:size=1m,noexec`) and mount targets, as the rule reads them and its fix writes them. */

/** A short tmpfs entry with options added: `/tmp` → `/tmp:noexec`, `/tmp:size=1m` → `/tmp:size=1m,noexec`. */
export function withOptions(value: string, options: readonly string[]): string {
  const colon = value.indexOf(':');
  if (colon < 0) return `${value}:${options.join(',')}`;
  return colon === value.length - 1 ? `${value}${options.join(',')}` : `${value},${options.join(',')}`;
}

/** A short tmpfs entry without the options `drop` (`/run:size=1m,exec` without exec: `/run:size=1m`). */
export function withoutOptions(value: string, drop: readonly string[]): string {
  const colon = value.indexOf(':');
  if (colon < 0) return value;
  return `${value.slice(0, colon)}:${value.slice(colon + 1).split(',').filter((o) => !drop.includes(o.trim())).join(',')}`;
}

/** A short tmpfs entry with a size: every `size=0` / `nr_blocks=0` (no limit) replaced by it, else `size=` added. */
export function withSize(value: string, size: string): string {
  const zero = /(^|[:,])(size|nr_blocks)=0+[a-z%]*(?=,|$)/gi;
  return zero.test(value) ? value.replace(zero, `$1size=${size}`) : withOptions(value, [`size=${size}`]);
}

/** `//tmp/` → `/tmp`: a mount target as the kernel reads it. */
export function normaliseTarget(t: string): string {
  const s = t.trim().replace(/\/+/g, '/');
  return s.length > 1 ? s.replace(/\/$/, '') : s;
}
