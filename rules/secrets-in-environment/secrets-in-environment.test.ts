import rule, { looksSecret, DEFAULT_SECRET_WORDS } from './index.js';
import { testRule, lintCase } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { describe, expect, it } from 'vitest';

describe('looksSecret', () => {
  it('matches words as parts of the name, and long words glued', () => {
    for (const k of ['POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'GITHUB_TOKEN', 'X_API_KEY', 'NEXTAUTH_SECRET', 'DBPASSWORD', 'aws_secret_access_key', 'SECRET_KEY_BASE'])
      expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(true);
    for (const k of ['POSTGRES_PASSWORD_FILE', 'TOKEN_URL', 'PASSWORD_MIN_LENGTH', 'TOKENIZER', 'POSTGRES_USER', 'PWD', 'JWT_TOKEN_EXPIRY'])
      expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(false);
  });
});

testRule(rule, {
  valid: [
    { name: 'from the environment', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      API_TOKEN: "${API_TOKEN:?set it}"\n' },
    { name: 'a _FILE variable', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD_FILE=/run/secrets/db_password\n' },
    { name: 'empty, pass-through and booleans', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      DB_PASSWORD: ""\n      API_TOKEN:\n      REQUIRE_PASSWORD: true\n' },
    { name: 'list form pass-through', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      - API_TOKEN\n' },
    { name: 'not secret-like names', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_DB: app\n' },
    { name: 'ignored by option', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      DEMO_PASSWORD: demo\n', options: { ignoreKeys: ['DEMO_PASSWORD'] } },
  ],
  invalid: [
    {
      name: 'a literal in a mapping: points at the name, never shows the value',
      code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: hunter2\n',
      errors: [
        {
          message:
            'service "db" writes a literal value for POSTGRES_PASSWORD, which looks like a secret; pass it from the environment (${POSTGRES_PASSWORD}), or use a secret and POSTGRES_PASSWORD_FILE=/run/secrets/... (the value is not shown)',
          line: 5,
          column: 7,
          endColumn: 24,
          path: 'services.db.environment.POSTGRES_PASSWORD',
          severity: 'warning',
        },
      ],
    },
    {
      name: 'list form: points at the name part, numbers count',
      code: 'services:\n  app:\n    image: app:1\n    environment:\n      - "API_KEY=abc123"\n      - PIN_SECRET=1234\n',
      errors: [
        { messageId: 'literal', line: 5, column: 10, endColumn: 17 },
        { messageId: 'literal', line: 6, column: 9, endColumn: 19 },
      ],
    },
    {
      name: 'a literal default: ${VAR:-...}',
      code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}\n',
      errors: [{ messageId: 'defaultValue', line: 5, column: 7 }],
    },
    {
      name: 'a password in a URL, whatever the name',
      code: 'services:\n  app:\n    image: app:1\n    environment:\n      DATABASE_URL: postgres://app:s3cret@db:5432/app\n',
      errors: [{ message: 'service "app" writes a URL with a password in DATABASE_URL; pass the password from the environment or a secret (the value is not shown)', line: 5, column: 7 }],
    },
    {
      name: 'through an anchor: reported once, at the anchor',
      code: 'x-env: &env\n  JWT_SECRET: abc\nservices:\n  a:\n    image: a:1\n    environment: *env\n  b:\n    image: b:1\n    environment: *env\n',
      errors: [{ messageId: 'literal', line: 2, column: 3, service: 'a' }],
    },
  ],
});

describe('secrets-in-environment never prints the value', () => {
  it('no message contains it', () => {
    const found = lintCase(
      { code: 'services:\n  a:\n    image: a:1\n    environment:\n      A_PASSWORD: sup3r-s3cret-value\n' },
      'secrets-in-environment',
    );
    expect(found).toHaveLength(1);
    // `sensitive` is where the value is (for masking), never printed
    expect(JSON.stringify(found.map(({ fix: _f, loc: _l, sensitive: _s, ...rest }) => rest))).not.toContain('sup3r-s3cret-value');
  });
});

testReadmeExamples(rule, { incorrect: 2 });
