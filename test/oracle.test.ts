/**
 * The real `docker stack config -c FILE` (docker CLI, client only: no engine) on every fixture and
 * corpus file: where docker rejects a file for a property, lint with target swarm must have a
 * `swarm-compat` or `schema` finding there (at the line of the property it names), and where docker
 * accepts a file, `swarm-compat` must report no error. Docker runs in the file's folder with an
 * empty environment, a few at a time; nothing is cached between runs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintProject, type LintResult } from '../src/engine/lint.js';
import { duration, ports } from '../src/parse/stack-formats.js';
import { sizeRefusal } from '../src/parse/go-values.js';
import { dockerAvailable, filesAccepted, matchDockerError, pool, REJECTING_RULES, runStackConfig, stackConfigErrors, type Match } from './oracle-match.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURES = join(ROOT, 'fixtures');
const HAS_DOCKER = dockerAvailable();
/** the rules whose errors say that docker rejects the file */

function stackFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...stackFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

interface FileResult {
  file: string;
  ok: boolean;
  errors: string[];
  lint: LintResult;
  matches: Match[];
}

describe.skipIf(!HAS_DOCKER)('docker stack config as the oracle for target swarm', () => {
  const files = stackFiles(FIXTURES);
  let results: FileResult[] = [];

  beforeAll(async () => {
    const lints = files.map((file) => lintProject({ files: [file], environment: {}, target: 'swarm' }));
    // docker is asked about the files lint finds no error in several at a time (filesAccepted: one
    // run for the files of a folder when it accepts them all); each file it rejects, alone or in
    // a group, is run alone until its errors settle (stackConfigErrors)
    const clean = files.filter((_, i) => !lints[i]!.findings.some((f) => f.severity === 'error' && REJECTING_RULES.includes(f.ruleId)));
    const cleanAccepted = await filesAccepted(clean, (f) => readFileSync(f, 'utf8'));
    const accepted = new Set(clean.filter((_, i) => cleanAccepted[i]));
    const docker = await pool(files, 4, async (f) => (accepted.has(f) ? { ok: true, errors: [] } : stackConfigErrors(f)));
    results = files.map((file, i) => {
      const lint = lints[i]!;
      const { ok, errors } = docker[i]!;
      return { file, ok, errors, lint, matches: errors.map((e) => matchDockerError(e, lint)) };
    });
    const rejected = results.filter((r) => !r.ok);
    const matched = rejected.filter((r) => r.matches.every((m) => m.matched || m.class === 'missing-sidecar-file') && r.matches.some((m) => m.matched));
    const sidecar = rejected.filter((r) => r.matches.some((m) => m.class === 'missing-sidecar-file'));
    const byClass = new Map<string, number>();
    for (const m of rejected.flatMap((r) => r.matches)) byClass.set(m.class, (byClass.get(m.class) ?? 0) + 1);
    console.log(
      `oracle: ${files.length} files, docker rejects ${rejected.length}; every error it names is matched in ${matched.length}; ` +
        `${sidecar.length} stop at a missing side file (env_file, config file) that no rule can see; errors by class: ` +
        [...byClass].map(([k, v]) => `${k} ${v}`).join(', '),
    );
  }, 300_000);

  it('covers the whole corpus and the seed examples', () => {
    expect(files.filter((f) => f.includes('/corpus/')).length).toBeGreaterThanOrEqual(113);
    expect(files.filter((f) => f.includes('/seed-examples/')).length).toBeGreaterThanOrEqual(12);
    expect(results.some((r) => !r.ok)).toBe(true);
  });

  it('every error docker names is matched by a swarm-compat or schema finding at its line', () => {
    const misses = results.flatMap((r) =>
      r.matches
        .filter((m) => !m.matched && m.class !== 'missing-sidecar-file')
        .map((m) => `${relative(ROOT, r.file)}: docker says ${JSON.stringify(m.error.split('\n')[0])} (${m.class}); ${m.reason}`),
    );
    expect(misses).toEqual([]);
  });

  it('property errors are matched on the line of the property docker names', () => {
    for (const r of results) {
      for (const m of r.matches) {
        if (!m.matched || m.expectedLines.length === 0) continue;
        expect(m.expectedLines, `${relative(ROOT, r.file)}: ${m.error}`).toContain(m.finding!.line);
      }
    }
  });

  it('a file docker accepts gets no swarm-compat error', () => {
    // but what swarmkit refuses as docker stack deploy creates the service, which docker stack
    // config does not check (validateImage in manager/controlapi/service.go: a service with build
    // and no image, an image a variable left empty or invalid): those errors quote its
    // "ContainerSpec: ..." words
    const wrong = results
      .filter((r) => r.ok)
      .flatMap((r) =>
        r.lint.findings.filter((f) => f.ruleId === 'swarm-compat' && f.severity === 'error' && !f.message.includes('"ContainerSpec: ')).map((f) => `${relative(ROOT, r.file)}:${f.line}: ${f.message}`),
      );
    expect(wrong).toEqual([]);
  });

  it('a file docker rejects gets an error finding (not only warnings)', () => {
    const silent = results
      .filter((r) => !r.ok && !r.matches.every((m) => m.class === 'missing-sidecar-file'))
      .filter((r) => !r.lint.findings.some((f) => f.severity === 'error' && REJECTING_RULES.includes(f.ruleId)))
      .map((r) => relative(ROOT, r.file));
    expect(silent).toEqual([]);
  });
});

