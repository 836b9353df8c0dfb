import { inChunks, type Formatter } from './types.js';
import { showControls } from '../model/describe.js';

/** One line per finding, `file:line:col: severity message [rule]`: for editors and grep. */
export const formatCompact: Formatter = inChunks(function* (results) {
  for (const r of results) {
    if (r.findings.length === 0) continue;
    yield `${r.findings.map((f) => `${showControls(f.file, true)}:${f.line}:${f.column}: ${f.severity} ${oneLine(f.message)} [${f.ruleId}]`).join('\n')}\n`;
  }
});

function oneLine(s: string): string {
  return s.replace(/\r?\n/g, ' ');
}
