import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { DEFAULT_BASES } from '../parse/compose-names.js';
import { IgnoreList, isIgnored } from '../config/ignore-patterns.js';
import { linkOutside } from '../config/find-config.js';
import { InputError } from '../parse/read-document.js';
import { readText, ReadTextError } from '../parse/read-text.js';
import { leftByAnotherUser, OUTSIDE_PROJECT, ProjectBoundary } from '../parse/project-files.js';
import { displayPath } from '../parse/load-project.js';
import { findGitRoot } from '../parse/git-root.js';

/**
 * The names docker compose and other linters take for compose files (any case): `compose.y{a,}ml`,
 * `compose.*.y{a,}ml` (`compose.override.yml`, `compose.prod.yaml`; also `compose-*` and
 * `compose_*`), `*.compose.y{a,}ml` (also `*-compose` and `*_compose`), `docker-compose*.y{a,}ml`
 * and `*stack*.y{a,}ml`.
 */
function isComposeName(name: string): boolean {
  const lower = name.toLowerCase();
  const ext = lower.endsWith('.yml') ? 4 : lower.endsWith('.yaml') ? 5 : 0;
  if (ext === 0 || lower.includes('/')) return false;
  const stem = lower.slice(0, -ext);
  return stem === 'compose' || /^compose[._-]|[._-]compose$/.test(stem) || stem.startsWith('docker-compose') || stem.includes('stack');
}
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.hg', '.svn']);

/** Whether discovery picks up a file of this name (never a `.optimized` copy or the configuration). */
export function isComposeFileName(name: string): boolean {
  return isComposeName(name) && !name.endsWith('.optimized') && !CONFIG_NAME.test(name);
}

/** `.stackopt.yaml` matches `*stack*.yml` but is the configuration. */
const CONFIG_NAME = /^\.stackopt\.ya?ml$/i;

export interface DiscoverOptions {
  /**
   * Whether the configuration that applies to a path (the nearest one, or --config's) ignores it
   * with its `ignore` patterns; `checkParents` also tests the folders between the configuration and
   * the path (for paths named on the command line). They apply to explicit paths too.
   */
  ignore?: (absPath: string, isDir: boolean, checkParents: boolean) => boolean;
  /** told about each explicit path the config's patterns ignore */
  onIgnored?: (path: string) => void;
  /**
   * told about each file found in a folder that is not read: a symbolic link to a file outside the
   * folder searched (or to a special file), with the reason
   */
  onRefused?: (path: string, why: string) => void;
  /** told about a .gitignore line that is not a pattern (the line is skipped, the others kept) */
  onWarning?: (message: string) => void;
  /**
   * Whether a base file (absolute) is deployed with `docker stack deploy`, which reads only the
   * files it is given: it then takes no override file, and each is a project of its own.
   */
  swarmBase?: (absPath: string) => boolean;
}

/**
 * Compose files under a directory (the names of isComposeName), sorted,
 * skipping node_modules, .git and what .gitignore files ignore: those of the folders walked, of the
 * folders between the enclosing git repository's root and `dir`, and `.git/info/exclude`.
 * Symbolic links to folders are not followed. The folder itself was asked for: it is searched even
 * when .gitignore ignores it (`stackopt lint build/`), with the patterns applying below it, as a
 * file named explicitly is read (see expandPaths).
 */
