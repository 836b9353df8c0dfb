import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    { name: 'no privileged key', code: 'services:\n  api:\n    image: api:1\n' },
    { name: 'privileged: false', code: 'services:\n  api:\n    image: api:1\n    privileged: false\n' },
    { name: 'privileged from a variable that is false', code: 'services:\n  api:\n    image: api:1\n    privileged: ${PRIV:-false}\n' },
  ],
  invalid: [
    {
      name: 'privileged: true underlines the value',
      code: 'services:\n  api:\n    image: api:1\n    privileged: true\n',
      errors: [{ message: 'service "api" sets privileged: true, which gives it every capability and all host devices; remove it and grant only what it needs (cap_add, devices)', line: 4, column: 17, endLine: 4, endColumn: 21, path: 'services.api.privileged', service: 'api', severity: 'error' }],
    },
    {
      name: 'a quoted "true"',
      code: 'services:\n  api:\n    image: api:1\n    privileged: "true"\n',
      errors: [{ messageId: 'privileged', line: 4, column: 17, endColumn: 23 }],
    },
    {
      name: 'through a merge key: reported at the anchor, once per service that uses it',
      code: 'x-base: &base\n  privileged: true\nservices:\n  a:\n    <<: *base\n    image: a:1\n  b:\n    <<: *base\n    image: b:1\n',
      errors: [
        { message: /service "a" sets privileged: true/, line: 2, column: 15 },
        { message: /service "b" sets privileged: true/, line: 2, column: 15 },
      ],
    },
    {
      name: 'from ${VAR:-true}: the message quotes what is written and what it means',
      code: 'services:\n  api:\n    image: api:1\n    privileged: ${PRIVILEGED:-true}\n',
      errors: [{ message: /sets privileged: "\$\{PRIVILEGED:-true\}" \(true\)/, line: 4, column: 17, endColumn: 36 }],
    },
    {
      name: 'set by an override file: points into that file',
      code: { 'compose.yaml': 'services:\n  api:\n    image: api:1\n', 'compose.override.yaml': 'services:\n  api:\n    privileged: true\n' },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ line: 3, column: 17, file: 'compose.override.yaml' }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 1 });
