import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    { name: 'container_name, one replica', code: 'services:\n  api:\n    image: api:1\n    container_name: api\n    deploy:\n      replicas: 1\n' },
    { name: 'replicas without container_name', code: 'services:\n  api:\n    image: api:1\n    deploy:\n      replicas: 3\n' },
    { name: 'target swarm ignores container_name', code: { 'stack.yml': 'services:\n  api:\n    image: api:1\n    container_name: api\n    deploy:\n      replicas: 3\n' } },
    { name: 'replicas from ${N:-1}', code: 'services:\n  api:\n    image: api:1\n    container_name: api\n    deploy:\n      replicas: ${N:-1}\n' },
  ],
  invalid: [
    {
      name: 'deploy.replicas above 1: points at container_name',
      code: 'services:\n  api:\n    image: api:1\n    container_name: my-api\n    deploy:\n      replicas: 3\n',
      errors: [
        {
          message: 'service "api" sets container_name "my-api" and deploy.replicas: 3; a container name is unique, so only one replica can start: remove container_name (other services reach it by its service name)',
          line: 4,
          column: 5,
          endColumn: 19,
          path: 'services.api.container_name',
          severity: 'error',
        },
      ],
    },
    { name: 'scale', code: 'services:\n  api:\n    image: api:1\n    container_name: my-api\n    scale: 2\n', errors: [{ message: /and scale: 2;/, line: 4, column: 5 }] },
    {
      name: 'replicas from ${N:-2}, container_name through an anchor',
      code: 'x-name: &name\n  container_name: shared\nservices:\n  api:\n    <<: *name\n    image: api:1\n    deploy:\n      replicas: ${N:-2}\n',
      errors: [{ message: /sets container_name "shared" and deploy.replicas: 2/, line: 2, column: 3 }],
    },
    {
      name: 'replicas set by an override file',
      code: { 'compose.yaml': 'services:\n  api:\n    image: api:1\n    container_name: api\n', 'compose.prod.yaml': 'services:\n  api:\n    deploy:\n      replicas: 2\n' },
      lint: ['compose.yaml', 'compose.prod.yaml'],
      errors: [{ messageId: 'scaled', line: 4, column: 5, file: 'compose.yaml' }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 1 });
