#!/usr/bin/env node
// The GitHub Action's job summary: reads the SARIF report stackopt wrote and appends a markdown
// summary to $GITHUB_STEP_SUMMARY (counts by severity, then a table of the findings, the first
// MAX_ROWS of them). Usage: node scripts/action-summary.mjs SARIF_FILE EXIT_CODE
import { appendFileSync, existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAX_ROWS = 50;
const LEVEL = { error: 'error', warning: 'warning', note: 'info', none: 'info' };

/** A value in a markdown table cell: no line breaks, no column separators, no HTML. */
export function cell(text) {
  return String(text)
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`');
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The markdown summary of a SARIF log (null when stackopt wrote none) and stackopt's exit code. */
export function summaryMarkdown(log, exitCode) {
  const lines = ['## stackopt', ''];
  if (!log || exitCode >= 2) {
    const why = exitCode === 2 ? 'a usage or configuration error, or unreadable input' : exitCode === 3 ? 'an internal error' : 'no report was written';
    lines.push(`stackopt could not lint (exit code ${exitCode}: ${why}); the step's log says why.`, '');
    return lines.join('\n');
  }
  const run = log.runs?.[0] ?? {};
  const results = run.results ?? [];
  const reported = results.filter((r) => !r.suppressions?.length);
  const suppressed = results.length - reported.length;
  const count = { error: 0, warning: 0, info: 0 };
  for (const r of reported) count[LEVEL[r.level ?? 'warning'] ?? 'info']++;
  const files = new Set(reported.map((r) => where(r).file));
  const verdict = exitCode === 1 ? '❌' : '✅';
  if (reported.length === 0) lines.push(`${verdict} No findings.`);
  else lines.push(`${verdict} ${plural(count.error, 'error')}, ${plural(count.warning, 'warning')}, ${plural(count.info, 'info')} in ${plural(files.size, 'file')}.`);
  if (suppressed > 0) lines.push('', `${plural(suppressed, 'finding')} suppressed (inline directives or the baseline) ${suppressed === 1 ? 'is' : 'are'} not counted.`);
  if (reported.length > 0) {
    lines.push('', '| severity | rule | where | message |', '| --- | --- | --- | --- |');
    const rules = run.tool?.driver?.rules ?? [];
    for (const r of reported.slice(0, MAX_ROWS)) {
      const w = where(r);
      const help = rules[r.ruleIndex]?.helpUri;
      const rule = help ? `[${cell(r.ruleId)}](${help})` : cell(r.ruleId);
      lines.push(`| ${LEVEL[r.level ?? 'warning'] ?? 'info'} | ${rule} | ${cell(w.line ? `${w.file}:${w.line}:${w.column}` : w.file)} | ${cell(r.message?.text ?? '')} |`);
    }
    if (reported.length > MAX_ROWS) lines.push('', `…and ${reported.length - MAX_ROWS} more: see the annotations or code scanning.`);
  }
  lines.push('');
  return lines.join('\n');
}

function where(r) {
  const loc = r.locations?.[0];
  const phys = loc?.physicalLocation;
  if (phys) {
    let file = phys.artifactLocation?.uri ?? '';
    try {
      file = decodeURIComponent(file);
    } catch {
      /* keep it as written */
    }
    return { file, line: phys.region?.startLine, column: phys.region?.startColumn };
  }
  return { file: loc?.logicalLocations?.[0]?.name ?? '' };
}

// run as a script (the tests import the functions)
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, code] = process.argv.slice(2);
  const exitCode = Number(code ?? '3');
  let log = null;
  if (file && existsSync(file)) {
    try {
      log = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      log = null;
    }
  }
  const text = summaryMarkdown(log, Number.isInteger(exitCode) ? exitCode : 3);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${text}\n`);
  else process.stdout.write(`${text}\n`);
}
