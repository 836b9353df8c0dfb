import { reportedFields, summarize, type Formatter } from './types.js';

/** Machine-readable report; its shape is schemas/report.schema.json. */
export const formatJson: Formatter = (results, ctx) => {
  const report = {
    tool: { name: 'stackopt', version: ctx.version },
    results: results.map((r) => ({
      file: r.file,
      findings: r.findings.map((f) => reportedFields(f)),
    })),
    summary: summarize(results),
    ...(ctx.audit ? { audit: ctx.audit } : {}),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};
