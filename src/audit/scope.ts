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

/**
 * The services a user named, among `list` (already narrowed to the stack, if any): a full name, a
 * name within `stack` (`web` for `shop_web`), or an id or id prefix of 6 characters or more. A name
 * that matches nothing is a ScopeError with the closest name.
 */
export function pickServices<T>(list: T[], name: (t: T) => string, id: (t: T) => string, stack: string | null, wanted: string[], note = '', skipMissing = false): T[] {
  const picked: T[] = [];
  for (const w of wanted) {
    const hit = list.find((s) => {
      const n = name(s);
      const i = id(s);
      return n === w || (stack !== null && n === `${stack}_${w}`) || i === w || (w.length >= 6 && (i.startsWith(w) || w.startsWith(i)));
    });
    if (!hit && skipMissing) continue;
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
