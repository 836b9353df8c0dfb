import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IgnoreList, isIgnored, MAX_PATTERN_LENGTH, parsePattern } from '../src/config/ignore-patterns.js';
import { matchWildcard } from '../src/parse/wildcard.js';
import { cpuRatio } from './helpers/measure.js';

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
    // characters outside the BMP (two UTF-16 units) are one character each, in the pattern and the
    // path alike: git ignores these files by these lines
    ['docker-compose.\u{1F680}.yml', 'docker-compose.\u{1F680}.yml', true],
    ['\u{1F680}*', 'a/\u{1F680}x/compose.yml', true],
    ['*\u{1F680}*', 'deploy.\u{1F680}.stack.yml', true],
    ['*\u{1F680}*', 'deploy.\u{1F681}.stack.yml', false],
    ['*/\u{1F680}.yml', 'x/\u{1F680}.yml', true],
    ['\\\u{1F680}.yml', '\u{1F680}.yml', true],
    ['[\u{1F600}-\u{1F64F}].yml', '\u{1F642}.yml', true],
    ['[\u{1F600}-\u{1F64F}].yml', '\u{1F680}.yml', false],
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
    // a column counted in UTF-16 units, as an editor counts it, after a character outside the BMP
    const wide: Array<{ line: number; column: number; message: string }> = [];
    IgnoreList.parse(base, '[\u{1F680}z-a].yml\n', (p) => wide.push(p));
    expect(wide).toEqual([{ line: 1, column: 4, message: 'the range z-a in [\u{1F680}z-a] runs backwards; write it a-z' }]);
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

/** A generator of the same numbers for each run (a linear congruential one). */
function numbers(seed: number): (below: number) => number {
  let x = seed;
  return (below) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % below;
  };
}

