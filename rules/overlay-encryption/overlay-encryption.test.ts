import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, recordedSnapshot, service, snapshot } from '../../test/helpers/swarm-snapshot.js';

const ID = 'overlay-encryption';
const nodes = [node({ hostname: 'm1', role: 'manager', leader: true })];

function attach(svc: ReturnType<typeof service>, ...ids: string[]) {
  svc.Spec.TaskTemplate!.Networks = ids.map((Target) => ({ Target }));
  return svc;
}

describe(ID, () => {
  const web = attach(service({ name: 'shop_web', stack: 'shop' }), 'net-plain', 'net-secure');
  const api = attach(service({ name: 'shop_api', stack: 'shop' }), 'net-plain', 'net-host');
  const snap = {
    ...snapshot({ nodes, services: [web, api] }),
    networks: [
      { ID: 'net-plain', Name: 'shop_default', Driver: 'overlay', Scope: 'swarm' },
      { ID: 'net-secure', Name: 'shop_secure', Driver: 'overlay', Scope: 'swarm', Options: { encrypted: '' } },
      { ID: 'net-host', Name: 'host', Driver: 'host', Scope: 'swarm' },
      { ID: 'net-unused', Name: 'other', Driver: 'overlay', Scope: 'swarm' },
    ],
  };

  it('reports each unencrypted overlay network the audited services use, with those services', () => {
    const result = audit(snap);
    expect(findingsOf(result, ID)).toEqual([
      [
        'warning',
        'network shop_default',
        'overlay network "shop_default", used by 2 services "shop_api" and "shop_web", is not encrypted: traffic between their tasks on different nodes crosses the network as plain VXLAN; a network cannot be changed in place: create an encrypted one (`docker network create --driver overlay --opt encrypted NAME`, or `driver_opts: {encrypted: ""}` in the stack file) and move the services to it (CIS Docker Benchmark 7.3)',
      ],
    ]);
    expect(result.findings.find((f) => f.ruleId === ID)!.loc).toEqual({ kind: 'live', object: 'network shop_default', path: 'Options.encrypted' });
  });

  it('looks only at the networks of the services in scope', () => {
    expect(findingsOf(audit(snap, { services: ['shop_web'] }), ID).map((f) => f[2].replace(/ is not encrypted.*/, ''))).toEqual(['overlay network "shop_default", used by service "shop_web",']);
  });

  it('is quiet on snapshots without networks, or with networks named by `docker network ls` (no driver)', () => {
    expect(findingsOf(audit(recordedSnapshot('single-node')), ID)).toEqual([]);
    expect(findingsOf(audit({ ...snap, networks: snap.networks.map(({ ID, Name }) => ({ ID, Name })) }), ID)).toEqual([]);
  });
});
