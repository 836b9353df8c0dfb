import { describe, expect, it } from 'vitest';
import { lintFiles } from './helpers.js';
import swarmCompat from '../../rules/swarm-compat/index.js';
import { goBoolean, isComposeDuration, isGoFloat, isGoInt, shellWordsProblem, sizeRefusal, volumeSpecProblem } from '../../src/parse/go-values.js';

/**
 * Values docker compose cannot decode though the compose-spec schema takes them (compose-go:
 * types/bytes.go, duration.go, cpus.go, loader/mapstructure.go): a schema error at the value, for
 * target compose. Target swarm reads sizes its own way (test/oracle.test.ts holds go-units to
 * `docker stack config`).
 */
const schema = (files: Record<string, string>, environment: Record<string, string> = {}, target: 'compose' | 'swarm' | 'auto' = 'compose') =>
  lintFiles(files, { environment, target })
    .findings.filter((f) => f.ruleId === 'schema')
    .map((f) => `${f.line}:${f.column}-${f.endColumn} ${f.message}`);

describe('values docker compose cannot read', () => {
  it('sizes, durations, CPU counts and counts written as strings it cannot read: one error at each value', () => {
    const text = [
      'services:',
      '  web:',
      '    image: nginx:1.27',
      '    mem_limit: 1 gigabyte',
      '    shm_size: 64Mi',
      '    healthcheck:',
      '      test: ["CMD", "true"]',
      '      interval: 10 seconds',
      '      timeout: "10"',
      '    stop_grace_period: 1 minute',
      '    deploy:',
      '      replicas: two',
      '      restart_policy: {delay: 5x}',
      '      resources:',
      '        limits: {memory: 512 mega, cpus: half}',
      '    volumes:',
      '      - type: tmpfs',
      '        target: /tmp',
      '        tmpfs: {size: 1.5.5g}',
      '',
    ].join('\n');
    expect(schema({ 'compose.yaml': text })).toEqual([
      `4:16-26 service "web" sets mem_limit "1 gigabyte", which docker compose cannot read as a size (invalid suffix: 'gigabyte'); write a number of bytes, or a number with a unit such as 512m, 1g or 1GB`,
      `5:15-19 service "web" sets shm_size "64Mi", which docker compose cannot read as a size (invalid suffix: 'mi'); write a number of bytes, or a number with a unit such as 512m, 1g or 1GB`,
      `8:17-27 service "web" sets healthcheck.interval "10 seconds", which docker compose cannot read as a duration (time: invalid duration "10 seconds"); write a number with a unit, such as 10s, 1m30s, 500ms or 1d`,
      `9:16-20 service "web" sets healthcheck.timeout "10", which docker compose cannot read as a duration (time: missing unit in duration "10"); write a number with a unit, such as 10s, 1m30s, 500ms or 1d`,
      `10:24-32 service "web" sets stop_grace_period "1 minute", which docker compose cannot read as a duration (time: invalid duration "1 minute"); write a number with a unit, such as 10s, 1m30s, 500ms or 1d`,
      `12:17-20 service "web" sets deploy.replicas "two", which docker compose cannot read as a whole number (strconv.Atoi: parsing "two": invalid syntax); write a whole number, such as 2`,
      `13:31-33 service "web" sets deploy.restart_policy.delay "5x", which docker compose cannot read as a duration (time: invalid duration "5x"); write a number with a unit, such as 10s, 1m30s, 500ms or 1d`,
      `15:26-34 service "web" sets deploy.resources.limits.memory "512 mega", which docker compose cannot read as a size (invalid suffix: 'mega'); write a number of bytes, or a number with a unit such as 512m, 1g or 1GB`,
      `15:42-46 service "web" sets deploy.resources.limits.cpus "half", which docker compose cannot read as a number of CPUs (strconv.ParseFloat: parsing "half": invalid syntax); write a number of CPUs, such as 0.5 or 2`,
      `19:23-29 service "web" sets volumes[0].tmpfs.size "1.5.5g", which docker compose cannot read as a size (strconv.ParseFloat: parsing "1.5.5": invalid syntax); write a number of bytes, or a number with a unit such as 512m, 1g or 1GB`,
    ]);
  });

  it('what compose reads: units, bare bytes, -1, days and weeks, quoted numbers, defaults that read; target swarm and values a set variable gives are not judged here', () => {
    const text = [
      'services:',
      '  web:',
      '    image: nginx:1.27',
      '    mem_limit: 512m',
      '    memswap_limit: -1',
      '    shm_size: "1GB"',
      '    mem_reservation: 268435456',
      '    healthcheck:',
      '      test: ["CMD", "true"]',
      '      interval: 1d',
      '      timeout: 1m30s',
      '      start_period: "0"',
      '    stop_grace_period: 1w',
      '    deploy:',
      '      replicas: "3"',
      '      resources:',
      '        limits: {memory: 512 M, cpus: "0.5"}',
      '        reservations: {memory: "${MEM:-256m}", cpus: 1e-1}',
      '    volumes:',
      '      - type: tmpfs',
      '        target: /tmp',
      '        tmpfs: {size: 64m}',
      '  api:',
      '    image: myorg/api:1',
      '    mem_limit: ${API_MEM}',
      '    scale: "${N:-2}"',
      '',
    ].join('\n');
    expect(schema({ 'compose.yaml': text }, { API_MEM: 'lots' })).toEqual([]);
    expect(schema({ 'stack.yml': 'services:\n  web:\n    image: nginx:1.27\n    mem_limit: 1 gigabyte\n' }, {}, 'auto')).toEqual([]);
  });
});

