import { shownText } from '../show-value.js';
import { child, scalarValue, type LRef } from '../../src/model/access.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';

export default defineRule({
  meta: {
    id: 'container-name-scaling',
    description:
      'No service sets container_name and more than one replica: a container name is unique on a host, so docker compose cannot start the second replica.',
    severity: 'error',
    category: 'availability',
    messages: {
      scaled:
        'service "{{service}}" sets container_name "{{name}}" and {{how}}; a container name is unique, so only one replica can start: remove container_name (other services reach it by its service name)',
    },
  },
  create(ctx) {
    // swarm ignores container_name (swarm-compat warns about it): it does not stop scaling there
    if (stackTarget(ctx.stack) === 'swarm') return {};
    return {
      service(svc) {
        const nameRef = child(svc.ref, 'container_name');
        const name = scalarValue(nameRef);
        if (!nameRef || name === undefined || name === null || name === '') return;
        let how: string | null = null;
        let count: LRef | null = null;
        if (svc.replicas && svc.replicas.value > 1) {
          how = `deploy.replicas: ${shownText(svc.replicas)}`;
          count = svc.replicas;
        }
        const scale = child(svc.ref, 'scale');
        const n = Number(scalarValue(scale));
        if (!how && scale && Number.isInteger(n) && n > 1) {
          how = `scale: ${shownText(scale)}`;
          count = scale;
        }
        if (!how || !count) return;
        // what the file wrote where a set variable gave the name or the count
        ctx.report({ messageId: 'scaled', data: { service: svc.name, name: shownText(nameRef) ?? String(name), how }, at: nameRef, service: svc });
      },
    };
  },
});
