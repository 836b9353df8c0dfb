import { lstatSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileLoc, fileOf, type Loc, formatPath, positionOf } from './location.js';
import { parseEnvFile } from './env-file.js';
import type { Env, InterpolationMode } from './interpolate.js';
import { makeMap, MAX_EXPANDED_NODES, setEntry, type BuildIssue, type DotenvUse, type LEntry, type LMap, type LVal } from './located.js';
import { FileMerge, hasComposeTag, mergeTrees, withoutComposeTags, type OnConflict } from './merge.js';
import { InputError, parseSource, readSource, type ReadDocument } from './read-document.js';
import { readFailure, readText, ReadTextError } from './read-text.js';
import { OUTSIDE_PROJECT, ProjectBoundary, realpath, relativeInside } from './project-files.js';
import { EnvRedactor } from './env-redactor.js';
import { SourceFile } from './source-file.js';
import { pushAll } from './collect.js';
import { goBoolean } from './go-values.js';
import { importResources, includeItems, type IncludeItem } from './include.js';

export interface LoadOptions {
  /** compose files merged in this order (`-f A -f B`) */
  files: string[];
  /** `--env-file` files, later ones win; when absent the `.env` beside the first file is read */
  envFiles?: string[];
  /**
   * the process environment (wins over env files, as in compose); a frozen object's variables are
   * made once and kept for the next project linted with it
   */
  environment?: NodeJS.ProcessEnv;
  /** interpolate `${VAR}` as compose does (true, the default), as docker stack deploy does ('stack'), or not */
  interpolate?: InterpolationMode;
  /**
   * The raw text of a file when it should not be read from disk (the fixer lints its edited texts
   * this way); undefined falls back to reading the file. Called with absolute paths.
   */
  readText?: (absPath: string) => string | undefined;
  /**
   * Folders and files outside the folders of `files` that the files may point at (`extends.file`,
   * the implicit `.env`): the configuration's `allowPaths`, absolute.
   */
  allowPaths?: readonly string[];
  /**
   * Keep the nodes the fixer edits through (default true); a lint that builds no fixes does not
   * need them. Files in the shape the fast reader takes (src/parse/fast-yaml.ts) are read by it
   * either way: the same tree as yaml's, in less time and memory.
   */
  editable?: boolean;
  /** Read every file with yaml, never the fast reader (the reference the fast reader is tested against). */
  yamlOnly?: boolean;
  /**
   * Read compose's tags `!reset` and `!override` as compose does (true, the default), or as docker
   * stack deploy does (false), which knows no such tag: the value as written (`!reset null` is the
   * string "null", `!reset []` an empty list).
   */
  composeTags?: boolean;
}

export interface Project {
  /** the files named (`-f A -f B`), in order */
  sources: SourceFile[];
  /** the files read through `include` (findings may point into them; fixes do not edit them) */
  included: SourceFile[];
  /** the merged tree, null when no file could be parsed into a mapping */
  root: LMap | null;
  issues: ProjectIssue[];
  env: Env;
  /**
   * The `.env` beside the first file when it was read without --env-file, and where the files
   * use a variable only it sets (what `docker stack deploy`, which does not read it, sees differently).
   */
  dotenv: { file: string; uses: DotenvUse[] } | null;
  /** keeps the values variables gave to the files out of messages */
  redactor: EnvRedactor;
  /** the `version` each named file declares (null: none), in order: docker stack deploy wants them equal */
  versions: FileVersion[];
  /**
   * Read with compose's interpolation, a value that `docker stack deploy` reads otherwise (a nested
   * default, `:+`, ...: src/parse/interpolate.ts, interpolateStack): read again with
   * `interpolate: 'stack'` where the target is swarm.
   */
  stackDiffers: boolean;
  /**
   * Every file the project read, as absolute paths: its compose files, the files `extends` and
   * `include` named, and the env files. An output (`-o`, `--write-baseline`) is never one of them.
   */
  read: string[];
  /** whether a file of the project writes `!reset` or `!override` (read otherwise by docker stack deploy: `composeTags`) */
  composeTags: boolean;
}

/** The `version` value one file of a project declares, or null when it declares none. */
export interface FileVersion {
  source: SourceFile;
  value: LVal | null;
}

export interface ProjectIssue {
  ruleId: 'yaml-syntax' | 'interpolation' | 'extends' | 'include' | 'schema' | 'merge' | 'env-file';
  severity: 'error' | 'warning' | 'info';
  message: string;
  loc: Loc;
  path?: string[];
  /** what docker compose refuses and docker stack deploy takes (its merge has no "cannot override") */
  composeOnly?: true;
  /** what docker stack deploy refuses and docker compose takes */
  swarmOnly?: true;
}

