/**
 * How much a service matters when it is sized: `critical` (everything else depends on it: its
 * memory is reserved in full), `normal`, or `sleepable` (it has a sleep policy: it holds no
 * reservation while it may be asleep). Read by the usage-based sizing (`usage-recommend.ts`); the
 * user's own mark is the one `critical-single-replica` honours.
 */
import { at, child, scalarValue } from './access.js';
import { readKeyValues } from './build-model.js';
import { isCriticalKind } from './service-class.js';
import type { Service } from './types.js';

/** The label that marks a service critical (`true`) or not (`false`), on `labels` or `deploy.labels`. */
export const CRITICAL_LABEL = 'stackopt.critical';

/** `true` / `false` from a boolean or a string (labels and interpolated values are strings), else null. */
function readFlag(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return null;
}

/** Whether the user marked the service: `x-stackopt.critical`, then `labels`, then `deploy.labels`. */
export function userCriticalMark(svc: Service): { critical: boolean; how: string } | null {
  const x = readFlag(scalarValue(child(svc.xStackopt, 'critical')));
  if (x !== null) return { critical: x, how: 'x-stackopt.critical' };
  const label = readFlag(svc.labels.get(CRITICAL_LABEL)?.value);
  if (label !== null) return { critical: label, how: `label ${CRITICAL_LABEL}=${label}` };
  const deployLabel = readFlag(readKeyValues(at(svc.deploy, 'labels')).get(CRITICAL_LABEL)?.value);
  if (deployLabel !== null) return { critical: deployLabel, how: `deploy label ${CRITICAL_LABEL}=${deployLabel}` };
  return null;
}

export type SizingPriority = 'critical' | 'normal' | 'sleepable';

/** The sleep policy's `priority`, lower-cased, and whether it lets the service sleep (`enabled`, default true). */
function sleepSettings(svc: Service): { priority: string | null; sleeps: boolean } | null {
  if (!svc.sleepPolicy) return null;
  const ref = svc.sleepPolicy.ref;
  const p = scalarValue(child(ref, 'priority'));
  const enabled = readFlag(scalarValue(child(ref, 'enabled')));
  return { priority: typeof p === 'string' ? p.trim().toLowerCase() : null, sleeps: enabled !== false };
}

/**
 * The service's priority for sizing, and why (for the evidence): critical when the user marks it
 * so, when its sleep policy says `priority: high`, or when it is a database, cache, broker or proxy
 * that serves (`isCriticalKind`), unless the user marks it not critical; sleepable when it has a
 * sleep policy that lets it sleep; else normal.
 */
export function sizingPriority(svc: Service): { priority: SizingPriority; reason: string } {
  const mark = userCriticalMark(svc);
  const sleep = sleepSettings(svc);
  if (mark?.critical) return { priority: 'critical', reason: `marked critical by ${mark.how}` };
  if (sleep?.priority === 'high') return { priority: 'critical', reason: `${svc.sleepPolicy!.key}.priority is "high"` };
  if (!mark && isCriticalKind(svc)) return { priority: 'critical', reason: 'a database, cache, broker or proxy' };
  if (sleep?.sleeps) return { priority: 'sleepable', reason: `${svc.sleepPolicy!.key} lets it sleep` };
  return { priority: 'normal', reason: mark ? `marked not critical by ${mark.how}` : 'neither critical nor sleepable' };
}
