import { defineRule } from '../../src/engine/types.js';
import { oneShotReason } from '../../src/model/service-class.js';
import { sizingPriority } from '../../src/model/service-priority.js';
import {
  fileStackName,
  findServiceUsage,
  formatCount,
  formatWindow,
  historyShortfall,
  IDLE_CPU_SHOWN,
  IDLE_SHARE,
  idleShare,
} from '../../src/model/usage-recommend.js';
import { observedSeconds } from '../../src/model/usage-profile.js';

export interface SleepCandidateOptions extends Record<string, unknown> {
  /** the share of samples a service must be idle in to be named (0.9: idle in 90% of them) */
  idleShare: number;
}

export default defineRule<SleepCandidateOptions>({
  meta: {
    id: 'sleep-candidate',
    description: 'With a usage profile (--usage): a service that was idle for most of the recording and has no sleep policy is named as one that could sleep.',
    severity: 'info',
    category: 'resources',
    messages: {
      idle:
        'service "{{service}}" was idle (under {{threshold}} of a CPU) in {{share}} of its {{samples}} samples over {{window}} ({{usage}}) and has no x-sleep-policy; it could sleep while unused and give its memory back: add x-sleep-policy (schemas/sleep-policy.schema.json)',
    },
    options: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { idleShare: { type: 'number', exclusiveMinimum: 0, maximum: 1 } },
      },
      defaults: { idleShare: IDLE_SHARE },
    },
  },
  create(ctx) {
    const usage = ctx.usage;
    // without a profile there is nothing to measure: the rule does not run
    if (!usage) return {};
    const fileStack = fileStackName(ctx.stack);
    const threshold = ctx.options.idleShare;
    return {
      service(svc) {
        // a policy of any spelling (sleep-policy reports the spelling); jobs exit by themselves;
        // critical services are what the others wake up to
        if (svc.sleepPolicy || oneShotReason(svc) !== null || sizingPriority(svc).priority === 'critical') return;
        const found = findServiceUsage(usage, svc.name, fileStack);
        if (!found.usage || historyShortfall(found.usage, usage.minHistorySeconds) !== null) return;
        const share = idleShare(found.usage);
        if (share === null || share < threshold) return;
        const samples = found.usage.daily.reduce((n, d) => n + d.samples, 0);
        ctx.report({
          messageId: 'idle',
          data: {
            service: svc.name,
            threshold: IDLE_CPU_SHOWN,
            share: `${Math.floor(share * 100)}%`,
            samples: formatCount(samples),
            window: formatWindow(observedSeconds(found.usage)),
            usage: usage.file,
          },
          at: svc.ref,
          service: svc,
        });
      },
    };
  },
});
