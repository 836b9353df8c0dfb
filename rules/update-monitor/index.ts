import { child, deepest, keyLoc, scalarValue } from '../../src/model/access.js';
import { deployMode } from '../../src/model/service-class.js';
import { formatDuration, parseDuration } from '../../src/model/units.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';

/** swarm's monitor period when update_config does not set one (swarmkit's default; `docker service update --update-monitor`) */
export const DEFAULT_MONITOR = 5;
/** docker's healthcheck defaults (seconds, attempts) */
const DEFAULT_INTERVAL = 30;
const DEFAULT_RETRIES = 3;

/**
 * During a rolling update swarm watches each new task for `update_config.monitor` and counts it as
 * failed only if it fails within that window. A healthcheck declares a task unhealthy at the
 * earliest after `start_period + interval × retries`: with a shorter monitor, the update reports
 * success (and moves on, or finishes) before the healthcheck can fail.
 */
export default defineRule({
  meta: {
    id: 'update-monitor',
    description:
      'With target swarm, deploy.update_config.monitor covers the time a healthcheck needs to fail (start_period + interval × retries), so that a rolling update does not report success before an unhealthy task is seen.',
    severity: 'warning',
    category: 'availability',
    messages: {
      tooShort:
        'service "{{service}}" {{monitor}}, but its healthcheck needs up to {{needed}} to mark a task unhealthy ({{formula}}): the update reports success before the healthcheck can fail; set deploy.update_config.monitor to {{needed}} or more',
    },
  },
  create(ctx) {
    if (stackTarget(ctx.stack) !== 'swarm') return {};
    return {
      service(svc) {
        const mode = deployMode(svc);
        if (mode !== 'replicated' && mode !== 'global') return; // jobs are not updated in rolling fashion
        const hc = svc.healthcheck;
        if (!hc || hc.disable || !hc.test || isNone(hc.test.value)) return;
        const interval = hc.interval && hc.interval.value > 0 ? hc.interval.value : DEFAULT_INTERVAL;
        const retries = hc.retries && hc.retries.value > 0 ? hc.retries.value : DEFAULT_RETRIES;
        const start = hc.startPeriod?.value ?? 0;
        const needed = start + interval * retries;
        const update = child(svc.deploy, 'update_config');
        const monitorRef = child(update, 'monitor');
        const written = parseDuration(scalarValue(monitorRef));
        // an unreadable value is the schema's business; 0 means swarm's default
        if (monitorRef && written === null) return;
        const monitor = written && written > 0 ? written : DEFAULT_MONITOR;
        if (monitor >= needed) return;
        const formula = [
          start > 0 ? `start_period ${formatDuration(start)}` : 'no start_period',
          `+ interval ${formatDuration(interval)}${hc.interval ? '' : ' (the default)'}`,
          `× retries ${retries}${hc.retries ? '' : ' (the default)'}`,
        ].join(' ');
        const what = monitorRef
          ? `watches each updated task for ${formatDuration(monitor)} (deploy.update_config.monitor${written === 0 ? ': 0, swarm\'s default' : ''})`
          : `sets no deploy.update_config.monitor, so swarm watches each updated task for ${formatDuration(DEFAULT_MONITOR)} (the default)`;
        const at = monitorRef ?? update ?? deepest(svc.ref, 'deploy');
        ctx.report({
          messageId: 'tooShort',
          data: { service: svc.name, monitor: what, needed: formatDuration(needed), formula },
          at,
          loc: monitorRef ? monitorRef.node.loc : keyLoc(at),
          service: svc,
        });
      },
    };
  },
});

function isNone(test: string[] | string): boolean {
  return Array.isArray(test) && test.length === 1 && test[0] === 'NONE';
}
