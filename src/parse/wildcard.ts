/**
 * Wildcard patterns (globs) matched by simulating all their positions at once, one pass over the
 * subject: time proportional to the subject's length times the pattern's, whatever the pattern.
 * (A glob turned into a regular expression backtracks: `*a*a*a*a*b` costs the subject's length to
 * the fifth power.)
 */

/** One step of a pattern. */
export type WildStep =
  /** one character passing `test`; `char` names it when it is the only one (a literal character of the pattern) */
  | { kind: 'one'; test: (c: string) => boolean; char?: string }
  /** any number of characters passing `test` */
  | { kind: 'run'; test: (c: string) => boolean }
  /** nothing, or any characters ending with `/` (`**\/` of a .gitignore pattern) */
  | { kind: 'folders' };

export const anyChar = (): boolean => true;
export const notSlash = (c: string): boolean => c !== '/';

/**
 * The sets of positions of a walk, kept between calls and grown as needed: a pattern tried on
 * many subjects makes no new arrays for each.
 */
let main = new Uint8Array(64);
let inside = new Uint8Array(64);
let nextMain = new Uint8Array(64);
let nextInside = new Uint8Array(64);

/** Whether the steps match all of `subject`. */
export function matchWildcard(steps: readonly WildStep[], subject: string): boolean {
  const n = steps.length;
  if (main.length < n + 1) {
    const size = Math.max(n + 1, main.length * 2);
    [main, inside, nextMain, nextInside] = [new Uint8Array(size), new Uint8Array(size), new Uint8Array(size), new Uint8Array(size)];
  }
  // main[i]: steps before i matched; inside[i]: inside a `folders` step i, waiting for its `/`
  let m = main;
  let ins = inside;
  let nextM = nextMain;
  let nextIns = nextInside;
  const close = (a: Uint8Array) => {
    for (let i = 0; i < n; i++) if (a[i] && steps[i]!.kind !== 'one') a[i + 1] = 1;
  };
  m.fill(0, 0, n + 1);
  ins.fill(0, 0, n + 1);
  m[0] = 1;
  close(m);
  for (const c of subject) {
    nextM.fill(0, 0, n + 1);
    nextIns.fill(0, 0, n + 1);
    let alive = false;
    for (let i = 0; i < n; i++) {
      const s = steps[i]!;
      if (m[i]) {
        if (s.kind === 'one') {
          if (s.test(c)) nextM[i + 1] = 1;
        } else if (s.kind === 'run') {
          if (s.test(c)) nextM[i] = 1;
        } else {
          nextIns[i] = 1;
          if (c === '/') nextM[i + 1] = 1;
        }
      }
      if (ins[i]) {
        nextIns[i] = 1;
        if (c === '/') nextM[i + 1] = 1;
      }
    }
    close(nextM);
    for (let i = 0; i <= n; i++) if (nextM[i] || nextIns[i]) alive = true;
    if (!alive) return false;
    [m, nextM] = [nextM, m];
    [ins, nextIns] = [nextIns, ins];
  }
  return m[n] === 1;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  /** the items filed under the run that leads here */
  items: number[];
  /** the items filed under the run that leads here as a whole subject */
  whole: number[];
}

/**
 * Numbers (patterns of a list) filed under a run of characters that every subject they can match
 * begins with, or is: `collect` finds those whose run begins a subject (or is all of it) in one
 * walk of the subject's start, instead of a try of every pattern. Filed under a reversed run and
 * walked from the subject's end, it finds those whose run ends it.
 */
export class PrefixIndex {
  private readonly root: TrieNode = { next: new Map(), items: [], whole: [] };
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** File `item` under the characters `run` (one string each): as a start of subjects, or (`whole`) as a whole one. */
  add(run: readonly string[], item: number, whole = false): void {
    let node = this.root;
    for (const c of run) {
      let next = node.next.get(c);
      if (!next) node.next.set(c, (next = { next: new Map(), items: [], whole: [] }));
      node = next;
    }
    (whole ? node.whole : node.items).push(item);
    this.count++;
  }

  /**
   * Push onto `out` the items filed under a run that begins `subject` (or, `fromEnd`, ends it: the
   * run filed reversed), and those filed under all of it. The subject is a string (its UTF-16
   * units are its characters) or an array of characters; the walk stops where no run goes on.
   */
  collect(subject: string | readonly string[], out: number[], fromEnd = false): void {
    const n = subject.length;
    let node: TrieNode | undefined = this.root;
    for (let i = 0; node !== undefined; i++) {
      for (const item of node.items) out.push(item);
      if (i === n) {
        for (const item of node.whole) out.push(item);
        break;
      }
      node = node.next.get(subject[fromEnd ? n - 1 - i : i]!);
    }
  }
}
