import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/engine/types.js';
import { lintCase } from './rule-tester.js';

/** The first ```yaml block under a `## <heading>` of a rule's README. */
export function readmeExample(ruleId: string, heading: string): string {
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'rules', ruleId, 'README.md'), 'utf8');
  const section = new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(text);
  if (!section) throw new Error(`rules/${ruleId}/README.md has no "## ${heading}" section`);
  const block = /```yaml\n([\s\S]*?)```/.exec(section[1]!);
  if (!block) throw new Error(`rules/${ruleId}/README.md: "## ${heading}" has no yaml example`);
  return block[1]!;
}

/**
 * The README's examples are run, so the documentation cannot drift from the rule: the "Incorrect"
 * example gets at least one finding of the rule, the "Correct" one none.
 */
export function testReadmeExamples(rule: Rule, opts: { fileName?: string } = {}): void {
  const id = rule.meta.id;
  const name = opts.fileName ?? 'compose.yaml';
  describe(`${id} README examples`, () => {
    it('Incorrect is reported', () => {
      expect(lintCase({ code: { [name]: readmeExample(id, 'Incorrect') } }, id).length).toBeGreaterThan(0);
    });
    it('Correct is not', () => {
      expect(lintCase({ code: { [name]: readmeExample(id, 'Correct') } }, id).map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
    });
  });
}
