import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprintFindings } from '../engine/baseline.js';
import { compareFindings, findingPosition } from '../engine/run-rules.js';
import type { Finding, FindingSuppression, Fix, Rule, Severity } from '../engine/types.js';
import type { SourceFile } from '../parse/source-file.js';
import { REPOSITORY_URL, ruleDocsUrl, summaryOf } from './rule-docs.js';
import { allFindings, slashPath, type Formatter, type ReportResult } from './types.js';

/**
 * SARIF 2.1.0 (OASIS), as GitHub code scanning and other viewers read it: one run whose driver
 * lists the whole rule catalogue (descriptions, default level, help link), and one result per
 * finding, in the order and with the messages of the json format, with its region, a stable
 * partial fingerprint and, when the lint ran with fixes, the fix as replacements. The findings a
 * suppression comment or the baseline accepted follow, each with a `suppressions` entry (the
 * directive, its reason as justification), so that code scanning shows them as suppressed instead
 * of as fixed. Security rules carry GitHub's `security-severity` (see SECURITY_SEVERITY).
 *
 * Paths are relative to `%SRCROOT%`, the folder stackopt ran in (GitHub expects paths relative
 * to the repository root, where the action runs). Columns count UTF-16 code units, as JavaScript
 * strings do. A finding about a live object (`stackopt audit`) has a logical location naming it.
 */
export const formatSarif: Formatter = (results, ctx) => {
  const rules = ctx.rules ?? [];
  const reported = allFindings(results);
  const findings = [...reported, ...results.flatMap((r) => r.suppressed ?? [])];
  // findings of rules outside the catalogue (should not happen) still get a rule entry
  const catalogue: Array<Pick<Rule, 'meta'>> = [...rules];
  const index = new Map(catalogue.map((r, i) => [r.meta.id, i]));
  for (const f of findings) {
    if (!index.has(f.ruleId)) {
      index.set(f.ruleId, catalogue.length);
      catalogue.push({ meta: { id: f.ruleId, description: f.ruleId, severity: f.severity, category: 'syntax', messages: {} } });
    }
  }
  const sources = sourcesByPath(results);
  // ranks among findings sharing a fingerprint follow the files' order, suppressed ones included,
  // so that suppressing one finding does not change the fingerprints of the others
  const order = findings.map((_, i) => i).sort((a, b) => compareFindings(findings[a]!, findings[b]!) || a - b);
  const sortedPrints = fingerprintFindings(order.map((i) => findings[i]!), ctx.cwd);
  const prints: string[] = [];
  order.forEach((i, k) => (prints[i] = sortedPrints[k]!));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stackopt',
            version: ctx.version,
            semanticVersion: ctx.version,
            informationUri: REPOSITORY_URL,
            rules: catalogue.map((r) => describeRule(r)),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(ctx.cwd.endsWith('/') ? ctx.cwd : `${ctx.cwd}/`).href } },
        columnKind: 'utf16CodeUnits',
        results: findings.map((f, i) => toResult(f, index.get(f.ruleId)!, prints[i]!, sources, ctx.cwd)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function describeRule(r: Pick<Rule, 'meta'>) {
  const m = r.meta;
  const url = ruleDocsUrl(m.id);
  const short = summaryOf(r as Rule);
  return {
    // no `name`: SARIF wants it to differ from the id, and a second spelling of the id helps nobody
    id: m.id,
    shortDescription: { text: short },
    fullDescription: { text: m.description },
    helpUri: url,
    help: {
      text: `${m.description} Documentation: ${url} (or run \`stackopt rules ${m.id}\`).`,
      markdown: `${m.description}\n\n[Documentation](${url}) · \`stackopt rules ${m.id}\``,
    },
    defaultConfiguration: { level: LEVEL[m.severity] },
    properties: {
      category: m.category,
      tags: [m.category],
      fixable: m.fixable ?? 'no',
      ...(m.category === 'security' ? { 'security-severity': securitySeverity(m.id, m.severity) } : {}),
    },
  };
}

/**
 * GitHub code scanning's `security-severity` of the security rules: a CVSS-like score as a number
 * string, which code scanning reads as critical (9.0 or more), high (7.0-8.9), medium (4.0-6.9) or
 * low (0.1-3.9) and sorts alerts by. A rule not listed gets a score from its default severity.
 */
export const SECURITY_SEVERITY: Readonly<Record<string, string>> = {
  // root on the host: the container can take the node
  'no-privileged': '9.0',
  'no-docker-socket': '9.0',
  // the host's namespaces or system folders in the container
  'no-host-namespaces': '8.0',
  'no-host-system-mounts': '8.0',
  // a credential readable by anyone who can inspect the container
  'secrets-in-environment': '7.0',
  // hardening that limits what an attacker in the container can do
  'non-root-user': '5.5',
  'cap-drop-all': '5.0',
  'no-new-privileges': '5.0',
  'ports-host-ip': '5.0',
  'overlay-encryption': '5.0',
  'swarm-autolock': '4.0',
  'swarm-certificates': '4.0',
  'tmpfs-hardening': '3.0',
};
const SEVERITY_SCORE: Record<Severity, string> = { error: '7.0', warning: '5.0', info: '2.0' };

function securitySeverity(id: string, severity: Severity): string {
  return SECURITY_SEVERITY[id] ?? SEVERITY_SCORE[severity];
}

function sourcesByPath(results: ReportResult[]): Map<string, SourceFile> {
  const m = new Map<string, SourceFile>();
  for (const r of results) for (const s of r.sources ?? []) m.set(s.path, s);
  return m;
}

/** A file as a SARIF artifact location: relative to %SRCROOT% when it is inside it. */
function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file)) {
    const abs = resolve(file);
    const root = resolve(cwd);
    if (!abs.startsWith(`${root}/`)) return { uri: pathToFileURL(abs).href };
    file = abs.slice(root.length + 1);
  }
  return { uri: slashPath(file).split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** Where a finding is: a region of a file, or (audit of a live swarm) a named object. */
function locationOf(f: Finding, cwd: string): Record<string, unknown> {
  if (f.loc?.kind === 'live') {
    return { logicalLocations: [{ name: f.loc.object, fullyQualifiedName: f.loc.path ? `${f.loc.object}: ${f.loc.path}` : f.loc.object, kind: 'resource' }] };
  }
  const physicalLocation: Record<string, unknown> = { artifactLocation: artifactLocation(f.file, cwd) };
  if (f.line > 0) {
    physicalLocation.region = {
      startLine: f.line,
      startColumn: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
    };
  }
  return { physicalLocation };
}

function toResult(f: Finding, ruleIndex: number, fingerprint: string, sources: Map<string, SourceFile>, cwd: string) {
  const result: Record<string, unknown> = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [locationOf(f, cwd)],
    partialFingerprints: { 'stackopt/v1': fingerprint },
  };
  const fix = f.fix ? toFix(f.fix, sources, cwd) : null;
  if (fix) result.fixes = [fix];
  if (f.suppression) result.suppressions = [toSuppression(f.suppression, cwd)];
  const props: Record<string, unknown> = {};
  if (f.service !== null) props.service = f.service;
  if (f.path) props.path = f.path;
  if (f.fixable) props.fixable = true;
  if (Object.keys(props).length) result.properties = props;
  return result;
}