describe('Go value formats', () => {
  it('floats, integers and durations as compose-go reads them', () => {
    for (const v of ['1', '0.5', '.5', '5.', '1e3', '+2', '-1.5', '1_000', 'Inf', '-infinity', 'NaN', '0x1p-2']) expect(isGoFloat(v), v).toBe(true);
    for (const v of ['', 'half', '1.5.5', '1__0', '_1', '1_', '0x10', '1e', '.', '1 ', ' 1']) expect(isGoFloat(v), v).toBe(false);
    for (const v of ['2', '-1', '+3', '007']) expect(isGoInt(v), v).toBe(true);
    for (const v of ['', 'two', '2.0', '1_000', ' 2']) expect(isGoInt(v), v).toBe(false);
    for (const v of ['0', '10s', '1d', '2w', '1.5h', '1h30m', '-5m', '500ms', '1w2d3h']) expect(isComposeDuration(v), v).toBe(true);
    for (const v of ['', '10', '10 s', '5x', '1y', 's', '1S']) expect(isComposeDuration(v), v).toBe(false);
    expect(['true', 'Yes', 'ON', 'y', 'false', 'No', 'off', 'N', 'maybe', '1', ''].map(goBoolean)).toEqual([true, true, true, true, false, false, false, false, null, null, null]);
    expect(sizeRefusal('512 mega')).toBe("invalid suffix: 'mega'");
    expect(sizeRefusal('mega')).toBe("invalid size: 'mega'");
    expect(sizeRefusal('-1')).toBe("invalid size: '-1'");
  });
});

describe('short port forms docker compose cannot read (nat.ParsePortSpec, as docker stack deploy)', () => {
  it('a host name for the address, a port past 65535, an unknown protocol; an IPv6 address, udp and the long form are read', () => {
    const text = 'services:\n  web:\n    image: nginx:1.27\n    ports: ["localhost:80:80", "8080:80", 99999, 80, "[::1]:80:80", "127.0.0.1:8080:80/udp", "80/xyz", {target: 80}, "${P:-8081}:80"]\n';
    const advice = 'expected [HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL], an IP address (not a host name) and ports from 0 to 65535 and protocol tcp, udp or sctp';
    expect(schema({ 'compose.yaml': text })).toEqual([
      `4:13-30 service "web" sets ports[0] "localhost:80:80", which docker compose cannot read as a port (nat.ParsePortSpec refuses it); ${advice}`,
      `4:43-48 service "web" sets ports[2] 99999, which docker compose cannot read as a port (nat.ParsePortSpec refuses it); ${advice}`,
      `4:94-102 service "web" sets ports[6] "80/xyz", which docker compose cannot read as a port (nat.ParsePortSpec refuses it); ${advice}`,
    ]);
  });
});

