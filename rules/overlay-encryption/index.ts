import { defineRule } from '../../src/engine/types.js';
import { listing, plural } from '../../src/model/describe.js';

/**
 * CIS Docker Benchmark 7.3: overlay networks are encrypted. Swarm encrypts its control plane, but
 * the traffic between tasks on different nodes crosses the network as plain VXLAN unless the
 * overlay network was created with the `encrypted` option (IPsec between the nodes).
 */
export default defineRule({
  meta: {
    id: 'overlay-encryption',
    description: 'The overlay networks the audited services use are encrypted (CIS Docker Benchmark 7.3), so that traffic between tasks on different nodes is not sent in clear.',
    severity: 'warning',
    category: 'security',
    live: true,
    messages: {
      notEncrypted:
        'overlay network "{{network}}", used by {{services}}, is not encrypted: traffic between their tasks on different nodes crosses the network as plain VXLAN; a network cannot be changed in place: create an encrypted one (`docker network create --driver overlay --opt encrypted NAME`, or `driver_opts: {encrypted: ""}` in the stack file) and move the services to it (CIS Docker Benchmark 7.3)',
    },
  },
  create(ctx) {
    return {
      stack(stack) {
        for (const net of stack.live?.networks ?? []) {
          if (net.driver !== 'overlay' || net.encrypted || net.ingress) continue;
          const services = `${net.services.length === 1 ? 'service' : plural(net.services.length, 'service')} ${listing(net.services.map((s) => `"${s}"`))}`;
          ctx.report({ messageId: 'notEncrypted', data: { network: net.name, services }, at: net.loc('Options.encrypted') });
        }
      },
    };
  },
});
