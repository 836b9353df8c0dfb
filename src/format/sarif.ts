import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fingerprintFindings } from '../engine/baseline.js';
import type { Finding, Fix, Rule, Severity } from '../engine/types.js';
import type { SourceFile } from '../parse/source-file.js';
import { REPOSITORY_URL, ruleDocsUrl, summaryOf } from './rule-docs.js';
import { allFindings, slashPath, type Formatter, type ReportResult } from './types.js';

/**
 * SARIF 2.1.0 (OASIS), as GitHub code scanning and other viewers read it: one run whose driver
 * lists the whole rule catalogue (descriptions, default level, help link), and one result per
 * finding, in the order and with the messages of the json format, with its region, a stable
 * partial fingerprint and, when the lint ran with fixes, the fix as replacements.
 *
 * Paths are relative to `%SRCROOT%`, the folder stackopt ran in (GitHub expects paths relative
 * to the repository root, where the action runs). Columns count UTF-16 code units, as JavaScript
 * strings do. A finding about a live object (`stackopt audit`) has a logical location naming it.
 */
export const formatSarif: Formatter = (results, ctx) => {
  const rules = ctx.rules ?? [];
  const findings = allFindings(results);
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
  const prints = fingerprintFindings(findings);
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
    },
  };
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
  const props: Record<string, unknown> = {};
  if (f.service !== null) props.service = f.service;
  if (f.path) props.path = f.path;
  if (f.fixable) props.fixable = true;
  if (Object.keys(props).length) result.properties = props;
  return result;
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
