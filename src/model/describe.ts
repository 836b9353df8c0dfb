/** Small wording helpers shared by the live rules and the audit report. */

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `3 s`, `5 min`, `2 h`, `4 days`: how long before `now` something happened. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 36) return `${h} h`;
  return plural(Math.round(h / 24), 'day');
}

/** `a`, `a and b`, `a, b and c` */
export function listing(items: readonly string[], max = 5): string {
  const shown = items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : [...items];
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** A docker error text in quotes, on one line and not endless. */
export function quoteError(s: string, max = 320): string {
  const one = s.replace(/\s+/g, ' ').trim().replace(/^"(.*)"$/, '$1');
  return `"${one.length > max ? `${one.slice(0, max - 1)}…` : one}"`;
}
