import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const stack = (text: string) => ({ 'stack.yml': text });
const GOOD = '      update_config:\n        failure_action: rollback\n        order: start-first\n      rollback_config:\n        parallelism: 1\n';

testRule(rule, {
  valid: [
    { name: 'target compose: not asked', code: 'services:\n  api:\n    image: api:1\n' },
    { name: 'rollback set up, start-first', code: stack(`services:\n  api:\n    image: api:1\n    deploy:\n${GOOD}`) },
    { name: 'global services are not asked', code: stack('services:\n  agent:\n    image: agent:1\n    deploy:\n      mode: global\n') },
    {
      name: 'a pushgateway keeps its pushed metrics: it may stop first',
      code: stack('services:\n  pushgateway:\n    image: prom/pushgateway:v1.9.0\n    deploy:\n      update_config:\n        failure_action: rollback\n      rollback_config: {}\n'),
    },
    {
      name: 'a stateful service may stop first',
      code: stack('services:\n  db:\n    image: postgres:16\n    deploy:\n      update_config:\n        failure_action: rollback\n      rollback_config: {}\n'),
    },
  ],
  invalid: [
    {
      name: 'nginx with a read-only configuration volume keeps no state: start-first is advised',
      code: stack(`services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - conf:/etc/nginx/conf.d:ro\n    deploy:\n      update_config:\n        failure_action: rollback\n      rollback_config: {}\nvolumes:\n  conf: {}\n`),
      errors: [{ messageId: 'startFirst', line: 7, column: 7, severity: 'info' }],
    },
    {
      name: 'deploy.mode written Replicated: docker reads it as replicated',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      mode: Replicated\n      replicas: 2\n'),
      errors: [
        { messageId: 'noRollback', line: 4, column: 5, severity: 'warning' },
        { messageId: 'startFirst', line: 4, column: 5, severity: 'info' },
      ],
    },
    {
      name: 'nothing set: one finding for rollback, one info for the order',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      replicas: 2\n'),
      errors: [
        {
          message:
            'service "api" sets no deploy.update_config and sets no deploy.rollback_config, so a failed update pauses half-done and stays broken; set deploy.update_config.failure_action: rollback and a deploy.rollback_config (such as {parallelism: 1, order: stop-first})',
          line: 4,
          column: 5,
          severity: 'warning',
          path: 'services.api.deploy',
        },
        { message: 'service "api" keeps no state and updates stop-first (the default), which stops the old task before the new one runs; set deploy.update_config.order: start-first for updates without downtime', line: 4, column: 5, severity: 'info' },
      ],
    },
    {
      name: 'failure_action pause: underlines it',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      update_config:\n        failure_action: pause\n        order: start-first\n      rollback_config: {}\n'),
      errors: [{ message: /sets deploy.update_config.failure_action: pause, so a failed update pauses half-done/, line: 6, column: 25, endColumn: 30 }],
    },
    {
      name: 'no rollback_config: at update_config',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      update_config:\n        failure_action: rollback\n        order: stop-first\n'),
      errors: [
        { message: /sets no deploy.rollback_config, so a failed update rolls back with swarm's default settings/, line: 5, column: 7, endColumn: 20 },
        { message: /updates with order: stop-first/, line: 7, column: 16, severity: 'info' },
      ],
    },
    {
      name: 'through an anchor and ${VAR:-...}',
      code: stack('x-update: &update\n  failure_action: ${UPDATE_FAILURE:-continue}\n  order: start-first\nservices:\n  api:\n    image: api:1\n    deploy:\n      update_config: *update\n      rollback_config: {}\n'),
      errors: [{ message: /failure_action: continue/, line: 2, column: 19 }],
    },
  ],
});

testReadmeExamples(rule, { fileName: 'stack.yml', incorrect: 2 });
