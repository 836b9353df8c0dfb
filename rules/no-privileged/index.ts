import { child, scalarValue } from '../../src/model/access.js';
import { showValue } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { isTrue } from '../is-true.js';

export default defineRule({
  meta: {
    id: 'no-privileged',
    description: 'No service runs privileged: privileged: true hands the container every capability and every host device, so a compromise of it is a compromise of the host.',
    severity: 'error',
    category: 'security',
    messages: {
      privileged:
        'service "{{service}}" sets privileged: {{value}}, which gives it every capability and all host devices; remove it and grant only what it needs (cap_add, devices)',
    },
  },
  create(ctx) {
    return {
      service(svc) {
        const ref = child(svc.ref, 'privileged');
        if (!ref || ref.node.kind !== 'scalar') return;
        const v = scalarValue(ref);
        if (!isTrue(v)) return;
        ctx.report({
          messageId: 'privileged',
          data: { service: svc.name, value: showValue(ref) },
          at: ref,
          loc: ref.node.loc,
          service: svc,
        });
      },
    };
  },
});
