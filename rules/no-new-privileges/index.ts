import { child, deepest, items, keyLoc, scalarValue, type LRef } from '../../src/model/access.js';
import type { Service } from '../../src/model/types.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';
import { buildSharedFix, FixBuilder, noFix } from '../../src/engine/fixer.js';

const OPTION = 'no-new-privileges:true';

/** `no-new-privileges`, `no-new-privileges:true`, `no-new-privileges=false`, ... → its value, else null. */
export function readNoNewPrivileges(opt: string): boolean | null {
  const t = opt.trim();
  const name = 'no-new-privileges';
  if (t.slice(0, name.length).toLowerCase() !== name) return null;
  const rest = t.slice(name.length).trimStart();
  if (rest === '') return true;
  if (rest[0] !== ':' && rest[0] !== '=') return null;
  return /^(?:true|1|yes|on)$/i.test(rest.slice(1).trim());
}

interface Found {
  ref: LRef;
  value: boolean;
}

function findOption(svc: Service): { list: LRef | undefined; found: Found | null } {
  const list = child(svc.ref, 'security_opt');
  let found: Found | null = null;
  for (const it of items(list)) {
    const v = scalarValue(it);
    if (typeof v !== 'string') continue;
    const r = readNoNewPrivileges(v);
    if (r !== null) found = { ref: it, value: r }; // the last one wins, as in docker
  }
  return { list, found };
}

function addOption(svc: Service): FixBuilder {
  const { list, found } = findOption(svc);
  // an explicit `no-new-privileges:false` is the author's choice (sudo, su, a setuid ping need it):
  // turning it on is a change of behaviour, applied with --unsafe only
  if (found) return new FixBuilder(`replaced ${String(scalarValue(found.ref))} with ${OPTION} in security_opt (it was turned off on purpose: check that nothing in the service needs setuid, such as sudo, su or ping)`, true).replace(found.ref, OPTION);
  const b = new FixBuilder(`added ${OPTION} to security_opt`);
  if (list && list.node.kind === 'seq') return b.append(list, [OPTION]);
  if (list) return b.fail('security_opt is not a list');
  return b.add(svc.ref, ['security_opt'], [OPTION]);
}

export default defineRule({
  meta: {
    id: 'no-new-privileges',
    description:
      'Every service sets security_opt: [no-new-privileges:true], so that no process in it can gain privileges through setuid binaries or file capabilities.',
    severity: 'warning',
    category: 'security',
    fixable: 'safe',
    // `no-new-privileges:true` appended to security_opt reaches every service that extends this one
    fixInheritedByExtends: true,
    messages: {
      missing: `service "{{service}}" does not set ${OPTION} in security_opt, so a process in it can gain privileges through setuid binaries; add security_opt: [${OPTION}]`,
      disabled: `service "{{service}}" sets {{value}} in security_opt, which lets processes gain privileges through setuid binaries; set ${OPTION}`,
      swarm:
        'docker stack deploy ignores security_opt, so the {{count}} service(s) of this stack cannot set no-new-privileges in the file; set "no-new-privileges": true in /etc/docker/daemon.json on every node',
    },
  },
  create(ctx) {
    if (stackTarget(ctx.stack) === 'swarm') {
      return {
        stack(stack) {
          if (stack.services.length === 0 || stack.origin !== 'file') return;
          const services = child(stack.root, 'services')!;
          ctx.report({ messageId: 'swarm', data: { count: stack.services.length }, at: services });
        },
      };
    }
    return {
      service(svc) {
        const { list, found } = findOption(svc);
        if (found?.value) return;
        const fix = () => (list && list.node.kind !== 'seq' ? noFix('security_opt is not a list') : buildSharedFix(ctx.stack, svc, addOption));
        if (found) {
          ctx.report({ messageId: 'disabled', data: { service: svc.name, value: String(scalarValue(found.ref)) }, at: found.ref, loc: found.ref.node.loc, service: svc, fix });
          return;
        }
        const at = deepest(svc.ref, 'security_opt');
        ctx.report({ messageId: 'missing', data: { service: svc.name }, at, loc: keyLoc(at), service: svc, fix });
      },
    };
  },
});
