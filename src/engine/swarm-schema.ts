import type { ErrorObject } from 'ajv';
import runtimeEqual from 'ajv/dist/runtime/equal.js';
import runtimeUcs2length from 'ajv/dist/runtime/ucs2length.js';
import { pushAll } from '../parse/collect.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileWithCodeCache, IncompleteInstallError } from './code-cache.js';
import { dockerVersion, LATEST_STACK_VERSION, STACK_VERSIONS } from '../model/stack-version.js';
import { packageRoot } from './package-info.js';
import { validateStack } from '../generated/stack-validator.js';
import { validateCompose } from '../generated/validators.js';
import * as stackFormats from '../parse/stack-formats.js';
import { atoiRefusal, goBoolean, int64Wrapped, shellWordsProblem, SIZE_PAST_INT64, sizeOverflow, sizeRefusal, typeNotInt, typePastInt64, ULIMIT_ADVICE, ulimitNotIntWhy, volumeSpecProblem } from '../parse/go-values.js';
import { resourceConflicts } from '../model/resource-conflicts.js';
import { formatPath, type Loc } from '../parse/location.js';
import { interpolateStack, type Lookup, type NamedModifier } from '../parse/interpolate.js';
import { nodeAt, pathPatternLookup, setPlainEntry, valueSpanLoc, writtenGoNumber, type LEntry, type LMap, type LScalar, type LVal, type YamlPath } from '../parse/located.js';
import { checkSchema, type CompiledValidator, type SchemaIssue } from '../parse/validate-schema.js';

/**
 * What `docker stack config` / `docker stack deploy` (docker CLI 28) would say of a stack file's
 * schema, mapped onto the located tree. Two things differ from the compose-spec check:
 *
 * - the schema is the swarm stack schema (schemas/docker-stack/, draft-04, converted at build time),
 *   with its `duration` and `ports` formats checked the way docker checks them;
 * - values are typed the way docker types them: a `${VAR}` that interpolation changed stays a
 *   string, except at the few paths docker casts (`deploy.replicas`, `ports[].published`,
 *   `read_only`, `networks.*.external`, ...), where a value that does not cast is an error of its own
 *   ("failed to cast to expected type").
 */

export interface UnknownKeyIssue {
  /** the key the stack schema does not allow */
  key: string;
  /** path of the mapping that holds it */
  parentPath: string[];
  entry: LEntry;
}

export interface CastIssue {
  path: string[];
  value: string;
  expected: 'an integer' | 'a number' | 'a boolean';
  loc: Loc;
}

export { dockerVersion, LATEST_STACK_VERSION, STACK_VERSIONS } from '../model/stack-version.js';

/**
 * The schema version docker validates a stack file against: the one its `version` declares, as
 * docker reads it (a YAML number as Go prints it, so `3.10` is 3.1 and `3.0` is "3"), the newest
 * for none or "3". A version docker does not know is reported by swarm-compat; the file is then
 * checked against the newest schema.
 */
export function stackSchemaVersion(root: LMap): string {
  const declared = dockerVersion(root.index.get('version')?.value ?? null);
  return STACK_VERSIONS.includes(declared) ? declared : LATEST_STACK_VERSION;
}

const olderValidators = new Map<string, CompiledValidator>();

/**
 * The validator of one stack schema version. 3.13 is part of the bundle; the older ones are
 * compiled at build time into dist/stack-validators/ and loaded the first time a file needs one,
 * with the V8 code cache the build records beside each (as bin/stackopt.js loads the bundle): a
 * small stack file of version 3.8 then costs a read, not a compile.
 */
export function stackValidator(version: string): CompiledValidator {
  if (version === LATEST_STACK_VERSION) return validateStack as CompiledValidator;
  let v = olderValidators.get(version);
  if (!v) olderValidators.set(version, (v = loadOlderValidator(version)));
  return v;
}

/**
 * The ajv runtime helpers the older validators `require` (scripts/build-schemas.mjs allows no
 * other), served from the bundle: the installed package needs no `ajv` beside it.
 */
