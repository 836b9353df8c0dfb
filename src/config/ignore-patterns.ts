import { relative, sep } from 'node:path';

/**
 * `.gitignore` patterns, used for `.gitignore` files during discovery and for the `ignore` list of
 * `.stackopt.yaml`. Covers what .gitignore files commonly hold: blank lines and `#` comments,
 * `!` negation, a leading `/` or an inner `/` anchoring the pattern to its folder, a trailing `/`
 * for folders only, `*`, `?`, `[a-z]` / `[!a-z]` classes, `**` (leading `**/`, trailing `/**`, inner
 * `/**\/`) and `\` escapes. The last matching pattern wins; a file is ignored when it or one of its
 * folders is. (As in git, a negation cannot re-include a file whose folder is ignored.)
 */
interface Pattern {
  negate: boolean;
  dirOnly: boolean;
  re: RegExp;
}

export class IgnoreList {
  private constructor(
    /** the folder the patterns are relative to */
    readonly base: string,
    private readonly patterns: Pattern[],
  ) {}

  static parse(base: string, text: string): IgnoreList {
    const patterns: Pattern[] = [];
    for (const raw of text.split(/\r?\n/)) {
      const p = parsePattern(raw);
      if (p) patterns.push(p);
    }
    return new IgnoreList(base, patterns);
  }

  static fromPatterns(base: string, list: readonly string[]): IgnoreList {
    return IgnoreList.parse(base, list.join('\n'));
  }

  get size(): number {
    return this.patterns.length;
  }

  /**
   * The verdict of these patterns on one path (not its folders): true ignored, false re-included
   * by a negation, undefined when no pattern matches or the path is outside the base folder.
   */
  test(absPath: string, isDir: boolean): boolean | undefined {
    const rel = relative(this.base, absPath).split(sep).join('/');
    if (rel === '' || rel.startsWith('../') || rel === '..') return undefined;
    let verdict: boolean | undefined;
    for (const p of this.patterns) {
      if (p.dirOnly && !isDir) continue;
      if (p.re.test(rel)) verdict = !p.negate;
    }
    return verdict;
  }
}

/** Whether a path is ignored by a stack of lists (outer folders first), its folders included. */
export function isIgnored(lists: readonly IgnoreList[], absPath: string, isDir: boolean, checkParents = true): boolean {
  if (lists.length === 0) return false;
  if (checkParents) {
    // every folder between a list's base and the path, outermost first
    const bases = lists.map((l) => l.base);
    const outer = bases.reduce((a, b) => (a.length <= b.length ? a : b));
    const rel = relative(outer, absPath).split(sep);
    if (rel[0] !== '..') {
      let dir = outer;
      for (const part of rel.slice(0, -1)) {
        dir = `${dir}${dir.endsWith(sep) ? '' : sep}${part}`;
        if (verdictOf(lists, dir, true)) return true;
      }
    }
  }
  return verdictOf(lists, absPath, isDir);
}

function verdictOf(lists: readonly IgnoreList[], absPath: string, isDir: boolean): boolean {
  let verdict = false;
  for (const l of lists) {
    const v = l.test(absPath, isDir);
    if (v !== undefined) verdict = v;
  }
  return verdict;
}

function parsePattern(raw: string): Pattern | null {
  let line = raw;
  if (line === '' || line.startsWith('#')) return null;
  // trailing spaces are dropped unless escaped
  line = line.replace(/(?<!\\)\s+$/, '');
  if (line === '') return null;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) line = line.slice(1);
  let dirOnly = false;
  if (line.endsWith('/') && !line.endsWith('\\/')) {
    dirOnly = true;
    line = line.replace(/\/+$/, '');
  }
  if (line === '') return null;
  // a slash at the start or in the middle anchors the pattern to the base folder
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const body = globToRegex(line);
  const re = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
  return { negate, dirOnly, re };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      out += escapeRe(glob[++i]!);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          i++;
          if (glob[i + 1] === '/') {
            i++;
            out += '(?:.*/)?'; // `**/`: any folders, or none
          } else out += '.*'; // trailing `**`: everything inside
          continue;
        }
      }
      while (glob[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let cls = glob.slice(i + 1, end);
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      out += `[${cls.replace(/\\/g, '\\\\').replace(/\//g, '')}]`;
      i = end;
    } else out += escapeRe(c);
  }
  return out;
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
