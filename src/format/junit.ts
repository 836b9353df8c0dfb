import type { Finding } from '../engine/types.js';
import { slashPath, type Formatter } from './types.js';

/**
 * JUnit XML for CI test report views: one test suite per file, one failing test case per finding
 * (`<failure type="error|warning|info">`), and one passing test case for a file without findings so
 * that it is counted as checked.
 */
export const formatJunit: Formatter = (results) => {
  // group by the file each finding points into, keeping every linted project as a suite
  const suites = new Map<string, Finding[]>();
  for (const r of results) {
    // a project without findings is a passing suite; one with findings has them in the files they point into
    if (r.findings.length === 0 && !suites.has(r.file)) suites.set(r.file, []);
    for (const f of r.findings) {
      const list = suites.get(f.file) ?? [];
      list.push(f);
      suites.set(f.file, list);
    }
  }
  let tests = 0;
  let failures = 0;
  const body: string[] = [];
  for (const [file, findings] of suites) {
    const name = slashPath(file);
    const cases = findings.length || 1;
    tests += cases;
    failures += findings.length;
    body.push(`  <testsuite name="${xml(name)}" tests="${cases}" failures="${findings.length}" errors="0" skipped="0">`);
    if (findings.length === 0) body.push(`    <testcase name="stackopt" classname="${xml(name)}"/>`);
    for (const f of findings) {
      const where = f.line > 0 ? `${name}:${f.line}:${f.column}` : name;
      body.push(`    <testcase name="${xml(`${f.ruleId} ${where}`)}" classname="${xml(name)}">`);
      body.push(`      <failure message="${xml(f.message)}" type="${f.severity}">${xmlText(`${f.severity}: ${f.message} [${f.ruleId}]\nat ${where}${f.service ? `\nservice: ${f.service}` : ''}${f.path ? `\npath: ${f.path}` : ''}`)}</failure>`);
      body.push('    </testcase>');
    }
    body.push('  </testsuite>');
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stackopt" tests="${tests}" failures="${failures}" errors="0">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
};

/** Escape for XML text; characters XML 1.0 forbids are dropped. */
function xmlText(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Escape for an attribute value (line breaks kept as character references). */
function xml(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
