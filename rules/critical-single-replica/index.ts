import { at, child, deepest, keyLoc, scalarValue, type Located } from '../../src/model/access.js';
import { defineRule } from '../../src/engine/types.js';
import { PATTERN_LIST_SCHEMA } from '../../src/engine/rule-options.js';
import {
  classifyService,
  DEFAULT_CRITICAL_PATTERNS,
  describeHighAvailability,
  findPatternMatch,
  imageProduct,
  isCriticalKind,
  isReplicated,
  splitPattern,
  statefulReason,
  type StatefulReason,
} from '../../src/model/service-class.js';
import type { Service } from '../../src/model/types.js';
import { userCriticalMark } from '../../src/model/service-priority.js';
import { composeScale, fixReplicas, scaleBlocker } from './fix.js';
import { stackTarget } from '../../src/engine/target.js';
import { showValue, shownText } from '../show-value.js';

export type CriticalSingleReplicaOptions = {
  /** glob patterns of critical service names and images; replaces the default list (`[]` turns it off) */
  critical: string[];
  /** patterns added to `critical`, to extend the default list without repeating it */
  extraCritical: string[];
  /** patterns of services never critical by name or image (an explicit mark still counts) */
  ignore: string[];
};

export { CRITICAL_LABEL } from '../../src/model/service-priority.js';

export default defineRule<CriticalSingleReplicaOptions>({
  meta: {
    id: 'critical-single-replica',
    description: 'A critical service (proxy, gateway, database, broker, high priority, or marked critical) runs at least 2 replicas or in global mode.',
    severity: 'error',
    category: 'availability',
    fixable: 'safe',
    messages: {
      singleReplica:
        'service "{{service}}" is critical ({{reason}}) but runs {{replicas}}; one replica is a single point of failure: set {{set}} to 2 or more',
      cannotScale:
        'service "{{service}}" is critical ({{reason}}) but runs {{replicas}}; one replica is a single point of failure, but a second replica would not start: {{blocker}}',
      statefulSingleReplica:
        'service "{{service}}" is critical ({{reason}}) and runs {{replicas}}, but it keeps state ({{state}}): more replicas of it is not high availability by itself; use {{ha}}, or a managed service',
    },
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { critical: PATTERN_LIST_SCHEMA, extraCritical: PATTERN_LIST_SCHEMA, ignore: PATTERN_LIST_SCHEMA },
      },
      defaults: { critical: [...DEFAULT_CRITICAL_PATTERNS], extraCritical: [], ignore: [] },
    },
  },
  create(ctx) {
    const patterns = criticalPatterns(ctx.options.critical ?? [], ctx.options.extraCritical ?? []);
    const ignore = ctx.options.ignore ?? [];
    return {
      service(svc) {
        if (!isReplicated(svc)) return; // global runs one per node; jobs run to completion
        const replicasRef = at(svc.deploy, 'replicas');
        if (replicasRef && !svc.replicas) return; // not a number: the schema or interpolation reports it
        // docker compose runs `scale` containers when deploy.replicas is not written
        const scale = composeScale(svc, stackTarget(ctx.stack));
        const scaled = scale ? scalarValue(scale) : undefined;
        if (scale && !(typeof scaled === 'number' && Number.isInteger(scaled))) return; // the schema reports it
        const count = scale ? (scaled as number) : (svc.replicas?.value ?? 1);
        // two or more; or none, written so (a service stopped on purpose is not a single point of failure)
        if (count >= 2 || count === 0) return;
        const reason = criticalReason(svc, patterns, ignore);
        if (!reason) return;
        const replicas = scale ? `${count} ${count === 1 ? 'replica' : 'replicas'} (scale: ${showValue(scale)})` : describeReplicas(count, svc.replicas);
        const state = statefulReason(svc);
        const target = svc.replicas ?? scale ?? deepest(svc.ref, 'deploy');
        const loc = svc.replicas ? svc.replicas.loc : scale ? scale.node.loc : keyLoc(target);
        const blocker = state ? null : scaleBlocker(svc, stackTarget(ctx.stack), ctx.stack);
        if (state) {
          ctx.report({
            messageId: 'statefulSingleReplica',
            data: { service: svc.name, reason, replicas, state: describeState(state, shownText(svc.image)), ha: highAvailability(svc, state) },
            at: target,
            loc,
            service: svc,
          });
        } else if (blocker) {
          ctx.report({ messageId: 'cannotScale', data: { service: svc.name, reason, replicas, blocker }, at: target, loc, service: svc, fix: null });
        } else {
          ctx.report({
            messageId: 'singleReplica',
            data: { service: svc.name, reason, replicas, set: scale ? 'scale' : 'deploy.replicas' },
            at: target,
            loc,
            service: svc,
            fix: () => fixReplicas(ctx.stack, svc, (s) => criticalReason(s, patterns, ignore) !== null),
          });
        }
      },
    };
  },
});

