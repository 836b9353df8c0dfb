import { yamlFiles } from './helpers/files.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import type { TargetSetting } from '../src/engine/target.js';
import type { Finding } from '../src/engine/types.js';
import { fixProject } from '../src/fix/fix-project.js';

/**
 * A fix never makes a file worse: over every YAML file of the corpus and the seed examples,
 * `fix` (safe, and --unsafe), for target auto and target swarm, gives an output with no error
 * finding the input did not have. The output is linted again here on its own (not through the
 * fixer's guard), and error findings are counted per rule and service (a finding whose path moved
 * because a fix added a block is the same finding). No fix may need the guard either: a pass
 * the fixer had to trim (`dropped`) is a rule whose fix is wrong, and fails the test too.
 */
const repo = join(import.meta.dirname, '..');

function errorCounts(findings: readonly Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) {
    if (f.severity !== 'error') continue;
    const k = `${f.ruleId} (service ${f.service ?? 'none'})`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** What is wrong with fixing `file` for `target` (empty when nothing is). */
function check(file: string, target: TargetSetting): string[] {
  const problems: string[] = [];
  for (const unsafe of [false, true]) {
    const mode = `${target}${unsafe ? ', --unsafe' : ''}`;
    const r = fixProject({ files: [file], environment: {}, unsafe, target });
    const outputs = new Map(r.files.map((f) => [f.source.path, f.output]));
    const input = lintProject({ files: [file], environment: {}, target });
    const output = lintProject({ files: [file], environment: {}, target, readText: (abs) => outputs.get(abs) });
    const before = errorCounts(input.findings);
    for (const [k, n] of errorCounts(output.findings)) {
      const was = before.get(k) ?? 0;
      if (n > was) problems.push(`(${mode}) ${k}: ${was} error(s) before, ${n} after: ${output.findings.filter((f) => `${f.ruleId} (service ${f.service ?? 'none'})` === k).map((f) => `${f.line}:${f.column} ${f.message}`).join(' | ')}`);
    }
    for (const d of r.dropped) problems.push(`(${mode}) pass ${d.pass} needed the guard: ${d.problems.join('; ')}`);
  }
  return problems;
}

const corpus = yamlFiles(join(repo, 'fixtures', 'corpus'));
const seeds = yamlFiles(join(repo, 'fixtures', 'seed-examples'));

describe('fix adds no error finding', () => {
  it('reads the whole corpus and the seed examples', () => {
    expect(corpus.length).toBeGreaterThan(100);
    expect(seeds.length).toBeGreaterThan(5);
  });

  for (const file of [...corpus, ...seeds]) {
    it(file.slice(repo.length + 1), () => {
      expect([...check(file, 'auto'), ...check(file, 'swarm')]).toEqual([]);
    });
  }
});
