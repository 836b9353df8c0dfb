import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RuleSettings } from '../engine/run-rules.js';
import type { FailOn } from '../engine/fail-on.js';
import type { SeveritySetting } from '../engine/types.js';
/** as `--target` takes it (src/engine/target.ts) */
type TargetSetting = 'auto' | 'compose' | 'swarm';
import { validateConfig } from '../generated/config-validator.js';
import { positionOf, type Loc } from '../parse/location.js';
import { toPlain, type LMap } from '../parse/located.js';
import { displayPath } from '../parse/load-project.js';
import { parseSource, readSource } from '../parse/read-document.js';
import { checkSchema } from '../parse/validate-schema.js';
import { packageRoot } from '../engine/package-info.js';
import { resolveSizing, SizingError, type ReservationRatioSetting } from '../model/sizing.js';
import { IgnoreList } from './ignore-patterns.js';

/** `.stackopt.yaml` as written (its shape is schemas/config.schema.json). */
export interface StackoptConfig {
  target?: TargetSetting;
  rules?: Record<string, SeveritySetting | { severity?: SeveritySetting; options?: Record<string, unknown> }>;
  critical?: { patterns?: string[]; ignore?: string[]; replaceDefaults?: boolean };
  sizing?: { preset?: string; classes?: Record<string, { cpus?: number | string; memory?: number | string }>; reservationRatio?: ReservationRatioSetting };
  ignore?: string[];
  allowPaths?: string[];
  failOn?: FailOn;
  baseline?: string;
}

/** A configuration turned into what the engine and the CLI take. */
export interface ResolvedConfig {
  /** the file read */
  path: string;
  /** the file as shown to the user (relative to the working directory when inside it) */
  shownPath: string;
  config: StackoptConfig;
  /** per-rule severity and options for lintProject */
  settings: Record<string, RuleSettings>;
  target?: TargetSetting;
  /** the `ignore` patterns, relative to the config's folder; null when none */
  ignore: IgnoreList | null;
  /** `allowPaths`, absolute (resolved against the config's folder) */
  allowPaths: string[];
  /** the lowest severity that fails `stackopt lint` (`--fail-on` wins over it) */
  failOn?: FailOn;
  /** `baseline`, absolute (resolved against the config's folder) */
  baseline?: string;
}

/** A configuration that cannot be used: every problem with its file:line:col (exit 2). */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.join('\n'));
  }
}

/** Read, validate and resolve a configuration file. Throws ConfigError or InputError (unreadable). */
export function loadConfig(path: string): ResolvedConfig {
  const shown = displayPath(path);
  const source = readSource(path, shown);
  let config: StackoptConfig = {};
  let root: LMap | null = null;
  if (!onlyComments(source.text)) {
    const doc = parseSource(source, new Map(), false);
    const errors = doc.issues.filter((i) => i.severity === 'error' || /duplicate/i.test(i.message));
    if (errors.length) throw new ConfigError(shown, errors.map((i) => at(shown, i.loc, configWording(i.message))));
    if (!doc.root || doc.root.kind !== 'map') {
      const loc = doc.root?.loc;
      throw new ConfigError(shown, [at(shown, loc, 'the configuration must be a mapping, e.g. `rules: {healthcheck-required: warning}`')]);
    }
    root = doc.root;
    // `if` errors only say which branch failed; the branch's own errors follow
    const issues = checkSchema(root, validateConfig, { schema: configSchema, ignore: (e) => e.keyword === 'if' });
    if (issues.length) throw new ConfigError(shown, issues.map((i) => at(shown, i.loc, i.message)));
    config = toPlain(root) as StackoptConfig;
  }
  const resolved = resolveConfig(config, path);
  if (config.sizing && root) checkSizing(config, root, shown);
  if (config.ignore?.length && root) checkIgnorePatterns(config.ignore, root, shown);
  return resolved;
}