/** A SARIF suppression: accepted, with the directive's reason and where the directive is written. */
function toSuppression(s: FindingSuppression, cwd: string): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: s.kind, status: 'accepted' };
  if (s.justification) out.justification = s.justification;
  if (s.loc?.kind === 'file') {
    const p = findingPosition(s.loc);
    out.location = {
      physicalLocation: {
        artifactLocation: artifactLocation(p.file, cwd),
        region: { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn },
      },
      message: { text: s.directive },
    };
  } else out.properties = { directive: s.directive };
  return out;
}

function toFix(fix: Fix, sources: Map<string, SourceFile>, cwd: string) {
  const source = sources.get(fix.file);
  if (!source || fix.edits.length === 0) return null;
  const edits = [...fix.edits].sort((a, b) => a.start - b.start);
  return {
    description: { text: `${fix.description}${fix.unsafe ? ' (unsafe: changes behaviour; stackopt fix --unsafe)' : ''}` },
    artifactChanges: [
      {
        artifactLocation: artifactLocation(source.displayPath, cwd),
        replacements: edits.map((e) => {
          const s = source.position(e.start);
          const end = source.position(Math.max(e.start, e.end));
          const replacement: Record<string, unknown> = {
            deletedRegion: { startLine: s.line, startColumn: s.column, endLine: end.line, endColumn: end.column },
          };
          if (e.text !== '') replacement.insertedContent = { text: e.text };
          return replacement;
        }),
      },
    ],
  };
}