/**
 * Ask docker about many cases with few runs: the cases `ours` says docker accepts go into one file
 * (one service each), and when docker accepts that file it accepts every one of them; each other
 * case, and each case of a file docker rejects, is a run of its own. The answers are docker's, case
 * by case, as if each had been run alone.
 */
async function dockerAnswers<T>(cases: readonly T[], ours: (c: T) => boolean, alone: (c: T, i: number) => Promise<boolean>, together: (cs: T[]) => Promise<boolean>): Promise<boolean[]> {
  const expectOk = cases.map((c, i) => ({ c, i })).filter(({ c }) => ours(c));
  const batched = expectOk.length > 1 && (await together(expectOk.map(({ c }) => c)));
  const answers: boolean[] = new Array(cases.length);
  if (batched) for (const { i } of expectOk) answers[i] = true;
  const rest = cases.map((c, i) => ({ c, i })).filter(({ i }) => answers[i] === undefined);
  const got = await pool(rest, 4, ({ c, i }) => alone(c, i));
  rest.forEach(({ i }, k) => (answers[i] = got[k]!));
  return answers;
}

/** The `ports` and `duration` formats agree with docker's checkers, value by value. */
describe.skipIf(!HAS_DOCKER)('stack schema formats agree with docker stack config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-formats-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const PORTS = [
    '80', '8080:80', '127.0.0.1:8080:80', ':80', 'abc', '80:', '99999:80', '65535:65535', '65536:80', '8080-8081:80-81',
    '8080-8082:80-81', '8080-8081:80', '8080:80-81', '81-80:80', '[::1]:80:80', '::1:80:80', '[::1]::80', '80/udp', '80/sctp',
    '80/xyz', '80/', '/udp', '0.0.0.0:80:80/tcp', '1.2.3.4::80', '1.2.3:80:80', '256.1.1.1:80:80', '01.2.3.4:80:80',
    'localhost:80:80', 'fe80::1%eth0:80:80', '2001:db8::1:8080:80', '::ffff:1.2.3.4:80:80', '0:0', '00080', '+80', '-80', '80-',
    '80/TCP', ' 80', '80:80:80:80', 'a:b:c:80', '8080:80/udp/x', '',
  ];
  const DURATIONS = ['10', '0', '1m30s', '1d', '1.5s', '.5s', '5.s', '10 s', '-1s', '+2m', '1h2m3s4ms5us6ns', '3µs', 'ms', '', '1S', '1e3s'];

  async function dockerAccepts(name: string, yaml: string): Promise<boolean> {
    const file = join(dir, `${name}.yml`);
    writeFileSync(file, yaml);
    return (await runStackConfig(file)).ok;
  }

  // go-units 0.5 (docker CLI 28): `512Mi` is refused, a Go float (`1e3`, `.5g`, `1_000`) is read
  const SIZES = [
    '512m', '512M', '512Mi', '512mib', '512MB', '512 M', '512  M', '1.5g', '1.5.5g', ' 512m', '512m ', '1e3', '.5g', '5.g', '512mbb',
    '0', '-1', '-0', '+5m', '1_000', '512B', '512kb', '512 mega', '1 gigabyte', 'g', '', '1x', '1Tb', '2p', '0x10p0', '1__0', 'inf',
  ];
  const sizeService = (v: string, i: number) => `  a${i}:\n    image: x\n    deploy:\n      resources:\n        limits:\n          memory: ${JSON.stringify(v)}\n`;
  const portService = (p: string, i: number) => `  a${i}:\n    image: x\n    ports:\n      - ${JSON.stringify(p)}\n`;
  const durationService = (d: string, i: number) => `  a${i}:\n    image: x\n    healthcheck:\n      interval: ${JSON.stringify(d)}\n`;

  /** docker's answer for each value (a service each, see dockerAnswers), checked against ours */
  async function agree(kind: string, values: string[], ours: (v: string) => boolean, service: (v: string, i: number) => string): Promise<boolean[]> {
    const docker = await dockerAnswers(
      values,
      ours,
      (v, i) => dockerAccepts(`${kind}-${i}`, `services:\n${service(v, 0)}`),
      (vs) => dockerAccepts(`${kind}-accepted`, `services:\n${vs.map(service).join('')}`),
    );
    values.forEach((v, i) => expect(ours(v), `${kind} ${JSON.stringify(v)}`).toBe(docker[i]));
    return docker;
  }

  it('ports', async () => {
    const docker = await agree('ports', PORTS, ports, portService);
    expect(docker.filter((ok) => !ok).length).toBeGreaterThan(10);
  }, 300_000);

  it('duration', async () => {
    const docker = await agree('duration', DURATIONS, duration, durationService);
    expect(docker.filter((ok) => !ok).length).toBeGreaterThan(3);
  }, 300_000);

  it('size (deploy.resources memory, which the schema takes as any string)', async () => {
    const docker = await agree('size', SIZES, (v) => sizeRefusal(v) === null, sizeService);
    expect(docker.filter((ok) => !ok).length).toBeGreaterThan(10);
  }, 300_000);
});

