import { describe, expect, it } from 'vitest';
import { matches, parseConstraint } from '../../src/model/placement.js';
import { buildNodes } from '../../src/audit/live-model.js';
import { audit, findingsOf, node, recordedSnapshot, service, snapshot } from '../../test/helpers/swarm-snapshot.js';

const ID = 'placement-unsatisfiable';

describe(ID, () => {
  it('reports the label no node has, on the recorded one-node swarm, at the constraint', () => {
    const result = audit(recordedSnapshot('single-node'));
    expect(findingsOf(result, ID)).toEqual([
      [
        'error',
        'service shop_nowhere',
        'service "shop_nowhere" cannot be placed: no node satisfies "node.labels.zone == mars" (1 node: label zone is unset on "solo-1"); fix the constraint, or label a node with `docker node update --label-add KEY=VALUE NODE`',
      ],
    ]);
    const f = result.findings.find((x) => x.ruleId === ID)!;
    expect(f.loc).toEqual({ kind: 'live', object: 'service shop_nowhere', path: 'Spec.TaskTemplate.Placement.Constraints[0]' });
    expect(f.path).toBe('services.shop_nowhere.deploy.placement.constraints[0]');
  });

  it('reports the recorded four-node cases: a missing label, a drained node, too few nodes', () => {
    expect(findingsOf(audit(recordedSnapshot('multi-node')), ID).map(([sev, obj, msg]) => [sev, obj, msg.replace(/;.*$/, '')])).toEqual([
      ['error', 'service edge_nowhere', 'service "edge_nowhere" cannot be placed: no node satisfies "node.labels.zone == mars" (4 nodes: label zone is "earth" on "mgr-2"'],
      ['error', 'service edge_pinned', 'service "edge_pinned" can only run on "wrk-1" (its constraints: "node.hostname == wrk-1"), but "wrk-1" is drained'],
      ['warning', 'service edge_spread', 'service "edge_spread" wants 3 replicas with at most 1 per node, but only 2 nodes can take them: 2 can run'],
    ]);
  });

  const nodes = [
    node({ hostname: 'm1', role: 'manager', leader: true, labels: { zone: 'a' }, engineLabels: { disk: 'ssd' } }),
    node({ hostname: 'w1', labels: { zone: 'b', gpu: 'yes' }, arch: 'aarch64', addr: '192.168.1.20' }),
  ];

  it('says when each constraint holds somewhere but never all on one node', () => {
    const svc = service({ name: 'both', constraints: ['node.labels.zone == a', 'node.labels.gpu == yes'] });
    expect(findingsOf(audit(snapshot({ nodes, services: [svc] })), ID)[0]![2]).toBe(
      'service "both" cannot be placed: no node satisfies all of "node.labels.zone == a" and "node.labels.gpu == yes" together (each holds on some node, never all on one); fix the constraint, or label a node with `docker node update --label-add KEY=VALUE NODE`',
    );
  });

  it('evaluates constraints as swarmkit does', () => {
    const ok = [
      'node.role==manager',
      'node.role != worker',
      'node.hostname == W1',
      'node.labels.gpu != no',
      'node.labels.missing != x',
      'engine.labels.disk == ssd',
      'node.platform.arch == arm64',
      'node.platform.os == linux',
      'node.ip == 192.168.1.0/24',
      'node.id != nothing',
    ];
    const svcs = ok.map((c, i) => service({ name: `ok${i}`, constraints: [c] }));
    expect(findingsOf(audit(snapshot({ nodes, services: svcs })), ID)).toEqual([]);
    const [m1, w1] = buildNodes(nodes).sort((a, b) => a.name.localeCompare(b.name));
    const c = (s: string) => parseConstraint(s)!;
    expect(matches(c('node.labels.Zone == a'), m1!)).toBe(false); // label names are case-sensitive
    expect(matches(c('node.labels.zone == A'), m1!)).toBe(true); // values are not
    expect(matches(c('node.ip == 10.0.0.0/8'), w1!)).toBe(false);
    expect(matches(c('node.unknown == x'), w1!)).toBeNull();
    expect(parseConstraint('nonsense')).toBeNull();
  });

  it('says nothing of a service scaled to 0: it has no task to place', () => {
    const svc = service({ name: 'zero', replicas: 0, constraints: ['node.hostname == nosuchhost'] });
    expect(findingsOf(audit(snapshot({ nodes, services: [svc] })), ID)).toEqual([]);
    expect(findingsOf(audit(snapshot({ nodes, services: [service({ name: 'one', replicas: 1, constraints: ['node.hostname == nosuchhost'] })] })), ID)).toHaveLength(1);
  });

  it('reports a service whose only nodes are down', () => {
    const down = node({ hostname: 'gpu-1', labels: { gpu: 'yes' }, state: 'down' });
    const svc = service({ name: 'ml', constraints: ['node.labels.gpu == yes'] });
    expect(findingsOf(audit(snapshot({ nodes: [nodes[0]!, down], services: [svc] })), ID)[0]![2]).toBe(
      'service "ml" can only run on "gpu-1" (its constraints: "node.labels.gpu == yes"), but "gpu-1" is down; bring it back or widen the constraints',
    );
  });
});
