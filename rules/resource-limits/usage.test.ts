import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixProject } from '../../src/fix/fix-project.js';
import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { fixtureUsage } from '../../test/helpers/usage-fixtures.js';
import type { UsageInput } from '../../src/model/usage-recommend.js';

const long = fixtureUsage('long.json');
const oom = fixtureUsage('oom.json');
const throttled = fixtureUsage('throttled.json');

testRule(rule, {
  valid: [
    {
      name: 'limits that fit what was used',
      code: 'name: shop\nservices:\n  web:\n    image: myorg/web:1\n    deploy:\n      resources:\n        limits: {cpus: "0.6", memory: 512M}\n',
      usage: long,
    },
    {
      name: 'a limit above 4× the recommendation but by less than 256M is no news',
      code: 'name: shop\nservices:\n  cache:\n    image: redis:7\n    deploy:\n      resources:\n        limits: {cpus: "0.25", memory: 300M}\n',
      usage: long,
    },
    {
      name: 'OOM-killed, but the limit was raised since',
      code: 'name: shop\nservices:\n  worker:\n    image: myorg/worker:3\n    deploy:\n      resources:\n        limits: {cpus: "0.5", memory: 512M}\n',
      usage: oom,
    },
    {
      name: 'too little history: no usage finding',
      code: 'name: shop\nservices:\n  web:\n    image: myorg/web:1\n    deploy:\n      resources:\n        limits: {cpus: "8", memory: 16G}\n',
      usage: fixtureUsage('short.json'),
    },
  ],
  invalid: [
    {
      name: 'killed by its memory limit: at the limit\'s value',
      code: 'name: shop\nservices:\n  worker:\n    image: myorg/worker:3\n    deploy:\n      resources:\n        limits:\n          cpus: "0.25"\n          memory: 256M\n',
      usage: oom,
      errors: [
        {
          messageId: 'oomKilled',
          message:
            'service "worker" was killed by its memory limit 3 times (oom.json); its limit 256M is below the 448M it needs (3 OOM kills at 256Mi: needs 356Mi, +25% (short history) over 48h (5,760 samples)): raise deploy.resources.limits.memory',
          line: 9,
          column: 19,
          endLine: 9,
          endColumn: 23,
          severity: 'error',
          path: 'services.worker.deploy.resources.limits.memory',
        },
      ],
    },
    {
      name: 'a memory limit below the peak; a CPU limit below the p99',
      code: 'name: shop\nservices:\n  web:\n    image: myorg/web:1\n    deploy:\n      resources:\n        limits: {cpus: "0.2", memory: 300M}\n',
      usage: long,
      errors: [
        {
          messageId: 'cpuBelowUsage',
          message:
            'service "web" is limited to 0.2 CPU but used 0.445 CPU at the 99th percentile over 7d (40,320 samples) (long.json), so at this limit it would be throttled: raise deploy.resources.limits.cpus to 0.55 (p99 0.445 CPU over 7d (40,320 samples), +21%)',
          line: 7,
          column: 24,
          endColumn: 29,
          severity: 'warning',
        },
        {
          messageId: 'memoryBelowPeak',
          message:
            'service "web" is limited to 300M of memory but used up to 412Mi over 7d (40,320 samples) (long.json), so at this limit it would be killed: raise deploy.resources.limits.memory to 512M (peak 412Mi over 7d (40,320 samples), +21%)',
          line: 7,
          column: 39,
          endColumn: 43,
          severity: 'error',
        },
      ],
    },
    {
      name: 'throttled at its CPU limit',
      code: 'services:\n  api:\n    image: myorg/api:3\n    deploy:\n      resources:\n        limits:\n          cpus: \'0.5\'\n          memory: 512M\n',
      usage: throttled,
      errors: [
        {
          messageId: 'cpuThrottled',
          message:
            'service "api" was throttled in 60% of its CPU periods (throttled.json) at the limit 0.5 CPU: raise deploy.resources.limits.cpus to 0.8 (throttled in 60% of CPU periods at 0.5 CPU over 24h (2,880 samples): ×1.6)',
          line: 7,
          column: 17,
          endColumn: 22,
          severity: 'warning',
        },
      ],
    },
    {
      name: 'limits far above what was used (more than 4× and by a lot)',
      code: 'name: shop\nservices:\n  cache:\n    image: redis:7\n    deploy:\n      resources:\n        limits: {cpus: "2", memory: 4G}\n',
      usage: long,
      errors: [
        {
          messageId: 'limitFarAbove',
          message:
            'service "cache" is limited to 2 CPU but used at most 0.065 CPU over 7d (20,160 samples) (long.json); the usage calls for 0.1 CPU (p99 0.063 CPU over 7d (20,160 samples), +21%), less than 1/4 of the limit: lower deploy.resources.limits.cpus',
          line: 7,
          column: 24,
          severity: 'warning',
        },
        {
          messageId: 'limitFarAbove',
          message:
            'service "cache" is limited to 4G of memory but used at most 80Mi over 7d (20,160 samples) (long.json); the usage calls for 100M (peak 80Mi over 7d (20,160 samples), +22%), less than 1/4 of the limit: lower deploy.resources.limits.memory',
          line: 7,
          column: 37,
          severity: 'warning',
        },
      ],
    },
    {
      name: 'a limit through a merge key: reported at the anchor',
      code: 'x-res: &res\n  resources:\n    limits: {cpus: "1", memory: 128M}\nservices:\n  web:\n    image: myorg/web:1\n    deploy:\n      <<: *res\n',
      usage: long,
      errors: [{ messageId: 'memoryBelowPeak', line: 3, column: 33 }],
    },
  ],
});