const unwrap = (m: unknown): unknown => (m as { default?: unknown }).default ?? m;
const AJV_RUNTIME: Record<string, unknown> = {
  'ajv/dist/runtime/equal': { default: unwrap(runtimeEqual) },
  'ajv/dist/runtime/ucs2length': { default: unwrap(runtimeUcs2length) },
};
function validatorRequire(id: string): unknown {
  if (!Object.hasOwn(AJV_RUNTIME, id)) throw new Error(`a stack schema validator requires "${id}", which the build does not provide`);
  return AJV_RUNTIME[id];
}

function loadOlderValidator(version: string): CompiledValidator {
  const file = join(packageRoot(), 'dist', 'stack-validators', `config_schema_v${version}.cjs`);
  if (!existsSync(file)) throw new IncompleteInstallError(`stackopt is not fully installed: ${file} is missing; reinstall it, or run \`npm run build\` in its folder`);
  // one function expression, and ASCII (scripts/build-schemas.mjs writes it so): read as Latin-1,
  // it is compiled as it is read, without decoding UTF-8 or a second copy to wrap it
  const script = compileWithCodeCache(file, readFileSync(file, 'latin1'));
  const mod: { exports: unknown } = { exports: {} };
  (script.runInThisContext() as (m: typeof mod, e: unknown, r: (id: string) => unknown) => void)(mod, mod.exports, validatorRequire);
  return (mod.exports as (formats: typeof stackFormats) => CompiledValidator)(stackFormats);
}

export interface SwarmSchemaResult {
  /** the schema version the file was checked against (see stackSchemaVersion) */
  version: string;
  /** the plain value docker validates */
  data: unknown;
  /** the keys other versions' schemas reject (instance path and key), filled as they are asked (versionAccepting) */
  errorsByVersion: Map<string, Set<string>>;
  /** keys the stack schema rejects (additionalProperties), each at its key */
  unknownKeys: UnknownKeyIssue[];
  /** every other schema error (types, formats, enums, ...), each at its node */
  issues: SchemaIssue[];
  /** interpolated values docker cannot cast to the type it needs */
  casts: CastIssue[];
  /** paths (joined by "\u0000") where the compose-spec schema reports a wrong key or type: all below is covered */
  composeSubtrees: Set<string>;
  /** paths where it reports another problem (duplicates, a pattern, a missing key): only that node is covered */
  composeExact: Set<string>;
  /** keys (their paths, joined by "\u0000") the compose-spec schema reports as unknown */
  composeUnknown: Set<string>;
}

type Cast = 'int' | 'float' | 'bool';

/** docker/cli cli/compose/loader/interpolate.go: where interpolated strings are cast. `*` any key, `[]` any item. */
const CASTS: Array<[string[], Cast]> = [
  [['services', '*', 'configs', '[]', 'mode'], 'int'],
  [['services', '*', 'secrets', '[]', 'mode'], 'int'],
  [['services', '*', 'healthcheck', 'retries'], 'int'],
  [['services', '*', 'healthcheck', 'disable'], 'bool'],
  [['services', '*', 'deploy', 'replicas'], 'int'],
  [['services', '*', 'deploy', 'update_config', 'parallelism'], 'int'],
  [['services', '*', 'deploy', 'update_config', 'max_failure_ratio'], 'float'],
  [['services', '*', 'deploy', 'rollback_config', 'parallelism'], 'int'],
  [['services', '*', 'deploy', 'rollback_config', 'max_failure_ratio'], 'float'],
  [['services', '*', 'deploy', 'restart_policy', 'max_attempts'], 'int'],
  [['services', '*', 'deploy', 'placement', 'max_replicas_per_node'], 'int'],
  [['services', '*', 'ports', '[]', 'target'], 'int'],
  [['services', '*', 'ports', '[]', 'published'], 'int'],
  [['services', '*', 'ulimits', '*'], 'int'],
  [['services', '*', 'ulimits', '*', 'hard'], 'int'],
  [['services', '*', 'ulimits', '*', 'soft'], 'int'],
  [['services', '*', 'privileged'], 'bool'],
  [['services', '*', 'read_only'], 'bool'],
  [['services', '*', 'stdin_open'], 'bool'],
  [['services', '*', 'tty'], 'bool'],
  [['services', '*', 'volumes', '[]', 'read_only'], 'bool'],
  [['services', '*', 'volumes', '[]', 'volume', 'nocopy'], 'bool'],
  [['networks', '*', 'external'], 'bool'],
  [['networks', '*', 'internal'], 'bool'],
  [['networks', '*', 'attachable'], 'bool'],
  [['volumes', '*', 'external'], 'bool'],
  [['secrets', '*', 'external'], 'bool'],
  [['configs', '*', 'external'], 'bool'],
];

