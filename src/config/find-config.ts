import { lstatSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findGitRoot } from '../parse/git-root.js';
import { fileKind, isInside, leftByAnotherUser, ProjectBoundary, realpath } from '../parse/project-files.js';
import { InputError } from '../parse/read-document.js';
import { describeFsError } from '../parse/read-text.js';
import { displayPath } from '../parse/load-project.js';
import { ConfigError, loadConfig, type ResolvedConfig } from './load-config.js';

/** The names a configuration file may have, in order of preference. */
export const CONFIG_NAMES = ['.stackopt.yaml', '.stackopt.yml'] as const;

/**
 * Which configuration a folder uses: per folder, the file found (or null). Filled as folders are
 * looked at, so linting a thousand files of one folder asks the file system once.
 */
const nearestByFolder = new Map<string, string | null>();
/** Each configuration file read, or the error it gave (reported once, however many files use it). */
const loadedByPath = new Map<string, ResolvedConfig | InputError>();
/** Per folder, the root of its git repository (see findGitRoot), where the search for a configuration stops. */
const gitRoots = new Map<string, string | null>();

/**
 * The nearest configuration file: `.stackopt.yaml` (or `.stackopt.yml`) in `start` or the closest
 * folder above it. The search stops at the root of the git repository `start` is in (the folder
 * holding `.git`, whose own configuration still counts) and else at the file system's root.
 */
export function findConfigFile(start: string = process.cwd()): string | null {
  const visited: string[] = [];
  let d = resolve(start);
  let found: string | null = null;
  // looked up at the first folder without a configuration: the folders walked before it have no .git
  let root: string | null | undefined;
  for (;;) {
    const known = nearestByFolder.get(d);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(d);
    found = configIn(d);
    if (found) break;
    if (root === undefined) root = findGitRoot(d, { cache: gitRoots });
    const up = dirname(d);
    if (up === d || d === root) break;
    d = up;
  }
  for (const v of visited) nearestByFolder.set(v, found);
  return found;
}

function configIn(dir: string): string | null {
  for (const n of CONFIG_NAMES) {
    const p = join(dir, n);
    // stat, not open: a FIFO is never waited on
    let st;
    try {
      st = statSync(p, { throwIfNoEntry: false });
    } catch (e) {
      // a link loop, a folder that may not be searched: the folder's configuration, not readable
      loadedByPath.set(resolve(p), new InputError(`${displayPath(p)}: ${describeFsError(e)}`, p));
      return p;
    }
    if (!st) {
      // a link to a file that does not exist: the folder's configuration, missing, not a reason
      // to use another one further up
      const dangling = danglingLink(p);
      if (!dangling) continue;
      loadedByPath.set(resolve(p), dangling);
      return p;
    }
    if (!st.isFile()) {
      // the folder's configuration, which is not a file: an error, not a reason to use another
      // one further up (the search stops here, as it does at a file)
      loadedByPath.set(resolve(p), new InputError(`${displayPath(p)}: it is ${fileKind(st)}, not a file; a configuration found in a folder is read only from a regular file`, p));
      return p;
    }
    refuseFound(p, dir);
    return p;
  }
  return null;
}

/**
 * Why the configuration file `p` cannot be read when it is a symbolic link to a file that does not
 * exist, a loop of links or behind a folder that may not be searched (null for any other): a
 * one-line error, as for a FIFO or a folder at its name, worded as configIn words it.
 */
function danglingLink(p: string): InputError | null {
  try {
    if (!lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() || statSync(p, { throwIfNoEntry: false }) !== undefined) return null;
  } catch (e) {
    // a loop of links, a folder that may not be searched: said as where the file is read says it
    return new InputError(`${displayPath(p)}: ${describeFsError(e)}`, p);
  }
  return new InputError(`${displayPath(p)}: it is a link to a missing file; a configuration found in a folder is read only from a regular file`, p);
}

/**
 * Keep why the configuration file `p`, found in `dir`, is not read (readConfigFile throws it): a
 * link out of the repository, or a file another user left in a folder anyone writes to.
 */
function refuseFound(p: string, dir: string): void {
  const outside = linkOutside(p, dir);
  // found, not named: a link out of the repository (to /etc/shadow, a kubeconfig) is not read,
  // or its lines would come back quoted in the configuration's error messages
  if (outside) loadedByPath.set(resolve(p), new InputError(`${displayPath(p)}: it is a link to a file outside ${outside}, which a configuration found in a folder is not read from; make it a file of its own there, or name it with --config`, p));
  // nor one that another user may have left in a folder anyone writes to (`/tmp/.stackopt.yaml`
  // would else apply to every lint under /tmp that has no .git): refused, as git refuses such a repository
  const stranger = outside ? null : leftByAnotherUser(p);
  if (stranger !== null) loadedByPath.set(resolve(p), new InputError(`${displayPath(p)}: another user (uid ${stranger}) owns it, in a folder anyone may write to; a configuration found there is not read: name it with --config to use it`, p));
}

/**
 * The files a configuration in `dir` may bring into a run (the configuration itself when it was
 * found, not named; the baseline it names): those of its git repository (the nearest folder from
 * `dir` up that holds a `.git` folder; a submodule's `.git` is a file, and the superproject above it
 * holds it), else, outside any repository, of the working directory when `dir` is inside it (a
 * tree exported without `.git`, linted from its top), else of `dir` itself. `repository`: whether
 * a repository was found.
 */
export function configHome(dir: string): ConfigHome {
  const start = resolve(dir);
  // asked for every .gitignore and configuration found: each folder's answer is kept
  const key = `${process.cwd()}\u0000${start}`;
  let known = homes.get(key);
  if (!known) homes.set(key, (known = findHome(start)));
  return known;
}

