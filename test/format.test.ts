import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { defineRule, type Finding, type Rule } from '../src/engine/types.js';
import { findingPosition } from '../src/engine/run-rules.js';
import { FORMATS_WITH_FIXES, formatNames, loadFormatter } from '../src/format/index.js';
import type { FormatContext, ReportResult } from '../src/format/types.js';
import { fileLoc } from '../src/parse/location.js';
import { SourceFile } from '../src/parse/source-file.js';
import { escapeData, escapeProperty } from '../src/format/github.js';

/**
 * Golden-file tests of every output format: a fixed report (three projects, made-up `demo-*` rules,
 * a fix, a message full of characters each format must escape, a file without findings) rendered by
 * each format and compared byte for byte with fixtures/format/golden/. Rewrite the goldens after an
 * intended change with UPDATE_GOLDEN=1 and review the diff.
 */
const root = join(import.meta.dirname, '..');
const input = join(root, 'fixtures/format/input');
const goldenDir = join(root, 'fixtures/format/golden');

const demoRules: Rule[] = [
  defineRule({
    meta: { id: 'demo-limits', description: 'Every service sets a memory limit. Without one a leak takes the node down.', severity: 'error', category: 'resources', fixable: 'safe', messages: {} },
    create: () => ({}),
  }),
  defineRule({
    meta: { id: 'demo-tag', description: 'Images are pinned to a version, not `latest`.', severity: 'warning', category: 'compatibility', fixable: 'unsafe', messages: {} },
    create: () => ({}),
  }),
  defineRule({
    meta: { id: 'demo-secret', description: 'Secrets are not written into environment values.', severity: 'info', category: 'security', messages: {} },
    create: () => ({}),
  }),
];

function source(rel: string): SourceFile {
  return new SourceFile(join(input, rel), rel, readFileSync(join(input, rel), 'utf8'));
}

function finding(src: SourceFile, needle: string, f: Omit<Finding, 'file' | 'line' | 'column' | 'endLine' | 'endColumn' | 'loc'>): Finding {
  const start = src.text.indexOf(needle);
  if (start < 0) throw new Error(`${needle} not in ${src.displayPath}`);
  const loc = fileLoc(src, start, start + needle.length);
  return { ...f, ...findingPosition(loc), loc };
}

/** The report every golden renders. */
export function goldenReport(): ReportResult[] {
  const a = source('compose.yaml');
  const b = source('deploy/docker-stack.yml');
  const c = source('empty/compose.yaml');
  const afterImage = a.text.indexOf('\n', a.text.indexOf('nginx:latest'));
  return [
    {
      file: 'compose.yaml',
      sources: [a],
      findings: [
        finding(a, 'web', {
          ruleId: 'demo-limits',
          severity: 'error',
          message: 'service "web" sets no memory limit; add deploy.resources.limits.memory',
          service: 'web',
          path: 'services.web',
          fixable: true,
          fix: { file: a.path, description: 'added deploy.resources.limits.memory: 256M', edits: [{ start: afterImage, end: afterImage, text: '\n    deploy:\n      resources:\n        limits:\n          memory: 256M' }] },
        }),
        finding(a, 'nginx:latest', {
          ruleId: 'demo-tag',
          severity: 'warning',
          message: 'service "web" uses image "nginx:latest"; pin a version such as nginx:1.27',
          service: 'web',
          path: 'services.web.image',
          fixable: false,
        }),
        finding(a, `"s3cr%t, <x> & 'y'"`, {
          ruleId: 'demo-secret',
          severity: 'info',
          message: `service "db" sets POSTGRES_PASSWORD to "s3cr%t, <x> & 'y'": 100% visible in "docker inspect"; use a secret`,
          service: 'db',
          path: 'services.db.environment.POSTGRES_PASSWORD',
          fixable: false,
        }),
      ],
    },
    {
      file: 'deploy/docker-stack.yml',
      sources: [b],
      findings: [
        finding(b, 'registry.example.com/api:latest', {
          ruleId: 'demo-tag',
          severity: 'warning',
          message: 'service "api" uses image "registry.example.com/api:latest"; pin a version',
          service: 'api',
          path: 'services.api.image',
          fixable: false,
        }),
      ],
    },
    { file: 'empty/compose.yaml', sources: [c], findings: [] },
    {
      // stackopt audit: a finding about a live object has no file position
      file: 'swarm',
      findings: [
        {
          ruleId: 'demo-limits',
          severity: 'error',
          message: 'service "shop_api" runs without a memory limit',
          file: 'service shop_api',
          service: 'shop_api',
          path: 'Spec.TaskTemplate.Resources.Limits',
          line: 0,
          column: 0,
          endLine: 0,
          endColumn: 0,
          fixable: false,
          loc: { kind: 'live', object: 'service shop_api', path: 'Spec.TaskTemplate.Resources.Limits' },
        },
      ],
    },
  ];
}

const ctx: FormatContext = { color: false, version: '0.0.0-test', cwd: '/work/project', rules: demoRules };

const EXT: Record<string, string> = { stylish: 'txt', compact: 'txt', json: 'json', sarif: 'sarif', github: 'txt', junit: 'xml', codeclimate: 'json', rdjson: 'json' };

describe('formats: golden files', () => {
  it('every registered format has a golden file', () => {
    expect(formatNames().sort()).toEqual(Object.keys(EXT).sort());
  });
  for (const name of Object.keys(EXT)) {
    it(`${name} matches fixtures/format/golden/${name}.${EXT[name]}`, async () => {
      const formatter = (await loadFormatter(name))!;
      const report = goldenReport();
      if (!FORMATS_WITH_FIXES.has(name)) for (const r of report) for (const f of r.findings) delete f.fix;
      const out = formatter(report, ctx);
      const file = join(goldenDir, `${name}.${EXT[name]}`);
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
        mkdirSync(goldenDir, { recursive: true });
        writeFileSync(file, out);
      }
      expect(out).toBe(readFileSync(file, 'utf8'));
    });
  }
  it('an unknown format name is not loaded', async () => {
    expect(await loadFormatter('sarif2')).toBeUndefined();
    expect(await loadFormatter('toString')).toBeUndefined();
  });
});