const castLookup = pathPatternLookup(CASTS);
function castAt(path: YamlPath): Cast | null {
  return castLookup(path) ?? null;
}

function goCast(s: string, cast: Cast): { ok: true; value: unknown } | { ok: false } {
  if (cast === 'int') return atoiRefusal(s) === null ? { ok: true, value: Number(s) } : { ok: false };
  if (cast === 'float') {
    const t = s.trim();
    return t === s && t !== '' && !Number.isNaN(Number(t)) ? { ok: true, value: Number(t) } : { ok: false };
  }
  const b = goBoolean(s);
  return b === null ? { ok: false } : { ok: true, value: b };
}

const EXPECTED: Record<Cast, CastIssue['expected']> = { int: 'an integer', float: 'a number', bool: 'a boolean' };

/** The plain value docker validates: interpolated scalars stay strings unless docker casts them there. */
export function dockerView(root: LVal): { data: unknown; casts: CastIssue[] } {
  const casts: CastIssue[] = [];
  // the path being walked, one stack for the whole walk
  const path: YamlPath = [];
  /** how many sequences the walk is inside */
  let items = 0;
  const child = (v: LVal, step: string | number): unknown => {
    path.push(step);
    const out = walk(v);
    path.pop();
    return out;
  };
  const walk = (v: LVal): unknown => {
    if (v.kind === 'scalar') {
      if (v.raw === undefined) return v.value;
      const text = v.value === null ? '' : String(v.value);
      const cast = castAt(path);
      if (!cast) return text;
      // an integer the reader already cast (within int64, src/parse/located.ts): its text is rounded
      if (cast === 'int' && Number.isInteger(v.value)) return v.value;
      const r = goCast(text, cast);
      if (r.ok) return r.value;
      casts.push({ path: path.map(String), value: text, expected: EXPECTED[cast], loc: v.loc });
      return text;
    }
    if (v.kind === 'seq') {
      items++;
      const out = v.items.map((it, i) => child(it.value, i));
      items--;
      return out;
    }
    // as the compose validator's data (plainForValidator): mappings outside sequences bare
    const out: Record<string, unknown> = items === 0 ? (Object.create(null) as Record<string, unknown>) : {};
    for (const e of v.entries) setPlainEntry(out, e.key, child(e.value, e.key), items === 0);
    return out;
  };
  return { data: walk(root), casts };
}

const GO_PARSE: Record<Cast, string> = { int: 'strconv.Atoi', float: 'strconv.ParseFloat', bool: 'strconv.ParseBool' };

/** Where the stack schema wants a Go duration (`format: duration`). */
const DURATIONS: string[][] = [
  ['services', '*', 'stop_grace_period'],
  ...['interval', 'timeout', 'start_period', 'start_interval'].map((k) => ['services', '*', 'healthcheck', k]),
  ...['update_config', 'rollback_config'].flatMap((c) => ['delay', 'monitor'].map((k) => ['services', '*', 'deploy', c, k])),
  ['services', '*', 'deploy', 'restart_policy', 'delay'],
  ['services', '*', 'deploy', 'restart_policy', 'window'],
];
/** Where docker decodes a byte size (an empty one is "invalid size"). */
const SIZES: string[][] = [['services', '*', 'deploy', 'resources', '*', 'memory']];
const isDurationAt = pathPatternLookup(DURATIONS.map((p) => [p, true] as const));
const isSizeAt = pathPatternLookup(SIZES.map((p) => [p, true] as const));
/** Where docker parses a short volume spec and a short port spec (a string item of the list). */
const isShortVolumeAt = pathPatternLookup([[['services', '*', 'volumes', '[]'], true] as const]);
const isShortPortAt = pathPatternLookup([[['services', '*', 'ports', '[]'], true] as const]);

