import { at, child, keyLoc, scalarValue, type LRef } from '../../src/model/access.js';
import type { Mount, Service } from '../../src/model/types.js';
import { parseBytes } from '../../src/model/units.js';
import { defineRule } from '../../src/engine/types.js';
import { stackTarget } from '../../src/engine/target.js';
import { fixLongSize, fixReadOnlyTmp, fixShortOptions, fixShortSize } from './fix.js';
import { normaliseTarget, withOptions, withoutOptions, withSize } from './tmpfs-entry.js';

/** The mount options every short-syntax tmpfs should state. */
const REQUIRED_OPTIONS = ['noexec', 'nosuid'] as const;

/** A size to suggest in messages; the fix uses the same. */
export const SUGGESTED_SIZE = '64m';

export default defineRule({
  meta: {
    id: 'tmpfs-hardening',
    description:
      'Every tmpfs mount has a size limit, short-syntax tmpfs mounts state noexec and nosuid, and a read_only service has a writable /tmp.',
    severity: 'warning',
    category: 'security',
    fixable: 'safe',
    messages: {
      noSize: 'service "{{service}}" mounts tmpfs "{{target}}" with {{found}}; add a size option, e.g. "{{example}}"',
      noSizeLong: 'service "{{service}}" mounts tmpfs "{{target}}" with {{found}}; set tmpfs.size on the mount, e.g. tmpfs: {size: {{size}}}',
      missingOptions: 'service "{{service}}" mounts tmpfs "{{target}}" without {{missing}}{{detail}}; add {{missing}} to its options, e.g. "{{example}}"',
      readOnlyNoTmpSwarm:
        'service "{{service}}" sets read_only: true but {{found}}, so programs that write temporary files fail; add a tmpfs volume for /tmp (docker stack deploy makes only volumes: mounts), e.g. a volume with type: tmpfs, target: /tmp and tmpfs.size: {{bytes}}',
      readOnlyNoTmp:
        'service "{{service}}" sets read_only: true but {{found}}, so programs that write temporary files fail; add a tmpfs for /tmp, e.g. tmpfs: ["/tmp:size={{size}},noexec,nosuid"]',
    },
  },
  create(ctx) {
    // docker stack deploy does not make the service-level `tmpfs:` mounts (swarm-compat warns):
    // under swarm they are neither checked nor counted as a writable /tmp
    const swarm = stackTarget(ctx.stack) === 'swarm';
    return {
      service(svc) {
        if (!swarm) for (const m of svc.tmpfs) checkShort(svc, m);
        for (const m of svc.volumes) if (m.syntax === 'long' && m.type === 'tmpfs') checkLong(svc, m);
        checkReadOnlyTmp(svc);
      },
    };

    function checkShort(svc: Service, m: Mount) {
      const options = m.options.map((o) => o.toLowerCase());
      const value = String(scalarValue(m.ref) ?? '');
      const size = sizeOption(options);
      if (size !== 'limited') {
        ctx.report({
          messageId: 'noSize',
          data: {
            service: svc.name,
            target: m.target,
            found: size === 'zero' ? 'size=0, which means no limit' : 'no size limit',
            example: withSize(value, SUGGESTED_SIZE),
          },
          at: m.ref,
          loc: m.ref.node.loc,
          service: svc,
          fix: () => fixShortSize(ctx.stack, svc, m),
        });
      }
      const missing = REQUIRED_OPTIONS.filter((o) => !options.includes(o));
      if (missing.length > 0) {
        const undone = missing.map((o) => o.slice(2)).filter((o) => options.includes(o));
        ctx.report({
          messageId: 'missingOptions',
          data: {
            service: svc.name,
            target: m.target,
            missing: missing.join(' and '),
            detail: undone.length > 0 ? ` (it sets ${undone.join(' and ')})` : '',
            // in place of the exec or suid it sets (both would contradict each other)
            example: withOptions(withoutOptions(value, undone), missing),
          },
          at: m.ref,
          loc: m.ref.node.loc,
          service: svc,
          fix: () => fixShortOptions(ctx.stack, svc, m),
        });
      }
    }

    function checkLong(svc: Service, m: Mount) {
      const sizeRef = at(m.ref, 'tmpfs', 'size');
      const raw = scalarValue(sizeRef);
      const zero = raw !== undefined && raw !== null && parseBytes(raw) === 0;
      if (raw !== undefined && raw !== null && !zero) return;
      // Point at what is there: the size set to 0, the tmpfs options without a size, or the type.
      const where: LRef = sizeRef ?? child(m.ref, 'tmpfs') ?? child(m.ref, 'type') ?? m.ref;
      ctx.report({
        messageId: 'noSizeLong',
        data: { service: svc.name, target: m.target, found: zero ? 'tmpfs.size 0, which means no limit' : 'no size limit', size: SUGGESTED_SIZE },
        at: where,
        loc: zero ? where.node.loc : keyLoc(where),
        path: where === m.ref || where.path[where.path.length - 1] === 'type' ? m.ref.path : where.path,
        service: svc,
        fix: () => fixLongSize(ctx.stack, svc, m),
      });
    }

    function checkReadOnlyTmp(svc: Service) {
      if (!svc.readOnly || svc.readOnly.value !== true) return;
      const atTmp = (m: Mount) => normaliseTarget(m.target) === '/tmp';
      const mounts = [...(swarm ? [] : svc.tmpfs), ...svc.volumes].filter(atTmp);
      if (mounts.some((m) => !isReadOnly(m))) return;
      const ignored = swarm && svc.tmpfs.some(atTmp);
      ctx.report({
        messageId: swarm ? 'readOnlyNoTmpSwarm' : 'readOnlyNoTmp',
        data: {
          service: svc.name,
          found: mounts.length > 0 ? 'mounts /tmp read-only' : ignored ? 'its tmpfs at /tmp is not made by docker stack deploy' : 'mounts nothing writable at /tmp',
          size: SUGGESTED_SIZE,
          bytes: String(parseBytes(SUGGESTED_SIZE)),
        },
        at: svc.readOnly,
        service: svc,
        fix: () => fixReadOnlyTmp(ctx.stack, svc, SUGGESTED_SIZE, swarm),
      });
    }
  },
});

/**
 * Whether a tmpfs's options bound its size: `size=` (bytes, a unit or a percentage of memory) or
 * `nr_blocks=`; the kernel reads 0 as "no limit", and the last occurrence wins.
 */
function sizeOption(options: string[]): 'limited' | 'zero' | 'none' {
  let result: 'limited' | 'zero' | 'none' = 'none';
  for (const o of options) {
    const m = /^(size|nr_blocks)=(.*)$/.exec(o);
    if (!m) continue;
    result = /^0+[a-z%]*$/.test(m[2]!.trim()) ? 'zero' : 'limited';
  }
  return result;
}

function isReadOnly(m: Mount): boolean {
  if (m.readOnly) return true;
  // a short tmpfs entry is read-only with the `ro` option (the last of ro/rw wins)
  const flags = m.options.map((o) => o.toLowerCase()).filter((o) => o === 'ro' || o === 'rw');
  return m.syntax === 'short' && m.type === 'tmpfs' && flags[flags.length - 1] === 'ro';
}
