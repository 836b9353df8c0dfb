import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { allRules } from '../src/engine/registry.js';
import { loadFormatter } from '../src/format/index.js';
import type { FormatContext, ReportResult } from '../src/format/types.js';
import { runCli } from './helpers/cli.js';
import { runProcess } from './helpers/worktree.js';

/**
 * SARIF output of real lint runs (seed examples and corpus files, with fixes computed as
 * `--format sarif` does): valid by the official validator (`sarif-multitool validate`, from
 * @microsoft/sarif-multitool in test/sarif-validator) and by the vendored SARIF 2.1.0 JSON schema, and one
 * result per JSON finding, in the same order, with the same rule, message and position.
 */
const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'stackopt-sarif-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const seedDir = join(root, 'fixtures/seed-examples');
const corpusDir = join(root, 'fixtures/corpus');
// suppressed findings: a directive with a reason, one without, and a service's x-stackopt.disable
const suppressedFile = join(work, 'suppressed.yaml');
writeFileSync(
  suppressedFile,
  [
    'services:',
    '  web:',
    '    image: nginx:1.27',
    '    # stackopt-disable-next-line no-privileged -- needs raw sockets for the probe',
    '    privileged: true',
    '    ports:',
    '      - "8080:80" # stackopt-disable-line ports-host-ip',
    '  worker:',
    '    image: busybox:1.36',
    '    x-stackopt:',
    '      disable: [non-root-user]',
    '',
  ].join('\n'),
);
const inputs = [
  suppressedFile,
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
      return { file: r.file, findings: r.findings, sources: r.sources, suppressed: r.suppressed };
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
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
  suppressions?: Array<{ kind: string; status: string; justification?: string; location?: { physicalLocation: { region: { startLine: number } } } }>;
}
interface SarifLog {
  runs: Array<{ results: SarifResult[]; tool: { driver: { rules: Array<{ id: string; properties: Record<string, unknown> }> } } }>;
}

/**
 * The official validator's binary, when its platform package is installed and runs here. It is
 * over 100 MB, so it is no development dependency (which every install of the repository would
 * fetch, pre-commit's among them): test/sarif-validator has its own package and lockfile, which
 * `.ci/run` installs (`npm ci --prefix test/sarif-validator`). A test run installs nothing: where it
 * is missing its case is skipped, and fails with CI=true.
 */