/**
 * What docker stack deploy says of an interpolated string at a path where it parses a number, a
 * boolean, a duration, a size, a short volume or port spec and cannot read it (null where it reads
 * it, or takes any string):
 * `failed to cast to expected type: strconv.Atoi: parsing "": invalid syntax`, ...
 */
export function dockerRefusal(path: YamlPath, value: string): string | null {
  const cast = castAt(path);
  if (cast === 'int') {
    const why = atoiRefusal(value);
    return why && `failed to cast to expected type: ${why}`;
  }
  if (cast) return goCast(value, cast).ok ? null : `failed to cast to expected type: ${GO_PARSE[cast]}: parsing ${JSON.stringify(value)}: invalid syntax`;
  if (isDurationAt(path)) return stackFormats.duration(value) ? null : "Does not match format 'duration'";
  if (isSizeAt(path)) return sizeRefusal(value);
  if (isShortVolumeAt(path)) {
    const problem = volumeSpecProblem(value);
    return problem ? `invalid spec: ${value}: ${problem}` : null;
  }
  if (isShortPortAt(path)) return stackFormats.ports(value) ? null : "Does not match format 'ports'";
  return null;
}

/** A validator that ignores what checkSchema hands it and validates docker's view instead. */
function onData(validate: CompiledValidator, data: unknown): CompiledValidator {
  const wrapped: CompiledValidator = Object.assign(
    () => {
      const ok = validate(data);
      wrapped.errors = validate.errors ?? null;
      return ok;
    },
    { errors: null as ErrorObject[] | null, ownData: true as const },
  );
  return wrapped;
}

const key = (path: readonly string[]) => path.join('\u0000');

/** Service keys whose unknown-key error the compose check leaves to a rule (see lint.ts). */
const COMPOSE_KEYS_OWNED_BY_RULES = new Set(['sleep_policy']);

/**
 * Validate a stack's merged tree against the swarm stack schema, and the compose schema for
 * comparison. `version`: the schema to check against (docker checks every file of a project
 * against the first file's), by default the one the tree declares.
 */
export function checkSwarmSchema(root: LMap, version = stackSchemaVersion(root)): SwarmSchemaResult {
  // one check of a tree against one version: lint asks before the rules run, swarm-compat after
  let byVersion = checked.get(root);
  if (!byVersion) checked.set(root, (byVersion = new Map()));
  const known = byVersion.get(version);
  if (known) return known;
  const result = checkSwarmSchemaOnce(root, version);
  byVersion.set(version, result);
  return result;
}
const checked = new WeakMap<LMap, Map<string, SwarmSchemaResult>>();

/**
 * Where docker stack deploy's schema check says anything (its issues, unknown keys and casts): a
 * compose-spec error with target swarm stands only at, above or below one of those paths. The
 * paths are indexed once (each path, and each of its prefixes), so each question is a few look-ups.
 */
export function stackSchemaPaths(result: SwarmSchemaResult): (path: readonly string[]) => boolean {
  const at = new Set<string>();
  const above = new Set<string>();
  const add = (p: readonly string[]) => {
    at.add(key(p));
    for (let n = 0; n <= p.length; n++) above.add(key(p.slice(0, n)));
  };
  for (const is of result.issues) add(is.path);
  for (const u of result.unknownKeys) add([...u.parentPath, u.key]);
  for (const c of result.casts) add(c.path);
  return (path) => {
    if (above.has(key(path))) return true;
    for (let n = 0; n < path.length; n++) if (at.has(key(path.slice(0, n)))) return true;
    return false;
  };
}

