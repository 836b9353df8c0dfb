import { fingerprintFindings } from '../engine/baseline.js';
import type { RuleCategory } from '../engine/types.js';
import { allFindings, slashPath, type Formatter } from './types.js';

/**
 * Code Climate issues as GitLab's code quality report reads them (`artifacts:reports:codequality`):
 * description, check_name, fingerprint, severity, location.path and location.lines. The fingerprint
 * is stable when lines move (rule, file, service, YAML path and rank; see engine/baseline.ts) and
 * unique in a report, as GitLab shows only the first issue of a fingerprint.
 */
export const formatCodeClimate: Formatter = (results, ctx) => {
  const findings = allFindings(results);
  const prints = fingerprintFindings(findings);
  const categoryOf = new Map((ctx.rules ?? []).map((r) => [r.meta.id, r.meta.category]));
  const issues = findings.map((f, i) => ({
    type: 'issue',
    check_name: f.ruleId,
    description: f.message,
    categories: [CATEGORIES[categoryOf.get(f.ruleId) ?? 'syntax'] ?? 'Bug Risk'],
    fingerprint: prints[i]!,
    severity: f.severity === 'error' ? 'major' : f.severity === 'warning' ? 'minor' : 'info',
    location: {
      path: slashPath(f.file),
      lines: { begin: Math.max(1, f.line), end: Math.max(1, f.endLine, f.line) },
    },
  }));
  return `${JSON.stringify(issues, null, 2)}\n`;
};

/** Our rule categories as Code Climate's issue categories. */
const CATEGORIES: Partial<Record<RuleCategory, string>> = {
  syntax: 'Bug Risk',
  resources: 'Performance',
  availability: 'Bug Risk',
  security: 'Security',
  policy: 'Style',
  compatibility: 'Compatibility',
  references: 'Bug Risk',
  cluster: 'Bug Risk',
};