describe('the patterns that can match a path, found without trying each', () => {
  /** The verdict of a list's lines on a path below `base`, every pattern tried in turn, the last that matches deciding. */
  const eachInTurn = (lines: readonly string[], absPath: string, isDir: boolean): boolean | undefined => {
    const rel = relative(base, absPath);
    if (rel === '' || rel.startsWith('..')) return undefined;
    let verdict: boolean | undefined;
    for (const line of lines) {
      const p = parsePattern(line);
      if (p && (!p.dirOnly || isDir) && matchWildcard(p.steps, rel)) verdict = !p.negate;
    }
    return verdict;
  };

  /**
   * The verdicts of a list of `lines` on `count` generated paths, each as a file and as a folder,
   * compared with every pattern tried in turn: how many there were (a pattern matched).
   */
  const verdictsOn = (lines: readonly string[], path: () => string, count: number): number => {
    const list = IgnoreList.fromPatterns(base, lines);
    let verdicts = 0;
    for (let k = 0; k < count; k++) {
      const abs = `${base}/${path()}`;
      for (const isDir of [false, true]) {
        const expected = eachInTurn(lines, abs, isDir);
        expect(list.test(abs, isDir), `${JSON.stringify(lines)} on ${abs}${isDir ? '/' : ''}`).toBe(expected);
        if (expected !== undefined) verdicts++;
      }
    }
    return verdicts;
  };

  it('gives the verdict of every pattern tried in turn, on generated patterns and paths', () => {
    const pick = numbers(7);
    const parts = ['a', 'b', 'ab', '.yml', 'x.', '*', '?', '**', '/', '[ab]', '[!a]', '[a-b]', '\\*', '\\a', '\\ ', '[', ']', 'é', '😀'];
    const pattern = () => {
      let p = (pick(5) === 0 ? '!' : '') + (pick(5) === 0 ? '/' : '');
      for (let k = 1 + pick(5); k > 0; k--) p += parts[pick(parts.length)];
      return p + (pick(6) === 0 ? '/' : '');
    };
    const names = ['a', 'b', 'ab', 'a.yml', 'x.yml', 'ba', '*', 'a b', 'é', '😀', '[', 'x.ab'];
    const path = () => Array.from({ length: 1 + pick(4) }, () => names[pick(names.length)]).join('/');
    let compared = 0;
    let matched = 0;
    for (let round = 0; round < 400; round++) {
      const lines = Array.from({ length: 1 + pick(12) }, pattern).filter((l) => {
        try {
          parsePattern(l);
          return true;
        } catch {
          return false; // a backwards range: not a pattern
        }
      });
      matched += verdictsOn(lines, path, 25);
      compared += 50;
    }
    expect(compared).toBe(20_000);
    expect(matched).toBeGreaterThan(2_000);
  });

  // patterns that begin and end with a wildcard are filed by a run of literal characters between
  // (many in one list: runs that overlap, repeat, and are parts of one another), the others by the
  // longest run too, at their start or end or between
  it('gives the verdict of every pattern tried in turn, for many patterns with literal characters between wildcards', () => {
    const pick = numbers(11);
    const wild = ['*', '?', '**/', '[ab]', '*/', '/*', '**', '[!a]', ''];
    const runs = ['a', 'b', 'ab', 'ba', 'aba', 'bab', 'a.b', 'b/a', 'é', '😀', '\\*', 'x'];
    const pattern = () => {
      let p = (pick(6) === 0 ? '!' : '') + wild[pick(wild.length)] + runs[pick(runs.length)];
      for (let k = pick(3); k > 0; k--) p += wild[pick(wild.length)] + runs[pick(runs.length)];
      return p + wild[pick(wild.length)] + (pick(6) === 0 ? '/' : '');
    };
    const names = ['a', 'b', 'ab', 'aba', 'abab', 'ba', 'bab', 'a.b', 'é', 'a😀b', '*', 'xaby', 'babab'];
    const path = () => Array.from({ length: 1 + pick(3) }, () => names[pick(names.length)]).join('/');
    let matched = 0;
    for (let round = 0; round < 200; round++) {
      matched += verdictsOn(Array.from({ length: 1 + pick(40) }, pattern), path, 25);
    }
    // some verdicts of each kind: the lists are long, most paths are matched by one pattern or more
    expect(matched).toBeGreaterThan(2_000);
    expect(matched).toBeLessThan(9_000);
  });

  it('reads nested lists as each alone, and a path outside a list is not its', () => {
    const outer = IgnoreList.parse('/repo', '*.yml\n/app/x/\n');
    const inner = IgnoreList.parse('/repo/app', '!keep.yml\nx/\n');
    const other = IgnoreList.parse('/repo/apps', 'keep.yml\n');
    expect(isIgnored([outer, inner], '/repo/app/keep.yml', false)).toBe(false);
    expect(isIgnored([outer, inner], '/repo/app/sub/keep.yml', false)).toBe(false);
    expect(isIgnored([outer, inner, other], '/repo/app/keep.yml', false)).toBe(false);
    expect(isIgnored([outer, other], '/repo/app/keep.yml', false)).toBe(true);
    expect(isIgnored([outer, inner], '/repo/app/x', true)).toBe(true);
    expect(isIgnored([outer, inner], '/repo/app/../app/keep.yml', false)).toBe(false);
    expect(isIgnored([inner], '/repo/keep.yml', false)).toBe(false);
  });

  // a .gitignore of thousands of names, extensions and folders over thousands of folders: each
  // path tried against every pattern cost the paths times the patterns (3 x 4,800 patterns over
  // 480 folders: 18 s; 0.2 s once the patterns are filed by their literal start, end or name); and
  // patterns that begin and end with a wildcard (`*-old-*`) were still tried on every path (4,800
  // over 480 folders: 3.5 s; 0.07 s once they are filed by the literal characters between)
  // (the small run of each at least about 50 ms of work)
  const kinds: Array<[string, (i: number) => string[], number]> = [
    ['', (i) => [`name-${i}.yml`, `*.ext${i}`, `dir-${i}/`, `/top-${i}/*.yml`], 5000],
    [' for patterns with wildcards at both ends', (i) => [`*-x${i}-*`, `*.e${i}.*`, `?d${i}*/`, `/*/t${i}/*`], 8000],
  ];
  for (const [which, linesOf, n] of kinds) {
    it(`takes time in proportion to the patterns and the paths, not their product${which}`, () => {
      const sized = (n: number) => {
        const lines: string[] = [];
        for (let i = 0; i < n / 10; i++) lines.push(...linesOf(i));
        return { text: `${lines.join('\n')}\nf1/\n`, folders: Array.from({ length: n }, (_, i) => `${base}/f${i}`) };
      };
      // what discovery asks of a folder's list: each folder, and the compose file in it
      const run = ({ text, folders }: ReturnType<typeof sized>) => {
        const lists = [IgnoreList.parse(base, text)];
        return folders.filter((f) => isIgnored(lists, f, true, false) || isIgnored(lists, `${f}/compose.yml`, false, false)).length;
      };
      const [small, large] = [sized(n), sized(16 * n)];
      expect(run(small)).toBe(1);
      // linear work is about 16 times at 16 times the paths and patterns; each against each 256
      expect(cpuRatio(run, small, large)).toBeLessThan(100);
    }, 300_000);
  }

  // a path deep in a tree of .gitignore files is tested by the list of each folder above it: the
  // path below each list's base was found by a walk of both paths (cubic in the depth: 1,600
  // nested folders took 179 s to discover, 2.3 s once the path is compared once)
  it('takes time in proportion to the depth for a path below as many lists', () => {
    const sized = (depth: number) => {
      const lists: IgnoreList[] = [];
      let dir = base;
      for (let i = 0; i < depth; i++) lists.push(IgnoreList.parse((dir = `${dir}/a`), `x${i}.yml\n/y${i}/z\n`));
      return { lists, path: `${dir}/compose.yml` };
    };
    const run = ({ lists, path }: ReturnType<typeof sized>) => {
      let ignored = 0;
      // 3,000 times over, for a small run of more than a few milliseconds
      for (let k = 0; k < 3000; k++) if (isIgnored(lists, path, false, false)) ignored++;
      return ignored;
    };
    const [small, large] = [sized(100), sized(1600)];
    expect(run(small)).toBe(0);
    // linear work is about 16 times at 16 times the depth; a walk of the path for each list 256
    expect(cpuRatio(run, small, large)).toBeLessThan(100);
  }, 300_000);
});
