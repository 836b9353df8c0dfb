import { child, deepest, keyLoc } from '../../src/model/access.js';
import { showValue } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { completionWaiters, oneShotReason, runsImageServer } from '../../src/model/service-class.js';
import { stackTarget } from '../../src/engine/target.js';
import { IGNORE_IMAGES_OPTIONS, isImageIgnored, type IgnoreImagesOptions } from '../../src/engine/rule-options.js';
import { fixHealthcheck, knownHealthcheck } from './fix.js';

/** The test suggested for an image whose health command is not known: an HTTP server's. */
const GENERIC_TEST = ['CMD', 'curl', '-f', 'http://localhost:8080/health'];

/** A test as a flow sequence in a message: `["CMD", "redis-cli", "ping"]`. */
function shownTest(test: readonly string[]): string {
  return `[${test.map((t) => JSON.stringify(t)).join(', ')}]`;
}

/** What a healthcheck does under each target (compose never restarts an unhealthy container). */
const WHY_SWARM = 'swarm restarts a task whose healthcheck fails, sends it no traffic until it passes, and a rolling update waits for new tasks to be healthy';
const WHY_COMPOSE =
  'compose does not restart an unhealthy container, but it shows the state (docker compose ps) and depends_on with condition: service_healthy waits until the service is ready, not just started';

// ignoreImages: image patterns (`traefik`, `bitnami/*`) whose images define a HEALTHCHECK of their own
export default defineRule<IgnoreImagesOptions>({
  meta: {
    id: 'healthcheck-required',
    description: 'Every long-running service has a healthcheck that is not disabled.',
    severity: 'warning',
    category: 'availability',
    fixable: 'safe',
    messages: {
      missing: 'service "{{service}}" has no healthcheck; add healthcheck.test (for example {{example}}): {{why}}',
      disabled: 'service "{{service}}" disables its healthcheck (disable: {{value}}); remove disable and set healthcheck.test to a command that checks the service',
      testNone: 'service "{{service}}" turns its healthcheck off (test: {{value}}); set healthcheck.test to a command that checks the service',
      testNoneString:
        'service "{{service}}" sets healthcheck test to the string {{value}}, which docker runs as the shell command NONE (["CMD-SHELL", "NONE"]): it fails and marks the container unhealthy; set healthcheck.test to a command that checks the service',
    },
    options: IGNORE_IMAGES_OPTIONS,
  },
  create(ctx) {
    const why = stackTarget(ctx.stack) === 'swarm' ? WHY_SWARM : WHY_COMPOSE;
    const waiters = completionWaiters(ctx.stack);
    return {
      service(svc) {
        // a job, an init or migration container, one others wait to complete: it runs to completion, nothing to watch
        if (oneShotReason(svc, waiters.get(svc.name))) return;
        if (isImageIgnored(svc, ctx.options)) return;
        const hc = svc.healthcheck;
        if (!hc) {
          // no `healthcheck` key (point at the service name), or an empty one (point at the key)
          const where = deepest(svc.ref, 'healthcheck');
          // an image whose health command is known, running its own server: that command (pg_isready, redis-cli ping, ...)
          const known = svc.image && runsImageServer(svc) ? knownHealthcheck(svc.image.value) : null;
          const example = shownTest(known ? known.test : GENERIC_TEST);
          ctx.report({ messageId: 'missing', data: { service: svc.name, example, why }, at: where, loc: keyLoc(where), service: svc, fix: known ? () => fixHealthcheck(ctx.stack, svc) : null });
          return;
        }
        if (hc.disable) {
          const ref = child(hc.ref, 'disable')!;
          ctx.report({ messageId: 'disabled', data: { service: svc.name, value: showValue(ref) }, at: ref, loc: ref.node.loc, service: svc });
          return;
        }
        const test = hc.test;
        if (!test) return; // options only: the image's own HEALTHCHECK command runs with them
        if (Array.isArray(test.value)) {
          if (test.value[0] === 'NONE') {
            ctx.report({ messageId: 'testNone', data: { service: svc.name, value: JSON.stringify(test.value) }, at: test, loc: test.loc, service: svc });
          }
        } else if (test.value.trim() === 'NONE') {
          ctx.report({ messageId: 'testNoneString', data: { service: svc.name, value: JSON.stringify(test.value) }, at: test, loc: test.loc, service: svc });
        }
      },
    };
  },
});
