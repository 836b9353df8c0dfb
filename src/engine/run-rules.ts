import { keyLoc, type LRef } from '../model/access.js';
import { showControls } from '../model/describe.js';
import { fileOf, positionOf, type Loc, formatPath } from '../parse/location.js';
import type { Service, Stack } from '../model/types.js';
import type { UsageInput } from '../model/usage-recommend.js';
import type { Finding, Fix, ReportDescriptor, Rule, RuleContext, RuleVisitor, Severity, SeveritySetting } from './types.js';

export interface RuleSettings {
  severity?: SeveritySetting;
  options?: Record<string, unknown>;
}

export interface RunOptions {
  /** per-rule severity and options from config or flags */
  settings?: Record<string, RuleSettings>;
  /** compute fixes (the fixer needs them; lint only needs to know a fix exists) */
  withFixes?: boolean;
  /**
   * With `withFixes`: the fixes of the rules whose fixes are all unsafe (`meta.fixable: 'unsafe'`)
   * are computed when the finding's `fix` is first read instead of when it is reported. A fix run
   * without --unsafe never applies them and reads them only for the findings it leaves.
   */
  deferUnsafeFixes?: boolean;
  /**
   * Filled with the ids of the rules that looked at the stack: not off, and their `create` returned
   * a hook (a rule declines by returning none, e.g. a swarm rule under target compose). Suppressions
   * of other rules are not reported as unused.
   */
  activeRules?: Set<string>;
  /**
   * Applied to every value a message quotes and to fix descriptions: the project's EnvRedactor,
   * which replaces the values variables gave to the files by `${NAME}`.
   */
  redact?: (text: string) => string;
  /** a usage profile for the rules that size from what services used (`--usage`) */
  usage?: UsageInput | null;
}

/**
 * A message template split once at its `{{name}}` placeholders: even indexes are text, odd ones
 * placeholder names (a rule reports thousands of findings from a handful of templates).
 */
const templateParts = new Map<string, string[]>();

/**
 * Fill a message's `{{name}}` placeholders; an unknown name is left as written. The message is
 * joined, not built with `+`: a string made by `+` is a tree of its parts, which V8 copies into one
 * piece each time the string is hashed or searched (the report keeps each message once for the run,
 * looked up by its text), and which is slower to make.
 */
export function formatMessage(template: string, data: Record<string, string | number> = {}): string {
  let parts = templateParts.get(template);
  if (!parts) templateParts.set(template, (parts = template.split(/\{\{\s*(\w+)\s*\}\}/)));
  if (parts.length === 1) return parts[0]!;
  const out: string[] = [parts[0]!];
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i]!;
    out.push(k in data ? String(data[k]) : `{{${k}}}`, parts[i + 1]!);
  }
  return out.join('');
}

/** Whether a report's `at` is a walk result (which carries a YAML path) rather than a bare location. */
export function isRef(at: Loc | LRef): at is LRef {
  return (at as LRef).node !== undefined;
}

/** Turn a location into the finding's position fields. */
export function findingPosition(loc: Loc): Pick<Finding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'> {
  const p = positionOf(loc);
  return { file: fileOf(loc), line: p?.line ?? 0, column: p?.column ?? 0, endLine: p?.endLine ?? 0, endColumn: p?.endColumn ?? 0 };
}

/**
 * A finding, made as one object literal of all its fields in this one place (the rules' and the
 * parser checks' alike: spreads, or fields added later, made a large report's findings larger).
 */
export function makeFinding(ruleId: string, severity: Severity, message: string, service: string | null, path: readonly string[], loc: Loc, fixable: boolean, fix: Fix | null): Finding {
  const p = positionOf(loc);
  return {
    ruleId,
    severity,
    // a value of the file or of the engine quoted in it cannot act on a terminal
    message: showControls(message),
    service,
    path: formatPath(path),
    file: fileOf(loc),
    line: p?.line ?? 0,
    column: p?.column ?? 0,
    endLine: p?.endLine ?? 0,
    endColumn: p?.endColumn ?? 0,
    fixable,
    fix,
    loc,
  };
}

/** Run rules over a stack in one walk: every rule's service hook per service, then the stack hooks. */
export function runRules(stack: Stack, rules: readonly Rule[], opts: RunOptions = {}): Finding[] {
  const withFixes = opts.withFixes ?? false;
  const defer = opts.deferUnsafeFixes ?? false;
  // A report is queued and made a finding after the walk: the rules' hooks stay small (V8 compiles
  // each hot hook with what it calls), and the one loop below does the formatting for all of them.
  const queued: Queued[] = [];
  const visitors: RuleVisitor[] = [];
  // loops by index: a for-of loop makes an iterator result per item until V8 optimises the code
  for (let i = 0; i < rules.length; i++) {
    const visitor = setUpRule(rules[i]!, stack, opts, queued, withFixes, defer);
    if (visitor) visitors.push(visitor);
  }
  // one call per service and per rule set-up: functions called many times are compiled early in a
  // run, where a loop in a function called once per project runs in the interpreter
  const services = stack.services;
  for (let i = 0; i < services.length; i++) visitService(visitors, services[i]!);
  for (let i = 0; i < visitors.length; i++) visitors[i]!.stack?.(stack);
  const findings: Finding[] = [];
  for (let i = 0; i < queued.length; i++) findings.push(toFinding(queued[i]!, opts.redact));
  return findings;
}

