/**
 * A reader for the plain shape most compose files have, without building yaml's CST and Document:
 * block mappings and sequences, plain scalars, quoted scalars on one line (double-quoted ones with
 * their escapes), literal and folded block scalars (`|`, `>`, with `-` or `+`), flow collections
 * (also over several lines, indented as yaml requires), comments at any indentation, compose's
 * `!reset` and `!override`, anchors (also on a line of their own before a collection) and aliases,
 * and a `---` before the document. It reads a file in one pass over its lines and makes only the nodes
 * the located tree is built from.
 *
 * It gives the same values and the same ranges as yaml's parser and composer (YAML 1.2, core
 * schema) on what it accepts: anything else (other tags, multi-line flow scalars, block scalars with an
 * indentation indicator, more-indented lines in a folded scalar or no content, directives, several
 * documents, tabs, CR line ends, control characters, anything yaml would report as an error
 * or warning) makes it return null, and the file is read by yaml's full parser instead.
 * test/parse/fast-yaml.test.ts holds both readers to the same tree on every corpus file.
 */

/** A node as read: what convertTree reads from yaml's nodes, under the same names (offsets as `start` and `end`). */
export type FastNode = FastScalar | FastMap | FastSeq | FastAlias;

interface FastBase {
  /** offsets into the text, as yaml's `range[0]` and `range[1]` */
  start: number;
  end: number;
  anchor?: string;
  /** compose's own tags, `!reset` and `!override` (a tagged scalar's value is its text, as yaml reads an unknown tag) */
  tag?: string;
}

export interface FastScalar extends FastBase {
  t: 'scalar';
  value: string | number | boolean | null;
  type: 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';
}

export interface FastMap extends FastBase {
  t: 'map';
  items: FastPair[];
}

export interface FastPair {
  key: FastScalar;
  value: FastNode;
}

export interface FastSeq extends FastBase {
  t: 'seq';
  items: FastNode[];
}

export interface FastAlias extends FastBase {
  t: 'alias';
  source: string;
}

/** Characters that send a file to the full parser wherever they are (tabs, CR, odd line breaks, controls). */
const OUT_OF_SUBSET = /[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\ufeff\ufffe\uffff]/;

/** Flow collections nested deeper than this go to the full parser (it bounds the depth itself). */
const MAX_FLOW_DEPTH = 32;

/** Block collections nested deeper than this go to the full parser (it bounds the depth itself). */
const MAX_BLOCK_DEPTH = 64;

/** The longest implicit key YAML allows is 1,024 characters: longer keys go to the full parser. */
const MAX_KEY_LENGTH = 1000;

/**
 * A word of a plain scalar in a block collection: characters other than a space or a `:`, and `:`
 * followed by a character other than a space. The scalar is its words and the runs of spaces
 * between them (`plainInBlock`).
 */
const PLAIN_WORD = /(?:[^\n :]|:(?=[^\n ]))*/y;
const SPACES = / +/y;
/**
 * The longest rest of a line PLAIN_WORD is run on: each character it matches holds a place on V8's
 * backtracking stack, which overflows (a RangeError) at a few million; a longer line is read
 * character by character.
 */
const MAX_PLAIN_BY_EXPRESSION = 64 * 1024;

class OutOfSubset {}
const OUT = new OutOfSubset();

/**
 * What the first character of a plain scalar says, by its code (one look-up in place of a chain of
 * comparisons, which the interpreter runs for every key and value of the first files): an indicator
 * no plain scalar starts with, one it starts with only when no space follows (`-`, `?`, `:`; a `-`
 * may start a number too), a character a null, boolean or number can start with, or any other.
 */
const NEVER = 1;
const UNLESS_SPACE_FOLLOWS = 2;
const MAY_RESOLVE = 3;
// ASCII only: any other code reads as undefined, a character of no class
const START_CLASS = new Uint8Array(128);
for (const ch of '[]{},#&*!|>%@`') START_CLASS[ch.charCodeAt(0)] = NEVER;
for (const ch of '-?:') START_CLASS[ch.charCodeAt(0)] = UNLESS_SPACE_FOLLOWS;
for (const ch of '~nNtTfF+.0123456789') START_CLASS[ch.charCodeAt(0)] = MAY_RESOLVE;

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const NL = 10;

/**
 * The scalar value of a plain scalar under yaml's core schema (YAML 1.2): null, booleans, integers
 * (decimal, `0o` octal, `0x` hex), floats (`.inf`, `.nan`, exponents), else the string.
 */
