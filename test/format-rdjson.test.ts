import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { allRules } from '../src/engine/registry.js';
import { applyEdits } from '../src/fix/apply-edits.js';
import { loadFormatter } from '../src/format/index.js';
import type { FormatContext, ReportResult } from '../src/format/types.js';
import { runCli } from './helpers/cli.js';

/**
 * `--format rdjson` (reviewdog's Diagnostic Format) of real lint runs with fixes: valid by
 * reviewdog's published JSON schema (vendored in fixtures/format/reviewdog-rdf) and by a strict copy
 * of it (only the format's own fields, the required ones present); positions in UTF-8 bytes; and the
 * suggestions, applied to the file's bytes as reviewdog applies them, give exactly what the fix
 * gives. reviewdog itself is not installed here (it is not packaged for Debian or npm, and its Go
 * module needs a newer Go than Debian's), so the format is checked against its definition.
 */
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'stackopt-rdjson-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface RdPosition {
  line?: number;
  column?: number;
}
interface RdSuggestion {
  range: { start: RdPosition; end: RdPosition };
  text: string;
}
interface RdDiagnostic {
  message: string;
  location: { path: string; range?: { start: RdPosition; end?: RdPosition } };
  severity: string;
  code: { value: string; url: string };
  suggestions?: RdSuggestion[];
}
interface RdResult {
  source: { name: string; url: string };
  diagnostics: RdDiagnostic[];
}

const ctx: FormatContext = { color: false, version: '0.1.0', cwd: root, rules: allRules };

function lintFiles(dir: string, files: string[]): ReportResult[] {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return files.map((f) => {
      const r = lintProject({ files: [f], environment: {}, withFixes: true });
      return { file: r.file, findings: r.findings, sources: r.sources };
    });
  } finally {
    process.chdir(cwd);
  }
}

const seedDir = join(root, 'fixtures/seed-examples');
const corpusDir = join(root, 'fixtures/corpus');
const realInputs = [
  ...readdirSync(seedDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(seedDir, f)),
  ...['dockersamples__example-voting-app/docker-stack.yml', 'stefanprodan__swarmprom/docker-compose.yml'].map((f) => join(corpusDir, f)),
].map((f) => relative(root, f));

/** A strict copy of reviewdog's schema: no property the format does not define, and the required ones. */
function strictSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(schema)) as { definitions: Record<string, { additionalProperties?: boolean; required?: string[]; properties?: Record<string, { additionalProperties?: boolean }> }> };
  for (const def of Object.values(copy.definitions)) {
    def.additionalProperties = false;
    for (const p of Object.values(def.properties ?? {})) delete p.additionalProperties;
  }
  copy.definitions.DiagnosticResult!.required = ['diagnostics'];
  copy.definitions['reviewdog.rdf.Diagnostic']!.required = ['message', 'location', 'severity', 'code'];
  copy.definitions['reviewdog.rdf.Location']!.required = ['path'];
  copy.definitions['reviewdog.rdf.Range']!.required = ['start'];
  copy.definitions['reviewdog.rdf.Suggestion']!.required = ['range', 'text'];
  copy.definitions['reviewdog.rdf.Code']!.required = ['value'];
  return copy;
}

