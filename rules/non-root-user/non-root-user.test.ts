import { describe, expect, it } from 'vitest';
import rule from './index.js';
import { classifyUser } from './user.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const missing = (service: string) =>
  `service "${service}" sets no user, so it runs as the image's default user, which is root unless the image sets USER; set user to a non-root UID such as "1000:1000"`;
const root = (service: string, value: string) => `service "${service}" runs as root (user: ${value}); set user to a non-root UID such as "1000:1000"`;

testRule(rule, {
  valid: [
    {
      name: 'a numeric UID:GID',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user: "1000:1000"\n',
    },
    {
      name: 'a user name, and a non-root user in the root group',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user: app\n  web:\n    image: myorg/web:1\n    user: 1001:0\n',
    },
    {
      name: 'a user through a merge key',
      code: 'x-base: &base\n  user: "65534:65534"\nservices:\n  api:\n    <<: *base\n    image: myorg/api:1\n',
    },
    {
      name: 'a user from ${VAR:-default}',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user: "${APP_UID:-1000}:${APP_GID:-1000}"\n',
    },
    {
      name: 'a user set by an override file',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: myorg/api:1\n',
        'compose.override.yaml': 'services:\n  api:\n    user: "1000"\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
    },
    {
      name: 'a user inherited through extends from another file',
      code: {
        'compose.yaml': 'services:\n  api:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: myorg/api:1\n    user: "1000"\n',
      },
    },
    {
      name: 'ignoreImages: images that set a non-root USER themselves',
      code: 'services:\n  web:\n    image: nginxinc/nginx-unprivileged:1.27\n  cache:\n    image: bitnami/redis:7.4\n',
      options: { ignoreImages: ['nginx-unprivileged', 'bitnami/*'] },
    },
    {
      name: 'images known to run as their own non-root user (Docker Hub and quay.io names, with tags and digests)',
      code:
        'services:\n  prometheus:\n    image: prom/prometheus:v2.53.0\n  alertmanager:\n    image: quay.io/prometheus/alertmanager:v0.27.0\n  grafana:\n    image: grafana/grafana:11.1.0\n  graylog:\n    image: graylog/graylog:6.0@sha256:0123456789abcdef\n  indexer:\n    image: wazuh/wazuh-indexer:4.9.0\n  dashboard:\n    image: docker.io/wazuh/wazuh-dashboard:4.9.0\n',
    },
    {
      name: 'nonRootImages: images of your own added to the list',
      code: 'services:\n  api:\n    image: registry.example.com/myorg/api:1\n',
      options: { nonRootImages: ['myorg/*', 'prom/prometheus'] },
    },
  ],
  invalid: [
    {
      name: 'a known non-root image with an explicit root user is still reported',
      code: 'services:\n  prometheus:\n    image: prom/prometheus:v2.53.0\n    user: root\n',
      errors: [{ message: root('prometheus', '"root"'), line: 4, column: 11, endColumn: 15 }],
    },
    {
      name: 'nonRootImages replaces the built-in list ([] turns it off); the wazuh manager runs as root',
      code: 'services:\n  prometheus:\n    image: prom/prometheus:v2.53.0\n  manager:\n    image: wazuh/wazuh-manager:4.9.0\n',
      options: { nonRootImages: [] },
      errors: [
        { message: missing('prometheus'), line: 2, column: 3, endColumn: 13 },
        { message: missing('manager'), line: 4, column: 3, endColumn: 10 },
      ],
    },
    {
      name: 'no user: points at the service name',
      code: 'services:\n  api:\n    image: myorg/api:1\n',
      errors: [{ messageId: 'missing', message: missing('api'), line: 2, column: 3, endLine: 2, endColumn: 6, path: 'services.api', service: 'api', severity: 'warning' }],
    },
    {
      name: 'user: "0:0" underlines the value',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user: "0:0"\n',
      errors: [{ messageId: 'root', message: root('api', '"0:0"'), line: 4, column: 11, endColumn: 16, path: 'services.api.user' }],
    },
    {
      name: 'root, 0, root:group, 0:group',
      code: 'services:\n  a:\n    user: root\n  b:\n    user: 0\n  c:\n    user: root:wheel\n  d:\n    user: "0:1000"\n',
      errors: [
        { message: root('a', '"root"'), line: 3, column: 11, endColumn: 15 },
        { message: root('b', '0'), line: 5, column: 11, endColumn: 12 },
        { message: root('c', '"root:wheel"'), line: 7, column: 11, endColumn: 21 },
        { message: root('d', '"0:1000"'), line: 9, column: 11, endColumn: 19 },
      ],
    },
    {
      name: 'root after interpolation (default used)',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user: ${APP_USER:-root}\n',
      errors: [{ message: root('api', '"${APP_USER:-root}" ("root")'), line: 4, column: 11, endColumn: 28 }],
    },
    {
      name: 'root after interpolation (variable set)',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user: "${APP_UID:-1000}:${APP_GID:-1000}"\n',
      env: { APP_UID: '0' },
      // a value a set variable gave is not shown, only what the file wrote
      errors: [{ message: root('api', '"${APP_UID:-1000}:${APP_GID:-1000}"'), line: 4, column: 11 }],
    },
    {
      name: 'an unset variable leaves the user name empty',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user: "${UID}:${GID}"\n',
      errors: [
        {
          messageId: 'emptyUser',
          message: 'service "api" sets an empty user name (user: "${UID}:${GID}" (":")), so it runs as the image\'s default user, usually root; set user to a non-root UID such as "1000:1000"',
          line: 4,
          column: 11,
        },
      ],
    },
    {
      name: 'user: with no value: points at the key',
      code: 'services:\n  api:\n    image: myorg/api:1\n    user:\n',
      errors: [{ message: missing('api'), line: 4, column: 5, endColumn: 9 }],
    },
    {
      name: 'root shared through a merge key: reported at the anchor for each service',
      code: 'x-base: &base\n  user: root\nservices:\n  api:\n    <<: *base\n  worker:\n    <<: *base\n',
      errors: [
        { message: root('api', '"root"'), line: 2, column: 9, path: 'services.api.user' },
        { message: root('worker', '"root"'), line: 2, column: 9, path: 'services.worker.user' },
      ],
    },
    {
      name: 'a merge key without user: the service name',
      code: 'x-base: &base\n  image: myorg/api:1\nservices:\n  api:\n    <<: *base\n',
      errors: [{ message: missing('api'), line: 4, column: 3 }],
    },
    {
      name: 'root from a base file through extends',
      code: {
        'compose.yaml': 'services:\n  api:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: myorg/api:1\n    user: "0"\n',
      },
      errors: [{ message: root('api', '"0"'), line: 4, column: 11, file: 'base.yaml' }],
    },
    {
      name: 'extends in the same file: the service overrides the user with root',
      code: 'services:\n  base:\n    image: myorg/api:1\n    user: "1000"\n  api:\n    extends: base\n    user: root\n',
      errors: [{ message: root('api', '"root"'), line: 7, column: 11 }],
    },
    {
      name: 'an override file sets root',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: myorg/api:1\n    user: "1000"\n',
        'compose.override.yaml': 'services:\n  api:\n    user: "0:0"\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ message: root('api', '"0:0"'), line: 3, column: 11, file: 'compose.override.yaml' }],
    },
    {
      name: 'ignoreImages does not excuse an explicit root',
      code: 'services:\n  cache:\n    image: bitnami/redis:7.4\n    user: root\n',
      options: { ignoreImages: ['bitnami/*'] },
      errors: [{ messageId: 'root', line: 4, column: 11 }],
    },
  ],
});

describe('classifyUser', () => {
  it('tells root, empty and non-root users apart', () => {
    expect(classifyUser('root')).toBe('root');
    expect(classifyUser('0')).toBe('root');
    expect(classifyUser('00:00')).toBe('root');
    expect(classifyUser(' 0:0 ')).toBe('root');
    expect(classifyUser('root:1000')).toBe('root');
    expect(classifyUser('1000:0')).toBe('non-root');
    expect(classifyUser('rootless')).toBe('non-root');
    expect(classifyUser('10')).toBe('non-root');
    expect(classifyUser('')).toBe('empty');
    expect(classifyUser(':1000')).toBe('empty');
  });
});

testReadmeExamples(rule, { incorrect: 2 });
