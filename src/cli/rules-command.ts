import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { allRules, findRule } from '../engine/registry.js';
import { closest } from '../parse/validate-schema.js';
import { CliError, EXIT_OK, MAX_SHOWN_VALUE, quoteValue, shownValue } from './exit-codes.js';
import { packageRoot } from '../engine/package-info.js';
import type { GlobalContext } from './shared.js';
import type { RuleSettings } from '../engine/run-rules.js';
import type { Rule, SeveritySetting } from '../engine/types.js';

export function registerRules(program: Command, g: GlobalContext): void {
  program
    .command('rules')
    .summary('list the rules, or explain one')
    .description('Without an id, list every rule with its default severity and whether it can be fixed. With an id, print that rule\'s documentation: why, examples, fix behaviour and options.')
    .argument('[id]', 'a rule id, e.g. resource-limits')
    .option('--format <name>', 'the list as text (default) or markdown (the README\'s rule table)', 'text')
    .action(async (id: string | undefined, opts: { format: string }) => {
      if (opts.format !== 'text' && opts.format !== 'markdown') throw new CliError(`unknown format ${quoteValue(opts.format)} for rules; choose one of text, markdown`);
      if (id) g.stdout(explainRule(id));
      else if (opts.format === 'markdown') g.stdout((await import('../format/rule-docs.js')).rulesMarkdownTable(allRules));
      else g.stdout(listRules());
      g.exitCode = EXIT_OK;
    });
}

/** `stackopt rules`: one line per rule with its default severity and fix kind. */
export function listRules(): string {
  const rows = allRules.map((r) => [r.meta.id, r.meta.severity, r.meta.fixable ?? '-', r.meta.description]);
  const w0 = Math.max(...rows.map((r) => r[0]!.length), 4);
  const w1 = Math.max(...rows.map((r) => r[1]!.length), 8);
  const w2 = Math.max(...rows.map((r) => r[2]!.length), 7);
  const lines = [`${'rule'.padEnd(w0)}  ${'severity'.padEnd(w1)}  ${'fixable'.padEnd(w2)}  description`];
  for (const r of rows) lines.push(`${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]!.padEnd(w2)}  ${r[3]}`);
  lines.push('', 'Run `stackopt rules <id>` for a rule\'s documentation.');
  return `${lines.join('\n')}\n`;
}

/** `stackopt rules <id>`: the rule's README as it is, or a short text built from its metadata. */
export function explainRule(id: string): string {
  const rule = requireRule(id);
  const readme = join(packageRoot(), 'rules', id, 'README.md');
  if (existsSync(readme)) return readFileSync(readme, 'utf8');
  const m = rule.meta;
  return `# ${m.id}\n\n${m.description}\n\nDefault severity: ${m.severity}. ${m.fixable ? `Fixable (${m.fixable}).` : 'Not fixable.'}\n`;
}

/** The rule of an id given on the command line; an unknown id is a usage error with the closest id. */
export function requireRule(id: string): Rule {
  const rule = findRule(id);
  if (rule) return rule;
  const guess = closest(id, allRules.map((r) => r.meta.id));
  throw new CliError(`unknown rule ${quoteValue(id)}${guess ? `; did you mean "${guess}"?` : ''} (stackopt rules lists them)`);
}

const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['off', 'info', 'warning', 'error'];

/**
 * `--rule ID:SEVERITY` (lint, fix, audit): the rule must exist (a misspelt id gets a suggestion),
 * the severity is off, info, warning or error. Spaces around the colon are allowed, as ESLint's
 * `--rule 'id: off'`.
 */
export function parseRuleSeverity(spec: string): { id: string; severity: SeveritySetting } {
  const colon = spec.indexOf(':');
  if (colon < 0) throw new CliError(`--rule takes ID:SEVERITY (severity off, info, warning or error), e.g. --rule ${(spec.trim().length <= MAX_SHOWN_VALUE && spec.trim()) || 'healthcheck-required'}:off; not ${quoteValue(spec)}`);
  const id = spec.slice(0, colon).trim();
  const severity = spec.slice(colon + 1).trim();
  try {
    requireRule(id);
  } catch (e) {
    throw new CliError(`--rule ${shownValue(spec)}: ${(e as Error).message}`);
  }
  if (!(SEVERITY_SETTINGS as readonly string[]).includes(severity)) {
    throw new CliError(`--rule ${shownValue(spec)}: the severity must be off, info, warning or error, not ${quoteValue(severity)}`);
  }
  return { id, severity: severity as SeveritySetting };
}

/** Rule settings with the command line's severities on top (a rule keeps its configured options). */
export function withSeverities(settings: Readonly<Record<string, RuleSettings>> | undefined, overrides: ReadonlyArray<{ id: string; severity: SeveritySetting }>): Record<string, RuleSettings> {
  const out: Record<string, RuleSettings> = { ...settings };
  for (const o of overrides) out[o.id] = { ...out[o.id], severity: o.severity };
  return out;
}
