import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyImage,
  classifyName,
  classifyService,
  completionWaiters,
  findImagePattern,
  findPatternMatch,
  isCriticalKind,
  matchesPattern,
  oneShotReason,
  parseImageReference,
  runsImageServer,
  splitPattern,
  statefulReason,
  type PatternMatch,
} from '../../src/model/service-class.js';
import { lintFiles } from '../parse/helpers.js';

/**
 * The matching rule written as plainly as possible: every pattern in order, its glob as a regular
 * expression, the image before the name (no name: the image alone). findPatternMatch looks plain
 * names up, and tries only the globs whose literal start or end the subject has; it must give the
 * same answer for every list.
 */
function reference(name: string | null, image: string | null, patterns: readonly string[]): PatternMatch | null {
  const ref = image ? parseImageReference(image) : null;
  for (const pattern of patterns) {
    const { scope, glob } = splitPattern(pattern);
    const repository = glob.includes('/');
    if (ref && scope !== 'name') {
      const hit = repository
        ? matchesPattern(glob, ref.repository) || (ref.registry !== null && matchesPattern(glob, `${ref.registry}/${ref.repository}`))
        : ref.name !== '' && matchesPattern(glob, ref.name);
      if (hit) return { pattern, subject: 'image', value: image! };
    }
    if (name !== null && scope !== 'image' && !repository && matchesPattern(glob, name)) return { pattern, subject: 'name', value: name };
  }
  return null;
}

// Words that make lookups and globs compete: case variants, a glob and a plain name for the same
// word, repository patterns, and characters that fold to ASCII under toUpperCase (ſ → S, ı → I,
// the Kelvin sign) but never under a case-insensitive regular expression.
const words = ['redis', 'REDIS', 'Redis', 'postgres', 'nginx', 'api-gateway', 'gateway', 'ſtore', 'store', 'STORE', 'ıngress', 'ingress', '\u212Aong', 'kong', 'db', 'a.b'];
const patternArb = fc.oneof(
  fc.constantFrom(...words),
  fc.constantFrom(...words).map((w) => `name:${w}`),
  fc.constantFrom(...words).map((w) => `image:${w}`),
  fc.constantFrom(...words).map((w) => `*${w.slice(1)}`),
  fc.constantFrom(...words).map((w) => `name:*${w}*`),
  fc.constantFrom('bitnami/*', 'ghcr.io/org/*', 'library/redis', 'bitnami/redis', '?edis', 'r?dis', '*'),
  // globs whose only wildcard is `*` (matched by string searches on ASCII subjects): parts that
  // overlap, repeat, are empty (`**`, a leading or trailing `*`), with a `/`, or not ASCII
  fc
    .array(fc.constantFrom('', 'r', 'e', 'E', 'dis', 'RE', 'gate', 'way', 'a.b', 's', '/', 'ſ', 'org'), { minLength: 1, maxLength: 4 })
    .chain((parts) => fc.constantFrom(parts.join('*'), `name:${parts.join('*')}`, `image:${parts.join('*')}`)),
  // globs with `?` and `*` among literal characters (filed by their literal start, end or whole,
  // folded as case-insensitive matching folds them): non-ASCII ones, ones that fold to ASCII
  fc
    .array(fc.constantFrom('r', 'E', 'dis', 'ſ', 'ı', '\u212A', 'k', 'é', 'É', '?', '*', '/', 'gate', 'way', '-'), { minLength: 1, maxLength: 5 })
    .chain((parts) => fc.constantFrom(parts.join(''), `name:${parts.join('')}`, `image:${parts.join('')}`)),
  // plain repositories, looked up rather than matched: case variants, with a registry, scoped, non-ASCII
  fc.constantFrom('Bitnami/Redis', 'image:bitnami/redis', 'name:bitnami/redis', 'ghcr.io/org/redis', 'GHCR.IO/org/Redis', 'localhost:5000/redis', 'docker.io/library/redis', 'library/kong', 'library/\u212Aong', 'bitnami/store', 'bitnami/ſtore'),
);
const imageArb = fc.option(
  fc.tuple(fc.constantFrom('', 'bitnami/', 'ghcr.io/org/', 'docker.io/library/', 'localhost:5000/'), fc.constantFrom(...words, 'rédis', 'gate-way', 'Edisk'), fc.constantFrom('', ':7', '@sha256:abc')).map(([a, b, c]) => a + b + c),
);

