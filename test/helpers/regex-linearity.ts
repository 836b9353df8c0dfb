/**
 * A small static checker for regular expressions that a backtracking engine (V8's irregexp) runs
 * in time growing faster than the input. It parses the pattern and reports three shapes:
 *
 * - nested repetition: an unbounded quantifier over a body that holds another one (`(a+)*`),
 *   unless every round of the outer one starts or ends with a character the inner ones cannot
 *   match (`(?:- +)*`: each round starts at a `-`), or alternatives of a repeated group that can start
 *   with the same character (`(a|ab)*`);
 * - neighbours: an unbounded quantifier followed, with only optional parts or parts it could match
 *   itself in between, by another unbounded quantifier over overlapping characters (`\s*,?\s*`,
 *   `.*?\s*$`): a failing match tries every split between them;
 * - unanchored retries: a pattern without `^` (or the sticky flag) is tried at every position; when
 *   an unbounded quantifier can run over the characters a match starts with and something after it
 *   can still fail (`\/+$`, `[a-z][a-z.]*:`), each try can run to the end of the input.
 *
 * Characters are sets over a sample alphabet (ASCII and a few others): an approximation, which
 * errs towards reporting. Back-references are reported as unsupported.
 */

const SAMPLE = [...Array.from({ length: 128 }, (_, i) => i), 0xa0, 0xb5, 0xe9, 0x3bc, 0x2028, 0x2029, 0xfeff, 0x1f600];
const INDEX = new Map(SAMPLE.map((c, i) => [c, i]));
type CS = bigint;
const ALL: CS = (1n << BigInt(SAMPLE.length)) - 1n;
const bit = (cp: number): CS => {
  const i = INDEX.get(cp);
  return i === undefined ? 0n : 1n << BigInt(i);
};
const range = (a: number, b: number): CS => {
  let s = 0n;
  for (const cp of SAMPLE) if (cp >= a && cp <= b) s |= bit(cp);
  return s;
};
const DIGIT = range(48, 57);
const WORD = DIGIT | range(65, 90) | range(97, 122) | bit(95);
const SPACE = bit(9) | bit(10) | bit(11) | bit(12) | bit(13) | bit(32) | bit(0xa0) | bit(0x2028) | bit(0x2029) | bit(0xfeff);
const LINE_END = bit(10) | bit(13) | bit(0x2028) | bit(0x2029);
const NON_ASCII = range(128, 0x10ffff);

type Node =
  | { t: 'chars'; set: CS }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'quant'; body: Node; min: number; max: number }
  | { t: 'assert'; caret: boolean }
  | { t: 'look'; body: Node }
  | { t: 'backref' };

class Parser {
  i = 0;
  constructor(
    readonly src: string,
    readonly flags: string,
  ) {}

  fail(why: string): never {
    throw new Error(`${why} at ${this.i} in /${this.src}/`);
  }

  alt(): Node {
    const alts = [this.seq()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.seq());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  seq(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      items.push(this.quantifier(atom));
    }
    return { t: 'seq', items };
  }

  quantifier(atom: Node): Node {
    const s = this.src;
    let min: number;
    let max: number;
    const c = s[this.i];
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (s[this.i] === '?') this.i++;
    return this.quantifier({ t: 'quant', body: atom, min, max });
  }

  atom(): Node {
    const s = this.src;
    const c = s[this.i]!;
    if (c === '(') {
      this.i++;
      let look = false;
      if (s.startsWith('?:', this.i)) this.i += 2;
      else if (s.startsWith('?=', this.i) || s.startsWith('?!', this.i)) [this.i, look] = [this.i + 2, true];
      else if (s.startsWith('?<=', this.i) || s.startsWith('?<!', this.i)) [this.i, look] = [this.i + 3, true];
      else if (s.startsWith('?<', this.i)) this.i = s.indexOf('>', this.i) + 1;
      const body = this.alt();
      if (s[this.i] !== ')') this.fail('unclosed group');
      this.i++;
      return look ? { t: 'look', body } : body;
    }
    if (c === '[') return { t: 'chars', set: this.caseFold(this.klass()) };
    this.i++;
    if (c === '.') return { t: 'chars', set: this.flags.includes('s') ? ALL : ALL & ~LINE_END };
    if (c === '^' || c === '$') return { t: 'assert', caret: c === '^' };
    if (c === '\\') {
      const e = s[this.i]!;
      if (e === 'b' || e === 'B') {
        this.i++;
        return { t: 'assert', caret: false };
      }
      if (/[1-9]/.test(e) || (e === 'k' && s[this.i + 1] === '<')) return { t: 'backref' };
      return { t: 'chars', set: this.caseFold(this.escape()) };
    }
    const cp = s.codePointAt(this.i - 1)!;
    if (cp > 0xffff) this.i++;
    return { t: 'chars', set: this.caseFold(bit(cp)) };
  }

