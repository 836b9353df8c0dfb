import { relative, sep } from 'node:path';
import { anyChar, matchWildcard, notSlash, type WildStep } from '../parse/wildcard.js';

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
  steps: WildStep[];
}

/** The longest pattern read (git's own limit on a path is 4,096 bytes): a longer line is reported and skipped. */
export const MAX_PATTERN_LENGTH = 4096;

/** A line that is not a pattern: its 1-based line in the text, the column of the problem, what is wrong. */
export interface PatternProblem {
  line: number;
  column: number;
  message: string;
}

class BadPattern extends Error {
  constructor(
    message: string,
    /** 0-based offset in the line */
    readonly offset: number,
  ) {
    super(message);
  }
}

export class IgnoreList {
  private constructor(
    /** the folder the patterns are relative to */
    readonly base: string,
    private readonly patterns: Pattern[],
  ) {}

  /** The patterns of a .gitignore text; a line that is not a pattern goes to `onProblem` and is skipped. */
  static parse(base: string, text: string, onProblem?: (p: PatternProblem) => void): IgnoreList {
    const patterns: Pattern[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      try {
        const p = parsePattern(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
        if (p) patterns.push(p);
      } catch (e) {
        if (!(e instanceof BadPattern)) throw e;
        onProblem?.({ line: i + 1, column: e.offset + 1, message: e.message });
      }
    }
    return new IgnoreList(base, patterns);
  }

  /** A list of patterns (the configuration's `ignore`); `line` of a problem is the pattern's 1-based index. */
  static fromPatterns(base: string, list: readonly string[], onProblem?: (p: PatternProblem) => void): IgnoreList {
    const patterns: Pattern[] = [];
    list.forEach((raw, i) => {
      try {
        const p = raw.includes('\n') || raw.includes('\r') ? badPattern('a pattern is one line', Math.max(raw.indexOf('\n'), raw.indexOf('\r'))) : parsePattern(raw);
        if (p) patterns.push(p);
      } catch (e) {
        if (!(e instanceof BadPattern)) throw e;
        onProblem?.({ line: i + 1, column: e.offset + 1, message: e.message });
      }
    });
    return new IgnoreList(base, patterns);
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
      if (matchWildcard(p.steps, rel)) verdict = !p.negate;
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

function badPattern(message: string, offset: number): never {
  throw new BadPattern(message, offset);
}

function parsePattern(raw: string): Pattern | null {
  if (raw.length > MAX_PATTERN_LENGTH) badPattern(`the pattern is ${raw.length} characters long; at most ${MAX_PATTERN_LENGTH} are read`, MAX_PATTERN_LENGTH);
  let line = raw;
  if (line === '' || line.startsWith('#')) return null;
  // trailing spaces are dropped unless escaped
  let end = line.length;
  while (end > 0 && /\s/.test(line[end - 1]!) && line[end - 2] !== '\\') end--;
  line = line.slice(0, end);
  if (line === '') return null;
  let offset = 0;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
    offset = 1;
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) [line, offset] = [line.slice(1), 1];
  let dirOnly = false;
  if (line.endsWith('/') && !line.endsWith('\\/')) {
    dirOnly = true;
    let e = line.length;
    while (e > 0 && line[e - 1] === '/') e--;
    line = line.slice(0, e);
  }
  if (line === '') return null;
  // a slash at the start or in the middle anchors the pattern to the base folder
  const anchored = line.includes('/');
  if (line.startsWith('/')) [line, offset] = [line.slice(1), offset + 1];
  const body = globSteps(line, offset);
  return { negate, dirOnly, steps: anchored ? body : [{ kind: 'folders' }, ...body] };
}

function globSteps(glob: string, offset: number): WildStep[] {
  const out: WildStep[] = [];
  const literal = (x: string): WildStep => ({ kind: 'one', test: (c) => c === x });
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      out.push(literal(glob[++i]!));
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          i++;
          if (glob[i + 1] === '/') {
            i++;
            out.push({ kind: 'folders' }); // `**/`: any folders, or none
          } else out.push({ kind: 'run', test: anyChar }); // trailing `**`: everything inside
          continue;
        }
      }
      while (glob[i + 1] === '*') i++;
      out.push({ kind: 'run', test: notSlash });
    } else if (c === '?') {
      out.push({ kind: 'one', test: notSlash });
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out.push(literal('['));
        continue;
      }
      out.push({ kind: 'one', test: classTest(glob.slice(i + 1, end), offset + i + 1) });
      i = end;
    } else out.push(literal(c));
  }
  return out;
}

/** `a-z0-9_` or `!a-z` (the text between the brackets) as a test; never matches `/`. */
function classTest(cls: string, offset: number): (c: string) => boolean {
  const negate = cls.startsWith('!') || cls.startsWith('^');
  const body = negate ? cls.slice(1) : cls;
  const ranges: Array<[string, string]> = [];
  for (let i = 0; i < body.length; i++) {
    let a = body[i]!;
    if (a === '\\' && i + 1 < body.length) a = body[++i]!;
    if (body[i + 1] === '-' && i + 2 < body.length) {
      let b = body[i + 2]!;
      const at = i;
      i += 2;
      if (b === '\\' && i + 1 < body.length) b = body[++i]!;
      if (b < a) badPattern(`the range ${a}-${b} in [${cls}] runs backwards; write it ${b}-${a}`, offset + (negate ? 1 : 0) + at);
      ranges.push([a, b]);
    } else ranges.push([a, a]);
  }
  return (c) => c !== '/' && ranges.some(([a, b]) => c >= a && c <= b) !== negate;
}
