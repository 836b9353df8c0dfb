/**
 * The options `lint` and `fix` share for sizing from observed usage: `--usage FILE` (a profile
 * recorded by `stackopt usage record`), `--min-history D` and `--stack NAME`.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../model/units.js';
import { MIN_HISTORY_SECONDS, formatWindow, type UsageInput } from '../model/usage-recommend.js';
import { readUsageProfile, UsageProfileError } from '../usage/profile-file.js';
import { CliError, quoteValue } from './exit-codes.js';

export interface UsageOptions {
  usage?: string;
  minHistory?: number;
  stack?: string;
}

/** `3h`, `30m`, `90s`, `1d`, `1.5d`: seconds, more than 0. */
export function parseMinHistory(v: string): number {
  const s = v.trim();
  const days = /^(\d+(?:\.\d+)?)d$/.exec(s);
  const seconds = days ? parseFloat(days[1]!) * 86400 : parseDuration(s);
  if (seconds === null || !(seconds > 0) || !Number.isFinite(seconds)) throw new CliError(`--min-history takes a duration such as 30m, 3h or 1d, not ${quoteValue(v)}`);
  return seconds;
}

export function parseStackName(v: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v)) throw new CliError(`--stack takes a stack or project name (letters, digits, _ . -), not ${quoteValue(v)}`);
  return v;
}

/** Add the three options to a command. */
export function addUsageOptions(cmd: Command): Command {
  return cmd
    .option('--usage <file>', 'a usage profile (stackopt usage record): size from what the services used')
    .option('--min-history <duration>', `with --usage: the least history a service needs to be sized from it (default ${formatWindow(MIN_HISTORY_SECONDS)}; 30m, 1d)`, parseMinHistory)
    .option('--stack <name>', 'with --usage: the stack or compose project the services ran under (default: the file\'s name:, else unique service names)', parseStackName);
}

/** The profile the options name, read and checked, or null without --usage. A bad profile is a usage error. */
export function loadUsageInput(opts: UsageOptions): UsageInput | null {
  if (opts.usage === undefined) {
    if (opts.minHistory !== undefined) throw new CliError('--min-history takes effect only with --usage');
    if (opts.stack !== undefined) throw new CliError('--stack takes effect only with --usage');
    return null;
  }
  try {
    const profile = readUsageProfile(resolve(opts.usage), opts.usage);
    return { profile, file: opts.usage, stack: opts.stack ?? null, ...(opts.minHistory !== undefined ? { minHistorySeconds: opts.minHistory } : {}) };
  } catch (e) {
    if (e instanceof UsageProfileError) throw new CliError(e.message);
    throw e;
  }
}
