/**
 * What `resource-limits` does with a usage profile (`--usage`): the recommendation for each service
 * (src/model/usage-recommend.ts), the findings only a measurement shows (a limit below what was
 * used, a service killed by its memory limit, a limit far above what was used) and their fixes.
 */
import { buildSharedFix, FixBuilder } from '../../src/engine/fixer.js';
import type { Fix, RuleContext } from '../../src/engine/types.js';
import { isPresetName, formatCpus, formatMemory, type PresetName } from '../../src/model/sizing.js';
import { sizingPriority } from '../../src/model/service-priority.js';
import type { Located } from '../../src/model/access.js';
import type { Service, Stack } from '../../src/model/types.js';
import {
  findServiceUsage,
  fileStackName,
  formatCpu,
  formatMi,
  lastRecordingStart,
  percent,
  recommendFromUsage,
  THROTTLING_HIGH,
  type Evidenced,
  type UsageInput,
  type UsageRecommendation,
} from '../../src/model/usage-recommend.js';

/** A limit more than this many times the recommendation is far above what was used... */
export const FAR_ABOVE_FACTOR = 4;
/** ...when the difference is also at least this much (a few MiB or a tenth of a CPU over is no news). */
export const FAR_ABOVE_MEMORY_BYTES = 256 * 1024 ** 2;
export const FAR_ABOVE_CPUS = 0.5;

/** For one service: the recommendation, or why the service is sized by its preset instead. */
export type UsageSizing = { rec: UsageRecommendation; why: null; file: string } | { rec: null; why: string; file: string };

/** The recommendations of a run, one per service (the fix of a shared anchor asks for its siblings' too). */
export class UsageSizer {
  private cache = new Map<Service, UsageSizing>();
  private readonly lastStart: string | null;
  private readonly fileStack: string | null;

  constructor(
    readonly input: UsageInput,
    stack: Stack,
    private readonly preset: PresetName,
  ) {
    this.lastStart = lastRecordingStart(input.profile);
    this.fileStack = fileStackName(stack);
  }

  of(svc: Service): UsageSizing {
    let s = this.cache.get(svc);
    if (!s) this.cache.set(svc, (s = this.compute(svc)));
    return s;
  }

  private compute(svc: Service): UsageSizing {
    const file = this.input.file;
    const found = findServiceUsage(this.input, svc.name, this.fileStack);
    if (!found.usage) return { rec: null, why: found.reason, file };
    const { priority, reason } = sizingPriority(svc);
    const rec = recommendFromUsage(found.usage, {
      preset: this.preset,
      priority,
      priorityReason: reason,
      minHistorySeconds: this.input.minHistorySeconds,
      lastRecordingStart: this.lastStart,
    });
    return rec.ok ? { rec, why: null, file } : { rec: null, why: rec.reason, file };
  }
}

export function usageSizer(ctx: RuleContext<{ preset: string }>): UsageSizer | null {
  if (!ctx.usage) return null;
  return new UsageSizer(ctx.usage, ctx.stack, isPresetName(ctx.options.preset) ? ctx.options.preset : 'default');
}

