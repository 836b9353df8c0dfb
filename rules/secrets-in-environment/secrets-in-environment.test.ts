import rule, { looksSecret, DEFAULT_SECRET_WORDS } from './index.js';
import { testRule, lintCase } from '../../test/helpers/rule-tester.js';
import { testReadmeExamples } from '../../test/helpers/readme-examples.js';
import { describe, expect, it } from 'vitest';
import { audit, findingsOf, node, service, snapshot } from '../../test/helpers/swarm-snapshot.js';
import { cpuRatio } from '../../test/helpers/measure.js';

describe('looksSecret', () => {
  it('matches words as parts of the name, and long words glued', () => {
    for (const k of ['POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'GITHUB_TOKEN', 'X_API_KEY', 'NEXTAUTH_SECRET', 'DBPASSWORD', 'aws_secret_access_key', 'SECRET_KEY_BASE'])
      expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(true);
    for (const k of ['POSTGRES_PASSWORD_FILE', 'TOKEN_URL', 'PASSWORD_MIN_LENGTH', 'TOKENIZER', 'POSTGRES_USER', 'PWD', 'JWT_TOKEN_EXPIRY'])
      expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(false);
  });

  it('PASS is a word of its own: *_PASS names are secrets, words that merely contain it are not', () => {
    for (const k of ['RABBITMQ_DEFAULT_PASS', 'POSTGRESQL_PASS', 'smtp_pass', 'DB_PASS_PRIMARY']) expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(true);
    for (const k of ['PASSPORT_STRATEGY', 'BYPASS_CACHE', 'PASSENGER_APP_ENV', 'COMPASS']) expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(false);
  });

  it('PWD after another word is a password; PWD alone is the working directory', () => {
    for (const k of ['MYSQL_PWD', 'POSTGRES_PWD', 'es_pwd', 'DB_ADMIN_PWD']) expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(true);
    for (const k of ['PWD', 'pwd', 'OLDPWD', 'MEMCACHED_SASL_PWDB', 'MYSQL_PWD_FILE']) expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(false);
  });

  it('names that end in a path, a file, a limit or a port are settings about a secret', () => {
    for (const k of ['SECRET_KEY_FILEPATH', 'JWT_PRIVATE_KEY_PATH', 'API_KEY_FILE', 'TLS_KEYFILE', 'API_KEY_RATE_LIMIT', 'STAGEGATE_SECRETSTORESETUP_TOKENS_READYPORT', 'MESSAGEBUS_SECRETNAME', 'TOKEN_HOST', 'PASSWORD_HASH_ALGO'])
      expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(false);
  });

  it('names that end in a kind, a class, a place or a count say what the secret is like, not what it is', () => {
    // the Confluent platform's settings (`..._CREDENTIALS_PROVIDER: OAUTHBEARER`,
    // `CONNECT_CONFIG_PROVIDERS_SECRET_CLASS: <a Java class>`, `..._SECRET_PARAM_..._BOOTSTRAP_SERVERS:
    // broker:9095`), registry's `REGISTRY_AUTH_HTPASSWD_REALM`, mailcow's `MAILCOW_PASS_SCHEME`
    for (const k of [
      'CONFLUENT_METADATA_HTTP_AUTH_CREDENTIALS_PROVIDER',
      'CONNECT_CONFIG_PROVIDERS_SECRET_PROVIDERS',
      'KSQL_SCHEMA_REGISTRY_BEARER_AUTH_CREDENTIALS_SOURCE',
      'CONNECT_CONFIG_PROVIDERS_SECRET_CLASS',
      'SECRET_PARAM_SASL_LOGIN_CALLBACK_HANDLER_CLASS',
      'SECRET_PARAM_SASL_MECHANISM',
      'SECRET_PARAM_SECURITY_PROTOCOL',
      'SECRET_PARAM_BOOTSTRAP_SERVERS',
      'SECRET_PARAM_TOPIC_REPLICATION_FACTOR',
      'AWS_CREDENTIALS_AWS_REGION',
      'REGISTRY_AUTH_HTPASSWD_REALM',
      'MAILCOW_PASS_SCHEME',
      'ACCESS_TOKEN_EXPIRE_MINUTES',
      'SECRET_STORE_ADDRESS',
    ])
      expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(false);
    // the same words before the end leave a secret a secret
    for (const k of ['PROVIDER_SECRET', 'OAUTH_PROVIDER_CLIENT_SECRET', 'SERVERS_PASSWORD', 'REGION_API_KEY', 'SOURCE_DB_PASSWORD'])
      expect(looksSecret(k, DEFAULT_SECRET_WORDS), k).toBe(true);
  });
});

describe('looksSecret with a long list of words (looked up in one automaton)', () => {
  /** The rule's reading of a name, word by word, without the endings that are settings. */
  const byWord = (key: string, words: readonly string[]): boolean => {
    const norm = (x: string) => x.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
    const joined = `_${norm(key)}_`;
    return words.map(norm).some((w) => joined.includes(`_${w}_`) || (w.length >= 6 && joined.includes(w)));
  };

  it('gives the verdict a search of each word gives, on random names and words', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const piece = () => ['PASS', 'KEY', 'A', 'API', 'TOKENX', 'SECRETS', 'DB', '_', '-', '.', 'x', 'LONGWORD', '9', ''][Math.floor(next() * 14)]!;
    const text = (parts: number) => Array.from({ length: parts }, piece).join(next() < 0.5 ? '_' : '');
    for (let round = 0; round < 300; round++) {
      // more than the 32 words a list is searched word by word up to
      const words = Array.from({ length: 33 + Math.floor(next() * 20) }, () => text(1 + Math.floor(next() * 3))).filter((w) => w !== '');
      for (let k = 0; k < 20; k++) {
        const key = text(1 + Math.floor(next() * 6));
        // names that end in a setting are never secrets, whatever the words
        if (/(?:FILE|PATH|DIR|URL|URI|HOST|PORT|NAME)$/i.test(key.replace(/[^A-Za-z0-9]+$/, ''))) continue;
        expect(looksSecret(key, words), `${key} / ${words.join(',')}`).toBe(byWord(key, words));
      }
    }
  });

  it('takes time in proportion to the words and names', () => {
    const run = (n: number) => () => {
      const words = Array.from({ length: n }, (_, i) => `word${i}x`);
      let found = 0;
      for (let i = 0; i < n; i++) if (looksSecret(`XV${i}_WORD${i}X`, words)) found++;
      return found;
    };
    expect(run(100)()).toBe(100);
    // at 16 times the words and names, linear work is about 16 times; each word for each name, 256
    expect(cpuRatio((f: () => number) => f(), run(2000), run(32000))).toBeLessThan(100);
  }, 300_000);

  it('takes time in proportion to the names and the words, whatever the number of word lengths', () => {
    // k words of k lengths (QQQQQQ, QQQQQQQ, ...), against 200 names of 250k characters none holds:
    // looking up each run of each word length cost the names' length times k times the run's length
    const run = (k: number) => () => {
      const words = Array.from({ length: k }, (_, i) => 'Q'.repeat(6 + i));
      const name = 'AB_'.repeat(Math.ceil((250 * k) / 3));
      let found = 0;
      for (let i = 0; i < 200; i++) if (looksSecret(`${name}${i}`, words)) found++;
      return found;
    };
    expect(run(40)()).toBe(0);
    expect(looksSecret('X_QQQQQQQQQQ_Y', Array.from({ length: 40 }, (_, i) => 'Q'.repeat(6 + i)))).toBe(true);
    // at 4 times the word lengths and the names' length, linear work is about 4 times; the old lookup 64
    expect(cpuRatio((f: () => number) => f(), run(60), run(240))).toBeLessThan(25);
  }, 300_000);
});

testRule(rule, {
  valid: [
    { name: 'from the environment', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      API_TOKEN: "${API_TOKEN:?set it}"\n' },
    { name: 'a _FILE variable', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD_FILE=/run/secrets/db_password\n' },
    { name: 'empty, pass-through and booleans', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      DB_PASSWORD: ""\n      API_TOKEN:\n      REQUIRE_PASSWORD: true\n' },
    { name: 'list form pass-through', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      - API_TOKEN\n' },
    { name: 'not secret-like names', code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: app\n      POSTGRES_DB: app\n' },
    {
      name: 'paths, limits and switches are not secrets',
      code: `services:
  api:
    image: myorg/api:2.4
    environment:
      JWT_PRIVATE_KEY: /keys/private_key.pem
      TLS_PRIVATE_KEY: ./certs/key.pem
      DB_PASSWORD_SOURCE: /run/secrets/db_password
      SECRET_KEY_FILEPATH: /etc/app/secret.key
      API_KEY_RATE_LIMIT: 60/minute
      ALLOW_EMPTY_PASSWORD: \${ALLOW_EMPTY_PASSWORD:-yes}
      SIGNING_KEY: \${SIGNING_KEY:-/keys/signing.pem}
      ADMIN_PASSWORD: \${ADMIN_PASSWORD:-\${DEFAULT_ADMIN_PASSWORD}}
      RABBITMQ_DEFAULT_PASS: \${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD}
`,
      env: { DEFAULT_ADMIN_PASSWORD: 'x', RABBITMQ_PASSWORD: 'x' },
    },
    {
      name: 'the list form of the same settings',
      code: 'services:\n  api:\n    image: myorg/api:2.4\n    environment:\n      - JWT_PRIVATE_KEY=/keys/private_key.pem\n      - API_KEY_RATE_LIMIT=60/minute\n      - APP_SECRET_FILE=/run/secrets/app\n',
    },
    {
      name: 'a kind, a class, a place or a count of a secret is not one',
      code: `services:
  connect:
    image: confluentinc/cp-server-connect:7.7.1
    environment:
      CONNECT_CONFLUENT_METADATA_HTTP_AUTH_CREDENTIALS_PROVIDER: OAUTHBEARER
      CONNECT_CONFIG_PROVIDERS_SECRET_CLASS: io.confluent.connect.secretregistry.rbac.config.provider.InternalSecretConfigProvider
      CONNECT_CONFIG_PROVIDERS_SECRET_PARAM_KAFKASTORE_BOOTSTRAP_SERVERS: broker:9095
      CONNECT_CONFIG_PROVIDERS_SECRET_PARAM_KAFKASTORE_TOPIC_REPLICATION_FACTOR: 1
      CONNECT_CONFIG_PROVIDERS_SECRET_PARAM_KAFKASTORE_SECURITY_PROTOCOL: SASL_PLAINTEXT
      CONNECT_CONFIG_PROVIDERS_SECRET_PARAM_KAFKASTORE_SASL_MECHANISM: OAUTHBEARER
      PEERDB_CLICKHOUSE_AWS_CREDENTIALS_AWS_REGION: us-east-1
  registry:
    image: registry:2.8
    environment:
      - REGISTRY_AUTH_HTPASSWD_REALM=Registry Realm
      - MAILCOW_PASS_SCHEME=\${MAILCOW_PASS_SCHEME:-BLF-CRYPT}
`,
    },
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
      name: '*_PWD names (MySQL\'s MYSQL_PWD, Temporal\'s POSTGRES_PWD), in both forms; PWD alone is not one',
      code: 'services:\n  db:\n    image: mysql:8.4\n    environment:\n      MYSQL_PWD: blah\n      PWD: /srv/app\n  temporal:\n    image: temporalio/auto-setup:1.25\n    environment:\n      - POSTGRES_PWD=temporal\n      - PWD=/etc/temporal\n',
      errors: [
        { messageId: 'literal', line: 5, column: 7, endColumn: 16, service: 'db', path: 'services.db.environment.MYSQL_PWD' },
        { messageId: 'literal', line: 10, column: 9, endColumn: 21, service: 'temporal', path: 'services.temporal.environment.POSTGRES_PWD' },
      ],
    },
    {
      name: 'a literal default: ${VAR:-...}',
      code: 'services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}\n',
      errors: [{ messageId: 'defaultValue', line: 5, column: 7 }],
    },
    {
      name: 'a password with no user in a URL (Redis\'s redis://:password@host)',
      code: 'services:\n  app:\n    image: app:1\n    environment:\n      REDIS_URL: redis://:s3cretpw@redis:6379/0\n      PLAIN: http://:8080/x\n',
      errors: [{ messageId: 'url', line: 5, column: 7 }],
    },
    {
      name: 'a password in a URL, whatever the name',
      code: 'services:\n  app:\n    image: app:1\n    environment:\n      DATABASE_URL: postgres://app:s3cret@db:5432/app\n',
      errors: [{ message: 'service "app" writes a URL with a password in DATABASE_URL; pass the password from the environment or a secret (the value is not shown)', line: 5, column: 7 }],
    },
    {
      name: '*_PASS names, literally and as a literal default (also through a << merge)',
      code: `x-mq-env: &mq-env
  RABBITMQ_DEFAULT_USER: \${RABBITMQ_USER:-plane}
  RABBITMQ_DEFAULT_PASS: \${RABBITMQ_PASSWORD:-plane}
services:
  worker:
    image: myorg/worker:1.2
    environment:
      <<: *mq-env
      POSTGRESQL_PASS: plane
  api:
    image: myorg/api:1.2
    environment:
      - SMTP_PASS=\${SMTP_PASS:-mailpass}
`,
      errors: [
        { messageId: 'defaultValue', line: 3, column: 3, endColumn: 24, service: 'worker', path: 'services.worker.environment.RABBITMQ_DEFAULT_PASS' },
        { messageId: 'literal', line: 9, column: 7, endColumn: 22, service: 'worker' },
        { messageId: 'defaultValue', line: 13, column: 9, endColumn: 18, service: 'api' },
      ],
    },
    {
      name: 'a literal default is reported even when the variable is set (the default is still in the file)',
      code: 'services:\n  web:\n    image: myorg/web:1.2\n    environment:\n      SECRET_KEY: ${SECRET_KEY:-60gp0byfz2dvffa45}\n',
      env: { SECRET_KEY: 'from-the-environment' },
      errors: [{ messageId: 'defaultValue', line: 5, column: 7, endColumn: 17 }],
    },
    {
      name: 'a literal default nested in another variable\'s default',
      code: 'services:\n  api:\n    image: myorg/api:1.2\n    environment:\n      SECRET_KEY: ${SECRET_KEY:-${LEGACY_SECRET_KEY:-60gp0byfz2dvffa45}}\n',
      errors: [{ messageId: 'defaultValue', line: 5, column: 7, endColumn: 17 }],
    },
    {
      name: 'a duplicate key elsewhere in the file hides nothing (yaml-syntax reports it; this rule still runs)',
      code: 'services:\n  web:\n    image: nginx:1.27\n    image: nginx:1.28\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: hunter2\n',
      errors: [{ messageId: 'literal', line: 8, column: 7, service: 'db' }],
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

describe('secrets-in-environment on a live service', () => {
  it('says who can read the value and recommends a docker secret, never showing it', () => {
    const api = service({ name: 'shop_api', stack: 'shop' });
    api.Spec.TaskTemplate!.ContainerSpec!.Env = ['DB_PASSWORD=sup3r-s3cret-value', 'DATABASE_URL=postgres://app:pa55w0rd@db/shop', 'LOG_LEVEL=info', 'API_TOKEN_FILE=/run/secrets/token'];
    const result = audit(snapshot({ nodes: [node({ hostname: 'm', role: 'manager', leader: true })], services: [api] }));
    expect(findingsOf(result, 'secrets-in-environment')).toEqual([
      [
        'warning',
        'service shop_api',
        'service "shop_api" has a value for DB_PASSWORD in its spec, which looks like a secret: anyone who can run `docker service inspect shop_api` reads it; put it in a docker secret (`docker secret create`), attach it to the service and point DB_PASSWORD_FILE at /run/secrets/... (the value is not shown)',
      ],
      [
        'warning',
        'service shop_api',
        'service "shop_api" has a URL with a password in DATABASE_URL in its spec: anyone who can run `docker service inspect shop_api` reads it; move the password to a docker secret (`docker secret create`) attached to the service (the value is not shown)',
      ],
    ]);
    expect(JSON.stringify(result.findings.map((f) => f.message))).not.toMatch(/sup3r|pa55w0rd/);
  });
});
