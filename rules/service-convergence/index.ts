import type { LRef } from '../../src/model/access.js';
import type { Loc } from '../../src/parse/location.js';
import { defineRule } from '../../src/engine/types.js';
import { formatDuration, parseDuration } from '../../src/model/units.js';
import { formatAge, listing, plural, quoteError } from '../../src/model/describe.js';
import { FAILED_TASK_STATES, isNodeUsable, jobProgress, STARTING_TASK_STATES, type LiveFacts, type LiveService, type LiveTask } from '../../src/model/live-facts.js';
import { analysePlacement } from '../../src/model/placement.js';

export type ServiceConvergenceOptions = {
  /** failed or rejected tasks in the history from which a running service is reported as flapping */
  maxFailures: number;
  /** how long a task may stay pending, assigned or preparing before it counts as stuck (a Go duration, or seconds) */
  stuckAfter: string | number;
};

/** Task states in which a task waits for the scheduler or for its node; past `stuckAfter` it is stuck. */
const WAITING_STATES = new Set(['pending', 'assigned', 'preparing']);
const DEFAULT_STUCK_AFTER = '5m';

/**
 * A service runs the tasks it asks for. Fewer running than desired is an error quoting the last task
 * error; a service whose missing tasks are all on their way (and none failed) is still converging, a
 * warning. A service at full strength whose tasks keep failing or being rejected is a warning.
 */
