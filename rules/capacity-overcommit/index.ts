import { defineRule } from '../../src/engine/types.js';
import { computeCapacity, formatCpus, formatSize } from '../../src/model/capacity.js';
import { listing, plural } from '../../src/model/describe.js';
import { isNodeUsable, type LiveNode } from '../../src/model/live-facts.js';
import { analysePlacement } from '../../src/model/placement.js';
import { maxOf } from '../../src/parse/collect.js';

export type CapacityOvercommitOptions = {
  /** share of a node's CPUs or memory reserved from which the node is reported as nearly full (0..1) */
  warnAt: number;
};

/**
 * Reservations are what the scheduler promises a task: per node, the reservations of the tasks
 * placed there must fit its CPUs and memory, and a service's reservation must fit on some node
 * it may run on, or its tasks wait forever as "insufficient resources".
 */
export default defineRule<CapacityOvercommitOptions>({
  meta: {
    id: 'capacity-overcommit',
    description: 'Per node, the reservations of the tasks placed there fit its CPUs and memory; every service reservation fits on at least one node it may run on.',
    severity: 'error',
    category: 'cluster',
    live: true,
    messages: {
      overcommitted:
        'node "{{node}}" has {{reserved}} of {{what}} reserved by {{tasks}} but only {{total}} ({{percent}}%): tasks on it may be starved or killed; move services elsewhere or lower their reservations',
      nearlyFull:
        'node "{{node}}" has {{percent}}% of its {{what}} reserved ({{reserved}} of {{total}}, {{tasks}}): a rescheduled or scaled task may not fit; keep reservations below {{limit}}% or add capacity',
      fitsNowhere:
        'service "{{service}}" reserves {{reserved}} of {{what}} per task but the largest node it may run on has {{largest}} ({{nodes}}): no node can ever run it; lower deploy.resources.reservations.{{key}} or add a larger node',
    },
    options: {
      schema: { type: 'object', additionalProperties: false, properties: { warnAt: { type: 'number', exclusiveMinimum: 0, maximum: 1 } } },
      defaults: { warnAt: 0.9 },
    },
  },
  create(ctx) {
    const warnAt = ctx.options.warnAt ?? 0.9;
    return {
      stack(stack) {
        const live = stack.live;
        if (!live) return;
        for (const c of computeCapacity(live)) {
          const tasks = plural(c.tasks.length, 'task');
          for (const [what, r, show, path] of [
            ['CPU', c.cpu, formatCpus, 'Description.Resources.NanoCPUs'],
            ['memory', c.memory, formatSize, 'Description.Resources.MemoryBytes'],
          ] as const) {
            if (r.total <= 0 || r.reserved <= 0) continue;
            const share = r.reserved / r.total;
            const data = { node: c.node.name, what, reserved: show(r.reserved), total: show(r.total), percent: Math.round(share * 100), tasks, limit: Math.round(warnAt * 100) };
            if (share > 1) ctx.report({ messageId: 'overcommitted', data, at: c.node.loc(path) });
            else if (share >= warnAt) ctx.report({ messageId: 'nearlyFull', data, at: c.node.loc(path), severity: 'warning' });
          }
        }
        // the usable nodes, and the largest node of each list of candidates, once: most services share
        // their placement (`analysePlacement` returns one list per node list and set of constraints)
        let usable: LiveNode[] | undefined;
        const largestOf = new Map<readonly LiveNode[], { cpus: number; memory: number }>();
        for (const svc of live.services) {
          if (svc.reservation.nanoCpus <= 0 && svc.reservation.memoryBytes <= 0) continue;
          const placement = analysePlacement(svc, live.nodes);
          // the nodes it may run on; when none (placement-unsatisfiable reports that), every usable node
          let candidates: readonly LiveNode[] = placement.eligible;
          if (candidates.length === 0) candidates = usable ??= live.nodes.filter(isNodeUsable);
          if (candidates.length === 0) continue;
          let largestNode = largestOf.get(candidates);
          if (!largestNode) largestOf.set(candidates, (largestNode = { cpus: maxOf(candidates, cpusOf), memory: maxOf(candidates, memoryOf) }));
          for (const [what, key, reserved, total, show, located] of [
            ['CPU', 'cpus', svc.reservation.nanoCpus, cpusOf, formatCpus, svc.model.reservations.cpus],
            ['memory', 'memory', svc.reservation.memoryBytes, memoryOf, formatSize, svc.model.reservations.memory],
          ] as const) {
            if (reserved <= 0) continue;
            const largest = largestNode[key];
            if (reserved <= largest) continue;
            ctx.report({
              messageId: 'fitsNowhere',
              data: {
                service: svc.name,
                what,
                key,
                reserved: show(reserved),
                largest: show(largest),
                nodes: listing(candidates.map((n) => `${n.name}: ${show(total(n))}`), 4),
              },
              at: located ?? svc.loc(`Spec.TaskTemplate.Resources.Reservations.${key === 'cpus' ? 'NanoCPUs' : 'MemoryBytes'}`),
              service: svc.model,
            });
          }
        }
      },
    };
  },
});

const cpusOf = (n: LiveNode): number => n.nanoCpus;
const memoryOf = (n: LiveNode): number => n.memoryBytes;
