import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSharedFix, FixBuilder, type YamlValue } from '../src/engine/fixer.js';
import { defineRule, type Rule } from '../src/engine/types.js';
import { at, keyLoc } from '../src/model/access.js';
import { fixProject } from '../src/fix/fix-project.js';
import criticalSingleReplica from '../rules/critical-single-replica/index.js';
import resourceLimits from '../rules/resource-limits/index.js';
import noNewPrivileges from '../rules/no-new-privileges/index.js';

/**
 * Two fixes of one pass that add the same key, each a mapping, to one block mapping (two rules
 * adding `deploy:` to a service without one) are one insertion: the text is the one the second
 * fix gives in the next pass, into the mapping the first wrote, so the project is fixed in one
 * pass less and to the same bytes. Checked against fixing with one rule and then the other.
 */
const dir = mkdtempSync(join(tmpdir(), 'stackopt-fix-fold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(text: string): string {
  const p = join(dir, `c${n++}.yml`);
  writeFileSync(p, text);
  return p;
}

/** A test rule whose fix adds `value` at `path` of every service that lacks it. */
function adds(id: string, path: string[], value: YamlValue): Rule {
  return defineRule({
    meta: { id, description: 'test rule', severity: 'warning', category: 'availability', fixable: 'safe', messages: { missing: 'service "{{service}}" lacks it' } },
    create(ctx) {
      return {
        service(svc) {
          if (at(svc.ref, ...path)) return;
          ctx.report({ messageId: 'missing', data: { service: svc.name }, at: svc.ref, loc: keyLoc(svc.ref), service: svc, fix: () => buildSharedFix(ctx.stack, svc, (s) => new FixBuilder(`added ${path.join('.')}`).add(s.ref, path, value)) });
        },
      };
    },
  }) as Rule;
}

/** Fix with the rules together, and with each in turn (each fixing the output of the one before). */
function bothWays(text: string, rules: Rule[]): { together: ReturnType<typeof fixProject>; inTurn: string } {
  const together = fixProject({ files: [write(text)], environment: {}, rules });
  let cur = text;
  for (const r of rules) cur = fixProject({ files: [write(cur)], environment: {}, rules: [r] }).files[0]!.output;
  return { together, inTurn: cur };
}

describe('fixes adding the same mapping key in one pass', () => {
  it('are one insertion, with the bytes of fixing one after the other, in one pass', () => {
    const rules = [adds('a-replicas', ['deploy', 'replicas'], 2), adds('b-limits', ['deploy', 'resources', 'limits'], { cpus: '0.5', memory: '256M' }), adds('c-labels', ['deploy', 'labels', 'tier'], 'edge')];
    const text = '# two services\nservices:\n  api:\n    image: myorg/api:1 # pinned\n    environment:\n      X: "1"\n\n  # the web\n  web:\n    image: nginx:1.27\n';
    const { together, inTurn } = bothWays(text, rules);
    expect(together.files[0]!.output).toBe(inTurn);
    expect(together.files[0]!.output).toBe(
      '# two services\nservices:\n  api:\n    image: myorg/api:1 # pinned\n    environment:\n      X: "1"\n    deploy:\n      replicas: 2\n      resources:\n        limits:\n          cpus: "0.5"\n          memory: 256M\n      labels:\n        tier: edge\n\n  # the web\n  web:\n    image: nginx:1.27\n    deploy:\n      replicas: 2\n      resources:\n        limits:\n          cpus: "0.5"\n          memory: 256M\n      labels:\n        tier: edge\n',
    );
    expect(together.passes).toBe(1);
    expect(together.applied.map((a) => [a.ruleId, a.service, a.pass])).toEqual([
      ['a-replicas', 'api', 1],
      ['b-limits', 'api', 1],
      ['c-labels', 'api', 1],
      ['a-replicas', 'web', 1],
      ['b-limits', 'web', 1],
      ['c-labels', 'web', 1],
    ]);
  });

  it('merge at every depth: keys added to a mapping the first fix writes go at its end, before the keys after it', () => {
    // findings at one place are taken in rule id order: a's insertion is the first one, b's joins it
    const rules = [adds('a', ['deploy', 'resources', 'limits', 'cpus'], '1'), adds('b', ['deploy', 'replicas'], 2)];
    const first = adds('a-limits', ['deploy', 'resources', 'limits'], { cpus: '1' });
    const second = adds('b-reservations', ['deploy', 'resources', 'reservations'], { memory: '128M' });
    for (const set of [rules, [first, second]]) {
      const { together, inTurn } = bothWays('services:\n  api:\n    image: myorg/api:1\n', set);
      expect(together.files[0]!.output).toBe(inTurn);
      expect(together.passes).toBe(1);
    }
  });

  it('a folded insertion that makes the file worse rejects only the fix that does: the other is applied on its own', () => {
    // b's key is an error (a rule of severity error on it): folded into a's deploy:, the two would fail together
    const guard = defineRule({
      meta: { id: 'z-no-mode', description: 'test rule', severity: 'error', category: 'availability', messages: { bad: 'service "{{service}}" sets deploy.mode' } },
      create(ctx) {
        return {
          service(svc) {
            if (at(svc.ref, 'deploy', 'mode')) ctx.report({ messageId: 'bad', data: { service: svc.name }, at: svc.ref, loc: keyLoc(svc.ref), service: svc });
          },
        };
      },
    }) as Rule;
    const rules = [adds('a', ['deploy', 'replicas'], 2), adds('b', ['deploy', 'mode'], 'replicated'), guard];
    const r = fixProject({ files: [write('services:\n  api:\n    image: myorg/api:1\n')], environment: {}, rules });
    expect(r.files[0]!.output).toBe('services:\n  api:\n    image: myorg/api:1\n    deploy:\n      replicas: 2\n');
    expect(r.applied.map((a) => a.ruleId)).toEqual(['a']);
  });

  it('does not merge two values for one key: the second waits for the next pass, as before', () => {
    const rules = [adds('a', ['deploy', 'replicas'], 2), adds('b', ['deploy'], { replicas: 3 })];
    const r = fixProject({ files: [write('services:\n  api:\n    image: myorg/api:1\n')], environment: {}, rules });
    expect(r.files[0]!.output).toBe('services:\n  api:\n    image: myorg/api:1\n    deploy:\n      replicas: 2\n');
    expect(r.applied.map((a) => [a.ruleId, a.pass])).toEqual([['a', 1]]);
  });

  it('the real rules: a proxy without deploy gets replicas and limits in one pass, the bytes of two', () => {
    const rules = [criticalSingleReplica, resourceLimits, noNewPrivileges] as Rule[];
    const text = 'services:\n  edge:\n    image: traefik:v3.1 # pinned\n    environment:\n      PORT: "8002"\n';
    const { together, inTurn } = bothWays(text, rules);
    expect(together.files[0]!.output).toBe(inTurn);
    expect(together.passes).toBe(1);
    expect(together.applied.map((a) => a.ruleId).sort()).toEqual(['critical-single-replica', 'no-new-privileges', 'resource-limits']);
  });
});
