import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, recordedSnapshot, snapshot, withSwarmSettings } from '../../test/helpers/swarm-snapshot.js';

const ID = 'swarm-autolock';
const nodes = [node({ hostname: 'm1', role: 'manager', leader: true })];

describe(ID, () => {
  it('warns when the managers are not auto-locked, at the setting', () => {
    const result = audit(withSwarmSettings(snapshot({ nodes }), { autolock: false }));
    expect(findingsOf(result, ID)).toEqual([
      [
        'warning',
        'swarm',
        "the swarm's managers are not auto-locked (EncryptionConfig.AutoLockManagers is false): the key that decrypts the Raft logs, and with them every secret, lies on each manager's disk; turn autolock on with `docker swarm update --autolock=true` and keep the unlock key it prints somewhere safe (CIS Docker Benchmark 7.5)",
      ],
    ]);
    const f = result.findings.find((x) => x.ruleId === ID)!;
    expect(f.loc).toEqual({ kind: 'live', object: 'swarm', path: 'Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers' });
    expect(f.line).toBe(0);
  });

  it('is quiet with autolock on, and on a snapshot that does not show the setting', () => {
    expect(findingsOf(audit(withSwarmSettings(snapshot({ nodes }), { autolock: true })), ID)).toEqual([]);
    expect(findingsOf(audit(snapshot({ nodes })), ID)).toEqual([]);
    expect(findingsOf(audit(recordedSnapshot('single-node')), ID)).toEqual([]);
  });
});
