import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject, type LintOptions } from '../src/engine/lint.js';
import { reachedOnlyBy, servicesUsing } from '../src/engine/fixer.js';
import type { EditNode } from '../src/engine/yaml-nodes.js';
import type { LVal } from '../src/parse/located.js';
import { yamlFiles } from './helpers/files.js';
import { ruleFixtures, writeFixtureFiles } from './helpers/fix-cases.js';
// @ts-expect-error: a JavaScript module of the benchmarks, without types
import { dirtyStack } from '../bench/generate.mjs';

/**
 * `buildSharedFix` skips the walk of `servicesUsing` when it can tell without it that a fix's
 * targets are reached by the service alone (`reachedOnlyBy`). Wherever it says so, the walk must
 * agree: checked for every node every service reaches, on every fixture, rule case and generated
 * stack, and on stacks made to share nodes in each way YAML and compose allow.
 */
const repo = resolve(import.meta.dirname, '..');
const temp = mkdtempSync(join(tmpdir(), 'stackopt-shared-users-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every yaml node a value reaches (through aliases and merge keys too), each once. */
function nodesOf(v: LVal, out = new Set<EditNode>(), seen = new Set<LVal>()): Set<EditNode> {
  if (seen.has(v)) return out;
  seen.add(v);
  if (v.yaml) out.add(v.yaml);
  if (v.kind === 'map') {
    for (const e of v.entries) nodesOf(e.value, out, seen);
    for (const m of v.mergedFrom ?? []) nodesOf(m, out, seen);
  } else if (v.kind === 'seq') for (const it of v.items) nodesOf(it.value, out, seen);
  return out;
}

/** How many nodes were judged reached by their service alone, and how many were left to the walk. */
function check(opts: LintOptions, id: string): { only: number; walked: number } {
  const stack = lintProject({ ...opts, withFixes: true }).stack;
  let only = 0;
  let walked = 0;
  if (!stack) return { only, walked };
  for (const svc of stack.services) {
    for (const node of nodesOf(svc.ref.node)) {
      if (!reachedOnlyBy(stack, svc, new Set([node]))) {
        walked++;
        continue;
      }
      only++;
      const users = [...servicesUsing(stack, node)];
      expect(users.filter((u) => u !== svc.name), `${id}: service ${svc.name}`).toEqual([]);
    }
  }
  return { only, walked };
}

describe('the services that reach a node, without the walk', { timeout: 600_000 }, () => {
  it('agree with the walk on every fixture file and rule case', () => {
    let only = 0;
    for (const f of yamlFiles(join(repo, 'fixtures'))) only += check({ files: [f], environment: {} }, f).only;
    ruleFixtures(join(repo, 'rules')).forEach((fx, i) => {
      const dir = join(temp, `case-${i}`);
      writeFixtureFiles(dir, fx.files);
      const lint = fx.lint ?? [Object.keys(fx.files)[0]!];
      only += check({ files: lint.map((f) => join(dir, f)), environment: fx.env ?? {}, envFiles: fx.envFiles?.map((f) => join(dir, f)) }, fx.id).only;
    });
    expect(only).toBeGreaterThan(10_000);
  });

  it('leave to the walk what is shared: anchors, merge keys, aliased services, extends, several files', () => {
    const dirty = dirtyStack() as string;
    const cases: Record<string, { files: Record<string, string>; lint?: string[]; walked: boolean }> = {
      dirty: { files: { 'c.yml': dirty.slice(0, dirty.indexOf('  # service 80\n')) }, walked: true },
      // an anchor written inside one service and used by another
      inside: { files: { 'c.yml': 'services:\n  a:\n    image: nginx:1.27\n    deploy: &d\n      replicas: 1\n  b:\n    image: nginx:1.27\n    deploy: *d\n' }, walked: true },
      // a service that is an alias of another, and one merging another whole
      whole: { files: { 'c.yml': 'services:\n  a: &a\n    image: nginx:1.27\n    environment:\n      X: "1"\n  b: *a\n  c:\n    <<: *a\n    user: "1000"\n' }, walked: true },
      nested: { files: { 'c.yml': 'x-l: &l\n  driver: json-file\nx-s: &s\n  logging: *l\n  restart: always\nservices:\n  a:\n    <<: *s\n    image: redis:7\n  b:\n    image: redis:7\n    logging: *l\n' }, walked: true },
      extends: { files: { 'c.yml': 'services:\n  base:\n    image: nginx:1.27\n    environment:\n      X: "1"\n  web:\n    extends: base\n    user: "1000"\n' }, walked: true },
      files: { files: { 'a.yml': 'services:\n  web:\n    image: nginx:1.27\n', 'b.yml': 'services:\n  web:\n    environment:\n      X: "1"\n' }, lint: ['a.yml', 'b.yml'], walked: true },
      plain: { files: { 'c.yml': 'services:\n  a:\n    image: nginx:1.27\n    deploy:\n      replicas: 1\n  b:\n    image: redis:7\n' }, walked: false },
    };
    for (const [name, c] of Object.entries(cases)) {
      const dir = join(temp, name);
      writeFixtureFiles(dir, c.files);
      const r = check({ files: (c.lint ?? Object.keys(c.files)).map((f) => join(dir, f)), environment: {} }, name);
      expect(r.walked > 0, name).toBe(c.walked);
      if (name === 'dirty' || name === 'plain' || name === 'inside' || name === 'nested') expect(r.only, name).toBeGreaterThan(0);
    }
  });
});
