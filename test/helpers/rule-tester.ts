import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProject } from '../../src/engine/lint.js';
import type { Finding, Rule } from '../../src/engine/types.js';
import type { UsageInput } from '../../src/model/usage-recommend.js';

/** Files of one test case: the first is linted (with the others on disk beside it). */
export interface CaseFiles {
  /** the compose file's text, or several files by name (the first one or those in `lint` are linted) */
  code: string | Record<string, string>;
  /** which files to pass as -f (default: the first) */
  lint?: string[];
  env?: Record<string, string>;
  envFiles?: string[];
  options?: Record<string, unknown>;
  name?: string;
  /** a usage profile, as `--usage` gives it to the rules */
  usage?: UsageInput;
}

export interface ExpectedFinding {
  messageId?: string;
  message?: string | RegExp;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  file?: string;
  severity?: Finding['severity'];
  service?: string | null;
  path?: string;
}

export interface InvalidCase extends CaseFiles {
  errors: ExpectedFinding[];
}

/** Lint files written to a fresh temporary folder and return the findings of `ruleId` only. */
export function lintCase(c: CaseFiles, ruleId?: string, rules?: readonly Rule[]): Finding[] {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-case-'));
  try {
    const files = typeof c.code === 'string' ? { 'compose.yaml': c.code } : c.code;
    for (const [name, text] of Object.entries(files)) {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
    const lint = c.lint ?? [Object.keys(files)[0]!];
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const res = lintProject({
        files: lint,
        envFiles: c.envFiles,
        environment: c.env ?? {},
        settings: ruleId && c.options ? { [ruleId]: { options: c.options } } : {},
        rules,
        usage: c.usage,
      });
      return ruleId ? res.findings.filter((f) => f.ruleId === ruleId) : res.findings;
    } finally {
      process.chdir(cwd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * ESLint-style rule tests: every valid case has no finding of the rule, every invalid case has
 * exactly the listed findings at exactly those positions.
 */
export function testRule(rule: Rule, cases: { valid: CaseFiles[]; invalid: InvalidCase[] }): void {
  const id = rule.meta.id;
  describe(id, () => {
    describe('valid', () => {
      cases.valid.forEach((c, i) => {
        it(c.name ?? `valid #${i + 1}`, () => {
          expect(lintCase(c, id).map(summary)).toEqual([]);
        });
      });
    });
    describe('invalid', () => {
      cases.invalid.forEach((c, i) => {
        it(c.name ?? `invalid #${i + 1}`, () => {
          const got = lintCase(c, id);
          expect(got.length, `findings: ${JSON.stringify(got.map(summary), null, 1)}`).toBe(c.errors.length);
          c.errors.forEach((exp, k) => {
            const f = got[k]!;
            expect({ line: f.line, column: f.column }).toEqual({ line: exp.line, column: exp.column });
            if (exp.endLine !== undefined) expect(f.endLine).toBe(exp.endLine);
            if (exp.endColumn !== undefined) expect(f.endColumn).toBe(exp.endColumn);
            if (exp.file !== undefined) expect(f.file.endsWith(exp.file)).toBe(true);
            if (exp.severity !== undefined) expect(f.severity).toBe(exp.severity);
            if (exp.service !== undefined) expect(f.service).toBe(exp.service);
            if (exp.path !== undefined) expect(f.path).toBe(exp.path);
            if (exp.message instanceof RegExp) expect(f.message).toMatch(exp.message);
            else if (exp.message !== undefined) expect(f.message).toBe(exp.message);
            if (exp.messageId !== undefined) {
              const template = rule.meta.messages[exp.messageId];
              expect(template, `unknown messageId ${exp.messageId}`).toBeDefined();
              const pattern = new RegExp(`^${template!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\\\{\s*\w+\s*\\\}\\\}/g, '.*')}$`, 's');
              expect(f.message).toMatch(pattern);
            }
          });
        });
      });
    });
  });
}

function summary(f: Finding) {
  return `${f.line}:${f.column} ${f.ruleId} ${f.message}`;
}
