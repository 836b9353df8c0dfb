/**
 * How rule messages quote a value the user wrote: one way for every rule, so that a value set
 * through a variable always shows what was written and what it became.
 */
import type { LRef } from '../src/model/access.js';

/**
 * A scalar as written: `"text"` for a string, `true` or `3` for other scalars; when a variable was
 * in it, the text written in the file first, then its value: `"${TAG:-latest}" ("latest")`.
 */
export function showValue(ref: Pick<LRef, 'node'>): string {
  const n = ref.node;
  if (n.kind !== 'scalar') return n.kind === 'map' ? 'a mapping' : 'a list';
  const value = typeof n.value === 'string' ? `"${n.value}"` : String(n.value);
  return n.raw !== undefined ? `"${n.raw}" (${value})` : value;
}