/**
 * docker validates a stack file against the schema of the version it declares. A grid of keys that
 * came with later versions, each under every version from 3.0 to 3.13: docker rejects the file
 * exactly when lint reports an error, and where lint says which version brought the key, that is
 * the first version docker accepts it under.
 */
describe.skipIf(!HAS_DOCKER)('stack schema versions agree with docker stack config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-versions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** [name, service keys (indented for the service), top-level keys] */
  const FEATURES: Array<[string, string, string]> = [
    ['secrets', '    secrets: [token]\n', 'secrets:\n  token:\n    external: true\n'],
    ['long ports', '    ports:\n      - target: 80\n        published: 8080\n', ''],
    ['endpoint_mode', '    deploy:\n      endpoint_mode: dnsrr\n', ''],
    ['configs', '    configs: [conf]\n', 'configs:\n  conf:\n    external: true\n'],
    ['placement preferences', '    deploy:\n      placement:\n        preferences:\n          - spread: node.labels.zone\n', ''],
    ['start_period', '    healthcheck:\n      test: ["CMD", "true"]\n      start_period: 30s\n', ''],
    ['update order', '    deploy:\n      update_config:\n        order: start-first\n', ''],
    ['network name', '    networks: [front]\n', 'networks:\n  front:\n    name: shop-front\n'],
    ['tmpfs size', '    volumes:\n      - type: tmpfs\n        target: /tmp\n        tmpfs:\n          size: 1000000\n', ''],
    ['init', '    init: true\n', ''],
    ['rollback_config', '    deploy:\n      rollback_config:\n        parallelism: 1\n', ''],
    ['max_replicas_per_node', '    deploy:\n      placement:\n        max_replicas_per_node: 1\n', ''],
    ['pids', '    deploy:\n      resources:\n        limits:\n          pids: 100\n', ''],
    ['start_interval', '    healthcheck:\n      test: ["CMD", "true"]\n      start_interval: 5s\n', ''],
    ['oom_score_adj', '    oom_score_adj: 100\n', ''],
  ];
  const VERSIONS = Array.from({ length: 14 }, (_, i) => `3.${i}`);
  const cases = FEATURES.flatMap(([name, service, top]) => VERSIONS.map((version) => ({ name, version, service, top, text: `version: "${version}"\nservices:\n  a:\n    image: x:1\n${service}${top}` })));

  it('a key is rejected under the versions before the one that brought it, and lint says which one did', async () => {
    const linted = cases.map((c) => {
      const file = join(dir, `${c.name.replace(/ /g, '-')}-${c.version}.yml`);
      writeFileSync(file, c.text);
      const lint = lintProject({ files: [file], environment: {}, target: 'swarm' });
      const errors = lint.findings.filter((f) => f.severity === 'error' && (f.ruleId === 'swarm-compat' || f.ruleId === 'schema'));
      return { ...c, file, lint: errors.map((f) => f.message) };
    });
    // per version, the keys lint accepts go to docker in one file (a service each), the others one by one
    const got = (
      await pool(VERSIONS, 2, async (version) => {
        const mine = linted.filter((c) => c.version === version);
        const docker = await dockerAnswers(
          mine,
          (c) => c.lint.length === 0,
          async (c) => (await runStackConfig(c.file)).ok,
          async (cs) => {
            const file = join(dir, `accepted-${version}.yml`);
            writeFileSync(file, `version: "${version}"\nservices:\n${cs.map((c, i) => `  a${i}:\n    image: x:1\n${c.service}`).join('')}${cs.map((c) => c.top).join('')}`);
            return (await runStackConfig(file)).ok;
          },
        );
        return mine.map((c, i) => ({ ...c, docker: docker[i]! }));
      })
    ).flat();
    const disagree = got.filter((g) => g.docker !== (g.lint.length === 0)).map((g) => `${g.name} under ${g.version}: docker ${g.docker ? 'accepts' : 'rejects'}, lint says ${JSON.stringify(g.lint)}`);
    expect(disagree).toEqual([]);
    for (const [name] of FEATURES) {
      const firstAccepted = got.find((g) => g.name === name && g.docker)!.version;
      expect(firstAccepted, name).not.toBe('3.0');
      for (const g of got.filter((x) => x.name === name && !x.docker)) {
        const said = g.lint.map((m) => / it came with (3\.\d+)/.exec(m)?.[1]).find((v) => v !== undefined);
        if (said !== undefined) expect(said, `${name} under ${g.version}`).toBe(firstAccepted);
      }
    }
  }, 300_000);
});

