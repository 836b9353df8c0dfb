import type { Severity } from './types.js';

/**
 * The failure threshold (`--fail-on`, `failOn` in the configuration), as hadolint's
 * `--failure-threshold`: a run fails when a finding has this severity or a higher one; `none`
 * never fails on findings.
 */
export type FailOn = Severity | 'none';

export const FAIL_ON_VALUES: readonly FailOn[] = ['error', 'warning', 'info', 'none'];

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function isFailOn(v: unknown): v is FailOn {
  return typeof v === 'string' && (FAIL_ON_VALUES as readonly string[]).includes(v);
}

/** Whether a finding of this severity fails a run with this threshold. */
export function failsAt(severity: Severity, failOn: FailOn): boolean {
  return failOn !== 'none' && RANK[severity] >= RANK[failOn];
}

/**
 * What `-q` keeps: the findings that can fail the run (at or above the threshold); errors when
 * nothing fails it (`none`).
 */
export function shownWhenQuiet(severity: Severity, failOn: FailOn): boolean {
  return failsAt(severity, failOn === 'none' ? 'error' : failOn);
}
