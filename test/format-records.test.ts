import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandConfigs } from '../src/cli/command-configs.js';
import { lintPaths } from '../src/cli/lint-command.js';
import { withSeverities } from '../src/cli/rules-command.js';
import type { GlobalContext } from '../src/cli/shared.js';
import { lintProject } from '../src/engine/lint.js';
import type { Finding } from '../src/engine/types.js';
import { loadFormatter } from '../src/format/index.js';
import { ReportRecords } from '../src/format/report-records.js';
import { fileLoc, positionOf } from '../src/parse/location.js';
import { SourceFile } from '../src/parse/source-file.js';
import { tempProjects } from './helpers/cli.js';
import { yamlFiles } from './helpers/files.js';
// @ts-expect-error: the benchmark's generator is plain JavaScript, without declarations
import { bigStack } from '../bench/generate.mjs';

/** A project of one file with a finding on each of its lines (a secret span on some). */
function project(name: string, lines: number): { sources: SourceFile[]; findings: Finding[] } {
  const text = Array.from({ length: lines }, (_, i) => `  key${i % 50}: value-${i}-\u00e9t\u00e9${i % 7 === 0 ? ' \u2713' : ''}`).join('\n');
  const source = new SourceFile(`/p/${name}`, name, text);
  const findings: Finding[] = [];
  let at = 0;
  for (let i = 0; i < lines; i++) {
    const len = text.indexOf('\n', at) === -1 ? text.length - at : text.indexOf('\n', at) - at;
    const loc = fileLoc(source, at + 2, at + len);
    const p = positionOf(loc)!;
    findings.push({
      ruleId: i % 2 ? 'rule-a' : 'rule-b',
      severity: i % 3 ? 'warning' : 'error',
      message: ['service "', `svc${i % 40}`, '" has ', String(i % 13), ' problems'].join(''),
      file: name,
      service: i % 5 ? `svc${i % 40}` : null,
      path: `services.svc${i % 40}.key${i % 50}`,
      ...p,
      fixable: false,
      loc,
      sensitive: i % 11 === 0 ? fileLoc(source, at + 8, at + 12) : undefined,
    });
    at += len + 1;
  }
  return { sources: [source], findings };
}

describe('report records', () => {
  it('keep what the report shows, the strings shared across projects', async () => {
    // 8 projects of 3,000 findings that repeat their messages, paths and services
    const projects = Array.from({ length: 8 }, (_, i) => project(`compose.${i}.yaml`, 3000));
    const records = new ReportRecords();
    const kept = projects.map((p) => records.keep(p.findings, p.sources));
    const fields = (f: Finding) => [f.ruleId, f.severity, f.message, f.file, f.service, f.path, f.line, f.column, f.endLine, f.endColumn, f.fixable];
    kept.forEach((k, i) => expect(k.findings.map(fields)).toEqual(projects[i]!.findings.map(fields)));
    const stylish = (await loadFormatter('stylish'))!;
    const ctx = { color: false, version: '0', cwd: '/p' };
    const report = (list: Array<{ sources: SourceFile[]; findings: Finding[] }>) => stylish(list.map((p) => ({ file: p.sources[0]!.displayPath, ...p })), ctx);
    const whole = report(projects);
    expect(report(kept)).toBe(whole);
    expect(whole).toContain('****');
  });
});

describe('records in a lint of many projects', () => {
  const project = tempProjects();
  const g: GlobalContext = { version: '0', stdout: () => {}, stderr: () => {}, isTTY: false, exitCode: 0, debug: false };

  /** lintPaths over `dir`: every project's report from records, and the report of each format as the projects linted one by one give it */
  async function expectRecordedAsAlone(dir: string, projects: number): Promise<void> {
    const { linted } = lintPaths([dir], { format: 'stylish' }, g, new CommandConfigs());
    expect(linted.length).toBe(projects);
    // the records: a finding's file is a record of what the report shows, not the file read
    expect(linted.every((l) => l.report.sources!.every((s) => s.text === ''))).toBe(true);
    const environment = Object.freeze({ ...process.env });
    const alone = linted.map((l) => {
      const r = lintProject({ files: [l.report.sources![0]!.path], settings: withSeverities(undefined, []), environment });
      return { file: r.file, findings: r.findings, sources: r.sources };
    });
    const ctx = { color: false, version: '0', cwd: process.cwd() };
    for (const format of ['stylish', 'json', 'compact']) {
      const f = (await loadFormatter(format))!;
      expect(f(linted.map((l) => l.report), ctx)).toBe(f(alone, ctx));
    }
  }

  it('report what the projects linted one by one report', async () => {
    // more projects than a run lints before it keeps records (RECORDS_AFTER in src/cli/lint-command.ts):
    // copies of the corpus files, one project each, so that the records of the first ones are made
    // once the run passes that number and those of the others as they are linted
    const corpus = yamlFiles(join(import.meta.dirname, '../fixtures/corpus'));
    const p = project({});
    for (let i = 0; i < 230; i++) copyFileSync(corpus[i % corpus.length]!, join(p.dir, `docker-compose.${String(i).padStart(4, '0')}.yml`));
    await expectRecordedAsAlone(p.dir, 230);
  });

  it('a few large projects: records are made once the findings held pass RECORDS_AFTER_FINDINGS, whatever the number of projects', async () => {
    // six copies of the 2,000-service bench file, 4,000 findings each: records from the sixth on,
    // the first five's made then
    const p = project({});
    const text = bigStack(2000) as string;
    for (let i = 0; i < 6; i++) writeFileSync(join(p.dir, `docker-compose.${i}.yml`), text);
    await expectRecordedAsAlone(p.dir, 6);
  });
});
