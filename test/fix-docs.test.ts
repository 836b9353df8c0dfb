import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../src/engine/registry.js';
import { sizingMarkdown } from '../src/model/sizing.js';

/** The fix documentation cannot drift from the code: the sizing table, and a Fix section per fixable rule. */
const repo = join(import.meta.dirname, '..');
const read = (p: string) => readFileSync(join(repo, p), 'utf8');

describe('fix docs', () => {
  it('README, docs/fix.md and the resource-limits README carry the sizing table as the code has it', () => {
    for (const p of ['README.md', 'docs/fix.md', 'rules/resource-limits/README.md']) expect(read(p), p).toContain(sizingMarkdown());
  });

  it('every rule whose findings have fixes documents them in a "Fix behaviour" section', () => {
    const fixable = allRules.filter((r) => r.meta.fixable);
    expect(fixable.map((r) => r.meta.id)).toEqual(expect.arrayContaining(['resource-limits', 'critical-single-replica', 'healthcheck-required', 'non-root-user', 'cap-drop-all', 'tmpfs-hardening', 'sleep-policy']));
    for (const id of ['resource-limits', 'critical-single-replica', 'healthcheck-required', 'non-root-user', 'cap-drop-all', 'tmpfs-hardening', 'sleep-policy']) {
      const text = read(`rules/${id}/README.md`);
      const section = /## Fix behaviour\n([\s\S]*?)\n## /.exec(text)?.[1] ?? '';
      expect(section, id).toMatch(/\bsafe\b|\bunsafe\b/i);
      expect(section, id).not.toContain('Another change will add');
      expect(section, id).toContain(`fixtures/fix/${id}/`);
    }
  });

  it('the README documents every flag of stackopt fix', () => {
    const readme = read('README.md');
    const section = /### `stackopt fix \[paths\.\.\.\]`([\s\S]*?)\n### /.exec(readme)?.[1] ?? '';
    for (const flag of ['-f, --file', '--env-file', '-o, --output', '--stdout', '--in-place', '--diff', '--check', '--unsafe', '--rule', '--preset', '-c, --config', '--target', '--no-color']) {
      expect(section, flag).toContain(`\`${flag}`);
    }
  });
});
