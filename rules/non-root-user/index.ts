import { deepest, keyLoc } from '../../src/model/access.js';
import { showValue } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { IGNORE_IMAGES_OPTIONS, isImageIgnored, type IgnoreImagesOptions } from '../../src/engine/rule-options.js';
import { fixUser } from './fix.js';
import { classifyUser } from './user.js';

const EXPECTED = 'set user to a non-root UID such as "1000:1000"';

// ignoreImages: image patterns (`nginxinc/nginx-unprivileged`, `bitnami/*`) whose images set a non-root USER themselves
export default defineRule<IgnoreImagesOptions>({
  meta: {
    id: 'non-root-user',
    description: 'Every service sets user to a non-root user.',
    severity: 'warning',
    category: 'security',
    fixable: 'unsafe',
    messages: {
      missing: `service "{{service}}" sets no user, so it runs as the image's default user, which is root unless the image sets USER; ${EXPECTED}`,
      root: `service "{{service}}" runs as root (user: {{value}}); ${EXPECTED}`,
      emptyUser: `service "{{service}}" sets an empty user name (user: {{value}}), so it runs as the image's default user, usually root; ${EXPECTED}`,
    },
    options: IGNORE_IMAGES_OPTIONS,
  },
  create(ctx) {
    return {
      service(svc) {
        const user = svc.user;
        if (!user) {
          if (isImageIgnored(svc, ctx.options)) return;
          // no `user` key: the service name; `user:` with no value: that key
          const where = deepest(svc.ref, 'user');
          ctx.report({ messageId: 'missing', data: { service: svc.name }, at: where, loc: keyLoc(where), service: svc, fix: () => fixUser(ctx.stack, svc) });
          return;
        }
        const kind = classifyUser(user.value);
        if (kind === 'non-root') return;
        ctx.report({ messageId: kind === 'root' ? 'root' : 'emptyUser', data: { service: svc.name, value: showValue(user) }, at: user, loc: user.loc, service: svc, fix: () => fixUser(ctx.stack, svc) });
      },
    };
  },
});
