/**
 * Fix of critical-single-replica: a stateless critical service gets `deploy.replicas: 2`. Safe,
 * because it only runs where the rule found no state (no named volume, no database, cache or
 * broker image); stateful services are never scaled (no fix, the finding keeps the HA advice).
 */
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, FixBuilder } from '../../src/engine/fixer.js';
import { isReplicated, isStateful } from '../../src/model/service-class.js';
import type { Service, Stack } from '../../src/model/types.js';

export const FIXED_REPLICAS = 2;

/** `isCritical` is the rule's own test (its patterns and options), so that a shared value is changed only for services that all need it. */
export function fixReplicas(stack: Stack, svc: Service, isCritical: (s: Service) => boolean): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const was = s.replicas ? String(s.replicas.value) : 'not set, so 1';
    const b = new FixBuilder(`set deploy.replicas to ${FIXED_REPLICAS} (was ${was})`);
    if (!isReplicated(s) || (s.replicas?.value ?? 1) >= FIXED_REPLICAS) return b.fail(`service "${s.name}" does not need more replicas`);
    if (isStateful(s)) return b.fail(`service "${s.name}" keeps state and is not scaled`);
    if (!isCritical(s)) return b.fail(`service "${s.name}" is not critical`);
    return b.set(s.ref, ['deploy', 'replicas'], FIXED_REPLICAS);
  });
}
