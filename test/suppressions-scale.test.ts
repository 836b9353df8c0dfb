import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import imageTagPinned from '../rules/image-tag-pinned/index.js';
import secretsInEnvironment from '../rules/secrets-in-environment/index.js';
import { lintProject } from '../src/engine/lint.js';
import { applySuppressions, type SuppressionContext } from '../src/engine/suppressions.js';
import type { Finding, Rule } from '../src/engine/types.js';
import { cpuRatio } from './helpers/measure.js';

/**
 * Suppressions take time in proportion to the file: a finding looks only at the directives of its
 * rule that can cover it, an unused directive's report only at the file-wide ones, and the line a
 * `stackopt-disable-next-line` covers is found without reading again the lines other directives read.
 */
const dir = mkdtempSync(join(tmpdir(), 'stackopt-suppressions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Input {
  findings: Finding[];
  ctx: SuppressionContext;
}

const RULES = new Set(['image-tag-pinned', 'secrets-in-environment', 'unused-suppression']);
let files = 0;

/** A file linted with image-tag-pinned and secrets-in-environment: its findings before suppression, and what applySuppressions reads. */
function input(text: string): Input {
  const file = join(dir, `compose.${files++}.yml`);
  writeFileSync(file, text);
  const res = lintProject({ files: [file], environment: {}, rules: [imageTagPinned, secretsInEnvironment] as Rule[] });
  const findings = [...res.findings, ...res.suppressed.map(({ suppression: _, ...f }) => f)].filter((f) => f.ruleId !== 'unused-suppression');
  return { findings, ctx: { sources: res.sources, root: res.project.root, knownRules: RULES, ranRules: RULES } };
}

const apply = ({ findings, ctx }: Input) => applySuppressions(findings, ctx);

/** What is reported and what is suppressed, by rule. */
function counts({ findings, ctx }: Input): Record<string, number> {
  const suppressed: Finding[] = [];
  const out: Record<string, number> = {};
  for (const f of applySuppressions(findings, { ...ctx, suppressed })) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  out.suppressed = suppressed.length;
  return out;
}

/** `image-tag-pinned` named m times: m suppressions in one directive. */
const named = (m: number) => Array.from({ length: m }, () => 'image-tag-pinned').join(', ');

/**
 * Each shape: its name, its text of n suppressions, what is reported and suppressed at n, the small
 * n (the large is 16 times it), and how many times one measurement applies the suppressions (a cheap
 * shape is measured more times, so that the small run is not lost in noise). A directive naming the
 * rule ten times makes ten suppressions of one comment: the work that grew with the square is per
 * suppression, the YAML read per line.
 */
const SHAPES: Array<[string, (n: number) => string, (n: number) => Record<string, number>, number, number?]> = [
  [
    'n secrets in one environment, each suppressed on its line',
    (n) => `services:\n  a:\n    image: nginx:1.27\n    environment:\n${Array.from({ length: n }, (_, i) => `      PASSWORD_${i}: "s3cr3t-value-${i}"  # stackopt-disable-line secrets-in-environment\n`).join('')}`,
    (n) => ({ suppressed: n }),
    2000,
  ],
  [
    'n unused file-wide suppressions',
    (n) => `services:\n  a:\n    image: nginx:1.27\n${`    # stackopt-disable-file ${named(10)}\n`.repeat(n / 10)}`,
    (n) => ({ 'unused-suppression': n, suppressed: 0 }),
    4000,
  ],
  [
    'n unused line suppressions on list items',
    (n) => `services:\n  a:\n    image: nginx:1.27\n    environment:\n${Array.from({ length: n / 10 }, (_, i) => `      - A${i}=1  # stackopt-disable-line ${named(10)}\n`).join('')}`,
    (n) => ({ 'unused-suppression': n, suppressed: 0 }),
    4000,
  ],
  [
    'x-stackopt.disable naming the rule n times, unused',
    (n) => `x-stackopt:\n  disable:\n${'    - image-tag-pinned\n'.repeat(n)}services:\n  a:\n    image: nginx:1.27\n`,
    (n) => ({ 'unused-suppression': n, suppressed: 0 }),
    2000,
    12,
  ],
  [
    'n next-line directives in a row before one image',
    (n) => `services:\n  a:\n${'    # stackopt-disable-next-line image-tag-pinned\n'.repeat(n)}    image: nginx\n`,
    () => ({ suppressed: 1 }),
    2000,
  ],
];

describe('suppressions in proportion to the file', () => {
  for (const [name, text, expected, n, times = 1] of SHAPES) {
    it(`${name}: CPU about proportional to n`, () => {
      const [small, large] = [input(text(n)), input(text(16 * n))];
      expect(counts(small)).toEqual(expected(n));
      expect(counts(large)).toEqual(expected(16 * n));
      // at 16 times the directives, linear work is about 16 times, a look at every directive for
      // each finding (or each directive's report) 256: the bound leaves room for a busy machine
      const run = (x: Input) => {
        for (let k = 0; k < times; k++) apply(x);
      };
      expect(cpuRatio(run, small, large)).toBeLessThan(100);
    }, 600_000);
  }
});