function checkSwarmSchemaOnce(root: LMap, version: string): SwarmSchemaResult {
  const { data, casts } = dockerView(root);
  const unknownKeys: UnknownKeyIssue[] = [];
  /** the unknown keys taken, by parent path and key: each once, without a search of those before */
  const taken = new Set<string>();
  const issues = checkSchema(root, onData(stackValidator(version), data), {
    ignore: (e, path) => {
      if (e.keyword !== 'additionalProperties') return false;
      const k = String((e.params as { additionalProperty: string }).additionalProperty);
      const parent = nodeAt(root, path);
      const entry = parent?.kind === 'map' ? parent.index.get(k) : undefined;
      if (entry) {
        // the parent path and the key name the entry: a key seen again there is the same entry
        const id = `${key(path)}\u0000${k}`;
        if (!taken.has(id)) {
          taken.add(id);
          unknownKeys.push({ key: k, parentPath: path, entry });
        }
      }
      return entry !== undefined;
    },
  });
  const composeSubtrees = new Set<string>();
  const composeExact = new Set<string>();
  const composeUnknown = new Set<string>();
  checkSchema(root, validateCompose as CompiledValidator, {
    ignore: (e, path) => {
      if (e.keyword === 'additionalProperties') {
        const k = String((e.params as { additionalProperty: string }).additionalProperty);
        if (path.length === 2 && path[0] === 'services' && COMPOSE_KEYS_OWNED_BY_RULES.has(k)) return true;
        composeSubtrees.add(key([...path, k]));
        composeUnknown.add(key([...path, k]));
      } else if (SUBTREE_KEYWORDS.has(e.keyword)) composeSubtrees.add(key(path));
      else composeExact.add(key(path));
      return false;
    },
  });
  pushAll(issues, loaderIssues(root));
  pushAll(issues, resourceConflicts(root, 'swarm'));
  return { version, data, errorsByVersion: new Map(), unknownKeys, issues, casts, composeSubtrees, composeExact, composeUnknown };
}

/** The counts of a service docker/cli decodes as unsigned numbers (the long form's ports too). */
const UNSIGNED: string[][] = [
  ['deploy', 'replicas'],
  ['deploy', 'update_config', 'parallelism'],
  ['deploy', 'rollback_config', 'parallelism'],
  ['deploy', 'restart_policy', 'max_attempts'],
  ['deploy', 'placement', 'max_replicas_per_node'],
  ['healthcheck', 'retries'],
];

/**
 * What docker/cli's loader refuses in a service although the stack schema takes it: a negative
 * count (`replicas: -1`: "overflows uint"), a byte size that it cannot read (its transformSize:
 * go-units' RAMInBytes: `512 mega`, `512Mi`) or reads past an int64 (`10445360463872G`: no error,
 * a negative size), written or made by interpolation (`${MEM}`, with the lint's environment), a
 * tmpfs size or a ulimit written as a number past int64, and a bind mount without a source
 * (loader.go: "field Source must not be empty").
 */
