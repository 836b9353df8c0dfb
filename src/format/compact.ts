import type { Formatter } from './types.js';

/** One line per finding, `file:line:col: severity message [rule]`: for editors and grep. */
export const formatCompact: Formatter = (results) => {
  const lines: string[] = [];
  for (const r of results) for (const f of r.findings) lines.push(`${f.file}:${f.line}:${f.column}: ${f.severity} ${oneLine(f.message)} [${f.ruleId}]`);
  return lines.length ? `${lines.join('\n')}\n` : '';
};

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, ' ');
}
