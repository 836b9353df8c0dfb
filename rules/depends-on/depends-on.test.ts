import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    { name: 'list form', code: 'services:\n  api:\n    image: api:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n' },
    { name: 'long form with conditions', code: 'services:\n  api:\n    image: api:1\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n' },
    { name: 'an optional dependency that is absent', code: 'services:\n  api:\n    image: api:1\n    depends_on:\n      tracing:\n        condition: service_started\n        required: false\n' },
    { name: 'a chain, not a cycle', code: 'services:\n  a:\n    image: a:1\n    depends_on: [b]\n  b:\n    image: b:1\n    depends_on: [c]\n  c:\n    image: c:1\n' },
  ],
  invalid: [
    {
      name: 'an unknown service: underlines it, suggests the close one',
      code: 'services:\n  api:\n    image: api:1\n    depends_on:\n      - postgress\n  postgres:\n    image: postgres:16\n',
      errors: [
        {
          message: 'service "api" depends on "postgress", which is not a service of this file (did you mean "postgres"?); fix the name or remove the dependency',
          line: 5,
          column: 9,
          endColumn: 18,
          path: 'services.api.depends_on[0]',
          severity: 'error',
        },
      ],
    },
    {
      name: 'long form: points at the key',
      code: 'services:\n  api:\n    image: api:1\n    depends_on:\n      cache:\n        condition: service_started\n',
      errors: [{ messageId: 'unknown', line: 5, column: 7, endColumn: 12 }],
    },
    {
      name: 'a cycle of three: reported once, at the edge that closes it',
      code: 'services:\n  a:\n    image: a:1\n    depends_on: [b]\n  b:\n    image: b:1\n    depends_on: [c]\n  c:\n    image: c:1\n    depends_on: [a]\n',
      errors: [{ message: 'depends_on forms a cycle (a -> b -> c -> a): no service of it can start first; remove one of the dependencies', line: 10, column: 18, service: 'c' }],
    },
    {
      name: 'a service that depends on itself',
      code: 'services:\n  a:\n    image: a:1\n    depends_on: [a]\n',
      errors: [{ message: /cycle \(a -> a\)/, line: 4, column: 18 }],
    },
    {
      name: 'through an anchor: the dependency is written once and reported for each service',
      code: 'x-dep: &dep\n  depends_on: [missing]\nservices:\n  a:\n    <<: *dep\n    image: a:1\n  b:\n    <<: *dep\n    image: b:1\n',
      errors: [
        { message: /service "a" depends on "missing"/, line: 2, column: 16 },
        { message: /service "b" depends on "missing"/, line: 2, column: 16 },
      ],
    },
    {
      name: 'a cycle closed by an override file',
      code: { 'compose.yaml': 'services:\n  a:\n    image: a:1\n    depends_on: [b]\n  b:\n    image: b:1\n', 'compose.override.yaml': 'services:\n  b:\n    depends_on: [a]\n' },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ messageId: 'cycle', line: 3, column: 18, file: 'compose.override.yaml' }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 2 });
