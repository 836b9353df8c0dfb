import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const missing = (service: string) =>
  `service "${service}" has no healthcheck; add healthcheck.test (for example ["CMD", "curl", "-f", "http://localhost:8080/health"]) so a hung container is restarted and gets no traffic`;

testRule(rule, {
  valid: [
    {
      name: 'an exec-form test',
      code: 'services:\n  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD-SHELL", "pg_isready -U postgres"]\n      interval: 10s\n',
    },
    {
      name: 'a shell-string test',
      code: 'services:\n  web:\n    image: myorg/web:1\n    healthcheck:\n      test: curl -f http://localhost/ || exit 1\n',
    },
    {
      name: 'options only: the image HEALTHCHECK runs with them',
      code: 'services:\n  web:\n    image: myorg/web:1\n    healthcheck:\n      interval: 30s\n      retries: 5\n',
    },
    {
      name: 'a healthcheck through a merge key',
      code: 'x-common: &common\n  healthcheck:\n    test: ["CMD", "/app/healthcheck"]\nservices:\n  api:\n    <<: *common\n    image: myorg/api:1\n',
    },
    {
      name: 'disable from ${VAR:-false}',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      test: ["CMD", "/app/healthcheck"]\n      disable: ${HC_DISABLE:-false}\n',
    },
    {
      name: 'added by an override file',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: myorg/api:1\n',
        'compose.override.yaml': 'services:\n  api:\n    healthcheck:\n      test: ["CMD", "/app/healthcheck"]\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
    },
    {
      name: 'inherited through extends from another file',
      code: {
        'compose.yaml': 'services:\n  api:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: myorg/api:1\n    healthcheck:\n      test: ["CMD", "/app/healthcheck"]\n',
      },
    },
    {
      name: 'ignoreImages: images with a HEALTHCHECK of their own',
      code: 'services:\n  proxy:\n    image: docker.io/library/traefik:v3.1\n  cache:\n    image: ghcr.io/myorg/cache:2\n',
      options: { ignoreImages: ['traefik', 'myorg/*'] },
    },
    {
      name: 'a one-off job',
      code: 'services:\n  migrate:\n    image: myorg/migrate:1\n    deploy:\n      mode: replicated-job\n',
    },
  ],
  invalid: [
    {
      name: 'no healthcheck: points at the service name',
      code: 'services:\n  api:\n    image: myorg/api:1\n',
      errors: [{ messageId: 'missing', message: missing('api'), line: 2, column: 3, endLine: 2, endColumn: 6, path: 'services.api', service: 'api', severity: 'warning' }],
    },
    {
      name: 'an empty healthcheck key: points at it',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n',
      errors: [{ message: missing('api'), line: 4, column: 5, endColumn: 16, path: 'services.api.healthcheck' }],
    },
    {
      name: 'disable: true underlines the value',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      disable: true\n',
      errors: [
        {
          messageId: 'disabled',
          message: 'service "api" disables its healthcheck (disable: true); remove disable and set healthcheck.test to a command that checks the service',
          line: 5,
          column: 16,
          endColumn: 20,
          path: 'services.api.healthcheck.disable',
        },
      ],
    },
    {
      name: 'disable from ${VAR:-true}',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      disable: ${HC_OFF:-true}\n',
      errors: [{ message: /\(disable: "\$\{HC_OFF:-true\}" \(true\)\)/, line: 5, column: 16, endColumn: 31 }],
    },
    {
      name: 'disable set through a variable',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      test: ["CMD", "true"]\n      disable: ${HC_OFF:-false}\n',
      env: { HC_OFF: 'true' },
      errors: [{ message: /\(disable: "\$\{HC_OFF:-false\}"\)/, line: 6, column: 16 }],
    },
    {
      name: 'test: ["NONE"] underlines the test',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      test: ["NONE"]\n',
      errors: [
        {
          messageId: 'testNone',
          message: 'service "api" turns its healthcheck off (test: ["NONE"]); set healthcheck.test to a command that checks the service',
          line: 5,
          column: 13,
          endColumn: 21,
          path: 'services.api.healthcheck.test',
        },
      ],
    },
    {
      name: 'test as a block sequence',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      test:\n        - NONE\n',
      errors: [{ messageId: 'testNone', line: 6, column: 9 }],
    },
    {
      name: 'test: NONE as a string runs a failing shell command',
      code: 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      test: NONE\n',
      errors: [
        {
          messageId: 'testNoneString',
          message:
            'service "api" sets healthcheck test to the string "NONE", which docker runs as the shell command NONE (["CMD-SHELL", "NONE"]): it fails and marks the container unhealthy; set healthcheck.test to a command that checks the service',
          line: 5,
          column: 13,
          endColumn: 17,
        },
      ],
    },
    {
      name: 'a disabled healthcheck shared through an alias: reported at the anchor',
      code: 'x-nohc: &nohc\n  test: ["NONE"]\nservices:\n  a:\n    image: myorg/a:1\n    healthcheck: *nohc\n  b:\n    image: myorg/b:1\n    healthcheck: *nohc\n',
      errors: [
        { message: /^service "a" turns its healthcheck off/, line: 2, column: 9, path: 'services.a.healthcheck.test' },
        { message: /^service "b" turns its healthcheck off/, line: 2, column: 9, path: 'services.b.healthcheck.test' },
      ],
    },
    {
      name: 'a merge key without a healthcheck: the service name',
      code: 'x-base: &base\n  image: myorg/api:1\n  restart: always\nservices:\n  api:\n    <<: *base\n',
      errors: [{ message: missing('api'), line: 5, column: 3 }],
    },
    {
      name: 'disable: true from a base file through extends',
      code: {
        'compose.yaml': 'services:\n  api:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: myorg/api:1\n    healthcheck:\n      disable: true\n',
      },
      errors: [{ messageId: 'disabled', line: 5, column: 16, file: 'base.yaml' }],
    },
    {
      name: 'extends in the same file without a healthcheck: both services',
      code: 'services:\n  base:\n    image: myorg/api:1\n  api:\n    extends: base\n',
      errors: [
        { message: missing('base'), line: 2, column: 3 },
        { message: missing('api'), line: 4, column: 3 },
      ],
    },
    {
      name: 'an override file disables it',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: myorg/api:1\n    healthcheck:\n      test: ["CMD", "/app/healthcheck"]\n',
        'compose.override.yaml': 'services:\n  api:\n    healthcheck:\n      disable: true\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ messageId: 'disabled', line: 4, column: 16, file: 'compose.override.yaml' }],
    },
    {
      name: 'ignoreImages leaves other images reported',
      code: 'services:\n  proxy:\n    image: traefik:v3.1\n  api:\n    image: myorg/api:1\n',
      options: { ignoreImages: ['traefik'] },
      errors: [{ message: missing('api'), line: 4, column: 3 }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 3 });