/**
 * The lists a run matches services against, one array per configuration: the pattern lists are
 * compiled once per array (findPatternMatch), and a rule is set up again for each project linted.
 */
const combined = new WeakMap<readonly string[], WeakMap<readonly string[], readonly string[]>>();
const ownPatterns = new WeakMap<readonly string[], readonly string[]>();

/** `critical` and then `extraCritical`: `critical` itself when there are no extra ones. */
function criticalPatterns(critical: readonly string[], extra: readonly string[]): readonly string[] {
  if (extra.length === 0) return critical;
  let byExtra = combined.get(critical);
  if (!byExtra) combined.set(critical, (byExtra = new WeakMap()));
  let out = byExtra.get(extra);
  if (!out) byExtra.set(extra, (out = [...critical, ...extra]));
  return out;
}

/** The patterns that are not default ones (the user's own). */
function userPatterns(patterns: readonly string[]): readonly string[] {
  let out = ownPatterns.get(patterns);
  if (!out) ownPatterns.set(patterns, (out = patterns.filter((p) => !DEFAULT_CRITICAL_PATTERNS.includes(p))));
  return out;
}

/** Why the service is critical (for the message), or null when it is not. */
export function criticalReason(svc: Service, patterns: readonly string[], ignore: readonly string[] = []): string | null {
  const mark = userCriticalMark(svc);
  if (mark) return mark.critical ? `marked critical by ${mark.how}` : null;
  if (svc.sleepPolicy) {
    const priority = scalarValue(child(svc.sleepPolicy.ref, 'priority'));
    if (typeof priority === 'string' && priority.trim().toLowerCase() === 'high') return `${svc.sleepPolicy.key}.priority is "high"`;
  }
  if (findPatternMatch(svc, ignore)) return null;
  let m = findPatternMatch(svc, patterns);
  // a default pattern is a guess from a name or an image; what the service is decides (a
  // pushgateway, a job, a backup loop on a database image): then only the user's own patterns count
  if (m && DEFAULT_CRITICAL_PATTERNS.includes(m.pattern) && !isCriticalKind(svc)) m = findPatternMatch(svc, userPatterns(patterns));
  if (!m) return null;
  const { glob } = splitPattern(m.pattern);
  if (m.subject === 'image') return `image "${shownText(svc.image) ?? m.value}" matches "${glob}"`;
  const inner = /^\*([^*?]+)\*$/.exec(glob);
  if (inner) return `name contains "${inner[1]}"`;
  return /[*?]/.test(glob) ? `name matches "${glob}"` : `name is "${m.value}"`;
}

/**
 * How a stateful service is made highly available. A proxy or web server keeps files (certificates,
 * site configuration) in its volume, not data it replicates: what it needs is storage every replica
 * reads; anything else, its software's own replication.
 */
function highAvailability(svc: Service, state: StatefulReason): string {
  if ((state.kind === 'volume' || state.kind === 'bind') && classifyService(svc) === 'proxy') {
    return 'storage every replica can read for what it keeps there (its certificates and configuration as configs or secrets, or a volume every node mounts), then 2 or more replicas';
  }
  return describeHighAvailability(imageProduct(svc) ? svc.image!.value : svc.name);
}

function describeReplicas(count: number, replicas: Located<number> | null): string {
  const n = `${count} ${count === 1 ? 'replica' : 'replicas'}`;
  if (!replicas) return `${n} (deploy.replicas is not set)`;
  return `${n} (deploy.replicas: ${showValue(replicas)})`;
}

function describeState(s: StatefulReason, shown: string | null): string {
  if (s.kind === 'volume') return `named volume "${s.volume}" at ${s.mount.target}`;
  if (s.kind === 'product') return `image "${shown ?? s.image}" holds ${s.state}`;
  // the spec as the file wrote it: a path a set variable went into is not shown
  if (s.kind === 'bind') return s.mount.syntax === 'short' ? `a host folder mounted writable, ${showValue(s.mount.ref)}` : `a host folder mounted writable at ${s.mount.target}`;
  return `${s.class} image "${shown ?? s.image}"`;
}
