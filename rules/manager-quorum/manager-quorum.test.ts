import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, recordedSnapshot, snapshot, type NodeSpec } from '../../test/helpers/swarm-snapshot.js';

const ID = 'manager-quorum';

function managers(...reach: Array<NodeSpec['reachability']>) {
  return reach.map((r, i) => node({ hostname: `m${i + 1}`, role: 'manager', leader: i === 0, reachability: r, state: r === 'reachable' ? 'ready' : 'down' }));
}

describe(ID, () => {
  it('warns about a single manager (recorded one-node swarm)', () => {
    expect(findingsOf(audit(recordedSnapshot('single-node')), ID)).toEqual([
      [
        'warning',
        'swarm',
        'the swarm has one manager ("solo-1"): if it fails, no service can be created, updated or rescheduled (no fault tolerance); promote two workers with `docker node promote` to run 3 managers, which tolerate 1 failure',
      ],
    ]);
  });

  it('reports the unreachable manager and the margin left (recorded four-node swarm)', () => {
    expect(findingsOf(audit(recordedSnapshot('multi-node')), ID)).toEqual([
      [
        'error',
        'node mgr-3',
        'manager "mgr-3" is unreachable (node down: "heartbeat failure"): 2 of 3 managers are reachable and a majority is 2; one more manager failure loses the quorum and freezes the cluster: bring this manager back, or demote and remove it (`docker node demote`, `docker node rm`) and promote a healthy node',
      ],
    ]);
  });

  it('is quiet with 3 or 5 reachable managers', () => {
    expect(findingsOf(audit(snapshot({ nodes: managers('reachable', 'reachable', 'reachable') })), ID)).toEqual([]);
    expect(findingsOf(audit(snapshot({ nodes: [...managers('reachable', 'reachable', 'reachable', 'reachable', 'reachable'), node({ hostname: 'w' })] })), ID)).toEqual([]);
  });

  it('warns about an even number of managers', () => {
    expect(findingsOf(audit(snapshot({ nodes: managers('reachable', 'reachable') })), ID)).toEqual([
      ['warning', 'swarm', 'the swarm has 2 managers: an even number tolerates no more failures than 1 (both tolerate 0 failures) yet needs a larger majority (2); run 1 or 3 managers'],
    ]);
    expect(findingsOf(audit(snapshot({ nodes: managers('reachable', 'reachable', 'reachable', 'reachable') })), ID)[0]![2]).toBe(
      'the swarm has 4 managers: an even number tolerates no more failures than 3 (both tolerate 1 failure) yet needs a larger majority (3); run 3 or 5 managers',
    );
  });

  it('says when the quorum is lost, and how many more failures are tolerated otherwise', () => {
    const lost = findingsOf(audit(snapshot({ nodes: managers('reachable', 'unreachable', 'unreachable') })), ID);
    expect(lost).toHaveLength(2);
    expect(lost[0]![2]).toContain('1 of 3 managers are reachable and a majority is 2; the swarm has lost its quorum');
    const five = findingsOf(audit(snapshot({ nodes: managers('reachable', 'reachable', 'reachable', 'reachable', 'unreachable') })), ID);
    expect(five).toHaveLength(1);
    expect(five[0]![2]).toContain('4 of 5 managers are reachable and a majority is 3; the swarm still tolerates 1 more failure');
  });

  it('counts Raft members: a worker promoted while down has the role but no manager status, and is no lost quorum', () => {
    const leader = node({ hostname: 'm1', role: 'manager', leader: true });
    const promoted = { ...node({ hostname: 'w1', role: 'manager', state: 'down', message: 'heartbeat failure' }), ManagerStatus: null };
    const found = findingsOf(audit(snapshot({ nodes: [leader, promoted] })), ID);
    expect(found).toEqual([
      [
        'warning',
        'node w1',
        'node "w1" has the manager role but is not a member of the managers\' Raft group (node down: "heartbeat failure"): it neither votes nor adds fault tolerance until it is up and has joined; bring the node back, or demote it (`docker node demote w1`)',
      ],
      ['warning', 'swarm', expect.stringContaining('the swarm has one manager ("m1")')],
    ]);
    expect(found.map((f) => f[2]).join('\n')).not.toMatch(/quorum|force-new-cluster/);
  });

  it('recommends --force-new-cluster only when a majority of the Raft members is unreachable', () => {
    const margin0 = findingsOf(audit(snapshot({ nodes: managers('reachable', 'reachable', 'unreachable') })), ID);
    expect(margin0.map((f) => f[2]).join('\n')).not.toContain('force-new-cluster');
    const lost = findingsOf(audit(snapshot({ nodes: managers('reachable', 'unreachable', 'unreachable') })), ID);
    expect(lost[0]![2]).toContain('only if they cannot come back, rebuild it from a surviving manager with `docker swarm init --force-new-cluster`');
  });
});
