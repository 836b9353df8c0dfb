import { relative, resolve, sep } from 'node:path';
import { anyChar, LiteralIndex, matchWildcard, notSlash, type WildStep } from '../parse/wildcard.js';

/**
 * `.gitignore` patterns, used for `.gitignore` files during discovery and for the `ignore` list of
 * `.stackopt.yaml`. Covers what .gitignore files commonly hold: blank lines and `#` comments,
 * `!` negation, a leading `/` or an inner `/` anchoring the pattern to its folder, a trailing `/`
 * for folders only, `*`, `?`, `[a-z]` / `[!a-z]` classes, `**` (leading `**/`, trailing `/**`, inner
 * `/**\/`) and `\` escapes. The last matching pattern wins; a file is ignored when it or one of its
 * folders is. (As in git, a negation cannot re-include a file whose folder is ignored.)
 */
export interface Pattern {
  negate: boolean;
  dirOnly: boolean;
  steps: WildStep[];
  /**
   * The steps after the leading `folders` step of a pattern without a slash whose steps never
   * match `/` (all but `**`): they match the path's last part exactly when `steps` match the path,
   * and are tried on that part alone. Null for other patterns.
   */
  nameSteps: WildStep[] | null;
}

/**
 * The patterns of a list filed by what a path they match must hold literally (`LiteralIndex`), so
 * that a path is tried against the patterns that can match it, not against all of them (a
 * .gitignore of thousands of lines over a tree of thousands of folders): a pattern all of literal
 * characters by the name or path it is; else by its longest run of literal characters, at the
 * start (`stack-*`), at the end (`*.yml`) or anywhere (`*-old-*`); the others (`*`, `?*`) are
 * tried on every path.
 */
interface PatternIndex {
  /** the patterns matched against the path's last part (nameSteps) */
  names: LiteralIndex;
  /** the patterns matched against the path below the base folder */
  paths: LiteralIndex;
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

/** A UTF-16 unit of a character outside the BMP. */
const SURROGATE = /[\uD800-\uDFFF]/;

export class IgnoreList {
  private constructor(
    /** the folder the patterns are relative to */
    readonly base: string,
    private readonly patterns: Pattern[],
  ) {
    this.index = indexPatterns(patterns);
    this.resolvedBase = resolve(base);
  }

  private readonly index: PatternIndex;
  /** the base folder as `resolve` gives it */
  private readonly resolvedBase: string;

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
   * Whether the base folder holds (or is) the path, for a path `resolve` gave: its start, up to
   * a `/`. Undefined where that does not decide (a separator other than `/`).
   */
  private holdsPath(absPath: string): boolean | undefined {
    if (sep !== '/') return undefined;
    const b = this.resolvedBase;
    return absPath.startsWith(b) && (b.endsWith('/') || absPath.length === b.length || absPath[b.length] === '/');
  }

  /** Whether this list's base folder holds (or is) another list's, asked once for each pair. */
  holds(inner: IgnoreList): boolean {
    let known = this.holdsList.get(inner);
    if (known === undefined) this.holdsList.set(inner, (known = this.holdsPath(inner.resolvedBase) === true));
    return known;
  }

  private readonly holdsList = new WeakMap<IgnoreList, boolean>();

  /**
   * `relative(base, absPath)` with `/` between its parts, for a path `resolve` gave; `inside` when
   * the base is known to hold the path (see `holds`): then it is the rest of the path, with no
   * walk of both (a path deep in a tree of .gitignore files is tested by one list per folder
   * above it).
   */
  relativePath(absPath: string, inside = this.holdsPath(absPath) === true): string {
    const b = this.resolvedBase;
    if (inside) return b.endsWith('/') ? absPath.slice(b.length) : absPath.slice(b.length + 1);
    return relative(b, absPath).split(sep).join('/');
  }

  /**
   * The verdict of these patterns on one path (not its folders): true ignored, false re-included
   * by a negation, undefined when no pattern matches or the path is outside the base folder.
   */
  test(absPath: string, isDir: boolean): boolean | undefined {
    return this.testRelative(this.relativePath(resolve(absPath)), isDir);
  }