export function discoverComposeFiles(dir: string, opts: DiscoverOptions = {}): { files: string[]; ignored: number } {
  const out: string[] = [];
  let ignored = 0;
  const start = resolve(dir);
  const lists = ancestorIgnoreLists(start, opts.onWarning);
  const configIgnores = (abs: string, isDir: boolean) => opts.ignore?.(abs, isDir, false) ?? false;
  let boundary: ProjectBoundary | undefined;
  const walk = (d: string, inherited: IgnoreList[]) => {
    /** the folder as the files found in it are shown (`dir` joined with its path below the start) */
    let shownDir: string | undefined;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      // a folder it may not read is said (exit 2), not passed over as one with no compose file
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EACCES' && code !== 'EPERM') return;
      if (d === start) throw new InputError(`${dir}: cannot read the folder (permission denied)`, dir);
      opts.onRefused?.(join(dir, relativeTo(start, d)), 'a folder that cannot be read (permission denied)');
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const own = entries.some((e) => e.name === '.gitignore' && !e.isDirectory()) ? readIgnore(join(d, '.gitignore'), d, opts.onWarning) : null;
    const active = own ? [...inherited, own] : inherited;
    for (const e of entries) {
      const abs = childPath(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          isFile = statSync(abs).isFile(); // links to files are read; links to folders are not walked
        } catch {
          continue;
        }
        isDir = false;
        // a link found in the folder is read only when its file is in the folder (not named by the user)
        if (isComposeFileName(e.name)) {
          const why = (boundary ??= new ProjectBoundary([start])).refusal(abs);
          if (why !== null) {
            opts.onRefused?.(join(dir, relativeTo(start, abs)), why.replace(OUTSIDE_PROJECT, `outside ${dir}, the folder searched`));
            continue;
          }
        }
      }
      if (isDir) {
        if (SKIP_DIRS.has(e.name)) continue;
        if (isIgnored(active, abs, true, false) || configIgnores(abs, true)) continue;
        walk(abs, active);
      } else if (isFile && isComposeFileName(e.name)) {
        if (isIgnored(active, abs, false, false) || configIgnores(abs, false)) ignored++;
        else out.push(childPath((shownDir ??= join(dir, relativeTo(start, d))), e.name));
      }
    }
  };
  walk(start, lists);
  return { files: out, ignored };
}

/**
 * `join(folder, name)` for a folder that join or resolve gave and a name a folder listing gave (one
 * part, never `.` or `..`): the same path, without join's normalising pass over all of it (a search
 * of a folder of many files made two per file). A folder with a separator at its end (`./`, `/`),
 * and any folder on Windows (drives), are joined.
 */
function childPath(folder: string, name: string): string {
  if (sep !== '/' || folder.endsWith('/')) return join(folder, name);
  return folder === '.' ? name : `${folder}/${name}`;
}

function relativeTo(base: string, abs: string): string {
  return abs === base ? '' : abs.slice(base.length + (base.endsWith('/') ? 0 : 1));
}

function readIgnore(file: string, base: string, warn?: (message: string) => void): IgnoreList | null {
  // a .gitignore that links out of its repository is not read: the line a pattern fails on is
  // quoted in the warning, which would print a piece of any file of the disk
  // (only a link can lead out: a file of the folder walked is in it)
  if (basename(file) === '.gitignore' && lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink() && linkOutside(file, base) !== null) {
    warn?.(`stackopt: warning: ${displayPath(file)}: a link to a file outside its repository; its patterns do not apply`);
    return null;
  }
  const stranger = leftByAnotherUser(file);
  if (stranger !== null) {
    warn?.(`stackopt: warning: ${displayPath(file)}: another user (uid ${stranger}) owns it, in a folder anyone may write to; its patterns do not apply`);
    return null;
  }
  let text: string;
  try {
    // bounded, and a FIFO reads as empty: an ignore file cannot make discovery hang
    text = readText(file);
  } catch (e) {
    if (!(e instanceof ReadTextError)) throw e;
    if (e.missing) return null;
    warn?.(`stackopt: warning: ${displayPath(file)}: cannot read it (${e.message}); its patterns do not apply`);
    return null;
  }
  const list = IgnoreList.parse(base, text, (p) => warn?.(`stackopt: warning: ${displayPath(file)}:${p.line}:${p.column}: not a pattern, the line is skipped: ${p.message}`));
  return list.size ? list : null;
}

/**
 * The git directory of a repository's root: `.git` itself, or where a `.git` file points (a linked
 * worktree or a submodule: `gitdir: PATH`), and then the directory it shares with the main
 * worktree (`commondir`), which holds `info/exclude`. A pointer may lead anywhere on the disk: it is
 * followed only to a folder that is a git directory (it holds `HEAD`); else null (no exclude file).
 */
