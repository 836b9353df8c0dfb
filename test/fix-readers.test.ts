import { yamlFiles } from './helpers/files.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixProject, type FixOptions, type FixResult } from '../src/fix/fix-project.js';
import { lintProject } from '../src/engine/lint.js';
import { allRules } from '../src/engine/registry.js';
import { readFastYaml } from '../src/parse/fast-yaml.js';
import { SourceFile } from '../src/parse/source-file.js';
import { ruleFixtures, writeFixtureFiles } from './helpers/fix-cases.js';
// @ts-expect-error: a JavaScript module of the benchmarks, without types
import { bigStack, dirtyStack } from '../bench/generate.mjs';

/**
 * `fix` takes two short cuts, and both must give the fix the full path gives:
 * - fixes edit through the nodes of whichever reader read the file: the fast reader's
 *   (src/parse/fast-yaml.ts) for the files in its shape, yaml's for the others;
 * - without --unsafe, the fixes of rules whose fixes are all unsafe are computed only when read
 *   (for the findings left), not in every lint of the loop (`deferUnsafeFixes`).
 * Every project here is fixed twice, as `fix` does it and with every file read by yaml and every
 * fix computed when reported, and the results must be the same to the byte (outputs, what was
 * applied, left and dropped, with positions and reasons).
 */
const repo = resolve(import.meta.dirname, '..');
const temp = mkdtempSync(join(tmpdir(), 'stackopt-fix-readers-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function summary(r: FixResult): unknown {
  const where = (f: { ruleId: string; line: number; column: number; endLine: number; endColumn: number; message: string; path: string }) =>
    `${f.ruleId} ${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.path} ${f.message}`;
  return {
    outputs: r.files.map((f) => f.output),
    applied: r.applied,
    left: r.left.map((l) => ({ finding: where(l.finding), original: l.original && where(l.original), reason: l.reason, why: l.why })),
    dropped: r.dropped,
    passes: r.passes,
    blocked: r.blocked,
  };
}

/** Fix both ways and compare; returns whether the fast reader read the first file and the fix changed it. */
function compare(opts: FixOptions, id: string): { fast: boolean; changed: boolean } {
  const asFix = fixProject(opts);
  const asYaml = fixProject({ ...opts, yamlOnly: true, deferUnsafeFixes: false });
  expect(summary(asFix), id).toEqual(summary(asYaml));
  const first = asFix.files[0];
  return { fast: first !== undefined && readFastYaml(new SourceFile(first.source.path, first.source.displayPath, first.original).text) !== null, changed: Boolean(first?.changed) };
}

describe('fixes through the fast reader and through yaml', { timeout: 600_000 }, () => {
  it('every fix of a rule marked fixable: unsafe is unsafe (a fix run without --unsafe skips them unread)', () => {
    const unsafeRules = new Set(allRules.filter((r) => r.meta.fixable === 'unsafe').map((r) => r.meta.id));
    expect(unsafeRules.size).toBeGreaterThan(2);
    const files = [...yamlFiles(join(repo, 'fixtures', 'corpus')), ...yamlFiles(join(repo, 'fixtures', 'fix')), ...yamlFiles(join(repo, 'fixtures', 'seed-examples'))];
    let seen = 0;
    for (const f of files) {
      for (const finding of lintProject({ files: [f], environment: {}, withFixes: true }).findings) {
        if (!unsafeRules.has(finding.ruleId) || !finding.fix || finding.fix.edits.length === 0) continue;
        seen++;
        expect(finding.fix.unsafe, `${f}: ${finding.ruleId}: ${finding.fix.description}`).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(50);
  });

  it('are the same on every fixture file (corpus, seed examples, goldens, formats, audits)', () => {
    const files = yamlFiles(join(repo, 'fixtures'));
    expect(files.length).toBeGreaterThan(150);
    let fastChanged = 0;
    files.forEach((f, i) => {
      // safe and --unsafe in turn: --unsafe makes every kind of edit, safe defers the unsafe fixes
      const unsafe = i % 2 === 0;
      const r = compare({ files: [f], environment: {}, unsafe }, `${f.slice(repo.length + 1)}${unsafe ? ' --unsafe' : ''}`);
      if (r.fast && r.changed) fastChanged++;
    });
    // the comparison means something: many files are read by the fast reader and fixed
    expect(fastChanged).toBeGreaterThan(30);
  });

  it('are the same on every rule fixture (the rules\' inline test cases)', () => {
    const fixtures = ruleFixtures(join(repo, 'rules'));
    expect(fixtures.length).toBeGreaterThan(100);
    let fastChanged = 0;
    fixtures.forEach((fx, i) => {
      const dir = join(temp, `case-${i}`);
      writeFixtureFiles(dir, fx.files);
      const lint = fx.lint ?? [Object.keys(fx.files)[0]!];
      for (const unsafe of [false, true]) {
        const r = compare({ files: lint.map((f) => join(dir, f)), environment: fx.env ?? {}, envFiles: fx.envFiles?.map((f) => join(dir, f)), unsafe }, `${fx.id}${unsafe ? ' --unsafe' : ''}`);
        if (r.fast && r.changed) fastChanged++;
      }
    });
    expect(fastChanged).toBeGreaterThan(50);
  });

  it('are the same on generated stacks: the dirty stack, a big stack, a shared anchor, an extends chain', () => {
    const dirty = dirtyStack() as string;
    const cases: Record<string, string> = {
      // the first 240 services of the benchmark's dirty stack (every kind of service it has)
      dirty: dirty.slice(0, dirty.indexOf('  # service 240\n')),
      big: bigStack(150) as string,
      anchor: 'x-common: &common\n  image: nginx:1.27\n  security_opt:\n    - label:disable\n  deploy:\n    mode: replicated\n\nservices:\n' + Array.from({ length: 40 }, (_, i) => `  svc-${i}:\n    <<: *common\n`).join(''),
      extends: 'services:\n  base-0:\n    image: nginx:1.27\n' + Array.from({ length: 30 }, (_, i) => `  base-${i + 1}:\n    extends: base-${i}\n`).join(''),
    };
    for (const [name, text] of Object.entries(cases)) {
      const file = join(temp, `${name}.yml`);
      writeFileSync(file, text);
      for (const unsafe of [false, true]) {
        const r = compare({ files: [file], environment: {}, unsafe }, `${name}${unsafe ? ' --unsafe' : ''}`);
        expect(r, name).toEqual({ fast: true, changed: true });
      }
    }
  });

  it('read the fixed dirty stack with the fast reader (its double-quoted escapes included)', () => {
    const dirty = dirtyStack() as string;
    const file = join(temp, 'dirty-read.yml');
    writeFileSync(file, dirty.slice(0, dirty.indexOf('  # service 40\n')));
    const r = fixProject({ files: [file], environment: {} });
    const out = r.files[0]!.output;
    expect(out).toContain('\\"');
    expect(readFastYaml(out)).not.toBeNull();
    expect(readFileSync(file, 'utf8')).not.toBe(out);
  });
});
