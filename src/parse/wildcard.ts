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

interface InfixNode {
  next: Map<string, InfixNode>;
  /** the items filed under the run that leads here */
  items: number[];
  /** the node of the longest proper suffix of this node's run that is in the trie (the root: none) */
  fail: InfixNode | null;
  /** the nearest node along the `fail` links, this one left out, that has items */
  out: InfixNode | null;
  /** the walk that last pushed this node's items */
  seen: number;
}

/**
 * Numbers (patterns of a list) filed under a run of characters that every subject they can match
 * holds somewhere (`*x*`, `?ab*c*`: the longest run of literal characters of a pattern that begins
 * and ends with a wildcard). `collect` finds those whose run is in a subject in one walk of the
 * subject, whatever the number of runs: the runs' trie with, at each node, the node of its longest
 * suffix that is in the trie too, as Aho and Corasick made it (a walk follows those links where no
 * run goes on, as many times in all as it went forward).
 */
export class InfixIndex {
  private readonly root: InfixNode = { next: new Map(), items: [], fail: null, out: null, seen: 0 };
  private count = 0;
  /** whether the `fail` and `out` links are those of every run added */
  private linked = true;
  private walks = 0;

  get size(): number {
    return this.count;
  }

  /** File `item` under the characters `run` (one string each, at least one). */
  add(run: readonly string[], item: number): void {
    let node = this.root;
    for (const c of run) {
      let next = node.next.get(c);
      if (!next) node.next.set(c, (next = { next: new Map(), items: [], fail: null, out: null, seen: 0 }));
      node = next;
    }
    node.items.push(item);
    this.count++;
    this.linked = false;
  }

  /** The `fail` and `out` links of every node, made level by level from the root. */
  private link(): void {
    const root = this.root;
    const queue: InfixNode[] = [];
    for (const child of root.next.values()) {
      child.fail = root;
      child.out = null;
      queue.push(child);
    }
    for (let k = 0; k < queue.length; k++) {
      const node = queue[k]!;
      for (const [c, child] of node.next) {
        let f: InfixNode | null = node.fail;
        while (f !== null && !f.next.has(c)) f = f.fail;
        const fail = f === null ? root : f.next.get(c)!;
        child.fail = fail;
        child.out = fail.items.length > 0 ? fail : fail.out;
        queue.push(child);
      }
    }
    this.linked = true;
  }

  /**
   * Push onto `out` the items filed under a run that `subject` holds, each once however often its
   * run occurs. The subject is a string (its UTF-16 units are its characters) or an array of
   * characters.
   */
  collect(subject: string | readonly string[], out: number[]): void {
    if (this.count === 0) return;
    if (!this.linked) this.link();
    const walk = ++this.walks;
    const root = this.root;
    let node = root;
    for (let i = 0; i < subject.length; i++) {
      const c = subject[i]!;
      let next = node.next.get(c);
      while (next === undefined && node !== root) {
        node = node.fail!;
        next = node.next.get(c);
      }
      node = next ?? root;
      // this node's items and those of its suffixes, up to a node this walk already pushed (whose
      // suffixes it pushed with it)
      for (let o: InfixNode | null = node.items.length > 0 ? node : node.out; o !== null && o.seen !== walk; o = o.out) {
        o.seen = walk;
        for (const item of o.items) out.push(item);
      }
    }
  }
}

/**
 * The patterns of a list filed by a run of literal characters that every subject they match holds,
 * so that a subject is tried against the patterns that can match it, not against all of them
 * (thousands of patterns over thousands of paths or services): a pattern without wildcards by all
 * of it; another by its longest run of literal characters, at the start of the subject, at its end,
 * or anywhere in it for a run between wildcards (`*x*`), a run at the start or end winning a tie
 * (the start over the end). The patterns without a literal character (`*`, `?*`) are found for
 * every subject.
 */
export class LiteralIndex {
  private readonly starts = new PrefixIndex();
  private readonly ends = new PrefixIndex();
  private readonly middles = new InfixIndex();
  private readonly everywhere: number[] = [];

  get size(): number {
    return this.starts.size + this.ends.size + this.middles.size + this.everywhere.length;
  }

  /**
   * File `item`, a pattern of steps each of which matches one character of the subject, that
   * character (`chars[i]`, a literal character of the pattern), or not (undefined: a wildcard, a
   * class, a run of folders).
   */
  add(chars: readonly (string | undefined)[], item: number): void {
    const n = chars.length;
    let start = 0;
    while (start < n && chars[start] !== undefined) start++;
    if (start === n) {
      this.starts.add(chars as readonly string[], item, true);
      return;
    }
    let end = n;
    while (chars[end - 1] !== undefined) end--;
    // the longest run between the literal start and end
    let [from, to] = [start, start];
    for (let i = start; i < end; ) {
      if (chars[i] === undefined) {
        i++;
        continue;
      }
      let j = i;
      while (chars[j] !== undefined) j++;
      if (j - i > to - from) [from, to] = [i, j];
      i = j;
    }
    const longest = Math.max(start, n - end);
    if (to - from > longest) this.middles.add(chars.slice(from, to) as string[], item);
    else if (longest === 0) this.everywhere.push(item);
    else if (start >= n - end) this.starts.add(chars.slice(0, start) as string[], item);
    else this.ends.add((chars.slice(end) as string[]).reverse(), item);
  }

  /**
   * Push onto `out` the items whose run `subject` holds where they need it, and those without a
   * run. The subject is a string (its UTF-16 units are its characters) or an array of characters.
   */
  collect(subject: string | readonly string[], out: number[]): void {
    for (const item of this.everywhere) out.push(item);
    if (this.starts.size) this.starts.collect(subject, out);
    if (this.ends.size) this.ends.collect(subject, out, true);
    if (this.middles.size) this.middles.collect(subject, out);
  }
}
