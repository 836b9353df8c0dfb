import { coreRules } from '../engine/core-rules.js';
import type { Rule } from '../engine/types.js';

/** Where stackopt's sources and documentation live; rule help links point into it. */
export const REPOSITORY_URL = 'https://github.com/stackopt/stackopt';

const CORE_RULE_IDS = new Set(coreRules.map((r) => r.meta.id));

/**
 * The documentation page of a rule: `rules/<id>/README.md` in the repository (the same text as
 * `stackopt rules <id>`), or for the checks built into the reader and the suppression check, the
 * README section that describes them.
 */
export function ruleDocsUrl(id: string): string {
  return `${REPOSITORY_URL}/blob/main/${ruleDocsPath(id)}`;
}

/** The same page as a path in the repository (`README.md#suppressions`, `rules/<id>/README.md`). */
export function ruleDocsPath(id: string): string {
  if (id === 'unused-suppression') return 'README.md#suppressions';
  if (CORE_RULE_IDS.has(id)) return 'README.md#reading-files';
  return `rules/${id}/README.md`;
}

/**
 * The README's rule table: rule (linked to its documentation), default severity, whether findings
 * can be fixed (safe, unsafe: only with --unsafe, -), and a one-line why. `npm run docs` writes it
 * into README.md between the rules-table markers; a test fails when the README is out of date.
 */
export function rulesMarkdownTable(rules: readonly Rule[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| rule | severity | fixable | why |', '| --- | --- | --- | --- |'];
  for (const r of rules) {
    const path = ruleDocsPath(r.meta.id);
    const link = path.startsWith('README.md') ? path.slice('README.md'.length) : path;
    lines.push(`| [\`${r.meta.id}\`](${link}) | ${r.meta.severity} | ${r.meta.fixable ?? '-'} | ${cell(r.meta.description.replace(/\s+/g, ' ').trim())} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The first sentence of a rule's description: a one-line "why". */
export function summaryOf(rule: Rule): string {
  const d = rule.meta.description.trim();
  const m = /^(.*?[.!?])(\s|$)/s.exec(d);
  return (m ? m[1]! : d).replace(/\s+/g, ' ');
}
