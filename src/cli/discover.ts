import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IgnoreList, isIgnored } from '../config/ignore-patterns.js';
import { InputError } from '../parse/read-document.js';
import { OUTSIDE_PROJECT, ProjectBoundary } from '../parse/project-files.js';
import { pushAll } from '../parse/collect.js';
import { displayPath } from '../parse/load-project.js';

/** `compose.y{a,}ml`, `docker-compose*.y{a,}ml`, `*stack*.y{a,}ml` (any case). */
function isComposeName(name: string): boolean {
  const lower = name.toLowerCase();
  const ext = lower.endsWith('.yml') ? 4 : lower.endsWith('.yaml') ? 5 : 0;
  if (ext === 0 || lower.includes('/')) return false;
  const stem = lower.slice(0, -ext);
  return stem === 'compose' || stem.startsWith('docker-compose') || stem.includes('stack');
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
}

/**
 * Compose files under a directory (compose.yaml, docker-compose*.yml, *stack*.yml), sorted,
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
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const own = entries.some((e) => e.name === '.gitignore' && !e.isDirectory()) ? readIgnore(join(d, '.gitignore'), d, opts.onWarning) : null;
    const active = own ? [...inherited, own] : inherited;
    for (const e of entries) {
      const abs = join(d, e.name);
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
        else out.push(join(dir, relativeTo(start, abs)));
      }
    }
  };
  walk(start, lists);
  return { files: out, ignored };
}

function relativeTo(base: string, abs: string): string {
  return abs === base ? '' : abs.slice(base.length + (base.endsWith('/') ? 0 : 1));
}

function readIgnore(file: string, base: string, warn?: (message: string) => void): IgnoreList | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    warn?.(`stackopt: warning: ${displayPath(file)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'}); its patterns do not apply`);
    return null;
  }
  const list = IgnoreList.parse(base, text, (p) => warn?.(`stackopt: warning: ${displayPath(file)}:${p.line}:${p.column}: not a pattern, the line is skipped: ${p.message}`));
  return list.size ? list : null;
}

/** .gitignore files above `dir` up to its git repository's root (outermost first), and .git/info/exclude. */
function ancestorIgnoreLists(dir: string, warn?: (message: string) => void): IgnoreList[] {
  const chain: string[] = [];
  let d = dirname(dir);
  let repoRoot: string | null = existsSync(join(dir, '.git')) ? dir : null;
  while (!repoRoot) {
    chain.push(d);
    if (existsSync(join(d, '.git'))) {
      repoRoot = d;
      break;
    }
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (!repoRoot) return [];
  const lists: IgnoreList[] = [];
  const exclude = readIgnore(join(repoRoot, '.git', 'info', 'exclude'), repoRoot, warn);
  if (exclude) lists.push(exclude);
  for (const a of chain.reverse()) {
    const l = readIgnore(join(a, '.gitignore'), a, warn);
    if (l) lists.push(l);
  }
  return lists;
}

/**
 * Expand the command's path arguments: files as given, directories into their compose files.
 * The config's ignore patterns drop files either way; .gitignore only applies inside directories.
 */
export function expandPaths(paths: string[], opts: DiscoverOptions = {}): string[] {
  const out: string[] = [];
  for (const p of paths.length ? paths : ['.']) {
    let st;
    try {
      st = statSync(p);
    } catch {
      out.push(p); // reading it reports the error with the file's name
      continue;
    }
    if (st.isDirectory()) {
      const { files, ignored } = discoverComposeFiles(p, opts);
      if (files.length === 0) {
        throw new InputError(
          `${p === '.' ? 'the current directory' : p}: no compose files found (looked for compose.y{a,}ml, docker-compose*.y{a,}ml and *stack*.y{a,}ml, recursively${ignored ? `; ${ignored} ignored by .gitignore or the config's ignore patterns` : ''}); pass a file path`,
          p,
        );
      }
      pushAll(out, files);
    } else if (opts.ignore?.(resolve(p), false, true)) opts.onIgnored?.(p);
    else out.push(p);
  }
  return out;
}