describe.skipIf(!HAS_DOCKER)('docker stack config on several files (-c A -c B): their versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-oracle-versions-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const base37 = write('base-37.yml', 'version: "3.7"\nx-opts: &opts\n  image: api:1\nservices:\n  api:\n    <<: *opts\n');
  const none = write('none.yml', 'services:\n  api:\n    image: api:1\n');
  const over33 = write('over-33.yml', 'version: "3.3"\nservices:\n  api:\n    environment:\n      A: "1"\n');
  const over3 = write('over-3.yml', 'version: "3"\nservices:\n  api:\n    environment:\n      A: "1"\n');
  const empty = write('empty-version.yml', 'version:\nservices:\n  api:\n    environment:\n      A: "1"\n');
  const mismatch = (files: string[]) => lintProject({ files, environment: {}, target: 'swarm' }).findings.filter((f) => f.ruleId === 'swarm-compat' && f.severity === 'error');

  it('files of different versions: docker refuses them with the words the finding quotes, and nothing else is said', async () => {
    for (const files of [
      [base37, over33],
      [base37, none],
      [over3, empty],
    ]) {
      const docker = await runStackConfig(files);
      expect(docker.ok, files.join(' ')).toBe(false);
      const found = mismatch(files);
      expect(found.map((f) => /\("(version mismatched between two composefiles : [^"]+)"\)/.exec(f.message)?.[1]), files.join(' ')).toEqual([docker.error.trim()]);
    }
  }, 120_000);

  it('no version and "3": docker accepts them together, and no swarm-compat error', async () => {
    expect((await runStackConfig([none, over3])).ok).toBe(true);
    expect(mismatch([none, over3])).toEqual([]);
  }, 120_000);
});

