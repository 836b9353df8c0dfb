import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { modelRules } from '../rules/index.js';
import { coreRules } from '../src/engine/core-rules.js';
import { allRules } from '../src/engine/registry.js';
import { unusedSuppression } from '../src/engine/suppressions.js';
import type { Rule } from '../src/engine/types.js';
import { readmeExample } from './helpers/readme-examples.js';

/**
 * The meta-test over the rule catalogue (stylelint's habit): one folder per model rule, named by its
 * id, holding its code, documentation and tests; names and messages in the house style; fixable
 * rules with fix goldens; option defaults that the rule's own option schema accepts.
 */
const repo = join(import.meta.dirname, '..');
const rulesDir = join(repo, 'rules');
const goldenDir = join(repo, 'fixtures', 'fix');

/**
 * Fixable rules that have no golden before/after files under `fixtures/fix/<id>/`, each with the
 * reason. Empty: every fixable rule has goldens, so its fixes also go through the fix invariants
 * (`test/fix-invariants.test.ts`) over every fixture.
 */
const NO_FIX_GOLDENS: Readonly<Record<string, string>> = {};

const KEBAB_CASE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;

const folders = readdirSync(rulesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const folderRules = new Map<string, Rule>(
  await Promise.all(folders.map(async (f) => [f, ((await import(join(rulesDir, f, 'index.ts'))) as { default: Rule }).default] as const)),
);
/** The rules that come from the engine rather than a folder: the parser's checks and unused-suppression. */
const engineRules: readonly Rule[] = [...coreRules, unusedSuppression];

const filesOf = (folder: string) => readdirSync(join(rulesDir, folder));
const readme = (folder: string) => readFileSync(join(rulesDir, folder, 'README.md'), 'utf8');

/** The text under `## heading` of a README, up to the next `## `, or null. */
function section(text: string, heading: string): string | null {
  return new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(text)?.[1] ?? null;
}

/** The cells of the summary table under a README's title: severity, category, fixable, options. */
function summaryRow(text: string): string[] {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\| severity \| category \| fixable \| options \|$/.test(l));
  if (header < 0) return [];
  return lines[header + 2]!.split('|').slice(1, -1).map((c) => c.trim());
}

/**
 * The findings of a README's "Example" (a live rule's report snapshot, as `stackopt audit` prints
 * it): a line `error|warning|info  message`, wrapped onto indented lines, possibly cut short with
 * `...`; the rule id and place may follow the message.
 */
function snapshotFindings(example: string, ruleId: string): Array<{ text: string; cut: boolean }> {
  const out: Array<{ text: string; cut: boolean }> = [];
  let current: { parts: string[]; column: number } | null = null;
  const finish = () => {
    if (!current) return;
    let text = current.parts.join(' ').replace(/\s+/g, ' ').trim();
    text = text.replace(new RegExp(`\\s+${ruleId}(?:\\s+\\(.*\\))?$`), '');
    const cut = /(?:\.\.\.|…)$/.test(text);
    out.push({ text: text.replace(/\s*(?:\.\.\.|…)$/, ''), cut });
    current = null;
  };
  for (const line of example.split('\n')) {
    const m = /^(\s+(?:error|warning|info)\s+)(\S.*)$/.exec(line);
    if (m) {
      finish();
      current = { parts: [m[2]!], column: m[1]!.length };
    } else if (current && line.length > current.column && line.slice(0, current.column).trim() === '') {
      current.parts.push(line.trim());
    } else {
      finish();
    }
  }
  finish();
  return out;
}

