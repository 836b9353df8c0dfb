import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IgnoreList, isIgnored } from '../config/ignore-patterns.js';
import { InputError } from '../parse/read-document.js';
import { pushAll } from '../parse/collect.js';

const COMPOSE_NAME = /^(compose|docker-compose[^/]*|[^/]*stack[^/]*)\.ya?ml$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', '.hg', '.svn']);

/** Whether discovery picks up a file of this name (never a `.optimized` copy or the configuration). */
export function isComposeFileName(name: string): boolean {
  return COMPOSE_NAME.test(name) && !name.endsWith('.optimized') && !CONFIG_NAME.test(name);
}

/** `.stackopt.yaml` matches `*stack*.yml` but is the configuration. */
const CONFIG_NAME = /^\.stackopt\.ya?ml$/i;

export interface DiscoverOptions {
  /** patterns from the config's `ignore` (they apply to explicit paths too) */
  ignore?: IgnoreList | null;
  /** told about each explicit path the config's patterns ignore */
  onIgnored?: (path: string) => void;
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
  const lists = ancestorIgnoreLists(start);
  const configIgnore = opts.ignore ? [opts.ignore] : [];
  const walk = (d: string, inherited: IgnoreList[]) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const own = entries.some((e) => e.name === '.gitignore' && !e.isDirectory()) ? readIgnore(join(d, '.gitignore'), d) : null;
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
      }
      if (isDir) {
        if (SKIP_DIRS.has(e.name)) continue;
        if (isIgnored(active, abs, true, false) || isIgnored(configIgnore, abs, true, false)) continue;
        walk(abs, active);
      } else if (isFile && isComposeFileName(e.name)) {
        if (isIgnored(active, abs, false, false) || isIgnored(configIgnore, abs, false, false)) ignored++;
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

function readIgnore(file: string, base: string): IgnoreList | null {
  try {
    const list = IgnoreList.parse(base, readFileSync(file, 'utf8'));
    return list.size ? list : null;
  } catch {
    return null;
  }
}

/** .gitignore files above `dir` up to its git repository's root (outermost first), and .git/info/exclude. */
function ancestorIgnoreLists(dir: string): IgnoreList[] {
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
  const exclude = readIgnore(join(repoRoot, '.git', 'info', 'exclude'), repoRoot);
  if (exclude) lists.push(exclude);
  for (const a of chain.reverse()) {
    const l = readIgnore(join(a, '.gitignore'), a);
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
    } else if (opts.ignore && isIgnored([opts.ignore], resolve(p), false)) opts.onIgnored?.(p);
    else out.push(p);
  }
  return out;
}
