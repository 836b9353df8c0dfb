import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * How findGitRoot treats a `.git` that is a file (a submodule, or a linked worktree: `gitdir: PATH`).
 * - by default it makes a root like a `.git` folder: the nearest folder holding either is the answer;
 *   `cache` keeps the answer of every folder walked (the caller owns it and clears it);
 * - `superproject: true` goes on up to the superproject: the nearest folder holding a `.git` folder,
 *   and only when there is none above, the nearest holding a `.git` file (not cached here).
 */
export type GitRootOptions = { superproject?: false; cache?: Map<string, string | null> } | { superproject: true; cache?: never };

/**
 * The root of the git repository `start` is in: the nearest folder from `start` (a folder) up to the
 * file system's root that holds `.git`, as `opts` treats a `.git` file; null outside any repository.
 */
export function findGitRoot(start: string, opts: GitRootOptions = {}): string | null {
  const cache = opts.superproject ? undefined : opts.cache;
  const visited: string[] = [];
  let found: string | null = null;
  let gitFile: string | null = null;
  for (let d = resolve(start); ; ) {
    const known = cache?.get(d);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(d);
    const git = join(d, '.git');
    if (existsSync(git)) {
      if (!opts.superproject || statSync(git, { throwIfNoEntry: false })?.isDirectory()) {
        found = d;
        break;
      }
      gitFile ??= d;
    }
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  if (cache) for (const v of visited) cache.set(v, found);
  return found ?? gitFile;
}