describe('fix --usage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-usage-fix-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const fix = (text: string, usage: UsageInput | null, unsafe = false) => {
    const file = join(dir, `compose-${n++}.yaml`);
    writeFileSync(file, text);
    const r = fixProject({ files: [file], environment: {}, only: ['resource-limits'], unsafe, usage });
    const again = fixProject({ files: [file], environment: {}, only: ['resource-limits'], unsafe, usage, readText: () => r.files[0]!.output });
    return { r, again };
  };

  it('missing limits come from what was used, each value with its evidence; a critical service reserves its limit; a service not in the profile gets the preset, saying why', () => {
    const input = '# the shop\nname: shop\nservices:\n  web:\n    image: myorg/web:1.4 # the front\n    deploy:\n      replicas: 2\n  db:\n    image: postgres:16\n  search:\n    image: myorg/search:1\n';
    const { r, again } = fix(input, long);
    expect(r.files[0]!.output).toBe(
      '# the shop\nname: shop\nservices:\n  web:\n    image: myorg/web:1.4 # the front\n    deploy:\n      replicas: 2\n      resources:\n        limits:\n' +
        "          cpus: '0.55' # p99 0.445 CPU over 7d (40,320 samples), +21%\n          memory: 512M # peak 412Mi over 7d (40,320 samples), +21%\n" +
        "        reservations:\n          cpus: '0.45' # p95 0.404 CPU over 7d (40,320 samples)\n          memory: 416M # p90 of 7 daily peaks 412Mi\n" +
        '  db:\n    image: postgres:16\n    deploy:\n      resources:\n        limits:\n' +
        "          cpus: '0.85' # p99 0.691 CPU over 7d (20,160 samples), +21%\n          memory: 2176M # peak 1.8Gi over 7d (20,160 samples), +17%\n" +
        "        reservations:\n          cpus: '0.6' # p95 0.597 CPU over 7d (20,160 samples)\n          memory: 2176M # = limit (critical: a database, cache, broker or proxy)\n" +
        "  search:\n    image: myorg/search:1\n    deploy:\n      resources:\n        limits:\n          cpus: '1'\n          memory: 1G\n        reservations:\n          cpus: '0.2'\n          memory: 512M\n",
    );
    expect(r.applied.map((a) => `${a.service}: ${a.description}`)).toEqual([
      "web: added limits cpus '0.55', memory 512M and reservations cpus '0.45', memory 416M from long.json: CPU p99 0.445 CPU over 7d (40,320 samples), +21%; memory peak 412Mi over 7d (40,320 samples), +21%",
      "db: added limits cpus '0.85', memory 2176M and reservations cpus '0.6', memory 2176M from long.json: CPU p99 0.691 CPU over 7d (20,160 samples), +21%; memory peak 1.8Gi over 7d (20,160 samples), +17%",
      'search: added limits cpus \'1\', memory 1G and reservations cpus \'0.2\', memory 512M (class default, preset default; not from usage: long.json has no "search" in stack "shop")',
    ]);
    expect(r.dropped).toEqual([]);
    // every comment of the input is still there
    expect(r.files[0]!.output).toContain('# the front');
    // idempotent: fixing the output again changes nothing, and no usage finding is left
    expect(again.applied).toEqual([]);
    expect(again.after.filter((f) => f.ruleId === 'resource-limits')).toEqual([]);
  });

  it('a sleepable service reserves no memory; a flow mapping gets no comments', () => {
    const input = 'name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n    x-sleep-policy: {enabled: true}\n    deploy: {resources: {limits: {}}}\n';
    const { r, again } = fix(input, long);
    expect(r.files[0]!.output).toBe("name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n    x-sleep-policy: {enabled: true}\n    deploy: {resources: {limits: {cpus: '0.55', memory: 248M}, reservations: {cpus: '0.01'}}}\n");
    expect(again.applied).toEqual([]);
  });

  it('an OOM-killed limit is raised (safe), its comment written; a user\'s comment on the line is kept', () => {
    const input = 'name: shop\nservices:\n  worker:\n    image: myorg/worker:3\n    deploy:\n      resources:\n        limits:\n          cpus: "0.25"\n          memory: 256M   # from the old box\n  web:\n    image: myorg/web:1\n    deploy:\n      resources:\n        limits:\n          cpus: "1"\n          memory: 128M\n';
    const { r, again } = fix(input, oom);
    expect(r.files[0]!.output).toBe(input.replace('memory: 256M', 'memory: 448M').replace('memory: 128M', 'memory: 544M # peak 412Mi over 48h (5,760 samples), +25% (short history)'));
    expect(r.applied.map((a) => a.description)).toEqual([
      'raised limits.memory from 256M to 448M (3 OOM kills at 256Mi: needs 356Mi, +25% (short history) over 48h (5,760 samples))',
      'raised limits.memory from 128M to 544M (peak 412Mi over 48h (5,760 samples), +25% (short history))',
    ]);
    expect(again.applied).toEqual([]);
    expect(again.after.filter((f) => f.ruleId === 'resource-limits' && f.severity === 'error')).toEqual([]);
  });

  it('a limit far above what was used is lowered only with --unsafe, with a reservation above it; an earlier evidence comment is rewritten', () => {
    const input = "name: shop\nservices:\n  cache:\n    image: redis:7\n    deploy:\n      resources:\n        limits:\n          cpus: '0.1'\n          memory: 4G # peak 3Gi over 7d (20,160 samples), +20%\n        reservations:\n          memory: 2G\n";
    const safe = fix(input, long);
    expect(safe.r.applied).toEqual([]);
    expect(safe.r.left.filter((l) => l.finding.ruleId === 'resource-limits').map((l) => l.why)).toEqual([
      'unsafe, needs --unsafe: lowered limits.memory from 4G to 100M and reservations.memory to 100M (peak 80Mi over 7d (20,160 samples), +22%)',
    ]);
    const { r, again } = fix(input, long, true);
    expect(r.files[0]!.output).toBe(
      "name: shop\nservices:\n  cache:\n    image: redis:7\n    deploy:\n      resources:\n        limits:\n          cpus: '0.1'\n          memory: 100M # peak 80Mi over 7d (20,160 samples), +22%\n        reservations:\n          memory: 100M # = limit (critical: a database, cache, broker or proxy)\n",
    );
    expect(r.dropped).toEqual([]);
    expect(again.applied).toEqual([]);
  });

  it('a limit shared through an anchor by services that need different values is left, with the reason', () => {
    const input = 'x-res: &res\n  resources:\n    limits: {cpus: "1", memory: 128M}\nname: shop\nservices:\n  web:\n    image: myorg/web:1\n    deploy:\n      <<: *res\n  reporter:\n    image: myorg/reporter:2\n    deploy:\n      <<: *res\n';
    const { r } = fix(input, long);
    expect(r.applied).toEqual([]);
    expect(r.left.find((l) => l.finding.service === 'web')!.why).toMatch(/shared .* with service "reporter", which needs a different change/);
  });
});
