/**
 * Files read as docker reads them, and the swarm semantics of docker stack deploy: where docker's YAML reader (yaml.v3, YAML 1.1) and ours differ,
 * stackopt reads the file as docker does or reports the difference, at the right line and column.
 * What docker does is asked of the real `docker stack config -c FILE` (client only, no engine), run
 * on the same file in its folder with an empty environment.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lintProject } from '../src/engine/lint.js';
import type { Rule } from '../src/engine/types.js';
import { MAX_INTERPOLATION_DEPTH } from '../src/parse/interpolate.js';
import noDockerSocket from '../rules/no-docker-socket/index.js';
import noPrivileged from '../rules/no-privileged/index.js';
import swarmCompat from '../rules/swarm-compat/index.js';
import { dockerAvailable } from './oracle-match.js';

const HAS_DOCKER = dockerAvailable();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Write the file into a fresh folder; its path. */
function write(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'stackopt-docker-reading-'));
  dirs.push(dir);
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** The real `docker stack config -c FILE`: whether it accepts the file, what it prints. */
function dockerStackConfig(file: string): { ok: boolean; out: string; err: string } {
  const r = spawnSync('docker', ['stack', 'config', '-c', file], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { ok: r.status === 0, out: r.stdout, err: r.stderr };
}

function lint(file: string, rules: Rule[] = []) {
  return lintProject({ files: [file], environment: {}, rules, target: 'compose' }).findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    message: f.message,
  }));
}

describe('interpolation nested without end', () => {
  it('${X:-${X:-...}} 2,000 deep: one error at the expression, no stack overflow', () => {
    let expr = 'x';
    for (let i = 0; i < 2000; i++) expr = `\${X:-${expr}}`;
    const file = write('compose.yaml', `services:\n  web:\n    image: "${expr}"\n`);
    const found = lint(file);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ ruleId: 'interpolation', severity: 'error', line: 3, column: 13 + 5 * MAX_INTERPOLATION_DEPTH, endLine: 3 });
    expect(found[0]!.message).toMatch(/nests \$\{\.\.\.\} more than 100 levels deep/);
    expect(found[0]!.message.length).toBeLessThan(200);
  });

  it('nesting up to the bound is read', () => {
    let expr = 'nginx:1.25';
    for (let i = 0; i < MAX_INTERPOLATION_DEPTH; i++) expr = `\${X${i}:-${expr}}`;
    const file = write('compose.yaml', `services:\n  web:\n    image: "${expr}"\n`);
    const r = lintProject({ files: [file], environment: {}, rules: [] });
    expect(r.findings).toEqual([]);
    expect(r.stack!.services[0]!.image!.node).toMatchObject({ kind: 'scalar', value: 'nginx:1.25' });
  });
});

