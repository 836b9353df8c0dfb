import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { allRules } from '../src/engine/registry.js';
import { loadFormatter } from '../src/format/index.js';
import type { FormatContext } from '../src/format/types.js';

/**
 * A line with a finding every few characters: `command: "${A}${A}..."` with A unset gives one
 * interpolation warning per `${A}`. The formats that show or measure the source line did so once
 * per finding, each time over the whole line (stylish looked for tabs in it, rdjson measured the
 * UTF-8 bytes before the column), which made the report quadratic in the line: 200,000 of them
 * took 2.6 s in stylish, 19 s in rdjson. The line is now read once for all its findings.
 */
const dir = mkdtempSync(join(tmpdir(), 'stackopt-long-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ctx: FormatContext = { color: false, version: '0.1.0', cwd: dir, rules: allRules };
const n = 2_000;

/** The lint of a scalar of n unset variables after `prefix`, and a count of the source lines the report reads. */
function lintLongLine(name: string, prefix: string) {
  const file = join(dir, name);
  writeFileSync(file, `services:\n  app:\n    image: nginx:1.27\n    command: "${prefix}${'${A}'.repeat(n)}"\n`);
  const r = lintProject({ files: [file], environment: {}, withFixes: true });
  const source = r.sources[0]!;
  const read = { lines: 0 };
  const lineText = source.lineText.bind(source);
  source.lineText = (line: number) => {
    read.lines++;
    return lineText(line);
  };
  return { result: { file: r.file, findings: r.findings, sources: r.sources }, read, findings: r.findings.filter((f) => f.ruleId === 'interpolation') };
}

describe('a line with thousands of findings', () => {
  it('stylish reads the line once for all of its findings', async () => {
    const { result, read, findings } = lintLongLine('stylish.yml', '');
    expect(findings).toHaveLength(n);
    const out = (await loadFormatter('stylish'))!([result], ctx);
    expect(out.split('variable A is not set; it becomes an empty string')).toHaveLength(n + 1);
    // one read per line that has findings (the service's line and the command's), not one per finding
    expect(read.lines).toBeLessThan(10);
  });

  it('rdjson reads the line once and counts its columns in UTF-8 bytes', async () => {
    // a character of two bytes and one of four (a surrogate pair) before the variables
    const { result, read, findings } = lintLongLine('rdjson.yml', 'é\u{1F600} ');
    const out = JSON.parse((await loadFormatter('rdjson'))!([result], ctx)) as { diagnostics: Array<{ code: { value: string }; location: { range: { start: { line: number; column: number }; end: { column: number } } } }> };
    expect(read.lines).toBeLessThan(10);
    const columns = out.diagnostics.filter((d) => d.code.value === 'interpolation').map((d) => [d.location.range.start.column, d.location.range.end.column]);
    expect(columns).toHaveLength(n);
    // `    command: "` is 14 bytes, then 2 + 4 + 1 bytes, then 4 bytes per ${A}
    const first = 14 + 7 + 1;
    expect(columns).toEqual(findings.map((_, i) => [first + 4 * i, first + 4 * i + 4]));
  });
});
