import { describe, expect, it } from 'vitest';
import { IgnoreList, isIgnored, MAX_PATTERN_LENGTH } from '../src/config/ignore-patterns.js';

/** .gitignore semantics of the own matcher (discovery and the config's `ignore`). */
const base = '/repo';
const ignored = (patterns: string, path: string, isDir = false) => isIgnored([IgnoreList.parse(base, patterns)], `${base}/${path}`, isDir);

describe('ignore patterns', () => {
  const cases: Array<[string, string, boolean, boolean?]> = [
    // [patterns, path, ignored, isDir]
    ['stack.yml', 'stack.yml', true],
    ['stack.yml', 'deep/er/stack.yml', true],
    ['/stack.yml', 'deep/stack.yml', false],
    ['/stack.yml', 'stack.yml', true],
    ['deploy/stack.yml', 'deploy/stack.yml', true],
    ['deploy/stack.yml', 'x/deploy/stack.yml', false],
    ['*.local.yml', 'a/b/docker-compose.local.yml', true],
    ['*.yml', 'a/compose.yaml', false],
    ['build/', 'build', true, true],
    ['build/', 'build', false, false],
    ['build/', 'x/build/compose.yaml', true],
    ['build', 'x/build/compose.yaml', true],
    ['**/gen/*.yml', 'a/b/gen/stack.yml', true],
    ['**/gen/*.yml', 'gen/stack.yml', true],
    ['gen/**', 'gen/a/b/stack.yml', true],
    ['a/**/b.yml', 'a/b.yml', true],
    ['a/**/b.yml', 'a/x/y/b.yml', true],
    ['stack-?.yml', 'stack-1.yml', true],
    ['stack-?.yml', 'stack-10.yml', false],
    ['stack-[0-9].yml', 'stack-7.yml', true],
    ['stack-[!0-9].yml', 'stack-7.yml', false],
    ['*.yml\n!keep.yml', 'keep.yml', false],
    ['*.yml\n!keep.yml\nkeep.yml', 'keep.yml', true],
    ['tmp/*\n!tmp/keep/', 'tmp/keep/stack.yml', false],
    ['tmp/*\n!tmp/keep/', 'tmp/other/stack.yml', true],
    ['tmp/\n!tmp/keep/', 'tmp/keep/stack.yml', true], // a file whose folder is ignored cannot be re-included
    ['# comment\n\n\\#hash.yml', '#hash.yml', true],
    ['\\!bang.yml', '!bang.yml', true],
    ['trailing.yml   ', 'trailing.yml', true],
    ['stack.yml', '../elsewhere/stack.yml', false],
  ];
  for (const [patterns, path, expected, isDir] of cases) {
    it(`${JSON.stringify(patterns)} ${expected ? 'ignores' : 'keeps'} ${path}${isDir ? '/' : ''}`, () => {
      expect(ignored(patterns, path, isDir ?? false)).toBe(expected);
    });
  }

  it('later lists (deeper .gitignore files) win over earlier ones', () => {
    const root = IgnoreList.parse('/repo', '*.yml');
    const app = IgnoreList.parse('/repo/app', '!stack.yml');
    expect(isIgnored([root, app], '/repo/app/stack.yml', false)).toBe(false);
    expect(isIgnored([root, app], '/repo/other/stack.yml', false)).toBe(true);
  });
});

describe('patterns that are not patterns', () => {
  it('reports a backwards range at its line and column and keeps the other lines', () => {
    const problems: Array<{ line: number; column: number; message: string }> = [];
    const list = IgnoreList.parse(base, 'a.yml\nstack-[z-a].yml\nb.yml\n', (p) => problems.push(p));
    expect(problems).toEqual([{ line: 2, column: 8, message: 'the range z-a in [z-a] runs backwards; write it a-z' }]);
    expect(list.size).toBe(2);
    expect(isIgnored([list], `${base}/b.yml`, false)).toBe(true);
  });

  it('reports a line longer than the limit and keeps the others', () => {
    const problems: Array<{ line: number; column: number; message: string }> = [];
    const list = IgnoreList.parse(base, `# long\n${'a'.repeat(50_000)}\nbuild/\r\n`, (p) => problems.push(p));
    expect(problems).toEqual([{ line: 2, column: MAX_PATTERN_LENGTH + 1, message: `the pattern is 50000 characters long; at most ${MAX_PATTERN_LENGTH} are read` }]);
    expect(isIgnored([list], `${base}/build/compose.yml`, false)).toBe(true);
  });

  it('numbers the problems of a pattern list by position', () => {
    const problems: Array<{ line: number; column: number; message: string }> = [];
    IgnoreList.fromPatterns(base, ['ok.yml', '[z-a]', 'two\nlines'], (p) => problems.push(p));
    expect(problems).toEqual([
      { line: 2, column: 2, message: 'the range z-a in [z-a] runs backwards; write it a-z' },
      { line: 3, column: 4, message: 'a pattern is one line' },
    ]);
  });

  // `*a*a*a...b` as a regular expression backtracks to the power of its stars; the matcher walks
  // the path once per pattern position. Counted, not timed: the match ends, and with the answer.
  it('matches a pattern with many stars against a long path', () => {
    const pattern = `${'*a'.repeat(200)}b`;
    expect(ignored(pattern, 'a'.repeat(4000))).toBe(false);
    expect(ignored(pattern, `${'a'.repeat(4000)}b`)).toBe(true);
    expect(ignored(pattern, `${'a'.repeat(199)}b`)).toBe(false);
  });

  it('never matches / with a class, negated or not', () => {
    expect(ignored('a[!x]b', 'a/b')).toBe(false);
    expect(ignored('a[!x]b', 'acb')).toBe(true);
  });
});
