/**
 * What stackopt knows about a service from its image and its name, without running anything:
 * its class (database, cache, broker, proxy, backend, default), whether it keeps state, and
 * whether it is critical by the default name/image patterns.
 *
 * Used by rules (`critical-single-replica`, `healthcheck-required`, …) and by the fixer (which
 * sizes resources per class and adds healthchecks for known images). Pure data and functions: no I/O.
 */
import type { Mount, Service } from './types.js';
import { anyChar, matchWildcard, type WildStep } from '../parse/wildcard.js';

export type ServiceClass = 'database' | 'cache' | 'broker' | 'proxy' | 'backend' | 'default';

/** The classes whose images hold data of their own (used by `isStateful`). */
export const STATEFUL_CLASSES: ReadonlySet<ServiceClass> = new Set<ServiceClass>(['database', 'cache', 'broker']);

/**
 * Default patterns of critical services (`critical-single-replica`), matched case-insensitively
 * against the service name and the image name (see `findPatternMatch`). `*` matches any run of
 * characters, `?` one character; a pattern without `*` must match the whole name, so `redis`
 * matches `redis:7` and `bitnami/redis` but not `redis-exporter`. A `name:` prefix restricts a
 * pattern to service names: `name:*gateway*` matches a service called `api-gateway`, not every
 * service whose image happens to contain "gateway".
 */
export const DEFAULT_CRITICAL_PATTERNS: readonly string[] = Object.freeze([
  // proxies and gateways: every request goes through them
  'traefik',
  'nginx',
  'nginx-unprivileged',
  'openresty',
  'haproxy',
  'envoy',
  'caddy',
  'kong',
  'name:*gateway*',
  'name:*proxy*',
  'name:*ingress*',
  // databases, caches, brokers and consensus stores: everything else depends on them
  'postgres',
  'postgresql',
  'postgis',
  'mysql',
  'mariadb',
  'mongo',
  'mongodb',
  'redis',
  'valkey',
  'rabbitmq',
  'kafka',
  'cp-kafka',
  'nats',
  'etcd',
  'consul',
  'vault',
]);

/**
 * Known words of image and service names, by class. A name is split into words at `-`, `_`, `.`
 * and `/` (`bitnami/postgresql-repmgr` → `postgresql`, `repmgr`); the first class (in the order
 * database, cache, broker, proxy, backend) that owns one of the words wins.
 */
const CLASS_WORDS: ReadonlyArray<readonly [ServiceClass, ReadonlySet<string>]> = [
  [
    'database',
    new Set([
      'postgres', 'postgresql', 'postgis', 'pgvector', 'timescaledb', 'mysql', 'mariadb', 'percona', 'mongo', 'mongodb',
      'cockroach', 'cockroachdb', 'couchdb', 'cassandra', 'scylla', 'clickhouse', 'influxdb', 'neo4j', 'elasticsearch',
      'opensearch', 'etcd', 'consul', 'vault', 'db', 'database',
    ]),
  ],
  ['cache', new Set(['redis', 'valkey', 'keydb', 'dragonfly', 'memcached', 'cache'])],
  [
    'broker',
    new Set(['rabbitmq', 'rabbit', 'kafka', 'redpanda', 'nats', 'zookeeper', 'mosquitto', 'emqx', 'activemq', 'pulsar', 'broker', 'queue', 'mq']),
  ],
  [
    'proxy',
    new Set(['traefik', 'nginx', 'openresty', 'haproxy', 'envoy', 'caddy', 'kong', 'apisix', 'krakend', 'varnish', 'proxy', 'gateway', 'ingress', 'lb', 'loadbalancer']),
  ],
  [
    'backend',
    new Set([
      'backend', 'api', 'server', 'app', 'worker', 'node', 'python', 'golang', 'openjdk', 'eclipse-temurin', 'temurin',
      'amazoncorretto', 'php', 'ruby', 'aspnet', 'gunicorn', 'uvicorn', 'fastapi', 'django', 'flask', 'rails', 'tomcat',
    ]),
  ],
];

/** Words that mark a helper around a known product (`redis-exporter`, `kafka-ui`, `postgres-backup`): not the product. */
const HELPER_WORDS: ReadonlySet<string> = new Set([
  'exporter', 'ui', 'admin', 'commander', 'express', 'insight', 'dashboard', 'backup', 'migrate', 'migration',
  'migrations', 'init', 'setup', 'client', 'cli', 'tools', 'metrics', 'monitor', 'operator', 'rest', 'connect',
]);

