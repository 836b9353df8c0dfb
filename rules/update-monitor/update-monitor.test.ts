import { describe, expect, it } from 'vitest';
import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { audit, findingsOf, node, recordedSnapshot, service, snapshot } from '../../test/helpers/swarm-snapshot.js';

const stack = (text: string) => ({ 'stack.yml': text });
const HC = '    healthcheck:\n      test: ["CMD", "true"]\n      interval: 10s\n      retries: 3\n      start_period: 5s\n';

testRule(rule, {
  valid: [
    { name: 'target compose: not asked', code: `services:\n  api:\n    image: api:1\n${HC}` },
    { name: 'monitor covers start_period + interval × retries (35s)', code: stack(`services:\n  api:\n    image: api:1\n${HC}    deploy:\n      update_config:\n        monitor: 35s\n`) },
    { name: 'no healthcheck: nothing to wait for', code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      update_config:\n        monitor: 1s\n') },
    { name: 'healthcheck disabled', code: stack('services:\n  api:\n    image: api:1\n    healthcheck:\n      disable: true\n') },
    { name: 'healthcheck NONE', code: stack('services:\n  api:\n    image: api:1\n    healthcheck:\n      test: ["NONE"]\n') },
    { name: 'a job is not updated in rolling fashion', code: stack(`services:\n  api:\n    image: api:1\n${HC}    deploy:\n      mode: replicated-job\n`) },
    { name: 'minutes and hours are read', code: stack(`services:\n  api:\n    image: api:1\n${HC}    deploy:\n      update_config:\n        monitor: 1m\n`) },
  ],
  invalid: [
    {
      name: 'no update_config: swarm\'s default monitor of 5s, at the service',
      code: stack(`services:\n  api:\n    image: api:1\n${HC}`),
      errors: [
        {
          message:
            'service "api" sets no deploy.update_config.monitor, so swarm watches each updated task for 5s (the default), but its healthcheck needs up to 35s to mark a task unhealthy (start_period 5s + interval 10s × retries 3): the update reports success before the healthcheck can fail; set deploy.update_config.monitor to 35s or more',
          line: 2,
          column: 3,
          endColumn: 6,
        },
      ],
    },
    {
      name: 'docker\'s healthcheck defaults (interval 30s, retries 3), at update_config',
      code: stack('services:\n  api:\n    image: api:1\n    healthcheck:\n      test: curl -f http://localhost/\n    deploy:\n      update_config:\n        parallelism: 1\n'),
      errors: [
        {
          message: /sets no deploy.update_config.monitor, so swarm watches each updated task for 5s \(the default\), but its healthcheck needs up to 1m30s to mark a task unhealthy \(no start_period \+ interval 30s \(the default\) × retries 3 \(the default\)\)/,
          line: 7,
          column: 7,
          endColumn: 20,
        },
      ],
    },
    {
      name: 'a monitor written too short, at its value; through an anchor and ${VAR:-default}',
      code: stack(`x-update: &update\n  monitor: \${MONITOR:-20s}\nservices:\n  api:\n    image: api:1\n${HC}    deploy:\n      update_config: *update\n`),
      errors: [
        {
          message: /^service "api" watches each updated task for 20s \(deploy.update_config.monitor\), but its healthcheck needs up to 35s/,
          line: 2,
          column: 12,
          endColumn: 27,
        },
      ],
    },
    {
      name: 'the healthcheck of an override file counts',
      code: {
        'stack.yml': 'services:\n  api:\n    image: api:1\n    deploy:\n      update_config:\n        monitor: 30s\n',
        'stack.override.yml': 'services:\n  api:\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 20s\n      retries: 2\n',
      },
      lint: ['stack.yml', 'stack.override.yml'],
      errors: [{ message: /watches each updated task for 30s .*needs up to 40s .*\(no start_period \+ interval 20s × retries 2\)/, line: 6, column: 18 }],
    },
  ],
});

testReadmeExamples(rule, { fileName: 'stack.yml', incorrect: 1 });

describe('update-monitor on a live swarm', () => {
  it('reads the monitor and healthcheck of a service spec alike (recorded stack: 5s against 35s)', () => {
    const found = findingsOf(audit(recordedSnapshot('single-node')), 'update-monitor');
    expect(found.map(([, object]) => object)).toEqual(['service shop_gateway', 'service shop_hog', 'service shop_nowhere', 'service shop_web']);
    expect(found[3]![2]).toBe(
      'service "shop_web" watches each updated task for 5s (deploy.update_config.monitor), but its healthcheck needs up to 35s to mark a task unhealthy (start_period 5s + interval 10s × retries 3): the update reports success before the healthcheck can fail; set deploy.update_config.monitor to 35s or more',
    );
  });

  it('is quiet when the spec monitors long enough', () => {
    const svc = service({ name: 'app_web', stack: 'app', healthcheck: { Test: ['CMD', 'true'], Interval: 10e9, Retries: 3 } });
    svc.Spec.UpdateConfig = { Parallelism: 1, Monitor: 30e9 };
    expect(findingsOf(audit(snapshot({ nodes: [node({ hostname: 'm', role: 'manager', leader: true })], services: [svc] })), 'update-monitor')).toEqual([]);
    svc.Spec.UpdateConfig.Monitor = 29e9;
    expect(findingsOf(audit(snapshot({ nodes: [node({ hostname: 'm', role: 'manager', leader: true })], services: [svc] })), 'update-monitor')).toHaveLength(1);
  });
});
