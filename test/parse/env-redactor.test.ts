import { describe, expect, it } from 'vitest';
import { EnvRedactor, MIN_REDACTED_LENGTH } from '../../src/parse/env-redactor.js';
import { maskLine, maskText } from '../../src/format/mask.js';
import criticalSingleReplica from '../../rules/critical-single-replica/index.js';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../src/parse/load-project.js';
import { inTempDir, lintFiles } from './helpers.js';

describe('EnvRedactor', () => {
  const env = new Map([
    ['TOKEN', 'ghp_Secret123'],
    ['SHORT', 'abc'],
    ['INNER', 'Secret'],
    ['UNUSED', 'notused-value'],
    ['MULTI', 'line-one-x\nline-two-y'],
  ]);
  const r = new EnvRedactor(env, ['TOKEN', 'SHORT', 'INNER', 'MULTI']);

  it('replaces the values of the variables used, longest first, in any letter case', () => {
    expect(r.redact('image "registry/app:ghp_Secret123" and GHP_SECRET123, then Secret')).toBe('image "registry/app:${TOKEN}" and ${TOKEN}, then ${INNER}');
  });

  it(`leaves values under ${MIN_REDACTED_LENGTH} characters and variables the files did not use`, () => {
    expect(r.redact('abc notused-value')).toBe('abc notused-value');
  });

  it('replaces each line of a value written across lines', () => {
    expect(r.redact('first line-one-x, then line-two-y')).toBe('first ${MULTI}, then ${MULTI}');
  });

  it('is empty when no value is long enough', () => {
    expect(new EnvRedactor(env, ['SHORT']).empty).toBe(true);
  });
});

describe('EnvRedactor: values the files hold as text', () => {
  const env = new Map([
    ['POSTGRES_DB', 'postgres'],
    ['DB_PASSWORD', 'hunter22'],
    ['ALSO_DB', 'hunter22'],
    ['APP_NAME', 'shopfront'],
  ]);
  const files = 'services:\n  db:\n    image: postgres:16\n    command: ["run", "--as", "hunter22"]\n';
  const r = new EnvRedactor(env, ['POSTGRES_DB', 'DB_PASSWORD', 'ALSO_DB', 'APP_NAME'], (t) => files.toLowerCase().includes(t));

  it('keeps a value the files hold, unless a variable with that value has a name that says it is a secret', () => {
    expect(r.redact('image "postgres:16" matches "POSTGRES"')).toBe('image "postgres:16" matches "POSTGRES"');
    // hunter22 is in the file too, but DB_PASSWORD holds it: replaced (named by the first variable)
    expect(r.redact('runs hunter22')).toBe('runs ${DB_PASSWORD}');
    // shopfront is in no file
    expect(r.redact('service shopfront')).toBe('service ${APP_NAME}');
  });

  it(`looks for at most a bounded number of values in the files; the others are replaced`, () => {
    const many = new Map(Array.from({ length: 100 }, (_, i) => [`V${i}`, `value-${String(i).padStart(3, '0')}`]));
    let searches = 0;
    const all = new EnvRedactor(many, many.keys(), () => {
      searches++;
      return true;
    });
    const text = [...many.values()].join(' ');
    const out = all.redact(text);
    expect(searches).toBe(64);
    expect(out.split(' ').filter((w) => w.startsWith('${'))).toHaveLength(36);
  });
});

describe('a lint whose .env sets a value the file also writes', () => {
  const compose = 'services:\n  db:\n    image: postgres:16\n    environment:\n      - X=${DBNAME}\n      - Y=${DB_PASSWORD}\n';
  const messages = (dotenv: string) =>
    lintFiles({ 'compose.yaml': compose, '.env': dotenv }, { rules: [criticalSingleReplica], environment: {} }).findings.filter((f) => f.ruleId === 'critical-single-replica').map((f) => f.message);

  it('shows the image as the file wrote it (it was `image "${DBNAME}:16"`)', () => {
    const [m] = messages('DBNAME=postgres\nDB_PASSWORD=s3cret-value\n');
    expect(m).toContain('image "postgres:16" matches "postgres"');
  });

  it('replaces it where a variable with a secret\'s name holds the same value', () => {
    const [m] = messages('DBNAME=postgres\nDB_PASSWORD=postgres\n');
    expect(m).toContain('image "${DBNAME}:16"');
    expect(m).not.toContain('postgres');
  });
});

describe('the files whose text counts', () => {
  it('never an env file, also when a compose file reaches it through extends or include, or a link', () => {
    const dotenv = 'DATABASE_URL: postgres://app:p4ssw0rd-x@db/app\n';
    const files = {
      'compose.yaml': 'include: [.env]\nservices:\n  web:\n    image: nginx:1.27\n    extends: {file: env-link.yml, service: x}\n    environment:\n      - URL=${DATABASE_URL}\n',
      '.env': dotenv,
    };
    inTempDir(files, (dir) => {
      symlinkSync(join(dir, '.env'), join(dir, 'env-link.yml'));
      const project = loadProject({ files: ['compose.yaml'], environment: {} });
      expect(project.redactor.redact('postgres://app:p4ssw0rd-x@db/app')).toBe('${DATABASE_URL}');
    });
  });
});

describe('masking secret spans', () => {
  it('replaces each span by **** and moves the columns after it', () => {
    const m = maskLine('      DB_PASSWORD: hunter2 # c', [[19, 26]]);
    expect(m.text).toBe('      DB_PASSWORD: **** # c');
    expect([m.column(6), m.column(19), m.column(27)]).toEqual([6, 19, 24]);
  });

  it('keeps the lines of a text (CRLF too) and masks a span running to the line end', () => {
    expect(maskText('a: 1\r\nP: secret\r\nb: 2\r\n', new Map([[2, [[3, Infinity]] as Array<[number, number]>]]))).toBe('a: 1\r\nP: ****\r\nb: 2\r\n');
  });
});