/** Names of the proxy class also recognised inside a longer word (`apigateway`, `authproxy`). */
const PROXY_SUBSTRINGS = ['gateway', 'proxy', 'ingress'];

export interface ImageReference {
  /** the registry host when the reference names one (`ghcr.io`, `localhost:5000`), else null */
  registry: string | null;
  /** the repository path without registry and without `library/` (`bitnami/redis`, `postgres`) */
  repository: string;
  /** the last path component, lowercased (`redis`, `postgres`) */
  name: string;
  tag: string | null;
  digest: string | null;
}

/**
 * Split an image reference: `docker.io/library/postgres:15-alpine` → registry `docker.io`,
 * repository `postgres`, name `postgres`, tag `15-alpine`. Never throws; an empty string gives an
 * empty name.
 */
export function parseImageReference(image: string): Readonly<ImageReference> {
  let ref = imageRefs.get(image);
  if (!ref) {
    // several rules ask about the same image of every service: split each image once
    if (imageRefs.size >= 10_000) imageRefs.clear();
    imageRefs.set(image, (ref = Object.freeze(splitImageReference(image))));
  }
  return ref;
}

const imageRefs = new Map<string, Readonly<ImageReference>>();

function splitImageReference(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/').filter((p) => p !== '');
  let registry: string | null = null;
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) registry = parts.shift()!;
  if (parts.length > 1 && parts[0] === 'library' && (registry === null || /^(?:index\.)?docker\.io$/.test(registry))) parts.shift();
  const repository = parts.join('/').toLowerCase();
  return { registry, repository, name: (parts[parts.length - 1] ?? '').toLowerCase(), tag, digest };
}

/** The image's name without registry, path, tag or digest: `docker.io/library/postgres:15-alpine` → `postgres`. */
export function imageName(image: string): string {
  return parseImageReference(image).name;
}

/**
 * Whether a glob pattern (`*` any run of characters, `?` one character) matches the whole subject,
 * case-insensitively.
 */
export function matchesPattern(pattern: string, subject: string): boolean {
  return matchWildcard(globSteps(pattern), subject);
}

const globCache = new Map<string, WildStep[]>();

/** A character as a case-insensitive regular expression compares it (never folding other characters into ASCII). */
function foldCase(c: string): string {
  const u = c.toUpperCase();
  if (u.length !== 1 || (c.charCodeAt(0) >= 128 && u.charCodeAt(0) < 128)) return c;
  return u;
}

/** `*` any characters, `?` one, anything else itself, in any case. */
function globSteps(pattern: string): WildStep[] {
  let steps = globCache.get(pattern);
  if (!steps) {
    steps = [...pattern].map((p): WildStep => {
      if (p === '*') return { kind: 'run', test: anyChar };
      if (p === '?') return { kind: 'one', test: anyChar };
      const folded = foldCase(p);
      return { kind: 'one', test: (c) => c === p || foldCase(c) === folded };
    });
    globCache.set(pattern, steps);
  }
  return steps;
}

export interface PatternMatch {
  /** the pattern as given (with its `name:` / `image:` prefix, if any) */
  pattern: string;
  /** what matched: the service's name or its image */
  subject: 'name' | 'image';
  /** the service name, or the image as written */
  value: string;
}

/** A pattern split into what it applies to and its glob. */
export function splitPattern(pattern: string): { scope: 'name' | 'image' | 'both'; glob: string } {
  const m = /^(name|image):(.*)$/s.exec(pattern);
  if (m) return { scope: m[1] as 'name' | 'image', glob: m[2]! };
  return { scope: 'both', glob: pattern };
}

/**
 * The first pattern that matches the service's image or its name. Patterns may be prefixed
 * `name:` (service names only) or `image:` (images only); a pattern containing `/` is matched
 * against the image repository (`bitnami/*`, `ghcr.io/org/*`), others against the service name
 * and the image name (`nginx` matches `docker.io/library/nginx:1.27`).
 */
export function findPatternMatch(svc: Pick<Service, 'name' | 'image'>, patterns: readonly string[]): PatternMatch | null {
  const image = svc.image?.value ?? null;
  const m = firstMatch(compilePatterns(patterns), image ? parseImageReference(image) : null, svc.name);
  if (!m) return null;
  return m.subject === 'image' ? { pattern: m.pattern.pattern, subject: 'image', value: image! } : { pattern: m.pattern.pattern, subject: 'name', value: svc.name };
}

