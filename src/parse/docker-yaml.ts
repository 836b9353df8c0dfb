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

interface Leaf {
  type: string;
  offset: number;
  source: string;
  flow: boolean;
}

/**
 * The errors docker's reader raises on a document our parser read without error: tabs where docker
 * refuses them, anchor names it refuses. `tokens` are the parser's CST tokens of the whole text.
 */
export function dockerTokenIssues(tokens: readonly CST.Token[], text: string): DockerReadingIssue[] {
  const hasTab = text.includes('\t');
  const hasAnchor = text.includes('&') || text.includes('*');
  if (!hasTab && !hasAnchor) return [];
  const issues: DockerReadingIssue[] = [];
  const seenNames = new Set<string>();
  let prev: Leaf | null = null;
  for (const leaf of leaves(tokens)) {
    if ((leaf.type === 'anchor' || leaf.type === 'alias') && !ANCHOR_NAME.test(leaf.source.slice(1)) && !seenNames.has(leaf.source.slice(1))) {
      const name = leaf.source.slice(1);
      seenNames.add(name);
      issues.push({
        severity: 'error',
        message: `${leaf.type === 'anchor' ? 'anchor' : 'alias'} name "${name}" has a character docker's YAML reader refuses ("did not find expected alphabetic or numeric character"): anchor names may hold only letters, digits, "-" and "_"`,
        start: leaf.offset,
        end: leaf.offset + leaf.source.length,
      });
    }
    if (leaf.type === 'space' && !leaf.flow && leaf.source.includes('\t')) {
      const tab = leaf.offset + leaf.source.indexOf('\t');
      const lineStart = startsLine(text, tab);
      const after = prev && (prev.type === 'seq-item-ind' || prev.type === 'explicit-key-ind' || (prev.type === 'map-value-ind' && startsLine(text, prev.offset))) ? prev.source : null;
      if (after !== null || lineStart) {
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
    prev = leaf;
  }
  return issues;
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

/**
 * The source tokens of a CST in document order (anchors, indicators, spaces, scalars), each marked
 * when it is inside a flow collection. Iterative: the depth of the CST comes from the input.
 */
function* leaves(tokens: readonly CST.Token[]): Generator<Leaf> {
  const stack: Array<{ node: unknown; flow: boolean }> = [];
  for (let i = tokens.length - 1; i >= 0; i--) stack.push({ node: tokens[i], flow: false });
  while (stack.length > 0) {
    const { node, flow } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], flow });
      continue;
    }
    const t = node as { type?: unknown; offset?: unknown; source?: unknown };
    if (typeof t.type === 'string' && typeof t.offset === 'number' && typeof t.source === 'string') {
      yield { type: t.type, offset: t.offset, source: t.source, flow };
    }
    const inner = flow || t.type === 'flow-collection';
    // children in document order: the keys of a CST node are written in that order
    const kids = Object.entries(node as Record<string, unknown>).filter(([k, v]) => k !== 'source' && v !== null && typeof v === 'object');
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]![1], flow: inner });
  }
}
