/**
 * Fixes of sleep-policy. Both change behaviour, so both are unsafe: renaming `sleep_policy` to
 * `x-sleep-policy` makes the file deployable, but whatever reads the old key must follow; turning
 * `enabled: true` into `enabled: false` on a high-priority service stops it from sleeping.
 */
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, FixBuilder } from '../../src/engine/fixer.js';
import { child } from '../../src/model/access.js';
import type { Service, Stack } from '../../src/model/types.js';

/** Rename the service-level `sleep_policy` key to `x-sleep-policy` (unsafe). */
export function fixPlainKey(stack: Stack, svc: Service): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const b = new FixBuilder('renamed sleep_policy to x-sleep-policy (update whatever reads sleep_policy)', true);
    if (child(s.ref, 'x-sleep-policy')) return b.fail('the service also sets x-sleep-policy; merge the two by hand');
    return b.rename(s.ref, 'sleep_policy', 'x-sleep-policy');
  });
}

/** A high-priority policy that sleeps: set `enabled: false` (unsafe: the service stops sleeping). */
export function fixHighPrioritySleeps(stack: Stack, svc: Service): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const b = new FixBuilder('set enabled: false on the high-priority sleep policy', true);
    const policy = s.sleepPolicy;
    if (!policy || policy.key === 'labels' || policy.ref.node.kind !== 'map') return b.fail('the policy is not a mapping written in a file');
    const enabled = child(policy.ref, 'enabled');
    if (enabled) return b.replace(enabled, false);
    return b.add(policy.ref, ['enabled'], false);
  });
}