/** The first pattern (without a `name:` prefix) that matches an image, or null. */
export function findImagePattern(image: string, patterns: readonly string[]): string | null {
  return firstMatch(compilePatterns(patterns), parseImageReference(image), null)?.pattern.pattern ?? null;
}

interface CompiledPattern {
  pattern: string;
  scope: 'name' | 'image' | 'both';
  steps: WildStep[];
  /** a glob with `/` is matched against the image repository, not the name */
  repository: boolean;
}

interface CompiledList {
  patterns: CompiledPattern[];
  /**
   * Plain names (ASCII, no `*` or `?`, no `/`), lower-cased, to the index of the first pattern that
   * is that name, for images and for service names: most patterns are plain names, and a lookup
   * replaces a regular expression per pattern. Other patterns are in `globs`, by index.
   */
  imageNames: Map<string, number>;
  serviceNames: Map<string, number>;
  globs: number[];
}

const compiledLists = new WeakMap<readonly string[], CompiledList>();
const ASCII = /^[\x00-\x7f]*$/;

/** A pattern list split and compiled once (a rule's options are one array for every service). */
function compilePatterns(patterns: readonly string[]): CompiledList {
  let out = compiledLists.get(patterns);
  if (!out) {
    const list: CompiledList = { patterns: [], imageNames: new Map(), serviceNames: new Map(), globs: [] };
    patterns.forEach((pattern, index) => {
      const { scope, glob } = splitPattern(pattern);
      const p: CompiledPattern = { pattern, scope, steps: globSteps(glob), repository: glob.includes('/') };
      list.patterns.push(p);
      if (p.repository || /[*?]/.test(glob) || !ASCII.test(glob)) {
        list.globs.push(index);
        return;
      }
      // An ASCII letter matches case-insensitively only an ASCII letter (the `i` flag never folds
      // other characters into ASCII): equal lower-cased ASCII strings are exactly the matches.
      const name = glob.toLowerCase();
      if (scope !== 'name' && !list.imageNames.has(name)) list.imageNames.set(name, index);
      if (scope !== 'image' && !list.serviceNames.has(name)) list.serviceNames.set(name, index);
    });
    compiledLists.set(patterns, (out = list));
  }
  return out;
}

/**
 * The first pattern of the list that matches the image (`ref`) or the service name, the image
 * first when one pattern matches both; null subjects are not matched.
 */
function firstMatch(list: CompiledList, ref: Readonly<ImageReference> | null, name: string | null): { pattern: CompiledPattern; subject: 'image' | 'name' } | null {
  let best = Infinity;
  let subject: 'image' | 'name' = 'image';
  if (ref && ref.name !== '' && ASCII.test(ref.name)) best = list.imageNames.get(ref.name.toLowerCase()) ?? Infinity;
  if (name !== null && ASCII.test(name)) {
    const i = list.serviceNames.get(name.toLowerCase());
    if (i !== undefined && i < best) {
      best = i;
      subject = 'name';
    }
  }
  for (const index of list.globs) {
    if (index >= best) break;
    const p = list.patterns[index]!;
    if (ref && p.scope !== 'name' && imageMatches(p, ref)) return { pattern: p, subject: 'image' };
    if (name !== null && p.scope !== 'image' && !p.repository && matchWildcard(p.steps, name)) return { pattern: p, subject: 'name' };
  }
  return best === Infinity ? null : { pattern: list.patterns[best]!, subject };
}

function imageMatches(p: CompiledPattern, ref: Readonly<ImageReference>): boolean {
  if (p.repository) return matchWildcard(p.steps, ref.repository) || (ref.registry !== null && matchWildcard(p.steps, `${ref.registry}/${ref.repository}`));
  return ref.name !== '' && matchWildcard(p.steps, ref.name);
}

function classifyWords(name: string): ServiceClass | null {
  const lower = name.toLowerCase();
  const words = lower.split(/[-_./]+/).filter(Boolean);
  if (words.length === 0) return null;
  if (words.some((w) => HELPER_WORDS.has(w))) return null;
  for (const [cls, known] of CLASS_WORDS) {
    if (words.some((w) => known.has(w))) return cls;
    if (cls === 'proxy' && PROXY_SUBSTRINGS.some((s) => lower.includes(s))) return cls;
  }
  return null;
}

