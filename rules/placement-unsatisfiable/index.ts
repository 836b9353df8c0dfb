import { at, items } from '../../src/model/access.js';
import { compareNames } from '../../src/model/collate.js';
import { defineRule } from '../../src/engine/types.js';
import { listing, plural } from '../../src/model/describe.js';
import type { LiveNode, LiveService } from '../../src/model/live-facts.js';
import { analysePlacement, nodeValues, type Constraint, type PlacementAnalysis } from '../../src/model/placement.js';

/**
 * A service's placement constraints (`node.role`, `node.hostname`, `node.labels.*`,
 * `engine.labels.*`, `node.platform.*`, `node.id`, `node.ip`) must be satisfied by some node that
 * takes tasks, or its tasks stay pending ("no suitable node"). With `max_replicas_per_node`, there
 * must be enough such nodes for every replica.
 */
export default defineRule({
  meta: {
    id: 'placement-unsatisfiable',
    description: 'Every service\'s placement constraints are satisfied by at least one active, ready node, and by enough of them for max_replicas_per_node.',
    severity: 'error',
    category: 'cluster',
    live: true,
    messages: {
      noNode: 'service "{{service}}" cannot be placed: {{why}}; fix the constraint, or label a node with `docker node update --label-add KEY=VALUE NODE`',
      noUsableNode:
        'service "{{service}}" can only run on {{nodes}} (its constraints: {{constraints}}), but {{state}}; bring {{them}} back or widen the constraints',
      tooFewNodes:
        'service "{{service}}" wants {{replicas}} replicas with at most {{max}} per node, but only {{eligible}} can take them: {{placeable}} can run; add nodes or raise max_replicas_per_node',
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        const live = stack.live;
        if (!live || live.nodes.length === 0) return;
        for (const svc of live.services) {
          if (svc.constraints.length === 0 && svc.maxReplicasPerNode === 0) continue;
          // scaled to 0: no task to place (swarm shows nothing pending)
          if (svc.mode === 'replicated' && svc.replicas === 0) continue;
          const p = analysePlacement(svc, live.nodes);
          if (p.matching.length === 0 && p.constraints.length > 0) {
            const culprit = worstConstraint(p);
            ctx.report({
              messageId: 'noNode',
              data: { service: svc.name, why: explain(p, live.nodes) },
              at: constraintRef(svc, culprit) ?? svc.loc('Spec.TaskTemplate.Placement.Constraints'),
              service: svc.model,
            });
            continue;
          }
          if (p.eligible.length === 0 && p.matching.length > 0) {
            ctx.report({
              messageId: 'noUsableNode',
              data: {
                service: svc.name,
                nodes: listing(p.matching.map((n) => `"${n.name}"`)),
                constraints: listing(p.constraints.map((c) => `"${c.raw}"`)),
                state: listing(p.matching.map((n) => `"${n.name}" is ${n.state !== 'ready' ? n.state : n.availability === 'drain' ? 'drained' : n.availability === 'pause' ? 'paused' : n.availability}`)),
                them: p.matching.length === 1 ? 'it' : 'them',
              },
              at: constraintRef(svc, p.constraints[0]) ?? svc.loc('Spec.TaskTemplate.Placement'),
              service: svc.model,
            });
            continue;
          }
          if (svc.mode === 'replicated' && svc.maxReplicasPerNode > 0 && svc.replicas !== null) {
            const placeable = p.eligible.length * svc.maxReplicasPerNode;
            if (svc.replicas > placeable) {
              const ref = at(svc.model.deploy, 'placement', 'max_replicas_per_node');
              ctx.report({
                messageId: 'tooFewNodes',
                data: { service: svc.name, replicas: svc.replicas, max: svc.maxReplicasPerNode, eligible: plural(p.eligible.length, 'node'), placeable: placeable },
                at: ref ?? svc.loc('Spec.TaskTemplate.Placement.MaxReplicas'),
                severity: 'warning',
                service: svc.model,
              });
            }
          }
        }
      },
    };
  },
});

/** The constraint that rules out the most nodes (the first of equals). */
function worstConstraint(p: PlacementAnalysis): Constraint | undefined {
  let worst: Constraint | undefined;
  let most = -1;
  for (const c of p.constraints) {
    const n = p.excludedBy.get(c)?.length ?? 0;
    if (n > most) {
      most = n;
      worst = c;
    }
  }
  return worst;
}

function explain(p: PlacementAnalysis, nodes: readonly LiveNode[]): string {
  const total = nodes.length;
  const alone = p.constraints.filter((c) => (p.excludedBy.get(c)?.length ?? 0) === total);
  if (alone.length === 0) {
    return `no node satisfies all of ${listing(p.constraints.map((c) => `"${c.raw}"`))} together (each holds on some node, never all on one)`;
  }
  return alone
    .map((c) => {
      const seen = describeValues(c, nodes);
      return `no node satisfies "${c.raw}" (${seen})`;
    })
    .join('; ');
}

/** What the nodes have for the constraint's key: `zone is "earth" on a; unset on b, c`. */
function describeValues(c: Constraint, nodes: readonly LiveNode[]): string {
  const byValue = new Map<string, string[]>();
  for (const n of nodes) {
    const v = nodeValues(c.key, n)?.[0] ?? '';
    const list = byValue.get(v) ?? [];
    list.push(n.name);
    byValue.set(v, list);
  }
  const label = /^(node|engine)\.labels\./i.test(c.key);
  const parts: string[] = [];
  for (const [v, names] of [...byValue].sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : compareNames(a, b)))) {
    const who = listing(names.map((n) => `"${n}"`), 3);
    parts.push(v === '' ? (label ? `unset on ${who}` : `empty on ${who}`) : `"${v}" on ${who}`);
  }
  const key = label ? `${c.key.startsWith('engine') ? 'engine label' : 'label'} ${c.key.replace(/^(node|engine)\.labels\./i, '')}` : c.key;
  return `${plural(nodes.length, 'node')}: ${key} is ${parts.join('; ')}`;
}

/** The model node of a constraint, so the finding points at `Spec.TaskTemplate.Placement.Constraints[i]`. */
function constraintRef(svc: LiveService, c: Constraint | undefined) {
  if (!c) return undefined;
  const list = items(at(svc.model.deploy, 'placement', 'constraints'));
  const i = svc.constraints.indexOf(c.raw);
  return i >= 0 ? list[i] : undefined;
}
