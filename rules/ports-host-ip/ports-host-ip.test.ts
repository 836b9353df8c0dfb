import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    { name: 'bound to loopback', code: 'services:\n  api:\n    image: api:1\n    ports:\n      - "127.0.0.1:8080:80"\n      - "[::1]:8443:443"\n' },
    { name: 'explicitly every interface', code: 'services:\n  api:\n    image: api:1\n    ports:\n      - "0.0.0.0:80:80"\n' },
    { name: 'long syntax with host_ip', code: 'services:\n  api:\n    image: api:1\n    ports:\n      - target: 80\n        published: 8080\n        host_ip: 127.0.0.1\n' },
    { name: 'address from ${BIND:-127.0.0.1}', code: 'services:\n  api:\n    image: api:1\n    ports:\n      - "${BIND:-127.0.0.1}:8080:80"\n' },
    { name: 'target swarm: nothing to ask for (swarm drops host IPs)', code: { 'stack.yml': 'services:\n  api:\n    image: api:1\n    ports:\n      - "8080:80"\n' } },
    { name: 'expose is not publishing', code: 'services:\n  api:\n    image: api:1\n    expose: ["80"]\n' },
  ],
  invalid: [
    {
      name: 'short syntax',
      code: 'services:\n  api:\n    image: api:1\n    ports:\n      - "8080:80"\n      - 9090:9090/udp\n',
      errors: [
        {
          message: 'service "api" publishes port "8080:80" on every interface of the host (docker bypasses the host firewall for it); bind it to an address, such as "127.0.0.1:8080:80", or to the one interface that must serve it',
          line: 5,
          column: 9,
          endColumn: 18,
          path: 'services.api.ports[0]',
        },
        { message: /publishes port "9090:9090\/udp" .* such as "127\.0\.0\.1:9090:9090\/udp"/, line: 6, column: 9 },
      ],
    },
    {
      name: 'a container port alone is published on a random host port: so is the suggestion (IP::PORT)',
      code: 'services:\n  api:\n    image: api:1\n    ports: ["80", "53/udp"]\n',
      errors: [
        { message: /publishes port "80" .* such as "127\.0\.0\.1::80"/, line: 4, column: 13 },
        { message: /publishes port "53\/udp" .* such as "127\.0\.0\.1::53\/udp"/, line: 4, column: 19 },
      ],
    },
    {
      name: 'a port written with variables is shown and suggested as written, set or not',
      code: 'services:\n  api:\n    image: api:1\n    ports: ["${P}:${P}/tcp"]\n',
      errors: [{ message: 'service "api" publishes port "${P}:${P}/tcp" on every interface of the host (docker bypasses the host firewall for it); bind it to an address, such as "127.0.0.1:${P}:${P}/tcp", or to the one interface that must serve it', line: 4, column: 13 }],
    },
    {
      name: 'long syntax: points at published',
      code: 'services:\n  api:\n    image: api:1\n    ports:\n      - target: 80\n        published: "8080"\n',
      errors: [{ message: 'service "api" publishes port 8080 (target 80) on every interface of the host (docker bypasses the host firewall for it); add host_ip: 127.0.0.1, or the one interface that must serve it', line: 6, column: 9, endColumn: 18 }],
    },
    {
      name: 'long syntax, a port a set variable gives: as the file wrote it, the value not shown',
      code: 'services:\n  api:\n    image: api:1\n    ports:\n      - target: 80\n        published: "${LPORT}"\n',
      env: { LPORT: '5555' },
      errors: [{ message: 'service "api" publishes port ${LPORT} (target 80) on every interface of the host (docker bypasses the host firewall for it); add host_ip: 127.0.0.1, or the one interface that must serve it', line: 6, column: 9 }],
    },
    {
      name: 'an unset address variable and an anchor',
      code: 'x-ports: &ports\n  ports:\n    - "${BIND}:8080:80"\nservices:\n  api:\n    <<: *ports\n    image: api:1\n',
      errors: [{ messageId: 'short', line: 3, column: 7 }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 1 });
