/**
 * Top-level `include:` read as compose-go reads it: the included projects' services (networks,
 * volumes, ...) join the project, located in the included files; a broken include is one `include`
 * error at the value that names it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProject } from '../../src/engine/lint.js';
import { fixProject } from '../../src/fix/fix-project.js';
import { MAX_INCLUDE_DEPTH } from '../../src/parse/load-project.js';
import dependsOn from '../../rules/depends-on/index.js';
import noPrivileged from '../../rules/no-privileged/index.js';
import swarmCompat from '../../rules/swarm-compat/index.js';
import nonRootUser from '../../rules/non-root-user/index.js';
import { dockerAvailable } from '../oracle-match.js';
import { brief, inTempDir, lintFiles } from './helpers.js';

const RULES = [dependsOn, noPrivileged];
const only = (ids: string[]) => (f: { ruleId: string }) => ids.includes(f.ruleId);

const WEB = `include:
  - db/compose.yaml
services:
  web:
    image: nginx:1.25
    depends_on:
      - db
`;
const DB = `services:
  db:
    image: postgres:16
    privileged: true
`;

describe('include: a remote project', () => {
  it('an OCI or git include is told once as not fetched (info), not as a missing file', () => {
    const r = lintFiles({ 'compose.yaml': 'include:\n  - oci://docker.io/myorg/app:latest\n  - "https://github.com/docker/awesome-compose.git#master:nginx-golang/compose.yaml"\n  - git@github.com:org/repo.git\nservices:\n  web:\n    image: nginx:1.25\n' });
    expect(r.findings.filter(only(['include'])).map((f) => `${f.line}:${f.column} ${f.severity} ${f.message}`)).toEqual([
      '2:5 info include "oci://docker.io/myorg/app:latest" is a remote project (git or OCI), which docker compose fetches and stackopt does not: the services it brings are not linted, and names they define may be reported as undefined',
      '3:5 info include "https://github.com/docker/awesome-compose.git#master:nginx-golang/compose.yaml" is a remote project (git or OCI), which docker compose fetches and stackopt does not: the services it brings are not linted, and names they define may be reported as undefined',
      '4:5 info include "git@github.com:org/repo.git" is a remote project (git or OCI), which docker compose fetches and stackopt does not: the services it brings are not linted, and names they define may be reported as undefined',
    ]);
  });
});

describe('include: the included services are part of the project', () => {
  it('depends_on an included service is no depends-on error; privileged: true inside it is found, located there', () => {
    const r = lintFiles({ 'compose.yaml': WEB, 'db/compose.yaml': DB }, { rules: RULES });
    expect(r.findings.map(brief)).toEqual([
      {
        ruleId: 'no-privileged',
        severity: 'error',
        file: 'db/compose.yaml',
        line: 4,
        column: 17,
        endLine: 4,
        endColumn: 21,
        message: expect.stringContaining('service "db" sets privileged: true') as string,
      },
    ]);
    expect(r.project.included.map((s) => s.displayPath)).toEqual(['db/compose.yaml']);
    expect(r.stack!.services.map((s) => s.name)).toEqual(['web', 'db']);
  });

  it('without the include the same depends_on is a depends-on error (what include fixes)', () => {
    const r = lintFiles({ 'compose.yaml': WEB.replace('include:\n  - db/compose.yaml\n', ''), 'db/compose.yaml': DB }, { rules: RULES });
    expect(r.findings.map((f) => `${f.ruleId} ${f.line}:${f.column}`)).toEqual(['depends-on 5:9']);
  });

  it('a project_directory outside the project: whether a .env exists there is not told', () => {
    const compose = 'include:\n  - path: db/compose.yaml\n    project_directory: ../elsewhere\nservices:\n  web:\n    image: nginx:1.25\n';
    const findings = (withEnv: boolean) =>
      inTempDir({ 'app/compose.yaml': compose, 'app/db/compose.yaml': DB, ...(withEnv ? { 'elsewhere/.env': 'SECRET=1\n' } : { 'elsewhere/x': '' }) }, (dir) =>
        lintProject({ files: [join(dir, 'app/compose.yaml')], environment: {}, rules: RULES }).findings.map(brief),
      );
    expect(findings(true)).toEqual(findings(false));
    expect(JSON.stringify(findings(true))).not.toContain('.env');
  });

  it('long syntax: path as a list (merged as -f), project_directory and env_file for its interpolation', () => {
    const files = {
      'compose.yaml': `include:
  - path:
      - ../stack/db/compose.yaml
      - ../stack/db/compose.more.yaml
    project_directory: ../stack/db
    env_file: ../stack/db/db.env
services:
  web:
    image: nginx:1.25
    depends_on: [db, cache]
`,
      'stack/db/compose.yaml': 'services:\n  db:\n    image: postgres:${PG_TAG}\n',
      'stack/db/compose.more.yaml': 'services:\n  db:\n    user: "70"\n  cache:\n    image: redis:${REDIS_TAG:-7}\n    privileged: true\n',
      'stack/db/db.env': 'PG_TAG=16.2\nREDIS_TAG=7.2\n',
    };
    // ../stack is outside the including file's folder: allowPaths lets it in
    const nested = Object.fromEntries(Object.entries(files).map(([k, v]) => [k === 'compose.yaml' ? 'app/compose.yaml' : k, v]));
    inTempDir(nested, (dir) => {
      const r = lintProject({ files: [join(dir, 'app/compose.yaml')], environment: {}, rules: RULES, allowPaths: [join(dir, 'stack')] });
      expect(r.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`)).toEqual(['no-privileged stack/db/compose.more.yaml:6:17']);
      const svc = (n: string) => r.stack!.services.find((s) => s.name === n)!;
      expect(svc('db').image?.value).toBe('postgres:16.2');
      expect(svc('db').user?.value).toBe('70');
      expect(svc('cache').image?.value).toBe('redis:7.2');
    });
  });

  it('the included project reads the .env of its own folder; the including project’s variables win', () => {
    const r = lintFiles(
      {
        'compose.yaml': WEB,
        '.env': 'PGTAG=from-outer\n',
        'db/compose.yaml': 'services:\n  db:\n    image: postgres:${PGTAG}\n    user: ${DBUSER}\n',
        'db/.env': 'PGTAG=from-db\nDBUSER=999\n',
      },
      { rules: RULES },
    );
    const db = r.stack!.services.find((s) => s.name === 'db')!;
    expect(db.image?.value).toBe('postgres:from-outer');
    expect(db.user?.value).toBe('999');
    expect(r.findings.filter((f) => f.ruleId === 'interpolation')).toEqual([]);
  });

  it('a service the including file defines too is the included one with the local one merged over it', () => {
    const r = lintFiles({ 'compose.yaml': `${WEB}  db:\n    privileged: false\n    user: "70"\n`, 'db/compose.yaml': DB }, { rules: RULES });
    expect(r.findings.map(brief)).toEqual([]);
    const db = r.stack!.services.find((s) => s.name === 'db')!;
    expect(db.image?.value).toBe('postgres:16');
    expect(db.user?.value).toBe('70');
  });

  it('a service may extend an included one by name', () => {
    const r = lintFiles({ 'compose.yaml': 'include: [db/compose.yaml]\nservices:\n  replica:\n    extends: db\n', 'db/compose.yaml': DB }, { rules: RULES });
    expect(r.findings.filter(only(['extends'])).map(brief)).toEqual([]);
    expect(r.findings.filter(only(['no-privileged'])).map((f) => `${f.service} ${f.file}:${f.line}:${f.column}`).sort()).toEqual(['db db/compose.yaml:4:17', 'replica db/compose.yaml:4:17']);
  });

  it('includes nest: paths inside an included file are relative to its project directory', () => {
    const r = lintFiles(
      {
        'compose.yaml': 'include: [a/compose.yaml]\nservices:\n  web:\n    image: nginx:1.25\n    depends_on: [b]\n',
        'a/compose.yaml': 'include: [b/compose.yaml]\nservices:\n  a:\n    image: busybox:1.36\n',
        'a/b/compose.yaml': 'services:\n  b:\n    image: busybox:1.36\n    privileged: true\n',
      },
      { rules: RULES },
    );
    expect(r.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`)).toEqual(['no-privileged a/b/compose.yaml:4:17']);
  });

  it('an inline suppression in an included file applies to its findings', () => {
    const r = lintFiles({ 'compose.yaml': WEB, 'db/compose.yaml': DB.replace('privileged: true', 'privileged: true # stackopt-disable-line no-privileged') }, { rules: RULES });
    expect(r.findings.map(brief)).toEqual([]);
  });
});

describe('include: a broken include is one include error at the value that names it', () => {
  it('a missing file', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.25\ninclude:\n  - path: missing/compose.yaml\n' }, { rules: RULES });
    expect(r.findings.map(brief)).toEqual([
      { ruleId: 'include', severity: 'error', file: 'compose.yaml', line: 5, column: 11, endLine: 5, endColumn: 31, message: 'include "missing/compose.yaml" cannot be read: no such file' },
    ]);
  });

  it('a cycle', () => {
    const r = lintFiles({ 'compose.yaml': 'include: [a.yaml]\nservices: {}\n', 'a.yaml': 'include:\n  - compose.yaml\nservices: {}\n' }, { rules: RULES });
    expect(r.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
      'include a.yaml:2:5 include "compose.yaml" forms a cycle: compose.yaml -> a.yaml -> compose.yaml; docker compose refuses it ("include cycle detected")',
    ]);
  });

  it(`nesting deeper than ${MAX_INCLUDE_DEPTH} levels`, () => {
    const files: Record<string, string> = { 'compose.yaml': 'include: [f1.yaml]\nservices: {}\n' };
    for (let i = 1; i <= MAX_INCLUDE_DEPTH + 3; i++) files[`f${i}.yaml`] = `include: [f${i + 1}.yaml]\nservices:\n  s${i}:\n    image: busybox:1.36\n`;
    files[`f${MAX_INCLUDE_DEPTH + 4}.yaml`] = 'services: {}\n';
    const r = lintFiles(files, { rules: RULES });
    expect(r.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`)).toEqual([`include f${MAX_INCLUDE_DEPTH}.yaml:1:11`]);
    expect(r.findings[0]!.message).toMatch(/nests includes more than 16 deep/);
    expect(r.stack!.services).toHaveLength(MAX_INCLUDE_DEPTH);
  });

  it('a diamond of includes is read once per file, not once per path to it', () => {
    // each level includes the next twice: 2^40 paths, 40 files
    const files: Record<string, string> = { 'compose.yaml': 'include: [l1.yaml, l1.yaml]\nservices: {}\n' };
    for (let i = 1; i < 15; i++) files[`l${i}.yaml`] = `include:\n  - l${i + 1}.yaml\n  - path: l${i + 1}.yaml\nservices:\n  s${i}:\n    image: busybox:1.36\n`;
    files['l15.yaml'] = 'services:\n  last:\n    image: busybox:1.36\n';
    const r = lintFiles(files, { rules: RULES });
    expect(r.findings).toEqual([]);
    expect(r.stack!.services).toHaveLength(15);
  });

  it('a file outside the project is refused as extends.file is; allowPaths lets it in', () => {
    const files = { 'app/compose.yaml': 'include:\n  - ../shared/compose.yaml\nservices: {}\n', 'shared/compose.yaml': DB };
    inTempDir(files, (dir) => {
      const refused = lintProject({ files: [join(dir, 'app/compose.yaml')], environment: {}, rules: RULES });
      expect(refused.findings.map((f) => `${f.ruleId} ${f.line}:${f.column} ${f.message}`)).toEqual([
        'include 2:5 include "../shared/compose.yaml" is not read: outside the project (the folders of the files named on the command line, and allowPaths in .stackopt.yaml)',
      ]);
      const allowed = lintProject({ files: [join(dir, 'app/compose.yaml')], environment: {}, rules: RULES, allowPaths: [join(dir, 'shared')] });
      expect(allowed.findings.map((f) => `${f.ruleId} ${f.file}`)).toEqual(['no-privileged shared/compose.yaml']);
    });
  });

  it('a link to a system file and a file that is no compose mapping: refused, content not shown', () => {
    inTempDir({ 'compose.yaml': 'include:\n  - tty.yaml\n  - key.yaml\nservices: {}\n', 'key.yaml': 'SECRET_TOKEN=abcdef123456\n' }, (dir) => {
      symlinkSync('/dev/tty', join(dir, 'tty.yaml'));
      const r = lintProject({ files: [join(dir, 'compose.yaml')], environment: {}, rules: RULES });
      expect(r.findings.map((f) => `${f.ruleId} ${f.line}:${f.column} ${f.message}`)).toEqual([
        'include 2:5 include "tty.yaml" is not read: a symbolic link to /dev/tty, which is outside the project (the folders of the files named on the command line, and allowPaths in .stackopt.yaml)',
        'include 3:5 include "key.yaml" is not a compose file: it does not parse as a YAML mapping (line 1, column 1); its content is not shown (lint it on its own to see why)',
      ]);
      expect(JSON.stringify(r.findings)).not.toContain('abcdef');
    });
  });

  it('a path a variable gave is quoted as written, its value not shown', () => {
    const r = lintFiles({ 'compose.yaml': 'include:\n  - ${SECRET_DIR}/compose.yaml\nservices: {}\n' }, { rules: RULES, environment: { SECRET_DIR: 'hunter2-private' } });
    expect(r.findings.map((f) => `${f.ruleId} ${f.line}:${f.column} ${f.message}`)).toEqual(['include 2:5 include "${SECRET_DIR}/compose.yaml" cannot be read: no such file']);
  });

  it('an env_file that cannot be read is an include error at its value', () => {
    const r = lintFiles({ 'compose.yaml': 'include:\n  - path: db/compose.yaml\n    env_file: db/missing.env\nservices: {}\n', 'db/compose.yaml': DB }, { rules: RULES });
    expect(r.findings.map((f) => `${f.ruleId} ${f.line}:${f.column} ${f.message}`)).toEqual(['include 3:15 env file db/missing.env of the include cannot be read: no such file']);
  });
});

describe('include under the swarm target', () => {
  const files = { 'compose.yaml': WEB, 'db/compose.yaml': DB };
  it('is a swarm-compat error at the include key (docker stack deploy does not read it)', () => {
    const r = lintFiles(files, { rules: [swarmCompat] });
    inTempDir(files, (dir) => {
      const s = lintProject({ files: [join(dir, 'compose.yaml')], environment: {}, rules: [swarmCompat], target: 'swarm' });
      expect(s.findings.filter(only(['swarm-compat'])).map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
        'compose.yaml:1:1 the file sets include, which docker stack deploy rejects ("(root) Additional property include is not allowed"); list the files instead: docker stack deploy -c A.yml -c B.yml NAME',
        'compose.yaml:6:5 service "web" sets depends_on, which docker stack deploy ignores; swarm starts services in any order; make services retry their dependencies and use healthchecks',
        'db/compose.yaml:4:5 service "db" sets privileged, which docker stack deploy ignores; swarm services cannot run privileged; grant only the capabilities needed with cap_add',
      ]);
    });
    expect(r.findings.filter(only(['swarm-compat']))).toEqual([]);
  });

  it.skipIf(!dockerAvailable())('docker stack config refuses the same file for that key', () => {
    inTempDir(files, (dir) => {
      const run = spawnSync('docker', ['stack', 'config', '-c', 'compose.yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 300_000 });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe('(root) Additional property include is not allowed');
    });
  });
});

describe('fix and include', () => {
  it('fixes only the files named: a fix inside an included file is left, and that file is not written', () => {
    inTempDir({ 'compose.yaml': WEB, 'db/compose.yaml': DB }, (dir) => {
      const r = fixProject({ files: [join(dir, 'compose.yaml')], environment: {}, rules: [nonRootUser], unsafe: true });
      expect(r.files.map((f) => f.source.displayPath)).toEqual(['compose.yaml']);
      expect(r.applied.map((a) => `${a.ruleId} ${a.service} ${a.file}`)).toEqual(['non-root-user web compose.yaml']);
      expect(r.left.map((l) => `${l.finding.ruleId} ${l.finding.service} ${l.reason}`)).toEqual(['non-root-user db other-file']);
      expect(r.left[0]!.why).toMatch(/^the fix would edit db\/compose\.yaml \(through extends or include\), which is not one of the files being fixed/);
      expect(readFileSync(join(dir, 'db/compose.yaml'), 'utf8')).toBe(DB);
    });
  });
});