/** Turn a valid configuration into rule settings: `critical` and `sizing` are options of their rules. */
export function resolveConfig(config: StackoptConfig, path: string): ResolvedConfig {
  const settings: Record<string, RuleSettings> = {};
  const setOptions = (id: string, options: Record<string, unknown>) => {
    settings[id] = { ...settings[id], options: { ...settings[id]?.options, ...options } };
  };
  if (config.critical) {
    const c = config.critical;
    const opts: Record<string, unknown> = {};
    if (c.replaceDefaults) {
      opts.critical = c.patterns ?? [];
      opts.extraCritical = [];
    } else if (c.patterns) opts.extraCritical = c.patterns;
    if (c.ignore) opts.ignore = c.ignore;
    setOptions('critical-single-replica', opts);
  }
  if (config.sizing) {
    const s = config.sizing;
    const opts: Record<string, unknown> = {};
    if (s.preset !== undefined) opts.preset = s.preset;
    if (s.classes !== undefined) opts.sizing = s.classes;
    if (s.reservationRatio !== undefined) opts.reservationRatio = s.reservationRatio;
    setOptions('resource-limits', opts);
  }
  // explicit rule settings come last: their options win over the shorthands above
  for (const [id, v] of Object.entries(config.rules ?? {})) {
    if (typeof v === 'string') settings[id] = { ...settings[id], severity: v };
    else {
      if (v.severity) settings[id] = { ...settings[id], severity: v.severity };
      if (v.options) setOptions(id, v.options);
    }
  }
  const dir = dirname(resolve(path));
  return {
    path,
    shownPath: displayPath(path),
    config,
    settings,
    target: config.target,
    ignore: config.ignore?.length ? IgnoreList.fromPatterns(dir, config.ignore) : null,
    allowPaths: (config.allowPaths ?? []).map((p) => resolve(dir, p)),
    failOn: config.failOn,
    baseline: config.baseline === undefined ? undefined : resolve(dir, config.baseline),
  };
}

/** The sizing the fixer will use must resolve (a size such as "lots" is only caught here). */
function checkSizing(config: StackoptConfig, root: LMap, shown: string): void {
  const s = config.sizing!;
  try {
    resolveSizing(s.preset, s.classes as never, s.reservationRatio);
  } catch (e) {
    if (!(e instanceof SizingError)) throw e;
    // point at what the error names: the value of a class field, the class, or the sizing key
    const sizing = root.index.get('sizing')!;
    const classes = sizing.value.kind === 'map' ? sizing.value.index.get('classes') : undefined;
    const row = e.serviceClass && classes?.value.kind === 'map' ? classes.value.index.get(e.serviceClass) : undefined;
    const field = e.field && row?.value.kind === 'map' ? row.value.index.get(e.field) : undefined;
    throw new ConfigError(shown, [at(shown, field ? field.value.loc : (row ?? sizing).keyLoc, e.message.replace(/^sizing\./, 'sizing.classes.'))]);
  }
}

/** Every `ignore` pattern must read as one (`[z-a]` does not): an error at the pattern. */
function checkIgnorePatterns(patterns: readonly string[], root: LMap, shown: string): void {
  const problems: string[] = [];
  const list = root.index.get('ignore')?.value;
  IgnoreList.fromPatterns('/', patterns, (p) => {
    const item = list?.kind === 'seq' ? list.items[p.line - 1]?.value : undefined;
    const value = patterns[p.line - 1]!;
    const shownValue = value.length > 80 ? `${value.slice(0, 77)}...` : value;
    problems.push(at(shown, item?.loc, `ignore[${p.line - 1}] ${JSON.stringify(shownValue)} is not a pattern: ${p.message}`));
  });
  if (problems.length) throw new ConfigError(shown, problems);
}

function at(file: string, loc: Loc | undefined, message: string): string {
  const p = loc ? positionOf(loc) : null;
  return p ? `${file}:${p.line}:${p.column}: ${message}` : `${file}: ${message}`;
}

function onlyComments(text: string): boolean {
  return text.split(/\r?\n/).every((l) => l.trim() === '' || l.trim().startsWith('#'));
}

/** The YAML reader speaks of compose files; a configuration is not one. */
function configWording(message: string): string {
  if (/^the document is a /.test(message)) return 'the configuration must be a mapping, e.g. `rules: {healthcheck-required: warning}`';
  const at = message.indexOf('; a compose file is one document');
  const end = message.slice(at).search(/[\n\r\u2028\u2029]/);
  if (at < 0 || end >= 0) return message;
  return `${message.slice(0, at)}; a configuration is one YAML document`;
}

let schemaCache: unknown;
/** The config schema itself, read only when an error needs its keys (for "did you mean"). */
function configSchema(): unknown {
  schemaCache ??= JSON.parse(readFileSync(join(packageRoot(), 'schemas/config.schema.json'), 'utf8'));
  return schemaCache;
}