function gitDirOf(repoRoot: string): string | null {
  const dotGit = join(repoRoot, '.git');
  const isGitDir = (d: string) => existsSync(join(d, 'HEAD'));
  try {
    if (!statSync(dotGit).isFile()) return dotGit;
    const first = readText(dotGit).split('\n', 1)[0]!.trim();
    if (!first.startsWith('gitdir:')) return null;
    const gitDir = resolve(repoRoot, first.slice('gitdir:'.length).trim());
    if (!isGitDir(gitDir)) return null;
    let common: string;
    try {
      common = resolve(gitDir, readText(join(gitDir, 'commondir')).split('\n', 1)[0]!.trim());
    } catch (e) {
      if (!(e instanceof ReadTextError)) throw e;
      return gitDir; // a submodule's git directory is its own common one
    }
    return isGitDir(common) ? common : gitDir;
  } catch (e) {
    if (!(e instanceof ReadTextError) && !(e as NodeJS.ErrnoException).code) throw e;
    return null;
  }
}

/** .gitignore files above `dir` up to its git repository's root (outermost first), and .git/info/exclude. */
function ancestorIgnoreLists(dir: string, warn?: (message: string) => void): IgnoreList[] {
  const repoRoot = findGitRoot(dir);
  if (!repoRoot) return [];
  // the folders above `dir` up to the root, the root included
  const chain: string[] = [];
  for (let d = dir; d !== repoRoot && dirname(d) !== d; ) chain.push((d = dirname(d)));
  const lists: IgnoreList[] = [];
  const gitDir = gitDirOf(repoRoot);
  const exclude = gitDir === null ? null : readIgnore(join(gitDir, 'info', 'exclude'), repoRoot, warn);
  if (exclude) lists.push(exclude);
  for (const a of chain.reverse()) {
    const l = readIgnore(join(a, '.gitignore'), a, warn);
    if (l) lists.push(l);
  }
  return lists;
}

/** A file to lint and whether the user named it (rather than discovery finding it in a folder). */
interface PathEntry {
  path: string;
  named: boolean;
}

/**
 * Expand the command's path arguments: files as given, directories into their compose files.
 * The config's ignore patterns drop files either way; .gitignore only applies inside directories.
 */
export function expandPaths(paths: string[], opts: DiscoverOptions = {}): string[] {
  return expandEntries(paths, opts).map((e) => e.path);
}

function expandEntries(paths: string[], opts: DiscoverOptions): PathEntry[] {
  const out: PathEntry[] = [];
  for (const p of paths.length ? paths : ['.']) {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push({ path: p, named: true }); // reading it reports the error with the file's name
      continue;
    }
    if (st.isDirectory()) {
      const { files, ignored } = discoverComposeFiles(p, opts);
      if (files.length === 0) {
        throw new InputError(
          `${p === '.' ? 'the current directory' : p}: no compose files found (looked for compose.y{a,}ml, compose.*.y{a,}ml, *.compose.y{a,}ml, docker-compose*.y{a,}ml and *stack*.y{a,}ml, recursively${ignored ? `; ${ignored} ignored by .gitignore or the config's ignore patterns` : ''}); pass a file path`,
          p,
        );
      }
      for (const f of files) out.push({ path: f, named: false });
    } else if (opts.ignore?.(resolve(p), false, true)) opts.onIgnored?.(p);
    else out.push({ path: p, named: true });
  }
  return out;
}

/**
 * The projects the command's path arguments name, as `docker compose` reads a folder: each file on
 * its own, except that an override file (`compose.override.yml`, `docker-compose.override.yml`,
 * `NAME.override.yml`) is merged onto its base (`compose.yaml`, `docker-compose.yml`, `NAME.yml`) in
 * the same folder, base first, as one project. A file named on the command line takes its partner
 * from the disk (unless the ignore patterns or .gitignore ignore it); a file found in a folder
 * takes it from the files found there. An override without its base is linted on its own, with a
 * warning (`onWarning`): docker compose would not read it at all. A base deployed with `docker
 * stack deploy` (`swarmBase`) takes no override: each file is linted on its own.
 */
