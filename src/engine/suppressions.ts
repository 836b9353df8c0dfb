import { Parser } from 'yaml';
import { fileLoc, type Loc } from '../parse/location.js';
import type { LMap, LVal } from '../parse/located.js';
import type { SourceFile } from '../parse/source-file.js';
import { closest } from '../parse/validate-schema.js';
import { formatMessage, makeFinding } from './run-rules.js';
import type { RuleSettings } from './run-rules.js';
import { defineRule, type Finding, type Rule, type Severity } from './types.js';

/**
 * Inline suppressions. Four forms, all naming rule ids (none = every rule):
 *
 *   # stackopt-disable-next-line rule-a, rule-b -- reason   the next line holding YAML content
 *   key: value  # stackopt-disable-line rule-a             the comment's own line
 *   # stackopt-disable-file rule-a                          the whole file the comment is in
 *   x-stackopt: {disable: [rule-a]}                         top level: the project; on a service: that service
 *
 * A finding is suppressed when a directive of its rule covers its start. A directive that
 * suppresses nothing, names an unknown rule or is misspelled is reported by `unused-suppression`.
 */
export const unusedSuppression: Rule = defineRule({
  meta: {
    id: 'unused-suppression',
    description:
      'A suppression (`# stackopt-disable-…` comment or `x-stackopt: {disable: […]}`) must suppress something: one that matches no finding, names an unknown rule or is misspelled is reported, so stale suppressions do not hide future problems.',
    severity: 'warning',
    category: 'policy',
    messages: {
      unused: '{{where}} suppresses "{{rule}}" but no {{rule}} finding {{scope}}; remove it',
      unusedAll: '{{where}} suppresses every rule but no finding {{scope}}; remove it',
      unknownRule: '{{where}} names unknown rule "{{rule}}"{{hint}}; `stackopt rules` lists the rule ids',
      unknownDirective: 'unknown directive "{{directive}}"{{hint}}; use stackopt-disable-next-line, stackopt-disable-line or stackopt-disable-file',
      invalid: 'x-stackopt.disable must be a list of rule ids, not {{found}}',
    },
  },
  create: () => ({}),
});

type DirectiveKind = 'next-line' | 'line' | 'file' | 'project' | 'service';

/** One rule named by one directive (a directive naming two rules is two of these). */
interface Suppression {
  kind: DirectiveKind;
  /** a rule id, or '*' for every rule */
  rule: string;
  /** where the rule name (or the directive) is written: where an unused one is reported */
  loc: Loc;
  source?: SourceFile;
  /** the line covered (next-line, line) */
  line?: number;
  service?: string;
  /** the text after ` -- ` in a comment directive: why the finding is accepted */
  reason?: string;
  used: boolean;
}

export interface SuppressionContext {
  sources: readonly SourceFile[];
  /** the merged tree (for `x-stackopt`), null when nothing parsed */
  root: LMap | null;
  settings?: Record<string, RuleSettings>;
  /** every rule id that exists (for "unknown rule") */
  knownRules: ReadonlySet<string>;
  /** the rules that ran on this project: an unused suppression of another rule is not reported */
  ranRules: ReadonlySet<string>;
  /** when given, receives each suppressed finding with its `suppression` (SARIF reports them as suppressed) */
  suppressed?: Finding[];
}

const DIRECTIVE_NAME = /^#\s*(stackopt-(?:disable|enable)[a-z-]*)/i;

/** `# stackopt-disable-line rule -- why` → [comment, directive name, the rest]; null for other comments. */
function matchDirective(comment: string): [string, string, string] | null {
  const m = DIRECTIVE_NAME.exec(comment);
  if (!m) return null;
  const rest = comment.slice(m[0].length);
  if (/[\n\r\u2028\u2029]/.test(rest)) return null;
  return [comment, m[1]!, rest];
}
const KINDS: Record<string, DirectiveKind> = {
  'stackopt-disable-next-line': 'next-line',
  'stackopt-disable-line': 'line',
  'stackopt-disable-file': 'file',
};