describe('findPatternMatch', () => {
  it('gives the first matching pattern, as a regular expression per pattern would', () => {
    fc.assert(
      fc.property(fc.constantFrom(...words, 'my-api-gateway', 'cache', 'rédis', 'RÉDIS', 'gate-way', 'kgateway', 'Edis', 'ıdis', 'rEdisk'), imageArb, fc.array(patternArb, { maxLength: 8 }), (name, image, patterns) => {
        expect(findPatternMatch({ name, image: image === null ? null : ({ value: image } as never) }, patterns)).toEqual(reference(name, image, patterns));
        expect(image === null ? null : findImagePattern(image, patterns)).toEqual(image === null ? null : (reference(null, image, patterns)?.pattern ?? null));
      }),
      { numRuns: 2000 },
    );
  });

  // globs that begin and end with a wildcard are filed by a run of literal characters between
  // (many in one list: runs that overlap, repeat, fold to one another, hold a `/`), the others by
  // their longest run too
  it('gives the first matching pattern for many globs with literal characters between wildcards', () => {
    const wild = fc.constantFrom('*', '?', '', '**', '?*');
    const run = fc.constantFrom('e', 'E', 'ed', 'dis', 'edi', 'is', 'r', 'ſ', 's', '\u212A', 'k', 'é', 'É', '/', 'org/', 'gate', 'way', 'a.b');
    const glob = fc.tuple(wild, fc.array(fc.tuple(run, wild), { minLength: 1, maxLength: 3 }), fc.constantFrom('', 'name:', 'image:')).map(([w, rest, scope]) => scope + w + rest.map(([r, x]) => r + x).join(''));
    const name = fc.constantFrom(...words, 'rédis', 'RÉDIS', 'gate-way', 'kgateway', 'Edis', 'ıdis', 'rEdisk', 'ediedis', 'disdis', 'a.b.a.b');
    fc.assert(
      fc.property(name, imageArb, fc.array(glob, { maxLength: 30 }), (name, image, patterns) => {
        expect(findPatternMatch({ name, image: image === null ? null : ({ value: image } as never) }, patterns)).toEqual(reference(name, image, patterns));
        expect(image === null ? null : findImagePattern(image, patterns)).toEqual(image === null ? null : (reference(null, image, patterns)?.pattern ?? null));
      }),
      { numRuns: 2000 },
    );
  });

  it('an earlier glob wins over a later plain name, and the image over the name for one pattern', () => {
    const svc = { name: 'redis', image: { value: 'bitnami/redis:7' } as never };
    expect(findPatternMatch(svc, ['r*', 'redis'])).toEqual({ pattern: 'r*', subject: 'image', value: 'bitnami/redis:7' });
    expect(findPatternMatch(svc, ['name:redis', 'redis'])).toEqual({ pattern: 'name:redis', subject: 'name', value: 'redis' });
    expect(findPatternMatch({ name: 'ſtore', image: null }, ['STORE'])).toBeNull();
    expect(findPatternMatch({ name: 'Store', image: null }, ['sTORE'])).toEqual({ pattern: 'sTORE', subject: 'name', value: 'Store' });
  });

  it('a plain repository matches the repository or the registry with it, in any case, never a name', () => {
    expect(findImagePattern('prom/prometheus:v2', ['Prom/Prometheus'])).toBe('Prom/Prometheus');
    expect(findImagePattern('ghcr.io/org/app:1', ['org/app', 'GHCR.io/org/app'])).toBe('org/app');
    expect(findImagePattern('ghcr.io/org/app:1', ['ghcr.io/org/*', 'GHCR.io/org/app'])).toBe('ghcr.io/org/*');
    expect(findImagePattern('docker.io/library/\u212Aong', ['library/kong'])).toBeNull();
    expect(findPatternMatch({ name: 'org/app', image: null }, ['org/app'])).toBeNull();
    expect(findPatternMatch({ name: 'web', image: { value: 'org/app' } as never }, ['name:org/app', 'web'])).toEqual({ pattern: 'web', subject: 'name', value: 'web' });
  });
});

