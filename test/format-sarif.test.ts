import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { allRules } from '../src/engine/registry.js';
import { loadFormatter } from '../src/format/index.js';
import type { FormatContext, ReportResult } from '../src/format/types.js';

/**
 * SARIF output of real lint runs (seed examples and corpus files, with fixes computed as
 * `--format sarif` does): valid by the official validator (`sarif-multitool validate`, from the
 * devDependency @microsoft/sarif-multitool) and by the vendored SARIF 2.1.0 JSON schema, and one
 * result per JSON finding, in the same order, with the same rule, message and position.
 */
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'stackopt-sarif-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const seedDir = join(root, 'fixtures/seed-examples');
const corpusDir = join(root, 'fixtures/corpus');
const inputs = [
  ...readdirSync(seedDir).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(seedDir, f)),
  ...['BretFisher__dogvscat/stack-proxy-global.yml', 'dockersamples__example-voting-app/docker-stack.yml', 'docker__cli/cli__compose__loader__full-example.yml', 'stefanprodan__swarmprom/docker-compose.yml']
    .map((f) => join(corpusDir, f)),
];

// Paths as a user in the repository root sees them (relative), as the CLI reports them.
const ctx: FormatContext = { color: false, version: '0.1.0', cwd: root, rules: allRules };
function lintAll(): ReportResult[] {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    return inputs.map((f) => {
      const r = lintProject({ files: [relative(root, f)], environment: {}, withFixes: true });
      return { file: r.file, findings: r.findings, sources: r.sources };
    });
  } finally {
    process.chdir(cwd);
  }
}
const report = lintAll();

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region?: { startLine: number; startColumn: number; endLine: number; endColumn: number } } }>;
  fixes?: unknown[];
}

/** The official validator's binary, when its platform package is installed and runs here. */
function multitool(): string | null {
  try {
    const bin = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000 });
    return r.status === 0 ? bin : null;
  } catch {
    return null;
  }
}
const validatorBin = multitool();

describe('sarif', () => {
  /** validated by both; the official validator takes a few seconds per file, so it gets the combined ones */
  const sarifFiles: string[] = [];
  const officialFiles: string[] = [];
  it('renders real lint runs (some with fixes)', async () => {
    const sarif = (await loadFormatter('sarif'))!;
    const all = sarif(report, ctx);
    const file = join(work, 'all.sarif');
    writeFileSync(file, all);
    sarifFiles.push(file);
    // one file per project too, and an empty run
    report.forEach((r, i) => {
      const f = join(work, `p${i}.sarif`);
      writeFileSync(f, sarif([r], ctx));
      sarifFiles.push(f);
    });
    const empty = join(work, 'empty.sarif');
    writeFileSync(empty, sarif([], ctx));
    sarifFiles.push(empty);
    sarifFiles.push(join(root, 'fixtures/format/golden/sarif.sarif'));
    officialFiles.push(file, empty, join(root, 'fixtures/format/golden/sarif.sarif'));
    const log = JSON.parse(all) as { runs: Array<{ results: SarifResult[] }> };
    expect(log.runs[0]!.results.length).toBeGreaterThan(20);
    expect(log.runs[0]!.results.some((r) => r.fixes && r.fixes.length > 0)).toBe(true);
  });

  it('validates against the SARIF 2.1.0 JSON schema (vendored in fixtures/format/sarif-2.1.0)', () => {
    const schema = JSON.parse(readFileSync(join(root, 'fixtures/format/sarif-2.1.0/sarif-2.1.0.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    for (const f of sarifFiles) {
      const ok = validate(JSON.parse(readFileSync(f, 'utf8')));
      expect(ok, `${f}: ${JSON.stringify(validate.errors?.slice(0, 5))}`).toBe(true);
    }
  });

  it.skipIf(!validatorBin)('passes the official validator (sarif-multitool validate) with no error and no warning', () => {
    const r = spawnSync(validatorBin!, ['validate', ...officialFiles], { encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}${r.stderr}`;
    const problems = out.split('\n').filter((l) => /:\s*(error|warning)\s+[A-Z]+\d+/i.test(l) || /\berror\b.*ERR\d+/.test(l));
    expect(problems, out).toEqual([]);
    expect(r.status, out).toBe(0);
    expect(out).toContain(`${officialFiles.length} files scanned`);
  });

  it('has one result per JSON finding, in order, with the same rule, level, message and region', async () => {
    const sarif = JSON.parse((await loadFormatter('sarif'))!(report, ctx)) as { runs: Array<{ results: SarifResult[]; tool: { driver: { rules: Array<{ id: string }> } } }> };
    const json = JSON.parse((await loadFormatter('json'))!(report, ctx)) as { results: Array<{ findings: Array<Record<string, unknown>> }> };
    const findings = json.results.flatMap((r) => r.findings);
    const results = sarif.runs[0]!.results;
    const rules = sarif.runs[0]!.tool.driver.rules;
    expect(results.length).toBe(findings.length);
    const level: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };
    results.forEach((r, i) => {
      const f = findings[i]!;
      expect(r.ruleId).toBe(f.ruleId);
      expect(rules[r.ruleIndex]!.id).toBe(f.ruleId);
      expect(r.level).toBe(level[f.severity as string]);
      expect(r.message.text).toBe(f.message);
      const loc = r.locations[0]!.physicalLocation;
      expect(decodeURIComponent(loc.artifactLocation.uri)).toBe(f.file);
      expect(loc.region).toEqual({ startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn });
    });
  });

  it('lists the whole rule catalogue with help links', async () => {
    const sarif = JSON.parse((await loadFormatter('sarif'))!([], ctx)) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri: string; defaultConfiguration: { level: string } }> } } }> };
    const rules = sarif.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(allRules.map((r) => r.meta.id));
    for (const r of rules) expect(r.helpUri).toMatch(/^https:\/\/github\.com\/stackopt\/stackopt\/blob\/main\/(rules\/[a-z0-9-]+\/README\.md|README\.md#[a-z-]+)$/);
  });
});

describe('json', () => {
  it('real lint output validates against schemas/report.schema.json', async () => {
    const { Ajv } = await import('ajv');
    const schema = JSON.parse(readFileSync(join(root, 'schemas/report.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const out = JSON.parse((await loadFormatter('json'))!(report, ctx));
    expect(validate(out), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });
});
