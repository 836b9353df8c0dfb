import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { packageRoot } from './package-info.js';
import { buildModel } from '../model/build-model.js';
import type { Loc } from '../parse/location.js';
import type { Stack } from '../model/types.js';
import type { UsageInput } from '../model/usage-recommend.js';
import { loadProject, type LoadOptions, type Project } from '../parse/load-project.js';
import { checkSchema } from '../parse/validate-schema.js';
import { validateCompose } from '../generated/validators.js';
import { allRules } from './registry.js';
import { coreRules } from './core-rules.js';
import { applySuppressions } from './suppressions.js';
import { compareFindings, makeFinding, runRules, type RunOptions } from './run-rules.js';
import type { Finding, Rule, Severity } from './types.js';
import { composeConsistency } from '../model/compose-consistency.js';
import { checkSwarmSchema, stackSchemaPaths } from './swarm-schema.js';
import { dockerVersion, STACK_VERSIONS } from '../model/stack-version.js';
import { composeCasts, composeValueIssues } from '../model/compose-values.js';
import { resourceConflicts } from '../model/resource-conflicts.js';
import { resolveTarget, targetBeforeReading, type ResolvedTarget, type TargetSetting } from './target.js';
import type { SourceFile } from '../parse/source-file.js';
import { pushAll } from '../parse/collect.js';
import { nodeAt, pathPatternLookup, type LVal } from '../parse/located.js';
import { DEFAULT_BASES } from '../parse/compose-names.js';

export interface LintOptions extends LoadOptions, RunOptions {
  rules?: readonly Rule[];
  /** `compose`, `swarm` (docker stack deploy) or `auto` (default; see resolveTarget in ./target.ts) */
  target?: TargetSetting;
  /** what the services used while they ran (`--usage`): sizing reads it where it has a service's history */
  usage?: UsageInput | null;
}

export interface LintResult {
  /** the first file of the project: findings are grouped under it */
  file: string;
  sources: SourceFile[];
  project: Project;
  stack: Stack | null;
  findings: Finding[];
  /** the target the rules ran for, and why */
  target: ResolvedTarget;
  /** findings an inline suppression accepted, each with its `suppression` (SARIF reports them) */
  suppressed: Finding[];
}

/** Service keys reported by a rule of their own rather than as unknown keys by `schema`. */
const KEYS_OWNED_BY_RULES = new Set(['sleep_policy']);

/**
 * Lists docker compose makes unique before it validates the file (compose-go, override/uncity.go,
 * EnforceUnicity): an item written twice is dropped, not refused, so the schema's "duplicate items"
 * is no error for target compose. `docker stack deploy` refuses them (swarm-compat).
 */
const DEDUPED_BY_COMPOSE = pathPatternLookup(
  [
    ['networks', '*', 'labels'],
    ['networks', '*', 'ipam', 'options'],
    ...['annotations', 'cap_add', 'cap_drop', 'devices', 'configs', 'dns', 'dns_opt', 'dns_search', 'environment', 'env_file', 'expose', 'labels', 'links', 'ports', 'profiles', 'secrets', 'sysctls', 'tmpfs', 'volumes'].map((k) => ['services', '*', k]),
    ...['args', 'additional_contexts', 'tags', 'labels'].map((k) => ['services', '*', 'build', k]),
    ['services', '*', 'deploy', 'labels'],
    ['services', '*', 'networks', '*', 'aliases'],
    ['services', '*', 'networks', '*', 'link_local_ips'],
  ].map((p) => [p, true] as const),
);