/** A path as shown to the user: relative to the working directory when inside it, else as given. */
export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && relativeInside(rel) ? rel : p;
}

/**
 * A `LoadOptions.readText` that gives `text` for the file at `path` and reads every other file from
 * disk: text from an editor or standard input linted as if it were that file.
 */
export function textAt(path: string, text: string): (absPath: string) => string | undefined {
  const abs = resolve(path);
  return (p) => (p === abs ? text : undefined);
}

/** The variables used for interpolation: env files (in order), then the process environment. */
export function loadEnv(opts: LoadOptions): Env {
  return loadVariables(opts).env;
}

/**
 * The `.env` file read without being asked for (no --env-file), and the variables only it sets:
 * `docker compose` reads that file, `docker stack deploy` does not.
 */
export interface ImplicitDotenv {
  file: string;
  only: ReadonlySet<string>;
}

function loadVariables(opts: LoadOptions, boundary: () => ProjectBoundary = () => ProjectBoundary.of(opts.files, opts.allowPaths), read?: Set<string>): { env: Env; dotenv: ImplicitDotenv | null } {
  const env = new Map<string, string>();
  const files = opts.envFiles && opts.envFiles.length > 0 ? opts.envFiles : [];
  let implicit: string | null = null;
  if (files.length === 0 && opts.files[0]) {
    const dotenv = join(dirname(resolve(opts.files[0])), '.env');
    if (lstatExists(dotenv)) files.push((implicit = dotenv));
  }
  const proc = opts.environment ?? process.env;
  if (files.length === 0 && Object.isFrozen(proc)) {
    // no env file: the variables are the environment's, made once for a frozen one (the CLI's copy for the run)
    let known = frozenEnvironments.get(proc);
    if (!known) frozenEnvironments.set(proc, (known = environmentMap(proc)));
    return { env: known, dotenv: null };
  }
  // a value in an env file may refer to the process environment and to earlier env files
  const lookup = { get: (k: string) => proc[k] ?? env.get(k) };
  for (const f of files) {
    let text: string;
    try {
      // a file named with --env-file is read as given; the implicit .env must be a file of the project
      text = f === implicit ? boundary().readText(f) : readText(f);
      read?.add(resolve(f));
    } catch (e) {
      if (!(e instanceof ReadTextError)) throw e;
      throw new InputError(readFailure(displayPath(f), e, 'cannot read env file'), f);
    }
    const { values, errors } = parseEnvFile(text, lookup);
    if (errors.length) {
      const e = errors[0]!;
      throw new InputError(`${displayPath(f)}:${e.line}:${e.column}: ${e.message}`, f);
    }
    for (const [k, v] of values) env.set(k, v);
  }
  const only = new Set(implicit ? env.keys() : []);
  for (const [k, v] of Object.entries(proc)) {
    if (v === undefined) continue;
    env.set(k, v);
    only.delete(k);
  }
  return { env, dotenv: implicit ? { file: implicit, only } : null };
}

/** The variables of a frozen environment object, made once (it cannot change). */
const frozenEnvironments = new WeakMap<NodeJS.ProcessEnv, Env>();

function environmentMap(proc: NodeJS.ProcessEnv): Env {
  const env = new Map<string, string>();
  for (const [k, v] of Object.entries(proc)) if (v !== undefined) env.set(k, v);
  return env;
}

