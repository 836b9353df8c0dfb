import { summarize, type Formatter } from './types.js';

/** Machine-readable report; its shape is schemas/report.schema.json. */
export const formatJson: Formatter = (results, ctx) => {
  const report = {
    tool: { name: 'stackopt', version: ctx.version },
    results: results.map((r) => ({
      file: r.file,
      findings: r.findings.map((f) => ({
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
      })),
    })),
    summary: summarize(results),
    ...(ctx.audit ? { audit: ctx.audit } : {}),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};