export function resolvePlain(s: string): string | number | boolean | null {
  // only `~ n N t T f F + - .` and digits can start anything but a string
  const c = s.charCodeAt(0);
  if (START_CLASS[c] !== MAY_RESOLVE && c !== DASH) return s;
  if (/^(?:~|[Nn]ull|NULL)$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

interface Frame {
  kind: 'map' | 'seq';
  indent: number;
  node: FastMap | FastSeq;
  /** a key (or `-`) whose value starts on a later line, or is empty */
  pending: boolean;
  pendingKey: FastScalar | null;
  pendingAnchor: string | undefined;
  pendingTag: string | undefined;
  /** the pending anchor is written on a line of its own (then a collection must follow) */
  anchorLine: boolean;
  /** where yaml puts the empty scalar when no value follows */
  emptyAt: number;
  /**
   * the pending item is a `-` with comment lines before it (they are the item's own in yaml's
   * parse): when it stays empty, the sequence ends where the next line's content starts
   */
  commented: boolean;
}

/**
 * Whether `text` is only comment lines and blank lines, written with spaces and printable ASCII:
 * a stream that holds no document, as yaml reads it (without an error or a warning), and docker
 * too (no tab, no line break of its own). Other texts without a document go to yaml.
 */
export function onlyPlainComments(text: string): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    let c = text.charCodeAt(i);
    while (c === 32) c = text.charCodeAt(++i);
    if (c === 35) for (c = text.charCodeAt(++i); c >= 32 && c <= 126; c = text.charCodeAt(++i));
    if (i === n) return true;
    if (c !== 10) return false;
    i++;
  }
  return true;
}

/**
 * The document of `text` as a tree of nodes, or null when the text is outside what this reader
 * takes (the caller then uses yaml's parser). The document must be one block mapping at column 0.
 */
export function readFastYaml(text: string): FastMap | null {
  if (OUT_OF_SUBSET.test(text)) return null;
  try {
    return new FastReader(text).read();
  } catch (e) {
    if (e === OUT) return null;
    throw e;
  }
}

class FastReader {
  private readonly stack: Frame[] = [];
  private root: FastMap | null = null;
  /** the end of the last line with content (after its line break) */
  private lastLineEnd = 0;
  /** When the last line with content ended in an empty value: where the collection that closes on it ends; else null. */
  private lastEmpty: number | null = null;
  /** the deepest indentation of the comment lines since the last line with content (-1: none) */
  private commentIndent = -1;
  /*
   * Comment lines between two lines with content, as yaml's parser files them (the ends of the
   * collections that close depend on it). After a value written on its line (a scalar, an alias, a
   * flow collection: not a block scalar or an empty value), each comment line indented deeper than
   * the collection holding that value is part of the value's end, until a comment line that is not
   * as deep: it and every comment and blank line after it are left over (`kept`). The collection
   * then ends after the value's last such comment line. Each collection that closes before the next
   * line with content passes the left-over lines out to the one around it, unless one of their
   * comments is indented as deep as it or deeper (and it is not at column 0): that collection keeps
   * them, and the collection around it ends where the next line's content starts (or at the end of
   * the text), as yaml's ranges do.
   */
  /** the last line with content ended in an empty value (a key or `-` whose value may follow): comment lines are its own */
  private afterEmpty = false;
  /** comment lines may still join the value on the last line with content */
  private joining = false;
  /** the end of the last comment line that joined that value (after its line break; -1: none) */
  private joinedEnd = -1;
  /** the deepest indentation of the left-over comment lines (-1: none) */
  private keptIndent = -1;
  /** where the left-over lines end: the next line's content, or the end of the text */
  private keptEnd = 0;
  /** where the collection closed last (in closing several at one line) ends for the one around it (-1: none closed yet) */
  private closedEnd = -1;
  /** the end of the line being read (before its line break) */
  private eol = 0;
  /** anchors whose node is complete: an alias may refer to them */
  private readonly anchors = new Set<string>();
  /** every anchor name met */
  private readonly defined = new Set<string>();
  /** after a block scalar: where the next line to read starts (-1: after the line just read) */
  private resume = -1;
  /** the indentation of the block collection that holds the flow collection being read */
  private flowIndent = 0;
  /** a `---` line was read (before the document) */
  private marker = false;

  constructor(private readonly text: string) {}

