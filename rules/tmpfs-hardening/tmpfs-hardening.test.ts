import { describe, expect, it } from 'vitest';
import rule from './index.js';
import { stacksOf } from '../../test/helpers/sized-stacks.js';
import { runRules } from '../../src/engine/run-rules.js';
import type { Stack } from '../../src/model/types.js';
import { cpuRatio } from '../../test/helpers/measure.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

testRule(rule, {
  valid: [
    {
      name: 'hardened short tmpfs and a read-only root',
      code: `services:
  api:
    image: api:1
    read_only: true
    tmpfs:
      - /tmp:size=64m,noexec,nosuid
      - /run:mode=755,noexec,nosuid,nodev,size=1m
`,
    },
    {
      name: 'string form',
      code: 'services:\n  api:\n    image: api:1\n    tmpfs: /run:noexec,nosuid,size=1m\n',
    },
    {
      name: 'long syntax with tmpfs.size gives a read-only service its /tmp',
      code: `services:
  api:
    image: api:1
    read_only: true
    volumes:
      - type: tmpfs
        target: /tmp
        tmpfs:
          size: 67108864
      - type: tmpfs
        target: /cache
        tmpfs: {size: 1g, mode: 1777}
`,
    },
    {
      name: 'a writable volume at /tmp/ (trailing slash) is a writable /tmp',
      code: 'services:\n  api:\n    image: api:1\n    read_only: true\n    volumes:\n      - scratch:/tmp/\nvolumes:\n  scratch: {}\n',
    },
    {
      name: 'size as a percentage of memory, or in blocks',
      code: 'services:\n  api:\n    image: api:1\n    tmpfs:\n      - /a:size=10%,noexec,nosuid\n      - /b:nr_blocks=100,noexec,nosuid\n',
    },
    {
      name: 'no tmpfs and no read_only: nothing to check',
      code: 'services:\n  api:\n    image: api:1\n    read_only: false\n    volumes:\n      - type: bind\n        source: ./data\n        target: /data\n',
    },
    {
      name: 'through an alias and a merge key',
      code: `x-tmpfs: &tmpfs
  - /tmp:size=64m,noexec,nosuid
x-hardened: &hardened
  read_only: true
  tmpfs: *tmpfs
services:
  api:
    <<: *hardened
    image: api:1
  worker:
    image: worker:1
    read_only: true
    tmpfs: *tmpfs
`,
    },
    {
      name: '${VAR:-default} in the options and in read_only',
      code: 'services:\n  api:\n    image: api:1\n    read_only: ${READ_ONLY:-false}\n    tmpfs:\n      - /tmp:size=${TMP_SIZE:-64m},noexec,nosuid\n',
    },
    {
      name: 'an override file appends to tmpfs, it does not replace it',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: api:1\n    read_only: true\n    tmpfs: /tmp:size=64m,noexec,nosuid\n',
        'compose.override.yaml': 'services:\n  api:\n    tmpfs:\n      - /run:size=1m,noexec,nosuid\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
    },
    {
      name: 'extends a hardened service from another file',
      code: {
        'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: web:1\n    read_only: true\n    tmpfs: ["/tmp:size=64m,noexec,nosuid"]\n',
      },
    },
  ],
  invalid: [
    {
      name: 'swarm: a short tmpfs is not made, so it is neither checked nor a writable /tmp',
      code: { 'stack.yml': 'services:\n  api:\n    image: myorg/api:1\n    read_only: true\n    tmpfs:\n      - /tmp\n  web:\n    image: myorg/web:1\n    read_only: true\n    volumes:\n      - type: tmpfs\n        target: /tmp\n        tmpfs:\n          size: 1048576\n' },
      errors: [
        {
          messageId: 'readOnlyNoTmpSwarm',
          message:
            'service "api" sets read_only: true but its tmpfs at /tmp is not made by docker stack deploy, so programs that write temporary files fail; add a tmpfs volume for /tmp (docker stack deploy makes only volumes: mounts), e.g. a volume with type: tmpfs, target: /tmp and tmpfs.size: 67108864',
          line: 4,
          column: 5,
          path: 'services.api.read_only',
        },
      ],
    },
    {
      name: 'swarm: a read-only service with no /tmp at all',
      code: { 'stack.yml': 'services:\n  api:\n    image: myorg/api:1\n    read_only: true\n' },
      errors: [{ messageId: 'readOnlyNoTmpSwarm', message: /^service "api" sets read_only: true but mounts nothing writable at \/tmp, so/, line: 4, column: 5 }],
    },
    {
      name: 'bare short tmpfs: no size, no noexec/nosuid',
      code: 'services:\n  api:\n    image: api:1\n    tmpfs:\n      - /tmp\n',
      errors: [
        {
          messageId: 'noSize',
          message: 'service "api" mounts tmpfs "/tmp" with no size limit; add a size option, e.g. "/tmp:size=64m"',
          line: 5,
          column: 9,
          endLine: 5,
          endColumn: 13,
          path: 'services.api.tmpfs[0]',
          service: 'api',
          severity: 'warning',
        },
        {
          messageId: 'missingOptions',
          message: 'service "api" mounts tmpfs "/tmp" without noexec and nosuid; add noexec and nosuid to its options, e.g. "/tmp:noexec,nosuid"',
          line: 5,
          column: 9,
          endColumn: 13,
          path: 'services.api.tmpfs[0]',
        },
      ],
    },
    {
      name: 'string form with size=0 (no limit to the kernel)',
      code: 'services:\n  api:\n    image: api:1\n    tmpfs: "/run:size=0"\n',
      errors: [
        {
          message: 'service "api" mounts tmpfs "/run" with size=0, which means no limit; add a size option, e.g. "/run:size=64m"',
          line: 4,
          column: 12,
          endColumn: 25,
          path: 'services.api.tmpfs',
        },
        { message: 'service "api" mounts tmpfs "/run" without noexec and nosuid; add noexec and nosuid to its options, e.g. "/run:size=0,noexec,nosuid"', line: 4, column: 12 },
      ],
    },
    {
      name: 'size=0 with a unit: the example replaces it, as the fix does',
      code: 'services:\n  api:\n    image: api:1\n    tmpfs: "/run:size=0m,noexec,nosuid"\n',
      errors: [
        {
          message: 'service "api" mounts tmpfs "/run" with size=0, which means no limit; add a size option, e.g. "/run:size=64m,noexec,nosuid"',
          line: 4,
          column: 12,
          endColumn: 40,
        },
      ],
    },
    {
      name: 'names only the missing option, and the one that undoes it',
      code: 'services:\n  api:\n    image: api:1\n    tmpfs:\n      - /tmp:size=64m,noexec,suid\n      - /run:nosuid,size=1m\n',
      errors: [
        {
          message: 'service "api" mounts tmpfs "/tmp" without nosuid (it sets suid); add nosuid to its options, e.g. "/tmp:size=64m,noexec,nosuid"',
          line: 5,
          column: 9,
          endColumn: 34,
        },
        { message: 'service "api" mounts tmpfs "/run" without noexec; add noexec to its options, e.g. "/run:nosuid,size=1m,noexec"', line: 6, column: 9 },
      ],
    },
    {
      name: 'long syntax without a size: at the type key, or at the tmpfs options',
      code: `services:
  api:
    image: api:1
    volumes:
      - type: tmpfs
        target: /cache
      - type: tmpfs
        target: /run
        tmpfs:
          mode: 1777
      - type: tmpfs
        target: /scratch
        tmpfs:
          size: 0
`,
      errors: [
        {
          messageId: 'noSizeLong',
          message: 'service "api" mounts tmpfs "/cache" with no size limit; set tmpfs.size on the mount, e.g. tmpfs: {size: 64m}',
          line: 5,
          column: 9,
          endColumn: 13,
          path: 'services.api.volumes[0]',
        },
        { message: /tmpfs "\/run" with no size limit/, line: 9, column: 9, endColumn: 14, path: 'services.api.volumes[1].tmpfs' },
        {
          message: 'service "api" mounts tmpfs "/scratch" with tmpfs.size 0, which means no limit; set tmpfs.size on the mount, e.g. tmpfs: {size: 64m}',
          line: 14,
          column: 17,
          endColumn: 18,
          path: 'services.api.volumes[2].tmpfs.size',
        },
      ],
    },
    {
      name: 'read_only without a /tmp',
      code: 'services:\n  api:\n    image: api:1\n    read_only: true\n    tmpfs:\n      - /run:size=1m,noexec,nosuid\n',
      errors: [
        {
          messageId: 'readOnlyNoTmp',
          message:
            'service "api" sets read_only: true but mounts nothing writable at /tmp, so programs that write temporary files fail; add a tmpfs for /tmp, e.g. tmpfs: ["/tmp:size=64m,noexec,nosuid"]',
          line: 4,
          column: 5,
          endLine: 4,
          endColumn: 14,
          path: 'services.api.read_only',
          service: 'api',
        },
      ],
    },
    {
      name: 'read_only with /tmp mounted read-only (volume :ro, or a tmpfs with ro)',
      code: `services:
  api:
    image: api:1
    read_only: true
    volumes:
      - ./tmp:/tmp:ro
  worker:
    image: worker:1
    read_only: "true"
    tmpfs:
      - /tmp:ro,size=64m,noexec,nosuid
`,
      errors: [
        { message: /^service "api" sets read_only: true but mounts \/tmp read-only, so/, line: 4, column: 5 },
        { message: /^service "worker" sets read_only: true but mounts \/tmp read-only, so/, line: 9, column: 5 },
      ],
    },
    {
      name: 'through an alias: reported at the anchor, for the service that uses it',
      code: `x-tmpfs: &tmpfs
  - /tmp
x-base: &base
  image: api:1
  read_only: true
services:
  api:
    tmpfs: *tmpfs
    image: api:1
  worker:
    <<: *base
`,
      errors: [
        { messageId: 'noSize', line: 2, column: 5, service: 'api', path: 'services.api.tmpfs[0]' },
        { messageId: 'missingOptions', line: 2, column: 5, service: 'api' },
        { messageId: 'readOnlyNoTmp', line: 5, column: 3, endColumn: 12, service: 'worker', path: 'services.worker.read_only' },
      ],
    },
    {
      name: '${VAR:-default}: the interpolated values are checked, positions stay on the source',
      code: 'services:\n  api:\n    image: api:1\n    read_only: ${READ_ONLY:-true}\n    tmpfs:\n      - /run:size=${RUN_SIZE:-0},noexec,nosuid\n',
      errors: [
        { messageId: 'readOnlyNoTmp', line: 4, column: 5 },
        { message: /tmpfs "\/run" with size=0, which means no limit; add a size option, e.g. "\/run:size=64m,noexec,nosuid"$/, line: 6, column: 9, endColumn: 47 },
      ],
    },
    {
      name: '${VAR:-default} with the variable set',
      code: 'services:\n  api:\n    image: api:1\n    tmpfs:\n      - /run:size=${RUN_SIZE:-1m},noexec,nosuid\n',
      env: { RUN_SIZE: '0' },
      errors: [{ message: /size=0, which means no limit/, line: 5, column: 9 }],
    },
    {
      name: 'an override file adds an unhardened tmpfs: reported in the override file',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: api:1\n    read_only: true\n    tmpfs:\n      - /tmp:size=64m,noexec,nosuid\n',
        'compose.override.yaml': 'services:\n  api:\n    tmpfs:\n      - /run\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [
        { messageId: 'noSize', line: 4, column: 9, file: 'compose.override.yaml' },
        { messageId: 'missingOptions', line: 4, column: 9, file: 'compose.override.yaml' },
      ],
    },
    {
      name: 'an override file turns read_only on',
      code: {
        'compose.yaml': 'services:\n  api:\n    image: api:1\n    tmpfs: /run:size=1m,noexec,nosuid\n',
        'compose.override.yaml': 'services:\n  api:\n    read_only: true\n',
      },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ messageId: 'readOnlyNoTmp', line: 3, column: 5, file: 'compose.override.yaml' }],
    },
    {
      name: 'extends from another file keeps the base file position',
      code: {
        'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n',
        'base.yaml': 'services:\n  base:\n    image: web:1\n    read_only: true\n    volumes:\n      - type: tmpfs\n        target: /tmp\n',
      },
      errors: [{ messageId: 'noSizeLong', line: 6, column: 9, file: 'base.yaml', service: 'web' }],
    },
  ],
});

