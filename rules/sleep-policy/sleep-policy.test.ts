import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import rule, { SLEEP_POLICY_DEFAULTS } from './index.js';
import { lintCase, testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { lintProject } from '../../src/engine/lint.js';
import { runRules } from '../../src/engine/run-rules.js';

const seedStack = readFileSync(fileURLToPath(new URL('../../fixtures/seed-examples/high-efficiency-stack.yml', import.meta.url)), 'utf8');

const plainKey = (service: string) =>
  `service "${service}" uses the key sleep_policy, which docker compose and docker stack deploy reject as an unknown service key, so this file cannot be deployed as it is; rename it to x-sleep-policy`;

testRule(rule, {
  valid: [
    {
      name: 'a complete policy under x-sleep-policy',
      code: `services:
  browser:
    image: chrome:1
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
    x-sleep-policy:
      enabled: true
      idle_timeout: 180
      min_sleep_time: 60
      memory_reservation: "256MB"
      priority: low
      warm_cache_enabled: true
`,
    },
    {
      name: 'high priority that does not sleep',
      code: 'services:\n  gateway:\n    image: gw:1\n    x-sleep-policy:\n      enabled: false\n      priority: high\n',
    },
    {
      name: 'memory_reservation in bytes, equal to the limit; min_sleep_time equal to idle_timeout',
      code: `services:
  api:
    image: api:1
    mem_limit: 256m
    x-sleep-policy:
      memory_reservation: 268435456
      idle_timeout: 120
      min_sleep_time: 120
`,
    },
    {
      name: 'an empty policy (every key has a default)',
      code: 'services:\n  api:\n    image: api:1\n    x-sleep-policy: {}\n',
    },
    {
      name: 'through an alias and a merge key',
      code: `x-policy: &policy
  enabled: true
  priority: low
  idle_timeout: 180
  min_sleep_time: 60
x-base: &base
  image: worker:1
  x-sleep-policy:
    enabled: false
    priority: high
services:
  worker:
    image: worker:1
    x-sleep-policy: *policy
  gateway:
    <<: *base
`,
    },
    {
      name: '${VAR:-default} values are re-typed: ${IDLE:-300} is the integer 300',
      code: `services:
  api:
    image: api:1
    deploy:
      resources:
        limits:
          memory: \${API_MEMORY:-512M}
    x-sleep-policy:
      enabled: \${SLEEP:-false}
      priority: \${PRIORITY:-high}
      idle_timeout: \${IDLE:-300}
      min_sleep_time: \${MIN_SLEEP:-60}
      memory_reservation: \${SLEEP_MEMORY:-256MB}
`,
    },
    {
      name: 'an override file lowers the priority of a sleeping service',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: api:1\n    x-sleep-policy:\n      enabled: true\n      priority: high\n',
        'compose.override.yaml': 'services:\n  api:\n    x-sleep-policy:\n      priority: normal\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
    },
    {
      name: 'extends a service with a valid policy from another file',
      code: {
        'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: web:1\n    x-sleep-policy:\n      priority: normal\n      idle_timeout: 600\n',
      },
    },
    {
      name: 'no policy at all',
      code: 'services:\n  api:\n    image: api:1\n',
    },
  ],
  invalid: [
    {
      name: 'seed high-efficiency-stack.yml: filesystem is high priority but sleeps; gateway only has the key warning',
      code: seedStack,
      errors: [
        { message: plainKey('gateway'), line: 21, column: 5, endLine: 21, endColumn: 17, severity: 'warning', service: 'gateway', path: 'services.gateway.sleep_policy' },
        { message: plainKey('service-manager'), line: 41, column: 5, severity: 'warning', service: 'service-manager' },
        { message: plainKey('filesystem'), line: 59, column: 5, severity: 'warning', service: 'filesystem' },
        {
          messageId: 'highPrioritySleeps',
          message:
            'service "filesystem" has sleep_policy.priority "high" but sleep_policy.enabled is true; high-priority services never sleep: set enabled: false or lower the priority',
          line: 60,
          column: 16,
          endLine: 60,
          endColumn: 20,
          severity: 'error',
          service: 'filesystem',
          path: 'services.filesystem.sleep_policy.enabled',
        },
        { message: plainKey('chrome-devtools'), line: 80, column: 5, severity: 'warning', service: 'chrome-devtools' },
      ],
    },
    {
      name: 'a misspelt key, with a suggestion',
      code: 'services:\n  api:\n    image: api:1\n    x-sleep-policy:\n      idle_timout: 300\n',
      errors: [
        {
          messageId: 'invalid',
          message: 'service "api" has an invalid sleep policy: unknown key "idle_timout" in x-sleep-policy; did you mean "idle_timeout"?',
          line: 5,
          column: 7,
          endColumn: 18,
          severity: 'error',
          path: 'services.api.x-sleep-policy.idle_timout',
        },
      ],
    },
    {
      name: 'a capitalised key: a suggestion, and no hint about extension keys',
      code: 'services:\n  api:\n    image: api:1\n    x-sleep-policy:\n      Priority: high\n      enabled: false\n',
      errors: [{ message: 'service "api" has an invalid sleep policy: unknown key "Priority" in x-sleep-policy; did you mean "priority"?', line: 5, column: 7, endColumn: 15 }],
    },
    {
      name: 'wrong types and values, each at its value',
      code: `services:
  api:
    image: api:1
    x-sleep-policy:
      enabled: "yes"
      priority: urgent
      idle_timeout: 5m
      min_sleep_time: 0
      memory_reservation: lots
      warm_cache_enabled: 1
`,
      errors: [
        { message: 'service "api" has an invalid sleep policy: x-sleep-policy.enabled must be a boolean (true or false), not the string "yes"', line: 5, column: 16, endColumn: 21, path: 'services.api.x-sleep-policy.enabled' },
        { message: 'service "api" has an invalid sleep policy: x-sleep-policy.priority must be one of "high", "normal", "low", not the string "urgent"', line: 6, column: 17, endColumn: 23 },
        { message: 'service "api" has an invalid sleep policy: x-sleep-policy.idle_timeout must be an integer, not the string "5m"', line: 7, column: 21 },
        { message: /^service "api" has an invalid sleep policy: x-sleep-policy.min_sleep_time must be >= 1/, line: 8, column: 23 },
        {
          message:
            'service "api" has an invalid sleep policy: x-sleep-policy.memory_reservation must be a size such as "256MB" (a number and one of the units b, k, kb, m, mb, g, gb, with an optional i: MB means MiB), not the string "lots"',
          line: 9,
          column: 27,
          endColumn: 31,
          path: 'services.api.x-sleep-policy.memory_reservation',
        },
        { message: 'service "api" has an invalid sleep policy: x-sleep-policy.warm_cache_enabled must be a boolean (true or false), not the number 1', line: 10, column: 27 },
      ],
    },
    {
      name: 'a policy that is not a mapping',
      code: 'services:\n  api:\n    image: api:1\n    x-sleep-policy: true\n',
      errors: [{ message: 'service "api" has an invalid sleep policy: x-sleep-policy must be a mapping, not the boolean true', line: 4, column: 21, endColumn: 25 }],
    },
    {
      name: 'high priority without enabled: the default (true) sleeps',
      code: 'services:\n  api:\n    image: api:1\n    x-sleep-policy:\n      priority: high\n      idle_timeout: 600\n',
      errors: [
        {
          message:
            'service "api" has x-sleep-policy.priority "high" but x-sleep-policy.enabled is not set and defaults to true; high-priority services never sleep: set enabled: false or lower the priority',
          line: 5,
          column: 17,
          endColumn: 21,
          path: 'services.api.x-sleep-policy.priority',
        },
      ],
    },
    {
      name: 'min_sleep_time above idle_timeout is a warning',
      code: `services:
  a:
    image: a:1
    x-sleep-policy: {idle_timeout: 180, min_sleep_time: 600}
  b:
    image: b:1
    x-sleep-policy:
      min_sleep_time: 900
  c:
    image: c:1
    x-sleep-policy:
      idle_timeout: 30
`,
      errors: [
        {
          messageId: 'minSleepAboveIdle',
          message:
            'service "a" sets x-sleep-policy.min_sleep_time 600 above idle_timeout 180; the service cannot sleep before min_sleep_time seconds without activity, so idle_timeout has no effect: set min_sleep_time to at most 180',
          line: 4,
          column: 57,
          endColumn: 60,
          severity: 'warning',
          path: 'services.a.x-sleep-policy.min_sleep_time',
        },
        { message: /^service "b" sets x-sleep-policy.min_sleep_time 900 above idle_timeout 300 \(the default\);/, line: 8, column: 23, severity: 'warning' },
        { message: /^service "c" sets x-sleep-policy.min_sleep_time 60 \(the default\) above idle_timeout 30;.*at most 30$/, line: 12, column: 21, severity: 'warning', path: 'services.c.x-sleep-policy.idle_timeout' },
      ],
    },
    {
      name: 'memory_reservation above the memory limit (deploy limits or mem_limit)',
      code: `services:
  api:
    image: api:1
    deploy:
      resources:
        limits: {cpus: "0.25", memory: 256M}
    x-sleep-policy:
      memory_reservation: "512MB"
  legacy:
    image: legacy:1
    mem_limit: 128m
    x-sleep-policy:
      memory_reservation: 1GiB
`,
      errors: [
        {
          messageId: 'reservationAboveLimit',
          message:
            'service "api" reserves 512M while asleep (x-sleep-policy.memory_reservation "512MB") but is limited to 256M of memory; memory_reservation must not exceed the memory limit',
          line: 8,
          column: 27,
          endColumn: 34,
          severity: 'error',
          path: 'services.api.x-sleep-policy.memory_reservation',
        },
        { message: /^service "legacy" reserves 1G while asleep .* limited to 128M of memory/, line: 13, column: 27 },
      ],
    },
    {
      name: 'sleep_policy and x-sleep-policy both set',
      code: 'services:\n  api:\n    image: api:1\n    sleep_policy:\n      enabled: false\n    x-sleep-policy:\n      enabled: false\n',
      errors: [
        { messageId: 'plainKey', line: 4, column: 5, severity: 'warning' },
        { message: 'service "api" sets both sleep_policy and x-sleep-policy; only sleep_policy is read, remove one of them', line: 6, column: 5, endColumn: 19, severity: 'warning' },
      ],
    },
    {
      name: 'a shared policy with a mistake is reported once, at the anchor',
      code: `x-policy: &policy
  enabled: true
  priorty: low
services:
  api:
    image: api:1
    x-sleep-policy: *policy
  worker:
    image: worker:1
    x-sleep-policy: *policy
`,
      errors: [{ message: /unknown key "priorty" in x-sleep-policy; did you mean "priority"\?$/, line: 3, column: 3, service: 'api', path: 'services.api.x-sleep-policy.priorty' }],
    },
    {
      name: 'inherited through a merge key: reported at the anchor for the service',
      code: `x-base: &base
  image: gw:1
  x-sleep-policy:
    enabled: true
    priority: high
services:
  gateway:
    <<: *base
`,
      errors: [{ messageId: 'highPrioritySleeps', line: 4, column: 14, endColumn: 18, service: 'gateway', path: 'services.gateway.x-sleep-policy.enabled' }],
    },
    {
      name: '${VAR:-default}: integers after interpolation, positions on the source',
      code: 'services:\n  api:\n    image: api:1\n    x-sleep-policy:\n      enabled: ${SLEEP:-true}\n      priority: high\n      idle_timeout: ${IDLE:-300}\n      min_sleep_time: ${MIN_SLEEP:-600}\n',
      errors: [
        { messageId: 'highPrioritySleeps', line: 5, column: 16, endColumn: 30 },
        { message: /min_sleep_time 600 above idle_timeout 300;/, line: 8, column: 23, endColumn: 40, severity: 'warning' },
      ],
    },
    {
      name: '${VAR:-default} with the variable set to a non-integer',
      code: 'services:\n  api:\n    image: api:1\n    x-sleep-policy:\n      idle_timeout: ${IDLE:-300}\n',
      env: { IDLE: '5m' },
      errors: [{ message: /x-sleep-policy.idle_timeout must be an integer, not "\$\{IDLE:-300\}" \(a variable's value, not shown\)$/, line: 5, column: 21 }],
    },
    {
      name: 'an override file makes a high-priority service sleep: reported in the override file',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: api:1\n    x-sleep-policy:\n      enabled: false\n      priority: high\n',
        'compose.override.yaml': 'services:\n  api:\n    x-sleep-policy:\n      enabled: true\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ messageId: 'highPrioritySleeps', line: 4, column: 16, file: 'compose.override.yaml', path: 'services.api.x-sleep-policy.enabled' }],
    },
    {
      name: 'extends from another file keeps the base file position',
      code: {
        'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: web:1\n    sleep_policy:\n      priority: normal\n      idle_timeout: -5\n',
      },
      errors: [
        { messageId: 'plainKey', line: 4, column: 5, file: 'base.yaml', service: 'web' },
        { message: /sleep_policy.idle_timeout must be >= 1/, line: 6, column: 21, file: 'base.yaml', service: 'web' },
      ],
    },
  ],
});

describe('sleep-policy: beyond one rule', () => {
  it('a service-level sleep_policy is reported once, by this rule and not by schema', () => {
    const all = lintCase({ code: seedStack });
    const aboutPolicy = all.filter((f) => f.path.includes('sleep_policy'));
    expect(aboutPolicy.map((f) => f.ruleId)).toEqual(Array(5).fill('sleep-policy'));
  });

  it('every seed example lints without a crash', () => {
    const dir = fileURLToPath(new URL('../../fixtures/seed-examples/', import.meta.url));
    for (const f of ['high-efficiency-stack.yml', 'high-efficiency-example-service.yml', 'security-hardening.yml']) {
      expect(() => lintProject({ files: [`${dir}${f}`], environment: {} })).not.toThrow();
    }
  });

  it('the schema and the defaults name the same keys', () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/sleep-policy.schema.json', import.meta.url)), 'utf8'));
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(SLEEP_POLICY_DEFAULTS).sort());
  });

  it('a live policy from labels: string values are typed before they are checked', () => {
    const res = lintProject({ files: [fileURLToPath(new URL('../../fixtures/seed-examples/high-efficiency-stack.yml', import.meta.url))], environment: {}, rules: [] });
    const stack = res.stack!;
    const fs = stack.services.find((s) => s.name === 'filesystem')!;
    // what a live service's labels stackopt.sleep-policy.* look like once converted: every value a string
    const ref = fs.sleepPolicy!.ref;
    if (ref.node.kind !== 'map') throw new Error('expected a mapping');
    for (const e of ref.node.entries) if (e.value.kind === 'scalar') e.value = { ...e.value, value: String(e.value.value) };
    fs.sleepPolicy = { key: 'labels', ref };
    const findings = runRules({ ...stack, services: [fs] }, [rule]);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.severity} ${f.message}`)).toEqual([
      '60:16 error service "filesystem" has stackopt.sleep-policy.priority "high" but stackopt.sleep-policy.enabled is true; high-priority services never sleep: set enabled: false or lower the priority',
    ]);
  });
});

testReadmeExamples(rule, {
  summarize: (f) => `${f.severity} ${f.message.replace(/;.*/, '')}`,
  incorrect: [
    'warning service "filesystem" uses the key sleep_policy, which docker compose and docker stack deploy reject as an unknown service key, so this file cannot be deployed as it is',
    'error service "filesystem" has sleep_policy.priority "high" but sleep_policy.enabled is true',
    'error service "filesystem" has an invalid sleep policy: unknown key "idle_timout" in sleep_policy',
    'warning service "filesystem" sets sleep_policy.min_sleep_time 900 above idle_timeout 300 (the default)',
    'error service "filesystem" reserves 512M while asleep (sleep_policy.memory_reservation "512MB") but is limited to 256M of memory',
  ],
});
