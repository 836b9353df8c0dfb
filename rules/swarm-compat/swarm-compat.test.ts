import { describe, expect, it } from 'vitest';
import rule from './index.js';
import { volumeSpecProblem } from '../../src/parse/go-values.js';
import { lintCase, testRule } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';

/** A file named like a stack, so that auto picks target swarm. */
const stack = (text: string) => ({ 'stack.yml': text });

describe('volumeSpecProblem (docker ParseVolume)', () => {
  it('reads what docker reads', () => {
    expect(volumeSpecProblem('data:/data')).toBeNull();
    expect(volumeSpecProblem('/data')).toBeNull();
    expect(volumeSpecProblem('C:\\data:/data:ro')).toBeNull();
    expect(volumeSpecProblem(':/data')).toBe('empty section between colons');
    expect(volumeSpecProblem('vol:/b:ro:x')).toBe('too many colons');
    expect(volumeSpecProblem('a:b:ro:x')).toBeNull(); // `a:` reads as a Windows drive, as in docker
    expect(volumeSpecProblem('')).toBe('invalid empty volume spec');
  });
});

testRule(rule, {
  valid: [
    { name: 'target compose: compose-only keys are fine', code: 'services:\n  api:\n    image: api:1\n    mem_limit: 1g\n    profiles: [debug]\n    build: .\n' },
    // docker compose names the image of a service with build itself, and compose-go reads any image
    // at load time (it parses no reference: docker compose refuses an invalid one only as it pulls)
    { name: 'target compose: build without image, an image a variable left invalid', code: 'services:\n  api:\n    build: .\n  db:\n    image: postgres:${TAG}\n' },
    { name: 'an image a variable gives whole', code: stack('services:\n  api:\n    image: ${IMAGE:-registry.example.com/api:1.2}\n  web:\n    image: nginx:${TAG}\n'), env: { TAG: '1.27' } },
    {
      name: 'a clean stack file',
      code: stack(
        'version: "3.8"\nx-common: &common\n  image: api:1\nservices:\n  api:\n    <<: *common\n    x-note: fine\n    environment:\n      FLAG: "true"\n      FROM_ENV: ${FLAG:-true}\n      COUNT: 3\n    ports:\n      - "8080:80"\n      - target: 443\n        published: 8443\n        mode: host\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1m30s\n    command: ["sh", "-c", "echo $$HOME ${GREETING:-hi}"]\n    deploy:\n      replicas: ${REPLICAS:-2}\n      resources:\n        limits:\n          cpus: "0.5"\n          memory: 256M\n',
      ),
    },
    { name: 'a typo is the compose schema\'s to report, not swarm-compat\'s', code: stack('services:\n  api:\n    imagee: api:1\n') },
    {
      name: 'several files: no version and "3" go together (docker reads both as the newest)',
      code: { 'stack.yml': 'services:\n  api:\n    image: api:1\n', 'stack.prod.yml': 'version: "3"\nservices:\n  api:\n    environment:\n      A: "1"\n' },
      lint: ['stack.yml', 'stack.prod.yml'],
    },
    {
      name: '.env read for target compose, or variables given with --env-file or in the environment: no warning',
      code: { 'compose.yaml': 'services:\n  api:\n    image: ${IMG}\n', '.env': 'IMG=api:2\n' },
    },
    {
      name: 'with --env-file, .env is not read: nothing to warn about',
      code: { 'stack.yml': 'services:\n  api:\n    image: ${IMG}\n    user: ${USER_ID}\n', '.env': 'IMG=api:2\n', 'prod.env': 'IMG=api:3\nUSER_ID=1000\n' },
      envFiles: ['prod.env'],
    },
    {
      name: 'a variable .env sets and the environment sets too',
      code: { 'stack.yml': 'services:\n  api:\n    image: ${IMG}\n', '.env': 'IMG=api:2\n' },
      env: { IMG: 'api:3' },
    },
  ],
  invalid: [
    {
      name: 'several files of different versions: refused as docker refuses them, each checked against the first one\'s schema',
      // x-opts is fine in 3.7, the first file's version (3.3 has no x- keys at the top): not reported
      code: {
        'stack.yml': 'version: "3.7"\nx-opts: &opts\n  image: api:1\nservices:\n  api:\n    <<: *opts\n',
        'stack.override.yml': 'version: "3.3"\nservices:\n  api:\n    environment:\n      A: "1"\n',
      },
      lint: ['stack.yml', 'stack.override.yml'],
      errors: [
        {
          message:
            'docker stack deploy refuses these files together ("version mismatched between two composefiles : 3.7 and 3.3"): stack.yml declares version "3.7" and stack.override.yml version "3.3"; declare the same version in every file, or none in any',
          file: 'stack.override.yml',
          line: 1,
          column: 10,
          endColumn: 15,
        },
      ],
    },
    {
      name: 'a version in one file and none in the other: at the version there is',
      code: { 'stack.yml': 'version: "3.8"\nservices:\n  api:\n    image: api:1\n', 'stack.prod.yml': 'services:\n  api:\n    environment:\n      A: "1"\n' },
      lint: ['stack.yml', 'stack.prod.yml'],
      errors: [{ message: /\("version mismatched between two composefiles : 3\.8 and 3\.13"\): stack\.yml declares version "3\.8" and stack\.prod\.yml no version \(read as "3\.13"\);/, file: 'stack.yml', line: 1, column: 10 }],
    },
    {
      name: 'forbidden keys: at the key, with the swarm way',
      code: stack('services:\n  api:\n    image: api:1\n    mem_limit: 512m\n    memswap_limit: 1g\n'),
      errors: [
        {
          message:
            'service "api" sets mem_limit, which docker stack deploy refuses ("Configuration contains forbidden properties"); limit memory with deploy.resources.limits.memory',
          line: 4,
          column: 5,
          endColumn: 14,
          path: 'services.api.mem_limit',
          service: 'api',
          severity: 'error',
        },
        { message: /sets memswap_limit, which docker stack deploy refuses .*swarm has no swap limit/, line: 5, column: 5 },
      ],
    },
    {
      name: 'extends (resolved while loading) is still found where it is written',
      code: stack('services:\n  base:\n    image: api:1\n  api:\n    extends: base\n'),
      errors: [{ message: /service "api" sets extends, which docker stack deploy refuses .*flatten the file first/, line: 5, column: 5, endColumn: 12, path: 'services.api.extends' }],
    },
    {
      name: 'compose-only service keys, with docker\'s own words',
      code: stack('services:\n  api:\n    image: api:1\n    cpus: 0.5\n    profiles: [debug]\n    sleep_policy:\n      enabled: false\n'),
      errors: [
        { message: 'service "api" sets cpus, which docker stack deploy rejects ("services.api Additional property cpus is not allowed"); set deploy.resources.limits.cpus (a string, such as "0.5")', line: 4, column: 5, endColumn: 9 },
        { message: /sets profiles, which docker stack deploy rejects .*a stack deploys every service it lists/, line: 5, column: 5 },
        { message: /sets sleep_policy, .*rename it to x-sleep-policy/, line: 6, column: 5 },
      ],
    },
    {
      name: 'a boolean in environment: at the value',
      code: stack('services:\n  api:\n    image: api:1\n    environment:\n      DEBUG: true\n'),
      errors: [
        {
          message:
            'docker stack deploy rejects this file: services.api.environment.DEBUG must be a string or a number or null, not the boolean true; quote it ("true"): the stack schema accepts only strings, numbers and null in environment',
          line: 5,
          column: 14,
          endColumn: 18,
          path: 'services.api.environment.DEBUG',
        },
      ],
    },
    {
      name: 'values the stack schema types differently: depends_on long form, a number for cpus, a duration without unit',
      code: stack('services:\n  api:\n    image: api:1\n    depends_on:\n      db:\n        condition: service_healthy\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: "10"\n    deploy:\n      resources:\n        limits:\n          cpus: 0.5\n  db:\n    image: db:1\n'),
      errors: [
        { message: /services\.api\.depends_on must be a list.*accepts only the list form/, line: 5, column: 7, path: 'services.api.depends_on' },
        { message: /services\.api\.healthcheck\.interval must match format "duration".*write a Go duration with a unit/, line: 9, column: 17 },
        { message: /services\.api\.deploy\.resources\.limits\.cpus must be a string.*quote it: cpus: "0\.5"/, line: 13, column: 17 },
      ],
    },
    {
      name: 'a memory size go-units cannot read (512Mi, a word for a unit): docker refuses the file when it decodes it; 512 M and 1.5GB it reads',
      code: stack('services:\n  api:\n    image: api:1\n    deploy:\n      resources:\n        limits:\n          memory: 512Mi\n        reservations:\n          memory: 256 mega\n  web:\n    image: web:1\n    deploy:\n      resources:\n        limits: {memory: 512 M}\n        reservations: {memory: 1.5GB}\n'),
      errors: [
        {
          message:
            'docker stack deploy rejects this file: services.api.deploy.resources.limits.memory is not a size docker reads (invalid suffix: \'mi\'; found the string "512Mi"); write it as a string with a unit, such as "512M"',
          line: 7,
          column: 19,
          endColumn: 24,
          path: 'services.api.deploy.resources.limits.memory',
        },
        { message: /services\.api\.deploy\.resources\.reservations\.memory is not a size docker reads \(invalid suffix: 'mega'; found the string "256 mega"\)/, line: 9, column: 19, endColumn: 27 },
      ],
    },
    {
      name: 'a key the stack schema does not allow is said even where compose reports its value (cpu_percent: 200)',
      code: stack('version: "3.8"\nservices:\n  s:\n    image: nginx:1.27\n    cpu_percent: 200\n'),
      errors: [{ message: /^service "s" sets cpu_percent, which docker stack deploy rejects \("services\.s Additional property cpu_percent is not allowed"\)/, line: 5, column: 5 }],
    },
    {
      name: 'replicas with a global mode: docker stack deploy refuses the service as it creates it',
      code: stack('version: "3.8"\nservices:\n  a:\n    image: nginx:1.27\n    deploy:\n      mode: global\n      replicas: 2\n  b:\n    image: nginx:1.27\n    deploy:\n      mode: replicated\n      replicas: 2\n'),
      errors: [{ message: /^docker stack deploy rejects this file: services\.a\.deploy sets replicas with mode global, which docker stack deploy refuses as it creates the service \("replicas can only be used with replicated or replicated-job mode"\)/, line: 7, column: 7 }],
    },
    {
      name: 'ignored keys are warnings that name the swarm way',
      code: stack('services:\n  api:\n    image: api:1\n    build: .\n    restart: always\n    container_name: api\n    depends_on: [db]\n  db:\n    image: db:1\n    links: [api]\n'),
      errors: [
        { message: 'service "api" sets build, which docker stack deploy ignores; build and push the image first; swarm only pulls image', line: 4, column: 5, severity: 'warning' },
        { message: /sets restart, which docker stack deploy ignores; swarm restarts tasks by deploy\.restart_policy/, line: 5, column: 5, severity: 'warning' },
        { message: /sets container_name, which docker stack deploy ignores/, line: 6, column: 5, severity: 'warning' },
        { message: /sets depends_on, which docker stack deploy ignores; swarm starts services in any order/, line: 7, column: 5, severity: 'warning' },
        { message: /service "db" sets links, which docker stack deploy ignores/, line: 10, column: 5, severity: 'warning' },
      ],
    },
    {
      // docker stack config prints such a file back, but swarmkit refuses the service it makes:
      // validateImage in manager/controlapi/service.go, "ContainerSpec: image reference must be provided"
      name: 'build and no image: an error at the service, where the build warning was',
      code: stack('services:\n  api:\n    build: .\n    ports: ["8080:80"]\n  web:\n    build:\n      context: ./web\n    image: registry.example.com/web:1.4\n'),
      errors: [
        {
          message:
            'service "api" sets build and no image: docker stack deploy ignores build, and swarm cannot create a service without an image ("ContainerSpec: image reference must be provided"); build and push the image first, and set image to it',
          line: 2,
          column: 3,
          endColumn: 6,
          path: 'services.api',
          severity: 'error',
        },
        { messageId: 'ignored', line: 6, column: 5, path: 'services.web.build', severity: 'warning' },
      ],
    },
    {
      // the same refusal for a service with nothing to run (an override's fragment linted alone)
      name: 'neither an image nor a build, in a file alone (most likely a fragment of another): a warning at the service',
      code: stack('services:\n  api:\n    labels: [a=b]\n  web:\n    image: nginx:1.27\n'),
      errors: [
        {
          message:
            'service "api" names neither an image nor a build, and swarm cannot create a service without an image ("ContainerSpec: image reference must be provided"); if this file completes another one, lint the two together (-f stack.yml -f this.yml), else set image',
          line: 2,
          column: 3,
          endColumn: 6,
          path: 'services.api',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'neither an image nor a build in the stack the files make together: an error',
      code: { 'stack.yml': 'services:\n  web:\n    image: nginx:1.27\n', 'stack.prod.yml': 'services:\n  api:\n    labels: [a=b]\n' },
      lint: ['stack.yml', 'stack.prod.yml'],
      errors: [{ messageId: 'noImage', line: 2, column: 3, severity: 'error' }],
    },
    {
      // swarmkit's validateImage refuses the service (distribution/reference's ParseNormalizedNamed:
      // `docker pull postgres:` says "invalid reference format"), though docker stack config prints it
      name: 'an image an unset variable leaves invalid: an error at the value',
      code: stack(
        'services:\n  db:\n    image: postgres:${TAG}\n  backend:\n    image: "ghcr.io/${ORG}/backend:latest"\n  app:\n    image: ${IMAGE}\n    build: .\n  fine:\n    image: postgres:${TAG:-16.4}\n  registry:\n    image: ${REGISTRY}nginx:1.27\n',
      ),
      errors: [
        {
          message:
            'service "db" uses image "postgres:${TAG}" ("postgres:"), which is not a valid image reference (invalid reference format): docker stack deploy fails to create the service ("ContainerSpec: ... is not a valid repository/tag"); set every variable it uses, or give each a default (${NAME:-value})',
          line: 3,
          column: 12,
          endColumn: 27,
          path: 'services.db.image',
          severity: 'error',
        },
        { messageId: 'imageReference', message: /^service "backend" uses image "ghcr\.io\/\$\{ORG\}\/backend:latest" \("ghcr\.io\/\/backend:latest"\), which is not a valid image reference \(invalid reference format\)/, line: 5, column: 12, endColumn: 43 },
        {
          message: /^service "app" uses image "\$\{IMAGE\}" \(""\), which is empty: docker stack deploy fails to create the service \("ContainerSpec: image reference must be provided"\)/,
          line: 7,
          column: 12,
          endColumn: 20,
          severity: 'error',
        },
        { messageId: 'ignored', line: 8, column: 5, path: 'services.app.build', severity: 'warning' },
      ],
    },
    {
      name: 'a set variable that leaves an image invalid: the file\'s text is shown, never the value',
      code: stack('services:\n  api:\n    image: registry.example.com/${TEAM}/api:1.2\n'),
      env: { TEAM: 'Secret-Team' },
      errors: [
        {
          message:
            'service "api" uses image "registry.example.com/${TEAM}/api:1.2", which is not a valid image reference (invalid reference format: repository name must be lowercase): docker stack deploy fails to create the service ("ContainerSpec: ... is not a valid repository/tag"); set every variable it uses, or give each a default (${NAME:-value})',
          line: 3,
          column: 12,
        },
      ],
    },
    {
      name: 'a variable only .env sets in an image: docker stack deploy reads it empty, an invalid image, an error',
      code: { 'stack.yml': 'services:\n  db:\n    image: postgres:${POSTGRES_VERSION}\n  api:\n    image: ${API_IMAGE}\n', '.env': 'POSTGRES_VERSION=16.4\nAPI_IMAGE=api:2\n' },
      errors: [
        { message: /^\$\{POSTGRES_VERSION\} .*there POSTGRES_VERSION is unset and services\.db\.image is "postgres:", where docker stack deploy stops \("ContainerSpec: "postgres:" is not a valid repository\/tag"\);/, line: 3, column: 21, severity: 'error' },
        { message: /^\$\{API_IMAGE\} .*there API_IMAGE is unset and services\.api\.image is "", where docker stack deploy stops \("ContainerSpec: image reference must be provided"\);/, line: 5, column: 12, severity: 'error' },
      ],
    },
    {
      name: 'service-level tmpfs is not made by docker stack deploy',
      code: stack('services:\n  api:\n    image: api:1\n    tmpfs:\n      - /run:size=1m\n'),
      errors: [
        {
          message: 'service "api" sets tmpfs, which docker stack deploy ignores; mount each tmpfs as a volume of type tmpfs instead (volumes: - {type: tmpfs, target: /tmp, tmpfs: {size: 67108864}})',
          line: 4,
          column: 5,
          endColumn: 10,
          severity: 'warning',
          path: 'services.api.tmpfs',
        },
      ],
    },
    {
      name: 'a host IP on a published port: short syntax warns, long syntax is rejected',
      code: stack('services:\n  api:\n    image: api:1\n    ports:\n      - "127.0.0.1:8080:80"\n      - target: 443\n        published: 443\n        host_ip: 127.0.0.1\n'),
      errors: [
        { message: 'port "127.0.0.1:8080:80" binds host IP 127.0.0.1, which docker stack deploy drops: the port listens on 0.0.0.0 (every interface) of every node; publish with mode: host behind a firewall, or do not publish it and reach the service over an overlay network', line: 5, column: 9, endColumn: 28, severity: 'warning' },
        { message: /services\.api\.ports\[1\] sets host_ip, which docker stack deploy rejects \("services\.api\.ports\.1 Additional property host_ip is not allowed"\)/, line: 8, column: 9, severity: 'error' },
      ],
    },
    {
      name: 'version, top-level name and an extension key where swarm allows none',
      code: stack('version: "2.4"\nname: shop\nservices:\n  api:\n    image: api:1\n    deploy:\n      x-team: web\n'),
      errors: [
        { message: 'version "2.4" is not a stack file version: docker stack deploy accepts "3" and "3.0" to "3.13" (or no version key)', line: 1, column: 10, endColumn: 15, path: 'version' },
        { message: /the file sets name, which docker stack deploy rejects \("\(root\) Additional property name is not allowed"\); the stack name is the last argument/, line: 2, column: 1 },
        { message: /services\.api\.deploy sets x-team.*extension keys \(x-\.\.\.\) are allowed only/, line: 7, column: 7 },
      ],
    },
    {
      name: 'what interpolation leaves: a cast docker cannot make, an empty volume source, a bad port',
      code: stack('services:\n  api:\n    image: api:1\n    read_only: ${READ_ONLY}\n    volumes:\n      - ${DATA_DIR}:/data\n    ports:\n      - "${PORT}:"\n'),
      errors: [
        { message: 'services.api.read_only is "" after interpolation, but docker stack deploy needs a boolean there ("failed to cast to expected type")', line: 4, column: 16, endColumn: 28 },
        { message: /mounts "\$\{DATA_DIR\}:\/data" \(":\/data"\), which docker stack deploy cannot read \("invalid spec: :\/data: empty section between colons"\).*set the variable/, line: 6, column: 9 },
        { message: /services\.api\.ports\.0 must match format "ports"/, line: 8, column: 9 },
      ],
    },
    {
      name: 'a "$" docker cannot read: at the "$" itself; ${VAR:+alt} is compose-only',
      code: stack('services:\n  api:\n    image: api:1\n    command: sh -c "echo $(date)"\n    environment:\n      MODE: ${DEBUG:+verbose}\n    entrypoint: |\n      set -e\n      echo cost $ 5\n'),
      errors: [
        { message: /services\.api\.command has a "\$" that docker stack deploy cannot read.*write \$\$ for a literal \$/, line: 4, column: 26, endColumn: 27 },
        { message: /services\.api\.environment\.MODE has a "\$".*docker has no \$\{NAME:\+alt\}/, line: 6, column: 13 },
        { message: /services\.api\.entrypoint has a "\$"/, line: 9, column: 17 },
      ],
    },
    {
      name: 'a "$" in a value shared through an alias and a merge key: once, at the anchor, with the first path that reaches it',
      code: stack('x-env: &env\n  CMD: echo $(date)\nx-base: &base\n  entrypoint: ["sh", "-c", "echo $1"]\nservices:\n  a:\n    <<: *base\n    image: a:1\n    environment: *env\n  b:\n    <<: *base\n    image: b:1\n    environment: *env\n'),
      errors: [
        { message: /^x-env\.CMD has a "\$"/, line: 2, column: 13, endColumn: 14 },
        { message: /^x-base\.entrypoint\[2\] has a "\$"/, line: 4, column: 34, endColumn: 35 },
      ],
    },
    {
      name: 'keys newer than the declared version: at the key, with the version that brought each',
      code: stack('version: "3.3"\nservices:\n  api:\n    image: api:1\n    init: true\n    healthcheck:\n      test: ["CMD", "true"]\n      start_period: 30s\n'),
      errors: [
        {
          message:
            'service "api" sets init, which docker stack deploy rejects ("services.api Additional property init is not allowed"); the file declares version "3.3", whose schema has no init there; it came with 3.7: declare version: "3.7" or later',
          line: 5,
          column: 5,
          endColumn: 9,
        },
        { message: /^services\.api\.healthcheck sets start_period, .*version "3\.3", whose schema has no start_period there; it came with 3\.4: declare version: "3\.4" or later$/, line: 8, column: 7 },
      ],
    },
    {
      name: 'a version written as a number is read as docker reads it: 3.10 is 3.1',
      code: stack('version: 3.10\nservices:\n  api:\n    image: api:1\n    ports:\n      - target: 80\n        published: 8080\n'),
      // (that version is not a string is the compose schema's finding)
      errors: [{ message: /^docker stack deploy rejects this file: services\.api\.ports\.0 must be a string or a number, not a mapping/, line: 6, column: 9 }],
    },
    {
      name: 'variables only .env sets: once each, at the first use, with what the deploy gets instead',
      code: {
        'stack.yml':
          'services:\n  api:\n    image: ${IMG:-api:1}\n    environment:\n      TOKEN: $TOKEN\n      AGAIN: "x-${TOKEN}"\n      HOME_DIR: ${HOME_DIR}\n    deploy:\n      replicas: ${REPLICAS:?set REPLICAS}\n',
        '.env': 'IMG=api:2\nTOKEN=abc\nREPLICAS=2\nHOME_DIR=/srv\n',
      },
      env: { HOME_DIR: '/home/app' },
      errors: [
        {
          message:
            '${IMG} takes its value from .env, which docker stack deploy does not read (it reads variables from the environment only): there IMG is unset and ${IMG:-api:1} gives its default; export the file before deploying (set -a; . ./.env; set +a), or lint with --env-file for the variables the deploy gets',
          line: 3,
          column: 12,
          endColumn: 25,
          severity: 'warning',
          path: 'services.api.image',
        },
        { message: /^\$\{TOKEN\} takes its value from \.env, .*there TOKEN is unset and it becomes an empty string \(1 more place uses it\);/, line: 5, column: 14, endColumn: 20, severity: 'warning' },
        { message: /^\$\{REPLICAS\} .*and \$\{REPLICAS:\?set REPLICAS\} stops the deploy;/, line: 9, column: 17, endColumn: 42, severity: 'error' },
      ],
    },
    {
      name: 'a variable only .env sets in a short volume spec: docker stack deploy reads it empty and refuses the spec, an error',
      code: {
        'stack.yml': 'services:\n  plex:\n    image: linuxserver/plex\n    volumes:\n      - ${PLEX_MEDIA_PATH}:/media/\n',
        '.env': 'PLEX_MEDIA_PATH=/mnt/m\n',
      },
      errors: [{ message: /there PLEX_MEDIA_PATH is unset and services\.plex\.volumes\[0\] is ":\/media\/", where docker stack deploy stops \("invalid spec: :\/media\/: empty section between colons"\)/, line: 5, column: 9, severity: 'error' }],
    },
    {
      name: 'a variable only .env sets where docker parses a number, a duration or a size: the deploy stops there, an error',
      code: {
        'stack.yml':
          'services:\n  web:\n    image: nginx:$TAG\n    ports:\n      - "$PORT:80"\n    healthcheck:\n      test: ["CMD", "true"]\n      retries: $HEALTHCHECK_RETRIES\n      interval: ${INTERVAL}\n    deploy:\n      resources:\n        limits:\n          memory: $MEM\n',
        '.env': 'TAG=1.25\nPORT=8080\nHEALTHCHECK_RETRIES=3\nINTERVAL=10s\nMEM=512M\n',
      },
      errors: [
        // the image is "nginx:", which swarmkit refuses as it creates the service
        { message: /^\$\{TAG\} .*there TAG is unset and services\.web\.image is "nginx:", where docker stack deploy stops \("ContainerSpec: "nginx:" is not a valid repository\/tag"\);/, line: 3, column: 18, endColumn: 22, severity: 'error' },
        // docker publishes ":80" on a port it picks: it deploys
        { message: /^\$\{PORT\} .*there PORT is unset and it becomes an empty string;/, line: 5, column: 10, endColumn: 15, severity: 'warning' },
        {
          message:
            '${HEALTHCHECK_RETRIES} takes its value from .env, which docker stack deploy does not read (it reads variables from the environment only): there HEALTHCHECK_RETRIES is unset and services.web.healthcheck.retries is "", where docker stack deploy stops ("failed to cast to expected type: strconv.Atoi: parsing "": invalid syntax"); export the file before deploying (set -a; . ./.env; set +a), or lint with --env-file for the variables the deploy gets',
          line: 8,
          column: 16,
          endColumn: 36,
          severity: 'error',
          path: 'services.web.healthcheck.retries',
        },
        { message: /^\$\{INTERVAL\} .*services\.web\.healthcheck\.interval is "", where docker stack deploy stops \("Does not match format 'duration'"\);/, line: 9, column: 17, endColumn: 28, severity: 'error' },
        { message: /^\$\{MEM\} .*services\.web\.deploy\.resources\.limits\.memory is "", where docker stack deploy stops \("invalid size: ''"\);/, line: 13, column: 19, endColumn: 23, severity: 'error' },
      ],
    },
    {
      name: 'extends: one error at the extends, naming what the service inherits, not one per inherited key',
      code: {
        'stack.yml': 'services:\n  agent:\n    extends:\n      file: base.yml\n      service: agent\n    environment:\n      ZBX_HOSTNAME: agent\n',
        'base.yml': 'services:\n  agent:\n    image: zabbix/zabbix-agent:7.0\n    mem_limit: 256m\n    cpu_shares: 512\n    restart: always\n',
      },
      errors: [
        {
          message:
            'service "agent" sets extends, which docker stack deploy refuses ("Configuration contains forbidden properties"); docker stack deploy cannot resolve extends: flatten the file first (docker compose config > stack.yml); it also inherits keys docker stack deploy refuses or ignores (restart, mem_limit, cpu_shares)',
          line: 3,
          column: 5,
          endColumn: 12,
          path: 'services.agent.extends',
        },
      ],
    },
    {
      name: 'extends: what the service itself writes is still reported',
      code: stack('services:\n  base:\n    image: api:1\n    cpu_shares: 512\n  api:\n    extends: base\n    mem_limit: 1g\n'),
      errors: [
        { message: /service "base" sets cpu_shares/, line: 4, column: 5 },
        { message: /service "api" sets extends, .*flatten the file first \(docker compose config > stack\.yml\); it also inherits keys docker stack deploy refuses or ignores \(cpu_shares\)$/, line: 6, column: 5 },
        { message: /service "api" sets mem_limit/, line: 7, column: 5 },
      ],
    },
    {
      name: 'a forbidden key through a merge key: at the anchor, for each service',
      code: stack('x-limits: &limits\n  cpu_shares: 512\nservices:\n  a:\n    <<: *limits\n    image: a:1\n  b:\n    <<: *limits\n    image: b:1\n'),
      errors: [
        { message: /service "a" sets cpu_shares/, line: 2, column: 3 },
        { message: /service "b" sets cpu_shares/, line: 2, column: 3 },
      ],
    },
  ],
});

describe('swarm-compat and schema do not report the same problem twice', () => {
  it('a key both schemas reject is the schema check\'s; a key only the stack schema rejects is swarm-compat\'s', () => {
    const all = lintCase({ code: stack('services:\n  api:\n    image: api:1\n    imagee: x\n    profiles: [a]\n') });
    const at = (line: number) => all.filter((f) => f.line === line && (f.ruleId === 'schema' || f.ruleId === 'swarm-compat')).map((f) => f.ruleId);
    expect(at(4)).toEqual(['schema']);
    expect(at(5)).toEqual(['swarm-compat']);
  });
});

testReadmeExamples(rule, { fileName: 'stack.yml', incorrect: 6 });
