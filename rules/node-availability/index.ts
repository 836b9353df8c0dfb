import { defineRule } from '../../src/engine/types.js';

/**
 * Every node of the swarm is up and takes tasks. A node that is down, unknown or disconnected is
 * an error (its tasks were moved elsewhere, or are lost); a drained or paused node is a warning (an
 * operator took it out, and it should not stay out by accident).
 */
export default defineRule({
  meta: {
    id: 'node-availability',
    description: 'Every swarm node is ready and active: a node down, unknown or disconnected is an error, a drained or paused node a warning.',
    severity: 'error',
    category: 'cluster',
    live: true,
    messages: {
      notReady:
        'node "{{node}}" ({{role}}) is {{state}}{{message}}: it runs no tasks and its tasks were moved to other nodes{{managerNote}}; restart its engine or fix its network (address {{addr}}), or remove it with `docker node rm {{id}}` if it is gone for good',
      drained:
        'node "{{node}}" ({{role}}) is drained: it runs no tasks, so the other nodes carry its load; when its maintenance is done run `docker node update --availability active {{id}}`',
      paused:
        'node "{{node}}" ({{role}}) is paused: it keeps its tasks but takes no new ones; when done run `docker node update --availability active {{id}}`',
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        for (const n of stack.live?.nodes ?? []) {
          const common = { node: n.name, role: n.role, id: n.id.slice(0, 12) };
          if (n.state !== 'ready') {
            ctx.report({
              messageId: 'notReady',
              data: {
                ...common,
                state: n.state,
                message: n.message ? ` (the engine says: "${n.message}")` : '',
                managerNote: n.manager !== null ? ', and the managers lost one voter' : '',
                addr: n.addr || 'unknown',
              },
              at: n.loc('Status.State'),
            });
          }
          if (n.availability === 'drain') {
            ctx.report({ messageId: 'drained', data: common, at: n.loc('Spec.Availability'), severity: 'warning' });
          } else if (n.availability === 'pause') {
            ctx.report({ messageId: 'paused', data: common, at: n.loc('Spec.Availability'), severity: 'warning' });
          }
        }
      },
    };
  },
});
