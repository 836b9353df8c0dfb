import { child, deepest, keyLoc, scalarValue } from '../../src/model/access.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';
import { isJobService } from '../../src/model/service-class.js';

/** The restart conditions swarm knows (moby, daemon/cluster/convert/service.go). */
const CONDITIONS = new Set(['none', 'on-failure', 'any']);

const ADVICE = 'such as restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 120s}';

export default defineRule({
  meta: {
    id: 'restart-policy',
    description:
      'With target swarm, every service sets deploy.restart_policy with bounded attempts: the default (condition any, no max_attempts) restarts a crashing service forever.',
    severity: 'warning',
    category: 'availability',
    messages: {
      missing: `service "{{service}}" sets no deploy.restart_policy, so swarm restarts its tasks on every exit, forever (condition any, no max_attempts); set one, ${ADVICE}`,
      unbounded: `service "{{service}}" restarts on {{condition}} with no limit (max_attempts {{attempts}}), so a crashing task is restarted forever; bound it, ${ADVICE}`,
      badCondition:
        'service "{{service}}" sets deploy.restart_policy.condition "{{condition}}", which swarm does not know: docker stack deploy fails to create the service ("invalid RestartCondition"); use none, on-failure or any (restart: {{condition}} is docker compose\'s key)',
    },
  },
  create(ctx) {
    if (stackTarget(ctx.stack) !== 'swarm') return {};
    return {
      service(svc) {
        if (isJobService(svc)) return; // a job is not restarted forever
        const policy = child(svc.deploy, 'restart_policy');
        if (!policy) {
          const at = deepest(svc.ref, 'deploy');
          ctx.report({ messageId: 'missing', data: { service: svc.name }, at, loc: keyLoc(at), service: svc });
          return;
        }
        if (policy.node.kind !== 'map' && !(policy.node.kind === 'scalar' && policy.node.value === null)) return;
        const condRef = child(policy, 'condition');
        const condition = String(scalarValue(condRef) ?? 'any');
        // what the engine takes (the stack schema takes any string; the engine refuses the service)
        if (condRef && condRef.node.kind === 'scalar' && condRef.node.raw === undefined && !CONDITIONS.has(condition)) {
          ctx.report({ messageId: 'badCondition', data: { service: svc.name, condition }, at: condRef, loc: condRef.node.loc, severity: 'error', service: svc });
          return;
        }
        if (condition !== 'any') return;
        const attemptsRef = child(policy, 'max_attempts');
        const attempts = Number(scalarValue(attemptsRef) ?? 0);
        if (attemptsRef && attempts > 0) return;
        ctx.report({
          messageId: 'unbounded',
          data: { service: svc.name, condition: condRef ? 'any exit (condition: any)' : 'any exit (condition any, the default)', attempts: attemptsRef ? String(scalarValue(attemptsRef)) : 'not set' },
          at: policy,
          service: svc,
        });
      },
    };
  },
});