function loaderIssues(root: LMap): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  const services = root.index.get('services')?.value;
  if (services?.kind !== 'map') return out;
  for (const svc of services.entries) {
    if (svc.value.kind !== 'map') continue;
    const resources = nodeAt(svc.value, ['deploy', 'resources']);
    if (resources?.kind === 'map') {
      for (const kind of ['limits', 'reservations']) {
        const n = nodeAt(resources, [kind, 'memory']);
        if (n?.kind !== 'scalar') continue;
        const path = ['services', svc.key, 'deploy', 'resources', kind, 'memory'];
        if (n.raw !== undefined) {
          const is = interpolatedSizeIssue(n, path);
          if (is) out.push(is);
          continue;
        }
        if (typeof n.value !== 'string') continue;
        const why = sizeRefusal(n.value);
        if (why) out.push({ message: `${formatPath(path)} is not a size docker reads (${why}; found the string ${JSON.stringify(n.value)})`, loc: n.loc, path });
        const over = why ? null : sizeOverflow(n.value);
        if (over) out.push({ message: `${formatPath(path)} is ${JSON.stringify(n.value)}, ${over} (docker stack deploy takes it as -9223372036854775808)`, loc: n.loc, path });
      }
    }
    // replicas with a global mode: docker stack deploy refuses the service as it converts it
    const deploy = svc.value.index.get('deploy')?.value;
    const mode = deploy?.kind === 'map' ? deploy.index.get('mode')?.value : undefined;
    const replicas = deploy?.kind === 'map' ? deploy.index.get('replicas') : undefined;
    if (replicas && mode?.kind === 'scalar' && (mode.value === 'global' || mode.value === 'global-job') && mode.raw === undefined) {
      out.push({
        message: `${formatPath(['services', svc.key, 'deploy'])} sets replicas with mode ${mode.value}, which docker stack deploy refuses as it creates the service ("replicas can only be used with replicated or replicated-job mode"); remove replicas (a global service runs one task on each node)`,
        loc: replicas.keyLoc,
        path: ['services', svc.key, 'deploy', 'replicas'],
      });
    }
    // counts docker decodes as unsigned numbers: a negative one "overflows uint"
    const negative = (n: LVal | undefined, path: string[]) => {
      if (n?.kind === 'scalar' && typeof n.value === 'number' && n.value < 0 && n.raw === undefined) {
        out.push({ message: `${formatPath(path)} is ${n.value}, which docker reads as a number of 0 or more ("${n.value} overflows uint")`, loc: n.loc, path });
      }
    };
    for (const keys of UNSIGNED) negative(nodeAt(svc.value, keys), ['services', svc.key, ...keys]);
    const ports = svc.value.index.get('ports')?.value;
    if (ports?.kind === 'seq') {
      ports.items.forEach((it, i) => {
        if (it.value.kind === 'map') for (const k of ['target', 'published']) negative(it.value.index.get(k)?.value, ['services', svc.key, 'ports', String(i), k]);
      });
    }
    // a command string docker splits into words (shlex); shm_size, which it decodes as a string
    for (const key of ['command', 'entrypoint']) {
      const cmd = svc.value.index.get(key)?.value;
      const why = cmd?.kind === 'scalar' && typeof cmd.value === 'string' && cmd.raw === undefined ? shellWordsProblem(cmd.value) : null;
      if (why) out.push({ message: `${formatPath(['services', svc.key, key])} ${JSON.stringify(cmd!.kind === 'scalar' ? cmd!.value : '')} cannot be split into words (${why}); close the quote, or write it as a list of words`, loc: cmd!.loc, path: ['services', svc.key, key] });
    }
    const shm = svc.value.index.get('shm_size')?.value;
    if (shm?.kind === 'scalar' && typeof shm.value === 'number') {
      out.push({ message: `${formatPath(['services', svc.key, 'shm_size'])} is the number ${shm.value}, where docker decodes a string ("'shm_size' expected type 'string', got unconvertible type '${Number.isInteger(shm.value) ? 'int' : 'float64'}', value: '${shm.value}'"); quote it ("${shm.value}"), though docker stack deploy ignores shm_size`, loc: shm.loc, path: ['services', svc.key, 'shm_size'] });
    }
    // a ulimit written as a number that is no int to yaml.v3 (a uint64 or a float64), which docker refuses
    const ulimits = svc.value.index.get('ulimits')?.value;
    if (ulimits?.kind === 'map') {
      for (const e of ulimits.entries) {
        if (e.value.kind === 'scalar') ulimitNotInt(e.value, ['services', svc.key, 'ulimits', e.key], false, out);
        else if (e.value.kind === 'map') for (const k of ['soft', 'hard']) ulimitNotInt(e.value.index.get(k)?.value, ['services', svc.key, 'ulimits', e.key, k], true, out);
      }
    }
    const volumes = svc.value.index.get('volumes')?.value;
    if (volumes?.kind !== 'seq') continue;
    volumes.items.forEach((it, i) => {
      const m = it.value;
      if (m.kind !== 'map') return;
      // a tmpfs size written as a number past int64: docker converts it to its int64 without an error
      const tmpfs = m.index.get('tmpfs')?.value;
      const size = tmpfs?.kind === 'map' ? tmpfs.index.get('size')?.value : undefined;
      const past = writtenGoNumber(size, typePastInt64);
      if (past) {
        const path = ['services', svc.key, 'volumes', String(i), 'tmpfs', 'size'];
        out.push({ message: `${formatPath(path)} is ${past.written}, ${SIZE_PAST_INT64} (docker stack deploy takes it as ${int64Wrapped(past.written, past.type)}); write a number of bytes below 2^63`, loc: size!.loc, path });
      }
      const type = m.index.get('type');
      if (type?.value.kind !== 'scalar' || type.value.value !== 'bind' || type.value.raw !== undefined) return;
      const source = m.index.get('source');
      if (source && !(source.value.kind === 'scalar' && source.value.raw === undefined && (source.value.value === '' || source.value.value === null))) return;
      const path = ['services', svc.key, 'volumes', String(i)];
      out.push({ message: `${formatPath(path)} is a bind mount ${source ? 'with an empty source' : 'without a source'} (invalid mount config for type "bind": field Source must not be empty)`, loc: (source ?? type).keyLoc, path });
    });
  }
  return out;
}

