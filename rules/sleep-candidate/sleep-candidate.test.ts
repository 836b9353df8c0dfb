import { describe, expect, it } from 'vitest';
import rule from './index.js';
import { lintCase, testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { fixtureUsage } from '../../test/helpers/usage-fixtures.js';

const idle = fixtureUsage('idle.json');

testRule(rule, {
  valid: [
    { name: 'busy service', code: 'name: shop\nservices:\n  api:\n    image: myorg/api:3\n', usage: idle },
    {
      name: 'idle, but with a sleep policy (either spelling)',
      code: 'name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n    x-sleep-policy: {enabled: false}\n  admin:\n    image: myorg/admin:1\n    sleep_policy:\n      idle_timeout: 60\n',
      usage: idle,
    },
    { name: 'idle, but a database (critical: the others wake up to it)', code: 'name: shop\nservices:\n  db:\n    image: postgres:16\n', usage: idle },
    {
      name: 'idle, but marked critical',
      code: 'name: shop\nservices:\n  admin:\n    image: myorg/admin:1\n    x-stackopt:\n      critical: true\n',
      usage: idle,
    },
    { name: 'idle, but a job that runs to completion', code: 'name: shop\nservices:\n  admin:\n    image: myorg/admin:1\n    deploy:\n      mode: replicated-job\n', usage: idle },
    { name: 'not in the profile', code: 'name: shop\nservices:\n  search:\n    image: myorg/search:1\n', usage: idle },
    { name: '--stack names a stack the profile does not have', code: 'name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n', usage: fixtureUsage('idle.json', { stack: 'blog' }) },
    { name: 'history too short (40 minutes)', code: 'name: shop\nservices:\n  web:\n    image: myorg/web:1\n', usage: fixtureUsage('short.json') },
    { name: 'idle in 97% of its samples, under an idleShare of 0.99', code: 'name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n', usage: idle, options: { idleShare: 0.99 } },
    { name: 'without --usage the rule does not run', code: 'name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n' },
  ],
  invalid: [
    {
      name: 'idle services without a policy, at the service name',
      code: 'name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n  api:\n    image: myorg/api:3\n  "admin":\n    image: myorg/admin:1\n',
      usage: idle,
      errors: [
        {
          message:
            'service "reporter" was idle (under 1% of a CPU) in 97% of its 5,760 samples over 48h (idle.json) and has no x-sleep-policy; it could sleep while unused and give its memory back: add x-sleep-policy (schemas/sleep-policy.schema.json)',
          line: 3,
          column: 3,
          endLine: 3,
          endColumn: 11,
          severity: 'info',
          path: 'services.reporter',
          service: 'reporter',
        },
        { message: /^service "admin" was idle \(under 1% of a CPU\) in 100% of its 5,760 samples over 48h/, line: 7, column: 3, endColumn: 10 },
      ],
    },
    {
      name: 'found by service name alone when the file has no name: and one stack has it',
      code: 'services:\n  admin:\n    image: myorg/admin:1\n',
      usage: idle,
      errors: [{ messageId: 'idle', line: 2, column: 3 }],
    },
    {
      name: 'a file name: the profile does not have: found by the service name, which one stack has',
      code: 'name: blog\nservices:\n  admin:\n    image: myorg/admin:1\n',
      usage: idle,
      errors: [{ messageId: 'idle', line: 3, column: 3 }],
    },
    {
      name: '--stack names the stack whatever the file says',
      code: 'name: other\nservices:\n  admin:\n    image: myorg/admin:1\n',
      usage: fixtureUsage('idle.json', { stack: 'shop' }),
      errors: [{ messageId: 'idle', line: 3, column: 3 }],
    },
    {
      name: 'a lowered minimum history lets a short profile count',
      code: 'name: shop\nservices:\n  admin:\n    image: myorg/admin:1\n',
      usage: fixtureUsage('idle.json', { minHistorySeconds: 60 }),
      errors: [{ messageId: 'idle', line: 3, column: 3 }],
    },
    {
      name: 'a service defined through extends in another file: the name in the linted file',
      code: {
        'compose.yaml': 'name: shop\nservices:\n  admin:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: myorg/admin:1\n',
      },
      usage: idle,
      errors: [{ messageId: 'idle', line: 3, column: 3, file: 'compose.yaml' }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 1, usage: idle });

describe('sleep-candidate and the README', () => {
  it('the README shows the Incorrect example\'s finding as lint --format compact prints it', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');
    const [f] = lintCase({ code: 'name: shop\nservices:\n  reporter:\n    image: myorg/reporter:2\n  api:\n    image: myorg/api:3\n', usage: idle }, 'sleep-candidate');
    expect(readme).toContain(`compose.yaml:${f!.line}:${f!.column}: info ${f!.message} [sleep-candidate]`);
  });
});