testReadmeExamples(rule, {
  summarize: (f) => f.message.replace(/;.*/, ''),
  incorrect: [
    'service "api" sets read_only: true but mounts nothing writable at /tmp, so programs that write temporary files fail',
    'service "api" mounts tmpfs "/run" with no size limit',
    'service "api" mounts tmpfs "/run" without noexec and nosuid',
    'service "api" mounts tmpfs "/cache" with no size limit',
  ],
});

describe('size', () => {
  // one service with n tmpfs entries, each without a size: a fix each, and each fix looked for its
  // mount among all of them
  const text = (n: number) => `services:\n  db:\n    image: postgres:16\n    tmpfs:\n${Array.from({ length: n }, (_, i) => `      - /t${i}:noexec,nosuid\n`).join('')}`;
  it('builds the fixes in time in proportion to the entries', () => {
    const [small, large] = stacksOf(text, [2000, 32000], { withFixes: true });
    const run = (stack: Stack) => runRules(stack, [rule], { withFixes: true });
    expect(run(small!).filter((f) => f.fix && f.fix.edits.length > 0)).toHaveLength(2000);
    // at 16 times the entries, linear work is about 16 times, a search of all of them per fix
    // 256: the bound leaves room for a busy machine
    expect(cpuRatio(run, small!, large!)).toBeLessThan(100);
  }, 300_000);
});