/**
 * Top-level resources whose keys contradict each other (src/model/resource-conflicts.ts): docker
 * refuses each file exactly when lint has a swarm-compat error, with the words docker says.
 */
describe.skipIf(!HAS_DOCKER)('what docker/cli refuses as it loads a file (conflicting resource keys, bind mounts without a source, negative counts, command strings, shm_size) agrees with docker stack config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-oracle-resources-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const head = 'version: "3.8"\nservices:\n  web:\n    image: nginx:1.27\n';
  const CASES: Array<[string, string]> = [
    ['external-driver', 'volumes:\n  d:\n    external: true\n    driver: local\n'],
    ['external-driver-opts', 'volumes:\n  d:\n    external: true\n    driver_opts: {type: nfs}\n'],
    ['external-labels', 'volumes:\n  d:\n    external: true\n    labels: [a=b]\n'],
    ['external-empty-labels', 'volumes:\n  d:\n    external: true\n    labels: []\n    driver_opts: {}\n'],
    ['external-name-volume', 'volumes:\n  d:\n    external:\n      name: b\n    name: a\n'],
    ['external-name-same', 'volumes:\n  d:\n    external:\n      name: a\n    name: a\n'],
    ['external-name-network', 'networks:\n  n:\n    external:\n      name: b\n    name: a\n'],
    ['external-name-only', 'networks:\n  n:\n    external:\n      name: b\n'],
    ['secret-driver-file', 'secrets:\n  s:\n    driver: vault\n    file: ./s.txt\n'],
    ['external-secret-name', 'secrets:\n  s:\n    external:\n      name: b\n    name: a\n'],
    ['volume-driver', 'volumes:\n  d:\n    driver: local\n    labels: [a=b]\n'],
    // and a bind mount without a source (the head's service gets a volume)
    ['bind-no-source', '    volumes:\n      - {type: bind, target: /b}\n'],
    ['bind-empty-source', '    volumes:\n      - {type: bind, source: "", target: /b}\n'],
    ['bind-source', '    volumes:\n      - {type: bind, source: ./b, target: /b}\n'],
    // and counts docker decodes as unsigned numbers
    ['negative-replicas', '    deploy: {replicas: -1}\n'],
    ['negative-parallelism', '    deploy: {update_config: {parallelism: -2}}\n'],
    ['negative-retries', '    healthcheck: {test: [CMD, "true"], retries: -1}\n'],
    ['negative-target', '    ports: [{target: -80, published: 8080}]\n'],
    ['zero-replicas', '    deploy: {replicas: 0, placement: {max_replicas_per_node: 0}}\n'],
    // and command strings docker splits into words, shm_size as a number
    ['command-open-double', '    command: echo "hello\n'],
    ['command-open-single', "    command: echo it's\n"],
    ['command-escape-end', '    entrypoint: "echo a\\\\"\n'],
    ['command-closed', `    command: sh -c 'echo "it''s"; exit 0' \\"x\\"\n`],
    ['shm-number', '    shm_size: 268435456\n'],
    ['shm-string', '    shm_size: "256m"\n'],
  ];

  it('each file: docker refuses it exactly when lint has a swarm-compat error saying what docker says', async () => {
    for (const [name, text] of CASES) {
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, head + text);
      const docker = await runStackConfig(file);
      const errors = lintProject({ files: [file], environment: {}, target: 'swarm' }).findings.filter((f) => f.ruleId === 'swarm-compat' && f.severity === 'error');
      expect(errors.length > 0, name).toBe(!docker.ok);
      // docker's last line; of a decoding error, what it says of the value (its field names are Go's)
      const said = docker.error
        .trim()
        .split('\n')
        .pop()!
        .replace(/^cannot parse '[^']+', |^error decoding '[^']+': /, '');
      if (!docker.ok) expect(errors.map((e) => e.message).join('\n'), name).toContain(said);
    }
  }, 120_000);
});

/**
 * With target swarm docker's stack schema is the judge: what only the compose-spec schema refuses
 * (a container_name pattern, bind.selinux's values, a key inside a service's secret entry or build,
 * oom_score_adj past 1000) is no error where docker stack config takes the file.
 */
