import type { LintResult } from '../engine/lint.js';
import type { Finding } from '../engine/types.js';

export interface FormatContext {
  color: boolean;
  version: string;
  /** rule ids and metadata are needed by catalogue-aware formats (sarif) */
  cwd: string;
}

/** What a formatter needs of one linted project. */
export interface ReportResult {
  file: string;
  findings: Finding[];
  /** the source files, for printing source lines */
  sources?: LintResult['sources'];
}

export type Formatter = (results: ReportResult[], ctx: FormatContext) => string;

export interface Summary {
  files: number;
  errors: number;
  warnings: number;
  infos: number;
  fixable: number;
}

export function summarize(results: ReportResult[]): Summary {
  const s: Summary = { files: results.length, errors: 0, warnings: 0, infos: 0, fixable: 0 };
  for (const r of results)
    for (const f of r.findings) {
      if (f.severity === 'error') s.errors++;
      else if (f.severity === 'warning') s.warnings++;
      else s.infos++;
      if (f.fixable) s.fixable++;
    }
  return s;
}