/** Lint one project (one file, or several `-f` files merged). Throws InputError for unreadable input. */
export function lintProject(opts: LintOptions): LintResult {
  // only fixes edit through yaml nodes: a lint that builds none reads files the fast way
  const editable = opts.editable ?? opts.withFixes ?? false;
  // a stack's `${...}` is read as docker stack deploy reads it (docker/cli's rules, not compose's):
  // from the start when the setting or a file name says swarm, else again once the contents do
  // and a value reads otherwise that way
  const interpolate = opts.interpolate ?? true;
  const known = targetBeforeReading(opts.target, opts.files);
  const asStack = known?.target === 'swarm';
  let project = loadProject({ ...opts, editable, interpolate: interpolate && asStack ? 'stack' : interpolate, composeTags: !asStack });
  const target = known ?? resolveTarget(opts.target, opts.files, project.root);
  // a file found to be a stack file by what it holds is read again as docker stack deploy reads it,
  // where that differs: its interpolation, and compose's tags `!reset` and `!override`
  if (!known && target.target === 'swarm' && ((interpolate === true && project.stackDiffers) || project.composeTags)) {
    project = loadProject({ ...opts, editable, interpolate: interpolate === true ? 'stack' : interpolate, composeTags: false });
  }
  const findings: Finding[] = [];
  const rules = opts.rules ?? allRules;
  const settings = opts.settings ?? {};
  const severityOf = (id: string, dflt: Severity): Severity | null => {
    const s = settings[id]?.severity;
    return s === 'off' ? null : (s ?? dflt);
  };
  const redactor = project.redactor;
  const redact = redactor.empty ? undefined : (text: string) => redactor.redact(text);
  for (const is of project.issues) {
    if (is.composeOnly ? target.target === 'swarm' : is.swarmOnly && target.target !== 'swarm') continue;
    const sev = severityOf(is.ruleId, is.severity);
    if (sev) findings.push(parserFinding(is, is.ruleId, sev, redact));
  }
  let stack: Stack | null = null;
  const activeRules = new Set<string>();
  if (project.root) {
    const schemaSev = severityOf('schema', 'error');
    if (schemaSev) {
      const issues = checkSchema(project.root, validateCompose, {
        schema: composeSchema,
        ignore: (e, path) =>
          (e.keyword === 'additionalProperties' &&
            path.length === 2 &&
            path[0] === 'services' &&
            KEYS_OWNED_BY_RULES.has(String((e.params as { additionalProperty: string }).additionalProperty))) ||
          (e.keyword === 'uniqueItems' && target.target === 'compose' && DEDUPED_BY_COMPOSE(path) === true) ||
          // a string compose casts to the number or boolean the schema wants (`required: "false"`)
          (e.keyword === 'type' && target.target === 'compose' && castByCompose(project.root!, path)),
      });
      // with target swarm, docker stack deploy's schema is the judge: a compose-spec error stands only
      // where it says something too (not container_name's pattern, bind.selinux's values, ...)
      const saysAt = target.target === 'swarm' && issues.length > 0 ? stackSchemaPaths(checkSwarmSchema(project.root, swarmVersion(project.versions))) : null;
      for (let i = 0; i < issues.length; i++) {
        if (saysAt && !saysAt(issues[i]!.path)) continue;
        findings.push(parserFinding(issues[i]!, 'schema', schemaSev, redact));
      }
      // what compose refuses though each key is valid alone (swarm has none of these keys)
      if (target.target === 'compose') {
        // a service whose reading failed (an `extends` that could not be read, a value whose `${...}`
        // is no expression) is told by that error: compose stops there, before these checks
        const failed = new Set<string>();
        for (const is of project.issues) if (is.severity === 'error' && is.path?.[0] === 'services' && is.path[1] !== undefined) failed.add(is.path[1]);
        const fragment = opts.files.length === 1 && !DEFAULT_BASES.includes(basename(opts.files[0]!).toLowerCase());
        for (const is of composeConsistency(project.root, { failed, fragment })) findings.push(parserFinding(is, 'schema', is.warning && schemaSev === 'error' ? 'warning' : schemaSev, redact));
        // and values it cannot decode though the schema takes them (`mem_limit: 1 gigabyte`), and
        // top-level resources whose keys contradict each other
        // (one error for a value: where the schema says its type is wrong, not that it cannot be read)
        const typed = new Set(issues.map((is) => is.path.join('\u0000')));
        for (const is of composeValueIssues(project.root)) if (!typed.has(is.path.join('\u0000'))) findings.push(parserFinding(is, 'schema', schemaSev, redact));
        for (const is of resourceConflicts(project.root, 'compose')) findings.push(parserFinding(is, 'schema', schemaSev, redact));
      }
    }
    stack = buildModel(project.root, project.sources);
    stack.target = target.target;
    stack.dotenv = project.dotenv;
    stack.fileVersions = project.versions;
    pushAll(findings, runRules(stack, rules, { ...opts, activeRules, redact }));
  }
  const suppressed: Finding[] = [];
  const reported = applySuppressions(findings, {
    suppressed,
    // a directive in an included file applies to the findings located there
    sources: project.included.length ? [...project.sources, ...project.included] : project.sources,
    root: project.root,
    settings,
    knownRules: knownRuleIds(rules),
    ranRules: ranRuleIds(settings, activeRules),
  });
  reported.sort(compareFindings);
  suppressed.sort(compareFindings);
  return { file: project.sources[0]?.displayPath ?? opts.files[0] ?? '', sources: project.sources, project, stack, findings: reported, target, suppressed };
}

/** The stack schema version docker checks every file against: the first file's (as swarm-compat reads it). */
function swarmVersion(versions: Project['versions']): string | undefined {
  const first = versions?.[0] ? dockerVersion(versions[0].value) : null;
  return first !== null && STACK_VERSIONS.includes(first) ? first : undefined;
}

/** Whether the value at `path` is a string docker compose casts before it validates (composeCasts). */
function castByCompose(root: LVal, path: readonly string[]): boolean {
  const v = nodeAt(root, path);
  return v?.kind === 'scalar' && typeof v.value === 'string' && composeCasts(path, v.value);
}

let composeSchemaCache: unknown;
/** The compose-spec schema itself, read only when an error message needs it. */
function composeSchema(): unknown {
  composeSchemaCache ??= JSON.parse(readFileSync(join(packageRoot(), 'schemas/compose-spec/compose-spec.json'), 'utf8'));
  return composeSchemaCache;
}

/** A finding of a parser check (rule `ruleId`); its path is written as rules write theirs (`ports[0]`, not `ports.0`). */
function parserFinding(is: { message: string; loc: Loc; path?: string[] }, ruleId: string, severity: Severity, redact?: (text: string) => string): Finding {
  return makeFinding(ruleId, severity, redact ? redact(is.message) : is.message, serviceOf(is.path), is.path ?? [], is.loc, false, null);
}

function serviceOf(path: string[] | undefined): string | null {
  return path && path[0] === 'services' && path.length >= 2 ? path[1]! : null;
}

let knownCache: { rules: readonly Rule[]; ids: Set<string> } | null = null;
/** Every rule id a suppression may name: the catalogue and the rules of this run. */
function knownRuleIds(rules: readonly Rule[]): Set<string> {
  if (knownCache?.rules !== rules) knownCache = { rules, ids: new Set([...allRules, ...rules].map((r) => r.meta.id)) };
  return knownCache.ids;
}

/** The rules whose findings this run could have produced (an unused suppression of another is not reported). */
function ranRuleIds(settings: Record<string, { severity?: string }>, activeRules: Set<string>): Set<string> {
  const ids = new Set(activeRules);
  for (const r of coreRules) if (settings[r.meta.id]?.severity !== 'off') ids.add(r.meta.id);
  return ids;
}