describe('strings compose-go casts to numbers and booleans before it validates (written or interpolated)', () => {
  it('one it cannot cast is an error at it; one it can is no type error (depends_on required: "false")', () => {
    const text = [
      'services:',
      '  web:',
      '    image: nginx:1.27',
      '    privileged: "maybe"',
      '    ulimits:',
      '      nofile: "65536:65536"',
      '      nproc: {soft: "x", hard: 2}',
      '    healthcheck:',
      '      test: ["CMD", "true"]',
      '      retries: "three"',
      '    ports: [{target: "abc"}]',
      '    depends_on:',
      '      db: {condition: service_started, required: "false"}',
      '    deploy:',
      '      update_config: {parallelism: "all"}',
      '  db:',
      '    image: postgres:16',
      '    init: "yes"',
      '    depends_on:',
      '      web: {condition: service_started, required: "maybe"}',
      'networks:',
      '  front:',
      '    external: "nope"',
      '',
    ].join('\n');
    const int = (s: string) => `which docker compose cannot read as a whole number (strconv.Atoi: parsing "${s}": invalid syntax); write a whole number, such as 2`;
    expect(schema({ 'compose.yaml': text })).toEqual([
      '4:17-24 service "web" sets privileged "maybe", which docker compose cannot read as a boolean (invalid boolean: maybe); write true or false',
      `6:15-28 service "web" sets ulimits.nofile "65536:65536", ${int('65536:65536')}`,
      `7:21-24 service "web" sets ulimits.nproc.soft "x", ${int('x')}`,
      `10:16-23 service "web" sets healthcheck.retries "three", ${int('three')}`,
      `11:22-27 service "web" sets ports[0].target "abc", ${int('abc')}`,
      `15:36-41 service "web" sets deploy.update_config.parallelism "all", ${int('all')}`,
      // the schema says it first (one error a value)
      '20:51-58 services.db.depends_on.web.required must be a boolean (true or false), not the string "maybe"',
      '23:15-21 networks.front.external is "nope", which docker compose cannot read as a boolean (invalid boolean: nope); write true or false',
    ]);
  });
});

describe('a healthcheck.test list compose refuses', () => {
  it('one that does not start with CMD, CMD-SHELL or NONE (as written: cmd is none); the string form and target swarm are read', () => {
    const text = 'services:\n  a:\n    image: a:1\n    healthcheck:\n      test: ["curl", "-f", "http://localhost"]\n  b:\n    image: b:1\n    healthcheck: {test: [cmd, "true"]}\n  c:\n    image: c:1\n    healthcheck: {test: curl -f http://localhost}\n  d:\n    image: d:1\n    healthcheck: {test: ["CMD-SHELL", "true"]}\n';
    const advice = 'which docker compose refuses ("healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE""); start it with "CMD" to run the command as it is, or write ["CMD-SHELL", "..."] to run it through a shell';
    expect(schema({ 'compose.yaml': text })).toEqual([`5:14-20 service "a" sets healthcheck.test starting with "curl", ${advice}`, `8:26-29 service "b" sets healthcheck.test starting with "cmd", ${advice}`]);
    expect(schema({ 'compose.yaml': text }, {}, 'swarm')).toEqual([]);
  });
});

describe('network_mode beside networks', () => {
  it('is refused by compose (an empty list or an unset mode is not)', () => {
    const text = 'services:\n  a:\n    image: a:1\n    network_mode: host\n    networks: [default]\n  b:\n    image: b:1\n    network_mode: host\n    networks: []\n  c:\n    image: c:1\n    network_mode: ${MODE}\n    networks: {default: {}}\n';
    expect(schema({ 'compose.yaml': text })).toEqual([
      '5:5-13 service "a" sets network_mode and networks, which docker compose refuses ("service a declares mutually exclusive `network_mode` and `networks`"); keep one of them: a service on the host\'s network or another\'s has no networks of its own',
    ]);
  });
});