describe('service classes come from what a service is', () => {
  /** A service read from a real compose text, as the rules see it. */
  const service = (yaml: string, name?: string) => {
    const r = lintFiles({ 'compose.yaml': yaml }, { rules: [] });
    const svc = name ? r.stack!.services.find((s) => s.name === name) : r.stack!.services[0];
    return svc!;
  };

  it('whole words of names, split at - _ . and /, a trailing number dropped', () => {
    expect(classifyName('api-gateway')).toBe('proxy');
    expect(classifyName('edge_proxy')).toBe('proxy');
    expect(classifyName('proxy2')).toBe('proxy');
    expect(classifyName('kafka1')).toBe('broker');
    expect(classifyName('pushgateway')).toBeNull(); // not a word "gateway"
    expect(classifyName('apigateway')).toBeNull();
    expect(classifyName('my.db')).toBe('database');
  });

  it('the first product a name names decides, whatever its other words say', () => {
    expect(classifyImage('prom/pushgateway:v1.9.0')).toBeNull();
    expect(classifyImage('zabbix/zabbix-proxy-sqlite3:7.0-alpine-latest')).toBeNull();
    expect(classifyImage('zabbix/zabbix-proxy-mysql:7.0-alpine-latest')).toBeNull();
    expect(classifyImage('zabbix/zabbix-java-gateway:7.0-alpine-latest')).toBeNull();
    expect(classifyImage('zabbix/zabbix-web-nginx-mysql:7.0-alpine-latest')).toBeNull();
    expect(classifyName('zabbix-proxy-mysql')).toBeNull();
    expect(classifyImage('bitnami/postgresql-repmgr:16')).toBe('database');
    expect(classifyImage('wodby/nginx:1.27')).toBe('proxy');
  });

  it('pushgateway and zabbix collectors are of no critical class, and a pushgateway keeps state (its pushed metrics)', () => {
    const push = service('services:\n  pushgateway:\n    image: prom/pushgateway:v1.9.0\n');
    expect(classifyService(push)).toBe('default');
    expect(isCriticalKind(push)).toBe(false);
    expect(statefulReason(push)).toMatchObject({ kind: 'product', image: 'prom/pushgateway:v1.9.0' });
    const zabbix = service('services:\n  zabbix-proxy-sqlite3:\n    image: zabbix/zabbix-proxy-sqlite3:7.0-alpine-latest\n  zabbix-java-gateway:\n    image: zabbix/zabbix-java-gateway:7.0-alpine-latest\n');
    expect(classifyService(zabbix)).toBe('default');
    expect(isCriticalKind(zabbix)).toBe(false);
    expect(classifyService({ name: 'zabbix-java-gateway', image: null })).toBe('default');
  });

  it('a server image running its own server is that server, also with arguments or a shell that starts it', () => {
    for (const cmd of ['', '    command: postgres -c fsync=off\n', '    command: ["-c", "max_connections=200"]\n', '    command: ["sh", "-c", "exec docker-entrypoint.sh postgres"]\n']) {
      const db = service(`services:\n  db:\n    image: postgres:16.4\n${cmd}`);
      expect(classifyService(db), cmd).toBe('database');
      expect(runsImageServer(db), cmd).toBe(true);
      expect(statefulReason(db), cmd).toMatchObject({ kind: 'image', class: 'database' });
    }
    const valkey = service('services:\n  redis:\n    image: valkey/valkey:8.0\n    command: ["sh", "-c", "valkey-server --requirepass $$REDIS_PASSWORD"]\n');
    expect(classifyService(valkey)).toBe('cache');
    const consul = service('services:\n  consul:\n    image: consul:1.15\n    command: agent -server -bootstrap-expect=1\n');
    expect(classifyService(consul)).toBe('database');
  });

  it('a postgres image running a backup loop is not a database, nor critical, nor stateful by its image', () => {
    const backup = service(`services:
  pgbackup:
    image: postgres:16.4
    command: sh -c 'while true; do pg_dump -h postgres -U app app > /backup/app-$$(date +%F).sql; sleep 86400; done'
`);
    expect(runsImageServer(backup)).toBe(false);
    expect(classifyService(backup)).toBe('default');
    expect(isCriticalKind(backup)).toBe(false);
    expect(statefulReason(backup)).toBeNull();
    // named after the product its image no longer runs: still not that product
    const named = service("services:\n  postgres:\n    image: postgres:16.4\n    entrypoint: ['/bin/sh', '-c']\n    command: ['while true; do pg_dumpall -h db > /b/all.sql; sleep 3600; done']\n");
    expect(classifyService(named)).toBe('default');
    const mysql = service('services:\n  db-backup:\n    image: mysql:8.4\n    command: sh -c "while true; do /usr/bin/mysqldump -h db --all-databases > /backup/all.sql; sleep 3600; done"\n');
    expect(classifyService(mysql)).toBe('default');
  });

  it('nginx with a cache volume or a read-only configuration volume keeps no state; a writable data volume does', () => {
    const cache = service('services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - nginx_cache:/var/cache/nginx\n      - nginx_conf:/etc/nginx/conf.d:ro\n      - type: volume\n        source: certs\n        target: /etc/nginx/certs\n        read_only: true\nvolumes:\n  nginx_cache: {}\n  nginx_conf: {}\n  certs: {}\n');
    expect(classifyService(cache)).toBe('proxy');
    expect(statefulReason(cache)).toBeNull();
    const data = service('services:\n  web:\n    image: nginx:1.27\n    volumes:\n      - uploads:/usr/share/nginx/html/uploads\nvolumes:\n  uploads: {}\n');
    expect(statefulReason(data)).toMatchObject({ kind: 'volume', volume: 'uploads' });
  });

  it('one-shot services: jobs by service name, restart_policy none, base images whose command exits, and those others wait for', () => {
    const text = `services:
  kong-migrations:
    image: kong:3.7
    command: kong migrations bootstrap
  traefik-init:
    image: traefik:v3.1
  cassandra-schema:
    image: jaegertracing/jaeger-cassandra-schema:1.57
  schema-registry:
    image: confluentinc/cp-schema-registry:7.6.0
  launcher:
    image: weaveworks/scope-swarm-launcher:1.13
    deploy:
      restart_policy:
        condition: none
  perms:
    image: busybox:1.36
    command: chmod -R 777 /mnt/sqlite
  shell:
    image: alpine:3.20
    command: sleep infinity
  app:
    image: myorg/app:1.2
    depends_on:
      perms:
        condition: service_completed_successfully
`;
    const r = lintFiles({ 'compose.yaml': text }, { rules: [] });
    const waiters = completionWaiters(r.stack!);
    expect([...waiters]).toEqual([['perms', 'app']]);
    const reasons = Object.fromEntries(r.stack!.services.map((s) => [s.name, oneShotReason(s, waiters.get(s.name))]));
    expect(reasons).toEqual({
      'kong-migrations': 'its name says it is a one-off job ("migrations")',
      'traefik-init': 'its name says it is a one-off job ("init")',
      'cassandra-schema': 'its name says it is a one-off job ("schema")',
      'schema-registry': null,
      launcher: 'deploy.restart_policy.condition is none: it is not restarted once it exits',
      perms: 'service "app" waits for it to complete (depends_on condition: service_completed_successfully)',
      shell: null,
      app: null,
    });
    expect(oneShotReason(r.stack!.services.find((s) => s.name === 'perms')!)).toBe('image "busybox:1.36" runs its command and exits');
    expect(isCriticalKind(r.stack!.services[0]!)).toBe(false);
  });
});