/**
 * The class an image alone implies (`postgres:16` → database, `bitnami/redis` → cache,
 * `node:20` → backend), or null when the image is not one we know. Helpers around a product
 * (`redis_exporter`, `kafka-ui`, `prometheuscommunity/postgres-exporter`) are not that product.
 */
export function classifyImage(image: string): ServiceClass | null {
  return classifyWords(imageName(image));
}

/** The class a service name implies (`db` → database, `api-gateway` → proxy), or null. */
export function classifyName(name: string): ServiceClass | null {
  return classifyWords(name);
}

/**
 * The class of a service: from its image when the image is known, else from its name, else
 * `default`. Examples: image `docker.io/library/postgres:15-alpine` → database; image
 * `myorg/shop:1` named `api` → backend; image `bitnami/redis` → cache.
 */
export function classifyService(svc: Pick<Service, 'name' | 'image'>): ServiceClass {
  const image = svc.image?.value;
  return (image ? classifyImage(image) : null) ?? classifyName(svc.name) ?? 'default';
}

/** Why a service keeps state: a named volume, or an image of a database, cache or broker. */
export type StatefulReason =
  | { kind: 'volume'; volume: string; mount: Mount }
  | { kind: 'image'; image: string; class: ServiceClass };

/** Whether a mount is a named volume (not a bind mount, tmpfs or anonymous volume). */
export function isNamedVolume(m: Mount): boolean {
  return m.type === 'volume' && m.source !== null && m.source !== '';
}

/**
 * Why the service keeps state, or null: the first named volume it mounts, else its image when
 * that is a database, cache or broker. The service name alone does not make a service stateful.
 */
export function statefulReason(svc: Pick<Service, 'image' | 'volumes'>): StatefulReason | null {
  const image = svc.image?.value;
  const cls = image ? classifyImage(image) : null;
  if (image && cls && STATEFUL_CLASSES.has(cls)) return { kind: 'image', image, class: cls };
  const mount = svc.volumes.find(isNamedVolume);
  if (mount) return { kind: 'volume', volume: mount.source!, mount };
  return null;
}

/** A service keeps state: it mounts a named volume, or its image is a database, cache or broker. */
export function isStateful(svc: Pick<Service, 'image' | 'volumes'>): boolean {
  return statefulReason(svc) !== null;
}

/** Whether the service is a job (`deploy.mode` `replicated-job` or `global-job`): it runs to completion. */
export function isJobService(svc: Pick<Service, 'mode'>): boolean {
  const mode = deployMode(svc);
  return mode === 'replicated-job' || mode === 'global-job';
}

/** `deploy.mode` as docker reads it: `replicated` when unset, case and surrounding spaces ignored. */
export function deployMode(svc: Pick<Service, 'mode'>): string {
  return (svc.mode?.value ?? 'replicated').trim().toLowerCase();
}

/** A service that runs a number of replicas (not global, not a job). */
export function isReplicated(svc: Pick<Service, 'mode'>): boolean {
  return deployMode(svc) === 'replicated';
}

/**
 * How the software behind an image is made highly available instead of by adding replicas, by
 * image name; a generic answer for images we do not know.
 */
export function describeHighAvailability(image: string | null): string {
  const words = image ? imageName(image).split(/[-_.]+/) : [];
  const has = (...names: string[]) => names.some((n) => words.includes(n));
  if (has('postgres', 'postgresql', 'postgis', 'timescaledb', 'pgvector')) return 'streaming replication with a failover manager such as Patroni or repmgr';
  if (has('mysql', 'mariadb', 'percona')) return 'replication or a Galera / group replication cluster';
  if (has('mongo', 'mongodb')) return 'a MongoDB replica set';
  if (has('redis', 'valkey', 'keydb')) return 'replicas with Sentinel, or cluster mode';
  if (has('rabbitmq')) return 'a RabbitMQ cluster with quorum queues';
  if (has('kafka', 'redpanda')) return 'a multi-broker cluster with a replication factor of 3';
  if (has('nats')) return 'a NATS cluster with JetStream replication';
  if (has('etcd', 'consul', 'vault', 'zookeeper')) return 'a 3- or 5-member quorum cluster';
  return 'the software\'s own replication (primary/replica, sentinel, cluster mode)';
}