/** Whether a message (or, when `cut`, the start of one) can come from the template. */
function fitsTemplate(text: string, template: string, cut: boolean): boolean {
  const toRegExp = (t: string) => t.split(/\{\{\w+\}\}/).map((lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  if (new RegExp(`^${toRegExp(template)}$`, 's').test(text)) return true;
  if (!cut) return false;
  // a message cut short: some start of the template (not ending inside a placeholder) matches it
  for (let k = template.length - 1; k > 0; k--) {
    const head = template.slice(0, k).replace(/\{\{\w*\}?$/, '{{x}}');
    if (new RegExp(`^${toRegExp(head)}$`, 's').test(text)) return true;
  }
  return false;
}

describe('rule folders', () => {
  it('rules/ holds rule folders', () => {
    expect(folders.length).toBeGreaterThan(20);
  });

  describe.each(folders)('%s', (folder) => {
    const rule = folderRules.get(folder)!;

    it('is a rule whose id is the folder name', () => {
      expect(typeof rule?.create, `rules/${folder}/index.ts exports no rule`).toBe('function');
      expect(rule.meta.id).toBe(folder);
    });

    it('is registered', () => {
      expect(modelRules).toContain(rule);
      expect(allRules).toContain(rule);
    });

    it('has index.ts, README.md and tests', () => {
      const files = filesOf(folder);
      expect(files).toContain('index.ts');
      expect(files).toContain('README.md');
      expect(files.filter((f) => f.endsWith('.test.ts')).length, 'no *.test.ts').toBeGreaterThan(0);
    });

    it('has a README titled by the id, whose summary agrees with the metadata', () => {
      const text = readme(folder);
      expect(text.split('\n')[0]).toBe(`# ${folder}`);
      const [severity, category, fixable, options] = summaryRow(text);
      expect(severity, 'summary table: severity | category | fixable | options').toBeDefined();
      expect(severity!.startsWith(rule.meta.severity), `severity "${severity}"`).toBe(true);
      expect(category).toBe(rule.meta.category);
      if (rule.meta.fixable) expect(fixable).toMatch(new RegExp(`^yes \\(\`${rule.meta.fixable}\``));
      else expect(fixable).toBe('no');
      const optionNames = Object.keys((rule.meta.options?.schema.properties as object | undefined) ?? {});
      if (optionNames.length === 0) expect(options).toBe('none');
      for (const name of optionNames) expect(options, `option ${name}`).toContain(`\`${name}\``);
    });

    if (rule?.meta.live) {
      it('documents a report snapshot whose findings come from its messages (a live rule has no file examples)', () => {
        const example = section(readme(folder), 'Example');
        expect(example, '"## Example" section').not.toBeNull();
        const block = /```text\n([\s\S]*?)```/.exec(example!)?.[1];
        expect(block, '"## Example" has no ```text snapshot').toBeDefined();
        const findings = snapshotFindings(block!, folder);
        expect(findings.length, 'the snapshot shows no finding').toBeGreaterThan(0);
        const templates = Object.values(rule.meta.messages);
        for (const f of findings) expect(templates.some((t) => fitsTemplate(f.text, t, f.cut)), `no message of ${folder} reads: ${f.text}`).toBe(true);
      });
    } else {
      it('has Incorrect and Correct yaml examples, run by its tests', () => {
        expect(() => readmeExample(folder, 'Incorrect')).not.toThrow();
        expect(() => readmeExample(folder, 'Correct')).not.toThrow();
        const tests = filesOf(folder).filter((f) => f.endsWith('.test.ts'));
        const runsThem = tests.some((f) => /\btestReadmeExamples\(/.test(readFileSync(join(rulesDir, folder, f), 'utf8')));
        expect(runsThem, `no test of rules/${folder} calls testReadmeExamples`).toBe(true);
      });
    }
  });

  it('every registered rule has a folder, except the engine and parser checks', () => {
    for (const rule of modelRules) expect(folderRules.get(rule.meta.id), rule.meta.id).toBe(rule);
    const withoutFolder = allRules.filter((r) => !folderRules.has(r.meta.id));
    expect(withoutFolder.map((r) => r.meta.id)).toEqual(engineRules.map((r) => r.meta.id));
  });

  it('rule ids are unique', () => {
    const ids = allRules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe.each(allRules.map((r) => [r.meta.id, r] as const))('rule %s', (id, rule) => {
  const { meta } = rule;

  it('has a kebab-case id', () => {
    expect(id).toMatch(KEBAB_CASE);
  });

  it('has a one-line description', () => {
    expect(meta.description.trim()).not.toBe('');
    expect(meta.description).not.toMatch(/[\r\n]/);
    expect(meta.description).toBe(meta.description.trim());
  });

  it('has camelCase message ids and {{placeholders}} that are plain words', () => {
    expect(Object.keys(meta.messages).length).toBeGreaterThan(0);
    for (const [messageId, template] of Object.entries(meta.messages)) {
      expect(messageId).toMatch(CAMEL_CASE);
      // what the engine would fill in (`formatMessage`): `{{` … `}}` without braces inside, so
      // `${{{key}}}` is `$`, `{`, the placeholder `{{key}}` and `}`
      const placeholders = template.match(/\{\{[^{}]*\}\}/g) ?? [];
      for (const p of placeholders) expect(p, `${messageId}: ${p}`).toMatch(/^\{\{[A-Za-z][A-Za-z0-9]*\}\}$/);
      // and nothing that looks half like one
      expect(template.replace(/\{\{[^{}]*\}\}/g, ''), messageId).not.toMatch(/\{\{|\}\}/);
    }
  });

  if (meta.fixable) {
    it('has fix goldens under fixtures/fix/<id>/, or a reason in NO_FIX_GOLDENS', () => {
      if (id in NO_FIX_GOLDENS) {
        expect(existsSync(join(goldenDir, id)), `${id} has goldens: remove it from NO_FIX_GOLDENS`).toBe(false);
        return;
      }
      const dir = join(goldenDir, id);
      expect(existsSync(dir), `fixtures/fix/${id}/ is missing`).toBe(true);
      const files = readdirSync(dir);
      const inputs = files.filter((f) => f.endsWith('.yml'));
      expect(inputs.length).toBeGreaterThan(0);
      for (const f of inputs) expect(files, `fixtures/fix/${id}/${f}`).toContain(`${f}.optimized`);
    });
  }

  if (meta.options) {
    it('has option defaults that validate against its option schema', () => {
      const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(meta.options!.schema);
      expect(validate(meta.options!.defaults), JSON.stringify(validate.errors)).toBe(true);
    });
  }
});

describe('fix goldens', () => {
  it('every folder under fixtures/fix/ names a fixable rule', () => {
    for (const id of readdirSync(goldenDir)) expect(allRules.find((r) => r.meta.id === id)?.meta.fixable, id).toBeDefined();
  });

  it('NO_FIX_GOLDENS names fixable rules only', () => {
    for (const id of Object.keys(NO_FIX_GOLDENS)) expect(allRules.find((r) => r.meta.id === id)?.meta.fixable, id).toBeDefined();
  });
});
