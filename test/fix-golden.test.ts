import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRule } from '../src/engine/registry.js';
import { fixProject } from '../src/fix/fix-project.js';

/**
 * Golden before/after files per rule: `fixtures/fix/<rule-id>/<name>.yml` is fixed with only that
 * rule's fixes and must give exactly the bytes of `<name>.yml.optimized` (compared byte for byte,
 * never with whitespace normalised). `*.unsafe.yml` runs with --unsafe, `*.preset-<name>.yml` with
 * that sizing preset. `UPDATE_GOLDEN=1 npx vitest run test/fix-golden` rewrites the goldens.
 */
export const GOLDEN_ROOT = join(import.meta.dirname, '..', 'fixtures', 'fix');

export interface GoldenCase {
  ruleId: string;
  name: string;
  input: string;
  expected: string;
  unsafe: boolean;
  preset?: string;
}

export function goldenCases(): GoldenCase[] {
  const out: GoldenCase[] = [];
  for (const ruleId of readdirSync(GOLDEN_ROOT).sort()) {
    const dir = join(GOLDEN_ROOT, ruleId);
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.yml')) continue;
      const preset = /\.preset-([a-z]+)\.yml$/.exec(name)?.[1];
      out.push({ ruleId, name, input: join(dir, name), expected: join(dir, `${name}.optimized`), unsafe: name.includes('.unsafe.'), ...(preset ? { preset } : {}) });
    }
  }
  return out;
}

export function runGolden(c: GoldenCase) {
  return fixProject({
    files: [c.input],
    environment: {},
    unsafe: c.unsafe,
    only: [c.ruleId],
    settings: c.preset ? { 'resource-limits': { options: { preset: c.preset } } } : {},
  });
}

describe('fix goldens', () => {
  const cases = goldenCases();
  it('there is a golden folder per fixable rule, each with an anchor, a CRLF and a BOM case', () => {
    const rules = new Set(cases.map((c) => c.ruleId));
    for (const id of rules) {
      expect(findRule(id)?.meta.fixable, id).toBeDefined();
      const names = cases.filter((c) => c.ruleId === id).map((c) => c.name);
      expect(names.some((n) => n.startsWith('anchor')), `${id}: anchor case`).toBe(true);
      expect(names.some((n) => n.startsWith('crlf')), `${id}: CRLF case`).toBe(true);
      expect(names.some((n) => n.startsWith('bom')), `${id}: BOM case`).toBe(true);
      const crlf = cases.find((c) => c.ruleId === id && c.name.startsWith('crlf'))!;
      expect(readFileSync(crlf.input, 'utf8')).toContain('\r\n');
    }
    for (const id of ['resource-limits', 'critical-single-replica', 'healthcheck-required', 'non-root-user', 'cap-drop-all', 'tmpfs-hardening', 'sleep-policy']) expect(rules.has(id), id).toBe(true);
  });

  for (const c of cases) {
    it(`${c.ruleId}/${c.name}${c.unsafe ? ' (--unsafe)' : ''}`, () => {
      const r = runGolden(c);
      const got = r.files[0]!.output;
      if (process.env.UPDATE_GOLDEN) writeFileSync(c.expected, got);
      expect(existsSync(c.expected), `${c.expected} is missing (UPDATE_GOLDEN=1 writes it)`).toBe(true);
      expect(got).toBe(readFileSync(c.expected, 'utf8'));
      expect(r.dropped).toEqual([]);
      // the input itself is never changed
      expect(r.files[0]!.original).toBe(readFileSync(c.input, 'utf8'));
    });
  }
});
