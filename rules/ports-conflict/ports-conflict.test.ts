import rule, { publishedRange } from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { stacksOf } from '../../test/helpers/sized-stacks.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { Stack } from '../../src/model/types.js';
import { cpuRatio } from '../../test/helpers/measure.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { describe, expect, it } from 'vitest';

describe('publishedRange', () => {
  it('reads ports and ranges', () => {
    expect(publishedRange('8080')).toEqual([8080, 8080]);
    expect(publishedRange('8000-8010')).toEqual([8000, 8010]);
    expect(publishedRange(null)).toBeNull();
    expect(publishedRange('0')).toBeNull();
    expect(publishedRange('${X}')).toBeNull();
    // no port past 65535 (docker refuses them; the index of ports walks a range by blocks)
    expect(publishedRange('65535')).toEqual([65535, 65535]);
    expect(publishedRange('65536')).toBeNull();
    expect(publishedRange('1-64000000')).toBeNull();
    expect(publishedRange('1111111111111111111')).toBeNull();
  });
});

testRule(rule, {
  valid: [
    { name: 'different ports', code: 'services:\n  a:\n    image: a:1\n    ports: ["8080:80"]\n  b:\n    image: b:1\n    ports: ["8081:80"]\n' },
    { name: 'same port, different protocols', code: 'services:\n  a:\n    image: a:1\n    ports: ["53:53/udp"]\n  b:\n    image: b:1\n    ports: ["53:53/tcp"]\n' },
    { name: 'same port on two different addresses', code: 'services:\n  a:\n    image: a:1\n    ports: ["127.0.0.1:80:80"]\n  b:\n    image: b:1\n    ports: ["10.0.0.5:80:80"]\n' },
    { name: 'random host ports', code: 'services:\n  a:\n    image: a:1\n    ports: ["80"]\n  b:\n    image: b:1\n    ports: ["80"]\n' },
    {
      name: 'compose drops an entry written twice in a service (the same text, or the same long form with its defaults written out)',
      code: 'services:\n  a:\n    image: a:1\n    ports:\n      - "8080:80"\n      - "8080:80"\n      - {target: 80, published: "9000"}\n      - {target: 80, published: "9000", protocol: tcp, host_ip: 0.0.0.0}\n',
    },
    {
      name: 'compose: services of profiles that are never asked for together, and a service scaled to 0, bind nothing together',
      code: 'services:\n  a:\n    image: a:1\n    profiles: [dev]\n    ports: ["80:80"]\n  b:\n    image: b:1\n    profiles: [prod]\n    ports: ["80:80"]\n  c:\n    image: c:1\n    scale: 0\n    ports: ["80:80"]\n  d:\n    image: d:1\n    deploy: {replicas: 0}\n    ports: ["80:80"]\n',
    },
    {
      name: 'compose: one binding written in two forms in a service (a range and a port of it, a short and a long form) is one',
      code: 'services:\n  a:\n    image: a:1\n    ports: ["9000-9001:9000-9001", "9001:9001", "7000:7000", {target: 7000, published: "7000"}]\n',
    },
    {
      name: 'ports past 65535, which docker refuses (the schema checks say so), written twice: no conflict and no endless walk of a range',
      code: 'services:\n  a:\n    image: a:1\n    ports: ["1111111111111111111:80", "1-64000000:80", "70000:80"]\n  b:\n    image: b:1\n    ports: ["1111111111111111111:80", {target: 80, published: "1111111111111111111"}, "70000:80"]\n',
    },
    { name: 'ranges that do not overlap', code: 'services:\n  a:\n    image: a:1\n    ports: ["8000-8009:8000-8009"]\n  b:\n    image: b:1\n    ports: ["8010-8019:8000-8009"]\n' },
  ],
  invalid: [
    {
      name: 'same port on every address: reported on the second',
      code: 'services:\n  a:\n    image: a:1\n    ports:\n      - "8080:80"\n  b:\n    image: b:1\n    ports:\n      - "8080:8080"\n',
      errors: [
        {
          message: 'service "b" publishes tcp port 8080 on every address, which service "a" already publishes (line 5); the second one cannot bind it: publish another host port',
          line: 9,
          column: 9,
          endColumn: 20,
          path: 'services.b.ports[0]',
          service: 'b',
          severity: 'error',
        },
      ],
    },
    {
      name: 'an address overlaps every address; ranges overlap a port',
      code: 'services:\n  a:\n    image: a:1\n    ports: ["127.0.0.1:8005:80"]\n  b:\n    image: b:1\n    ports: ["8000-8010:8000-8010"]\n',
      errors: [{ message: 'service "b" publishes tcp port 8000-8010 on every address, which service "a" already publishes on 127.0.0.1 (line 4); the second one cannot bind it: publish another host port', line: 7, column: 13 }],
    },
    {
      name: 'long syntax: underlines published',
      code: 'services:\n  a:\n    image: a:1\n    ports: ["443:443"]\n  b:\n    image: b:1\n    ports:\n      - target: 8443\n        published: 443\n        protocol: tcp\n',
      errors: [{ messageId: 'conflict', line: 9, column: 20, endColumn: 23 }],
    },
    {
      name: 'twice in one service',
      code: 'services:\n  a:\n    image: a:1\n    ports:\n      - "80:80"\n      - "80:8080"\n',
      errors: [{ message: 'service "a" publishes tcp port 80 on every address twice (also on line 5); the second binding fails: publish another host port or remove one', line: 6, column: 9 }],
    },
    {
      name: 'compose: a service of a profile and one without any, or two sharing a profile, run together',
      code: 'services:\n  a:\n    image: a:1\n    profiles: [dev]\n    ports: ["80:80"]\n  b:\n    image: b:1\n    ports: ["80:80"]\n  c:\n    image: c:1\n    profiles: [dev, test]\n    ports: ["81:81"]\n  d:\n    image: d:1\n    profiles: [test]\n    ports: ["81:81"]\n',
      errors: [
        { messageId: 'conflict', message: /already publishes \(line 5\), when profile "dev" is enabled; the second one/, line: 8, column: 13 },
        { messageId: 'conflict', message: /already publishes \(line 12\), when profile "test" is enabled; the second one/, line: 16, column: 13 },
      ],
    },
    {
      name: 'compose: two services without profiles conflict whenever they run: no profile named',
      code: 'services:\n  a:\n    image: a:1\n    ports: ["80:80"]\n  b:\n    image: b:1\n    profiles: [x, y]\n    ports: ["443:443"]\n  c:\n    image: c:1\n    ports: ["80:80"]\n  d:\n    image: d:1\n    profiles: [y, z, x]\n    ports: ["443:443"]\n',
      errors: [
        { message: 'service "c" publishes tcp port 80 on every address, which service "a" already publishes (line 4); the second one cannot bind it: publish another host port', line: 11, column: 13 },
        { message: 'service "d" publishes tcp port 443 on every address, which service "b" already publishes (line 8), when profile "y" or "x" is enabled; the second one cannot bind it: publish another host port', line: 15, column: 13 },
      ],
    },
    {
      name: 'compose: a port of a range published again to another container port is a second binding',
      code: 'services:\n  a:\n    image: a:1\n    ports: ["9000-9001:9000-9001", "9001:9002"]\n',
      errors: [{ messageId: 'conflictSelf', line: 4, column: 36 }],
    },
    {
      name: 'an entry written twice is two bindings for docker stack deploy',
      code: { 'stack.yml': 'services:\n  a:\n    image: a:1\n    ports:\n      - "8080:80"\n      - "8080:80"\n' },
      errors: [{ messageId: 'conflictSelf', line: 6, column: 9 }],
    },
    {
      name: 'compose: a range and a port of its own conflict, and the same entry in another service does',
      code: 'services:\n  a:\n    image: a:1\n    ports: ["8080-8081:80-81", "8081:90"]\n  b:\n    image: b:1\n    ports: ["8080-8081:80-81"]\n',
      errors: [
        { messageId: 'conflictSelf', line: 4, column: 32 },
        { messageId: 'conflict', line: 7, column: 13 },
      ],
    },
    {
      name: 'target swarm ignores host addresses: two addresses conflict',
      code: { 'stack.yml': 'services:\n  a:\n    image: a:1\n    ports: ["127.0.0.1:80:80"]\n  b:\n    image: b:1\n    ports: ["10.0.0.5:80:80"]\n' },
      errors: [{ messageId: 'conflict', line: 7, column: 13 }],
    },
    {
      name: 'ports from ${VAR:-default} and through an anchor',
      code: 'x-web: &web\n  image: web:1\n  ports:\n    - "${WEB_PORT:-8080}:80"\nservices:\n  a:\n    <<: *web\n  b:\n    <<: *web\n',
      errors: [{ message: /service "b" publishes tcp port 8080 .* service "a" already publishes \(line 4\)/, line: 4, column: 7 }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 1 });

describe('size', () => {
  // one service publishing n ports, n services of n profiles publishing one port, n services on n
  // addresses publishing one port: nothing conflicts, and a comparison of each port with every
  // one before it grows with the square
  const text = (n: number) =>
    [
      'services:',
      '  many:',
      '    image: a:1',
      '    ports:',
      ...Array.from({ length: n }, (_, k) => `      - "${20000 + k}:${(k % 1000) + 1}"`),
      ...Array.from({ length: n }, (_, k) => `  p${k}:\n    image: a:1\n    profiles: [p${k}]\n    ports: ["80:80"]`),
      ...Array.from({ length: n }, (_, k) => `  a${k}:\n    image: a:1\n    ports: ["10.${k >> 8}.${k & 255}.1:81:80"]`),
      '',
    ].join('\n');

  it('takes time in proportion to the ports published', () => {
    const [small, large] = stacksOf(text, [500, 8000]);
    const run = (stack: Stack) => runRules(stack, [rule]);
    expect(run(small!).length).toBe(0);
    expect(run(large!).length).toBe(0);
    // at 16 times the ports, linear work is about 16 times, work that grows with the square 256:
    // the bound leaves room for a busy machine
    expect(cpuRatio(run, small!, large!)).toBeLessThan(100);
  }, 300_000);
});
