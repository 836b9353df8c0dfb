/**
 * Fix of critical-single-replica: a stateless critical service gets `deploy.replicas: 2`. Safe,
 * because it only runs where the rule found no state (no named volume, no database, cache or
 * broker image) and where a second replica can start; stateful services are never scaled (no
 * fix, the finding keeps the HA advice), nor are services a second replica of would fail
 * (`scaleBlocker`).
 */
import type { Fix } from '../../src/engine/types.js';
import { buildSharedFix, FixBuilder } from '../../src/engine/fixer.js';
import { stackTarget, type Target } from '../../src/engine/target.js';
import { at, child, scalarValue } from '../../src/model/access.js';
import { isReplicated, isStateful } from '../../src/model/service-class.js';
import type { Service, Stack } from '../../src/model/types.js';

export const FIXED_REPLICAS = 2;

/**
 * Why a second replica of the service would not start, or null when it would:
 * - compose: a `container_name` (compose names the one container by it, and refuses to scale);
 * - compose: a fixed published host port (`80:4000`, `127.0.0.1:80:4000`): the second container
 *   cannot bind it (a host port range of two or more ports for one container port can);
 * - swarm: a published port in `mode: host` (each task binds the port on its node), unless
 *   `deploy.placement.max_replicas_per_node: 1` keeps the tasks on different nodes. Swarm ignores
 *   `container_name`, and an ingress-mode port is served by the routing mesh for every replica.
 */
export function scaleBlocker(svc: Service, target: Target): string | null {
  if (target === 'compose') {
    const name = scalarValue(child(svc.ref, 'container_name'));
    if (typeof name === 'string' && name !== '') {
      return `it sets container_name "${name}", and docker compose cannot start a second container of that name; remove container_name (others reach it by its service name), then scale it`;
    }
  }
  const onePerNode = Number(scalarValue(at(svc.deploy, 'placement', 'max_replicas_per_node'))) === 1;
  for (const p of svc.ports) {
    if (p.published === null || p.published.trim() === '') continue;
    const written = p.syntax === 'short' ? `"${String(scalarValue(p.ref) ?? '')}"` : `published: ${p.published}`;
    if (target === 'swarm') {
      if ((p.mode ?? 'ingress') !== 'host' || onePerNode) continue;
      return `it publishes host port ${p.published} in mode: host (${written}), which a second task on the same node cannot bind; publish it in ingress mode or set deploy.placement.max_replicas_per_node: 1 on enough nodes, then scale it`;
    }
    if (hostPorts(p.published) >= 2 && !p.target.includes('-')) continue;
    return `it publishes host port ${p.published} (${written}), which a second container cannot bind; publish a host port range, or put a proxy in front of it, then scale it`;
  }
  return null;
}

/** How many host ports a published value names: `80` one, `8000-8009` ten; 0 when it is not a number. */
function hostPorts(published: string): number {
  const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(published);
  if (!m) return 0;
  return m[2] === undefined ? 1 : Math.max(0, Number(m[2]) - Number(m[1]) + 1);
}

/** `isCritical` is the rule's own test (its patterns and options), so that a shared value is changed only for services that all need it. */
export function fixReplicas(stack: Stack, svc: Service, isCritical: (s: Service) => boolean): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const was = s.replicas ? String(s.replicas.value) : 'not set, so 1';
    const b = new FixBuilder(`set deploy.replicas to ${FIXED_REPLICAS} (was ${was})`);
    if (!isReplicated(s) || (s.replicas?.value ?? 1) >= FIXED_REPLICAS) return b.fail(`service "${s.name}" does not need more replicas`);
    if (isStateful(s)) return b.fail(`service "${s.name}" keeps state and is not scaled`);
    if (!isCritical(s)) return b.fail(`service "${s.name}" is not critical`);
    const blocker = scaleBlocker(s, stackTarget(stack));
    if (blocker) return b.fail(`service "${s.name}" cannot run a second replica: ${blocker}`);
    return b.set(s.ref, ['deploy', 'replicas'], FIXED_REPLICAS);
  });
}
