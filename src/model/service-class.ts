/**
 * What stackopt knows about a service without running anything: its class (database, cache,
 * broker, proxy, backend, default), whether it keeps state, whether it runs to completion, and
 * whether it is critical by the default name/image patterns. A class comes from what the service
 * is: the product its image (or else its name) names, word by word, and whether its `command` or
 * `entrypoint` still runs that product's server (a postgres image running a `pg_dump` loop is not
 * a database).
 *
 * Used by rules (`critical-single-replica`, `healthcheck-required`, `update-config`, …) and by the
 * fixer (which sizes resources per class and adds healthchecks for known images). Pure data and
 * functions: no I/O.
 */
import { child, entries, scalarValue } from './access.js';
import { isArgumentsOnly, keepsRunning, readCommand, startedPrograms } from './command.js';
import { PRODUCTS, type Product, type ServiceClass } from './products.js';
import type { Mount, Service, Stack } from './types.js';
import { anyChar, LiteralIndex, matchWildcard, type WildStep } from '../parse/wildcard.js';

export type { ServiceClass } from './products.js';

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
 * Generic words of image and service names, by class, for names that name no known product (see
 * `PRODUCTS`): a name is split into words at `-`, `_`, `.` and `/`, and the first class (in the
 * order database, cache, broker, proxy, backend) that owns one of the words wins. Only whole words
 * count: `pushgateway` is not a gateway, `apigateway` names nothing.
 */
const CLASS_WORDS: ReadonlyArray<readonly [ServiceClass, ReadonlySet<string>]> = [
  ['database', new Set(['db', 'database'])],
  ['cache', new Set(['cache'])],
  ['broker', new Set(['rabbit', 'broker', 'queue', 'mq'])],
  ['proxy', new Set(['proxy', 'gateway', 'ingress', 'lb', 'loadbalancer'])],
  [
    'backend',
    new Set([
      'backend', 'api', 'server', 'app', 'worker', 'node', 'python', 'golang', 'openjdk', 'eclipse-temurin', 'temurin',
      'amazoncorretto', 'php', 'ruby', 'aspnet', 'gunicorn', 'uvicorn', 'fastapi', 'django', 'flask', 'rails', 'tomcat',
    ]),
  ],
];

/**
 * Words that mark a helper around a known product (`redis-exporter`, `kafka-ui`, `postgres-backup`)
 * or a job (`kong-migrations`, `traefik-init`): not the product, nor a database, cache or broker.
 */
const HELPER_WORDS: ReadonlySet<string> = new Set([
  'exporter', 'ui', 'admin', 'commander', 'express', 'insight', 'dashboard', 'dashboards', 'backup', 'backups', 'dump',
  'restore', 'migrate', 'migration', 'migrations', 'migrator', 'init', 'initializer', 'setup', 'seed', 'seeder', 'schema',
  'client', 'cli', 'tools', 'metrics', 'monitor', 'operator', 'rest', 'connect',
]);

/**
 * Words of a service or image name that mark a job that runs to completion: init, migration,
 * schema and seed jobs (`hydra-migrate`, `mongodb-init-container`, `cassandra-schema`). A name
 * that also says `registry` or `server` is a server (`kafka-schema-registry`).
 */
const JOB_WORDS: ReadonlySet<string> = new Set([
  'init', 'initializer', 'migrate', 'migration', 'migrations', 'migrator', 'schema', 'seed', 'seeder', 'setup',
]);
const SERVER_WORDS: ReadonlySet<string> = new Set(['registry', 'server']);

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
  return matchWildcard(globCache.get(pattern) ?? globCache.set(pattern, globSteps(pattern)).get(pattern)!, subject);
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
  return [...pattern].map((p): WildStep => {
    if (p === '*') return { kind: 'run', test: anyChar };
    if (p === '?') return { kind: 'one', test: anyChar };
    const folded = foldCase(p);
    return { kind: 'one', test: (c) => c === p || foldCase(c) === folded };
  });
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
  /** the glob, made into steps (globSteps) only where it is walked step by step: most never are */
  glob: string;
  /** its steps, once made */
  steps: WildStep[] | null;
  /**
   * A glob of ASCII characters whose only wildcard is `*` (`*gateway*`), as its upper-cased literal
   * parts: matched against an ASCII subject with string searches instead of the step-by-step walk
   * (the default critical patterns are matched against every service name). Null for other globs.
   */
  parts: string[] | null;
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
  /** plain repositories (ASCII, a `/`, no `*` or `?`), lower-cased, the same way: `prom/prometheus` */
  repositories: Map<string, number>;
  globs: number[];
  /**
   * The globs filed by a run of literal characters (folded as `foldCase` folds them) that every
   * subject they match holds (`LiteralIndex`: all of a glob without wildcards, else its longest run,
   * at the start, at the end or anywhere): a service is tried against the globs that can match it,
   * not against all (thousands of `extraCritical` globs against thousands of services). Those
   * matched against service and image names, and those matched against image repositories.
   */
  nameGlobs: LiteralIndex;
  repositoryGlobs: LiteralIndex;
}

