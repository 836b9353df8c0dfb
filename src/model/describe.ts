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
  const one = showControls(s.replace(/\s+/g, ' ').trim().replace(/^"(.*)"$/, '$1'));
  return `"${one.length > max ? `${one.slice(0, max - 1)}…` : one}"`;
}

// C0 controls but tab and newline, DEL, and C1 controls (U+009B starts a sequence as ESC [ does)
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// the same, tab and newline too
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `s` with each control character written out (`\x1b`, `\u009b`), tab and newline kept (`name`:
 * written out too, for a file name on one line): a text from a file, a file name or the engine
 * (`image: "busybox\e[2J"`, a task error) shown on a terminal cannot move the cursor, clear the
 * screen or recolour what follows.
 */
/** `s` with each control character (tab and line break included) replaced by `by`, in its column (a code frame's line). */
export function replaceControls(s: string, by: string): string {
  return s.replace(CONTROL_OR_BREAK, by);
}

export function showControls(s: string, name = false): string {
  const re = name ? CONTROL_OR_BREAK : CONTROL;
  re.lastIndex = 0;
  if (!re.test(s)) return s;
  return s.replace(re, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
