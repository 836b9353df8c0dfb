import { deepest, keyLoc } from '../../src/model/access.js';
import { formatBytes } from '../../src/model/units.js';
import { defineRule } from '../../src/engine/types.js';

export default defineRule({
  meta: {
    id: 'resource-limits',
    description: 'Every service sets deploy.resources.limits.cpus and .memory, and no reservation exceeds its limit.',
    severity: 'error',
    category: 'resources',
    messages: {
      missing: 'service "{{service}}" sets no {{what}} limit; add deploy.resources.limits.{{keys}}',
      reservationAboveLimit:
        'service "{{service}}" reserves {{reserved}} of {{what}} but is limited to {{limit}}; a reservation must not exceed its limit (lower deploy.resources.reservations.{{key}})',
    },
  },
  create(ctx) {
    return {
      service(svc) {
        const missing: string[] = [];
        if (!svc.limits.cpus) missing.push('cpus');
        if (!svc.limits.memory) missing.push('memory');
        if (missing.length > 0) {
          const at = deepest(svc.ref, 'deploy', 'resources', 'limits');
          ctx.report({
            messageId: 'missing',
            data: {
              service: svc.name,
              what: missing.map((m) => (m === 'cpus' ? 'CPU' : 'memory')).join(' or '),
              keys: missing.length === 2 ? 'cpus and .memory' : missing[0]!,
            },
            at,
            loc: keyLoc(at),
            service: svc,
          });
        }
        const pairs = [
          ['cpus', 'CPU', svc.limits.cpus, svc.reservations.cpus, (n: number) => `${n} CPUs`],
          ['memory', 'memory', svc.limits.memory, svc.reservations.memory, formatBytes],
        ] as const;
        for (const [key, what, limit, reserved, show] of pairs) {
          if (!limit || !reserved || reserved.value <= limit.value) continue;
          ctx.report({
            messageId: 'reservationAboveLimit',
            data: { service: svc.name, what, reserved: show(reserved.value), limit: show(limit.value), key },
            at: reserved,
            loc: reserved.loc,
            service: svc,
          });
        }
      },
    };
  },
});