/**
 * A byte size a variable went into, judged as docker stack deploy reads it after interpolation
 * (the lint's environment stands for the deploy's; an unset variable is empty, which go-units
 * refuses): docker's complaint, or a size past int64. A value a set variable gave is not shown,
 * nor docker's words about it, which quote it: only what the file wrote.
 */
function interpolatedSizeIssue(n: LScalar, path: string[]): SchemaIssue | null {
  const text = n.value === null ? '' : String(n.value);
  const why = sizeRefusal(text);
  const over = why ? null : sizeOverflow(text);
  if (!why && !over) return null;
  const at = formatPath(path);
  const detail = n.fromEnv
    ? `${at} is "${n.raw}" (a variable's value, not shown), ${why ? 'which is not a size docker reads' : `${over} (docker stack deploy takes it as -9223372036854775808)`}`
    : why
      ? `${at} is "${n.raw}", "${text}" after interpolation, which is not a size docker reads (${why})`
      : `${at} is "${n.raw}", "${text}" after interpolation, ${over} (docker stack deploy takes it as -9223372036854775808)`;
  return { message: detail, loc: n.loc, path };
}

/**
 * A ulimit written as a whole number that is no Go int to yaml.v3 (a uint64 past int64, a float64
 * past uint64 or written as a float, `1e3`): docker/cli's transformUlimits refuses it ("invalid
 * type float64 for ulimits"), and reading `soft` or `hard` of one it stops with a panic.
 */
function ulimitNotInt(n: LVal | undefined, path: string[], softHard: boolean, out: SchemaIssue[]): void {
  const num = writtenGoNumber(n, typeNotInt);
  if (!num) return;
  const said = softHard ? `docker stack deploy stops with a panic: "interface conversion: interface {} is ${num.type}, not int"` : `"invalid type ${num.type} for ulimits"`;
  out.push({ message: `${formatPath(path)} is ${num.written}, ${ulimitNotIntWhy(num.type)}, which docker refuses (${said}); ${ULIMIT_ADVICE}`, loc: n!.loc, path });
}

/**
 * The first stack schema version after `result.version` that accepts a key the file's version
 * rejects (null when none does): what the file has to declare to use it. The newest schema is asked
 * first (a key it rejects too came with no version), so older validators are loaded only for a key
 * that some later version has; each version validates the file once.
 */
export function versionAccepting(result: SwarmSchemaResult, u: UnknownKeyIssue): string | null {
  const pointer = u.parentPath.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  const rejects = (version: string): boolean => {
    let rejected = result.errorsByVersion.get(version);
    if (!rejected) {
      const validate = stackValidator(version);
      validate(result.data);
      // the keys the version rejects, by place: one look-up per unknown key, not a search of all errors
      rejected = new Set();
      for (const e of validate.errors ?? []) if (e.keyword === 'additionalProperties') rejected.add(`${e.instancePath}\u0000${(e.params as { additionalProperty: string }).additionalProperty}`);
      result.errorsByVersion.set(version, rejected);
    }
    return rejected.has(`${pointer}\u0000${u.key}`);
  };
  if (result.version === LATEST_STACK_VERSION || rejects(LATEST_STACK_VERSION)) return null;
  for (const version of STACK_VERSIONS.slice(STACK_VERSIONS.indexOf(result.version) + 1)) if (!rejects(version)) return version;
  return null;
}

/**
 * True when the compose-spec check already reports a key docker's stack schema does not allow: as
 * an unknown key too, or a wrong key or type above it. An error about its value (`cpu_percent: 200`)
 * does not: docker's complaint is the key itself.
 */
export function composeRejectsKey(result: SwarmSchemaResult, path: readonly string[]): boolean {
  if (result.composeUnknown.has(key(path))) return true;
  for (let n = path.length - 1; n >= 1; n--) if (result.composeSubtrees.has(key(path.slice(0, n)))) return true;
  return false;
}

