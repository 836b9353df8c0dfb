/**
 * Target swarm takes time in proportion to a file whose every service has a key docker's stack
 * schema rejects: the version that would accept a key is a look-up in what that version's schema
 * rejects (a search of its errors per key measured 197 here), and a validator's errors are appended
 * to its caller's in place. (checkSwarmSchemaOnce's set of unknown keys taken replaced a search whose
 * first comparison, of entries, ends at once: a square too cheap for a ratio to show, so not tested.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import { checkSwarmSchema, versionAccepting } from '../src/engine/swarm-schema.js';
import type { LMap } from '../src/parse/located.js';
import { cpuRatio } from './helpers/measure.js';

const dir = mkdtempSync(join(tmpdir(), 'stackopt-swarm-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 3.0 stack of n services, each with an unknown key and `init` (a key of 3.7 on). */
function stackFile(n: number): string {
  const file = join(dir, `stack.${n}.yml`);
  const services = Array.from({ length: n }, (_, i) => `  s${i}:\n    image: nginx:1.27\n    bogus_key: 1\n    init: true\n`).join('');
  writeFileSync(file, `version: "3.0"\nservices:\n${services}`);
  return file;
}

describe('target swarm: unknown keys in every service', () => {
  it('are each reported, with the version that accepts the key', () => {
    const findings = lintProject({ files: [stackFile(3)], environment: {}, target: 'swarm' }).findings.filter((f) => f.ruleId === 'swarm-compat' || f.ruleId === 'schema');
    const init = findings.filter((f) => f.path.endsWith('.init'));
    const bogus = findings.filter((f) => f.path.endsWith('.bogus_key'));
    expect(init.map((f) => f.service)).toEqual(['s0', 's1', 's2']);
    expect(bogus.map((f) => f.service)).toEqual(['s0', 's1', 's2']);
    expect(init[0]!.message).toContain('3.7');
  });

  it('take time in proportion to the services: the stack schema and the version of each key', () => {
    const root = (n: number) => lintProject({ files: [stackFile(n)], environment: {}, target: 'swarm', rules: [] }).project.root as LMap;
    const [small, large] = [root(1000), root(16000)];
    const check = (r: LMap) => {
      const result = checkSwarmSchema(r);
      return result.unknownKeys.map((u) => versionAccepting(result, u));
    };
    expect(check(small).filter((v) => v === '3.7')).toHaveLength(1000);
    // at 16 times the services, linear work is about 16 times; a search of the keys before each, 256
    expect(cpuRatio(check, small, large)).toBeLessThan(100);
  }, 600_000);
});
