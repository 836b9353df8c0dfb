/**
 * Which services of a file a usage profile sizes, and which it does not (with the reason), for the
 * one line `stackopt fix --usage` prints: an operator sees at once which limits come from a
 * measurement and which from a preset, and which recorded services the file no longer has.
 */
import type { Stack } from '../model/types.js';
import { fileStackName, findServiceUsage, historyShortfall, rangeShortfall, type UsageInput } from '../model/usage-recommend.js';
import { serviceKey, type ServiceUsage } from '../model/usage-profile.js';

export interface UsageCoverage {
  /** services of the file the profile has enough history for (and limits docker holds) */
  measured: string[];
  /** services sized by their preset instead, and why */
  byPreset: Array<{ service: string; why: string }>;
  /** profile entries that match no service of the file */
  notInFile: ServiceUsage[];
}

export function usageCoverage(input: UsageInput, stack: Stack): UsageCoverage {
  const fileStack = fileStackName(stack);
  const measured: string[] = [];
  const byPreset: UsageCoverage['byPreset'] = [];
  const used = new Set<ServiceUsage>();
  for (const svc of stack.services) {
    const found = findServiceUsage(input, svc.name, fileStack);
    if (!found.usage) {
      byPreset.push({ service: svc.name, why: found.reason });
      continue;
    }
    used.add(found.usage);
    const short = historyShortfall(found.usage, input.minHistorySeconds) ?? rangeShortfall(found.usage);
    if (short) byPreset.push({ service: svc.name, why: short });
    else measured.push(svc.name);
  }
  const stackName = input.stack ?? fileStack;
  const notInFile = Object.values(input.profile.services).filter((u) => !used.has(u) && (stackName === null || u.stack === stackName));
  return { measured, byPreset, notInFile };
}

/** `usage.json: 3 of 4 services sized from what they used; by preset: cache (…); not in this file: shop/legacy (last seen 2026-11-28)`. */
export function describeUsageCoverage(input: UsageInput, c: UsageCoverage): string {
  const total = c.measured.length + c.byPreset.length;
  const parts = [`${input.file}: ${c.measured.length} of ${total} ${total === 1 ? 'service' : 'services'} sized from what ${total === 1 ? 'it' : 'they'} used`];
  if (c.byPreset.length > 0) parts.push(`by preset: ${c.byPreset.map((b) => `${b.service} (${b.why})`).join(', ')}`);
  if (c.notInFile.length > 0) {
    const shown = c.notInFile.slice(0, 5).map((u) => `${serviceKey(u.stack, u.service)} (last seen ${u.lastSeen.slice(0, 10)})`);
    parts.push(`in the profile, not in this file: ${shown.join(', ')}${c.notInFile.length > 5 ? ` and ${c.notInFile.length - 5} more` : ''}`);
  }
  return parts.join('; ');
}
