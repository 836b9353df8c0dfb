import { child, keyLoc, scalarValue, type Located } from '../../src/model/access.js';
import { findImagePattern } from '../../src/model/service-class.js';
import { PATTERN_LIST_SCHEMA } from '../../src/engine/rule-options.js';
import { formatDuration, parseDuration } from '../../src/model/units.js';
import { showValue, shownText, writtenWhenSet } from '../show-value.js';
import { allowsStartPeriod } from '../../src/model/stack-version.js';
import { stackTarget } from '../../src/engine/target.js';
import { defineRule } from '../../src/engine/types.js';

export type HealthcheckTimingOptions = {
  /** image patterns of software that takes long to start (matched like critical-single-replica's patterns) */
  slowImages: string[];
};

/** Images whose first start (initialising data, a JVM warming up, a cluster forming) takes tens of seconds. */
export const DEFAULT_SLOW_IMAGES = [
  'postgres',
  'postgis',
  'mysql',
  'mariadb',
  'mongo',
  'mongodb',
  'elasticsearch',
  'opensearch',
  'kibana',
  'logstash',
  'cassandra',
  'scylla',
  'kafka',
  'cp-kafka',
  'cp-zookeeper',
  'zookeeper',
  'rabbitmq',
  'keycloak',
  'sonarqube',
  'jenkins',
  'gitlab-ce',
  'gitlab-ee',
  'nexus3',
  'neo4j',
  'clickhouse-server',
  'mssql/server',
  'oracle*',
  'artifactory*',
];

/** docker's defaults when a healthcheck does not say (seconds) */
const DEFAULT_INTERVAL = 30;
const DEFAULT_TIMEOUT = 30;

export default defineRule<HealthcheckTimingOptions>({
  meta: {
    id: 'healthcheck-timing',
    description:
      'Healthcheck timings make sense: timeout below interval, retries of at least 1, intervals of 1s or more, and a start_period for images that start slowly (or they turn unhealthy while starting).',
    severity: 'warning',
    category: 'availability',
    messages: {
      timeoutNotBelowInterval:
        'service "{{service}}" has a healthcheck timeout of {{timeout}} that is not below its interval of {{interval}}; a hung check then delays the next one and failures are seen late: set timeout below interval (such as {{suggest}})',
      retriesBelowOne: 'service "{{service}}" sets healthcheck retries to {{value}}; it must be at least 1 (0 means docker\'s default of 3): set the number of failures to tolerate',
      intervalTooShort:
        'service "{{service}}" runs its healthcheck every {{value}} ({{key}}); under 1s the check itself loads the service: use 1s or more',
      noStartPeriod:
        'service "{{service}}" runs {{image}}, which takes a while to start, and its healthcheck sets no start_period; failed checks while it starts count against retries and can get it killed: add start_period (such as 60s)',
      noStartPeriodCompose:
        'service "{{service}}" runs {{image}}, which takes a while to start, and its healthcheck sets no start_period; failed checks while it starts count against retries and mark it unhealthy, and a service that waits for it (depends_on with condition: service_healthy) then fails to start ("container ... is unhealthy"): add start_period (such as 60s)',
      noStartPeriodOldVersion:
        'service "{{service}}" runs {{image}}, which takes a while to start, and its healthcheck sets no start_period; failed checks while it starts count against retries and can get it killed: add start_period (such as 60s), which docker stack deploy accepts from version "3.4" on: the file declares version {{version}}, so raise it (or remove it) first',
    },
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { slowImages: PATTERN_LIST_SCHEMA },
      },
      defaults: { slowImages: DEFAULT_SLOW_IMAGES },
    },
  },
  create(ctx) {
    const slow = ctx.options.slowImages ?? DEFAULT_SLOW_IMAGES;
    // a value a set variable gave is not shown, only what the file wrote
    const show = (v: Located<number>) => {
      const written = writtenWhenSet(v);
      if (written !== null) return written;
      const raw = String(v.node.kind === 'scalar' ? (v.node.raw ?? v.node.value) : v.value);
      return raw === formatDuration(v.value) ? raw : `${raw} (${formatDuration(v.value)})`;
    };
    return {
      service(svc) {
        const hc = svc.healthcheck;
        if (!hc || hc.disable) return;
        const test = hc.test?.value;
        if (Array.isArray(test) ? test[0]?.toUpperCase() === 'NONE' : false) return;

        if (hc.interval || hc.timeout) {
          const interval = hc.interval?.value ?? DEFAULT_INTERVAL;
          const timeout = hc.timeout?.value ?? DEFAULT_TIMEOUT;
          if (interval > 0 && timeout >= interval) {
            const at = hc.timeout ?? hc.interval!;
            ctx.report({
              messageId: 'timeoutNotBelowInterval',
              data: {
                service: svc.name,
                timeout: hc.timeout ? show(hc.timeout) : `${formatDuration(DEFAULT_TIMEOUT)} (the default)`,
                interval: hc.interval ? show(hc.interval) : `${formatDuration(DEFAULT_INTERVAL)} (the default)`,
                // half the interval: below it, and in whole seconds where the interval allows
                suggest: hc.interval && writtenWhenSet(hc.interval) !== null ? 'half the interval' : formatDuration(interval >= 2 ? Math.floor(interval / 2) : interval / 2),
              },
              at,
              loc: at.loc,
              service: svc,
            });
          }
        }
        if (hc.retries && hc.retries.value < 1) {
          ctx.report({ messageId: 'retriesBelowOne', data: { service: svc.name, value: hc.retries.value }, at: hc.retries, loc: hc.retries.loc, service: svc });
        }
        for (const key of ['interval', 'start_interval'] as const) {
          const ref = child(hc.ref, key);
          const v = key === 'interval' ? hc.interval?.value : parseDuration(scalarValue(ref));
          if (!ref || v === null || v === undefined || v <= 0 || v >= 1) continue;
          const value = writtenWhenSet(ref) ?? formatDuration(v);
          ctx.report({ messageId: 'intervalTooShort', data: { service: svc.name, value, key }, at: ref, loc: ref.node.loc, service: svc });
        }
        if (!hc.startPeriod && svc.image && hc.test && findImagePattern(svc.image.value, slow)) {
          // a file of version 3.0 to 3.3 that sets start_period is refused by docker stack deploy
          // (docker compose ignores the version)
          const swarm = stackTarget(ctx.stack) === 'swarm';
          const old = swarm && !allowsStartPeriod(ctx.stack);
          const data = { service: svc.name, image: `"${shownText(svc.image)}"`, version: old ? showValue(child(ctx.stack.root, 'version')!) : '' };
          // swarm replaces a task that turns unhealthy; compose restarts no container for its health,
          // it fails the services that wait for it to be healthy (docker/compose
          // pkg/compose/convergence.go isServiceHealthy: "container %s is unhealthy")
          const messageId = old ? 'noStartPeriodOldVersion' : swarm ? 'noStartPeriod' : 'noStartPeriodCompose';
          ctx.report({ messageId, data, at: hc.ref, loc: keyLoc(hc.ref), service: svc });
        }
      },
    };
  },
});
