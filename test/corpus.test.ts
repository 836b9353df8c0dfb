import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { InputError } from '../src/parse/read-document.js';

const root = join(import.meta.dirname, '..');
const corpus = join(root, 'fixtures/corpus');
const manifest = readFileSync(join(corpus, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'));

/** Every finding must be placed: a real file position with a start before its end. */
function expectPlaced(findings: ReturnType<typeof lintProject>['findings']) {
  for (const f of findings) {
    expect(f.line, `${f.ruleId} ${f.message}`).toBeGreaterThan(0);
    expect(f.column).toBeGreaterThan(0);
    expect(f.endLine > f.line || (f.endLine === f.line && f.endColumn >= f.column), `${f.ruleId} at ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`).toBe(true);
  }
}

describe('every corpus file lints without a crash', () => {
  it('the manifest lists the 113 files kept in fixtures/corpus', () => {
    expect(manifest.length).toBe(113);
  });
  for (const row of manifest) {
    const file = row[0]!;
    it(file, () => {
      // The manifest's stack_config column was recorded with an empty environment in the file's folder.
      const res = lintProject({ files: [join(corpus, file)], environment: {} });
      expect(res.findings.every((f) => typeof f.message === 'string' && f.message.length > 0)).toBe(true);
      expectPlaced(res.findings);
    });
  }
});

describe('every seed example lints without a crash', () => {
  const dir = join(root, 'fixtures/seed-examples');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.yml'))) {
    it(f, () => {
      const res = lintProject({ files: [join(dir, f)], environment: {} });
      expectPlaced(res.findings);
    });
  }
  for (const env of ['mcp-development.env', 'mcp-production-small.env', 'mcp-production-large.env']) {
    it(`mcp-model-runner.yml with --env-file ${env}`, () => {
      const res = lintProject({ files: [join(dir, 'mcp-model-runner.yml')], envFiles: [join(dir, env)], environment: {} });
      expect(res.findings.filter((f) => f.ruleId === 'interpolation')).toEqual([]);
      const limit = res.stack!.services[0]!.limits.memory!.value;
      const expected = { 'mcp-development.env': 2, 'mcp-production-small.env': 8, 'mcp-production-large.env': 16 }[env]!;
      expect(limit).toBe(expected * 1024 ** 3);
    });
  }
  it('mcp-model-runner.yml without env files takes the ${VAR:-default} values', () => {
    const res = lintProject({ files: [join(dir, 'mcp-model-runner.yml')], environment: {} });
    const svc = res.stack!.services[0]!;
    expect(svc.limits.memory!.value).toBe(4 * 1024 ** 3);
    expect(svc.limits.cpus!.value).toBe(2);
  });
  it('an unreadable input is an InputError, not a crash', () => {
    expect(() => lintProject({ files: [join(dir, 'no-such-file.yml')] })).toThrow(InputError);
  });
});