  /** After a backslash: a class escape or one character. */
  escape(): CS {
    const s = this.src;
    const e = s[this.i++]!;
    const classes: Record<string, CS> = { d: DIGIT, D: ALL & ~DIGIT, w: WORD, W: ALL & ~WORD, s: SPACE, S: ALL & ~SPACE };
    if (e in classes) return classes[e]!;
    if (e === 'p' || e === 'P') {
      this.i = s.indexOf('}', this.i) + 1;
      return range(65, 90) | range(97, 122) | NON_ASCII;
    }
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, '0': 0 };
    if (e in simple) return bit(simple[e]!);
    if (e === 'x') {
      this.i += 2;
      return bit(parseInt(s.slice(this.i - 2, this.i), 16));
    }
    if (e === 'u') {
      if (s[this.i] === '{') {
        const end = s.indexOf('}', this.i);
        const cp = parseInt(s.slice(this.i + 1, end), 16);
        this.i = end + 1;
        return bit(cp);
      }
      this.i += 4;
      return bit(parseInt(s.slice(this.i - 4, this.i), 16));
    }
    if (e === 'c') {
      this.i++;
      return bit(s.charCodeAt(this.i - 1) % 32);
    }
    return bit(e.codePointAt(0)!);
  }

  /** One character of a class, as a code point, or a set for a class escape. */
  classAtom(): number | CS {
    const s = this.src;
    if (s[this.i] === '\\') {
      this.i++;
      const e = s[this.i]!;
      if ('dDwWsSpP'.includes(e)) return this.escape();
      if (e === 'b') {
        this.i++;
        return 8;
      }
      const set = this.escape();
      return SAMPLE[set.toString(2).length - 1] ?? -1;
    }
    const cp = s.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  klass(): CS {
    const s = this.src;
    this.i++;
    const negate = s[this.i] === '^';
    if (negate) this.i++;
    let set = 0n;
    while (s[this.i] !== ']') {
      if (this.i >= s.length) this.fail('unclosed class');
      const a = this.classAtom();
      if (typeof a === 'number' && s[this.i] === '-' && s[this.i + 1] !== ']') {
        this.i++;
        const b = this.classAtom();
        set |= typeof b === 'number' ? range(a, b) : b | bit(a) | bit(45);
      } else set |= typeof a === 'number' ? bit(a) : a;
    }
    this.i++;
    return negate ? ALL & ~set : set;
  }

  caseFold(set: CS): CS {
    if (!this.flags.includes('i')) return set;
    let out = set;
    for (let c = 65; c <= 90; c++) if (set & (bit(c) | bit(c + 32))) out |= bit(c) | bit(c + 32);
    return out;
  }
}

type Quant = Extract<Node, { t: 'quant' }>;
const unbounded = (n: Node): boolean => n.t === 'quant' && n.max > 64;

function nullable(n: Node): boolean {
  switch (n.t) {
    case 'chars':
      return false;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'quant':
      return n.min === 0 || nullable(n.body);
    default:
      return true;
  }
}

/** Every character n can match anywhere. */
function chars(n: Node): CS {
  switch (n.t) {
    case 'chars':
      return n.set;
    case 'seq':
      return n.items.reduce((s, x) => s | chars(x), 0n);
    case 'alt':
      return n.alts.reduce((s, x) => s | chars(x), 0n);
    case 'quant':
      return chars(n.body);
    default:
      return 0n;
  }
}

/** The characters a match of n can start with. */
function first(n: Node): CS {
  switch (n.t) {
    case 'chars':
      return n.set;
    case 'seq': {
      let s = 0n;
      for (const x of n.items) {
        s |= first(x);
        if (!nullable(x)) break;
      }
      return s;
    }
    case 'alt':
      return n.alts.reduce((s, x) => s | first(x), 0n);
    case 'quant':
      return first(n.body);
    default:
      return 0n;
  }
}

/** Unbounded quantifiers a match of n can begin inside: what a round starts with, and all it matches. */
function leadingRepeats(n: Node): Array<{ starts: CS; all: CS }> {
  switch (n.t) {
    case 'seq': {
      const out: Array<{ starts: CS; all: CS }> = [];
      for (const x of n.items) {
        out.push(...leadingRepeats(x));
        if (!nullable(x)) break;
      }
      return out;
    }
    case 'alt':
      return n.alts.flatMap(leadingRepeats);
    case 'quant':
      return unbounded(n) ? [{ starts: first(n.body), all: chars(n.body) }, ...leadingRepeats(n.body)] : leadingRepeats(n.body);
    default:
      return [];
  }
}

function repeatsIn(n: Node): Quant[] {
  const out: Quant[] = [];
  const visit = (x: Node) => {
    if (x.t === 'quant' && unbounded(x)) out.push(x);
    if (x.t === 'seq') x.items.forEach(visit);
    else if (x.t === 'alt') x.alts.forEach(visit);
    else if (x.t === 'quant' || x.t === 'look') visit(x.body);
  };
  visit(n);
  return out;
}

const asSeq = (n: Node): Node[] => (n.t === 'seq' ? n.items : [n]);
type Cont = Array<{ items: Node[]; from: number }>;

