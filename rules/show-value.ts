/**
 * How rule messages quote a value the user wrote: one way for every rule, so that a value set
 * through a variable always shows what was written and what it became.
 */
import type { LRef } from '../src/model/access.js';

/**
 * A scalar as written: `"text"` for a string, `true` or `3` for other scalars; when a variable was
 * in it, the text written in the file first, then its value when the file itself gave it (a
 * default: `"${TAG:-latest}" ("latest")`). A value a set variable went into is never shown, only
 * what the file wrote (`"registry/app:${CI_TOKEN}"`): it may be a CI secret.
 */
export function showValue(ref: Pick<LRef, 'node'>): string {
  const n = ref.node;
  if (n.kind !== 'scalar') return n.kind === 'map' ? 'a mapping' : 'a list';
  const value = typeof n.value === 'string' ? `"${n.value}"` : String(n.value);
  if (n.raw === undefined) return value;
  return n.fromEnv ? `"${n.raw}"` : `"${n.raw}" (${value})`;
}

/**
 * The text of a scalar for a message that quotes it inside its own words (`port 8080`, `image
 * nginx`): the value, or what the file wrote when a set variable went into it. Non-scalars are
 * `null`.
 */
export function shownText(ref: Pick<LRef, 'node'> | null | undefined): string | null {
  const n = ref?.node;
  if (!n || n.kind !== 'scalar') return null;
  return writtenWhenSet(ref) ?? String(n.value);
}

/**
 * What the file wrote (`${PORT}`, `db-${SUFFIX}`) for a scalar a set variable went into, which a
 * message shows in place of the value; null for any other value and for non-scalars, which a
 * message may show in its own way (`writtenWhenSet(limit) ?? formatBytes(limit.value)`).
 */
export function writtenWhenSet(ref: Pick<LRef, 'node'> | null | undefined): string | null {
  const n = ref?.node;
  return n !== undefined && n.kind === 'scalar' && n.fromEnv === true && n.raw !== undefined ? n.raw : null;
}