export default defineRule<ServiceConvergenceOptions>({
  meta: {
    id: 'service-convergence',
    description: 'Every service runs as many tasks as it asks for, and its tasks do not fail or get rejected over and over.',
    severity: 'error',
    category: 'cluster',
    live: true,
    messages: {
      notConverged: 'service "{{service}}" runs {{running}} of {{desired}} {{unit}}{{history}}; {{last}}',
      converging: 'service "{{service}}" runs {{running}} of {{desired}} {{unit}}; {{starting}} still on the way ({{states}}): audit again once the tasks have started',
      flapping:
        'service "{{service}}" runs all {{desired}} {{unit}}, but {{failures}} of its recent tasks failed or were rejected; last: {{last}}; look at `docker service ps --no-trunc {{service}}`',
      updateState: 'service "{{service}}": its last update {{what}}{{message}}; {{advice}}',
      jobFailed:
        'job "{{service}}" completed {{done}} of {{total}} {{unit}} and runs no task any more ({{failures}} failed or rejected); last task error: {{last}}; fix the cause, then run it again with `docker service update --force {{service}}`',
      jobNoTasks: 'job "{{service}}" has no task in its current run: swarm has not scheduled it yet, or has removed its tasks; see `docker service ps --no-trunc {{service}}`',
      stuck:
        '{{kind}} "{{service}}" has {{tasks}} stuck for more than {{threshold}}: {{list}}; {{advice}}',
      jobRunning: 'job "{{service}}" completed {{done}} of {{total}} {{unit}}; {{active}} still running or on the way ({{states}}){{history}}: audit again once it has finished',
    },
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          maxFailures: { type: 'integer', minimum: 1 },
          stuckAfter: {
            anyOf: [
              // the characters of a duration (`5m`, `1m30s`, `90s`); parseDuration reads it, and a value it cannot read is the default
              { type: 'string', pattern: '^[0-9.nsumh]{1,64}$' },
              { type: 'number', minimum: 0 },
            ],
          },
        },
      },
      defaults: { maxFailures: 3, stuckAfter: DEFAULT_STUCK_AFTER },
    },
  },
  create(ctx) {
    const maxFailures = ctx.options.maxFailures ?? 3;
    const stuckAfter = parseDuration(ctx.options.stuckAfter ?? DEFAULT_STUCK_AFTER) ?? parseDuration(DEFAULT_STUCK_AFTER)!;
    return {
      stack(stack) {
        const live = stack.live;
        if (!live) return;
        const tasksByService = new Map<string, LiveTask[]>();
        for (const t of live.tasks) {
          let list = tasksByService.get(t.serviceId);
          if (!list) tasksByService.set(t.serviceId, (list = []));
          list.push(t);
        }
        for (const svc of live.services) {
          const tasks = tasksByService.get(svc.id) ?? [];
          checkService(svc, tasks, live);
          checkUpdate(svc);
        }
      },
    };

    function checkService(svc: LiveService, tasks: LiveTask[], live: LiveFacts) {
      if (svc.job) {
        checkJob(svc, svc.job, tasks, live);
        return;
      }
      const current = tasks.filter((t) => t.desiredState === 'running' || t.desiredState === 'ready');
      const running = current.filter((t) => t.state === 'running').length;
      let desired: number;
      let unit: string;
      if (svc.mode === 'global') {
        desired = analysePlacement(svc, live.nodes).eligible.filter(isNodeUsable).length;
        unit = desired === 1 ? 'task (global: one per eligible node)' : 'tasks (global: one per eligible node)';
      } else {
        desired = svc.replicas ?? 0;
        unit = desired === 1 ? 'replica' : 'replicas';
      }
      const failed = tasks.filter((t) => FAILED_TASK_STATES.has(t.state));
      const last = lastError(tasks);
      const lastText = last ? describeTask(last, live) : null;
      const replicas = svc.model.replicas;
      const at = replicas ?? svc.loc(svc.mode === 'global' ? 'Spec.Mode.Global' : 'Spec.Mode.Replicated.Replicas');
      const base = { service: svc.name, running, desired, unit };
      if (running < desired && reportStuck(svc, current, live, at, 'service')) return;
      if (running < desired) {
        const missing = desired - running;
        const starting = current.filter((t) => t.state !== 'running' && STARTING_TASK_STATES.has(t.state) && !t.err);
        if (failed.length === 0 && starting.length >= missing) {
          const states = countStates(starting);
          ctx.report({ messageId: 'converging', data: { ...base, starting: starting.length, states }, at, service: svc.model, severity: 'warning' });
          return;
        }
        ctx.report({
          messageId: 'notConverged',
          data: {
            ...base,
            history: failed.length ? ` (${plural(failed.length, 'task')} failed or rejected in its history)` : '',
            last: lastText ? `last task error: ${lastText}` : 'no task reports an error: see `docker service ps --no-trunc ' + svc.name + '`',
          },
          at,
          service: svc.model,
        });
        return;
      }
      if (failed.length >= maxFailures && lastText) {
        ctx.report({ messageId: 'flapping', data: { ...base, failures: failed.length, last: lastText }, at, service: svc.model, severity: 'warning' });
      }
    }

    /**
     * A job converges when its current run has completed as many tasks as it asks for (a global job:
     * one per eligible node). Short of that, tasks still running or starting are a warning; none
     * left is an error: swarm gave up after the restart policy's attempts.
     */
    function checkJob(svc: LiveService, job: NonNullable<LiveService['job']>, tasks: LiveTask[], live: LiveFacts) {
      const global = svc.mode === 'global-job';
      const { run, done, total } = jobProgress(job, tasks, global ? analysePlacement(svc, live.nodes).eligible.filter(isNodeUsable).length : 0);
      const at = svc.model.replicas ?? svc.loc(global ? 'Spec.Mode.GlobalJob' : 'Spec.Mode.ReplicatedJob.TotalCompletions');
      // a replicated job asked for no completion (`--replicas 0`): it has nothing to run
      if (total === 0 && !global) return;
      if (run.length === 0) {
        ctx.report({ messageId: 'jobNoTasks', data: { service: svc.name }, at, service: svc.model, severity: 'warning' });
        return;
      }
      if (done >= total) return;
      const failed = run.filter((t) => FAILED_TASK_STATES.has(t.state));
      const active = run.filter((t) => t.desiredState !== 'shutdown' && (t.state === 'running' || STARTING_TASK_STATES.has(t.state)));
      const unit = global ? 'runs (global job: one per eligible node)' : total === 1 ? 'run' : 'runs';
      const base = { service: svc.name, done, total, unit };
      if (active.length > 0) {
        if (reportStuck(svc, active, live, at, 'job')) return;
        const history = failed.length ? `, after ${plural(failed.length, 'failed task')}` : '';
        ctx.report({ messageId: 'jobRunning', data: { ...base, active: active.length, states: countStates(active), history }, at, service: svc.model, severity: 'warning' });
        return;
      }
      const last = lastError(run);
      ctx.report({
        messageId: 'jobFailed',
        data: { ...base, failures: failed.length, last: last ? describeTask(last, live) : 'none reported (see `docker service ps --no-trunc ' + svc.name + '`)' },
        at,
        service: svc.model,
      });
    }

    /**
     * Tasks waiting (pending, assigned, preparing) for longer than `stuckAfter`, as `docker stack ps`
     * shows them: an error naming each task's node and how long it has waited. Whether it reported.
     */
    function reportStuck(svc: LiveService, tasks: LiveTask[], live: LiveFacts, at: Loc | LRef, kind: 'service' | 'job'): boolean {
      const stuck = tasks
        .filter((t) => WAITING_STATES.has(t.state) && t.timestamp > 0 && live.takenAt - t.timestamp > stuckAfter * 1000)
        .sort((a, b) => a.timestamp - b.timestamp);
      if (stuck.length === 0) return false;
      const list = stuck.map((t) => {
        const node = t.nodeId ? live.nodes.find((n) => n.id === t.nodeId) : undefined;
        const where = node ? `on node "${node.name}"` : t.nodeId ? `on node ${t.nodeId.slice(0, 12)}` : 'on no node';
        const why = t.err ? ` (${quoteError(t.err, 160)})` : '';
        return `${taskName(svc, t)} ${t.state} for ${formatAge(live.takenAt - t.timestamp)} ${where}${why}`;
      });
      const pending = stuck.some((t) => t.state === 'pending');
      const advice = pending
        ? `a pending task waits for a node that satisfies its constraints and has room for its reservations: free capacity, add a node or relax them (\`docker service ps --no-trunc ${svc.name}\`)`
        : `its node accepted the task but has not started it (image pull, mounts, or the node's engine): look at \`docker service ps --no-trunc ${svc.name}\` and the node`;
      ctx.report({
        messageId: 'stuck',
        data: { kind, service: svc.name, tasks: plural(stuck.length, 'task'), threshold: formatDuration(stuckAfter), list: listing(list, 3), advice },
        at,
        service: svc.model,
      });
      return true;
    }

    function checkUpdate(svc: LiveService) {
      const u = svc.updateStatus;
      if (!u) return;
      const message = u.message ? ` ("${u.message}")` : '';
      const at = svc.loc('UpdateStatus.State');
      if (u.state === 'paused' || u.state === 'rollback_paused') {
        ctx.report({
          messageId: 'updateState',
          data: {
            service: svc.name,
            what: u.state === 'paused' ? 'is paused' : 'rollback is paused',
            message,
            advice: `fix the cause, then resume with \`docker service update ${svc.name}\` (or roll back with \`docker service rollback ${svc.name}\`)`,
          },
          at,
          service: svc.model,
        });
      } else if (u.state === 'rollback_completed' || u.state === 'rollback_started') {
        ctx.report({
          messageId: 'updateState',
          data: {
            service: svc.name,
            what: u.state === 'rollback_completed' ? 'was rolled back' : 'is being rolled back',
            message,
            advice: 'the new version did not start healthy: the service runs its previous spec, not the one last deployed',
          },
          at,
          service: svc.model,
          severity: 'warning',
        });
      }
    }
  },
});