describe('formats: structure', () => {
  it('json output validates against schemas/report.schema.json', async () => {
    const schema = JSON.parse(readFileSync(join(root, 'schemas/report.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const out = JSON.parse((await loadFormatter('json'))!(goldenReport(), ctx));
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    // a broken report is rejected
    out.results[0].findings[0].severity = 'fatal';
    expect(validate(out)).toBe(false);
  });

  it('codeclimate issues carry GitLab\'s required fields and unique fingerprints', async () => {
    const issues = JSON.parse((await loadFormatter('codeclimate'))!(goldenReport(), ctx)) as Array<Record<string, unknown>>;
    expect(issues).toHaveLength(5);
    for (const i of issues) {
      expect(i).toMatchObject({ description: expect.any(String), check_name: expect.any(String), fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/), severity: expect.stringMatching(/^(info|minor|major|critical|blocker)$/) });
      expect((i.location as { lines: { begin: number } }).lines.begin).toBeGreaterThan(0);
    }
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
  });

  it('codeclimate fingerprints do not change when lines move', async () => {
    const fmt = (await loadFormatter('codeclimate'))!;
    const before = JSON.parse(fmt(goldenReport(), ctx)) as Array<{ fingerprint: string }>;
    const moved = goldenReport();
    for (const r of moved) for (const f of r.findings) Object.assign(f, { line: f.line + 7, endLine: f.endLine + 7 });
    const after = JSON.parse(fmt(moved, ctx)) as Array<{ fingerprint: string }>;
    expect(after.map((i) => i.fingerprint)).toEqual(before.map((i) => i.fingerprint));
  });

  it('stylish cuts a very long source line around the finding, the underline still under it', async () => {
    const text = `services:\n  web:\n    image: ${'a'.repeat(3000)}VALUE${'b'.repeat(3000)}\n`;
    const src = new SourceFile('/p/compose.yaml', 'compose.yaml', text);
    const f = finding(src, 'VALUE', { ruleId: 'demo-tag', severity: 'warning', message: 'm', service: 'web', path: 'services.web.image', fixable: false });
    const out = (await loadFormatter('stylish'))!([{ file: 'compose.yaml', sources: [src], findings: [f] }], ctx);
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^ {2}3:3012 {2}warning/);
    expect(lines[2]).toBe(`       3 | …${'a'.repeat(20)}VALUE${'b'.repeat(135)}…`);
    expect(lines[3]).toBe(`         | ${' '.repeat(21)}^~~~~`);
  });

  it('stylish writes a file with many findings in pieces that join into the whole report', async () => {
    let text = 'services:\n';
    for (let i = 0; i < 500; i++) text += `  svc-${i}:\n    image: nginx:latest\n`;
    const src = new SourceFile('/p/compose.yaml', 'compose.yaml', text);
    const findings: Finding[] = [];
    for (let at = text.indexOf('nginx:latest'); at >= 0; at = text.indexOf('nginx:latest', at + 1)) {
      const loc = fileLoc(src, at, at + 'nginx:latest'.length);
      findings.push({ ruleId: 'demo-tag', severity: 'warning', message: 'm', service: null, path: 'image', fixable: false, ...findingPosition(loc), loc });
    }
    const fmt = (await loadFormatter('stylish'))!;
    const report = [{ file: 'compose.yaml', sources: [src], findings }];
    const pieces = [...fmt.chunks!(report, ctx)];
    // 500 findings of three lines each, in pieces of 600 lines (and the summary)
    expect(pieces.length).toBeGreaterThan(1);
    const out = pieces.join('').split('\n');
    expect(out.filter((l) => l.includes('demo-tag'))).toHaveLength(500);
    // no piece ends inside a finding: each finding's three lines follow one another, in file order
    for (let k = 0; k < 500; k++) {
      const line = 3 + 2 * k;
      expect(out[1 + 3 * k], `finding ${k}`).toMatch(new RegExp(`^ +${line}:12 +warning  m  demo-tag$`));
      expect(out[2 + 3 * k], `finding ${k}`).toMatch(new RegExp(`^ +${line} \\|     image: nginx:latest$`));
      expect(out[3 + 3 * k], `finding ${k}`).toMatch(/^ +\|            \^~{11}$/);
    }
    expect(out.slice(0, 4)).toEqual(['compose.yaml', '  3:12     warning  m  demo-tag', '        3 |     image: nginx:latest', '          |            ^~~~~~~~~~~~']);
    for (const piece of pieces.slice(0, -1)) expect(piece.endsWith('\n')).toBe(true);
  });

  it('github escapes workflow command data and properties', () => {
    expect(escapeData('50%\r\nnext')).toBe('50%25%0D%0Anext');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });

  it('junit output is well-formed: every failure escaped, counts add up', async () => {
    const xml = (await loadFormatter('junit'))!(goldenReport(), ctx);
    expect(xml).toContain('<testsuites name="stackopt" tests="6" failures="5" errors="0">');
    expect(xml).not.toMatch(/<x>|& '/);
    // each opened element is closed
    const open = xml.match(/<(testsuite|testcase|failure)[\s>]/g)!.length;
    const closed = (xml.match(/<\/(testsuite|testcase|failure)>/g) ?? []).length + (xml.match(/\/>/g) ?? []).length;
    expect(closed).toBe(open);
  });
});
