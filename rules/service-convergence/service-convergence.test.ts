import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, recordedSnapshot, running, service, snapshot, task } from '../../test/helpers/swarm-snapshot.js';

const ID = 'service-convergence';

describe(ID, () => {
  it('reports the services of the recorded one-node swarm that do not run, quoting the last task error', () => {
    const f = findingsOf(audit(recordedSnapshot('single-node')), ID);
    expect(f.map(([sev, obj]) => [sev, obj])).toEqual([
      ['error', 'service shop_crash'],
      ['error', 'service shop_hog'],
      ['error', 'service shop_nowhere'],
    ]);
    expect(f[0]![2]).toMatch(/^service "shop_crash" runs 0 of 1 replica \(\d+ tasks failed or rejected in its history\); last task error: "task: non-zero exit \(1\)" \(task failed on node "solo-1", exit code 1, \d+ s before the audit\)$/);
    expect(f[1]![2]).toMatch(/^service "shop_hog" runs 0 of 1 replica; last task error: "no suitable node \(insufficient resources on 1 node\)" \(task pending \(not placed on any node\), \d+ s before the audit\)$/);
  });

  it('reports rejected tasks on the recorded four-node swarm', () => {
    const f = findingsOf(audit(recordedSnapshot('multi-node')), ID);
    const spread = f.find(([, obj]) => obj === 'service edge_spread');
    expect(spread?.[2]).toMatch(/runs 1 of 3 replicas \(\d+ tasks failed or rejected in its history\); last task error: ".*" \(task rejected on node "mgr-1"/);
  });

  const nodes = [node({ hostname: 'm', role: 'manager', leader: true }), node({ hostname: 'w' })];

  it('is quiet when every replica runs, and a warning while tasks are still starting', () => {
    const ok = service({ name: 'ok', replicas: 2 });
    const starting = service({ name: 'starting', replicas: 2 });
    const snap = snapshot({
      nodes,
      services: [ok, starting],
      tasks: [...running(ok, nodes, 2), task({ service: starting, node: nodes[0], state: 'running' }), task({ service: starting, node: nodes[1], state: 'preparing', slot: 2 })],
    });
    expect(findingsOf(audit(snap), ID)).toEqual([
      ['warning', 'service starting', 'service "starting" runs 1 of 2 replicas; 1 still on the way (1 preparing): audit again once the tasks have started'],
    ]);
  });

  it('warns about a service at full strength whose tasks keep failing (maxFailures, default 3)', () => {
    const flappy = service({ name: 'flappy', replicas: 1 });
    const tasks = [
      task({ service: flappy, node: nodes[0], state: 'running', ago: 5 }),
      task({ service: flappy, node: nodes[0], state: 'failed', err: 'task: non-zero exit (137)', exitCode: 137, ago: 120 }),
      task({ service: flappy, node: nodes[1], state: 'failed', err: 'task: non-zero exit (137)', exitCode: 137, ago: 600 }),
    ];
    expect(findingsOf(audit(snapshot({ nodes, services: [flappy], tasks })), ID)).toEqual([]);
    tasks.push(task({ service: flappy, node: nodes[1], state: 'rejected', err: 'No such image: app:1.0', ago: 3600 }));
    expect(findingsOf(audit(snapshot({ nodes, services: [flappy], tasks })), ID)).toEqual([
      [
        'warning',
        'service flappy',
        'service "flappy" runs all 1 replica, but 3 of its recent tasks failed or were rejected; last: "task: non-zero exit (137)" (task failed on node "m", exit code 137, 2 min before the audit); look at `docker service ps --no-trunc flappy`',
      ],
    ]);
    const strict = audit(snapshot({ nodes, services: [flappy], tasks: tasks.slice(0, 2) }), { settings: { [ID]: { options: { maxFailures: 1 } } } });
    expect(findingsOf(strict, ID)).toHaveLength(1);
  });

  it('counts a global service against the nodes it may run on', () => {
    const agent = service({ name: 'agent', mode: 'global', constraints: ['node.role == worker'] });
    const drained = node({ hostname: 'w2', availability: 'drain' });
    const all = [...nodes, drained];
    const ok = snapshot({ nodes: all, services: [agent], tasks: [task({ service: agent, node: nodes[1], state: 'running' })] });
    expect(findingsOf(audit(ok), ID)).toEqual([]);
    const missing = snapshot({ nodes: all, services: [agent], tasks: [task({ service: agent, node: nodes[1], state: 'failed', err: 'oom', exitCode: 137 })] });
    expect(findingsOf(audit(missing), ID)[0]![2]).toMatch(/^service "agent" runs 0 of 1 task \(global: one per eligible node\) \(1 task failed or rejected in its history\); last task error: "oom"/);
  });

  it('reports a paused update (error) and a rollback (warning)', () => {
    const paused = service({ name: 'paused', update: { state: 'paused', message: 'update paused due to failure or early termination of task x' } });
    const rolled = service({ name: 'rolled', update: { state: 'rollback_completed', message: 'rollback completed' } });
    const snap = snapshot({ nodes, services: [paused, rolled], tasks: [...running(paused, nodes, 1), ...running(rolled, nodes, 1)] });
    expect(findingsOf(audit(snap), ID)).toEqual([
      [
        'error',
        'service paused',
        'service "paused": its last update is paused ("update paused due to failure or early termination of task x"); fix the cause, then resume with `docker service update paused` (or roll back with `docker service rollback paused`)',
      ],
      [
        'warning',
        'service rolled',
        'service "rolled": its last update was rolled back ("rollback completed"); the new version did not start healthy: the service runs its previous spec, not the one last deployed',
      ],
    ]);
  });

  describe('jobs: the current run completes as many tasks as the job asks for', () => {
    const done = (svc: ReturnType<typeof service>, n: number, ago = 300) =>
      Array.from({ length: n }, (_, i) => task({ service: svc, node: nodes[i % 2], state: 'complete', desired: 'complete', slot: i + 1, ago }));

    it('a completed replicated job, and a global job complete on every eligible node, are fine', () => {
      const migrate = service({ name: 'migrate', mode: 'replicated-job', completions: 3 });
      const everywhere = service({ name: 'everywhere', mode: 'global-job' });
      const snap = snapshot({ nodes, services: [migrate, everywhere], tasks: [...done(migrate, 3), ...done(everywhere, 2)] });
      expect(findingsOf(audit(snap), ID)).toEqual([]);
    });

    it('a job that stopped short after its retries is an error quoting the last failure; a global job counts nodes', () => {
      const seed = service({ name: 'seed', mode: 'replicated-job', completions: 2 });
      const everywhere = service({ name: 'everywhere', mode: 'global-job' });
      const tasks = [
        ...done(seed, 1, 900),
        task({ service: seed, node: nodes[1], state: 'failed', err: 'task: non-zero exit (1)', exitCode: 1, ago: 600 }),
        task({ service: seed, node: nodes[1], state: 'failed', err: 'task: non-zero exit (2)', exitCode: 2, ago: 120 }),
        ...done(everywhere, 1),
        task({ service: everywhere, node: nodes[1], state: 'rejected', err: 'No such image: app:1.0', ago: 60 }),
      ];
      expect(findingsOf(audit(snapshot({ nodes, services: [seed, everywhere], tasks })), ID)).toEqual([
        [
          'error',
          'service everywhere',
          'job "everywhere" completed 1 of 2 runs (global job: one per eligible node) and runs no task any more (1 failed or rejected); last task error: "No such image: app:1.0" (task rejected on node "w", 60 s before the audit); fix the cause, then run it again with `docker service update --force everywhere`',
        ],
        [
          'error',
          'service seed',
          'job "seed" completed 1 of 2 runs and runs no task any more (2 failed or rejected); last task error: "task: non-zero exit (2)" (task failed on node "w", exit code 2, 2 min before the audit); fix the cause, then run it again with `docker service update --force seed`',
        ],
      ]);
    });

    it('a job still running is a warning; one with no task yet too; tasks of an earlier run do not count', () => {
      const backfill = service({ name: 'backfill', mode: 'replicated-job', completions: 3, iteration: 2 });
      const fresh = service({ name: 'fresh', mode: 'replicated-job' });
      const tasks = [
        ...done(backfill, 3, 7200).map((t) => ({ ...t, JobIteration: { Index: 1 } })),
        { ...task({ service: backfill, node: nodes[0], state: 'complete', desired: 'complete', ago: 30 }), JobIteration: { Index: 2 } },
        { ...task({ service: backfill, node: nodes[1], state: 'running', desired: 'complete', slot: 2, ago: 20 }), JobIteration: { Index: 2 } },
        { ...task({ service: backfill, node: nodes[1], state: 'failed', err: 'task: non-zero exit (1)', exitCode: 1, slot: 3, ago: 25 }), JobIteration: { Index: 2 } },
        { ...task({ service: backfill, state: 'pending', desired: 'complete', slot: 3, ago: 5 }), JobIteration: { Index: 2 } },
      ];
      expect(findingsOf(audit(snapshot({ nodes, services: [backfill, fresh], tasks })), ID)).toEqual([
        ['warning', 'service backfill', 'job "backfill" completed 1 of 3 runs; 2 still running or on the way (1 running and 1 pending), after 1 failed task: audit again once it has finished'],
        ['warning', 'service fresh', 'job "fresh" has no task in its current run: swarm has not scheduled it yet, or has removed its tasks; see `docker service ps --no-trunc fresh`'],
      ]);
    });
  });

  it('a task pending, assigned or preparing for longer than stuckAfter (default 5m) is an error naming its node and age', () => {
    const web = service({ name: 'web', replicas: 3 });
    const tasks = [
      task({ service: web, node: nodes[0], state: 'running', slot: 1 }),
      task({ service: web, node: nodes[1], state: 'preparing', slot: 2, ago: 301 }),
      task({ service: web, state: 'pending', slot: 3, ago: 900, err: 'no suitable node (insufficient resources on 2 nodes)' }),
    ];
    expect(findingsOf(audit(snapshot({ nodes, services: [web], tasks })), ID)).toEqual([
      [
        'error',
        'service web',
        'service "web" has 2 tasks stuck for more than 5m: web.3 pending for 15 min on no node ("no suitable node (insufficient resources on 2 nodes)") and web.2 preparing for 5 min on node "w"; ' +
          'a pending task waits for a node that satisfies its constraints and has room for its reservations: free capacity, add a node or relax them (`docker service ps --no-trunc web`)',
      ],
    ]);
    // at 299 s a task is still on its way
    const young = [task({ service: web, node: nodes[0], state: 'running', slot: 1 }), task({ service: web, node: nodes[1], state: 'assigned', slot: 2, ago: 299 }), task({ service: web, node: nodes[0], state: 'assigned', slot: 3, ago: 10 })];
    expect(findingsOf(audit(snapshot({ nodes, services: [web], tasks: young })), ID)).toEqual([
      ['warning', 'service web', 'service "web" runs 1 of 3 replicas; 2 still on the way (2 assigned): audit again once the tasks have started'],
    ]);
    // the threshold is an option (a Go duration, or seconds)
    for (const stuckAfter of ['1m', 60]) {
      const strict = findingsOf(audit(snapshot({ nodes, services: [web], tasks: young }), { settings: { [ID]: { options: { stuckAfter } } } }), ID);
      expect(strict).toEqual([
        [
          'error',
          'service web',
          'service "web" has 1 task stuck for more than 1m: web.2 assigned for 5 min on node "w"; its node accepted the task but has not started it (image pull, mounts, or the node\'s engine): look at `docker service ps --no-trunc web` and the node',
        ],
      ]);
    }
  });

  it('a job whose task is parked longer than stuckAfter is an error; a replicated job of 0 completions has nothing to wait for', () => {
    const parked = service({ name: 'parked', mode: 'replicated-job', constraints: ['node.labels.zone == mars'] });
    const none = service({ name: 'none', mode: 'replicated-job', completions: 0 });
    // a job's tasks have no slot: they are named by their id
    const tasks = [task({ service: parked, state: 'pending', desired: 'complete', ago: 3600, slot: 0, err: 'no suitable node (scheduling constraints not satisfied on 2 nodes)' })];
    expect(findingsOf(audit(snapshot({ nodes, services: [parked, none], tasks })), ID)).toEqual([
      [
        'error',
        'service parked',
        expect.stringMatching(/^job "parked" has 1 task stuck for more than 5m: parked \(task t\d{11}\) pending for 60 min on no node \("no suitable node \(scheduling constraints not satisfied on 2 nodes\)"\); a pending task waits/),
      ],
    ]);
  });
});

