import { swarmLoc } from '../../src/parse/location.js';
import { defineRule } from '../../src/engine/types.js';
import { plural } from '../../src/model/describe.js';
import type { LiveNode } from '../../src/model/live-facts.js';

/**
 * The swarm's managers keep the cluster state with Raft: a majority (quorum) of them must be
 * reachable for anything to change. One manager tolerates no failure; an even number tolerates no
 * more failures than one manager fewer; an unreachable manager eats into the margin.
 * The managers counted are the Raft members (nodes with a `ManagerStatus`, as `docker info` counts
 * `Swarm.Managers`), not the nodes whose spec says manager: a node promoted while it is down has
 * the role but has not joined, and neither counts nor votes until it does.
 */
export default defineRule({
  meta: {
    id: 'manager-quorum',
    description: 'The swarm has an odd number of managers, more than one, and all of them reachable, so that it keeps its Raft quorum when a manager fails.',
    severity: 'error',
    category: 'cluster',
    live: true,
    messages: {
      single:
        'the swarm has one manager ("{{node}}"): if it fails, no service can be created, updated or rescheduled (no fault tolerance); promote two workers with `docker node promote` to run 3 managers, which tolerate 1 failure',
      even:
        'the swarm has {{count}} managers: an even number tolerates no more failures than {{odd}} ({{tolerates}}) yet needs a larger majority ({{quorum}}); run {{better}} managers',
      unreachable:
        'manager "{{node}}" is {{reachability}}{{message}}: {{reachable}} of {{count}} managers are reachable and a majority is {{quorum}}; {{consequence}}',
      notJoined:
        'node "{{node}}" has the manager role but is not a member of the managers\' Raft group{{message}}: it neither votes nor adds fault tolerance until it is up and has joined; bring the node back, or demote it (`docker node demote {{node}}`)',
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        const live = stack.live;
        if (!live) return;
        // Raft members: the nodes with a manager status (a node being demoted still has one)
        const managers = live.nodes.filter((n) => n.manager !== null);
        for (const n of live.nodes) {
          if (n.role !== 'manager' || n.manager !== null) continue;
          ctx.report({ messageId: 'notJoined', data: { node: n.name, message: nodeState(n) }, at: n.loc('ManagerStatus'), severity: 'warning' });
        }
        const count = managers.length;
        if (count === 0) return;
        const quorum = Math.floor(count / 2) + 1;
        if (count === 1) {
          ctx.report({ messageId: 'single', data: { node: managers[0]!.name }, at: swarmLoc('Swarm.Managers'), severity: 'warning' });
        } else if (count % 2 === 0) {
          const odd = count - 1;
          ctx.report({
            messageId: 'even',
            data: { count, odd, tolerates: `both tolerate ${plural(Math.floor((odd - 1) / 2), 'failure')}`, quorum, better: `${count - 1} or ${count + 1}` },
            at: swarmLoc('Swarm.Managers'),
            severity: 'warning',
          });
        }
        const unreachable = managers.filter((m) => m.manager?.reachability !== 'reachable');
        const reachable = count - unreachable.length;
        const margin = reachable - quorum;
        const consequence =
          margin < 0
            ? 'the swarm has lost its quorum: it cannot change or reschedule anything until enough managers are back; only if they cannot come back, rebuild it from a surviving manager with `docker swarm init --force-new-cluster`'
            : margin === 0
              ? 'one more manager failure loses the quorum and freezes the cluster: bring this manager back, or demote and remove it (`docker node demote`, `docker node rm`) and promote a healthy node'
              : `the swarm still tolerates ${plural(margin, 'more failure')}; bring this manager back or replace it`;
        for (const m of unreachable) {
          ctx.report({
            messageId: 'unreachable',
            data: {
              node: m.name,
              reachability: m.manager?.reachability ?? 'unknown',
              message: nodeState(m),
              reachable,
              count,
              quorum,
              consequence,
            },
            at: m.loc('ManagerStatus.Reachability'),
          });
        }
      },
    };
  },
});

/** ` (node down: "heartbeat failure")` for a node that is not ready, else nothing. */
function nodeState(n: LiveNode): string {
  return n.state !== 'ready' ? ` (node ${n.state}${n.message ? `: "${n.message}"` : ''})` : '';
}