  read(): FastMap | null {
    const text = this.text;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      let eol = text.indexOf('\n', pos);
      if (eol < 0) eol = len;
      const lineEnd = eol < len ? eol + 1 : len;
      let i = pos;
      while (i < eol && text.charCodeAt(i) === SPACE) i++;
      if (i === eol || text.charCodeAt(i) === HASH) {
        if (i < eol) this.comment(i - pos, lineEnd);
        pos = lineEnd;
        continue;
      }
      this.eol = eol;
      if (i === pos && this.documentStart(i)) {
        pos = lineEnd;
        continue;
      }
      this.keptEnd = i;
      this.line(i, i - pos);
      // a block scalar read the lines of its content, a flow collection may end on a later line
      const next = this.resume >= 0 ? this.resume : this.eol < len ? this.eol + 1 : len;
      const top = this.stack[this.stack.length - 1];
      this.afterEmpty = top?.pending === true;
      this.joining = this.resume < 0 && !this.afterEmpty;
      this.resume = -1;
      this.lastLineEnd = next;
      this.lastEmpty = null;
      this.commentIndent = -1;
      this.joinedEnd = -1;
      this.keptIndent = -1;
      this.closedEnd = -1;
      pos = next;
    }
    this.keptEnd = len;
    while (this.stack.length > 0) this.close();
    return this.root;
  }

  /** A comment line indented by `indent` that ends at `lineEnd` (see `joining`). */
  private comment(indent: number, lineEnd: number): void {
    this.commentIndent = Math.max(this.commentIndent, indent);
    if (this.afterEmpty) return;
    if (this.joining && indent > this.stack[this.stack.length - 1]!.indent) this.joinedEnd = lineEnd;
    else {
      this.joining = false;
      this.keptIndent = Math.max(this.keptIndent, indent);
    }
  }

  /**
   * Whether the line at `i` is a `---` that starts the document (before any content, alone on its
   * line or before a comment); another `---` or `...` goes to the full parser (in `line`).
   */
  private documentStart(i: number): boolean {
    const text = this.text;
    if (this.root || this.marker || !text.startsWith('---', i)) return false;
    const after = this.skipSpaces(i + 3);
    if (after !== this.eol && !(text.charCodeAt(after) === HASH && after > i + 3)) throw OUT;
    this.marker = true;
    return true;
  }

  private isSeqItem(i: number): boolean {
    if (this.text.charCodeAt(i) !== DASH) return false;
    const n = i + 1;
    return n === this.eol || this.text.charCodeAt(n) === SPACE;
  }

  private line(i: number, indent: number): void {
    const text = this.text;
    if (indent === 0 && (text.startsWith('---', i) || text.startsWith('...', i))) throw OUT;
    const stack = this.stack;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.pending) {
        if (indent > top.indent || (top.kind === 'map' && indent === top.indent && this.isSeqItem(i))) break;
        this.resolveEmpty(top);
      }
      if (indent < top.indent || (indent === top.indent && top.kind === 'seq' && !this.isSeqItem(i))) {
        this.close();
        continue;
      }
      break;
    }
    const top = stack[stack.length - 1];
    if (top?.pending && indent > top.indent) {
      const c = text.charCodeAt(i);
      if (c === 38 /* & */) {
        this.anchorLine(top, i);
        return;
      }
      if (c === 91 /* [ */ || c === 123 /* { */) {
        // a flow collection on the lines below its key (or `-`)
        if (top.pendingAnchor !== undefined || top.pendingTag !== undefined) throw OUT;
        this.flowIndent = top.indent;
        const node = this.flow(i, 0);
        this.endOfLine(node.end);
        this.give(top, node);
        return;
      }
    }
    if (stack.length === 0) {
      if (this.root || indent !== 0) throw OUT;
      this.root = { t: 'map', items: [], start: i, end: i };
      stack.push(frame('map', 0, this.root));
    } else {
      const top = stack[stack.length - 1]!;
      if (top.pending) {
        const seq = this.isSeqItem(i);
        const node: FastMap | FastSeq = seq ? { t: 'seq', items: [], start: i, end: i } : { t: 'map', items: [], start: i, end: i };
        this.give(top, node);
        stack.push(frame(seq ? 'seq' : 'map', indent, node));
      } else if (indent !== top.indent) throw OUT;
    }
    this.content(i);
  }

  /**
   * An anchor alone on its line (`key:` then `&name` below it): it names the collection that
   * starts on the next line.
   */
  private anchorLine(f: Frame, i: number): void {
    const text = this.text;
    let e = i + 1;
    while (e < this.eol && text.charCodeAt(e) !== SPACE) e++;
    const anchor = text.slice(i + 1, e);
    if (f.pendingAnchor !== undefined || this.skipSpaces(e) !== this.eol || !/^[A-Za-z0-9_-]+$/.test(anchor) || this.defined.has(anchor)) throw OUT;
    this.defined.add(anchor);
    f.pendingAnchor = anchor;
    f.anchorLine = true;
  }

  /** The line's content at `i`, in the frame on top of the stack. */
  private content(i: number): void {
    // deeper block nesting than a compose file has: the full parser bounds it and says so
    if (this.stack.length > MAX_BLOCK_DEPTH) throw OUT;
    const top = this.stack[this.stack.length - 1]!;
    if (top.kind === 'seq') {
      if (!this.isSeqItem(i)) throw OUT;
      const j = this.skipSpaces(i + 1);
      if (this.keyAhead(j)) {
        const map: FastMap = { t: 'map', items: [], start: j, end: j };
        (top.node as FastSeq).items.push(map);
        const f = frame('map', j - this.lineStart(j), map);
        this.stack.push(f);
        this.keyLine(f, j);
        return;
      }
      this.value(top, null, j);
      return;
    }
    this.keyLine(top, i);
  }

  private lineStart(i: number): number {
    return this.text.lastIndexOf('\n', i - 1) + 1;
  }

  private keyLine(f: Frame, i: number): void {
    if (this.plainPair(f, i)) return;
    const key = this.scalar(i, false, true);
    // spaces may come between a key and its `:` (the `:` at most 1,000 characters from the key's start)
    const afterKey = this.skipSpaces(key.end);
    if (this.text.charCodeAt(afterKey) !== COLON || afterKey - i > MAX_KEY_LENGTH) throw OUT;
    const after = afterKey + 1;
    if (after !== this.eol && this.text.charCodeAt(after) !== SPACE) throw OUT;
    this.value(f, key, this.skipSpaces(after));
  }

  /**
   * The line's most common shape, read in one place: a plain key, `: `, and a plain value that ends
   * the line (before a comment or not). What the general way (scalar, value, inlineValue, endOfLine)
   * would make of it, with fewer calls and checks: the first files run in V8's interpreter, where each
   * costs. False, having read nothing, for any other shape (the general way then reads the line).
   */
  private plainPair(f: Frame, i: number): boolean {
    const text = this.text;
    const eol = this.eol;
    if (eol - i > MAX_PLAIN_BY_EXPRESSION || !startsPlain(text.charCodeAt(i))) return false;
    const keyEnd = this.plainInBlock(i);
    if (keyEnd === i || keyEnd - i > MAX_KEY_LENGTH || text.charCodeAt(keyEnd) !== COLON || text.charCodeAt(keyEnd + 1) !== SPACE) return false;
    let j = keyEnd + 2;
    while (j < eol && text.charCodeAt(j) === SPACE) j++;
    if (j === eol || !startsPlain(text.charCodeAt(j))) return false;
    const end = this.plainInBlock(j);
    let k = end;
    while (k < eol && text.charCodeAt(k) === SPACE) k++;
    // the value ends the line, or a comment after a space does
    if (end === j || (k !== eol && !(text.charCodeAt(k) === HASH && k > end))) return false;
    const key: FastScalar = { t: 'scalar', value: resolvePlain(text.slice(i, keyEnd)), type: 'PLAIN', start: i, end: keyEnd };
    this.flowIndent = f.indent;
    (f.node as FastMap).items.push({ key, value: { t: 'scalar', value: resolvePlain(text.slice(j, end)), type: 'PLAIN', start: j, end } });
    return true;
  }

  /** Whether a mapping key starts at `i` (a scalar followed by `:`, after spaces or not, and a space or the line's end). */
  private keyAhead(i: number): boolean {
    const c = this.text.charCodeAt(i);
    if (i >= this.eol || c === HASH || c === 38 /* & */ || c === 42 /* * */ || c === 91 || c === 123) return false;
    let key: FastScalar;
    try {
      key = this.scalar(i, false, true);
    } catch (e) {
      if (e === OUT) return false;
      throw e;
    }
    const at = this.skipSpaces(key.end);
    return this.text.charCodeAt(at) === COLON && (at + 1 === this.eol || this.text.charCodeAt(at + 1) === SPACE);
  }

  /** The value after a key's `:` (key set) or a `-` (key null), starting at `j`. */
  private value(f: Frame, key: FastScalar | null, j: number): void {
    const text = this.text;
    let tag: string | undefined;
    if (text.charCodeAt(j) === 33 /* ! */) {
      let e = j + 1;
      while (e < this.eol && text.charCodeAt(e) !== SPACE) e++;
      tag = text.slice(j, e);
      // compose's own tags; yaml warns about any other (and an anchor with a tag is left to it)
      if (tag !== '!reset' && tag !== '!override') throw OUT;
      j = this.skipSpaces(e);
      if (text.charCodeAt(j) === 38 /* & */ || text.charCodeAt(j) === 42 /* * */) throw OUT;
    }
    let anchor: string | undefined;
    if (text.charCodeAt(j) === 38 /* & */) {
      let e = j + 1;
      while (e < this.eol && text.charCodeAt(e) !== SPACE) e++;
      anchor = text.slice(j + 1, e);
      // a name defined twice goes to the full parser; a collection's name counts once it is closed
      if (!/^[A-Za-z0-9_-]+$/.test(anchor) || this.defined.has(anchor)) throw OUT;
      this.defined.add(anchor);
      j = this.skipSpaces(e);
    }
    if (j === this.eol || text.charCodeAt(j) === HASH) {
      // the value is on the next lines, or empty
      f.pending = true;
      f.pendingKey = key;
      f.pendingAnchor = anchor;
      f.pendingTag = tag;
      f.emptyAt = j;
      f.commented = key === null && this.keptIndent >= 0;
      return;
    }
    const c = text.charCodeAt(j);
    let node: FastNode;
    if (c === 124 /* | */ || c === 62 /* > */) {
      if (tag !== undefined) throw OUT;
      node = this.blockScalar(f, j);
      if (anchor !== undefined) node.anchor = anchor;
    } else {
      this.flowIndent = f.indent;
      node = this.inlineValue(j, anchor);
      this.endOfLine(node.end);
      if (tag !== undefined) tagged(node as FastScalar | FastMap | FastSeq, tag, text);
    }
    if (anchor !== undefined) this.anchors.add(anchor);
    if (f.kind === 'map') (f.node as FastMap).items.push({ key: key!, value: node });
    else (f.node as FastSeq).items.push(node);
  }

  /** A value written on the key's (or the dash's) line. */
  private inlineValue(j: number, anchor: string | undefined): FastNode {
    const c = this.text.charCodeAt(j);
    let node: FastNode;
    if (c === 42 /* * */) {
      if (anchor !== undefined) throw OUT;
      return this.alias(j, false);
    }
    if (c === 91 /* [ */ || c === 123 /* { */) node = this.flow(j, 0);
    else node = this.scalar(j, false, false);
    if (anchor !== undefined) node.anchor = anchor;
    return node;
  }

  /** An alias at `j` of an anchor whose node is complete. */
  private alias(j: number, flow: boolean): FastAlias {
    let e = j + 1;
    while (e < this.eol) {
      const c = this.text.charCodeAt(e);
      if (c === SPACE || (flow && isFlowIndicator(c))) break;
      e++;
    }
    const name = this.text.slice(j + 1, e);
    if (!this.anchors.has(name) || !/^[A-Za-z0-9_-]+$/.test(name)) throw OUT;
    return { t: 'alias', source: name, start: j, end: e };
  }

  /** Only spaces and a comment may follow a value on its line. */
  private endOfLine(at: number): void {
    const e = this.skipSpaces(at);
    if (e === this.eol) return;
    if (this.text.charCodeAt(e) === HASH && e > at) return;
    throw OUT;
  }

  private skipSpaces(i: number): number {
    const text = this.text;
    const eol = this.eol;
    while (i < eol && text.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /**
   * A scalar at `i`: quoted (on this line; the escapes of double quotes read) or plain. A plain scalar ends before
   * ` #`, before a `:` followed by a space (or the line's end, or in flow a flow indicator) and, in
   * flow, before `,[]{}`; a value (not a key) that holds such a `:` is left to the full parser.
   */
  private scalar(i: number, flow: boolean, isKey: boolean): FastScalar {
    const text = this.text;
    const eol = this.eol;
    const c = text.charCodeAt(i);
    if (c === 39 /* ' */) {
      let e = i + 1;
      let value = '';
      let from = e;
      for (;;) {
        e = text.indexOf("'", e);
        if (e < 0 || e >= eol) throw OUT;
        if (text.charCodeAt(e + 1) === 39) {
          value += text.slice(from, e + 1);
          e += 2;
          from = e;
          continue;
        }
        break;
      }
      value += text.slice(from, e);
      if (isKey && e + 1 - i > MAX_KEY_LENGTH) throw OUT;
      return { t: 'scalar', value, type: 'QUOTE_SINGLE', start: i, end: e + 1 };
    }
    if (c === 34 /* " */) {
      let e = text.indexOf('"', i + 1);
      if (e < 0 || e >= eol) throw OUT;
      // a backslash before the first `"` starts an escape (the `"` found may be an escaped one);
      // searched for only up to that `"`, so that reading stays linear in the file
      let b = i + 1;
      while (b < e && text.charCodeAt(b) !== 92 /* \ */) b++;
      let value: string;
      if (b === e) value = text.slice(i + 1, e);
      else ({ value, end: e } = this.escaped(i + 1, b));
      if (isKey && e + 1 - i > MAX_KEY_LENGTH) throw OUT;
      return { t: 'scalar', value, type: 'QUOTE_DOUBLE', start: i, end: e + 1 };
    }
    // a plain scalar cannot start with an indicator (`-`, `?`, `:` only when a space follows)
    const start = START_CLASS[c];
    if (start === NEVER) throw OUT;
    if (start === UNLESS_SPACE_FOLLOWS) {
      const n = text.charCodeAt(i + 1);
      if (i + 1 >= eol || n === SPACE || (flow && isFlowIndicator(n))) throw OUT;
    }
    let end: number;
    if (!flow && eol - i <= MAX_PLAIN_BY_EXPRESSION) {
      end = this.plainInBlock(i);
      // a value followed by `: ` holds a `:` a value cannot
      if (!isKey && text.charCodeAt(this.skipSpaces(end)) === COLON) throw OUT;
    } else end = this.plainByCharacters(i, isKey, flow);
    if (end === i) throw OUT;
    if (isKey && end - i > MAX_KEY_LENGTH) throw OUT;
    const s = text.slice(i, end);
    return { t: 'scalar', value: resolvePlain(s), type: 'PLAIN', start: i, end: end };
  }

  /**
   * Where a plain scalar in a block collection that starts at `i` ends (see `scalar`): after its
   * last word, before spaces followed by `#`, the line's end, or a `:` followed by a space or the
   * line's end. Its words are read by a regular expression (V8 runs it as machine code, where a
   * loop over the characters runs in the interpreter until the code is hot), most scalars in one.
   */
  private plainInBlock(i: number): number {
    const text = this.text;
    let end = i;
    for (;;) {
      PLAIN_WORD.lastIndex = end;
      PLAIN_WORD.test(text);
      end = PLAIN_WORD.lastIndex;
      if (text.charCodeAt(end) !== SPACE) return end;
      SPACES.lastIndex = end;
      SPACES.test(text);
      const next = SPACES.lastIndex;
      const c = text.charCodeAt(next);
      if (next >= this.eol || c === HASH) return end;
      if (c === COLON && (next + 1 >= this.eol || text.charCodeAt(next + 1) === SPACE)) return end;
      end = next;
    }
  }

  /** Where a plain scalar that starts at `i` ends (see `scalar`): in a flow collection, or on a line too long for `plainInBlock`. */
  private plainByCharacters(i: number, isKey: boolean, flow: boolean): number {
    const text = this.text;
    const eol = this.eol;
    let e = i;
    let end = i;
    while (e < eol) {
      const ch = text.charCodeAt(e);
      if (ch === SPACE) {
        if (text.charCodeAt(e + 1) === HASH) break;
        e++;
        continue;
      }
      if (ch === COLON) {
        const n = text.charCodeAt(e + 1);
        if (e + 1 >= eol || n === SPACE || (flow && isFlowIndicator(n))) {
          if (isKey) break;
          throw OUT;
        }
      }
      if (flow && isFlowIndicator(ch)) break;
      e++;
      end = e;
    }
    return end;
  }

  /**
   * The value of a double-quoted scalar whose text starts at `from` and has a backslash at `b`,
   * and where its closing quote is: YAML's escapes, on one line (a backslash at the line's end
   * continues the scalar on the next line: left to the full parser, as unknown escapes are).
   */
  private escaped(from: number, b: number): { value: string; end: number } {
    const text = this.text;
    let value = text.slice(from, b);
    let i = b;
    for (;;) {
      if (i >= this.eol) throw OUT;
      const ch = text.charCodeAt(i);
      if (ch === 34 /* " */) return { value, end: i };
      if (ch !== 92 /* \ */) {
        value += text[i];
        i++;
        continue;
      }
      const next = text[i + 1];
      if (i + 1 >= this.eol || next === undefined) throw OUT;
      const simple = ESCAPES[next];
      if (simple !== undefined) {
        value += simple;
        i += 2;
        continue;
      }
      const length = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      const hex = text.slice(i + 2, i + 2 + length);
      if (length === 0 || i + 2 + length > this.eol || !/^[0-9a-fA-F]+$/.test(hex)) throw OUT;
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw OUT;
      value += String.fromCodePoint(code);
      i += 2 + length;
    }
  }

  /**
   * A block scalar whose header (`|` or `>`, then `-` or `+`) is at `j`; its content is the lines
   * below indented deeper than `f`. Returns the scalar; `resume` is set to where reading goes on.
   */
  private blockScalar(f: Frame, j: number): FastScalar {
    const text = this.text;
    const len = text.length;
    const folded = text.charCodeAt(j) === 62;
    let h = j + 1;
    const chomp = text.charCodeAt(h);
    const keep = chomp === 43; /* + */
    const strip = chomp === 45; /* - */
    if (keep || strip) h++;
    if (h !== this.eol) {
      // an indentation indicator, or anything but a comment after the header
      if (text.charCodeAt(h) !== SPACE) throw OUT;
      const k = this.skipSpaces(h);
      if (k !== this.eol && text.charCodeAt(k) !== HASH) throw OUT;
    }
    if (this.eol >= len) throw OUT;
    /** the content's indentation, from its first line with text */
    let n = -1;
    /** the lines of the content without their indentation ('' for empty lines) */
    const lines: string[] = [];
    let leadingBlank = 0;
    /** the end of the last line with text (after its line break) */
    let lastText = -1;
    let textLines = 0;
    let p = this.eol + 1;
    let blankEnd = p;
    while (p < len) {
      let e = text.indexOf('\n', p);
      if (e < 0) e = len;
      let s = p;
      while (s < e && text.charCodeAt(s) === SPACE) s++;
      const ind = s - p;
      const lineEnd = e < len ? e + 1 : len;
      if (s === e) {
        if (n < 0) leadingBlank = Math.max(leadingBlank, ind);
        else if (ind > n) throw OUT;
        // spaces on a last line without a line break are no kept blank line for yaml: left to it
        if (e === len && s > p) throw OUT;
        lines.push('');
        p = blankEnd = lineEnd;
        continue;
      }
      if (n < 0) {
        if (ind <= f.indent) break;
        n = ind;
        if (leadingBlank > n) throw OUT;
      }
      if (ind < n) break;
      const line = text.slice(p + n, e);
      // a more-indented line in a folded scalar keeps its line breaks: left to the full parser
      if (folded && ind > n) throw OUT;
      lines.push(line);
      textLines = lines.length;
      p = blankEnd = lastText = lineEnd;
    }
    // no content (yaml's range of an empty block scalar depends on the blank lines after it)
    if (n < 0) throw OUT;
    const trailing = lines.length - textLines;
    lines.length = textLines;
    let value = folded ? fold(lines) : lines.join('\n');
    if (!strip) value += '\n';
    if (keep) value += '\n'.repeat(trailing);
    const end = keep ? blankEnd : lastText;
    this.resume = end;
    return { t: 'scalar', value, type: folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL', start: j, end };
  }

  /**
   * A flow collection that opens at `i`. It may go on over later lines: each with its content
   * indented deeper than the block collection that holds it (`flowIndent`; the closing bracket of
   * the outermost one may be at that indentation, as yaml allows), its items each on one line,
   * comments after items; a scalar that goes on over a line break is left to the full parser.
   */
  private flow(i: number, depth: number): FastMap | FastSeq {
    if (depth > MAX_FLOW_DEPTH) throw OUT;
    const text = this.text;
    const isSeq = text.charCodeAt(i) === 91;
    const close = isSeq ? 93 : 125;
    const node: FastMap | FastSeq = isSeq ? { t: 'seq', items: [], start: i, end: i } : { t: 'map', items: [], start: i, end: i };
    let j = this.flowSpace(i + 1, depth);
    if (text.charCodeAt(j) === close) {
      node.end = j + 1;
      return node;
    }
    for (;;) {
      if (isSeq) {
        const item = this.flowItem(j, depth);
        (node as FastSeq).items.push(item);
        j = this.flowSpace(item.end, depth);
        if (text.charCodeAt(j) === COLON) throw OUT;
      } else {
        const key = this.scalar(j, true, true);
        if (text.charCodeAt(key.end) !== COLON) throw OUT;
        const v = key.end + 1;
        if (text.charCodeAt(v) !== SPACE) throw OUT;
        const value = this.flowItem(this.skipSpaces(v), depth);
        (node as FastMap).items.push({ key, value });
        j = this.flowSpace(value.end, depth);
      }
      const c = text.charCodeAt(j);
      if (c === close) {
        node.end = j + 1;
        return node;
      }
      if (c !== 44 /* , */) throw OUT;
      j = this.flowSpace(j + 1, depth);
      // a comma may end the items
      if (text.charCodeAt(j) === close) {
        node.end = j + 1;
        return node;
      }
    }
  }

  /**
   * The next token of a flow collection from `i`: past spaces, a comment and line breaks (the
   * line read, `eol`, moves on). A later line must be indented deeper than the block collection
   * around the flow; a line that starts with the outermost closing bracket may be at its indentation.
   */
  private flowSpace(i: number, depth: number): number {
    const text = this.text;
    let j = this.skipSpaces(i);
    for (;;) {
      if (j < this.eol) {
        if (text.charCodeAt(j) !== HASH) return j;
        // a comment needs a space before it
        if (j === i) throw OUT;
      }
      // the next line
      const len = text.length;
      if (this.eol >= len) throw OUT;
      const from = this.eol + 1;
      let eol = text.indexOf('\n', from);
      if (eol < 0) eol = len;
      this.eol = eol;
      i = from;
      j = this.skipSpaces(from);
      if (j === eol || text.charCodeAt(j) === HASH) continue;
      const indent = j - from;
      const c = text.charCodeAt(j);
      if (indent <= this.flowIndent && !(indent === this.flowIndent && depth === 0 && (c === 93 || c === 125))) throw OUT;
      return j;
    }
  }

  private flowItem(j: number, depth: number): FastNode {
    const c = this.text.charCodeAt(j);
    if (j >= this.eol || c === 44 || c === 93 || c === 125 || c === 38 || c === HASH) throw OUT;
    if (c === 42) return this.alias(j, true);
    if (c === 91 || c === 123) return this.flow(j, depth + 1);
    return this.scalar(j, true, false);
  }

  /** The pending value of `f` is empty: yaml's empty scalar where the value would have started. */
  private resolveEmpty(f: Frame): void {
    // an anchor on a line of its own names a collection: yaml's range of an empty value is left to it
    if (f.anchorLine) throw OUT;
    // a comment on its line, on the lines after it or (for a `-`) before it makes yaml's empty
    // scalar reach over every line up to the next content
    const commented = f.commented || this.commentIndent >= 0 || (f.emptyAt !== this.text.length && this.text.charCodeAt(f.emptyAt) !== NL);
    this.lastEmpty = commented ? this.keptEnd : f.emptyAt;
    if (f.pendingAnchor !== undefined) this.anchors.add(f.pendingAnchor);
    // a tagged empty value is the empty string (yaml resolves no unknown tag)
    this.give(f, { t: 'scalar', value: f.pendingTag !== undefined ? '' : null, type: 'PLAIN', start: f.emptyAt, end: f.emptyAt });
  }

  /** `node` (with the pending anchor) is the value of `f`'s pending key or item. */
  private give(f: Frame, node: FastNode): void {
    if (f.pendingAnchor !== undefined) node.anchor = f.pendingAnchor;
    if (f.pendingTag !== undefined) node.tag = f.pendingTag;
    if (f.kind === 'map') (f.node as FastMap).items.push({ key: f.pendingKey!, value: node });
    else (f.node as FastSeq).items.push(node);
    f.pending = false;
    f.pendingKey = null;
    f.pendingAnchor = undefined;
    f.pendingTag = undefined;
    f.anchorLine = false;
    f.commented = false;
  }

  /**
   * Where a collection that closes now ends, as yaml has it: after its last line (and the comment
   * lines that joined its last value), at the empty value that ends it (or where the next content
   * starts, see resolveEmpty), or where the left-over comment lines kept by a collection inside it
   * end (see `joining`).
   */
  private endOf(f: Frame): number {
    if (this.lastEmpty !== null) return this.lastEmpty;
    const end = this.closedEnd >= 0 ? this.closedEnd : this.joinedEnd >= 0 ? this.joinedEnd : this.lastLineEnd;
    if (this.keptIndent >= 0 && f.indent > 0 && this.keptIndent >= f.indent) {
      this.closedEnd = this.keptEnd;
      this.keptIndent = -1;
    } else this.closedEnd = end;
    return end;
  }

  private close(): void {
    const f = this.stack.pop()!;
    if (f.pending) this.resolveEmpty(f);
    f.node.end = this.endOf(f);
    if (f.node.anchor !== undefined) this.anchors.add(f.node.anchor);
  }
}

/** `node` with compose's tag on it: a plain scalar's value is then its text, not a number, boolean or null. */
function tagged(node: FastScalar | FastMap | FastSeq, tag: string, text: string): void {
  node.tag = tag;
  if (node.t === 'scalar' && node.type === 'PLAIN') node.value = text.slice(node.start, node.end);
}

function frame(kind: 'map' | 'seq', indent: number, node: FastMap | FastSeq): Frame {
  return { kind, indent, node, pending: false, pendingKey: null, pendingAnchor: undefined, pendingTag: undefined, anchorLine: false, emptyAt: 0, commented: false };
}

/** The one-character escapes of double-quoted scalars (YAML 1.2; a tab never reaches here). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

/**
 * The lines of a folded scalar (none more indented) as one: lines next to each other are joined by
 * a space, and each empty line between them is a line break (leading empty lines too).
 */
function fold(lines: readonly string[]): string {
  let out = '';
  let blanks = 0;
  let started = false;
  for (const l of lines) {
    if (l === '') {
      blanks++;
      continue;
    }
    if (started) out += blanks > 0 ? '\n'.repeat(blanks) : ' ';
    else out += '\n'.repeat(blanks);
    out += l;
    blanks = 0;
    started = true;
  }
  return out;
}

/** Whether a plain scalar may start with this character whatever follows (not a quote, an indicator, `-`, `?` or `:`). */
function startsPlain(c: number): boolean {
  const k = START_CLASS[c];
  return k !== NEVER && k !== UNLESS_SPACE_FOLLOWS && c !== 39 && c !== 34;
}

function isFlowIndicator(c: number): boolean {
  return c === 44 || c === 91 || c === 93 || c === 123 || c === 125;
}
