import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const WHY = {
  compose:
    'compose does not restart an unhealthy container, but it shows the state (docker compose ps) and depends_on with condition: service_healthy waits until the service is ready, not just started',
  swarm: 'swarm restarts a task whose healthcheck fails, sends it no traffic until it passes, and a rolling update waits for new tasks to be healthy',
};
const CURL = '["CMD", "curl", "-f", "http://localhost:8080/health"]';
const missing = (service: string, target: 'compose' | 'swarm' = 'compose', example = CURL) =>
  `service "${service}" has no healthcheck; add healthcheck.test (for example ${example}): ${WHY[target]}`;

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
      name: 'one-shot services: init, migration, schema and seed jobs by name, restart_policy none, exiting busybox/alpine commands, and what others wait to complete',
      code: `services:
  hydra-migrate:
    image: oryd/hydra:v2.2.0
    command: migrate sql -e --yes
    restart: on-failure
  mongodb-init-container:
    image: mongo:7.0
    entrypoint: sh -c 'mongosh --host mongodb --eval "rs.initiate()"'
  cassandra-schema:
    image: jaegertracing/jaeger-cassandra-schema:1.57
  seed:
    build: ./seed
    restart: "no"
  initializer:
    image: defectdojo/defectdojo-django:2.38.0
  launcher:
    image: weaveworks/scope-swarm-launcher:1.13
    deploy:
      restart_policy:
        condition: none
  sqlite-perms:
    image: busybox:1.36
    command: chmod -R 777 /mnt/sqlite
  data:
    image: alpine:3.20
  prepare:
    image: myorg/prepare:1.0
  app:
    image: myorg/app:1.2
    healthcheck:
      test: ["CMD", "/app/healthcheck"]
    depends_on:
      prepare:
        condition: service_completed_successfully
`,
    },
    {
      name: 'a one-off job',
      code: 'services:\n  migrate:\n    image: myorg/migrate:1\n    deploy:\n      mode: replicated-job\n',
    },
  ],
  invalid: [
    {
      name: 'the reason given is the target\'s: swarm restarts unhealthy tasks',
      code: { 'stack.yml': 'services:\n  api:\n    image: myorg/api:1\n    deploy:\n      replicas: 2\n      placement:\n        constraints: [node.role == worker]\n' },
      errors: [{ message: missing('api', 'swarm'), line: 2, column: 3, endColumn: 6 }],
    },
    {
      name: 'long-running look-alikes stay reported: restart "no" on a server, alpine or busybox that keep running (also named init), a schema registry, an auto-setup image',
      code: `services:
  api:
    image: myorg/api:1
    restart: "no"
  toolbox:
    image: alpine:3.20
    command: sleep infinity
  schema-registry:
    image: confluentinc/cp-schema-registry:7.6.0
  temporal-history:
    image: temporalio/auto-setup:1.24
  init:
    image: alpine:3.20
    command: sleep infinity
  monitor:
    image: busybox:1.36
    command: top
`,
      errors: [
        { message: missing('api'), line: 2, column: 3 },
        { message: missing('toolbox'), line: 5, column: 3 },
        { message: missing('schema-registry'), line: 8, column: 3 },
        { message: missing('temporal-history'), line: 10, column: 3 },
        { message: missing('init'), line: 12, column: 3 },
        { message: missing('monitor'), line: 15, column: 3 },
      ],
    },
    {
      name: 'an image whose health command is known: the example is that command (the fix\'s), not curl',
      code: `services:
  db:
    image: postgres:16.4
  cache:
    image: redis:7.4
  mysql:
    image: mysql:8.4
  maria:
    image: mariadb:11.4
  mongo:
    image: mongo:7.0
  mq:
    image: rabbitmq:3.13-management
  backup:
    image: postgres:16.4
    command: sh -c 'while true; do pg_dump -h db app > /backup/app.sql; sleep 3600; done'
`,
      errors: [
        { message: missing('db', 'compose', '["CMD-SHELL", "pg_isready -U \\"$${POSTGRES_USER:-postgres}\\""]'), line: 2, column: 3 },
        { message: missing('cache', 'compose', '["CMD", "redis-cli", "ping"]'), line: 4, column: 3 },
        { message: missing('mysql', 'compose', '["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 --silent"]'), line: 6, column: 3 },
        { message: missing('maria', 'compose', '["CMD-SHELL", "mariadb-admin ping -h 127.0.0.1 --silent || mysqladmin ping -h 127.0.0.1 --silent"]'), line: 8, column: 3 },
        { message: missing('mongo', 'compose', '["CMD-SHELL", "mongosh --quiet --eval \\"db.adminCommand(\'ping\')\\" || mongo --quiet --eval \\"db.adminCommand(\'ping\')\\""]'), line: 10, column: 3 },
        { message: missing('mq', 'compose', '["CMD", "rabbitmq-diagnostics", "-q", "ping"]'), line: 12, column: 3 },
        // its own command replaces the server: no pg_isready answers there
        { message: missing('backup'), line: 14, column: 3 },
      ],
    },
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
