import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const stack = (text: string) => ({ 'stack.yml': text });

testRule(rule, {
  valid: [
    { name: 'target compose: not asked', code: 'services:\n  api:\n    image: api:1\n' },
    {
      // docker compose acts on deploy.restart_policy (the container's restart policy), so the key
      // alone does not make a file a stack: target compose, where the rule does not run
      name: 'target compose: deploy.restart_policy alone is no evidence of swarm',
      code: 'services:\n  api:\n    image: api:1\n    deploy:\n      restart_policy:\n        condition: any\n',
    },
    { name: 'bounded', code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      restart_policy:\n        condition: on-failure\n        max_attempts: 3\n') },
    { name: 'condition any with max_attempts', code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      restart_policy:\n        max_attempts: ${RESTARTS:-5}\n') },
    { name: 'on-failure without a limit is not "any"', code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      restart_policy:\n        condition: on-failure\n') },
    { name: 'jobs are not restarted forever', code: stack('services:\n  migrate:\n    image: m:1\n    deploy:\n      mode: replicated-job\n') },
  ],
  invalid: [
    {
      name: 'a condition swarm does not know (compose restart words): an error at it; none is one',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      restart_policy:\n        condition: unless-stopped\n  web:\n    image: web:1\n    deploy:\n      restart_policy: {condition: none}\n'),
      errors: [
        {
          message:
            'service "api" sets deploy.restart_policy.condition "unless-stopped", which swarm does not know: docker stack deploy fails to create the service ("invalid RestartCondition"); use none, on-failure or any (restart: unless-stopped is docker compose\'s key)',
          line: 6,
          column: 20,
          endColumn: 34,
          severity: 'error',
        },
      ],
    },
    {
      name: 'no restart_policy: at deploy, or at the service name',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      replicas: 2\n  worker:\n    image: w:1\n'),
      errors: [
        {
          message:
            'service "api" sets no deploy.restart_policy, so swarm restarts its tasks on every exit, forever (condition any, no max_attempts); set one, such as restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 120s}',
          line: 4,
          column: 5,
          endColumn: 11,
          path: 'services.api.deploy',
          severity: 'warning',
        },
        { messageId: 'missing', line: 6, column: 3, path: 'services.worker' },
      ],
    },
    {
      name: 'condition any, no limit',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      restart_policy:\n        condition: any\n        delay: 5s\n'),
      errors: [{ message: /restarts on any exit \(condition: any\) with no limit \(max_attempts not set\)/, line: 5, column: 7, endColumn: 21 }],
    },
    {
      name: 'max_attempts 0 from ${VAR:-0}, through an anchor',
      code: stack('x-deploy: &deploy\n  restart_policy:\n    max_attempts: ${RESTARTS:-0}\nservices:\n  api:\n    image: api:1\n    deploy: *deploy\n'),
      errors: [{ message: /restarts on any exit \(condition any, the default\) with no limit \(max_attempts 0\)/, line: 2, column: 3 }],
    },
  ],
});

testReadmeExamples(rule, { fileName: 'stack.yml', incorrect: 1 });