/** Drop suppressed findings and add one `unused-suppression` finding per unused, unknown or misspelled directive. */
export function applySuppressions(findings: Finding[], ctx: SuppressionContext): Finding[] {
  const sups: Suppression[] = [];
  const problems: Finding[] = [];
  const sev = ctx.settings?.['unused-suppression']?.severity;
  const reportSeverity: Severity | null = sev === 'off' ? null : (sev ?? 'warning');
  const report = (messageId: string, data: Record<string, string>, loc: Loc) => {
    if (!reportSeverity) return;
    const template = unusedSuppression.meta.messages[messageId]!;
    problems.push(makeFinding(unusedSuppression.meta.id, reportSeverity, formatMessage(template, data), null, [], loc, false, null));
  };
  for (const source of ctx.sources) collectComments(source, sups, report, ctx.knownRules);
  if (ctx.root) collectExtension(ctx.root, sups, report, ctx.knownRules);
  if (sups.length === 0) return problems.length ? [...findings, ...problems] : findings;

  const kept: Finding[] = [];
  for (const f of findings) {
    const by = suppress(f, sups, false);
    if (!by) kept.push(f);
    else ctx.suppressed?.push({ ...f, suppression: { kind: 'inSource', directive: describe(by), ...(by.reason ? { justification: by.reason } : {}), loc: by.loc } });
  }
  for (const s of sups) {
    if (s.used || (s.rule !== '*' && (!ctx.knownRules.has(s.rule) || !ctx.ranRules.has(s.rule)))) continue;
    const where = describe(s);
    if (s.rule === '*') report('unusedAll', { where, scope: scopeOf(s) }, s.loc);
    else report('unused', { where, rule: s.rule, scope: scopeOf(s) }, s.loc);
  }
  // `unused-suppression` itself can be silenced for a file or the project, never by a line directive.
  const reported = problems.filter((p) => !suppress(p, sups, true));
  return [...kept, ...reported];
}

/** The first suppression covering the finding (every covering one is marked used), or null. */
function suppress(f: Finding, sups: Suppression[], onlyWide: boolean): Suppression | null {
  let hit: Suppression | null = null;
  for (const s of sups) {
    if (onlyWide ? s.rule !== f.ruleId || (s.kind !== 'file' && s.kind !== 'project') : s.rule !== '*' && s.rule !== f.ruleId) continue;
    if (!covers(s, f)) continue;
    s.used = true;
    hit ??= s;
  }
  return hit;
}

function covers(s: Suppression, f: Finding): boolean {
  switch (s.kind) {
    case 'project':
      return true;
    case 'service':
      return f.service === s.service;
    case 'file':
      return inSource(f, s.source!);
    case 'line':
    case 'next-line':
      return f.line === s.line && inSource(f, s.source!);
  }
}

function inSource(f: Finding, source: SourceFile): boolean {
  return f.loc?.kind === 'file' ? f.loc.source === source : f.file === source.displayPath;
}

function describe(s: Suppression): string {
  switch (s.kind) {
    case 'project':
      return 'x-stackopt.disable';
    case 'service':
      return `services.${s.service}.x-stackopt.disable`;
    default:
      return `stackopt-disable-${s.kind}`;
  }
}

function scopeOf(s: Suppression): string {
  switch (s.kind) {
    case 'project':
      return 'is reported in this project';
    case 'service':
      return `is reported for service "${s.service}"`;
    case 'file':
      return 'is reported in this file';
    default:
      return `is reported on line ${s.line}`;
  }
}

type Report = (messageId: string, data: Record<string, string>, loc: Loc) => void;

