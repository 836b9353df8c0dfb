import { child, deepest, keyLoc } from '../../src/model/access.js';
import { showValue } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { isJobService } from '../../src/model/service-class.js';
import { IGNORE_IMAGES_OPTIONS, isImageIgnored, type IgnoreImagesOptions } from '../../src/engine/rule-options.js';
import { fixHealthcheck, knownHealthcheck } from './fix.js';

// ignoreImages: image patterns (`traefik`, `bitnami/*`) whose images define a HEALTHCHECK of their own
export default defineRule<IgnoreImagesOptions>({
  meta: {
    id: 'healthcheck-required',
    description: 'Every long-running service has a healthcheck that is not disabled.',
    severity: 'warning',
    category: 'availability',
    fixable: 'safe',
    messages: {
      missing:
        'service "{{service}}" has no healthcheck; add healthcheck.test (for example ["CMD", "curl", "-f", "http://localhost:8080/health"]) so a hung container is restarted and gets no traffic',
      disabled: 'service "{{service}}" disables its healthcheck (disable: {{value}}); remove disable and set healthcheck.test to a command that checks the service',
      testNone: 'service "{{service}}" turns its healthcheck off (test: {{value}}); set healthcheck.test to a command that checks the service',
      testNoneString:
        'service "{{service}}" sets healthcheck test to the string {{value}}, which docker runs as the shell command NONE (["CMD-SHELL", "NONE"]): it fails and marks the container unhealthy; set healthcheck.test to a command that checks the service',
    },
    options: IGNORE_IMAGES_OPTIONS,
  },
  create(ctx) {
    return {
      service(svc) {
        if (isJobService(svc)) return; // runs to completion: nothing to watch
        if (isImageIgnored(svc, ctx.options)) return;
        const hc = svc.healthcheck;
        if (!hc) {
          // no `healthcheck` key (point at the service name), or an empty one (point at the key)
          const where = deepest(svc.ref, 'healthcheck');
          ctx.report({ messageId: 'missing', data: { service: svc.name }, at: where, loc: keyLoc(where), service: svc, fix: svc.image && knownHealthcheck(svc.image.value) ? () => fixHealthcheck(ctx.stack, svc) : null });
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
