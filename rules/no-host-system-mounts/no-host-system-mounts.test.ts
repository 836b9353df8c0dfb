import rule, { normalizeHostPath, systemPath } from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { describe, expect, it } from 'vitest';
import type { Stack } from '../../src/model/types.js';
import { cpuRatio } from '../../test/helpers/measure.js';
import { runWithNewOptions, stacksOf } from '../../test/helpers/sized-stacks.js';

describe('systemPath', () => {
  it('the root, system directories and what is under them; the longest directory names it', () => {
    expect(systemPath('/')?.dir).toBe('/');
    expect(systemPath('//')?.dir).toBe('/');
    expect(systemPath('/etc')?.dir).toBe('/etc');
    expect(systemPath('/etc/nginx/')?.dir).toBe('/etc');
    expect(systemPath('/var/lib/docker/containers')?.dir).toBe('/var/lib/docker');
    expect(systemPath('/var/lib/../lib/docker')?.dir).toBe('/var/lib/docker');
    expect(systemPath('/etc/localtime')).toMatchObject({ dir: '/etc', readable: true });
    expect(systemPath('/etc')?.what).toBe("the host's configuration (users, password hashes, sudoers, SSH and service settings)");
    expect(systemPath('/etc/pihole')?.what).toBe("a part of /etc, the host's configuration (users, password hashes, sudoers, SSH and service settings)");
    expect(systemPath('/dev/shm')?.dir).toBe('/dev/shm');
    for (const p of ['/dev/null', '/srv/data', '/home/app', '/var/log', '/var/lib/postgresql', './etc', 'etc', '/run', '/var/run/docker.sock', '/etcetera', '/proceed'])
      expect(systemPath(p), p).toBeNull();
  });

  it('normalizes host paths', () => {
    expect(normalizeHostPath('//etc/./nginx/')).toBe('/etc/nginx');
    expect(normalizeHostPath('/a/../../b')).toBe('/b');
    expect(normalizeHostPath('./x')).toBe('./x');
  });
});