/** Directives in the file's comments. The YAML CST is only built for files that mention one. */
function collectComments(source: SourceFile, out: Suppression[], report: Report, known: ReadonlySet<string>): void {
  const text = source.text;
  if (!/stackopt-/i.test(text)) return;
  const comments: Array<{ offset: number; source: string }> = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    if (!n || typeof n !== 'object') return;
    const t = n as { type?: string; offset?: number; source?: string };
    if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') {
      comments.push({ offset: t.offset, source: t.source });
      return;
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'type' && k !== 'source' && typeof v === 'object') walk(v);
  };
  for (const token of new Parser().parse(text)) walk(token);
  for (const c of comments) {
    const m = matchDirective(c.source);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const nameStart = c.offset + c.source.indexOf(m[1]!);
    const nameLoc = fileLoc(source, nameStart, nameStart + m[1]!.length);
    const kind = KINDS[name];
    if (!kind) {
      const guess = closest(name, Object.keys(KINDS));
      report('unknownDirective', { directive: m[1]!, hint: guess ? `; did you mean "${guess}"?` : '' }, nameLoc);
      continue;
    }
    const line = source.position(c.offset).line;
    const target = kind === 'next-line' ? nextContentLine(source, line) : kind === 'line' ? line : undefined;
    // rule ids up to an optional `-- reason`
    const listStart = nameStart + m[1]!.length;
    const dashes = /\s--(?:\s|$)/.exec(m[2]!);
    const list = dashes ? m[2]!.slice(0, dashes.index) : m[2]!;
    const reason = dashes ? m[2]!.slice(dashes.index + dashes[0].length).trim() || undefined : undefined;
    const ids = [...list.matchAll(/[^\s,]+/g)];
    if (ids.length === 0) {
      out.push({ kind, rule: '*', loc: nameLoc, source, line: target, reason, used: false });
      continue;
    }
    for (const id of ids) {
      const start = listStart + id.index!;
      const loc = fileLoc(source, start, start + id[0].length);
      if (!checkRule(id[0], loc, kind, report, known)) continue;
      out.push({ kind, rule: id[0], loc, source, line: target, reason, used: false });
    }
  }
}

/** The first line after `line` that holds YAML content (blank and comment-only lines are skipped). */
function nextContentLine(source: SourceFile, line: number): number {
  const last = source.position(source.text.length).line;
  for (let n = line + 1; n <= last; n++) {
    const trimmed = source.lineText(n).trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) return n;
  }
  return line + 1;
}

function checkRule(id: string, loc: Loc, kind: DirectiveKind, report: Report, known: ReadonlySet<string>): boolean {
  if (known.has(id)) return true;
  const guess = closest(id, [...known]);
  const where = kind === 'project' || kind === 'service' ? 'x-stackopt.disable' : `stackopt-disable-${kind}`;
  report('unknownRule', { where, rule: id, hint: guess ? ` (did you mean "${guess}"?)` : '' }, loc);
  return false;
}

/** `x-stackopt: {disable: [...]}` at the top level and on each service. */
function collectExtension(root: LMap, out: Suppression[], report: Report, known: ReadonlySet<string>): void {
  const read = (owner: LMap, kind: 'project' | 'service', service?: string) => {
    const x = owner.index.get('x-stackopt')?.value;
    if (!x || x.kind !== 'map') return;
    const d = x.index.get('disable');
    if (!d) return;
    const items: LVal[] = d.value.kind === 'seq' ? d.value.items.map((i) => i.value) : [d.value];
    for (const it of items) {
      if (it.kind !== 'scalar' || typeof it.value !== 'string' || it.value === '') {
        report('invalid', { found: it.kind === 'scalar' ? JSON.stringify(it.value) : it.kind === 'map' ? 'a mapping' : 'a list' }, it.loc);
        continue;
      }
      const rule = it.value.trim();
      if (!checkRule(rule, it.loc, kind, report, known)) continue;
      out.push({ kind, rule, loc: it.loc, service, used: false });
    }
  };
  read(root, 'project');
  const services = root.index.get('services')?.value;
  if (services?.kind === 'map') for (const e of services.entries) if (e.value.kind === 'map') read(e.value, 'service', e.key);
}