/** Whether anything (a file, a folder, a link, even a dangling one) is at `path`. */
function lstatExists(path: string): boolean {
  try {
    // no exception for a missing file: most projects have no .env, and an error costs more than the call
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}

/** How deep `include` may nest (a file including a file including ...). */
export const MAX_INCLUDE_DEPTH = 16;
/** How many included projects one project may load in all (memoised ones count once). */
export const MAX_INCLUDE_LOADS = 256;

/** Read, parse, interpolate, resolve `include` and `extends` and merge the files of one project. */
export function loadProject(opts: LoadOptions): Project {
  // made when the implicit .env is read or a file points at another (its roots are resolved through the file system)
  let made: ProjectBoundary | undefined;
  const boundary = (): ProjectBoundary => (made ??= ProjectBoundary.of(opts.files, opts.allowPaths));
  const read = new Set<string>();
  const { env, dotenv } = loadVariables(opts, boundary, read);
  /** the env files read for variables (--env-file, the implicit .env, an include's env_file) */
  const envFiles = new Set<string>([...(opts.envFiles ?? []), ...(opts.files[0] ? [join(dirname(resolve(opts.files[0])), '.env')] : [])].map((f) => resolve(f)));
  const interpolate = opts.interpolate ?? true;
  const issues: ProjectIssue[] = [];
  const sources: SourceFile[] = [];
  const included: SourceFile[] = [];
  /** parsed files per environment (an included project may interpolate with its own) */
  const cache = new Map<Env, Map<string, ReadDocument>>();
  const dotenvUses: DotenvUse[] = [];
  const named = new Set(opts.files.map((f) => resolve(f)));
  /** the files whose own findings are reported (a referenced file that is no compose file is not) */
  const reported = new Set<string>();
  const envs: Env[] = [env];
  /** whether a file read so far writes `!reset` or `!override` (in its text: a comment counts too) */
  let mayHoldComposeTags = false;
  /** whether a file read so far writes `env_file` or `label_file` (see missingServiceFiles) */
  let mayNameServiceFiles = false;
  const parseWith = (path: string, fileEnv: Env): ReadDocument => {
    const abs = resolve(path);
    let byPath = cache.get(fileEnv);
    if (!byPath) cache.set(fileEnv, (byPath = new Map()));
    let doc = byPath.get(abs);
    if (!doc) {
      read.add(abs);
      const raw = opts.readText?.(abs);
      let source: SourceFile;
      if (raw !== undefined) source = new SourceFile(abs, displayPath(abs), raw);
      else if (named.has(abs)) source = readSource(abs, displayPath(abs));
      else {
        // a file a compose file points at: only a regular file inside the project is read
        try {
          source = new SourceFile(abs, displayPath(abs), boundary().readText(abs));
        } catch (e) {
          if (!(e instanceof ReadTextError)) throw e;
          throw new InputError(readFailure(displayPath(abs), e), displayPath(abs));
        }
      }
      doc = parseSource(source, fileEnv, interpolate, dotenv?.only, opts.editable ?? true, opts.yamlOnly);
      if (!mayHoldComposeTags && (source.text.includes('!reset') || source.text.includes('!override'))) mayHoldComposeTags = true;
      if (!mayNameServiceFiles && (source.text.includes('env_file') || source.text.includes('label_file'))) mayNameServiceFiles = true;
      byPath.set(abs, doc);
    }
    return doc;
  };
  const variables = new Set<string>();
  let stackDiffers = false;
  const report = (doc: ReadDocument) => {
    if (reported.has(doc.source.path)) return;
    reported.add(doc.source.path);
    for (const v of doc.variables ?? []) variables.add(v);
    if (doc.stackDiffers) stackDiffers = true;
    pushAll(dotenvUses, doc.dotenvUses);
    // docker stack deploy reads only the files it is given, never one `extends` or `include` names
    if (named.has(doc.source.path) || !doc.issues.some((is) => is.swarmOnly)) pushAll(issues, doc.issues);
    else pushAll(issues, doc.issues.filter((is) => !is.swarmOnly));
  };
  const refusal = (path: string): string | null => (named.has(resolve(path)) || opts.readText?.(resolve(path)) !== undefined ? null : boundary().refusal(path));
  const loader: Loader = {
    parserFor: (fileEnv) => ({ parse: (p) => parseWith(p, fileEnv), report, refusal }),
    issues,
    readEnvFile: (f) => {
      read.add(resolve(f));
      envFiles.add(resolve(f));
      return boundary().readText(f);
    },
    environment: opts.environment ?? process.env,
    memo: new Map(),
    loads: 0,
    extendsItems: { items: 0, reported: false },
    onIncluded: (doc, fileEnv) => {
      if (!included.includes(doc.source) && !named.has(doc.source.path)) included.push(doc.source);
      if (!envs.includes(fileEnv)) envs.push(fileEnv);
    },
  };

  // paths in every file of the project are relative to the first file's folder (the project directory)
  const workingDir = opts.files[0] ? dirname(resolve(opts.files[0])) : process.cwd();
  const files = new FileMerge(conflictReporter(issues));
  const versions: FileVersion[] = [];
  let tagged = false;
  let lowered: string[] | undefined;
  for (const f of opts.files) {
    const doc = parseWith(f, env);
    report(doc);
    sources.push(doc.source);
    if (!doc.root || doc.root.kind !== 'map') continue;
    versions.push({ source: doc.source, value: doc.root.index.get('version')?.value ?? null });
    let tree = loadFileTree(doc, env, workingDir, [doc.source.path], loader);
    // the text tells which files may hold a tag (the tree is walked only for those)
    if (mayHoldComposeTags && hasComposeTag(tree)) {
      tagged = true;
      if (opts.composeTags === false) tree = withoutComposeTags(tree) as LMap;
    }
    files.add(tree);
  }
  const merged = files.result();
  if (merged && mayNameServiceFiles) missingServiceFiles(merged, workingDir, named, boundary, issues);
  return {
    sources,
    included,
    root: merged,
    issues,
    env,
    dotenv: dotenv && { file: displayPath(dotenv.file), uses: dotenvUses },
    redactor: new EnvRedactor(envs, variables, (text) => {
      // the text of every compose file read (a mapping, and never an env file: not through extends
      // or include either, nor through a link to one), in lower case, made on the first question
      if (!lowered) {
        const real = (p: string) => {
          try {
            return realpath(p);
          } catch {
            return p;
          }
        };
        const envReal = new Set([...envFiles].map(real));
        const docs = [...cache.values()].flatMap((byPath) => [...byPath.values()]);
        lowered = [...new Set(docs.filter((d) => d.root?.kind === 'map' && !envFiles.has(d.source.path) && !envReal.has(real(d.source.path))).map((d) => d.source.text))].map((t) => t.toLowerCase());
      }
      return lowered.some((t) => t.includes(text));
    }),
    versions,
    stackDiffers,
    read: [...read],
    composeTags: tagged,
  };
}

/**
 * The files a service reads as the project loads that do not exist: an `env_file` (unless
 * `required: false`) or a `label_file`. Docker compose refuses the project ("env file ... not
 * found", compose-go's loadEnvFile), and so does docker stack deploy ("open ...: no such file or
 * directory"). A path is relative to the project's folder (the first file's) when a file named on
 * the command line wrote it, else to the folder of the file that did (`extends.file`, `include`).
 * Only a file inside the project is looked for: of any other, not even whether it exists is told.
 * A path a variable gave is not looked for (it may be set otherwise where the project runs).
 * A warning: an env file is often kept out of the repository that CI lints.
 */
function missingServiceFiles(root: LMap, workingDir: string, named: ReadonlySet<string>, boundary: () => ProjectBoundary, issues: ProjectIssue[]): void {
  const services = root.get('services')?.value;
  if (!services || services.kind !== 'map') return;
  for (const svc of services.entries) {
    if (svc.value.kind !== 'map') continue;
    for (const field of ['env_file', 'label_file'] as const) {
      const v = svc.value.get(field)?.value;
      if (!v) continue;
      const items: Array<{ node: LVal; path: string[] }> = v.kind === 'seq' ? v.items.map((n, i) => ({ node: n.value, path: [String(i)] })) : [{ node: v, path: [] }];
      for (const it of items) {
        let file = it.node;
        let at = [...it.path];
        if (file.kind === 'map') {
          const required = file.get('required')?.value;
          if (required?.kind === 'scalar' && (required.value === false || (typeof required.value === 'string' && goBoolean(required.value) === false))) continue;
          const p = file.get('path')?.value;
          if (!p) continue;
          file = p;
          at = [...at, 'path'];
        }
        if (file.kind !== 'scalar' || typeof file.value !== 'string' || file.value === '' || file.raw !== undefined || file.loc.kind !== 'file') continue;
        const base = named.has(file.loc.source.path) ? workingDir : dirname(file.loc.source.path);
        if (boundary().refusal(resolve(base, file.value)) !== 'no such file') continue;
        issues.push({
          ruleId: 'env-file',
          severity: 'warning',
          message:
            field === 'env_file'
              ? `service "${svc.key}" reads env file "${file.value}", which does not exist: docker compose and docker stack deploy refuse the project while it is missing; add it, or with docker compose mark it optional (path: and required: false)`
              : `service "${svc.key}" reads label file "${file.value}", which does not exist: docker compose refuses the project while it is missing; add it`,
          loc: file.loc,
          path: ['services', svc.key, field, ...at],
        });
      }
    }
  }
}

/** What loading the files of a project (and of the projects it includes) shares. */
interface Loader {
  /** reading and parsing files interpolated with one environment */
  parserFor(env: Env): Parse;
  issues: ProjectIssue[];
  /** the text of an include's env file (a file of the project: the boundary applies) */
  readEnvFile(path: string): string;
  environment: NodeJS.ProcessEnv;
  /** included projects already loaded, per environment and include (a file included twice is read once) */
  memo: Map<Env, Map<string, LMap | null>>;
  /** how many included projects were loaded */
  loads: number;
  /** the list items `extends` merges made in all (see finishLink) */
  extendsItems: ExtendsBudget;
  /** told about each file read through `include` and the environment it was read with */
  onIncluded(doc: ReadDocument, env: Env): void;
}

/**
 * One compose file as compose-go reads it: its `include:` projects imported first (so that a
 * service may extend an included one), then its `extends` resolved. `chain` lists the files
 * including this one (it last), to refuse a cycle.
 */
function loadFileTree(doc: ReadDocument, env: Env, workingDir: string, chain: readonly string[], loader: Loader): LMap {
  let root = doc.root as LMap;
  for (const item of includeItems(root)) {
    const imported = loadIncluded(item, env, workingDir, chain, loader);
    if (imported) root = importResources(root, imported, conflictReporter(loader.issues));
  }
  return resolveExtends(root === doc.root ? doc : { ...doc, root }, loader.parserFor(env), loader.issues, loader.extendsItems);
}

/** An include docker compose fetches: `oci://...`, `git@host:...`, or a URL (`https://...git#ref:path`). */
const REMOTE_INCLUDE = /^(?:oci:\/\/|git@|[a-z][a-z0-9+.-]*:\/\/)/i;

/**
 * An `include` that cannot be loaded: an `include` error at the value that names it; the project is
 * read on without it (docker compose refuses the whole project).
 */
function includeIssue(loader: Loader, at: Loc, message: string, path: string[]): null {
  loader.issues.push({ ruleId: 'include', severity: 'error', message, loc: at, path });
  return null;
}

/** The project an `include` item names, loaded with its own project directory and env files. */
function loadIncluded(item: IncludeItem, env: Env, workingDir: string, chain: readonly string[], loader: Loader): LMap | null {
  // a git or OCI include (docker compose fetches it; stackopt reads only local files)
  const remote = item.paths.find((p) => REMOTE_INCLUDE.test(p.value));
  if (remote) {
    loader.issues.push({
      ruleId: 'include',
      severity: 'info',
      message: `include "${remote.shown}" is a remote project (git or OCI), which docker compose fetches and stackopt does not: the services it brings are not linted, and names they define may be reported as undefined`,
      loc: remote.loc,
      path: item.path,
    });
    return null;
  }
  const paths = item.paths.map((p) => ({ ...p, abs: resolve(workingDir, p.value) }));
  const shownChain = (abs: string) => [...chain, abs].map((c) => displayPath(c)).join(' -> ');
  const first = paths[0]!;
  for (const p of paths) {
    if (chain.includes(p.abs)) return includeIssue(loader, p.loc, `include "${p.shown}" forms a cycle: ${shownChain(p.abs)}; docker compose refuses it ("include cycle detected")`, item.path);
  }
  if (chain.length > MAX_INCLUDE_DEPTH) {
    return includeIssue(loader, first.loc, `include "${first.shown}" nests includes more than ${MAX_INCLUDE_DEPTH} deep (${shownChain(first.abs)}); stackopt reads no deeper`, item.path);
  }
  const parse0 = loader.parserFor(env);
  for (const p of paths) {
    const refused = parse0.refusal(p.abs);
    if (refused !== null) return includeIssue(loader, p.loc, `include "${p.shown}" ${UNREADABLE.has(refused) ? 'cannot be read' : 'is not read'}: ${refused}`, item.path);
  }
  const projectDir = item.projectDirectory ? resolve(workingDir, item.projectDirectory.value) : dirname(first.abs);
  const ownEnv = includeEnv(item, env, workingDir, projectDir, loader);
  if (!ownEnv) return null;
  const key = [...paths.map((p) => p.abs), projectDir].join('\0');
  let memo = loader.memo.get(ownEnv);
  if (!memo) loader.memo.set(ownEnv, (memo = new Map()));
  if (memo.has(key)) return memo.get(key)!;
  if (++loader.loads > MAX_INCLUDE_LOADS) return includeIssue(loader, first.loc, `the project includes more than ${MAX_INCLUDE_LOADS} projects in all; stackopt reads no more`, item.path);
  const parse = loader.parserFor(ownEnv);
  const files = new FileMerge(conflictReporter(loader.issues));
  for (const p of paths) {
    let included: ReadDocument;
    try {
      included = parse.parse(p.abs);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return includeIssue(loader, p.loc, `include "${p.shown}" cannot be read: ${err.message.replace(/^.*?: cannot read file: /, '')}`, item.path);
    }
    if (!included.root || included.root.kind !== 'map') {
      return includeIssue(loader, p.loc, `include "${p.shown}" is not a compose file: ${notComposeReason(included)}; its content is not shown (lint it on its own to see why)`, item.path);
    }
    parse.report(included);
    loader.onIncluded(included, ownEnv);
    files.add(loadFileTree(included, ownEnv, projectDir, [...chain, p.abs], loader));
  }
  const merged = files.result();
  memo.set(key, merged);
  return merged;
}

/**
 * The variables an included project is interpolated with: the including project's, and where they
 * set nothing, its `env_file` files (relative to the including project's folder) or else the `.env`
 * of its project directory (compose-go: the outer environment wins). Null when an env file cannot
 * be read (reported).
 */
function includeEnv(item: IncludeItem, env: Env, workingDir: string, projectDir: string, loader: Loader): Env | null {
  const files: Array<{ abs: string; at: Loc; shown: string }> = [];
  if (item.envFiles === null) {
    const dotenv = join(projectDir, '.env');
    // a project directory outside the project has no .env for stackopt: not even whether one exists is told
    if (loader.parserFor(env).refusal(dotenv) !== OUTSIDE_PROJECT && lstatExists(dotenv)) files.push({ abs: dotenv, at: item.paths[0]!.loc, shown: displayPath(dotenv) });
  } else {
    for (const f of item.envFiles) if (f.value !== '/dev/null') files.push({ abs: resolve(workingDir, f.value), at: f.loc, shown: f.shown });
  }
  if (files.length === 0) return env;
  const read = new Map<string, string>();
  const lookup = { get: (k: string) => loader.environment[k] ?? read.get(k) ?? env.get(k) };
  for (const f of files) {
    let text: string;
    try {
      text = loader.readEnvFile(f.abs);
    } catch (e) {
      if (!(e instanceof ReadTextError)) throw e;
      return includeIssue(loader, f.at, `env file ${f.shown} of the include cannot be read: ${e.message}`, item.path);
    }
    const { values, errors } = parseEnvFile(text, lookup);
    if (errors.length) {
      const e = errors[0]!;
      return includeIssue(loader, f.at, `env file ${f.shown} of the include: line ${e.line}, column ${e.column}: ${e.message}`, item.path);
    }
    for (const [k, v] of values) read.set(k, v);
  }
  const out = new Map(env);
  for (const [k, v] of read) if (!out.has(k)) out.set(k, v);
  return out;
}

interface Parse {
  /** read and parse a file (cached); throws InputError when it cannot be read */
  parse(path: string): ReadDocument;
  /** add a file's own findings to the project's (once) */
  report(doc: ReadDocument): void;
  /** why a file a compose file points at may not be read, or null */
  refusal(path: string): string | null;
}

/** Replace every service that `extends` another by the merge of the two (compose's rules). */
function resolveExtends(doc: ReadDocument, parse: Parse, issues: ProjectIssue[], budget: ExtendsBudget): LMap {
  const root = doc.root as LMap;
  const servicesEntry = root.index.get('services');
  if (!servicesEntry || servicesEntry.value.kind !== 'map') return root;
  const services = servicesEntry.value;
  if (!services.entries.some((e) => e.value.kind === 'map' && e.value.index.has('extends'))) return root;

  const resolved = new Map<string, LMap>();
  const outServices = makeMap(services.loc, [...services.entries]);
  if (services.yaml) outServices.yaml = services.yaml;
  for (const e of services.entries) {
    if (e.value.kind !== 'map' || !e.value.index.has('extends')) continue;
    const value = resolveService(doc, e.key, parse, issues, resolved, budget);
    if (value) setEntry(outServices, { ...e, value });
  }
  const out = makeMap(root.loc, [...root.entries]);
  if (root.yaml) out.yaml = root.yaml;
  setEntry(out, { ...servicesEntry, value: outServices });
  return out;
}

/** One link of an `extends` chain on its way down: what is needed to merge it once its base is resolved. */
interface ExtendsLink {
  id: string;
  name: string;
  svc: LMap;
  ext: LEntry;
  ev: LVal;
  extPath: string[];
  baseName: string;
  baseFile: string | null;
}

/**
 * A service with its `extends` chain merged in. Iterative: a chain is walked down to its root (or a
 * resolved service, a cycle, an error), then merged on the way up, so its length is not bounded by
 * the call stack (a chain of 20,000 links written base-last overflowed it).
 */
function resolveService(doc: ReadDocument, name: string, parse: Parse, issues: ProjectIssue[], memo: Map<string, LMap>, budget: ExtendsBudget): LMap | null {
  const links: ExtendsLink[] = [];
  const chain: string[] = [];
  const onChain = new Set<string>();
  let cur = { doc, name };
  let result: LMap | null;
  for (;;) {
    const step = startLink(cur.doc, cur.name, parse, issues, chain, onChain, memo);
    if ('result' in step) {
      result = step.result;
      break;
    }
    links.push(step.link);
    chain.push(step.link.id);
    onChain.add(step.link.id);
    cur = step.next;
  }
  for (let i = links.length - 1; i >= 0; i--) result = finishLink(links[i]!, result, issues, memo, budget);
  return result;
}

function startLink(
  doc: ReadDocument,
  name: string,
  parse: Parse,
  issues: ProjectIssue[],
  chain: readonly string[],
  onChain: ReadonlySet<string>,
  memo: Map<string, LMap>,
): { result: LMap | null } | { link: ExtendsLink; next: { doc: ReadDocument; name: string } } {
  const id = `${doc.source.path}#${name}`;
  const done = memo.get(id);
  if (done) return { result: done };
  const services = (doc.root as LMap | null)?.index.get('services')?.value;
  const entry = services?.kind === 'map' ? services.index.get(name) : undefined;
  // a service written with no value is one with no keys: compose keeps what extends it as it is
  if (entry?.value.kind === 'scalar' && entry.value.value === null) return { result: makeMap(entry.value.loc, []) };
  if (!entry || entry.value.kind !== 'map') return { result: null };
  const svc = entry.value;
  const ext = svc.index.get('extends');
  if (!ext) return { result: svc };
  const extPath = ['services', name, 'extends'];
  if (onChain.has(id)) {
    issues.push({ ruleId: 'extends', severity: 'error', message: `extends forms a cycle: ${[...chain, id].map((c) => c.split('#')[1]).join(' -> ')}`, loc: ext.keyLoc, path: extPath });
    return { result: dropExtends(svc, ext.keyLoc) };
  }
  let baseName: string | null = null;
  let baseFile: string | null = null;
  const ev = ext.value;
  if (ev.kind === 'scalar' && typeof ev.value === 'string') baseName = ev.value;
  else if (ev.kind === 'map') {
    const s = ev.index.get('service')?.value;
    const f = ev.index.get('file')?.value;
    if (s?.kind === 'scalar' && s.value !== null) baseName = String(s.value);
    if (f?.kind === 'scalar' && f.value !== null) baseFile = String(f.value);
  }
  if (!baseName) {
    issues.push({ ruleId: 'extends', severity: 'error', message: `extends of service "${name}" names no service (expected extends: NAME or extends: {service: NAME, file: FILE})`, loc: ext.keyLoc, path: extPath });
    return { result: dropExtends(svc, ext.keyLoc) };
  }
  let baseDoc = doc;
  if (baseFile) {
    const path = resolve(dirname(doc.source.path), baseFile);
    const fileIssue = (message: string) => {
      issues.push({ ruleId: 'extends', severity: 'error', message: `extends.file "${baseFile}" ${message}`, loc: locOfFile(ev, ext.keyLoc), path: [...extPath, 'file'] });
      return { result: dropExtends(svc, ext.keyLoc) };
    };
    const refused = parse.refusal(path);
    if (refused !== null) return fileIssue(UNREADABLE.has(refused) ? `cannot be read: ${refused}` : `is not read: ${refused}`);
    try {
      baseDoc = parse.parse(path);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      return fileIssue(`cannot be read: ${err.message.replace(/^.*?: cannot read file: /, '')}`);
    }
    // A file that is no compose document is not quoted: its text is not shown, only where it failed.
    if (!baseDoc.root || baseDoc.root.kind !== 'map') return fileIssue(`is not a compose file: ${notComposeReason(baseDoc)}; its content is not shown (lint it on its own to see why)`);
    parse.report(baseDoc);
  }
  return { link: { id, name, svc, ext, ev, extPath, baseName, baseFile }, next: { doc: baseDoc, name: baseName } };
}

/**
 * The keys and list items `extends` merges have made in a project. Each service holds its bases'
 * keys and items again (lists merge by appending): n links of one item each make n²/2 (3,000
 * services extending a chain of 3,000 such links: 9 million items from 520 KB, out of memory in a
 * fix), and 8,000 services extending one base of 8,000 labels make 64 million keys from 334 KB. Past
 * MAX_EXPANDED_NODES (the bound of alias expansion), a link is read without its base, with one error.
 */
interface ExtendsBudget {
  items: number;
  reported: boolean;
}

/** The keys and list items a service mapping holds (through its mappings, not into the items). */
function mergedEntries(v: LVal): number {
  if (v.kind === 'seq') return v.items.length;
  if (v.kind !== 'map') return 0;
  let n = v.entries.length;
  for (const e of v.entries) n += mergedEntries(e.value);
  return n;
}

function finishLink(link: ExtendsLink, base: LMap | null, issues: ProjectIssue[], memo: Map<string, LMap>, budget: ExtendsBudget): LMap {
  const { id, name, svc, ext, ev, extPath, baseName, baseFile } = link;
  if (!base) {
    issues.push({
      ruleId: 'extends',
      severity: 'error',
      message: `service "${name}" extends "${baseName}", which is not defined${baseFile ? ` in ${baseFile}` : ' in this file'}`,
      loc: ev.kind === 'map' ? (ev.index.get('service')?.value.loc ?? ext.keyLoc) : ev.loc,
      path: ev.kind === 'map' ? [...extPath, 'service'] : extPath,
    });
    return dropExtends(svc, ext.keyLoc);
  }
  // counted before the merge makes them
  budget.items += mergedEntries(base) + mergedEntries(svc);
  if (budget.items > MAX_EXPANDED_NODES) {
    if (!budget.reported) {
      budget.reported = true;
      issues.push({
        ruleId: 'extends',
        severity: 'error',
        message: `service "${name}" extends "${baseName}", and the project's extends chains repeat more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} keys and list items in all (each service holds its bases' again); it is read without its base, as are the services after it`,
        loc: ext.keyLoc,
        path: extPath,
      });
    }
    const alone = dropExtends(svc, ext.keyLoc);
    memo.set(id, alone);
    return alone;
  }
  const merged = mergeTrees(withoutKey(base, 'extends'), withoutKey(svc, 'extends'), ['services', name], conflictReporter(issues)) as LMap;
  // the service is where it is written, not where its base is
  merged.loc = svc.loc;
  merged.extendsKey = ext.keyLoc;
  merged.extendsFrom = { loc: base.loc, rest: base.extendsFrom };
  if (svc.yaml) merged.yaml = svc.yaml;
  memo.set(id, merged);
  return merged;
}

/** Refusals that are the file system's own answer rather than the project's rule. */
const UNREADABLE = new Set(['no such file', 'permission denied']);

/** Why a parsed file is no compose document, without quoting it: where its first error is. */
function notComposeReason(doc: ReadDocument): string {
  const err = doc.issues.find((i) => i.severity === 'error');
  const p = err && err.loc.kind === 'file' ? positionOf(err.loc) : null;
  if (p) return `${err!.ruleId === 'yaml-syntax' ? 'it does not parse as' : 'it is not'} a YAML mapping (line ${p.line}, column ${p.column})`;
  return 'it is not a YAML mapping';
}

/** A `merge` finding for each place where compose would refuse to merge (`cannot override`). */
function conflictReporter(issues: ProjectIssue[]): OnConflict {
  return ({ path, base, over, overKey }) => {
    const what = over.kind === 'seq' ? 'a list' : over.kind === 'map' ? 'a mapping' : over.value === null ? 'null' : over.fromEnv && over.raw !== undefined ? `"${over.raw}" (a variable's value, not shown)` : `the ${typeof over.value} ${JSON.stringify(over.value)}`;
    issues.push({
      ruleId: 'merge',
      severity: 'error',
      message: `${formatPath(path)} is a mapping in ${fileOf(base.loc)} but ${what} in ${fileOf(overKey)}, and docker compose refuses to merge them ("cannot override ${path.join('.')}"); write keys to merge into it, or !reset / !override to drop or replace it`,
      loc: overKey,
      path,
      composeOnly: true,
    });
  };
}

function locOfFile(ev: LVal, fallback: Loc): Loc {
  return ev.kind === 'map' ? (ev.index.get('file')?.value.loc ?? fallback) : fallback;
}

/** The service without its `extends` key, remembering where the key was written (rules report it there). */
function dropExtends(svc: LMap, keyLoc: Loc): LMap {
  const out = withoutKey(svc, 'extends');
  out.extendsKey = keyLoc;
  return out;
}

function withoutKey(m: LMap, key: string): LMap {
  if (!m.index.has(key)) return m;
  const out = makeMap(m.loc, m.entries.filter((e) => e.key !== key));
  if (m.yaml) out.yaml = m.yaml;
  if (m.mergedFrom) out.mergedFrom = m.mergedFrom;
  return out;
}

export { fileLoc };
