import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const svc = (hc: string, image = 'api:1') => `services:\n  api:\n    image: ${image}\n    healthcheck:\n      test: ["CMD", "true"]\n${hc}`;

testRule(rule, {
  valid: [
    { name: 'sensible timings', code: svc('      interval: 30s\n      timeout: 5s\n      retries: 3\n') },
    { name: 'docker defaults (nothing written)', code: svc('') },
    { name: 'a long interval alone (default timeout 30s is below it)', code: svc('      interval: 1m\n') },
    { name: 'disabled', code: 'services:\n  api:\n    image: api:1\n    healthcheck:\n      disable: true\n      interval: 100ms\n' },
    { name: 'test NONE', code: 'services:\n  api:\n    image: api:1\n    healthcheck:\n      test: ["NONE"]\n      timeout: 1m\n' },
    { name: 'a slow image with start_period', code: svc('      start_period: 60s\n', 'postgres:16') },
    { name: 'a slow image without its own healthcheck test', code: 'services:\n  db:\n    image: postgres:16\n    healthcheck:\n      interval: 30s\n      timeout: 5s\n' },
    { name: 'from ${VAR:-default}', code: svc('      interval: ${HC_INTERVAL:-30s}\n      timeout: ${HC_TIMEOUT:-10s}\n') },
  ],
  invalid: [
    {
      name: 'an interval of 1s: the suggested timeout is below it (500ms)',
      code: 'services:\n  api:\n    image: api:1\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1s\n      timeout: 3s\n',
      errors: [{ message: /timeout of 3s that is not below its interval of 1s; .*set timeout below interval \(such as 500ms\)$/, line: 7, column: 16 }],
    },
    {
      name: 'timeout not below interval: at the timeout',
      code: svc('      interval: 10s\n      timeout: 10s\n'),
      errors: [
        {
          message:
            'service "api" has a healthcheck timeout of 10s that is not below its interval of 10s; a hung check then delays the next one and failures are seen late: set timeout below interval (such as 5s)',
          line: 7,
          column: 16,
          endColumn: 19,
          path: 'services.api.healthcheck.timeout',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'a short interval with the default timeout: at the interval',
      code: svc('      interval: 10s\n'),
      errors: [{ message: /timeout of 30s \(the default\) that is not below its interval of 10s/, line: 6, column: 17 }],
    },
    {
      name: 'retries below 1 and an interval under 1s',
      code: svc('      interval: 500ms\n      timeout: 200ms\n      retries: 0\n      start_interval: 100ms\n'),
      errors: [
        { message: 'service "api" runs its healthcheck every 500ms (interval); under 1s the check itself loads the service: use 1s or more', line: 6, column: 17 },
        { message: /sets healthcheck retries to 0; it must be at least 1/, line: 8, column: 16 },
        { message: /every 100ms \(start_interval\)/, line: 9, column: 23 },
      ],
    },
    {
      name: 'a slow image without start_period: at the healthcheck key',
      code: svc('      interval: 30s\n      timeout: 5s\n', 'mysql:8.4'),
      errors: [{ message: /runs "mysql:8.4", which takes a while to start, and its healthcheck sets no start_period/, line: 4, column: 5, endColumn: 16 }],
    },
    {
      name: 'a slow image in a stack file of version 3.3: start_period needs 3.4 (docker stack deploy refuses it before)',
      code: { 'stack.yml': `version: "3.3"\n${svc('', 'postgres:16')}` },
      errors: [
        {
          message:
            'service "api" runs "postgres:16", which takes a while to start, and its healthcheck sets no start_period; failed checks while it starts count against retries and can get it killed: add start_period (such as 60s), which docker stack deploy accepts from version "3.4" on: the file declares version "3.3", so raise it (or remove it) first',
          line: 5,
          column: 5,
          endColumn: 16,
        },
      ],
    },
    {
      name: 'a slow image in a stack file of version "3" (the newest schema): start_period as usual',
      code: { 'stack.yml': `version: "3"\n${svc('', 'postgres:16')}` },
      errors: [{ message: /sets no start_period; failed checks while it starts count against retries and can get it killed: add start_period \(such as 60s\)$/, line: 5, column: 5 }],
    },
    {
      name: 'a slow image in a compose file of version 3.3: docker compose ignores the version; compose kills no unhealthy container, it fails the services that wait for it',
      code: `version: "3.3"\n${svc('', 'postgres:16')}`,
      errors: [
        {
          message:
            'service "api" runs "postgres:16", which takes a while to start, and its healthcheck sets no start_period; failed checks while it starts count against retries and mark it unhealthy, and a service that waits for it (depends_on with condition: service_healthy) then fails to start ("container ... is unhealthy"): add start_period (such as 60s)',
          line: 5,
          column: 5,
        },
      ],
    },
    {
      name: 'from ${VAR:-default}, through an anchor',
      code: 'x-hc: &hc\n  test: ["CMD", "true"]\n  interval: ${HC_INTERVAL:-5s}\n  timeout: ${HC_TIMEOUT:-10s}\nservices:\n  api:\n    image: api:1\n    healthcheck: *hc\n',
      errors: [{ message: /timeout of \$\{HC_TIMEOUT:-10s\} \(10s\) that is not below its interval of \$\{HC_INTERVAL:-5s\} \(5s\)/, line: 4, column: 12 }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 3 });