export function expandProjects(paths: string[], opts: DiscoverOptions = {}): string[][] {
  const entries = expandEntries(paths, opts);
  const seen = new Set<string>();
  const byDir = new Map<string, Map<string, PathEntry>>();
  const unique: PathEntry[] = [];
  for (const e of entries) {
    const abs = resolve(e.path);
    if (seen.has(abs)) continue;
    seen.add(abs);
    unique.push(e);
    const dir = dirname(abs);
    let names = byDir.get(dir);
    if (!names) byDir.set(dir, (names = new Map()));
    names.set(basename(abs).toLowerCase(), e);
  }
  const pairsByDir = new Map<string, FolderPairs>();
  const pairsOf = (dir: string): FolderPairs => {
    let pairs = pairsByDir.get(dir);
    if (!pairs) pairsByDir.set(dir, (pairs = pairFolder(dir, byDir.get(dir)!, opts)));
    return pairs;
  };
  const projects: string[][] = [];
  const done = new Set<string>();
  for (const e of unique) {
    const abs = resolve(e.path);
    if (done.has(abs)) continue;
    const dir = dirname(abs);
    const name = basename(abs).toLowerCase();
    const pairs = pairsOf(dir);
    const partner = pairs.partner.get(name);
    const found = partner === undefined ? undefined : byDir.get(dir)!.get(partner);
    // a partner found in the folder, or, for a file named by the user, one on the disk beside it
    const other = found ? found.path : partner !== undefined && e.named && pairs.onDisk.has(partner) ? join(dirname(e.path), pairs.onDisk.get(partner)!) : null;
    // docker stack deploy merges no override: a swarm base and its override are each linted alone
    if (other !== null && !opts.swarmBase?.(resolve(pairs.overrides.has(name) ? other : e.path))) {
      done.add(resolve(other));
      done.add(abs);
      projects.push(pairs.overrides.has(name) ? [other, e.path] : [e.path, other]);
      continue;
    }
    done.add(abs);
    const why = pairs.orphans.get(name);
    if (why) opts.onWarning?.(`stackopt: warning: ${e.path}: ${why}; it is linted on its own, so findings about what its base sets may not apply`);
    projects.push([e.path]);
  }
  return projects;
}

/** Which files of a folder are merged: each override's base and each base's override (lower-case names). */
interface FolderPairs {
  /** override → base and base → override */
  partner: Map<string, string>;
  /** the overrides among the names of `partner` */
  overrides: Set<string>;
  /** partners present on the disk and not ignored (lower-case name → name as on the disk) */
  onDisk: Map<string, string>;
  /** overrides merged onto no base, with the reason */
  orphans: Map<string, string>;
}


/** `NAME.override.yml` → `NAME` (lower case), or null when the name is no override file's. */
function overrideStem(lowerName: string): string | null {
  const m = /^(.+)\.override\.ya?ml$/.exec(lowerName);
  return m ? m[1]! : null;
}

/** The bases of an override's stem, in docker's order (`compose.yaml` first, `docker-compose.yml` first). */
function baseNames(stem: string): string[] {
  const family = DEFAULT_BASES.filter((n) => n.startsWith(`${stem}.`));
  return family.length ? family : [`${stem}.yml`, `${stem}.yaml`];
}

/**
 * Pair the overrides of a folder with their bases. The candidates are the files listed for the
 * folder and, where a listed file was named by the user, the compose files on the disk beside it
 * that the ignore patterns do not ignore. Each base takes one override (`.yml` before `.yaml`, as
 * docker picks); `compose.override.*` and `docker-compose.override.*` fall back on the other
 * family's base when theirs is absent, as docker merges `compose.yaml` with
 * `docker-compose.override.yml`.
 */
