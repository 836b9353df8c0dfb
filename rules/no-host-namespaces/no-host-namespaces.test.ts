import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    { name: 'default namespaces', code: 'services:\n  api:\n    image: api:1\n    networks: [front]\nnetworks:\n  front: {}\n' },
    { name: 'another container\'s namespace is not the host\'s', code: 'services:\n  api:\n    image: api:1\n    network_mode: "service:db"\n    pid: "container:abc"\n  db:\n    image: db:1\n' },
    { name: 'a network called host that is not the host network', code: 'services:\n  api:\n    image: api:1\n    networks: [host]\nnetworks:\n  host:\n    driver: overlay\n' },
    { name: 'ipc: shareable', code: 'services:\n  api:\n    image: api:1\n    ipc: shareable\n' },
  ],
  invalid: [
    {
      name: 'every host namespace key, each at its value',
      code: 'services:\n  api:\n    image: api:1\n    network_mode: host\n    pid: host\n    ipc: host\n    userns_mode: host\n    uts: host\n',
      errors: [
        { message: 'service "api" sets network_mode: host, so it shares the host\'s network stack: every host interface and every port on localhost; remove it and attach it to a network and publish only the ports it serves', line: 4, column: 19, endColumn: 23, path: 'services.api.network_mode' },
        { message: /sets pid: host, so it shares the host's processes/, line: 5, column: 10, path: 'services.api.pid' },
        { message: /sets ipc: host/, line: 6, column: 10 },
        { message: /sets userns_mode: host/, line: 7, column: 18 },
        { message: /sets uts: host/, line: 8, column: 10 },
      ],
    },
    {
      name: 'swarm host network (external network named host), list form',
      code: 'services:\n  agent:\n    image: agent:1\n    networks:\n      - hostnet\nnetworks:\n  hostnet:\n    external: true\n    name: host\n',
      errors: [{ messageId: 'hostNetwork', message: /attached to network "hostnet", which is the host network/, line: 5, column: 9, endColumn: 16 }],
    },
    {
      name: 'swarm host network, mapping form: points at the key',
      code: 'services:\n  agent:\n    image: agent:1\n    networks:\n      host: {}\nnetworks:\n  host:\n    external: true\n',
      errors: [{ messageId: 'hostNetwork', line: 5, column: 7, endColumn: 11 }],
    },
    {
      name: 'through an anchor and from ${VAR:-host}',
      code: 'x-net: &net\n  network_mode: ${NET_MODE:-host}\nservices:\n  api:\n    <<: *net\n    image: api:1\n',
      errors: [{ message: /sets network_mode: host/, line: 2, column: 17 }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 2 });
