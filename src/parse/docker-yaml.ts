/**
 * Where docker's YAML reader (Go's yaml.v3, a YAML 1.1 reader) and ours (YAML 1.2) read the same
 * bytes differently, and what we do about it so that stackopt sees what docker deploys:
 *
 * - U+2028, U+2029 and U+0085 are line breaks for docker: a `# comment` ends there and what follows
 *   is read as a new line of YAML. The parser is given a line feed in their place (one UTF-16 unit
 *   for one, so every offset stays), and each one is reported, since an editor shows one line.
 * - A lone CR ends a line for docker (and for YAML 1.2), not for our parser: it gets a line feed
 *   in its place too; `SourceFile` counts lone CRs as line ends, as editors do.
 * - docker refuses a tab where a token may start in block context: in the indentation of a line
 *   (even a blank or comment line) and right after a block `-`, `?` or a complex key's `:`. Our
 *   parser accepts several of those; each is an error at the tab.
 * - docker refuses anchor and alias names with characters other than letters, digits, `-` and `_`
 *   (YAML 1.2 allows `&a.b`): an error at the first `&name`/`*name` of each such name.
 */
import type { CST } from 'yaml';

export interface DockerReadingIssue {
  severity: 'error' | 'warning';
  message: string;
  start: number;
  end: number;
}

const BREAK_NAMES: Record<string, string> = {
  '\u2028': 'U+2028 (LINE SEPARATOR)',
  '\u2029': 'U+2029 (PARAGRAPH SEPARATOR)',
  '\u0085': 'U+0085 (NEXT LINE)',
};

const ODD_BREAK = /[\r\u2028\u2029\u0085]/;

/**
 * The text our parser is given: docker's line breaks (U+2028, U+2029, U+0085, a CR not followed by
 * a LF) replaced by a LF, offset for offset. The same string when there is none.
 */
export function dockerLineBreaks(text: string): { text: string; issues: DockerReadingIssue[] } {
  const issues: DockerReadingIssue[] = [];
  if (!ODD_BREAK.test(text)) return { text, issues };
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\r') {
      if (text[i + 1] === '\n') continue;
    } else if (!(c in BREAK_NAMES)) continue;
    out += text.slice(from, i) + '\n';
    from = i + 1;
    if (c !== '\r') {
      issues.push({
        severity: 'warning',
        message: `${BREAK_NAMES[c]} is a line break for docker's YAML reader: docker reads what follows it as a new line (a comment ends there), and so does stackopt; an editor shows one line, so write a real line break or remove it`,
        start: i,
        end: i + 1,
      });
    }
  }
  return { text: out + text.slice(from), issues };
}

const ANCHOR_NAME = /^[A-Za-z0-9_-]+$/;
/** A `&` or `*` followed by name characters and one docker refuses: only then are anchors looked at. */
const ODD_ANCHOR = /[&*][A-Za-z0-9_-]*[^A-Za-z0-9_\-\s,[\]{}]/;

/**
 * The errors docker's reader raises on a document our parser read without error: tabs where docker
 * refuses them, anchor names it refuses. `tokens` are the parser's CST tokens of the whole text.
 */
export function dockerTokenIssues(tokens: readonly CST.Token[], text: string): DockerReadingIssue[] {
  const checkTabs = text.includes('\t');
  const checkAnchors = ODD_ANCHOR.test(text);
  if (!checkTabs && !checkAnchors) return [];
  const issues: DockerReadingIssue[] = [];
  const seenNames = new Set<string>();
  let prev: CST.SourceToken | null = null;
  forEachSourceToken(tokens, (tok, flow) => {
    if (checkAnchors && (tok.type === 'anchor' || (tok.type as string) === 'alias')) {
      const name = tok.source.slice(1);
      if (!ANCHOR_NAME.test(name) && !seenNames.has(name)) {
        seenNames.add(name);
        issues.push({
          severity: 'error',
          message: `${tok.type} name "${name}" has a character docker's YAML reader refuses ("did not find expected alphabetic or numeric character"): anchor names may hold only letters, digits, "-" and "_"`,
          start: tok.offset,
          end: tok.offset + tok.source.length,
        });
      }
    }
    if (checkTabs && tok.type === 'space' && !flow && tok.source.includes('\t')) {
      const tab = tok.offset + tok.source.indexOf('\t');
      const after = prev && (prev.type === 'seq-item-ind' || prev.type === 'explicit-key-ind' || (prev.type === 'map-value-ind' && startsLine(text, prev.offset))) ? prev.source : null;
      if (after !== null || startsLine(text, tab)) {
        issues.push({
          severity: 'error',
          message:
            after !== null
              ? `a tab after "${after}": docker's YAML reader refuses it ("found character that cannot start any token"); write spaces`
              : `a tab in the indentation: docker's YAML reader refuses it ("found a tab character that violates indentation"), even on a blank or comment line; write spaces`,
          start: tab,
          end: tab + 1,
        });
      }
    }
    prev = tok;
  });
  return issues;
}

/** The tags of a CST as written (`!custom`, `!!int`, `!<tag:...>`), with their offsets, in document order. */
export function tagTokens(tokens: readonly CST.Token[]): CST.SourceToken[] {
  const out: CST.SourceToken[] = [];
  forEachSourceToken(tokens, (tok) => {
    if (tok.type === 'tag') out.push(tok);
  });
  return out;
}

/** Only blanks between the start of its line and `offset`. */
function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '\n') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}

type Visit = (tok: CST.SourceToken, flow: boolean) => void;

/**
 * Every source token of a CST (indicators, spaces, anchors, aliases and other scalars as one token
 * each) in document order, with whether it is inside a flow collection. Iterative: the depth of the
 * CST comes from the input.
 */
function forEachSourceToken(tokens: readonly CST.Token[], visit: Visit): void {
  // a stack of pending work: a token to open, or a list of source tokens to visit
  const stack: Array<{ tok?: CST.Token | CST.SourceToken; list?: readonly CST.SourceToken[]; flow: boolean }> = [];
  for (let i = tokens.length - 1; i >= 0; i--) stack.push({ tok: tokens[i]!, flow: false });
  const pushList = (list: readonly CST.SourceToken[] | undefined, flow: boolean) => {
    if (list && list.length > 0) stack.push({ list, flow });
  };
  while (stack.length > 0) {
    const { tok, list, flow } = stack.pop()!;
    if (list) {
      for (const t of list) visit(t, flow);
      continue;
    }
    const t = tok as CST.Token;
    switch (t.type) {
      case 'document':
        pushList(t.end, flow);
        if (t.value) stack.push({ tok: t.value, flow });
        pushList(t.start, flow);
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        const inner = flow || t.type === 'flow-collection';
        if (t.type === 'flow-collection') pushList(t.end, inner);
        for (let i = t.items.length - 1; i >= 0; i--) {
          const it = t.items[i]! as CST.CollectionItem;
          if (it.value) stack.push({ tok: it.value, flow: inner });
          pushList(it.sep, inner);
          if (it.key) stack.push({ tok: it.key, flow: inner });
          pushList(it.start, inner);
        }
        if (t.type === 'flow-collection') visit(t.start, inner);
        break;
      }
      case 'block-scalar':
        pushList(t.props as CST.SourceToken[], flow);
        break;
      case 'alias':
      case 'scalar':
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
        pushList(t.end, flow);
        visit(t as unknown as CST.SourceToken, flow);
        break;
      case 'doc-end':
        pushList(t.end, flow);
        break;
      default:
        if ('source' in t && typeof t.source === 'string') visit(t as CST.SourceToken, flow);
    }
  }
}
