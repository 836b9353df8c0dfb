/**
 * `env-file`: a service's `env_file` (unless `required: false`) and `label_file` must exist, as docker
 * compose (compose-go, types/project.go: "env file ... not found") and docker stack deploy ("open
 * ...: no such file or directory") refuse the project otherwise. Only files inside the project are
 * looked for, and not a path a variable gives.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lintProject } from '../../src/engine/lint.js';
import { dockerAvailable } from '../oracle-match.js';
import { brief, inTempDir, lintFiles } from './helpers.js';

const missing = (files: Record<string, string>, lint?: string[], environment: Record<string, string> = {}) =>
  lintFiles(files, { lint, environment })
    .findings.filter((f) => f.ruleId === 'env-file')
    .map(brief);

const ENV_MESSAGE = (svc: string, file: string) =>
  `service "${svc}" reads env file "${file}", which does not exist: docker compose and docker stack deploy refuse the project while it is missing; add it, or with docker compose mark it optional (path: and required: false)`;

describe('env-file', () => {
  it('says nothing when the files exist, are optional, lie outside the project or come from a variable', () => {
    const compose = [
      'services:',
      '  a:',
      '    image: nginx:1.27',
      '    env_file: ./app.env',
      '  b:',
      '    image: nginx:1.27',
      '    env_file:',
      '      - app.env',
      '      - path: ./optional.env',
      '        required: false',
      '      - path: ./optional2.env',
      '        required: "false"',
      '      - ${ENV_FILE}',
      '      - ${ENV_FILE2:-./set-elsewhere.env}',
      '      - ../outside.env',
      '      - /etc/stackopt-no-such-file.env',
      '    label_file: conf/labels',
      '',
    ].join('\n');
    expect(missing({ 'compose.yaml': compose, 'app.env': 'A=1\n', 'conf/labels': 'x=y\n' }, undefined, { ENV_FILE: './nowhere.env' })).toEqual([]);
  });

  it('reports a missing env_file or label_file at its path, in every form', () => {
    const compose = [
      'services:',
      '  a:',
      '    image: nginx:1.27',
      '    env_file: ./missing.env',
      '  b:',
      '    image: nginx:1.27',
      '    env_file:',
      '      - present.env',
      '      - path: ./required.env',
      '        required: true',
      '      - other.env',
      '    label_file: [./labels]',
      '',
    ].join('\n');
    expect(missing({ 'compose.yaml': compose, 'present.env': '' })).toEqual([
      { ruleId: 'env-file', severity: 'warning', file: 'compose.yaml', line: 4, column: 15, endLine: 4, endColumn: 28, message: ENV_MESSAGE('a', './missing.env') },
      { ruleId: 'env-file', severity: 'warning', file: 'compose.yaml', line: 9, column: 15, endLine: 9, endColumn: 29, message: ENV_MESSAGE('b', './required.env') },
      { ruleId: 'env-file', severity: 'warning', file: 'compose.yaml', line: 11, column: 9, endLine: 11, endColumn: 18, message: ENV_MESSAGE('b', 'other.env') },
      {
        ruleId: 'env-file',
        severity: 'warning',
        file: 'compose.yaml',
        line: 12,
        column: 18,
        endLine: 12,
        endColumn: 26,
        message: 'service "b" reads label file "./labels", which does not exist: docker compose refuses the project while it is missing; add it',
      },
    ]);
  });

  it('reads a path as compose does: from the first file\'s folder in the files named, from its own file\'s folder through extends', () => {
    const files = {
      'app/compose.yaml': 'services:\n  web:\n    extends: {file: base/base.yaml, service: base}\n',
      'app/web.env': '',
      'app/base/base.yaml': 'services:\n  base:\n    image: nginx:1.27\n    env_file: [base.env, gone.env]\n',
      'app/base/base.env': '',
      // over.env is read from app/, the project's folder, not from over/ where it is
      'over/override.yaml': 'services:\n  web:\n    env_file: [web.env, over.env]\n',
      'over/over.env': '',
    };
    const found = lintFiles(files, { lint: ['app/compose.yaml', 'over/override.yaml'], environment: {} }).findings.filter((f) => f.ruleId === 'env-file');
    expect(found.map((f) => `${f.file}:${f.line}:${f.column} ${f.message.slice(0, f.message.indexOf(','))}`).sort()).toEqual([
      'app/base/base.yaml:4:26 service "web" reads env file "gone.env"',
      'over/override.yaml:3:25 service "web" reads env file "over.env"',
    ]);
  });

  it('can be turned off (rules: env-file: off)', () => {
    inTempDir({ 'compose.yaml': 'services:\n  a:\n    image: nginx:1.27\n    env_file: ./missing.env\n' }, () => {
      const lint = (settings: Record<string, { severity: 'off' | 'error' }>) => lintProject({ files: ['compose.yaml'], environment: {}, rules: [], settings }).findings.filter((f) => f.ruleId === 'env-file');
      expect(lint({}).map((f) => f.severity)).toEqual(['warning']);
      expect(lint({ 'env-file': { severity: 'error' } }).map((f) => f.severity)).toEqual(['error']);
      expect(lint({ 'env-file': { severity: 'off' } })).toEqual([]);
    });
  });

  it.skipIf(!dockerAvailable())('docker stack config refuses the file while the env file is missing, and takes it once it is there', () => {
    const stack = 'version: "3.8"\nservices:\n  a:\n    image: nginx:1.27\n    env_file: ./app.env\n';
    const run = (dir: string) => spawnSync('docker', ['stack', 'config', '-c', 'stack.yml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 300_000 });
    inTempDir({ 'stack.yml': stack }, (dir) => {
      const r = run(dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/app\.env: no such file or directory/);
      expect(missing({ 'stack.yml': stack }).map((f) => f.message)).toEqual([ENV_MESSAGE('a', './app.env')]);
    });
    inTempDir({ 'stack.yml': stack, 'app.env': 'A=1\n' }, (dir) => {
      expect(run(dir).status).toBe(0);
      expect(missing({ 'stack.yml': stack, 'app.env': 'A=1\n' })).toEqual([]);
    });
  });
});