/** The problems of one pattern (empty when it is linear by these rules). */
export function regexProblems(source: string, flags = ''): string[] {
  const problems: string[] = [];
  let root: Node;
  try {
    const p = new Parser(source, flags);
    root = p.alt();
    if (p.i !== source.length) p.fail('unbalanced )');
  } catch (e) {
    return [`cannot read the pattern: ${(e as Error).message}`];
  }

  // what follows an unbounded quantifier over S: another one whose rounds can start with a
  // character of S, reached through parts that are optional or that both could match (M)
  const walk = (S: CS, items: Node[], from: number, cont: Cont, M = 0n): boolean => {
    for (let j = from; j < items.length; j++) {
      const x = items[j]!;
      if (leadingRepeats(x).some((q) => (q.starts & S) !== 0n && (M & ~q.all) === 0n)) return true;
      if (nullable(x)) continue;
      if ((chars(x) & ~S) !== 0n) return false;
      M |= chars(x);
    }
    return cont.length > 0 && walk(S, cont[0]!.items, cont[0]!.from, cont.slice(1), M);
  };
  const visit = (n: Node, cont: Cont) => {
    if (n.t === 'backref') problems.push('back-reference');
    if (n.t === 'alt') for (const a of n.alts) visit(a, cont);
    if (n.t === 'look') visit(n.body, []);
    if (n.t === 'quant') {
      if (n.max > 64) {
        const body = asSeq(n.body);
        const inner = repeatsIn(n.body);
        // every round starts (or ends) with a character no inner repetition can take: rounds split one way
        const delimiter = (d: Node | undefined) => d !== undefined && d.t === 'chars' && inner.every((q) => (chars(q.body) & d.set) === 0n);
        const delimited = delimiter(body[0]) || delimiter(body[body.length - 1]);
        if (inner.length > 0 && !delimited) problems.push('nested repetition');
        const alts = n.body.t === 'alt' ? n.body.alts : [];
        for (let a = 0; a < alts.length; a++) for (let b = a + 1; b < alts.length; b++) if ((first(alts[a]!) & first(alts[b]!)) !== 0n) problems.push('repeated alternatives that start alike');
        visit(n.body, []);
      } else visit(n.body, cont);
    }
    if (n.t === 'seq') {
      n.items.forEach((x, i) => {
        const rest: Cont = [{ items: n.items, from: i + 1 }, ...cont];
        if (x.t === 'quant' && unbounded(x) && walk(chars(x.body), n.items, i + 1, cont)) problems.push('neighbouring repetitions over the same characters');
        visit(x, rest);
      });
    }
  };
  visit(root, []);

  // retries at every position
  if (!flags.includes('y')) {
    const multiline = flags.includes('m');
    for (const alt of root.t === 'alt' ? root.alts : [root]) {
      if (!multiline && startsWithCaret(alt)) continue;
      const items = asSeq(alt);
      const F = retryFirst(alt);
      const tails = (x: Node): boolean => nullable(x) && !hasAssertion(x);
      const check = (items: Node[], cont: Cont) => {
        items.forEach((x, i) => {
          const rest: Cont = [{ items, from: i + 1 }, ...cont];
          if (x.t === 'quant' && unbounded(x) && (chars(x.body) & F) !== 0n) {
            const after = rest.flatMap((r) => r.items.slice(r.from));
            if (!after.every(tails)) problems.push('unanchored repetition over the characters a match starts with');
          }
          if (x.t === 'quant' || x.t === 'look') check(asSeq(x.body), x.t === 'quant' && !unbounded(x) ? rest : []);
          else if (x.t === 'alt') for (const a of x.alts) check(asSeq(a), rest);
          else if (x.t === 'seq') check(x.items, rest);
        });
      };
      check(items, []);
    }
  }
  return [...new Set(problems)];
}

/** The characters a match can start with at a position other than the input's start. */
function retryFirst(n: Node): CS {
  if (startsWithCaret(n)) return 0n;
  if (n.t === 'alt') return n.alts.reduce((s, x) => s | retryFirst(x), 0n);
  if (n.t === 'seq') {
    let s = 0n;
    for (const x of n.items) {
      s |= retryFirst(x);
      if (!retryNullable(x)) break;
    }
    return s;
  }
  return first(n);
}

/** Whether n can match nothing at a position other than the input's start (`^` cannot). */
function retryNullable(n: Node): boolean {
  if (n.t === 'assert') return !n.caret;
  if (n.t === 'seq') return n.items.every(retryNullable);
  if (n.t === 'alt') return n.alts.some(retryNullable);
  if (n.t === 'quant') return n.min === 0 || retryNullable(n.body);
  return nullable(n);
}

function startsWithCaret(n: Node): boolean {
  if (n.t === 'assert') return n.caret;
  if (n.t === 'seq') return n.items.length > 0 && startsWithCaret(n.items[0]!);
  if (n.t === 'alt') return n.alts.every(startsWithCaret);
  return false;
}

function hasAssertion(n: Node): boolean {
  if (n.t === 'assert' || n.t === 'look') return true;
  if (n.t === 'seq') return n.items.some(hasAssertion);
  if (n.t === 'alt') return n.alts.some(hasAssertion);
  if (n.t === 'quant') return hasAssertion(n.body);
  return false;
}
