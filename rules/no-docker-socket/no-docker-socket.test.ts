import rule, { dockerSocketSource } from './index.js';
import { testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { describe, expect, it } from 'vitest';

describe('dockerSocketSource', () => {
  it('knows the socket, its folders and the Windows pipe', () => {
    expect(dockerSocketSource('/var/run/docker.sock')).toBe('socket');
    expect(dockerSocketSource('//var/run/docker.sock')).toBe('socket');
    expect(dockerSocketSource('/run/user/1000/docker.sock')).toBe('socket');
    expect(dockerSocketSource('\\\\.\\pipe\\docker_engine')).toBe('socket');
    expect(dockerSocketSource('/var/run/')).toBe('folder');
    expect(dockerSocketSource('/run')).toBe('folder');
    expect(dockerSocketSource('/var/run/postgresql')).toBeNull();
    expect(dockerSocketSource('./docker.sock.bak')).toBeNull();
  });
});

testRule(rule, {
  valid: [
    { name: 'other bind mounts and volumes', code: 'services:\n  api:\n    image: api:1\n    volumes:\n      - ./data:/data\n      - logs:/var/log\n      - /var/run/postgresql:/var/run/postgresql\nvolumes:\n  logs: {}\n' },
    { name: 'a named volume called docker.sock is not the socket', code: 'services:\n  api:\n    image: api:1\n    volumes:\n      - type: volume\n        source: docker.sock\n        target: /x\nvolumes:\n  docker.sock: {}\n' },
  ],
  invalid: [
    {
      name: 'a socket proxy holding the socket: a warning about what keeps it safe; another image beside it with the same mount: the error',
      code: 'services:\n  proxy:\n    image: ghcr.io/tecnativa/docker-socket-proxy:0.2\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n  traefik:\n    image: traefik:3.1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n',
      errors: [
        {
          message:
            'service "proxy" is a docker socket proxy (tecnativa/docker-socket-proxy) and mounts the socket (/var/run/docker.sock at /var/run/docker.sock): that is its job, and whoever reaches it gets the API calls it allows; publish no port of it, keep it on an internal network with only its clients, and allow only the API sections they need (read-only ones where possible)',
          line: 5,
          column: 9,
          severity: 'warning',
        },
        { message: /^service "traefik" mounts the docker socket/, line: 9, column: 9, severity: 'error' },
      ],
    },
    {
      // the image a set variable names is not quoted, so it is not told apart: the error
      name: 'a socket proxy named by a set variable: the error, the image not quoted',
      code: 'services:\n  proxy:\n    image: ${PROXY_IMAGE}\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock\n',
      env: { PROXY_IMAGE: 'tecnativa/docker-socket-proxy:0.2' },
      errors: [{ message: /^service "proxy" mounts the docker socket/, line: 5, column: 9, severity: 'error' }],
    },
    {
      name: 'short syntax, read-only too',
      code: 'services:\n  traefik:\n    image: traefik:3.1\n    volumes:\n      - /var/run/docker.sock:/var/run/docker.sock:ro\n',
      errors: [
        {
          message:
            'service "traefik" mounts the docker socket (/var/run/docker.sock at /var/run/docker.sock), read-only, which does not make the API read-only; access to the socket is root on the host: use a socket proxy that allows only the API calls needed, or remove the mount',
          line: 5,
          column: 9,
          endColumn: 53,
          path: 'services.traefik.volumes[0]',
        },
      ],
    },
    {
      name: 'long syntax, any target',
      code: 'services:\n  agent:\n    image: agent:1\n    volumes:\n      - type: bind\n        source: /var/run/docker.sock\n        target: /tmp/engine.sock\n',
      errors: [{ message: /mounts the docker socket \(\/var\/run\/docker.sock at \/tmp\/engine.sock\); access/, line: 5, column: 9 }],
    },
    {
      name: 'the folder that holds it',
      code: 'services:\n  agent:\n    image: agent:1\n    volumes:\n      - /var/run:/host/run\n',
      errors: [{ messageId: 'folder', line: 5, column: 9 }],
    },
    {
      name: 'from ${DOCKER_SOCK:-...} and through an anchor',
      code: 'x-sock: &sock\n  volumes:\n    - ${DOCKER_SOCK:-/var/run/docker.sock}:/var/run/docker.sock\nservices:\n  a:\n    <<: *sock\n    image: a:1\n',
      errors: [{ messageId: 'socket', line: 3, column: 7 }],
    },
    {
      name: 'the Windows named pipe',
      code: 'services:\n  agent:\n    image: agent:1\n    volumes:\n      - type: npipe\n        source: \\\\.\\pipe\\docker_engine\n        target: \\\\.\\pipe\\docker_engine\n',
      errors: [{ messageId: 'socket', line: 5, column: 9 }],
    },
  ],
});

testReadmeExamples(rule, { incorrect: 1 });
