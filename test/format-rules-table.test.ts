import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../src/engine/registry.js';
import { rulesMarkdownTable } from '../src/format/rule-docs.js';

/** The README's rule table is `stackopt rules --format markdown`; `npm run docs` rewrites it. */
describe('README rule table', () => {
  it('is up to date with the rule catalogue (run `npm run docs` to regenerate it)', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const m = /<!-- rules-table:start -->\n([\s\S]*?)<!-- rules-table:end -->/.exec(readme);
    expect(m, 'README.md has no rules-table markers').not.toBeNull();
    expect(m![1], 'README.md rule table is out of date: run `npm run docs`').toBe(rulesMarkdownTable(allRules));
  });

  it('links every rule to its documentation', () => {
    for (const line of rulesMarkdownTable(allRules).split('\n').slice(2, -1)) {
      expect(line).toMatch(/^\| \[`[a-z0-9-]+`\]\((rules\/[a-z0-9-]+\/README\.md|#[a-z-]+)\) \| (error|warning|info) \| (safe|unsafe|-) \| .+ \|$/);
    }
  });
});