  /** `test` of a path as `relativePath` gives it. */
  testRelative(rel: string, isDir: boolean): boolean | undefined {
    if (rel === '' || rel.startsWith('../') || rel === '..') return undefined;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const ix = this.index;
    // the patterns that can match, by the last of them that does: its verdict is the list's
    const candidates: number[] = [];
    // the index files characters as the steps are made, by code point: a path with a character
    // outside the BMP (two UTF-16 units) is walked as its code points
    const wide = SURROGATE.test(rel);
    if (ix.names.size) ix.names.collect(wide ? [...name] : name, candidates);
    if (ix.paths.size) ix.paths.collect(wide ? [...rel] : rel, candidates);
    candidates.sort((a, b) => b - a);
    for (const i of candidates) {
      const p = this.patterns[i]!;
      if (p.dirOnly && !isDir) continue;
      if (p.nameSteps ? matchWildcard(p.nameSteps, name) : matchWildcard(p.steps, rel)) return !p.negate;
    }
    return undefined;
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
  const resolved = resolve(absPath);
  // the path below each list's base, innermost first: a list whose base holds the next one's
  // holds the path when that one does (lists of nested folders are not each compared with it)
  const rels: string[] = new Array<string>(lists.length);
  let inside = false;
  for (let k = lists.length - 1; k >= 0; k--) {
    const l = lists[k]!;
    if (!(inside && l.holds(lists[k + 1]!))) {
      rels[k] = l.relativePath(resolved);
      inside = !rels[k]!.startsWith('../') && rels[k] !== '..';
    } else rels[k] = l.relativePath(resolved, true);
  }
  let verdict = false;
  for (let k = 0; k < lists.length; k++) {
    const v = lists[k]!.testRelative(rels[k]!, isDir);
    if (v !== undefined) verdict = v;
  }
  return verdict;
}

/** File each pattern of a list (see PatternIndex). */
function indexPatterns(patterns: readonly Pattern[]): PatternIndex {
  const ix: PatternIndex = { names: new LiteralIndex(), paths: new LiteralIndex() };
  patterns.forEach((p, i) => {
    // a literal step matches one character of the subject, that character (never part of one)
    const chars = (p.nameSteps ?? p.steps).map((s) => (s.kind === 'one' ? s.char : undefined));
    (p.nameSteps !== null ? ix.names : ix.paths).add(chars, i);
  });
  return ix;
}

function badPattern(message: string, offset: number): never {
  throw new BadPattern(message, offset);
}

/**
 * One line as the matcher reads it: null for a blank line or a comment; throws on a line that is
 * not a pattern. `IgnoreList.test` gives the verdict of the last of its patterns whose steps match
 * the path below the base folder (`dirOnly` ones only on folders).
 */
export function parsePattern(raw: string): Pattern | null {
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
  if (anchored) return { negate, dirOnly, steps: body, nameSteps: null };
  const byName = body.every((s) => s.kind === 'one' || (s.kind === 'run' && s.test === notSlash));
  return { negate, dirOnly, steps: [{ kind: 'folders' }, ...body], nameSteps: byName ? body : null };
}

/**
 * A pattern's steps, a character each where it matches one: characters are code points, as
 * `matchWildcard` reads the subject (an emoji is one character, not two halves).
 */
function globSteps(glob: string, offset: number): WildStep[] {
  const out: WildStep[] = [];
  const literal = (x: string): WildStep => ({ kind: 'one', test: (c) => c === x, char: x });
  /** the character at `i` (one or two UTF-16 units) */
  const at = (i: number): string => String.fromCodePoint(glob.codePointAt(i)!);
  for (let i = 0; i < glob.length; i++) {
    const c = at(i);
    if (c.length === 2) {
      out.push(literal(c));
      i++;
    } else if (c === '\\' && i + 1 < glob.length) {
      const escaped = at(++i);
      out.push(literal(escaped));
      i += escaped.length - 1;
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

/** `a-z0-9_` or `!a-z` (the text between the brackets) as a test of one code point; never matches `/`. */
function classTest(cls: string, offset: number): (c: string) => boolean {
  const negate = cls.startsWith('!') || cls.startsWith('^');
  const chars = [...(negate ? cls.slice(1) : cls)];
  const ranges: Array<[number, number]> = [];
  // where each character starts in the text between the brackets, for the column of an error
  let unit = negate ? 1 : 0;
  for (let i = 0; i < chars.length; i++) {
    const start = unit;
    let a = chars[i]!;
    unit += a.length;
    if (a === '\\' && i + 1 < chars.length) unit += (a = chars[++i]!).length;
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      let b = chars[i + 2]!;
      i += 2;
      unit += 1 + b.length;
      if (b === '\\' && i + 1 < chars.length) unit += (b = chars[++i]!).length;
      if (b.codePointAt(0)! < a.codePointAt(0)!) badPattern(`the range ${a}-${b} in [${cls}] runs backwards; write it ${b}-${a}`, offset + start);
      ranges.push([a.codePointAt(0)!, b.codePointAt(0)!]);
    } else ranges.push([a.codePointAt(0)!, a.codePointAt(0)!]);
  }
  return (c) => {
    if (c === '/') return false;
    const cp = c.codePointAt(0)!;
    return ranges.some(([a, b]) => cp >= a && cp <= b) !== negate;
  };
}
