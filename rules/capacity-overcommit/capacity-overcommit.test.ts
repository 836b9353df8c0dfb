import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, recordedSnapshot, running, service, snapshot, task } from '../../test/helpers/swarm-snapshot.js';

const ID = 'capacity-overcommit';
const GiB = 1024 ** 3;

describe(ID, () => {
  it('reports the recorded service that reserves more memory than any node has', () => {
    const result = audit(recordedSnapshot('single-node'));
    expect(findingsOf(result, ID)).toEqual([
      [
        'error',
        'service shop_hog',
        'service "shop_hog" reserves 2 TiB of memory per task but the largest node it may run on has 23.5 GiB (solo-1: 23.5 GiB): no node can ever run it; lower deploy.resources.reservations.memory or add a larger node',
      ],
    ]);
    const f = result.findings.find((x) => x.ruleId === ID)!;
    expect(f.loc).toEqual({ kind: 'live', object: 'service shop_hog', path: 'Spec.TaskTemplate.Resources.Reservations.MemoryBytes' });
    expect(f.path).toBe('services.shop_hog.deploy.resources.reservations.memory');
  });

  it('sums the reservations of the tasks on each node: over 100% is an error, from warnAt (90%) a warning', () => {
    const small = node({ hostname: 'small', role: 'manager', leader: true, cpus: 2, memoryGiB: 4 });
    const big = node({ hostname: 'big', cpus: 16, memoryGiB: 64 });
    const db = service({ name: 'db', replicas: 1, reserve: { cpus: 1.5, memory: 3.8 * GiB } });
    const api = service({ name: 'api', replicas: 4, reserve: { cpus: 1, memory: 1 * GiB } });
    const tasks = [
      ...running(db, [small], 1),
      task({ service: api, node: small, state: 'running', slot: 1 }),
      ...running(api, [big], 3),
      // tasks that hold nothing: finished, or not placed
      task({ service: api, node: small, state: 'shutdown', desired: 'shutdown', slot: 2 }),
      task({ service: api, state: 'pending', slot: 4, err: 'no suitable node' }),
    ];
    const result = audit(snapshot({ nodes: [small, big], services: [db, api], tasks }));
    expect(findingsOf(result, ID)).toEqual([
      ['error', 'node small', 'node "small" has 2.5 CPUs of CPU reserved by 2 tasks but only 2 CPUs (125%): tasks on it may be starved or killed; move services elsewhere or lower their reservations'],
      ['error', 'node small', 'node "small" has 4.8 GiB of memory reserved by 2 tasks but only 4 GiB (120%): tasks on it may be starved or killed; move services elsewhere or lower their reservations'],
    ]);
    const cap = result.capacity.find((c) => c.node.name === 'big')!;
    expect([cap.tasks.length, cap.cpu.reserved / 1e9, cap.memory.reserved / GiB]).toEqual([3, 3, 3]);
    const nearly = audit(snapshot({ nodes: [small], services: [db], tasks: running(db, [small], 1) }));
    expect(findingsOf(nearly, ID)).toEqual([
      ['warning', 'node small', 'node "small" has 95% of its memory reserved (3.8 GiB of 4 GiB, 1 task): a rescheduled or scaled task may not fit; keep reservations below 90% or add capacity'],
    ]);
    const relaxed = audit(snapshot({ nodes: [small], services: [db], tasks: running(db, [small], 1) }), { settings: { [ID]: { options: { warnAt: 0.99 } } } });
    expect(findingsOf(relaxed, ID)).toEqual([]);
  });

  it('measures a reservation against the nodes the service may run on', () => {
    const small = node({ hostname: 'small', role: 'manager', leader: true, cpus: 2, memoryGiB: 4 });
    const big = node({ hostname: 'big', cpus: 16, memoryGiB: 64 });
    const anywhere = service({ name: 'anywhere', reserve: { cpus: 8 } });
    const onManagers = service({ name: 'on-managers', reserve: { cpus: 8 }, constraints: ['node.role == manager'] });
    expect(findingsOf(audit(snapshot({ nodes: [small, big], services: [anywhere, onManagers] })), ID)).toEqual([
      [
        'error',
        'service on-managers',
        'service "on-managers" reserves 8 CPUs of CPU per task but the largest node it may run on has 2 CPUs (small: 2 CPUs): no node can ever run it; lower deploy.resources.reservations.cpus or add a larger node',
      ],
    ]);
  });
});