/** Errors that say a whole value is of the wrong kind: nothing below it needs saying again. */
const SUBTREE_KEYWORDS = new Set(['type', 'oneOf', 'anyOf', 'enum', 'const', 'not']);

/**
 * True when the compose-spec check already reports the problem at this path: a wrong key or type at
 * it or above it, or another problem at exactly it.
 */
export function reportedByCompose(result: SwarmSchemaResult, path: readonly string[]): boolean {
  if (result.composeExact.has(key(path))) return true;
  for (let n = path.length; n >= 1; n--) if (result.composeSubtrees.has(key(path.slice(0, n)))) return true;
  return false;
}

/**
 * Reads every variable as set (not empty): whether docker refuses a value's template for its syntax
 * does not depend on them, and no variable is then told as unset.
 */
const ANY_VARIABLE: Lookup = { get: () => 'x' };

/**
 * Where docker/cli's template (cli/compose/template, see interpolateStack in
 * src/parse/interpolate.ts) refuses a value: the offset of the offending `$` when its last
 * expression is invalid (a `$` before a space, `(`, a digit or the end: `$(cmd)`, `cost $`, `$1`; the
 * compose-only `${NAME:+x}` / `${NAME+x}`; a `${` without its `}`), else -1. Each expression resets
 * docker's error, so an invalid one followed by another is not refused.
 *
 * Without braces docker reads a modifier too: `$NAME-x`, `$NAME:-x`, `$NAME?x` and `$NAME:?x` are
 * `${NAME-x}`, ..., the default running to the next `}` or the end of the value (so `$X-$(date)` is
 * read, and `-$(date)` is the default of X). Each such expression is pushed onto `named`.
 */
export function dockerInterpolationError(s: string, named?: NamedModifier[]): number {
  const { issues } = interpolateStack(s, ANY_VARIABLE, undefined, named ? (m) => named.push(m) : undefined);
  const last = issues[issues.length - 1];
  return last && last.kind === 'syntax' ? last.start : -1;
}

export interface InterpolationFormatIssue {
  /** `format`: docker refuses the value; `named-modifier`: docker reads `$NAME-x` as `${NAME-x}` */
  kind: 'format' | 'named-modifier';
  path: string[];
  /** the text as written (before interpolation) */
  text: string;
  /** the offending `$`, the `$NAME-x` expression, or the whole scalar when its text cannot be mapped onto the file */
  loc: Loc;
  /** for `named-modifier` */
  named?: NamedModifier;
}

/**
 * Every scalar value (keys are not interpolated) whose text docker's interpolation refuses, and
 * every `$NAME-x` docker reads as `${NAME-x}` (in a value docker reads).
 */
export function findInterpolationFormatIssues(root: LVal): InterpolationFormatIssue[] {
  const out: InterpolationFormatIssue[] = [];
  // A value shared through an alias or `<<` is reported once, at the first path that reaches it.
  const seen = new Set<LVal>();
  const path: string[] = [];
  const walk = (v: LVal) => {
    if (v.kind === 'scalar') {
      const text = v.raw ?? (typeof v.value === 'string' ? v.value : null);
      if (text === null || !text.includes('$') || seen.has(v)) return;
      seen.add(v);
      const named: NamedModifier[] = [];
      const at = dockerInterpolationError(text, named);
      if (at >= 0) out.push({ kind: 'format', path: [...path], text, loc: valueSpanLoc(v.loc, text, at, at + 1) });
      else for (const n of named) out.push({ kind: 'named-modifier', path: [...path], text, loc: valueSpanLoc(v.loc, text, n.start, n.end), named: n });
      return;
    }
    // an anchored mapping or sequence is walked once (what its aliases reach is already seen)
    if (v.anchor !== undefined) {
      if (seen.has(v)) return;
      seen.add(v);
    }
    if (v.kind === 'map') {
      for (const e of v.entries) {
        path.push(e.key);
        walk(e.value);
        path.pop();
      }
    } else {
      for (let i = 0; i < v.items.length; i++) {
        path.push(String(i));
        walk(v.items[i]!.value);
        path.pop();
      }
    }
  };
  walk(root);
  return out;
}
