import { buildModel } from '../model/build-model.js';
import type { Stack } from '../model/types.js';
import { loadProject, type LoadOptions, type Project } from '../parse/load-project.js';
import { checkSchema } from '../parse/validate-schema.js';
import { validateCompose } from '../generated/validators.js';
import { allRules } from './registry.js';
import { compareFindings, findingPosition, runRules, type RunOptions } from './run-rules.js';
import type { Finding, Rule, Severity } from './types.js';
import type { SourceFile } from '../parse/source-file.js';

export interface LintOptions extends LoadOptions, RunOptions {
  rules?: readonly Rule[];
}

export interface LintResult {
  /** the first file of the project: findings are grouped under it */
  file: string;
  sources: SourceFile[];
  project: Project;
  stack: Stack | null;
  findings: Finding[];
}

/** Service keys reported by a rule of their own rather than as unknown keys by `schema`. */
const KEYS_OWNED_BY_RULES = new Set(['sleep_policy']);

/** Lint one project (one file, or several `-f` files merged). Throws InputError for unreadable input. */
export function lintProject(opts: LintOptions): LintResult {
  const project = loadProject(opts);
  const findings: Finding[] = [];
  const rules = opts.rules ?? allRules;
  const settings = opts.settings ?? {};
  const severityOf = (id: string, dflt: Severity): Severity | null => {
    const s = settings[id]?.severity;
    return s === 'off' ? null : (s ?? dflt);
  };
  for (const is of project.issues) {
    const sev = severityOf(is.ruleId, is.severity);
    if (!sev) continue;
    findings.push({ ruleId: is.ruleId, severity: sev, message: is.message, service: serviceOf(is.path), path: (is.path ?? []).join('.'), ...findingPosition(is.loc), fixable: false, loc: is.loc });
  }
  let stack: Stack | null = null;
  if (project.root) {
    const schemaSev = severityOf('schema', 'error');
    if (schemaSev) {
      const issues = checkSchema(project.root, validateCompose, {
        ignore: (e, path) =>
          e.keyword === 'additionalProperties' &&
          path.length === 2 &&
          path[0] === 'services' &&
          KEYS_OWNED_BY_RULES.has(String((e.params as { additionalProperty: string }).additionalProperty)),
      });
      for (const is of issues) {
        findings.push({ ruleId: 'schema', severity: schemaSev, message: is.message, service: serviceOf(is.path), path: is.path.join('.'), ...findingPosition(is.loc), fixable: false, loc: is.loc });
      }
    }
    stack = buildModel(project.root, project.sources);
    findings.push(...runRules(stack, rules, opts));
  }
  findings.sort(compareFindings);
  return { file: project.sources[0]?.displayPath ?? opts.files[0] ?? '', sources: project.sources, project, stack, findings };
}

function serviceOf(path: string[] | undefined): string | null {
  return path && path[0] === 'services' && path.length >= 2 ? path[1]! : null;
}
