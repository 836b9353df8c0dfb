/**
 * A name a variable should give that is empty here because the variable is not set
 * (`networks: [${NET}]`, `depends_on: [${DB}]`): the problem to report is the unset variable, not
 * an unknown "". One check and one wording for the rules that look names up.
 */
import type { LRef } from '../src/model/access.js';
import type { Service } from '../src/model/types.js';
import type { RuleContext } from '../src/engine/types.js';

/** How an `unsetName` message ends, after the name as the file wrote it (`"{{written}}", `). */
export const UNSET_NAME_ADVICE = 'whose name is empty here (the variable is not set); set it, or write the name';

/**
 * Reports the rule's `unsetName` message at `ref` when `name` is empty and the file wrote a
 * variable there (data: the service, `data`, and `written`, what the file wrote); true when it
 * reported, and the name needs no other check.
 */
export function reportUnsetName(ctx: Pick<RuleContext, 'report'>, svc: Service, name: string, ref: LRef, data: Record<string, string> = {}): boolean {
  const raw = ref.node.kind === 'scalar' ? ref.node.raw : undefined;
  if (name !== '' || raw === undefined) return false;
  ctx.report({ messageId: 'unsetName', data: { service: svc.name, ...data, written: raw }, at: ref, loc: ref.node.loc, service: svc });
  return true;
}
