import { child, scalarValue } from './access.js';
import type { Stack } from './types.js';

/**
 * Whether the file's `version` lets a healthcheck set `start_period`. `docker stack deploy` checks a
 * file against the stack schema of the version it declares, and `start_period` came with 3.4: a
 * file of 3.0 to 3.3 that sets it is refused. No version, and `"3"` (docker reads it, and a YAML
 * `3.0`, as the newest schema), allow it; so do 2.x files (compose's own format, which has it).
 */
export function allowsStartPeriod(stack: Pick<Stack, 'root'>): boolean {
  const v = scalarValue(child(stack.root, 'version'));
  if (v === undefined || v === null) return true;
  const written = String(v).trim();
  if (written === '3') return true;
  const m = /^(\d+)(?:\.(\d+))?/.exec(written);
  if (!m) return true;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  return major > 3 || (major === 3 && minor >= 4) || major === 2;
}