function validators() {
  const { $schema: _draft04, ...schema } = JSON.parse(readFileSync(join(root, 'fixtures/format/reviewdog-rdf/DiagnosticResult.json'), 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  return { published: ajv.compile(schema), strict: ajv.compile(strictSchema(schema)) };
}

/** Byte offset of a reviewdog position (line from 1, column from 1 in UTF-8 bytes) in a file's bytes. */
function byteOffset(bytes: Buffer, p: RdPosition): number {
  let line = 1;
  let i = 0;
  while (line < p.line!) {
    const nl = bytes.indexOf(0x0a, i);
    if (nl < 0) throw new Error(`line ${p.line} is past the end`);
    i = nl + 1;
    line++;
  }
  return i + p.column! - 1;
}

/** Apply a diagnostic's suggestions to the file's bytes, as reviewdog does. */
function applySuggestions(bytes: Buffer, suggestions: RdSuggestion[]): string {
  const edits = suggestions.map((s) => ({ start: byteOffset(bytes, s.range.start), end: byteOffset(bytes, s.range.end), text: s.text })).sort((a, b) => b.start - a.start);
  let out = bytes;
  for (const e of edits) out = Buffer.concat([out.subarray(0, e.start), Buffer.from(e.text, 'utf8'), out.subarray(e.end)]);
  return out.toString('utf8');
}

describe('rdjson', () => {
  it('real lint runs validate against reviewdog\'s schema and its strict copy', async () => {
    const { published, strict } = validators();
    const rdjson = (await loadFormatter('rdjson'))!;
    const report = lintFiles(root, realInputs);
    const out = JSON.parse(rdjson(report, ctx)) as RdResult;
    expect(out.diagnostics.length).toBeGreaterThan(20);
    expect(out.diagnostics.some((d) => d.suggestions?.length)).toBe(true);
    expect(published(out), JSON.stringify(published.errors?.slice(0, 3))).toBe(true);
    expect(strict(out), JSON.stringify(strict.errors?.slice(0, 3))).toBe(true);
    // the strict copy does reject what the format does not have
    const bad = JSON.parse(JSON.stringify(out)) as RdResult;
    (bad.diagnostics[0] as unknown as Record<string, unknown>).suggestion = [];
    expect(strict(bad)).toBe(false);
    expect(published(bad)).toBe(true);
    // one diagnostic per finding, in order, with rule and severity
    const findings = report.flatMap((r) => r.findings);
    expect(out.diagnostics.map((d) => [d.code.value, d.severity])).toEqual(findings.map((f) => [f.ruleId, f.severity.toUpperCase()]));
    expect(out.source).toEqual({ name: 'stackopt', url: 'https://github.com/stackopt/stackopt' });
  });

  it('columns count UTF-8 bytes; suggestions applied to the bytes give what the safe fix gives', async () => {
    // multi-byte characters before the positions on the same lines, a CRLF file, a BOM
    const files: Record<string, string> = {
      'utf8.yaml': 'services:\n  wéb:   # café ☕ 𐐀\n    image: "nginx:1.27" # ☕\n    ports: ["127.0.0.1:8080:80"]\n',
      'crlf.yaml': 'services:\r\n  api:\r\n    image: registry.example.com/api:2.1 # ü\r\n',
      'bom.yaml': '\uFEFFservices: {app: {image: "ghcr.io/x/app:1"}}\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
    const report = lintFiles(work, Object.keys(files));
    const out = JSON.parse((await loadFormatter('rdjson'))!(report, { ...ctx, cwd: work })) as RdResult;
    const { strict } = validators();
    expect(strict(out), JSON.stringify(strict.errors?.slice(0, 3))).toBe(true);

    // a finding on the service key "wéb": column 3, end 3 + 4 bytes ("wéb" is 4 bytes in UTF-8)
    const web = out.diagnostics.find((d) => d.code.value === 'resource-limits' && d.location.path === 'utf8.yaml')!;
    expect(web.location.range).toEqual({ start: { line: 2, column: 3 }, end: { line: 2, column: 7 } });

    let checked = 0;
    for (const r of report) {
      const source = r.sources![0]!;
      const bytes = readFileSync(join(work, source.displayPath));
      r.findings.forEach((f) => {
        const d = out.diagnostics.find((x) => x.code.value === f.ruleId && x.location.path === f.file && x.message === f.message)!;
        if (!f.fix || f.fix.unsafe) {
          expect(d.suggestions, `${f.ruleId}: no suggestion without a safe fix`).toBeUndefined();
          return;
        }
        expect(d.suggestions!.length).toBe(f.fix.edits.length);
        const expected = source.toRaw(applyEdits(source.text, f.fix.edits));
        expect(applySuggestions(bytes, d.suggestions!), `${source.displayPath} ${f.ruleId}`).toBe(expected);
        checked++;
      });
    }
    expect(checked).toBeGreaterThanOrEqual(6);
    // unsafe fixes exist in these files and are not suggested
    expect(report.flatMap((r) => r.findings).some((f) => f.fix?.unsafe)).toBe(true);
  });

  it('the CLI writes it (fixes computed), to stdout or -o', () => {
    writeFileSync(join(work, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n');
    const run = runCli(['lint', '--format', 'rdjson', 'compose.yaml'], work);
    expect(run.status, run.stderr).toBe(1);
    const out = JSON.parse(run.stdout) as RdResult;
    expect(out.diagnostics.find((d) => d.code.value === 'resource-limits')!.suggestions![0]!.text).toContain('deploy:');
  });
});
