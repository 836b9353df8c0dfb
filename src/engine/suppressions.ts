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

/** What ends a directive's rule ids and starts its reason: ` -- ` (or ` --` at the end). One pass over the text. */
export const REASON = /\s--(?:\s|$)/;

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

  const index = indexSuppressions(sups);
  const kept: Finding[] = [];
  for (const f of findings) {
    const by = suppress(f, index, false);
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
  const reported = problems.filter((p) => !suppress(p, index, true));
  return [...kept, ...reported];
}

/** Suppressions that cover the same findings (one rule, one kind of scope, one service, file or line), in the order they were collected. */
interface Bucket {
  /** the position of the first of them among all suppressions */
  order: number;
  sups: Suppression[];
  /** every one of them is marked used */
  marked: boolean;
}

/** The suppressions of one rule id (or '*') by what they cover. */
interface RuleSuppressions {
  project?: Bucket;
  service: Map<string, Bucket>;
  file: Map<SourceFile, Bucket>;
  /** `line` and `next-line` directives by the line they cover */
  line: Map<SourceFile, Map<number, Bucket>>;
}

interface SuppressionIndex {
  rules: Map<string, RuleSuppressions>;
  /** the files directives are written in, by the path findings without a file location name */
  byPath: Map<string, SourceFile[]>;
}

/** Index suppressions by rule and by what they cover, so that a finding looks only at those that can cover it. */
function indexSuppressions(sups: readonly Suppression[]): SuppressionIndex {
  const rules = new Map<string, RuleSuppressions>();
  const byPath = new Map<string, SourceFile[]>();
  const add = <K>(map: Map<K, Bucket>, key: K, s: Suppression, order: number) => {
    const b = map.get(key);
    if (b) b.sups.push(s);
    else map.set(key, { order, sups: [s], marked: false });
  };
  sups.forEach((s, order) => {
    let r = rules.get(s.rule);
    if (!r) rules.set(s.rule, (r = { service: new Map(), file: new Map(), line: new Map() }));
    if (s.source) {
      const same = byPath.get(s.source.displayPath);
      if (!same) byPath.set(s.source.displayPath, [s.source]);
      else if (!same.includes(s.source)) same.push(s.source);
    }
    switch (s.kind) {
      case 'project':
        if (r.project) r.project.sups.push(s);
        else r.project = { order, sups: [s], marked: false };
        break;
      case 'service':
        add(r.service, s.service!, s, order);
        break;
      case 'file':
        add(r.file, s.source!, s, order);
        break;
      case 'line':
      case 'next-line': {
        let lines = r.line.get(s.source!);
        if (!lines) r.line.set(s.source!, (lines = new Map()));
        add(lines, s.line!, s, order);
      }
    }
  });
  return { rules, byPath };
}

/**
 * The first suppression covering the finding (every covering one is marked used), or null. With
 * `onlyWide`, only file and project suppressions naming the finding's rule itself count.
 */
function suppress(f: Finding, index: SuppressionIndex, onlyWide: boolean): Suppression | null {
  // the files the finding is in: its location's, or those shown under its path
  const sources = f.loc?.kind === 'file' ? [f.loc.source] : (index.byPath.get(f.file) ?? []);
  let hit: Bucket | null = null;
  const cover = (b: Bucket | undefined) => {
    if (!b) return;
    if (!b.marked) {
      for (const s of b.sups) s.used = true;
      b.marked = true;
    }
    if (!hit || b.order < hit.order) hit = b;
  };
  for (const rule of onlyWide ? [f.ruleId] : [f.ruleId, '*']) {
    const r = index.rules.get(rule);
    if (!r) continue;
    cover(r.project);
    for (const source of sources) cover(r.file.get(source));
    if (onlyWide) continue;
    if (f.service !== null) cover(r.service.get(f.service));
    for (const source of sources) cover(r.line.get(source)?.get(f.line));
  }
  return (hit as Bucket | null)?.sups[0] ?? null;
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
  let nextContentLine: ((line: number) => number) | undefined;
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
    const target = kind === 'next-line' ? (nextContentLine ??= nextContentLines(source))(line) : kind === 'line' ? line : undefined;
    // rule ids up to an optional `-- reason`
    const listStart = nameStart + m[1]!.length;
    const dashes = REASON.exec(m[2]!);
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

/**
 * For a line, the first line after it that holds YAML content (blank and comment-only lines are
 * skipped), or the line after it when none follows. Each line of the file is read at most once
 * however many directives precede it: a line without content keeps the answer found past it.
 */
function nextContentLines(source: SourceFile): (line: number) => number {
  const last = source.position(source.text.length).line;
  // for a line without content already read: the first content line after it (last + 1: none); 0: not read
  const ahead = new Int32Array(last + 2);
  return (line) => {
    let n = line + 1;
    while (n <= last) {
      if (ahead[n]) {
        n = ahead[n]!;
        break;
      }
      const trimmed = source.lineText(n).trim();
      if (trimmed !== '' && !trimmed.startsWith('#')) break;
      n++;
    }
    for (let k = line + 1; k < n && !ahead[k]; k++) ahead[k] = n;
    return n <= last ? n : line + 1;
  };
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
