import { child, keyLoc } from '../../src/model/access.js';
import { shownText } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';

export default defineRule({
  meta: {
    id: 'ports-host-ip',
    description:
      'Every published port names the host address it listens on (127.0.0.1:8080:80); without one docker publishes it on every interface, in front of the host firewall.',
    severity: 'warning',
    category: 'security',
    messages: {
      short:
        'service "{{service}}" publishes port "{{port}}" on every interface of the host (docker bypasses the host firewall for it); bind it to an address, such as "127.0.0.1:{{suggest}}", or to the one interface that must serve it',
      long: 'service "{{service}}" publishes port {{port}} on every interface of the host (docker bypasses the host firewall for it); add host_ip: 127.0.0.1, or the one interface that must serve it',
    },
  },
  create(ctx) {
    // swarm drops host IPs (swarm-compat warns when a file sets one): nothing to ask for there
    if (stackTarget(ctx.stack) === 'swarm') return {};
    return {
      service(svc) {
        for (const p of svc.ports) {
          if (p.hostIp !== null && p.hostIp !== '') continue;
          if (p.syntax === 'short') {
            // a port written with variables is shown and suggested as written (`127.0.0.1:${PORT}:80`),
            // set or not: a value a set variable gave is never shown, an unset one left only `:/tcp`
            const raw = p.ref.node.kind === 'scalar' ? p.ref.node.raw : undefined;
            const text = raw ?? shownText(p.ref) ?? '';
            // a container port alone gets a random host port: so does the suggestion (`127.0.0.1::80`)
            const suggest = raw !== undefined ? text : p.published ? `${p.published}:${text.split(':').pop()}` : `:${p.target}${p.protocol !== 'tcp' ? `/${p.protocol}` : ''}`;
            ctx.report({ messageId: 'short', data: { service: svc.name, port: text, suggest }, at: p.ref, loc: p.ref.node.loc, service: svc });
          } else {
            // as the file wrote them when a set variable went into them (its value is never shown)
            const published = shownText(child(p.ref, 'published')) ?? p.published;
            const target = shownText(child(p.ref, 'target')) ?? p.target;
            const port = p.published ? `${published} (target ${target})` : `${target} (on a random host port)`;
            const key = child(p.ref, 'published') ?? child(p.ref, 'target');
            ctx.report({ messageId: 'long', data: { service: svc.name, port }, at: p.ref, loc: key ? keyLoc(key) : p.ref.node.loc, service: svc });
          }
        }
      },
    };
  },
});