describe('a short volume form compose cannot read', () => {
  it('too many colons or an empty section; a Windows drive, options and a variable with a default are read', () => {
    const text = 'services:\n  a:\n    image: a:1\n    volumes: ["./a:/b:ro:z", "./a::/b", ":/data", "C:\\\\data:/data:ro", "./c:/c:ro,z", "${D:-./d}:/d", "data:/e:nocopy"]\n';
    const mode = 'write SOURCE:TARGET[:MODE], with MODE one or more of ro, rw, z, Z, nocopy and the propagation options, joined by commas';
    expect(schema({ 'compose.yaml': text })).toEqual([
      `4:15-28 service "a" sets volumes[0] "./a:/b:ro:z", which docker compose cannot read ("invalid spec: ./a:/b:ro:z: too many colons"); ${mode}`,
      `4:30-39 service "a" sets volumes[1] "./a::/b", which docker compose cannot read ("invalid spec: ./a::/b: empty section between colons"); ${mode}`,
      `4:41-49 service "a" sets volumes[2] ":/data", which docker compose cannot read ("invalid spec: :/data: empty section between colons"); ${mode}`,
    ]);
  });
  it('a colon inside ${...} does not split a compose spec (it does for docker stack deploy)', () => {
    expect(volumeSpecProblem('${A:-x}:/b:ro', true)).toBeNull();
    expect(volumeSpecProblem('${A:-x}:/b:ro')).toBe('too many colons');
  });
});

describe('a long form without a target', () => {
  it('of a volume, a port or a device is refused by compose', () => {
    const text = 'services:\n  a:\n    image: a:1\n    volumes:\n      - {type: volume, source: data}\n      - {type: volume, source: data, target: /d}\n    ports:\n      - {published: 8080}\n    devices:\n      - {source: /dev/fuse}\nvolumes:\n  data: {}\n';
    expect(schema({ 'compose.yaml': text })).toEqual([
      '5:9-37 service "a" sets volumes[0] without a target, which docker compose refuses ("service volume volumes[0] is missing a mount target"); set target to the path in the container',
      '8:9-26 service "a" sets ports[0] without a target, which docker compose refuses ("service ports ports[0] is missing a target port"); set target to the port in the container',
      '10:9-28 service "a" sets devices[0] without a target, which docker compose refuses ("service device devices[0] is missing a mount target"); set target to the path in the container',
    ]);
  });
});

describe('strings compose splits or cuts as it loads them', () => {
  it('a command with a quote left open, an environment name ending in a space, an extra host without an address', () => {
    const text = [
      'services:',
      '  a:',
      '    image: a:1',
      "    command: echo it's",
      '    entrypoint: sh -c "echo ok"',
      '    environment: ["FOO =s3cr3t", "BAR=baz qux", "EMPTY"]',
      '    extra_hosts: [somehost, "db:10.0.0.2", "cache=10.0.0.3"]',
      '  b:',
      '    image: b:1',
      "    command: echo a; echo it's",
      '',
    ].join('\n');
    expect(schema({ 'compose.yaml': text })).toEqual([
      `4:14-23 service "a" sets command "echo it's" with a quote left open, which docker compose refuses ("invalid command line string"); close the quote, or write the command as a list of words`,
      '6:19-32 service "a" sets environment[0] with the name "FOO ", which docker compose refuses ("environment variable FOO  is declared with a trailing space"); write NAME=value without spaces around the name',
      '7:19-27 service "a" sets extra_hosts[0] "somehost" without an address, which docker compose refuses ("invalid additional host, missing IP: somehost"); write HOST:ADDRESS or HOST=ADDRESS',
    ]);
  });
  it('shellwords and shlex both refuse an open quote or a final backslash; shellwords stops at ; & | < >', () => {
    expect(shellWordsProblem('echo "a')).toBe('EOF found when expecting closing quote');
    expect(shellWordsProblem('echo a\\')).toBe('EOF found after escape character');
    expect(shellWordsProblem(`sh -c 'echo "x"' "it's"`)).toBeNull();
    expect(shellWordsProblem("echo a; echo it's")).toBe('EOF found when expecting closing quote');
    expect(shellWordsProblem("echo a; echo it's", true)).toBeNull();
  });
});