function multitool(): string | null {
  const dir = join(root, 'test/sarif-validator');
  let bin: string;
  try {
    // its own node_modules only (not one of a folder above)
    bin = createRequire(join(dir, 'package.json'))(join(dir, 'node_modules/@microsoft/sarif-multitool')) as string;
  } catch {
    console.warn('[skip] sarif-multitool validate (required with CI=true): not installed; `npm ci --prefix test/sarif-validator` installs it');
    return null;
  }
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? bin : null;
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

  // where it cannot be installed the case is skipped with the message above, but fails in CI (`CI=true`),
  // where it must run (`.ci/run` installs it)
  it.skipIf(!validatorBin && process.env.CI !== 'true')('passes the official validator (sarif-multitool validate) with no error and no warning', async () => {
    if (!validatorBin) throw new Error('CI=true but sarif-multitool is not installed in test/sarif-validator: run `npm ci --prefix test/sarif-validator`');
    // run without blocking the worker; the limit only ends a hang (on a busy machine it has taken over two minutes)
    const r = await runProcess(validatorBin!, ['validate', ...officialFiles], work, process.env, 10 * 60_000);
    const out = r.out;
    const problems = out.split('\n').filter((l) => /:\s*(error|warning)\s+[A-Z]+\d+/i.test(l) || /\berror\b.*ERR\d+/.test(l));
    expect(problems, out).toEqual([]);
    expect(r.status, out).toBe(0);
    expect(out).toContain(`${officialFiles.length} files scanned`);
  }, 11 * 60_000);

  it('has one result per JSON finding, in order, with the same rule, level, message and region', async () => {
    const sarif = JSON.parse((await loadFormatter('sarif'))!(report, ctx)) as { runs: Array<{ results: SarifResult[]; tool: { driver: { rules: Array<{ id: string }> } } }> };
    const json = JSON.parse((await loadFormatter('json'))!(report, ctx)) as { results: Array<{ findings: Array<Record<string, unknown>> }> };
    const findings = json.results.flatMap((r) => r.findings);
    const results = sarif.runs[0]!.results.filter((r) => !(r as { suppressions?: unknown }).suppressions);
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
      // a file outside the folder stackopt ran in is named by its file: URL
      expect(loc.artifactLocation.uriBaseId ? decodeURIComponent(loc.artifactLocation.uri) : fileURLToPath(loc.artifactLocation.uri)).toBe(f.file);
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

describe('sarif: code scanning fields', () => {
  const sarifOf = async (results: ReportResult[], cwd = root) => JSON.parse((await loadFormatter('sarif'))!(results, { ...ctx, cwd })) as SarifLog;

  it('suppressed findings are results with a suppressions entry: the directive\'s reason as justification, its location', async () => {
    const log = await sarifOf(report);
    const results = log.runs[0]!.results;
    const suppressed = results.filter((r) => r.suppressions);
    const byRule = Object.fromEntries(suppressed.map((r) => [r.ruleId, r]));
    expect(Object.keys(byRule).sort()).toEqual(['no-privileged', 'non-root-user', 'ports-host-ip']);
    expect(byRule['no-privileged']!.suppressions).toEqual([
      expect.objectContaining({ kind: 'inSource', status: 'accepted', justification: 'needs raw sockets for the probe' }),
    ]);
    expect(byRule['no-privileged']!.suppressions![0]!.location!.physicalLocation.region.startLine).toBe(4);
    expect(byRule['no-privileged']!.locations[0]!.physicalLocation.region!.startLine).toBe(5);
    // no reason written: no justification, still the directive's place
    expect(byRule['ports-host-ip']!.suppressions![0]!.justification).toBeUndefined();
    expect(byRule['ports-host-ip']!.suppressions![0]!.location!.physicalLocation.region.startLine).toBe(7);
    expect(byRule['non-root-user']!.suppressions![0]!.location!.physicalLocation.region.startLine).toBe(11);
    expect(byRule['non-root-user']!.properties).toMatchObject({ service: 'worker' });
    // the same findings are not among the reported ones (web's non-root-user finding is)
    const reported = report[0]!.findings.map((f) => `${f.ruleId} ${f.service}`);
    expect(reported).not.toContain('no-privileged web');
    expect(reported).not.toContain('ports-host-ip web');
    expect(reported).not.toContain('non-root-user worker');
    expect(reported).toContain('non-root-user web');
  });

  it('partialFingerprints do not change when lines move, when a file is named by its full path, or when another finding is suppressed', async () => {
    const dir = mkdtempSync(join(work, 'fp-'));
    const body = 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n  api:\n    image: nginx:1.27\n    privileged: true\n';
    writeFileSync(join(dir, 'compose.yaml'), body);
    const lintIn = (files: string[]) => {
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        return files.map((f) => {
          const r = lintProject({ files: [f], environment: {} });
          return { file: r.file, findings: r.findings, sources: r.sources, suppressed: r.suppressed };
        });
      } finally {
        process.chdir(cwd);
      }
    };
    const prints = async (files: string[]) => {
      const log = await sarifOf(lintIn(files), dir);
      return Object.fromEntries(log.runs[0]!.results.map((r) => [`${r.ruleId} ${r.locations[0]!.physicalLocation.region!.startLine} ${r.suppressions ? 's' : ''}`, r.partialFingerprints['stackopt/v1']!]));
    };
    const before = await prints(['compose.yaml']);
    expect(Object.keys(before).length).toBeGreaterThan(6);
    expect(new Set(Object.values(before)).size).toBe(Object.keys(before).length);
    expect(await prints([join(dir, 'compose.yaml')])).toEqual(before);
    // three lines added at the top: same prints, lines shifted
    writeFileSync(join(dir, 'compose.yaml'), `# a\n# b\n# c\n${body}`);
    const moved = await prints(['compose.yaml']);
    expect(Object.values(moved).sort()).toEqual(Object.values(before).sort());
    // the first of two no-privileged findings suppressed: the second keeps its print
    writeFileSync(join(dir, 'compose.yaml'), body.replace('    privileged: true\n  api', '    privileged: true # stackopt-disable-line no-privileged -- lab only\n  api'));
    const one = await prints(['compose.yaml']);
    expect(one['no-privileged 7 ']).toBe(before['no-privileged 7 ']);
    expect(one['no-privileged 4 s']).toBe(before['no-privileged 4 ']);
  });

  it('security rules carry security-severity as a number string; other rules none', async () => {
    const log = await sarifOf([]);
    const rules = log.runs[0]!.tool.driver.rules;
    const security = allRules.filter((r) => r.meta.category === 'security').map((r) => r.meta.id);
    expect(security.length).toBeGreaterThan(5);
    for (const r of rules) {
      const score = r.properties['security-severity'];
      if (!security.includes(r.id)) {
        expect(score, r.id).toBeUndefined();
        continue;
      }
      expect(score, r.id).toMatch(/^\d+\.\d$/);
      expect(Number(score)).toBeGreaterThan(0);
      expect(Number(score)).toBeLessThanOrEqual(10);
      expect(r.properties.tags, r.id).toContain('security');
    }
    const score = (id: string) => Number(rules.find((r) => r.id === id)!.properties['security-severity']);
    expect(score('no-privileged')).toBeGreaterThanOrEqual(9); // critical
    expect(score('no-docker-socket')).toBeGreaterThanOrEqual(9);
    expect(score('no-host-namespaces')).toBeGreaterThanOrEqual(7); // high
    expect(score('tmpfs-hardening')).toBeLessThan(4); // low
  });

  it('the CLI reports findings a baseline accepts as suppressed (external), and counts only the others', () => {
    const dir = mkdtempSync(join(work, 'cli-'));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n');
    expect(runCli(['lint', '--write-baseline', 'base.json'], dir).status).toBe(0);
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n  new:\n    image: nginx:1.27\n');
    const run = runCli(['lint', '--baseline', 'base.json', '--format', 'sarif'], dir);
    expect(run.status).toBe(1);
    const results = (JSON.parse(run.stdout) as SarifLog).runs[0]!.results;
    const accepted = results.filter((r) => r.suppressions);
    expect(accepted.length).toBeGreaterThan(3);
    for (const r of accepted) expect(r.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'recorded in the baseline base.json', properties: { directive: 'baseline base.json' } }]);
    expect(accepted.some((r) => r.ruleId === 'no-privileged')).toBe(true);
    // the new service's findings are reported; the JSON format shows only those
    const fresh = results.filter((r) => !r.suppressions);
    expect(fresh.length).toBeGreaterThan(0);
    const json = JSON.parse(runCli(['lint', '--baseline', 'base.json', '--format', 'json'], dir).stdout) as { results: Array<{ findings: unknown[] }> };
    expect(json.results[0]!.findings.length).toBe(fresh.length);
  });
});
