import { child } from './access.js';
import type { LVal } from '../parse/located.js';
import type { Stack } from './types.js';

/** The newest stack schema docker knows, used for a file that declares no version or "3". */
export const LATEST_STACK_VERSION = '3.13';
/** The versions docker has a schema for: 3.0 to 3.13. */
export const STACK_VERSIONS: readonly string[] = Array.from({ length: 14 }, (_, i) => `3.${i}`);

/**
 * A file's version as docker reads it (cli/compose/schema Version): the value as Go prints it (a
 * YAML number `3.10` is "3.1", `3.0` is "3"), the newest for none, an empty string or "3", and
 * Go's `<nil>` for an empty `version:`. Docker compares the versions of several files so ("3.7" and
 * none differ: "version mismatched between two composefiles") and checks them against that schema.
 */
export function dockerVersion(value: LVal | null): string {
  if (value && value.kind === 'scalar' && value.value === null) return '<nil>';
  if (!value || value.kind !== 'scalar') return LATEST_STACK_VERSION;
  const written = String(value.value);
  return written === '' || written === '3' ? LATEST_STACK_VERSION : written;
}

/**
 * Whether the file's `version` lets a healthcheck set `start_period`: `docker stack deploy` checks a
 * file against the stack schema of its version (dockerVersion), and `start_period` came with 3.4, so
 * a file of 3.0 to 3.3 that sets it is refused. Any other version allows it: none and "3" (the
 * newest), 2.x (compose's own format, which has it), one docker does not know (reported as such).
 */
export function allowsStartPeriod(stack: Pick<Stack, 'root'>): boolean {
  const v = dockerVersion(child(stack.root, 'version')?.node ?? null);
  const m = /^\s*3\.(\d+)\s*$/.exec(v);
  return m === null || Number(m[1]) >= 4;
}