function pairFolder(dir: string, listed: Map<string, PathEntry>, opts: DiscoverOptions): FolderPairs {
  const onDisk = new Map<string, string>();
  if ([...listed.values()].some((e) => e.named)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((d) => isComposeFileName(d.name) && (d.isFile() || d.isSymbolicLink()))
        .map((d) => d.name);
    } catch {
      // an unreadable folder: only the listed files
    }
    let lists: IgnoreList[] | null = null;
    let boundary: ProjectBoundary | null = null;
    for (const n of pairable(listed.keys(), names)) {
      const lower = n.toLowerCase();
      if (listed.has(lower)) continue;
      const abs = join(dir, n);
      lists ??= ignoreListsOf(dir, opts.onWarning);
      if (isIgnored(lists, abs, false, false) || opts.ignore?.(abs, false, false)) continue;
      try {
        if (!statSync(abs).isFile()) continue;
      } catch {
        continue;
      }
      // a partner the user did not name is read as a file found in the folder is: a link out of the folder is not
      const why = (boundary ??= new ProjectBoundary([dir])).refusal(abs);
      if (why !== null) {
        opts.onRefused?.(displayPath(abs), why.replace(OUTSIDE_PROJECT, `outside ${displayPath(dir)}, the folder of the file named`));
        continue;
      }
      onDisk.set(lower, n);
    }
  }
  const all = [...new Set([...listed.keys(), ...onDisk.keys()])].sort(byDockerOrder);
  const partner = new Map<string, string>();
  const overrides = new Set<string>();
  const orphans = new Map<string, string>();
  const present = new Set(all);
  const overridesFirst = all.filter((n) => overrideStem(n) !== null);
  // an override of the family whose base is present is paired before one that falls back
  const own = (n: string) => baseNames(overrideStem(n)!).some((b) => present.has(b));
  for (const o of [...overridesFirst.filter(own), ...overridesFirst.filter((n) => !own(n))]) {
    const stem = overrideStem(o)!;
    let bases = baseNames(stem).filter((b) => present.has(b));
    if (bases.length === 0 && (stem === 'compose' || stem === 'docker-compose')) bases = DEFAULT_BASES.filter((b) => present.has(b));
    const base = bases.find((b) => !partner.has(b));
    if (base) {
      partner.set(o, base);
      partner.set(base, o);
      overrides.add(o);
    } else if (bases.length) orphans.set(o, `docker compose merges ${bases[0]} with ${partner.get(bases[0]!)} instead of this override file`);
    else orphans.set(o, `an override file without its base (${baseNames(stem).join(' or ')}) in its folder`);
  }
  return { partner, overrides, onDisk, orphans };
}

/** The names an override may be merged onto, in docker's order (`compose.override.*` and `docker-compose.override.*` also fall back on the other family's). */
function candidateBases(lowerName: string): string[] {
  const stem = overrideStem(lowerName);
  if (stem === null) return [];
  return stem === 'compose' || stem === 'docker-compose' ? [...new Set([...baseNames(stem), ...DEFAULT_BASES])] : baseNames(stem);
}

/**
 * The names of a folder (`names`, as on the disk) that can take part in the pairing of the listed
 * ones (lower case): a base of a listed override, an override of a listed base, and so on through
 * the overrides that compete for the same base. Pairs of other files do not change the listed files'
 * pairs, so a file named among many compose files looks at its possible partners only, not at
 * every sibling (which would also be refused, with exit 2, when it links out of the folder).
 */
function pairable(listed: Iterable<string>, names: readonly string[]): string[] {
  const related = new Set(listed);
  const rest = names.map((n) => ({ name: n, lower: n.toLowerCase() })).filter((n) => !related.has(n.lower));
  for (let grew = true; grew; ) {
    grew = false;
    const bases = new Set<string>();
    for (const r of related) for (const b of candidateBases(r)) bases.add(b);
    for (let i = 0; i < rest.length; i++) {
      const n = rest[i]!;
      if (!bases.has(n.lower) && !candidateBases(n.lower).some((b) => related.has(b))) continue;
      related.add(n.lower);
      rest.splice(i--, 1);
      grew = true;
    }
  }
  // in the folder's order: what is refused is reported in the order it was before
  return names.filter((n) => related.has(n.toLowerCase()));
}

/** `.yml` before `.yaml` for overrides (docker's order), then by name. */
function byDockerOrder(a: string, b: string): number {
  const rank = (n: string) => (n.endsWith('.yml') ? 0 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The .gitignore patterns that apply to the files of `dir` (its own and those above it in its repository). */
function ignoreListsOf(dir: string, warn?: (message: string) => void): IgnoreList[] {
  const lists = ancestorIgnoreLists(dir, warn);
  const own = readIgnore(join(dir, '.gitignore'), dir, warn);
  return own ? [...lists, own] : lists;
}
