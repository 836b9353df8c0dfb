import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixProject } from '../../src/fix/fix-project.js';
import { resolveReservationRatio } from '../../src/model/sizing.js';
import { describeTotals } from '../../src/model/resource-totals.js';
import rule from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    {
      name: 'limits and smaller reservations',
      code: `services:
  api:
    image: api:1
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 512M}
        reservations: {cpus: "0.25", memory: 256M}
`,
    },
    {
      name: 'limits through a merge key',
      code: `x-limits: &limits
  deploy:
    resources:
      limits:
        cpus: '1'
        memory: 1g
services:
  api:
    <<: *limits
    image: api:1
`,
    },
    {
      name: 'limits from ${VAR:-default}',
      code: `services:
  api:
    image: api:1
    deploy:
      resources:
        limits:
          memory: \${API_MEMORY_LIMIT:-1g}
          cpus: "\${API_CPU_LIMIT:-1}"
        reservations:
          memory: 512m
`,
    },
    {
      name: 'limits completed by an override file',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: api:1\n    deploy:\n      resources:\n        limits:\n          cpus: "1"\n',
        'compose.override.yaml': 'services:\n  api:\n    deploy:\n      resources:\n        limits:\n          memory: 1G\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
    },
    { name: 'compose: cpus and mem_limit limit the container as deploy.resources.limits does', code: 'services:\n  cache:\n    image: redis:7.2\n    mem_limit: 1g\n    cpus: 2\n' },
  ],
  invalid: [
    {
      name: 'compose: a mem_limit of 0 (written as "0" or 0m too) is no limit, as compose-go reads it',
      code: 'services:\n  worker:\n    image: myorg/worker:1\n    cpus: 1\n    mem_limit: "0"\n  batch:\n    image: myorg/batch:1\n    cpus: "0.5"\n    mem_limit: 0m\n',
      errors: [
        { message: 'service "worker" sets no memory limit; add deploy.resources.limits.memory', line: 2, column: 3, endColumn: 9 },
        { message: 'service "batch" sets no memory limit; add deploy.resources.limits.memory', line: 6, column: 3, endColumn: 8 },
      ],
    },
    {
      name: 'compose: mem_limit alone leaves the CPU unlimited; swarm: docker stack deploy has neither key',
      code: {
        'compose.yaml': 'services:\n  worker:\n    image: myorg/worker:1\n    mem_limit: 512m\n',
        'stack.yml': 'services:\n  cache:\n    image: redis:7.2\n    mem_limit: 1g\n    cpus: 2\n',
      },
      lint: ['compose.yaml'],
      errors: [{ message: 'service "worker" sets no CPU limit; add deploy.resources.limits.cpus', line: 2, column: 3, endColumn: 9 }],
    },
    {
      name: 'swarm: cpus and mem_limit are not limits docker stack deploy applies',
      code: { 'stack.yml': 'services:\n  cache:\n    image: redis:7.2\n    mem_limit: 1g\n    cpus: 2\n' },
      errors: [{ message: 'service "cache" sets no CPU or memory limit; add deploy.resources.limits.cpus and .memory', line: 2, column: 3 }],
    },
    {
      name: 'no deploy at all: points at the service name',
      code: 'services:\n  api:\n    image: api:1\n',
      errors: [{ messageId: 'missing', message: 'service "api" sets no CPU or memory limit; add deploy.resources.limits.cpus and .memory', line: 2, column: 3, endLine: 2, endColumn: 6, path: 'services.api', service: 'api' }],
    },
    {
      name: 'memory missing: points at limits',
      code: 'services:\n  api:\n    image: api:1\n    deploy:\n      resources:\n        limits:\n          cpus: "1"\n',
      errors: [{ message: 'service "api" sets no memory limit; add deploy.resources.limits.memory', line: 6, column: 9, endColumn: 15, path: 'services.api.deploy.resources.limits' }],
    },
    {
      name: 'reservation above limit after interpolation (default used)',
      code: 'services:\n  api:\n    image: api:1\n    deploy:\n      resources:\n        limits:\n          cpus: "1"\n          memory: ${MEM:-256M}\n        reservations:\n          memory: 512M\n',
      errors: [
        {
          message: 'service "api" reserves 512M of memory but is limited to 256M; a reservation must not exceed its limit (lower deploy.resources.reservations.memory)',
          line: 10,
          column: 19,
          endColumn: 23,
          path: 'services.api.deploy.resources.reservations.memory',
        },
      ],
    },
    {
      name: 'reservation above limit with the variable set: its value is not shown, what the file wrote is',
      code: 'services:\n  api:\n    image: api:1\n    deploy:\n      resources:\n        limits:\n          cpus: "${CPU:-4}"\n          memory: 1G\n        reservations:\n          cpus: "2"\n',
      env: { CPU: '0.5' },
      errors: [{ message: /reserves 2 CPUs of CPU but is limited to \$\{CPU:-4\}; /, line: 10, column: 17 }],
    },
    {
      name: 'inherited through a merge key: reported on the service that lacks it',
      code: `x-base: &base
  image: api:1
  deploy:
    resources:
      limits:
        cpus: '1'
services:
  api:
    <<: *base
`,
      errors: [{ message: 'service "api" sets no memory limit; add deploy.resources.limits.memory', line: 5, column: 7 }],
    },
    {
      name: 'extends from another file keeps the base file position',
      code: {
        'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: web:1\n    deploy:\n      resources:\n        limits:\n          memory: 1G\n',
      },
      errors: [{ message: 'service "web" sets no CPU limit; add deploy.resources.limits.cpus', line: 6, column: 9, file: 'base.yaml' }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 2 });

describe('reservations the fix adds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-reservations-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'compose.yaml');
  writeFileSync(file, '# the api\nservices:\n  api:\n    image: node:20 # backend\n    deploy:\n      replicas: 3\n');
  const fixed = (reservationRatio?: unknown) =>
    fixProject({ files: [file], environment: {}, only: ['resource-limits'], settings: reservationRatio === undefined ? {} : { 'resource-limits': { options: { reservationRatio } } } });

  it('by default a fifth of the CPU limit and half of the memory limit (the seed example\'s proportions)', () => {
    const r = fixed();
    expect(r.files[0]!.output).toBe(
      "# the api\nservices:\n  api:\n    image: node:20 # backend\n    deploy:\n      replicas: 3\n      resources:\n        limits:\n          cpus: '2'\n          memory: 2G\n        reservations:\n          cpus: '0.4'\n          memory: 1G\n",
    );
    // the totals count the replicas
    expect(r.resources.before).toEqual({ reservedCpus: 0, reservedMemory: 0, limitCpus: 0, limitMemory: 0, tasks: 3, unlimited: 1, global: 0 });
    expect(r.resources.after).toEqual({ reservedCpus: 1.2000000000000002, reservedMemory: 3 * 1024 ** 3, limitCpus: 6, limitMemory: 6 * 1024 ** 3, tasks: 3, unlimited: 0, global: 0 });
    expect(r.dropped).toEqual([]);
    const again = fixProject({ files: [file], environment: {}, only: ['resource-limits'], readText: () => r.files[0]!.output });
    expect(again.applied).toEqual([]);
  });

  it('a Java heap counts only as the file wrote it: not from a set variable, not beyond 1 TiB', () => {
    const heap = join(dir, 'heap.yaml');
    writeFileSync(heap, 'services:\n  api:\n    image: eclipse-temurin:21-jre\n    environment:\n      JAVA_OPTS: ${JAVA_OPTS}\n    command: java -Xmx999999999t -jar /app.jar\n');
    const r = fixProject({ files: [heap], environment: { JAVA_OPTS: '-Xmx7777m' }, only: ['resource-limits'] });
    expect(r.files[0]!.output).toContain('          memory: 2G\n');
    expect(r.applied.map((a) => a.description).join('\n')).not.toMatch(/heap|7777/);
  });

  it('reservationRatio: one number sets both (as before), an object sets each', () => {
    expect(fixed(0.5).files[0]!.output).toContain("reservations:\n          cpus: '1'\n          memory: 1G\n");
    expect(fixed({ cpus: 0.25 }).files[0]!.output).toContain("reservations:\n          cpus: '0.5'\n          memory: 1G\n");
    expect(fixed({ memory: 0.25 }).files[0]!.output).toContain("reservations:\n          cpus: '0.4'\n          memory: 512M\n");
  });

  it('a ratio outside (0, 1] means no fix, with the reason', () => {
    expect(() => resolveReservationRatio({ cpus: 0 })).toThrow('reservation ratio for cpus must be above 0 and at most 1, not 0');
    expect(() => resolveReservationRatio(2)).toThrow('reservation ratio must be above 0 and at most 1, not 2');
    expect(resolveReservationRatio(undefined)).toEqual({ cpus: 0.2, memory: 0.5 });
  });

  it('describeTotals: before → after, replicas and global services', () => {
    const r = fixed();
    expect(describeTotals(r.resources.before, r.resources.after)).toBe(
      'reserved 0.00 → 1.20 CPUs and 0 → 3 GiB; limits 0.00 → 6.00 CPUs and 0 → 6 GiB (3 tasks, replicas counted)',
    );
    expect(describeTotals(r.resources.after, r.resources.after)).toBeNull();
  });
});
