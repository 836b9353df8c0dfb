import type { LintResult } from '../engine/lint.js';
import type { Finding, Rule } from '../engine/types.js';
import type { Loc } from '../parse/location.js';

export interface FormatContext {
  color: boolean;
  version: string;
  /** the folder paths are shown relative to (SARIF's %SRCROOT%) */
  cwd: string;
  /** the rule catalogue, for formats that describe the rules (sarif); default: every rule */
  rules?: readonly Rule[];
  /** for `stackopt audit`: what the report says about the reading of the swarm itself (json) */
  audit?: AuditReportInfo;
}

export interface AuditReportInfo {
  /** objects that disappeared between two docker calls (left out of the audit) */
  changedObjects: number;
  /** the same, per kind of object */
  vanished: Record<string, number>;
  /** only part of the swarm was read (--stack, --service) */
  partial: boolean;
}

/** What a formatter needs of one linted project. */
export interface ReportResult {
  file: string;
  findings: Finding[];
  /** the source files, for printing source lines and turning fix offsets into lines */
  sources?: LintResult['sources'];
  /** findings a suppression or the baseline accepted, each with its `suppression`: only SARIF shows them */
  suppressed?: Finding[];
}

export type Formatter = ((results: ReportResult[], ctx: FormatContext) => string) & {
  /** the report in pieces, in order (their concatenation is the report): written as they are made */
  chunks?: (results: ReportResult[], ctx: FormatContext) => Iterable<string>;
};

/**
 * A format made in pieces (per file or project): the report is their concatenation, and the CLI
 * writes each piece as it is made, so that a report of many files is never held whole.
 */
export function inChunks(chunks: (results: ReportResult[], ctx: FormatContext) => Iterable<string>): Formatter {
  const format: Formatter = (results, ctx) => [...chunks(results, ctx)].join('');
  format.chunks = chunks;
  return format;
}

export interface Summary {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  fixable: number;
}

/** Counts of files, findings by severity and fixable findings, for the formats' summary lines. */
export function summarize(results: ReportResult[]): Summary {
  const s: Summary = { files: results.length, errors: 0, warnings: 0, infos: 0, fixable: 0 };
  for (const r of results)
    for (let i = 0; i < r.findings.length; i++) {
      const f = r.findings[i]!;
      if (f.severity === 'error') s.errors++;
      else if (f.severity === 'warning') s.warnings++;
      else s.infos++;
      if (f.fixable) s.fixable++;
    }
  return s;
}

/**
 * The fields of a finding that reports show, in the json format's order (no fix), and the locations
 * given (a report's records keep theirs in the same object; JSON leaves out what is undefined).
 */
export function reportedFields(f: Finding, loc?: Loc, sensitive?: Loc): Finding {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    file: f.file,
    service: f.service,
    path: f.path,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    fixable: f.fixable,
    loc,
    sensitive,
  };
}

/** Every finding of a report, in report order. */
export function allFindings(results: ReportResult[]): Finding[] {
  return results.flatMap((r) => r.findings);
}

/** A path as CI tools expect it: `/` separators. */
export function slashPath(p: string): string {
  return p.replace(/\\/g, '/');
}