/**
 * Where a baseline that the configuration `path` names may be (a file of the configuration's home,
 * see configHome: not /etc/shadow, not /dev/stdin), for reading it and for writing it (`stackopt
 * init --baseline`); a refusal names the home ("outside ., the repository of .stackopt.yaml", the
 * configuration shown as `shown`).
 */
export function baselineBoundary(path: string, shown: string): ProjectBoundary {
  const home = configHome(dirname(resolve(path)));
  const where = home.home === process.cwd() ? '.' : displayPath(home.home);
  return new ProjectBoundary([home.home], `outside ${where}, ${home.repository ? `the repository of ${shown}` : home.what}`);
}

interface ConfigHome {
  home: string;
  repository: boolean;
  what: string;
}

const homes = new Map<string, ConfigHome>();

function findHome(start: string): ConfigHome {
  const root = findGitRoot(start, { superproject: true });
  if (root) return { home: root, repository: true, what: 'its repository' };
  return isInside(process.cwd(), start) ? { home: process.cwd(), repository: false, what: 'the working directory' } : { home: start, repository: false, what: 'its folder' };
}

/**
 * Null when `file`, after links, is inside the home of a configuration found in `dir` (see
 * `configHome`); else how that home is named ("its repository", "the working directory", "its folder").
 */
export function linkOutside(file: string, dir: string): string | null {
  const { home, what } = configHome(dir);
  // the C library's realpath, as the project boundary judges links: node's own takes a `..` after
  // a link next to the link (`inner/../secret.yaml`, `inner` a link elsewhere) and judged another
  // file than the one read
  try {
    const root = realpath(home);
    const real = realpath(file);
    return real !== root && isInside(root, real) ? null : what;
  } catch (e) {
    // gone while looked at: reading it reports that; a link that cannot be followed is not read
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : what;
  }
}

/**
 * The configuration that applies to a file: the nearest `.stackopt.yaml` from the file's folder
 * upward (see findConfigFile), or null when there is none. Nearest only: a configuration does not
 * inherit from one further up. Lookups and files read are cached; `clearConfigCache` forgets them.
 * A configuration that cannot be used throws an InputError listing each problem with its
 * file:line:col (the same error each time it is asked for).
 */
export function configFor(filePath: string): ResolvedConfig | null {
  const path = findConfigFile(dirname(resolve(filePath)));
  return path ? readFoundConfig(path) : null;
}

/**
 * The configuration file at `path` read as one found in its folder (not named with --config): a
 * link out of its repository, a file another user left in a folder anyone writes to, and
 * `allowPaths` outside its repository throw their InputError, as an invalid configuration does
 * (an InvalidConfigError). What the language server shows for a `.stackopt.yaml` opened in it.
 */
export function readFoundConfig(path: string): ResolvedConfig {
  if (!loadedByPath.has(resolve(path))) {
    const dangling = danglingLink(path);
    if (dangling) loadedByPath.set(resolve(path), dangling);
    else refuseFound(path, dirname(resolve(path)));
  }
  const config = readConfigFile(path);
  let refusal = allowRefusals.get(path);
  if (refusal === undefined) allowRefusals.set(path, (refusal = allowPathsOutside(config, path)));
  if (refusal) throw refusal;
  return config;
}

/** Per configuration found in a folder, why its `allowPaths` cannot be used (null when they can). */
const allowRefusals = new Map<string, InputError | null>();

/**
 * A configuration found in a git repository is content of it, as a compose file is: the paths its
 * `allowPaths` opens to the project's files (`extends.file`, `include`) must be of that repository
 * too, or a pull request could open `/` and have files anywhere read and quoted. Outside any
 * repository (a folder of the user's own, a tree exported from one) they are taken as written, as
 * is a configuration named with --config.
 */
function allowPathsOutside(config: ResolvedConfig, path: string): InputError | null {
  if (config.allowPaths.length === 0) return null;
  const { home, repository, what } = configHome(dirname(path));
  if (!repository) return null;
  const real = (p: string) => {
    try {
      return realpath(p);
    } catch {
      return p; // not there (yet): as written
    }
  };
  const root = real(home);
  const outside = config.allowPaths.find((p) => !isInside(root, real(p)));
  if (!outside) return null;
  return new InputError(`${displayPath(path)}: allowPaths names ${displayPath(outside)}, which is outside ${what}; a configuration found in a folder may allow only paths of ${what} (name it with --config to allow more)`, path);
}

/** Forget every lookup and every configuration read (after a configuration file changed). */
export function clearConfigCache(): void {
  nearestByFolder.clear();
  gitRoots.clear();
  loadedByPath.clear();
  homes.clear();
  allowRefusals.clear();
}

/** A configuration that does not validate: the CLI's one error (exit 2), with each of its problems. */
export class InvalidConfigError extends InputError {
  constructor(
    file: string,
    /** one line each, with file:line:col where there is one */
    readonly problems: string[],
  ) {
    super(`invalid configuration: ${problems.join('\nstackopt: ')}`, file);
  }
}

/** One configuration file, read once; a bad one throws an InputError (exit 2). */
export function readConfigFile(path: string): ResolvedConfig {
  const key = resolve(path);
  let c = loadedByPath.get(key);
  if (!c) {
    try {
      c = loadConfig(path);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      c = new InvalidConfigError(e.file, e.problems);
    }
    loadedByPath.set(key, c);
  }
  if (c instanceof InputError) throw c;
  return c;
}

/**
 * The configuration for a command that does not lint files (audit): `--config F` when given, else
 * the nearest `.stackopt.yaml` from `start` (by default the working directory), else none.
 */
export function loadCommandConfig(explicit?: string, start?: string): ResolvedConfig | null {
  const path = explicit ?? findConfigFile(start);
  return path ? readConfigFile(path) : null;
}
