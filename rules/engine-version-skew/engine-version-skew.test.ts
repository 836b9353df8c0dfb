import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, recordedSnapshot, snapshot } from '../../test/helpers/swarm-snapshot.js';

const ID = 'engine-version-skew';

function withVersion(n: ReturnType<typeof node>, version: string) {
  n.Description!.Engine!.EngineVersion = version;
  return n;
}

describe(ID, () => {
  it('is quiet when every node runs the same version (recorded swarms too)', () => {
    expect(findingsOf(audit(snapshot({ nodes: [node({ hostname: 'm1', role: 'manager', leader: true }), node({ hostname: 'w1' })] })), ID)).toEqual([]);
    expect(findingsOf(audit(recordedSnapshot('multi-node')), ID)).toEqual([]);
  });

  it('warns about nodes of another minor or major version, newest last, and suggests upgrading to it', () => {
    const nodes = [
      withVersion(node({ hostname: 'm1', role: 'manager', leader: true }), '24.0.7'),
      withVersion(node({ hostname: 'w1' }), '20.10.24'),
      withVersion(node({ hostname: 'w2' }), '24.0.7'),
    ];
    expect(findingsOf(audit(snapshot({ nodes })), ID)).toEqual([
      [
        'warning',
        'swarm',
        'the swarm\'s nodes run 2 Docker Engine versions: 20.10.24 on "w1"; 24.0.7 on "m1" and "w2"; upgrade the older nodes to 24.0.7 (managers first, one at a time: `docker node update --availability drain`, upgrade, then `--availability active`)',
      ],
    ]);
  });

  it('is information when only the patch level differs (20.10.9 sorts before 20.10.24)', () => {
    const nodes = [withVersion(node({ hostname: 'm1', role: 'manager', leader: true }), '20.10.24'), withVersion(node({ hostname: 'w1' }), '20.10.9')];
    expect(findingsOf(audit(snapshot({ nodes })), ID)).toEqual([
      ['info', 'swarm', 'the swarm\'s nodes run 2 Docker Engine versions: 20.10.9 on "w1"; 20.10.24 on "m1"; they differ in patch level only: bring them to the newest when convenient'],
    ]);
  });
});
