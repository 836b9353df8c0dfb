import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import rule, { dependencies, derivedDependencies } from './index.js';
import { lintProject } from '../../src/engine/lint.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { cpuRatio } from '../../test/helpers/measure.js';
import { stacksOf } from '../../test/helpers/sized-stacks.js';
import type { Service } from '../../src/model/types.js';

testRule(rule, {
  valid: [
    { name: 'list form', code: 'services:\n  api:\n    image: api:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n' },
    { name: 'long form with conditions', code: 'services:\n  api:\n    image: api:1\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n' },
    { name: 'an optional dependency on a service its profile leaves out', code: 'services:\n  api:\n    image: api:1\n    depends_on:\n      tracing:\n        condition: service_started\n        required: false\n  tracing:\n    image: jaegertracing/all-in-one:1.57\n    profiles: [debug]\n' },
    { name: 'links, service: namespaces and volumes_from of services of the file; a container is not one', code: 'services:\n  api:\n    image: api:1\n    links: ["db:database"]\n    network_mode: "service:vpn"\n    volumes_from: ["data:ro", "container:legacy"]\n  db:\n    image: postgres:16\n  vpn:\n    image: myorg/vpn:1\n  data:\n    image: busybox:1.36\n' },
    { name: 'swarm: links and the rest are not dependencies there', code: { 'stack.yml': 'services:\n  api:\n    image: api:1\n    links: [nosuch]\n' } },
    // docker refuses the file (`mapping key "services" already defined`, yaml-syntax's error); a
    // service of the first copy is not also reported as unknown
    { name: 'services: written twice: a dependency on a service of the earlier copy', code: 'services:\n  db:\n    image: postgres:16\nservices:\n  api:\n    image: api:1\n    depends_on: [db]\n' },
    { name: 'a chain, not a cycle', code: 'services:\n  a:\n    image: a:1\n    depends_on: [b]\n  b:\n    image: b:1\n    depends_on: [c]\n  c:\n    image: c:1\n' },
  ],
  invalid: [
    {
      name: 'a name cut out of a value a set variable gave is not shown: what the file wrote is',
      code: 'services:\n  web:\n    image: nginx:1.27\n    network_mode: ${NETMODE}\n',
      env: { NETMODE: 'service:secretvpn' },
      errors: [{ messageId: 'unknownVia', message: 'service "web" uses network_mode: ${NETMODE}, but "${NETMODE}" is not a service of this file, and docker compose refuses the file; fix the name or remove it', line: 4, column: 19 }],
    },
    {
      name: 'a name an unset variable gives: said as written',
      code: 'services:\n  pma:\n    image: phpmyadmin:5\n    depends_on:\n      - "${PMA_DB_ENGINE}"\n  mysql:\n    image: mysql:8\n',
      errors: [{ messageId: 'unsetName', message: 'service "pma" depends on "${PMA_DB_ENGINE}", whose name is empty here (the variable is not set); set it, or write the name', line: 5, column: 9 }],
    },
    {
      name: 'required: false spares only a service its profiles leave out, not a name the file lacks (compose refuses it)',
      code: 'services:\n  api:\n    image: api:1\n    depends_on:\n      tracing:\n        condition: service_started\n        required: false\n',
      errors: [{ messageId: 'unknown', line: 5, column: 7, endColumn: 14 }],
    },
    {
      name: 'compose adds links, service: namespaces and volumes_from to depends_on: an unknown one, and the cycle they close',
      code: 'services:\n  api:\n    image: api:1\n    links: ["dbb:database"]\n    ipc: "service:shm"\n  web:\n    image: web:1\n    network_mode: "service:proxy"\n  proxy:\n    image: nginx:1.27\n    volumes_from: [web]\n',
      errors: [
        { messageId: 'unknownVia', message: 'service "api" links to "dbb:database", but "dbb" is not a service of this file, and docker compose refuses the file; fix the name or remove it', line: 4, column: 13 },
        { messageId: 'unknownVia', message: /^service "api" uses ipc: service:shm, but "shm" is not a service of this file/, line: 5, column: 10 },
        { messageId: 'cycle', line: 11, column: 20 },
      ],
    },
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
      // docker stack deploy ignores depends_on: `docker stack config -c` prints a file whose
      // depends_on names no service, an empty name or a cycle back unchanged (docker CLI 28;
      // test/swarm-target.test.ts runs it); docker compose refuses it. A warning under swarm.
      name: 'target swarm: an unknown service, an unset name and a cycle are warnings',
      code: {
        'stack.yml':
          'services:\n  apm-server:\n    image: elastic/apm-server:8.1.0\n    depends_on:\n      - elasticsearch\n      - "${DB}"\n  a:\n    image: a:1\n    depends_on: [b]\n  b:\n    image: b:1\n    depends_on: [a]\n',
      },
      errors: [
        {
          messageId: 'unknownSwarm',
          message:
            'service "apm-server" depends on "elasticsearch", which is not a service of this file: docker compose refuses the file, and docker stack deploy ignores depends_on; fix the name or remove the dependency',
          line: 5,
          column: 9,
          endColumn: 22,
          path: 'services.apm-server.depends_on[0]',
          severity: 'warning',
        },
        { messageId: 'unsetName', line: 6, column: 9, endColumn: 16, severity: 'warning' },
        {
          messageId: 'cycleSwarm',
          message: 'depends_on forms a cycle (a -> b -> a): docker compose refuses the file, and docker stack deploy ignores depends_on; remove one of the dependencies',
          line: 12,
          column: 18,
          service: 'b',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'target swarm: the long form, with a close name',
      code: { 'stack.yml': 'services:\n  api:\n    image: api:1\n    depends_on:\n      postgress:\n        condition: service_healthy\n  postgres:\n    image: postgres:16\n' },
      errors: [{ messageId: 'unknownSwarm', message: /^service "api" depends on "postgress", which is not a service of this file \(did you mean "postgres"\?\): docker compose/, line: 5, column: 7, endColumn: 16, severity: 'warning' }],
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

describe('a depends_on chain of 20,000 services', () => {
  // The cycle search walked a chain with one call per service: about 4,500 of them overflowed the
  // call stack ("internal error: Maximum call stack size exceeded", exit 3).
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-depends-on-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const n = 20_000;
  const lintChain = (name: string, last: string, long: boolean) => {
    let t = 'services:\n';
    for (let i = 0; i < n; i++) {
      const dep = i + 1 < n ? `s${i + 1}` : last;
      t += long ? `  s${i}:\n    image: x:1\n    depends_on:\n      ${dep}:\n        condition: service_healthy\n` : `  s${i}:\n    image: x:1\n    depends_on: [${dep}]\n`;
    }
    const file = join(dir, name);
    writeFileSync(file, t);
    return lintProject({ files: [file], environment: {}, rules: [rule] }).findings.filter((f) => f.ruleId === 'depends-on');
  };

  it('closed back to its first service: one cycle, at the last edge', () => {
    const found = lintChain('cycle.yml', 's0', false);
    expect(found).toHaveLength(1);
    // a long cycle is shown by its ends
    expect(found[0]!.message).toBe(`depends_on forms a cycle (s0 -> s1 -> s2 -> s3 -> s4 -> ... -> s${n - 4} -> s${n - 3} -> s${n - 2} -> s${n - 1} -> s0, ${n} services): no service of it can start first; remove one of the dependencies`);
    expect(found[0]!).toMatchObject({ service: `s${n - 1}`, line: 3 * n + 1, column: 18 });
  });

  it('every service also depending on the first: 20 cycles listed, the rest counted in one finding (each had been a finding as long as the file)', () => {
    let t = 'services:\n';
    for (let i = 0; i < 4_000; i++) t += `  s${i}:\n    image: x:1\n    depends_on: [${i + 1 < 4_000 ? `s${i + 1}, ` : ''}s0]\n`;
    const file = join(dir, 'fan.yml');
    writeFileSync(file, t);
    const found = lintProject({ files: [file], environment: {}, rules: [rule] }).findings.filter((f) => f.ruleId === 'depends-on');
    expect(found.filter((f) => f.message.startsWith('depends_on forms a cycle'))).toHaveLength(20);
    expect(found.filter((f) => f.message.startsWith('depends_on closes')).map((f) => f.message)).toEqual(['depends_on closes 3980 more cycles (not listed: remove the dependencies of the cycles above, then lint again)']);
    expect(found.reduce((n, f) => n + f.message.length, 0)).toBeLessThan(10_000);
  });

  it('ending in a missing service, in the long form: that service reported, no cycle', () => {
    const found = lintChain('open.yml', 'nowhere', true);
    expect(found.map((f) => [f.service, f.message])).toEqual([[`s${n - 1}`, `service "s${n - 1}" depends on "nowhere", which is not a service of this file; fix the name or remove the dependency`]]);
  });
});

describe('size', () => {
  // one service linking to, and taking volumes from, n services, besides n of depends_on: each entry
  // was looked for in every entry before it
  const text = (n: number) =>
    `services:\n  a:\n    image: a:1\n    links:\n${Array.from({ length: n }, (_, i) => `      - l${i}:alias${i}\n`).join('')}    volumes_from:\n${Array.from({ length: n }, (_, i) => `      - v${i}\n`).join('')}    depends_on: [${Array.from({ length: n }, (_, i) => `d${i}`).join(', ')}]\n`;
  it('finds the dependencies compose adds in time in proportion to the entries', () => {
    const [small, large] = stacksOf(text, [500, 8000]).map((stack) => stack.services[0]!);
    const derived = (svc: Service) => derivedDependencies(svc, dependencies(svc));
    expect(derived(small!)).toHaveLength(1000);
    // at 16 times the entries, linear work is about 16 times, a search of the entries before
    // each 256: the bound leaves room for a busy machine
    expect(cpuRatio(derived, small!, large!)).toBeLessThan(100);
  }, 300_000);
});