testRule(rule, {
  valid: [
    {
      name: 'project files, named volumes, other host paths and commonly read files read-only',
      code: `services:
  app:
    image: myorg/app:1.4
    volumes:
      - ./config:/etc/app:ro
      - data:/var/lib/app
      - /srv/uploads:/uploads
      - /etc/localtime:/etc/localtime:ro
      - type: bind
        source: /etc/ssl/certs
        target: /etc/ssl/certs
        read_only: true
      - type: volume
        source: etc
        target: /host/etc
volumes:
  data: {}
  etc: {}
`,
    },
    { name: 'the docker socket folders are no-docker-socket\'s', code: 'services:\n  agent:\n    image: myorg/agent:1\n    volumes:\n      - /var/run:/var/run\n      - /run/docker.sock:/run/docker.sock\n' },
    {
      name: 'allowPaths: a monitoring agent\'s reads, written down',
      code: 'services:\n  cadvisor:\n    image: gcr.io/cadvisor/cadvisor:v0.49.1\n    volumes:\n      - /:/rootfs:ro\n      - /sys:/sys:ro\n      - /var/lib/docker/:/var/lib/docker:ro\n',
      options: { allowPaths: ['/', '/sys', '/var/lib/docker'] },
    },
  ],
  invalid: [
    {
      name: 'the host root writable (short syntax): an error that names what it gives',
      code: 'services:\n  agent:\n    image: myorg/agent:2.1\n    volumes:\n      - /:/rootfs\n',
      errors: [
        {
          message:
            "service \"agent\" mounts / from the host writable at /rootfs, which gives it the host's whole filesystem: a process in the container can change the host; mount only the files it needs, read-only (/:/rootfs:ro)",
          line: 5,
          column: 9,
          endColumn: 18,
          severity: 'error',
          path: 'services.agent.volumes[0]',
        },
      ],
    },
    {
      name: 'read-only mounts are warnings; writable system directories errors (short and long syntax)',
      code: `services:
  cadvisor:
    image: gcr.io/cadvisor/cadvisor:v0.49.1
    volumes:
      - /:/rootfs:ro
      - /sys:/sys:ro
      - /var/lib/docker/:/var/lib/docker:ro
      - /dev/disk/:/dev/disk:ro
  tool:
    image: myorg/tool:3
    volumes:
      - type: bind
        source: /etc
        target: /host/etc
      - type: bind
        source: /proc
        target: /host/proc
        read_only: true
      - /boot:/boot
      - /root/.ssh:/keys
`,
      errors: [
        { messageId: 'readOnly', line: 5, column: 9, severity: 'warning', service: 'cadvisor' },
        { messageId: 'readOnly', line: 6, column: 9, severity: 'warning' },
        { message: /mounts \/var\/lib\/docker\/ from the host at \/var\/lib\/docker, read-only, which still shows it docker's data: every container's files, images and volumes; mount only the files it needs, or add the path to allowPaths if it must read them$/, line: 7, column: 9, severity: 'warning' },
        { message: /mounts \/dev\/disk\/ from the host at \/dev\/disk, read-only, which still shows it a part of \/dev, the host's devices \(its disks among them\);/, line: 8, column: 9, severity: 'warning' },
        { messageId: 'writable', line: 12, column: 9, severity: 'error', service: 'tool', path: 'services.tool.volumes[0]' },
        { messageId: 'readOnly', line: 15, column: 9, severity: 'warning', path: 'services.tool.volumes[1]' },
        { messageId: 'writable', line: 19, column: 9, severity: 'error' },
        { message: /mounts \/root\/.ssh from the host writable at \/keys, which gives it a part of \/root, root's home \(SSH keys, shell start-up files\)/, line: 20, column: 9, severity: 'error' },
      ],
    },
    {
      name: 'a commonly read file mounted writable: a warning to add :ro',
      code: 'services:\n  app:\n    image: myorg/app:1.4\n    volumes:\n      - /etc/localtime:/etc/localtime\n',
      errors: [{ message: 'service "app" mounts /etc/localtime from the host writable at /etc/localtime; a container only needs to read it: add :ro (/etc/localtime:/etc/localtime:ro)', line: 5, column: 9, severity: 'warning' }],
    },
    {
      name: 'from ${VAR:-default}, normalised, and through an anchor (reported for each service)',
      code: 'x-host: &host\n  - ${HOST_ROOT:-//}:/host\nservices:\n  a:\n    image: myorg/a:1\n    volumes: *host\n  b:\n    image: myorg/b:1\n    volumes: *host\n',
      errors: [
        { messageId: 'writable', line: 2, column: 5, service: 'a' },
        { messageId: 'writable', line: 2, column: 5, service: 'b' },
      ],
    },
    {
      name: 'an override file adds the mount: reported in that file',
      code: { 'compose.yaml': 'services:\n  app:\n    image: myorg/app:1.4\n', 'compose.override.yaml': 'services:\n  app:\n    volumes:\n      - /etc:/etc\n' },
      lint: ['compose.yaml', 'compose.override.yaml'],
      errors: [{ messageId: 'writable', line: 4, column: 9, file: 'compose.override.yaml' }],
    },
  ],
});

describe('allowPaths in proportion to the input', () => {
  // thousands of allowPaths over thousands of system mounts: each mount compared with every
  // allowed path cost their product; the mount's folders are looked up instead
  it('takes time in proportion to the allowed paths and the mounts, not their product', () => {
    const text = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  s${i}:\n    image: app:1\n    volumes: ["/etc/app-${i}/conf.d:/conf"]\n`).join('')}`;
    const allowPaths = (n: number) => [...Array.from({ length: n }, (_, i) => `/etc/other-${i}`), '/etc/app-1/', '/etc/app-2/conf.d'];
    const [small, large] = stacksOf(text, [1000, 16_000]);
    const run = ([stack, n]: [Stack, number]) => runWithNewOptions(stack, rule, () => ({ allowPaths: allowPaths(n) }));
    const inputs: Array<[Stack, number]> = [
      [small!, 1000],
      [large!, 16_000],
    ];
    expect(run(inputs[0]!)).toHaveLength(998);
    // linear work is about 16 times at 16 times the allowed paths and mounts; each against each 256
    expect(cpuRatio(run, inputs[0]!, inputs[1]!)).toBeLessThan(100);
  }, 300_000);
});

testReadmeExamples(rule, { incorrect: 3 });