/** The most recent task that reports an error (a failure, a rejection, or a task stuck pending). */
function lastError(tasks: LiveTask[]): LiveTask | null {
  let best: LiveTask | null = null;
  for (const t of tasks) {
    if (!t.err && !FAILED_TASK_STATES.has(t.state)) continue;
    if (!best || t.timestamp > best.timestamp) best = t;
  }
  return best;
}

function describeTask(t: LiveTask, live: LiveFacts): string {
  const node = t.nodeId ? live.nodes.find((n) => n.id === t.nodeId) : undefined;
  const what = t.err || t.message || `exit code ${t.exitCode ?? '?'}`;
  const where = node ? ` on node "${node.name}"` : t.state === 'pending' ? ' (not placed on any node)' : '';
  const exit = t.exitCode !== null && t.exitCode !== 0 ? `, exit code ${t.exitCode}` : '';
  const age = live.takenAt && t.timestamp ? `, ${formatAge(live.takenAt - t.timestamp)} before the audit` : '';
  return `${quoteError(what)} (task ${t.state}${where}${exit}${age})`;
}

/** The task's name as `docker service ps` shows it: `SERVICE.SLOT`, or `SERVICE.NODE` for a global service's task. */
function taskName(svc: LiveService, t: LiveTask): string {
  if (t.slot !== null && t.slot > 0) return `${svc.name}.${t.slot}`;
  return t.nodeId ? `${svc.name}.${t.nodeId.slice(0, 12)}` : `${svc.name} (task ${t.id.slice(0, 12)})`;
}

function countStates(tasks: LiveTask[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return listing([...counts].map(([s, n]) => `${n} ${s}`));
}