const compiledLists = new WeakMap<readonly string[], CompiledList>();
const ASCII = /^[\x00-\x7f]*$/;

/** A pattern list split and compiled once (a rule's options are one array for every service). */
function compilePatterns(patterns: readonly string[]): CompiledList {
  let out = compiledLists.get(patterns);
  if (!out) {
    const list: CompiledList = {
      patterns: [],
      imageNames: new Map(),
      serviceNames: new Map(),
      repositories: new Map(),
      globs: [],
      nameGlobs: new LiteralIndex(),
      repositoryGlobs: new LiteralIndex(),
    };
    patterns.forEach((pattern, index) => {
      const { scope, glob } = splitPattern(pattern);
      const p: CompiledPattern = { pattern, scope, glob, steps: null, parts: !glob.includes('?') && ASCII.test(glob) ? glob.toUpperCase().split('*') : null, repository: glob.includes('/') };
      list.patterns.push(p);
      if (p.repository && scope !== 'name' && !/[*?]/.test(glob) && ASCII.test(glob)) {
        const repository = glob.toLowerCase();
        if (!list.repositories.has(repository)) list.repositories.set(repository, index);
        return;
      }
      if (p.repository || /[*?]/.test(glob) || !ASCII.test(glob)) {
        list.globs.push(index);
        fileGlob(list, p, index);
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

/** File a glob of the list by its literal characters (see CompiledList.nameGlobs). */
function fileGlob(list: CompiledList, p: CompiledPattern, index: number): void {
  // a glob with `/` is matched against repositories only, and by an image pattern only
  if (p.repository && p.scope === 'name') return;
  const chars = [...p.glob].map((c) => (c === '*' || c === '?' ? undefined : foldCase(c)));
  (p.repository ? list.repositoryGlobs : list.nameGlobs).add(chars, index);
}

/** The globs of an index that can match a subject (see CompiledList.nameGlobs), pushed onto `out`. */
function globsFor(globs: LiteralIndex, subject: string, out: number[]): void {
  if (globs.size === 0) return;
  // a glob's character matches a character that folds as it does (see globSteps and globMatches)
  globs.collect([...subject].map(foldCase), out);
}

/**
 * The first pattern of the list that matches the image (`ref`) or the service name, the image
 * first when one pattern matches both; null subjects are not matched.
 */
function firstMatch(list: CompiledList, ref: Readonly<ImageReference> | null, name: string | null): { pattern: CompiledPattern; subject: 'image' | 'name' } | null {
  let best = Infinity;
  let subject: 'image' | 'name' = 'image';
  if (ref && ref.name !== '' && ASCII.test(ref.name)) best = list.imageNames.get(ref.name.toLowerCase()) ?? Infinity;
  if (ref && list.repositories.size > 0) {
    // what imageMatches compares a repository pattern with: the repository, and the registry with it
    best = Math.min(best, repositoryIndex(list, ref.repository));
    if (ref.registry !== null) best = Math.min(best, repositoryIndex(list, `${ref.registry}/${ref.repository}`));
  }
  if (name !== null && ASCII.test(name)) {
    const i = list.serviceNames.get(name.toLowerCase());
    if (i !== undefined && i < best) {
      best = i;
      subject = 'name';
    }
  }
  if (list.globs.length === 0) return best === Infinity ? null : { pattern: list.patterns[best]!, subject };
  const candidates: number[] = [];
  if (name !== null) globsFor(list.nameGlobs, name, candidates);
  if (ref && ref.name !== '') globsFor(list.nameGlobs, ref.name, candidates);
  if (ref) {
    globsFor(list.repositoryGlobs, ref.repository, candidates);
    if (ref.registry !== null) globsFor(list.repositoryGlobs, `${ref.registry}/${ref.repository}`, candidates);
  }
  candidates.sort((a, b) => a - b);
  for (let k = 0; k < candidates.length; k++) {
    const index = candidates[k]!;
    if (index >= best) break;
    if (index === candidates[k - 1]) continue;
    const p = list.patterns[index]!;
    if (ref && p.scope !== 'name' && imageMatches(p, ref)) return { pattern: p, subject: 'image' };
    if (name !== null && p.scope !== 'image' && !p.repository && globMatches(p, name)) return { pattern: p, subject: 'name' };
  }
  return best === Infinity ? null : { pattern: list.patterns[best]!, subject };
}

function repositoryIndex(list: CompiledList, subject: string): number {
  return ASCII.test(subject) ? (list.repositories.get(subject.toLowerCase()) ?? Infinity) : Infinity;
}

function imageMatches(p: CompiledPattern, ref: Readonly<ImageReference>): boolean {
  if (p.repository) return globMatches(p, ref.repository) || (ref.registry !== null && globMatches(p, `${ref.registry}/${ref.repository}`));
  return ref.name !== '' && globMatches(p, ref.name);
}

/**
 * Whether a compiled pattern's glob matches all of `subject`, case-insensitively. An ASCII letter
 * folds only to an ASCII letter (`foldCase`), so an ASCII subject upper-cased and searched for the
 * parts of a `*`-only glob, in order, is the same test as the walk.
 */
function globMatches(p: CompiledPattern, subject: string): boolean {
  const parts = p.parts;
  if (parts === null || !ASCII.test(subject)) return matchWildcard((p.steps ??= globSteps(p.glob)), subject);
  const s = subject.toUpperCase();
  const last = parts.length - 1;
  if (last === 0) return s === parts[0];
  if (!s.startsWith(parts[0]!)) return false;
  let at = parts[0]!.length;
  for (let i = 1; i < last; i++) {
    const found = s.indexOf(parts[i]!, at);
    if (found < 0) return false;
    at = found + parts[i]!.length;
  }
  return s.length - parts[last]!.length >= at && s.endsWith(parts[last]!);
}

/** `proxy2` → `proxy`: one pass from the end. */
function withoutTrailingDigits(w: string): string {
  let end = w.length;
  while (end > 0 && w.charCodeAt(end - 1) >= 48 && w.charCodeAt(end - 1) <= 57) end--;
  return w.slice(0, end);
}

/**
 * A name's words: `bitnami/postgresql-repmgr` → `bitnami`, `postgresql`, `repmgr`. A number at the
 * end of a word is a replica's or a version's (`proxy2`, `kafka1`, `mysql8`), not part of the word.
 */
function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[-_./]+/)
    .map((w) => (/^[a-z].*[a-z]\d+$/.test(w) ? withoutTrailingDigits(w) : w))
    .filter(Boolean);
}

/** What a name says: the product it names, else the class its words imply. */
interface NameClass {
  product: Product | null;
  cls: ServiceClass | null;
}

const nameClasses = new Map<string, NameClass>();

function classifyWords(name: string): NameClass {
  let out = nameClasses.get(name);
  if (!out) {
    if (nameClasses.size >= 10_000) nameClasses.clear();
    nameClasses.set(name, (out = readName(name)));
  }
  return out;
}

function readName(name: string): NameClass {
  const words = nameWords(name);
  const helper = words.some((w) => HELPER_WORDS.has(w));
  if (!helper) {
    for (const w of words) {
      const product = PRODUCTS.get(w);
      if (product) return { product, cls: product.cls };
    }
  }
  for (const [cls, known] of CLASS_WORDS) {
    // a helper (`db-backup`, `redis-exporter`) holds no data of its own
    if (helper && STATEFUL_CLASSES.has(cls)) continue;
    if (words.some((w) => known.has(w))) return { product: null, cls };
  }
  return { product: null, cls: null };
}

/**
 * The class an image alone implies (`postgres:16` → database, `bitnami/redis` → cache,
 * `node:20` → backend), or null when the image is not one we know or names a product of no class
 * (`prom/pushgateway`, `zabbix/zabbix-proxy-sqlite3`). Helpers around a product (`redis_exporter`,
 * `kafka-ui`, `prometheuscommunity/postgres-exporter`) are not that product.
 */
export function classifyImage(image: string): ServiceClass | null {
  return classifyWords(imageName(image)).cls;
}

/** The class a service name implies (`db` → database, `api-gateway` → proxy, `pushgateway` → none), or null. */
export function classifyName(name: string): ServiceClass | null {
  return classifyWords(name).cls;
}

/** A service as the classification reads it: `ref` (for `command` and `entrypoint`) may be absent. */
export type ClassifiedService = Pick<Service, 'name' | 'image'> & { ref?: Service['ref'] };

/** The product the service's image names (`postgres:16` → PostgreSQL), or null. */
export function imageProduct(svc: Pick<Service, 'image'>): Product | null {
  const image = svc.image?.value;
  return image ? classifyWords(imageName(image)).product : null;
}

/**
 * Whether the service runs its image's own server: true when it sets no `command` or
 * `entrypoint`, passes only arguments to the image's entrypoint (`--appendonly yes`), or starts
 * one of the server's programs (`postgres -c fsync=off`, `sh -c "valkey-server --save ''"`,
 * `/docker-entrypoint.sh nginx`); false when it starts other programs only (`sh -c 'while true;
 * do pg_dump ...'`, `kong migrations up`... see `Product.servers`) or its image names no known product.
 */
export function runsImageServer(svc: ClassifiedService): boolean {
  const product = imageProduct(svc);
  if (!product) return false;
  return runsServer(svc, product);
}

function runsServer(svc: { ref?: Service['ref'] }, product: Product): boolean {
  if (!svc.ref) return true;
  const cmd = readCommand(svc.ref);
  const programs = startedPrograms(cmd);
  if (programs === null || isArgumentsOnly(cmd)) return true;
  if (product.serverEntrypoint && cmd.entrypoint === null && !looksLikeProgram(cmd.command)) return true;
  return programs.some((p) => product.servers.includes(p));
}

/** Whether a command's first word is a program (a path or a shell), not an argument such as `agent`. */
function looksLikeProgram(command: string[] | string | null): boolean {
  if (command === null) return false;
  const first = (typeof command === 'string' ? command.trim().split(/\s+/)[0] : command[0]) ?? '';
  return first.includes('/') || /^(?:sh|bash|ash|dash|exec|env)$/.test(first);
}

/**
 * The class of a service, from what it is: the product its image names when the service runs that
 * product's server, else the product its name names, else the generic words of its name, then of
 * its image, else `default`. Examples: image `docker.io/library/postgres:15-alpine` → database; the
 * same image running `sh -c 'while true; do pg_dump ...'` as `db-backup` → default; image
 * `myorg/shop:1` named `api` → backend; image `prom/pushgateway` → default (a collector, whatever
 * its name says); `zabbix-proxy-mysql` → default (Zabbix, not a proxy or a database).
 */
export function classifyService(svc: ClassifiedService): ServiceClass {
  const image = svc.image?.value;
  const fromImage = image ? classifyWords(imageName(image)) : null;
  let replaced: Product | null = null;
  if (fromImage?.product) {
    if (runsServer(svc, fromImage.product)) return fromImage.product.cls ?? 'default';
    replaced = fromImage.product; // its server does not run: a name saying `postgres` does not make it one
  }
  const fromName = classifyWords(svc.name);
  if (fromName.product) return fromName.product === replaced ? 'default' : (fromName.product.cls ?? 'default');
  // a name's generic word says the service's role (`api-gateway`, `db`) better than an image's (`myorg/api`, `node`)
  return fromName.cls ?? (replaced ? null : fromImage?.cls) ?? 'default';
}

/** The classes whose services are critical by the default patterns of `critical-single-replica`. */
const CRITICAL_CLASSES: ReadonlySet<ServiceClass> = new Set<ServiceClass>(['database', 'cache', 'broker', 'proxy']);

/**
 * Whether what the service is agrees with a default critical pattern that matched its name or
 * image: it serves (not a job, see `oneShotReason`) as a database, cache, broker or proxy. A
 * `pushgateway`, a `zabbix-proxy-*`, a `kong-migrations` job or a `db-backup` loop on a `mysql`
 * image match a default pattern by name or image, but are none of these.
 */
export function isCriticalKind(svc: Service): boolean {
  return oneShotReason(svc) === null && CRITICAL_CLASSES.has(classifyService(svc));
}

/** Base images that run a shell command and exit, unless the command keeps running. */
const BASE_IMAGES: ReadonlySet<string> = new Set(['busybox', 'alpine', 'debian', 'ubuntu']);

/**
 * Why the service runs to completion instead of serving, or null: a job mode, a restart policy of
 * `none` (swarm does not restart it once it exits), another service waiting for it to complete
 * (`waitedOnBy`, see `completionWaiters`), or, unless its command keeps running (`sleep
 * infinity`, `top`, a `while true` loop), a service name that says it is an init, migration,
 * schema, seed or setup job, or a base image (busybox, alpine, ...) whose command exits.
 */
export function oneShotReason(svc: Service, waitedOnBy?: string): string | null {
  if (isJobService(svc)) return `deploy.mode is ${deployMode(svc)}`;
  const condition = scalarValue(child(child(svc.deploy, 'restart_policy'), 'condition'));
  if (typeof condition === 'string' && condition.trim().toLowerCase() === 'none') return 'deploy.restart_policy.condition is none: it is not restarted once it exits';
  if (waitedOnBy !== undefined) return `service "${waitedOnBy}" waits for it to complete (depends_on condition: service_completed_successfully)`;
  // the service's name, not the image's: `temporalio/auto-setup` sets up, then runs the server
  const job = jobWord(svc.name);
  const image = svc.image?.value ?? null;
  const baseImage = image !== null && !image.includes('$') && BASE_IMAGES.has(parseImageReference(image).repository);
  // the command is read only when the name or the image would make it a job (most services: neither)
  if (!job && !baseImage) return null;
  const cmd = readCommand(svc.ref);
  if (keepsRunning(cmd)) return null;
  if (job) return `its name says it is a one-off job ("${job}")`;
  const tty = scalarValue(child(svc.ref, 'tty')) === true || scalarValue(child(svc.ref, 'stdin_open')) === true;
  if (!tty) return `image "${image}" runs ${cmd.command === null && cmd.entrypoint === null ? 'its shell' : 'its command'} and exits`;
  return null;
}

/** The job word of a name (see `oneShotReason`), kept per name: several rules ask it of every service. */
function jobWord(name: string): string | null {
  let word = jobWords.get(name);
  if (word === undefined) {
    if (jobWords.size >= 10_000) jobWords.clear();
    jobWords.set(name, (word = readJobWord(name)));
  }
  return word;
}

const jobWords = new Map<string, string | null>();

function readJobWord(name: string): string | null {
  const words = nameWords(name);
  if (words.some((w) => SERVER_WORDS.has(w))) return null;
  return words.find((w) => JOB_WORDS.has(w)) ?? null;
}

/**
 * The services others wait for to complete (`depends_on: {NAME: {condition:
 * service_completed_successfully}}`), each with the first service that waits for it.
 */
export function completionWaiters(stack: Pick<Stack, 'services'>): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of stack.services) {
    for (const dep of entries(child(svc.ref, 'depends_on'))) {
      const condition = scalarValue(child(dep.ref, 'condition'));
      if (condition === 'service_completed_successfully' && !out.has(dep.key)) out.set(dep.key, svc.name);
    }
  }
  return out;
}

/**
 * Why a service keeps state: a named volume, its image's product (a database, cache or broker, or
 * state of its own), or a folder of the host it writes its data to (a bind mount, see `bindHoldsState`).
 */
export type StatefulReason =
  | { kind: 'volume'; volume: string; mount: Mount }
  | { kind: 'image'; image: string; class: ServiceClass }
  | { kind: 'product'; image: string; state: string }
  | { kind: 'bind'; mount: Mount };

/** Whether a mount is a named volume (not a bind mount, tmpfs or anonymous volume). */
export function isNamedVolume(m: Mount): boolean {
  return m.type === 'volume' && m.source !== null && m.source !== '';
}

/**
 * Whether a mount can hold the service's state: a named volume mounted writable, and not a cache
 * (a volume or a target path with a word `cache`, such as nginx's `/var/cache/nginx`: what is in it
 * is rebuilt). A read-only volume (configuration, certificates) holds nothing the service writes.
 */
export function holdsState(m: Mount): boolean {
  if (!isNamedVolume(m) || m.readOnly) return false;
  return !nameWords(m.source!).includes('cache') && !nameWords(m.target).includes('cache');
}

/** Where a bind mount is the host's plumbing, not a folder of data: sockets, devices, kernel views, run state. */
const HOST_PLUMBING = /^\/(?:dev|proc|sys|run|var\/run|tmp)(?:\/|$)|\.sock(?:et)?$/;

/** Words of a folder's name that say the service keeps its data there (see `bindHoldsState`). */
const DATA_FOLDER_WORDS = new Set(['db', 'store', 'storage', 'state', 'persist', 'persistent', 'uploads']);

/**
 * Whether a bind mount holds data the service writes to the host: mounted writable, not a cache
 * (as `holdsState`), not the host's plumbing (`/var/run/docker.sock`, `/dev/...`, `/tmp/.X11-unix`)
 * nor configuration (`/etc/...`), and either the service is a database, cache or broker (by what it
 * runs, else by its name: a `postgres` service built from a Dockerfile) or the folder it is mounted
 * at says it holds data: it is under `/var/lib` (where programs keep their state), or the last part
 * of the target says so (`data`, a word ending in `data` such as `pgdata`, `db`, `store`, `storage`,
 * `state`, `persist`, `uploads`) or names a database (`/var/lib/postgresql/data`, `/data/db`,
 * `/app/data`, `/pgdata`, `/app/uploads`). The host path does not count
 * (`./data/certbot/www:/var/www/certbot` is a web root). A second replica would write to the same
 * folder (one host) or to another, empty one (swarm: each node's own).
 */
function bindHoldsState(m: Mount, cls: ServiceClass): boolean {
  if (m.type !== 'bind' || m.readOnly || m.source === null) return false;
  const written = m.target.trim();
  let end = written.length;
  while (end > 1 && written.charCodeAt(end - 1) === 47) end--; // trailing slashes
  const target = written.slice(0, end);
  if (HOST_PLUMBING.test(target) || HOST_PLUMBING.test(m.source.trim()) || /^\/etc(?:\/|$)/.test(target)) return false;
  if ([...nameWords(m.source), ...nameWords(target)].includes('cache')) return false;
  if (STATEFUL_CLASSES.has(cls) || /^\/var\/lib\/./.test(target)) return true;
  return nameWords(target.slice(target.lastIndexOf('/') + 1)).some((w) => {
    if (DATA_FOLDER_WORDS.has(w) || w.endsWith('data')) return true;
    const cls = PRODUCTS.get(w)?.cls;
    return cls !== undefined && cls !== null && STATEFUL_CLASSES.has(cls);
  });
}

/**
 * Why the service keeps state, or null: its image's product when the service runs that product's
 * server and the product keeps data (a database, cache or broker image, or state of its own such
 * as Pushgateway's pushed metrics), else the first named volume that can hold state (see
 * `holdsState`), else the first bind mount its data is written to (see `bindHoldsState`). The
 * service name alone does not make a service stateful.
 */
export function statefulReason(svc: StatefulInput): StatefulReason | null {
  const image = svc.image?.value;
  const product = image ? classifyWords(imageName(image)).product : null;
  if (image && product && runsServer(svc, product)) {
    if (product.cls && STATEFUL_CLASSES.has(product.cls)) return { kind: 'image', image, class: product.cls };
    if (product.state) return { kind: 'product', image, state: product.state };
  }
  const mount = svc.volumes.find(holdsState);
  if (mount) return { kind: 'volume', volume: mount.source!, mount };
  if (!svc.volumes.some((m) => m.type === 'bind')) return null;
  const cls = classifyService(svc);
  const bind = svc.volumes.find((m) => bindHoldsState(m, cls));
  return bind ? { kind: 'bind', mount: bind } : null;
}

/** What `statefulReason` reads of a service. */
export type StatefulInput = Pick<Service, 'name' | 'image' | 'volumes'> & { ref?: Service['ref'] };

/** A service keeps state: see `statefulReason`. */
export function isStateful(svc: StatefulInput): boolean {
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
