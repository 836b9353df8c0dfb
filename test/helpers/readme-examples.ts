import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding, Rule } from '../../src/engine/types.js';
import { lintCase } from './rule-tester.js';
import type { UsageInput } from '../../src/model/usage-recommend.js';

/** The first ```yaml block under a `## <heading>` of a rule's README. */
export function readmeExample(ruleId: string, heading: string): string {
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'rules', ruleId, 'README.md'), 'utf8');
  const section = new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(text);
  if (!section) throw new Error(`rules/${ruleId}/README.md has no "## ${heading}" section`);
  const block = /```yaml\n([\s\S]*?)```/.exec(section[1]!);
  if (!block) throw new Error(`rules/${ruleId}/README.md: "## ${heading}" has no yaml example`);
  return block[1]!;
}

export interface ReadmeExampleOptions {
  /** the name the examples are linted under (`stack.yml` makes the target swarm); default `compose.yaml` */
  fileName?: string;
  /** What the "Incorrect" example must get: how many findings, or the findings themselves in order, each as `summarize` writes it. */
  incorrect: number | string[];
  /** how a finding is written for `incorrect` (default: its message) */
  summarize?: (f: Finding) => string;
  /** a usage profile the examples are linted with (`--usage`) */
  usage?: UsageInput;
}

/**
 * The README's examples are run, so the documentation cannot drift from the rule: the "Incorrect"
 * example gets exactly the findings of `opts.incorrect` (their number, or the findings), the
 * "Correct" one none.
 */
export function testReadmeExamples(rule: Rule, opts: ReadmeExampleOptions): void {
  const id = rule.meta.id;
  const name = opts.fileName ?? 'compose.yaml';
  const lintExample = (heading: string) => lintCase({ code: { [name]: readmeExample(id, heading) }, usage: opts.usage }, id);
  const { incorrect, summarize = (f: Finding) => f.message } = opts;
  describe(`${id} README examples`, () => {
    it(`Incorrect is reported${typeof incorrect === 'number' ? ` (${incorrect} findings)` : ' with the findings it describes'}`, () => {
      const got = lintExample('Incorrect');
      if (typeof incorrect === 'number') expect(got.length, got.map((f) => f.message).join('\n')).toBe(incorrect);
      else expect(got.map(summarize)).toEqual(incorrect);
    });
    it('Correct is not', () => {
      expect(lintExample('Correct').map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
    });
  });
}
