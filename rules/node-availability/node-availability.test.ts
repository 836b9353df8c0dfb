import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, recordedSnapshot, snapshot } from '../../test/helpers/swarm-snapshot.js';
import { lintCase } from '../../test/helpers/rule-tester.js';

const ID = 'node-availability';

describe(ID, () => {
  it('reports the node that went down and the drained one, recorded from a real four-node swarm', () => {
    const f = findingsOf(audit(recordedSnapshot('multi-node')), ID);
    expect(f.map(([sev, obj]) => [sev, obj])).toEqual([
      ['error', 'node mgr-3'],
      ['warning', 'node wrk-1'],
    ]);
    expect(f[0]![2]).toMatch(/^node "mgr-3" \(manager\) is down \(the engine says: "heartbeat failure"\): it runs no tasks .*the managers lost one voter; .*`docker node rm [a-z0-9]{12}`/);
    expect(f[1]![2]).toMatch(/^node "wrk-1" \(worker\) is drained: .*`docker node update --availability active [a-z0-9]{12}`$/);
  });

  it('reports nothing on a healthy one-node swarm', () => {
    expect(findingsOf(audit(recordedSnapshot('single-node')), ID)).toEqual([]);
  });

  it('treats unknown and disconnected like down, and paused like drained', () => {
    const snap = snapshot({
      nodes: [
        node({ hostname: 'm', role: 'manager', leader: true }),
        node({ hostname: 'u', state: 'unknown' }),
        node({ hostname: 'd', state: 'disconnected', message: 'node is disconnected' }),
        node({ hostname: 'p', availability: 'pause' }),
      ],
    });
    const f = findingsOf(audit(snap), ID);
    expect(f.map(([sev, obj, msg]) => [sev, obj, msg.replace(/:.*/, '')])).toEqual([
      ['error', 'node d', 'node "d" (worker) is disconnected (the engine says'],
      ['warning', 'node p', 'node "p" (worker) is paused'],
      ['error', 'node u', 'node "u" (worker) is unknown'],
    ]);
  });

  it('names nodes that share a hostname by hostname and short id', () => {
    const a = node({ hostname: 'twin', state: 'down' });
    const b = node({ hostname: 'twin' });
    const f = findingsOf(audit(snapshot({ nodes: [node({ hostname: 'm', role: 'manager' }), a, b] })), ID);
    expect(f.map(([, obj]) => obj)).toEqual([`node twin (${a.ID.slice(0, 12)})`]);
  });

  it('never runs on a stack file', () => {
    expect(lintCase({ code: 'services:\n  a:\n    image: nginx\n' }, ID)).toEqual([]);
  });
});
