import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintProject } from '../../src/engine/lint.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { Finding, Rule } from '../../src/engine/types.js';
import type { Stack } from '../../src/model/types.js';

/**
 * The stacks of a generated compose file at each size, for a linearity test (`cpuRatio`): each text
 * written to a temporary file and linted with no rules, so that only the rule under test is timed
 * on the stacks. `withFixes` keeps the nodes fixes edit through.
 */
export function stacksOf(text: (n: number) => string, sizes: readonly number[], opts: { withFixes?: boolean } = {}): Stack[] {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-sized-'));
  try {
    return sizes.map((n) => {
      const file = join(dir, `compose.${n}.yml`);
      writeFileSync(file, text(n));
      return lintProject({ files: [file], environment: {}, rules: [], withFixes: opts.withFixes }).stack!;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A rule run `times` times on a stack, each run with new options (`options()`: a new object, so
 * that what the rule compiles once per options object is compiled again), for a linearity test
 * whose single run would take a few milliseconds; the last run's findings.
 */
export function runWithNewOptions(stack: Stack, rule: Rule, options: () => Record<string, unknown>, times = 5): Finding[] {
  let findings: Finding[] = [];
  for (let k = 0; k < times; k++) findings = runRules(stack, [rule], { settings: { [rule.meta.id]: { options: options() } } });
  return findings;
}
