import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

const EXPECTED = 'add ALL to cap_drop and give back with cap_add only the capabilities it needs (for example NET_BIND_SERVICE)';
const missing = (service: string) => `service "${service}" keeps docker's default capabilities (no cap_drop); ${EXPECTED}`;

testRule(rule, {
  valid: [
    {
      name: 'cap_drop: [ALL] with cap_add',
      code: 'services:\n  web:\n    image: nginx:1.27\n    cap_drop: [ALL]\n    cap_add: [NET_BIND_SERVICE, CHOWN, SETGID, SETUID]\n',
    },
    {
      name: 'any case and surrounding spaces, among other names',
      code: 'services:\n  a:\n    image: myorg/a:1\n    cap_drop:\n      - NET_RAW\n      - all\n  b:\n    image: myorg/b:1\n    cap_drop: [" All "]\n',
    },
    {
      name: 'cap_drop through a merge key',
      code: 'x-hardened: &hardened\n  cap_drop: [ALL]\n  security_opt: ["no-new-privileges:true"]\nservices:\n  api:\n    <<: *hardened\n    image: myorg/api:1\n',
    },
    {
      name: 'cap_drop from ${VAR:-ALL}',
      code: 'services:\n  api:\n    image: myorg/api:1\n    cap_drop:\n      - ${DROP_CAPS:-ALL}\n',
    },
    {
      name: 'an override file adds ALL to the list',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: myorg/api:1\n    cap_drop: [NET_RAW]\n',
        'compose.override.yaml': 'services:\n  api:\n    cap_drop: [ALL]\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
    },
    {
      name: 'inherited through extends from another file',
      code: {
        'compose.yaml': 'services:\n  api:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: myorg/api:1\n    cap_drop:\n      - ALL\n',
      },
    },
    {
      name: 'not a list: left to the schema',
      code: 'services:\n  api:\n    image: myorg/api:1\n    cap_drop: ALL\n',
    },
  ],
  invalid: [
    {
      name: 'cap_add: [ALL] keeps every capability, ALL in cap_drop or not: reported at the item, no fix',
      code: 'services:\n  web:\n    image: nginx:1.27\n    cap_drop: [ALL]\n    cap_add: [NET_ADMIN, all]\n  api:\n    image: api:1\n    cap_add:\n      - ALL\n',
      errors: [
        { messageId: 'addAll', message: 'service "web" adds "all" to cap_add, which gives it every capability but the ones cap_drop names (ALL in cap_drop does not take them back); add only the capabilities it needs', line: 5, column: 26, endColumn: 29 },
        { messageId: 'addAll', line: 9, column: 9 },
      ],
    },
    {
      name: 'privileged: true is the problem, whatever cap_drop says',
      code: 'services:\n  agent:\n    image: myorg/agent:1\n    privileged: true\n  tools:\n    image: myorg/tools:1\n    privileged: "${TOOLS_PRIVILEGED:-true}"\n    cap_drop: [ALL]\n',
      errors: [
        {
          messageId: 'privileged',
          message:
            'service "agent" sets privileged: true, which gives it every capability whatever cap_drop says; privileged is the problem: remove it, then drop ALL capabilities and add back with cap_add only the ones it needs',
          line: 4,
          column: 17,
          endColumn: 21,
          path: 'services.agent.privileged',
        },
        {
          messageId: 'privileged',
          message:
            'service "tools" sets privileged: "${TOOLS_PRIVILEGED:-true}" ("true"), which gives it every capability whatever cap_drop says (its cap_drop: [ALL] is not applied); privileged is the problem: remove it, then drop ALL capabilities and add back with cap_add only the ones it needs',
          line: 7,
          column: 17,
          endColumn: 44,
        },
      ],
    },
    {
      name: 'swarm ignores privileged, so cap_drop counts there',
      code: { 'stack.yml': 'services:\n  agent:\n    image: myorg/agent:1\n    privileged: true\n' },
      errors: [{ messageId: 'missing', line: 2, column: 3, endColumn: 8 }],
    },
    {
      name: 'no cap_drop: points at the service name',
      code: 'services:\n  api:\n    image: myorg/api:1\n',
      errors: [{ messageId: 'missing', message: missing('api'), line: 2, column: 3, endLine: 2, endColumn: 6, path: 'services.api', service: 'api', severity: 'warning' }],
    },
    {
      name: 'some capabilities but not ALL: points at cap_drop',
      code: 'services:\n  api:\n    image: myorg/api:1\n    cap_drop:\n      - NET_RAW\n      - MKNOD\n',
      errors: [
        {
          messageId: 'notAll',
          message: `service "api" drops only NET_RAW, MKNOD but not ALL (cap_drop: [NET_RAW, MKNOD]); ${EXPECTED}`,
          line: 4,
          column: 5,
          endColumn: 13,
          path: 'services.api.cap_drop',
        },
      ],
    },
    {
      name: 'an empty list',
      code: 'services:\n  api:\n    image: myorg/api:1\n    cap_drop: []\n',
      errors: [{ message: `service "api" drops nothing but not ALL (cap_drop: []); ${EXPECTED}`, line: 4, column: 5 }],
    },
    {
      name: 'CAP_ALL is not the ALL keyword: underlines it',
      code: 'services:\n  api:\n    image: myorg/api:1\n    cap_drop: [NET_RAW, cap_all]\n',
      errors: [
        {
          messageId: 'capAll',
          message:
            'service "api" drops "cap_all", which docker does not read as ALL: it adds the CAP_ prefix only to names without it and rejects "CAP_ALL" as an unknown capability; write ALL',
          line: 4,
          column: 25,
          endColumn: 32,
          path: 'services.api.cap_drop[1]',
        },
      ],
    },
    {
      name: 'a variable that does not give ALL',
      code: 'services:\n  api:\n    image: myorg/api:1\n    cap_drop:\n      - ${DROP_CAPS:-ALL}\n',
      env: { DROP_CAPS: 'NET_ADMIN' },
      // the value the variable gave is named by the variable, not printed
      errors: [{ message: /drops only \$\{DROP_CAPS\} but not ALL \(cap_drop: \[\$\{DROP_CAPS\}\]\)/, line: 4, column: 5 }],
    },
    {
      name: 'shared through a merge key: the anchored cap_drop key, for each service',
      code: 'x-base: &base\n  cap_drop: [SYS_ADMIN]\nservices:\n  api:\n    <<: *base\n  worker:\n    <<: *base\n',
      errors: [
        { messageId: 'notAll', line: 2, column: 3, endColumn: 11, path: 'services.api.cap_drop' },
        { messageId: 'notAll', line: 2, column: 3, path: 'services.worker.cap_drop' },
      ],
    },
    {
      name: 'a merge key without cap_drop: the service name',
      code: 'x-base: &base\n  image: myorg/api:1\nservices:\n  api:\n    <<: *base\n',
      errors: [{ message: missing('api'), line: 4, column: 3 }],
    },
    {
      name: 'extends from another file keeps the base file position',
      code: {
        'compose.yaml': 'services:\n  api:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: myorg/api:1\n    cap_drop:\n      - NET_RAW\n',
      },
      errors: [{ messageId: 'notAll', line: 4, column: 5, file: 'base.yaml' }],
    },
    {
      name: 'extends in the same file: both services',
      code: 'services:\n  base:\n    image: myorg/api:1\n  api:\n    extends: base\n',
      errors: [
        { message: missing('base'), line: 2, column: 3 },
        { message: missing('api'), line: 4, column: 3 },
      ],
    },
    {
      name: 'an override file that does not add ALL',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: myorg/api:1\n',
        'compose.override.yaml': 'services:\n  api:\n    cap_drop: [NET_RAW]\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ messageId: 'notAll', line: 3, column: 5, file: 'compose.override.yaml' }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 2 });
