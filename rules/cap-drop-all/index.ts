import { child, keyLoc, scalarValue } from '../../src/model/access.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';
import { isTrue } from '../is-true.js';
import { showValue } from '../show-value.js';
import { normalizeCapability } from './capability.js';
import { fixCapDrop } from './fix.js';

const EXPECTED = 'add ALL to cap_drop and give back with cap_add only the capabilities it needs (for example NET_BIND_SERVICE)';

export default defineRule({
  meta: {
    id: 'cap-drop-all',
    description: 'Every service drops all Linux capabilities (cap_drop: [ALL]) and adds back only what it needs.',
    severity: 'warning',
    category: 'security',
    fixable: 'unsafe',
    messages: {
      missing: `service "{{service}}" keeps docker's default capabilities (no cap_drop); ${EXPECTED}`,
      notAll: `service "{{service}}" drops {{dropped}} but not ALL (cap_drop: {{value}}); ${EXPECTED}`,
      privileged:
        'service "{{service}}" sets privileged: {{value}}, which gives it every capability whatever cap_drop says{{drop}}; privileged is the problem: remove it, then drop ALL capabilities and add back with cap_add only the ones it needs',
      addAll:
        'service "{{service}}" adds {{value}} to cap_add, which gives it every capability but the ones cap_drop names (ALL in cap_drop does not take them back); add only the capabilities it needs',
      capAll:
        'service "{{service}}" drops {{value}}, which docker does not read as ALL: it adds the CAP_ prefix only to names without it and rejects "CAP_ALL" as an unknown capability; write ALL',
    },
  },
  create(ctx) {
    return {
      service(svc) {
        // privileged hands out every capability and cap_drop is not applied (docker stack deploy
        // ignores privileged, so under swarm cap_drop counts again)
        const privileged = child(svc.ref, 'privileged');
        if (privileged && stackTarget(ctx.stack) !== 'swarm' && isTrue(scalarValue(privileged))) {
          const dropping = svc.capDrop && svc.capDrop.items.length > 0 ? ` (its cap_drop: [${svc.capDrop.items.map((i) => i.value).join(', ')}] is not applied)` : '';
          ctx.report({ messageId: 'privileged', data: { service: svc.name, value: showValue(privileged), drop: dropping }, at: privileged, loc: privileged.node.loc, service: svc, fix: null });
          return;
        }
        // cap_add: [ALL] grants every capability but those cap_drop names, ALL in cap_drop included
        // (moby's TweakCapabilities): whatever cap_drop says, the service keeps them
        const addAll = svc.capAdd.find((c) => normalizeCapability(c.value) === 'ALL');
        if (addAll) {
          ctx.report({ messageId: 'addAll', data: { service: svc.name, value: showValue(addAll) }, at: addAll, loc: addAll.loc, service: svc, fix: null });
          return;
        }
        const drop = svc.capDrop;
        if (!drop) {
          ctx.report({ messageId: 'missing', data: { service: svc.name }, at: svc.ref, loc: keyLoc(svc.ref), service: svc, fix: () => fixCapDrop(ctx.stack, svc) });
          return;
        }
        if (drop.ref.node.kind !== 'seq') return; // not a list: the schema reports it
        const names = drop.items.map((i) => normalizeCapability(i.value));
        if (names.includes('ALL')) return;
        const capAll = drop.items[names.indexOf('CAP_ALL')];
        if (capAll) {
          ctx.report({ messageId: 'capAll', data: { service: svc.name, value: JSON.stringify(capAll.value) }, at: capAll, loc: capAll.loc, service: svc, fix: () => fixCapDrop(ctx.stack, svc) });
          return;
        }
        const value = `[${drop.items.map((i) => i.value).join(', ')}]`;
        ctx.report({
          messageId: 'notAll',
          data: { service: svc.name, dropped: drop.items.length === 0 ? 'nothing' : `only ${drop.items.map((i) => i.value).join(', ')}`, value },
          at: drop.ref,
          loc: keyLoc(drop.ref),
          service: svc,
          fix: () => fixCapDrop(ctx.stack, svc),
        });
      },
    };
  },
});
