import { child, deepest, keyLoc, scalarValue } from '../../src/model/access.js';
import { isReplicated, isStateful } from '../../src/model/service-class.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';

export default defineRule({
  meta: {
    id: 'update-config',
    description:
      'With target swarm, replicated services roll back a failed update by themselves (update_config.failure_action: rollback and a rollback_config); stateless ones update start-first.',
    severity: 'warning',
    category: 'availability',
    messages: {
      noRollback:
        'service "{{service}}" {{problems}}, so a failed update {{consequence}}; set deploy.update_config.failure_action: rollback and a deploy.rollback_config (such as {parallelism: 1, order: stop-first})',
      startFirst:
        'service "{{service}}" keeps no state and updates {{order}}, which stops the old task before the new one runs; set deploy.update_config.order: start-first for updates without downtime',
    },
  },
  create(ctx) {
    if (stackTarget(ctx.stack) !== 'swarm') return {};
    return {
      service(svc) {
        if (!isReplicated(svc)) return;
        const update = child(svc.deploy, 'update_config');
        const rollback = child(svc.deploy, 'rollback_config');
        const action = scalarValue(child(update, 'failure_action'));
        const problems: string[] = [];
        if (!update) problems.push('sets no deploy.update_config');
        else if (action !== 'rollback') problems.push(action === undefined || action === null ? 'does not set deploy.update_config.failure_action (the default is pause)' : `sets deploy.update_config.failure_action: ${String(action)}`);
        if (!rollback) problems.push('sets no deploy.rollback_config');
        if (problems.length > 0) {
          const at = action !== undefined && action !== 'rollback' ? child(update, 'failure_action')! : update ?? deepest(svc.ref, 'deploy');
          const consequence = !update || action !== 'rollback' ? 'pauses half-done and stays broken' : 'rolls back with swarm\'s default settings';
          ctx.report({ messageId: 'noRollback', data: { service: svc.name, problems: problems.join(' and '), consequence }, at, loc: at === update || !update ? keyLoc(at) : at.node.loc, service: svc });
        }
        if (isStateful(svc)) return;
        const orderRef = child(update, 'order');
        const order = scalarValue(orderRef);
        if (order === 'start-first') return;
        const at = orderRef ?? update ?? deepest(svc.ref, 'deploy');
        ctx.report({
          messageId: 'startFirst',
          data: { service: svc.name, order: order ? `with order: ${String(order)}` : 'stop-first (the default)' },
          at,
          loc: orderRef ? orderRef.node.loc : keyLoc(at),
          severity: 'info',
          service: svc,
        });
      },
    };
  },
});
