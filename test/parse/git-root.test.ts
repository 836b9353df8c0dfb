import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findGitRoot } from '../../src/parse/git-root.js';

describe('findGitRoot: the folder holding .git at or above a folder', () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'stackopt-git-root-')));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // top/.git a folder; top/sub/.git a file (a submodule); alone/.git a file with no repository above
  const top = join(dir, 'top');
  const sub = join(top, 'sub');
  const deep = join(sub, 'a', 'b');
  const alone = join(dir, 'alone');
  mkdirSync(join(top, '.git'), { recursive: true });
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(sub, '.git'), 'gitdir: ../.git/modules/sub\n');
  mkdirSync(join(alone, 'x'), { recursive: true });
  writeFileSync(join(alone, '.git'), 'gitdir: /nowhere\n');
  const outside = findGitRoot(dir);

  it('the nearest .git, a folder or a file', () => {
    expect(findGitRoot(deep)).toBe(sub);
    expect(findGitRoot(sub)).toBe(sub);
    expect(findGitRoot(join(top, '.git'))).toBe(top);
    expect(findGitRoot(join(alone, 'x'))).toBe(alone);
    // the temporary folder is in no repository here; if it is, the answer is that one's root
    expect(outside === null || dirname(dir).startsWith(outside)).toBe(true);
  });

  it('superproject: a submodule\'s .git file goes on up to the .git folder above, else is the root', () => {
    expect(findGitRoot(deep, { superproject: true })).toBe(top);
    expect(findGitRoot(sub, { superproject: true })).toBe(top);
    expect(findGitRoot(join(alone, 'x'), { superproject: true })).toBe(outside ?? alone);
  });

  it('keeps each folder walked in the cache it is given, and answers from it', () => {
    const cache = new Map<string, string | null>();
    expect(findGitRoot(join(deep, '..'), { cache })).toBe(sub);
    expect([...cache]).toEqual([[join(sub, 'a'), sub], [sub, sub]]);
    expect(findGitRoot(deep, { cache })).toBe(sub);
    expect(cache.get(deep)).toBe(sub);
    // a cached answer is taken as it is
    cache.set(join(sub, 'a'), top);
    expect(findGitRoot(join(sub, 'a', 'c'), { cache })).toBe(top);
  });
});