describe.skipIf(!HAS_DOCKER)('YAML as docker reads it (checked with docker stack config)', () => {
  it('U+2028 in a comment ends the line: the docker.sock mount after it is read and reported', () => {
    const file = write('compose.yaml', 'services:\n  web:\n    image: nginx:1.25 # the proxy\u2028    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(true);
    expect(docker.out).toContain('source: /var/run/docker.sock');
    const found = lint(file, [noDockerSocket]);
    expect(found).toEqual([
      expect.objectContaining({ ruleId: 'yaml-syntax', severity: 'warning', line: 3, column: 34, endLine: 3, endColumn: 35 }),
      expect.objectContaining({ ruleId: 'no-docker-socket', line: 3, column: 49 }),
    ]);
    expect(found[0]!.message).toMatch(/^U\+2028 \(LINE SEPARATOR\) is a line break for docker's YAML reader/);
  });

  it('U+2029 and U+0085 in a comment too', () => {
    for (const ch of ['\u2029', '\u0085']) {
      const file = write('compose.yaml', `services:\n  web:\n    image: nginx:1.25\n    # note${ch}    privileged: true\n`);
      const docker = dockerStackConfig(file);
      expect(docker.ok).toBe(true);
      expect(docker.out).toContain('privileged: true');
      const found = lint(file, [noPrivileged]);
      expect(found.map((f) => [f.ruleId, f.line, f.column])).toEqual([
        ['yaml-syntax', 4, 11],
        ['no-privileged', 4, 28],
      ]);
    }
  });

  it('a tab after "-": docker refuses the file, an error at the tab', () => {
    for (const [text, column] of [
      ['services:\n  web:\n    image: nginx:1.25\n    command:\n    -\tsleep\n    - "10"\n', 6],
      ['services:\n  web:\n    image: nginx:1.25\n    command:\n    - \tsleep\n    - "10"\n', 7],
      ['services:\n  web:\n    image: nginx:1.25\n    command:\n    -\t# the program\n      sleep\n', 6],
    ] as const) {
      const file = write('compose.yaml', text);
      const docker = dockerStackConfig(file);
      expect(docker.ok).toBe(false);
      expect(docker.err).toMatch(/line 5: found character that cannot start any token/);
      expect(lint(file)).toEqual([
        {
          ruleId: 'yaml-syntax',
          severity: 'error',
          line: 5,
          column,
          endLine: 5,
          endColumn: column + 1,
          message: 'a tab after "-": docker\'s YAML reader refuses it ("found character that cannot start any token"); write spaces',
        },
      ]);
    }
  });

  it('a tab in the indentation of a comment or blank line: docker refuses the file, an error at the tab', () => {
    for (const [text, line, column] of [
      ['services:\n  web:\n    image: nginx:1.25\n\t# the proxy\n    user: "1000"\n', 4, 1],
      ['services:\n  web:\n    image: nginx:1.25\n    \t# the proxy\n    user: "1000"\n', 4, 5],
      ['services:\n  web:\n    image: nginx:1.25\n    user: "1000"\n\t\n', 5, 1],
    ] as const) {
      const file = write('compose.yaml', text);
      expect(dockerStackConfig(file).ok).toBe(false);
      expect(lint(file)).toEqual([expect.objectContaining({ ruleId: 'yaml-syntax', severity: 'error', line, column, endColumn: column + 1, message: expect.stringMatching(/^a tab in the indentation/) })]);
    }
  });

  it('a tab before a comment after a value or a flow collection: docker reads it, so does stackopt, positions stay exact', () => {
    const file = write('compose.yaml', 'services:\n  web:\n    image: nginx:1.25\t# pinned\n    command: ["sleep", "10"]\t# wait\n    environment: {MODE: "a"}\t\n    privileged: true\t# needed?\n');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(true);
    expect(docker.out).toContain('privileged: true');
    expect(lint(file, [noPrivileged])).toEqual([expect.objectContaining({ ruleId: 'no-privileged', line: 6, column: 17, endLine: 6, endColumn: 21 })]);
  });

  it('an anchor name with a dot: docker refuses the file, an error at the anchor', () => {
    const file = write('compose.yaml', 'x-base: &base.web\n  image: nginx:1.25\nservices:\n  web:\n    <<: *base.web\n  api:\n    <<: *base.web\n');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(false);
    expect(docker.err).toMatch(/did not find expected alphabetic or numeric character/);
    expect(lint(file)).toEqual([
      {
        ruleId: 'yaml-syntax',
        severity: 'error',
        line: 1,
        column: 9,
        endLine: 1,
        endColumn: 18,
        message: 'anchor name "base.web" has a character docker\'s YAML reader refuses ("did not find expected alphabetic or numeric character"): anchor names may hold only letters, digits, "-" and "_"',
      },
    ]);
    // names docker reads: letters, digits, "-" and "_"
    const good = write('compose.yaml', 'x-base: &base_web-1\n  image: nginx:1.25\nservices:\n  web:\n    <<: *base_web-1\n');
    expect(dockerStackConfig(good).ok).toBe(true);
    expect(lint(good)).toEqual([]);
  });

  it('lone CR line ends: read as docker reads them, findings on the right line and column', () => {
    const file = write('compose.yaml', 'services:\r  web:\r    image: nginx:1.25\r    privileged: true\r');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(true);
    expect(docker.out).toContain('privileged: true');
    expect(lint(file, [noPrivileged])).toEqual([expect.objectContaining({ ruleId: 'no-privileged', line: 4, column: 17, endLine: 4, endColumn: 21 })]);
  });

  it('UTF-16 with a byte order mark (little and big endian): read, findings at the right place', () => {
    const text = 'services:\n  web:\n    image: nginx:1.25\n    privileged: true\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    for (const bytes of [le, be]) {
      const file = write('compose.yaml', bytes);
      const docker = dockerStackConfig(file);
      expect(docker.ok).toBe(true);
      expect(docker.out).toContain('privileged: true');
      expect(lint(file, [noPrivileged])).toEqual([expect.objectContaining({ ruleId: 'no-privileged', line: 4, column: 17, endLine: 4, endColumn: 21 })]);
    }
  });

  it('UTF-16 without a byte order mark: docker refuses it, stackopt says it is not a text file', () => {
    const file = write('compose.yaml', Buffer.from('services:\n  web:\n    image: nginx:1.25\n', 'utf16le'));
    expect(dockerStackConfig(file).ok).toBe(false);
    expect(() => lint(file)).toThrow(/cannot read file: not a text file/);
  });
});

describe('a finding inside a block scalar points at the variable, not at the ">" or "|"', () => {
  it('folded and literal blocks, with keep and strip chomping', () => {
    for (const header of ['>', '|', '>-', '|+']) {
      const file = write('compose.yaml', `services:\n  web:\n    image: nginx:1.25\n    command: ${header}\n      sh -c "echo start\n      && run \${MODE:?set MODE}"\n    entrypoint: ${header}\n      first line\n\n        more indented $UNSET_ONE\n`);
      expect(lint(file), header).toEqual([
        expect.objectContaining({ ruleId: 'interpolation', severity: 'error', line: 6, column: 14, endLine: 6, endColumn: 31 }),
        expect.objectContaining({ ruleId: 'interpolation', severity: 'warning', line: 10, column: 23, endLine: 10, endColumn: 33 }),
      ]);
    }
  });
});

/** Lint with the rules of the target the file name gives (stack.yml: swarm), only swarm-compat. */
function lintSwarm(file: string) {
  return lintProject({ files: [file], environment: {}, rules: [swarmCompat] }).findings.filter((f) => f.ruleId === 'swarm-compat').map((f) => ({ ruleId: f.ruleId, severity: f.severity, line: f.line, column: f.column, message: f.message }));
}

describe.skipIf(!HAS_DOCKER)('swarm semantics as docker stack config has them', () => {
  it('a variable only .env sets where docker parses a number stops the deploy: an error; in an image tag too, though docker stack config prints it', () => {
    const file = write('stack.yml', 'services:\n  web:\n    image: nginx:$TAG\n    healthcheck:\n      test: ["CMD", "true"]\n      retries: $HEALTHCHECK_RETRIES\n');
    writeFileSync(join(file, '..', '.env'), 'TAG=1.25\nHEALTHCHECK_RETRIES=3\n');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(false);
    expect(docker.err).toContain('services.web.healthcheck.retries: failed to cast to expected type: strconv.Atoi: parsing "": invalid syntax');
    expect(lintSwarm(file).map((f) => [f.severity, f.line, f.column])).toEqual([
      ['error', 3, 18],
      ['error', 6, 16],
    ]);
    // without the number docker stack config prints the file, image "nginx:" and all; swarm then
    // refuses the service as docker stack deploy creates it (swarmkit's validateImage: "ContainerSpec:
    // "nginx:" is not a valid repository/tag"), so the image variable alone is an error too
    const tagOnly = write('stack.yml', 'services:\n  web:\n    image: nginx:$TAG\n');
    writeFileSync(join(tagOnly, '..', '.env'), 'TAG=1.25\n');
    expect(dockerStackConfig(tagOnly).ok).toBe(true);
    expect(lintSwarm(tagOnly).map((f) => f.severity)).toEqual(['error']);
  });

  it('$X-$(date) without braces is accepted (docker reads ${X-$(date)}); the dropped $(...) is a warning that says so', () => {
    const file = write('stack.yml', 'services:\n  web:\n    image: nginx:1.25\n    command: ["sh", "-c", "tar czf /backup/db-$STAMP-$(date +%s).tgz /data"]\n');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(true);
    // STAMP unset: docker keeps the default literally and never runs the command
    expect(docker.out).toContain('tar czf /backup/db-$(date +%s).tgz /data');
    expect(lintSwarm(file)).toEqual([
      {
        ruleId: 'swarm-compat',
        severity: 'warning',
        line: 4,
        column: 47,
        message:
          'services.web.command[2]: docker stack deploy reads "$STAMP-$(date +%s).tgz /data" as ${STAMP-$(date +%s).tgz /data}: what follows $STAMP up to the next "}" or the end of the value is a default, dropped when STAMP is set (docker compose reads $STAMP followed by "-$(date +%s).tgz /data"); docker never runs a $(...): write $$(...) for the container\'s shell to run it; write "${STAMP}-$$(date +%s).tgz /data" to keep the text',
      },
    ]);
    // a $(...) on its own is refused by docker, an error
    const refused = write('stack.yml', 'services:\n  web:\n    image: nginx:1.25\n    command: ["sh", "-c", "echo $(date)"]\n');
    expect(dockerStackConfig(refused).ok).toBe(false);
    expect(lintSwarm(refused).map((f) => [f.severity, f.line, f.column])).toEqual([['error', 4, 33]]);
  });

  it('extends is refused first: one error at the extends', () => {
    const file = write('stack.yml', 'services:\n  agent:\n    extends:\n      file: base.yml\n      service: agent\n');
    writeFileSync(join(file, '..', 'base.yml'), 'services:\n  agent:\n    image: zabbix/zabbix-agent:7.0\n    mem_limit: 256m\n    cpu_shares: 512\n');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(false);
    expect(docker.err).toContain('Configuration contains forbidden properties');
    expect(lintSwarm(file).map((f) => [f.severity, f.line, f.column])).toEqual([['error', 3, 5]]);
  });
});

describe.skipIf(!HAS_DOCKER)('tabs docker accepts where indentation means nothing', () => {
  it('a tab in the indentation of a line inside a flow collection or a quoted scalar: read, as docker reads it', () => {
    const file = write('compose.yaml', 'services:\n  web:\n    image: nginx:1.25\n    command: ["sleep",\n      \t"10"]\n    environment:\n      GREETING: "hello\n        \tworld"\n    privileged: true\n');
    const docker = dockerStackConfig(file);
    expect(docker.ok).toBe(true);
    expect(docker.out).toContain('GREETING: hello world');
    const r = lintProject({ files: [file], environment: {}, rules: [noPrivileged] });
    expect(r.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([['no-privileged', 9, 17]]);
    const web = r.stack!.services[0]!;
    expect(web.ref.node.kind === 'map' && web.ref.node.index.get('command')?.value).toMatchObject({ kind: 'seq', items: [{ value: { value: 'sleep' } }, { value: { value: '10' } }] });
  });

  it('the same tab in block context stays an error', () => {
    const file = write('compose.yaml', 'services:\n  web:\n    image: nginx:1.25\n    command:\n\t- sleep\n');
    expect(dockerStackConfig(file).ok).toBe(false);
    const errors = lint(file).filter((f) => f.severity === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((f) => f.ruleId === 'yaml-syntax' && f.line >= 4 && f.line <= 5)).toBe(true);
    expect(errors.some((f) => f.line === 5 && f.column === 1)).toBe(true);
  });
});
