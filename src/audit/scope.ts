import { closest } from '../parse/validate-schema.js';

/** What part of the swarm an audit reads: `--stack` and `--service`. */
export interface AuditScope {
  /** only the services of this stack (`com.docker.stack.namespace`) */
  stack?: string | null;
  /** only these services: full names (`shop_web`) or, with `stack`, names within it (`web`), or id prefixes */
  services?: string[];
}

/** A --stack or --service that names nothing on the swarm. */
export class ScopeError extends Error {}

/** The error for a --stack no service belongs to, with the closest stack name. */
export function noStackError(stack: string, stacks: string[], note = ''): ScopeError {
  const guess = closest(stack, stacks);
  return new ScopeError(`no stack "${stack}" on this swarm${guess ? `; did you mean "${guess}"?` : ''} (stacks: ${stacks.length ? stacks.join(', ') : 'none'})${note}`);
}

/** A service that was listed for the audit and removed or changed before it was read: left out. */
export interface VanishedService {
  id: string;
  /** null when it vanished before its name was read (an audit of a whole stack lists ids only) */
  name: string | null;
}

/**
 * Whether `wanted` (a --service as the user gave it) names this service: its full name, its name
 * within `stack` (`web` for `shop_web`), its id, or an id prefix of 6 characters or more.
 */
function namesService(wanted: string, name: string | null, id: string, stack: string | null): boolean {
  return (
    (name !== null && (name === wanted || (stack !== null && name === `${stack}_${wanted}`))) ||
    id === wanted ||
    (wanted.length >= 6 && (id.startsWith(wanted) || wanted.startsWith(id)))
  );
}

/**
 * Whether a --service that matches no service read names one that vanished while the swarm was
 * read (so it is left out, not an error). `vanished` is the list the snapshot recorded, or `'any'`
 * for a snapshot saved before that list was kept which counts vanished services: any name may be one.
 */
export function vanishedDuringRead(wanted: string, stack: string | null, vanished: readonly VanishedService[] | 'any'): boolean {
  return vanished === 'any' || vanished.some((v) => namesService(wanted, v.name, v.id, stack));
}

/**
 * The services a user named, among `list` (already narrowed to the stack, if any): a full name, a
 * name within `stack` (`web` for `shop_web`), or an id or id prefix of 6 characters or more. A name
 * that matches nothing is a ScopeError with the closest name, unless it names a service that
 * vanished during the read (`vanished`, see vanishedDuringRead): that one is skipped.
 */
export function pickServices<T>(
  list: T[],
  name: (t: T) => string,
  id: (t: T) => string,
  stack: string | null,
  wanted: string[],
  note = '',
  vanished: readonly VanishedService[] | 'any' = [],
): T[] {
  const picked: T[] = [];
  for (const w of wanted) {
    const hit = list.find((s) => namesService(w, name(s), id(s), stack));
    if (!hit && vanishedDuringRead(w, stack, vanished)) continue;
    if (!hit) {
      const names = list.map(name);
      const short = stack ? names.filter((n) => n.startsWith(`${stack}_`)).map((n) => n.slice(stack.length + 1)) : [];
      const guess = closest(w, [...names, ...short]);
      throw new ScopeError(`no service "${w}"${stack ? ` in stack "${stack}"` : ' on this swarm'}${guess ? `; did you mean "${guess}"?` : ''}${note}`);
    }
    if (!picked.includes(hit)) picked.push(hit);
  }
  return picked;
}