/** Whether a trailing comment is one of the evidence comments a fix writes (so that a new fix may rewrite it). */
export function isEvidenceComment(c: string): boolean {
  return /^(?:peak \d|p\d\d |\d+ OOM kills? at |throttled in |half the highest |= limit \()/.test(c);
}

const evidenceComment = (e: Evidenced) => ({ text: e.evidence, replaceable: isEvidenceComment });

type Report = RuleContext['report'];

/** The usage findings of one service: its limits against what it used. */
export function checkUsage(ctx: { report: Report; stack: Stack }, svc: Service, sizer: UsageSizer): void {
  const sizing = sizer.of(svc);
  const rec = sizing.rec;
  if (!rec) return;
  const o = rec.observed;
  /** A finding at the limit `key`, fixed by setting it to the recommendation `want`. */
  const below = (key: 'cpus' | 'memory', limit: Located<number>, want: Evidenced, messageId: string, data: Record<string, string | number>): void =>
    ctx.report({
      messageId,
      data: { service: svc.name, usage: sizing.file, recommended: key === 'memory' ? formatMemory(want.value) : formatCpus(want.value), evidence: want.evidence, ...data },
      at: limit,
      loc: limit.loc,
      service: svc,
      ...(key === 'cpus' ? { severity: 'warning' as const } : {}),
      fix: () => setLimit(ctx.stack, svc, key, sizer),
    });
  const memLimit = svc.limits.memory;
  if (memLimit) {
    const want = rec.limits.memory;
    const limit = formatMemory(memLimit.value);
    if (o.oomKills > 0 && memLimit.value < want.value) below('memory', memLimit, want, 'oomKilled', { kills: o.oomKills === 1 ? 'once' : `${o.oomKills} times`, limit });
    else if (memLimit.value < o.memoryPeak) below('memory', memLimit, want, 'memoryBelowPeak', { limit, peak: formatMi(o.memoryPeak), window: rec.window });
    else farAbove(ctx, svc, 'memory', memLimit, want, formatMi(o.memoryPeak), rec, sizer);
  }
  const cpuLimit = svc.limits.cpus;
  if (cpuLimit) {
    const want = rec.limits.cpus;
    const limit = formatCpu(cpuLimit.value);
    if (cpuLimit.value < want.value && o.throttled !== null && o.throttled > THROTTLING_HIGH) below('cpus', cpuLimit, want, 'cpuThrottled', { share: percent(o.throttled), limit });
    else if (cpuLimit.value < o.cpuP99) below('cpus', cpuLimit, want, 'cpuBelowUsage', { limit, used: formatCpu(o.cpuP99), window: rec.window });
    else farAbove(ctx, svc, 'cpus', cpuLimit, want, `${formatCpu(o.cpuMax)} CPU`, rec, sizer);
  }
}

function farAbove(ctx: { report: Report; stack: Stack }, svc: Service, key: 'cpus' | 'memory', limit: Located<number>, want: Evidenced, used: string, rec: UsageRecommendation, sizer: UsageSizer): void {
  const minGap = key === 'memory' ? FAR_ABOVE_MEMORY_BYTES : FAR_ABOVE_CPUS;
  if (!(limit.value > FAR_ABOVE_FACTOR * want.value && limit.value - want.value >= minGap)) return;
  ctx.report({
    messageId: 'limitFarAbove',
    data: {
      service: svc.name,
      limit: key === 'memory' ? `${formatMemory(limit.value)} of memory` : `${formatCpu(limit.value)} CPU`,
      used,
      window: rec.window,
      usage: sizer.input.file,
      factor: FAR_ABOVE_FACTOR,
      recommended: key === 'memory' ? formatMemory(want.value) : `${formatCpus(want.value)} CPU`,
      evidence: want.evidence,
      key,
    },
    at: limit,
    loc: limit.loc,
    service: svc,
    severity: 'warning',
    fix: () => setLimit(ctx.stack, svc, key, sizer, true),
  });
}

/**
 * Set a limit to the recommendation, with its evidence as a trailing comment. Lowering is unsafe
 * (a week of history may not hold the monthly batch run); a reservation above the new limit is
 * lowered with it (to the recommended reservation, else to the limit). Each service sharing the
 * limit through an anchor is asked for its own recommendation: the fix is made only when they agree.
 */
function setLimit(stack: Stack, svc: Service, key: 'cpus' | 'memory', sizer: UsageSizer, lowering = false): Fix {
  return buildSharedFix(stack, svc, (s) => {
    const b = new FixBuilder('', lowering);
    const { rec, why } = sizer.of(s);
    if (!rec) return b.fail(`service "${s.name}" is not sized from usage: ${why}`);
    const want = rec.limits[key];
    const limit = s.limits[key];
    if (!limit) return b.fail(`deploy.resources.limits.${key} is not set here`);
    const text = key === 'memory' ? formatMemory(want.value) : formatCpus(want.value);
    b.replace(limit, text, false, evidenceComment(want));
    const reserved = s.reservations[key];
    const recReservation = rec.reservations[key];
    let also = '';
    if (reserved && reserved.value > want.value) {
      const r = recReservation && recReservation.value <= want.value ? recReservation : { value: want.value, evidence: `= limit (${want.evidence})` };
      const rText = key === 'memory' ? formatMemory(r.value) : formatCpus(r.value);
      b.replace(reserved, rText, false, evidenceComment(r));
      also = ` and reservations.${key} to ${rText}`;
    }
    const from = key === 'memory' ? formatMemory(limit.value) : formatCpus(limit.value);
    b.description = `${lowering ? 'lowered' : 'raised'} limits.${key} from ${from} to ${text}${also} (${want.evidence})`;
    return b;
  });
}