describe.skipIf(!HAS_DOCKER)('compose-spec constraints docker stack config does not make', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-oracle-compose-only-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const head = 'version: "3.13"\nservices:\n  web:\n    image: nginx:1.27\n';
  const CASES: Array<[string, string]> = [
    ['container-name', '    container_name: a\n'],
    ['bind-selinux', '    volumes:\n      - {type: bind, source: /srv, target: /srv, bind: {selinux: q}}\n'],
    ['secret-entry-key', '    secrets:\n      - {source: s, bogus: 1}\nsecrets:\n  s: {file: ./s.txt}\n'],
    ['oom-score-adj', '    oom_score_adj: 2000\n'],
    ['build-key', '    build: {context: ., bogus: 1}\n'],
  ];

  it('each file: docker accepts it, and lint has no schema or swarm-compat error', async () => {
    for (const [name, text] of CASES) {
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, head + text);
      expect((await runStackConfig(file)).ok, name).toBe(true);
      const errors = lintProject({ files: [file], environment: {}, target: 'swarm' }).findings.filter((f) => (f.ruleId === 'schema' || f.ruleId === 'swarm-compat') && f.severity === 'error');
      expect(errors.map((f) => f.message), name).toEqual([]);
    }
  }, 120_000);

  it('an empty version, which docker reads as the newest: no swarm-compat error', async () => {
    const file = join(dir, 'empty-version.yml');
    writeFileSync(file, 'version: ""\nservices:\n  web:\n    image: nginx:1.27\n');
    expect((await runStackConfig(file)).ok).toBe(true);
    expect(lintProject({ files: [file], environment: {}, target: 'swarm' }).findings.filter((f) => f.ruleId === 'swarm-compat' && f.severity === 'error')).toEqual([]);
  }, 120_000);
});

/**
 * compose's tags `!reset` and `!override`: docker stack deploy knows neither and reads the value as
 * written (`!reset null` is the string "null"). With target swarm, set or found from the file's
 * swarm-only keys, lint reads them so too, and refuses a file exactly when docker does.
 */
describe.skipIf(!HAS_DOCKER)('compose tags with target swarm agree with docker stack config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-oracle-tags-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // a swarm-only key (deploy.placement): auto finds target swarm from what the file holds
  const head = 'version: "3.8"\nservices:\n  web:\n    image: nginx:1.27\n    deploy: {placement: {constraints: [node.role==worker]}}\n';
  const CASES: Array<[string, string, boolean]> = [
    ['reset-null-environment', '    environment: !reset null\n', false],
    ['reset-null-ports', '    ports: !reset null\n', false],
    ['reset-null-labels', '    labels: !reset null\n', false],
    ['reset-null-volumes', '    volumes: !reset null\n', false],
    ['reset-null-command', '    command: !reset null\n', true],
    ['reset-empty-ports', '    ports: !reset []\n', true],
    ['reset-empty-environment', '    environment: !reset {}\n', true],
    ['override-environment', '    environment: !override {A: "1"}\n', true],
    ['override-ports', '    ports: !override ["8080:80"]\n', true],
  ];

  it('each file: docker refuses it exactly when lint (target swarm, and auto) has an error', async () => {
    for (const [name, text, accepted] of CASES) {
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, head + text);
      expect((await runStackConfig(file)).ok, name).toBe(accepted);
      for (const target of ['swarm', 'auto'] as const) {
        const r = lintProject({ files: [file], environment: {}, target });
        expect(r.target.target, name).toBe('swarm');
        const errors = r.findings.filter((f) => (f.ruleId === 'schema' || f.ruleId === 'swarm-compat') && f.severity === 'error');
        expect(errors.length === 0, `${name} (${target}): ${errors.map((e) => e.message).join('; ')}`).toBe(accepted);
      }
    }
  }, 120_000);

  it('target compose still reads them as compose does: `!reset` removes a value', () => {
    const file = join(dir, 'compose-reset.yml');
    writeFileSync(file, 'services:\n  web:\n    image: nginx:1.27\n    environment: !reset null\n    ports: !reset null\n');
    const r = lintProject({ files: [file], environment: {}, target: 'compose' });
    expect(r.findings.filter((f) => f.ruleId === 'schema')).toEqual([]);
    expect(r.stack!.services[0]!.ports).toEqual([]);
  });
});