describe('a bind mount without a source', () => {
  it('is refused by compose and by docker stack deploy (which refuses an empty one too)', () => {
    const text = 'services:\n  a:\n    image: a:1\n    volumes:\n      - type: bind\n        target: /data\n      - {type: bind, source: "", target: /b}\n      - {type: volume, target: /c}\n      - {type: bind, source: ./d, target: /d}\n';
    expect(schema({ 'compose.yaml': text })).toEqual([
      '5:9-13 service "a" sets volumes[0] as a bind mount without a source, which docker compose refuses ("invalid mount config for type "bind": field Source must not be empty"); set source to the path on the host to mount',
    ]);
    const swarm = lintFiles({ 'compose.yaml': text }, { target: 'swarm', rules: [swarmCompat] }).findings.filter((f) => f.ruleId === 'swarm-compat' && f.severity === 'error');
    expect(swarm.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([
      '5:9 docker stack deploy rejects this file: services.a.volumes[0] is a bind mount without a source (invalid mount config for type "bind": field Source must not be empty)',
      '7:22 docker stack deploy rejects this file: services.a.volumes[1] is a bind mount with an empty source (invalid mount config for type "bind": field Source must not be empty)',
    ]);
  });
});

describe('lists docker compose makes unique before it validates', () => {
  it('an item written twice in environment, cap_add, ports, volumes, labels ... is dropped by compose (no error); security_opt is not, and docker stack deploy refuses any', () => {
    const text = 'services:\n  web:\n    image: nginx:1.27\n    environment: [A=1, A=1]\n    cap_add: [NET_ADMIN, NET_ADMIN]\n    ports: ["8080:80", "8080:80"]\n    security_opt: [no-new-privileges:true, no-new-privileges:true]\n';
    expect(schema({ 'compose.yaml': text })).toEqual(['7:19-67 services.web.security_opt has duplicate items (2 and 1)']);
    expect(schema({ 'compose.yaml': text }, {}, 'swarm').length).toBe(4);
  });
});


describe('the compose-spec schema as compose-go validates it', () => {
  it('takes build.no_cache_filter, pre_start hooks and a model without settings; an unknown key in a hook is an error', () => {
    const text = 'services:\n  web:\n    image: nginx:1.27\n    build: {context: ., no_cache_filter: [base]}\n    pre_start: [{image: "alpine:3", command: ["true"], per_replica: true}]\n    models:\n      llm:\nmodels:\n  llm: {model: ai/smollm2}\n';
    expect(schema({ 'compose.yaml': text })).toEqual([]);
    expect(schema({ 'compose.yaml': text.replace('per_replica: true', 'per_replicas: true') })).toEqual(['5:56-68 unknown key "per_replicas" in services.web.pre_start.0; did you mean "per_replica"?']);
  });
});

describe("what compose-go's checkConsistency refuses in a service", () => {
  it('dockerfile beside dockerfile_inline, a platform build.platforms lacks, a negative scale or replicas, a sync watch without a target, a tmpfs target mounted again', () => {
    const text = [
      'services:',
      '  a:',
      '    image: a:1',
      '    platform: linux/arm64',
      '    build: {context: ., dockerfile: Dockerfile, dockerfile_inline: "FROM x", platforms: [linux/amd64]}',
      '    scale: -1',
      '    develop:',
      '      watch:',
      '        - {path: ./src, action: sync}',
      '        - {path: ./pkg, action: rebuild}',
      '    tmpfs: [/run, "/run:size=64m", /tmp]',
      '    volumes: ["./a:/tmp", "./b:/data", {type: volume, source: v, target: /data}]',
      '  b:',
      '    image: b:1',
      '    platform: linux/amd64',
      '    build: {context: ., platforms: [linux/amd64, linux/arm64]}',
      '    deploy: {replicas: 0}',
      'volumes:',
      '  v: {}',
      '',
    ].join('\n');
    expect(schema({ 'compose.yaml': text })).toEqual([
      '5:49-66 service "a" sets build.dockerfile and build.dockerfile_inline, which docker compose refuses ("declares mutualy exclusive dockerfile and dockerfile_inline"); keep one of them',
      '5:78-87 service "a" sets platform "linux/arm64", which build.platforms does not list, and docker compose refuses that ("service.build.platforms MUST include service.platform"); add it to build.platforms',
      '6:12-14 service "a" sets scale to -1, which docker compose refuses ("services.a.scale: must be greater than or equal to 0"); write 0 or more',
      '9:11-38 service "a" sets develop.watch[0] with action sync and no target, which docker compose refuses ("develop.watch: target is required for non-rebuild actions"); set target to the path in the container',
      '11:19-34 service "a" mounts /run twice (tmpfs[0] and tmpfs[1]), which docker compose refuses ("target /run already mounted"); keep one of them',
      '12:15-25 service "a" mounts /tmp twice (tmpfs[2] and volumes[0]), which docker compose refuses ("target /tmp already mounted"); keep one of them',
    ]);
  });
});

describe('tmpfs entries compose makes unique first', () => {
  it('an entry written twice (or of the same key before =) is one, in a file or merged; another size of the same path is a second mount', () => {
    expect(schema({ 'compose.yaml': 'services:\n  a:\n    image: a:1\n    tmpfs: [/run, /run, "/tmp:size=1m", "/tmp:size=2m"]\n' })).toEqual([]);
    const merged = lintFiles({ 'base.yaml': 'services:\n  a:\n    image: a:1\n    tmpfs: /run\n', 'over.yaml': 'services:\n  a:\n    tmpfs: [/run]\n' }, { lint: ['base.yaml', 'over.yaml'], target: 'compose' });
    expect(merged.findings.filter((f) => f.ruleId === 'schema')).toEqual([]);
    expect(schema({ 'compose.yaml': 'services:\n  a:\n    image: a:1\n    tmpfs: [/run, "/run:size=64m"]\n' })).toEqual([
      '4:19-34 service "a" mounts /run twice (tmpfs[0] and tmpfs[1]), which docker compose refuses ("target /run already mounted"); keep one of them',
    ]);
  });
});

describe('an additional build context from another service', () => {
  it('names a service of the file that builds (mapping or list form)', () => {
    const text = 'services:\n  base:\n    build: .\n  db:\n    image: postgres:16\n  app:\n    build:\n      context: .\n      additional_contexts:\n        b: service:base\n        d: service:db\n        n: service:nope\n  web:\n    build:\n      context: .\n      additional_contexts: ["x=service:nope", "y=docker-image://alpine"]\n';
    expect(schema({ 'compose.yaml': text })).toEqual([
      '11:12-22 service "app" uses the image of service "db" as additional context d, which docker compose refuses ("declares non-buildable service "db" as additional contexts d"); give that service a build, or name an image',
      '12:12-24 service "app" uses service "nope" as additional context n, which docker compose refuses ("declares unknown service "nope" as additional contexts n"); name a service of the file',
      '16:29-45 service "web" uses service "nope" as additional context x, which docker compose refuses ("declares unknown service "nope" as additional contexts x"); name a service of the file',
    ]);
  });
});

describe('device requests and port addresses compose checks', () => {
  it('count beside device_ids; a host name as a long-form port host_ip', () => {
    const text = 'services:\n  ml:\n    image: ml:1\n    gpus:\n      - {driver: nvidia, count: 1, device_ids: ["0"]}\n    deploy:\n      resources:\n        reservations:\n          devices:\n            - {capabilities: [gpu], count: all}\n            - {capabilities: [gpu], count: 2, device_ids: ["1"]}\n    ports:\n      - {target: 80, published: 8080, host_ip: localhost}\n      - {target: 81, published: 8081, host_ip: "::1"}\n';
    expect(schema({ 'compose.yaml': text })).toEqual([
      '5:26-31 service "ml" sets gpus[0] with count and device_ids, which docker compose refuses ("count" and "device_ids" attributes are exclusive); give one of them',
      '11:37-42 service "ml" sets deploy.resources.reservations.devices[1] with count and device_ids, which docker compose refuses ("count" and "device_ids" attributes are exclusive); give one of them',
      '13:48-57 service "ml" sets ports[0].host_ip "localhost", which docker compose refuses ("invalid ip address: localhost"); write an IPv4 or IPv6 address, not a host name',
    ]);
  });
});