/** A rule's visitor for this stack (its reports queued), or null when the rule is off or does not apply. */
function setUpRule(rule: Rule, stack: Stack, opts: RunOptions, queued: Queued[], withFixes: boolean, defer: boolean): RuleVisitor | null {
  const setting = opts.settings?.[rule.meta.id];
  const sev = setting?.severity ?? rule.meta.severity;
  if (sev === 'off') return null;
  if (rule.meta.live && stack.origin !== 'live') return null;
  const options = optionsOf(rule, setting?.options);
  const ctx: RuleContext = {
    stack,
    options,
    usage: opts.usage ?? null,
    // a fix is computed when it is reported, from the state the rule is in then
    report: (d: ReportDescriptor) => queued.push({ rule, d, configured: setting?.severity, fix: withFixes && d.fix ? fixOf(d.fix, defer && rule.meta.fixable === 'unsafe', opts.redact) : null }),
  };
  const visitor = rule.create(ctx);
  if (visitor.service || visitor.stack) opts.activeRules?.add(rule.meta.id);
  return visitor;
}

/** The options a rule was last given, and what it ran with: the defaults under them. */
const optionsMade = new WeakMap<Rule, { given: Record<string, unknown> | undefined; options: Record<string, unknown> }>();

/**
 * A rule's options: its defaults under the configured ones. Made once for each configuration's
 * options object (a run over many files uses a few configurations): rules read their options and
 * never write them.
 */
function optionsOf(rule: Rule, given: Record<string, unknown> | undefined): Record<string, unknown> {
  const known = optionsMade.get(rule);
  if (known !== undefined && known.given === given) return known.options;
  // one object for every project linted with these options: frozen, so that no rule changes it for the next
  const options = Object.freeze({ ...(rule.meta.options?.defaults ?? {}), ...(given ?? {}) });
  optionsMade.set(rule, { given, options });
  return options;
}

function visitService(visitors: readonly RuleVisitor[], svc: Service): void {
  for (let i = 0; i < visitors.length; i++) visitors[i]!.service?.(svc);
}

/** A reported fix, computed now or (`defer`, when the rule gave a thunk) when it is first read. */
function fixOf(fix: Fix | (() => Fix | null), defer: boolean, redact: ((text: string) => string) | undefined): Fix | null | DeferredFix {
  if (typeof fix !== 'function') return redactFix(fix, redact);
  if (defer) return { deferred: () => redactFix(fix(), redact) };
  return redactFix(fix(), redact);
}

interface DeferredFix {
  deferred: () => Fix | null;
}

function redactFix(fix: Fix | null, redact: ((text: string) => string) | undefined): Fix | null {
  if (!fix || !redact) return fix;
  const description = redact(fix.description);
  return description === fix.description ? fix : { ...fix, description };
}

/** The data of a message with every value passed through `redact`. */
function redactData(data: Record<string, string | number> | undefined, redact: ((text: string) => string) | undefined): Record<string, string | number> | undefined {
  if (!data || !redact) return data;
  let out: Record<string, string | number> | undefined;
  for (const k in data) {
    const v = data[k]!;
    if (typeof v !== 'string') continue;
    const r = redact(v);
    if (r !== v) (out ??= { ...data })[k] = r;
  }
  return out ?? data;
}

interface Queued {
  rule: Rule;
  d: ReportDescriptor;
  configured: SeveritySetting | undefined;
  fix: Fix | null | DeferredFix;
}

function toFinding({ rule, d, configured, fix }: Queued, redact?: (text: string) => string): Finding {
  const template = rule.meta.messages[d.messageId];
  if (template === undefined) throw new Error(`rule ${rule.meta.id} reported unknown message id "${d.messageId}"`);
  const loc = d.loc ?? (isRef(d.at) ? keyLoc(d.at) : d.at);
  const path = d.path ?? (isRef(d.at) ? d.at.path : []);
  // A configured severity replaces the rule's default; a per-finding one only applies otherwise.
  const severity: Severity = configured && configured !== 'off' ? configured : (d.severity ?? rule.meta.severity);
  const fixable = Boolean(d.fix);
  const deferred = fix !== null && 'deferred' in fix ? fix.deferred : null;
  // one literal of all the fields (spreads into it made a large report's findings larger)
  const finding = makeFinding(rule.meta.id, severity, formatMessage(template, redactData(d.data, redact)), d.service ? d.service.name : null, path, loc, fixable, deferred ? null : (fix as Fix | null));
  if (d.sensitive) finding.sensitive = d.sensitive;
  if (deferred) {
    // computed on first read, then kept as a plain property
    const settle = (value: Fix | null) => Object.defineProperty(finding, 'fix', { value, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(finding, 'fix', {
      enumerable: true,
      configurable: true,
      get: () => {
        const value = deferred();
        settle(value);
        return value;
      },
      set: settle,
    });
  }
  return finding;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Code-unit order: stable across locales, and far cheaper than localeCompare on large reports. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Report order: file, line, column, then severity (errors first) and rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  return byText(a.file, b.file) || a.line - b.line || a.column - b.column || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || byText(a.ruleId, b.ruleId);
}
