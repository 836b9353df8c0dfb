import { deepest, keyLoc } from '../../src/model/access.js';
import { showValue } from '../show-value.js';
import { defineRule } from '../../src/engine/types.js';
import { isImageIgnored, PATTERN_LIST_SCHEMA } from '../../src/engine/rule-options.js';
import { findImagePattern } from '../../src/model/service-class.js';
import type { Service } from '../../src/model/types.js';
import { fixUser as fixUserOf, NON_ROOT_IMAGES } from './fix.js';
import { classifyUser } from './user.js';

const EXPECTED = 'set user to a non-root UID such as "1000:1000"';

export type NonRootUserOptions = {
  /** image patterns (`nginxinc/nginx-unprivileged`, `bitnami/*`) exempt from the rule without `user` */
  ignoreImages: readonly string[];
  /** image patterns whose Dockerfile sets a non-root USER; replaces the built-in list (`NON_ROOT_IMAGES`) */
  nonRootImages: readonly string[];
};

export default defineRule<NonRootUserOptions>({
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
    options: {
      schema: { type: 'object', additionalProperties: false, properties: { ignoreImages: PATTERN_LIST_SCHEMA, nonRootImages: PATTERN_LIST_SCHEMA } },
      defaults: { ignoreImages: [], nonRootImages: [...NON_ROOT_IMAGES.keys()] },
    },
  },
  create(ctx) {
    const nonRoot = ctx.options.nonRootImages ?? [];
    /** the image runs as its own non-root user: a known one, or one the user told us about */
    const runsAsOwnUser = (s: Service) => isImageIgnored(s, ctx.options) || (s.image !== null && nonRoot.length > 0 && findImagePattern(s.image.value, nonRoot) !== null);
    const fixUser = (svc: Service) => () => fixUserOf(ctx.stack, svc, runsAsOwnUser);
    return {
      service(svc) {
        const user = svc.user;
        if (!user) {
          if (runsAsOwnUser(svc)) return;
          // no `user` key: the service name; `user:` with no value: that key
          const where = deepest(svc.ref, 'user');
          ctx.report({ messageId: 'missing', data: { service: svc.name }, at: where, loc: keyLoc(where), service: svc, fix: fixUser(svc) });
          return;
        }
        const kind = classifyUser(user.value);
        if (kind === 'non-root') return;
        ctx.report({ messageId: kind === 'root' ? 'root' : 'emptyUser', data: { service: svc.name, value: showValue(user) }, at: user, loc: user.loc, service: svc, fix: fixUser(svc) });
      },
    };
  },
});
