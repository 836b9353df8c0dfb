/**
 * Text edits that know YAML: each works on a node of the parsed document and the file's text, and
 * changes only the bytes it must. Offsets are into `SourceFile.text` (no BOM); inserted line ends
 * are the file's own (`source.eol`).
 */
import type { TextEdit } from './types.js';
import type { SourceFile } from '../parse/source-file.js';
import type { YamlTextEdit } from './text-edits.js';
import { isMapValue, renderFlow, renderInStyle, renderItemLines, renderKey, renderPairLines, trailingComment, type ScalarStyle, type YamlValue } from './yaml-render.js';
import { styleOf } from './yaml-style.js';
import { isBlockScalar, isFlowCollection, itemsOf, kindOf, pairKey, pairValue, rangeOf, scalarStyle, scalarValue, type EditNode, type EditPair } from './yaml-nodes.js';

/** A block scalar with the keep indicator (`|+`): its trailing blank lines are part of its value. */
function keepsTrailingLines(text: string, n: unknown): boolean {
  const r = rangeOf(n);
  return r !== null && /^[|>][1-9]?\+/.test(text.slice(r[0], r[0] + 3));
}

/** The offset just after the last character of a node's content (comments and blank lines after it excluded). */
export function contentEnd(text: string, node: unknown): number | null {
  if (node === null || node === undefined) return null;
  const kind = kindOf(node);
  if (kind === 'pair') return contentEnd(text, pairValue(node)) ?? contentEnd(text, pairKey(node));
  const r = rangeOf(node);
  if (!r) return null;
  if (kind === 'scalar') {
    if (!isBlockScalar(node)) return r[1];
    let e = r[1];
    while (e > r[0] && /\s/.test(text[e - 1]!)) e--;
    return e;
  }
  if (kind === 'alias') return r[1];
  if ((kind === 'map' || kind === 'seq') && !isFlowCollection(node, text)) {
    const items = itemsOf(node);
    const last = items[items.length - 1];
    if (last === undefined) return null;
    return contentEnd(text, last);
  }
  return r[1];
}

/** The last content node of a block collection, descending into its last items. */
function lastLeaf(text: string, node: unknown): unknown {
  let cur = node;
  for (;;) {
    const kind = kindOf(cur);
    if (kind === 'pair') cur = pairValue(cur) ?? pairKey(cur);
    else if ((kind === 'map' || kind === 'seq') && !isFlowCollection(cur, text) && itemsOf(cur).length > 0) cur = itemsOf(cur)[itemsOf(cur).length - 1];
    else return cur;
  }
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** The offset of the line terminator of the line holding `pos` (the text's length on the last line). */
export function lineEnd(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  if (nl < 0) return text.length;
  return nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
}

/** Indentation of a block mapping key: the column where it (or its anchor/tag) starts after any `- `. */
export function keyIndent(text: string, keyStart: number): number {
  const prefix = text.slice(lineStart(text, keyStart), keyStart);
  return /^ *(?:- +)*/.exec(prefix)![0].length;
}

interface InsertPoint {
  pos: number;
  /** the inserted lines go before the line at `pos` (true) or after the line ending at `pos` (false) */
  atLineStart: boolean;
}

/**
 * Where lines added at the end of a block collection go: after its last content line and the
 * comment lines right after it that are indented deeper than the collection's own entries
 * (`inner`: its keys' or dashes' column). Those belong to its last entry (a commented-out
 * `# B: "2"` under `environment:`, a comment's second line under a port); a comment at the
 * entries' column or less, or after a blank line, introduces what follows and stays after the
 * added lines.
 */
function endOfBlock(text: string, node: EditNode, inner: number): InsertPoint | null {
  const leaf = lastLeaf(text, node);
  if (isBlockScalar(leaf) && keepsTrailingLines(text, leaf)) {
    const e = rangeOf(leaf)![1];
    return e === 0 || text[e - 1] === '\n' ? { pos: e, atLineStart: true } : { pos: e, atLineStart: false };
  }
  const end = contentEnd(text, node);
  if (end === null) return null;
  let pos = lineEnd(text, end);
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const next = lineEnd(text, nl + 1);
    const comment = /^( *)#/.exec(text.slice(nl + 1, next));
    if (!comment || comment[1]!.length <= inner) break;
    pos = next;
  }
  return { pos, atLineStart: false };
}

function insertLines(at: InsertPoint, lines: string[], eol: string): { start: number; text: string } {
  const body = lines.join(eol);
  return { start: at.pos, text: at.atLineStart ? body + eol : eol + body };
}

function containerId(source: SourceFile, node: unknown): string {
  return `${source.path}:${rangeOf(node)?.[0] ?? -1}`;
}

/**
 * Add `key: value` pairs at the end of a mapping: in a block mapping as new lines at the indentation
 * of its keys (after the last value, before any comment or blank line that introduces what follows),
 * in a flow mapping as `, key: value` before the closing brace.
 */
export function insertIntoMap(source: SourceFile, map: EditNode, pairs: ReadonlyArray<readonly [string, YamlValue]>): YamlTextEdit | null {
  const text = source.text;
  const style = styleOf(source);
  if (pairs.length === 0) return null;
  const keys = pairs.map(([k]) => k);
  const items = itemsOf(map);
  if (isFlowCollection(map, text)) {
    const r = rangeOf(map);
    if (!r) return null;
    const body = pairs.map(([k, v]) => `${renderKey(k, style, true)}: ${renderFlow(v, style)}`).join(', ');
    if (items.length === 0) {
      if (text[r[0]] !== '{') return null;
      return { start: r[0] + 1, end: r[0] + 1, text: body, insert: { container: containerId(source, map), keys, indent: flowIndent(text, r[0]) } };
    }
    const end = contentEnd(text, items[items.length - 1]);
    if (end === null) return null;
    return { start: end, end, text: `, ${body}`, insert: { container: containerId(source, map), keys, indent: flowIndent(text, r[0]) } };
  }
  const last = items[items.length - 1];
  const keyStart = last === undefined ? undefined : rangeOf(pairKey(last))?.[0];
  if (keyStart === undefined) return null;
  const indent = keyIndent(text, keyStart);
  const at = endOfBlock(text, map, indent);
  if (!at) return null;
  const lines = pairs.flatMap(([k, v]) => renderPairLines(k, v, indent, style));
  const ins = insertLines(at, lines, source.eol);
  const edit: YamlTextEdit = { start: ins.start, end: ins.start, text: ins.text, insert: { container: containerId(source, map), keys, indent } };
  blockInsertions.set(edit, { source, map, pairs });
  return edit;
}

/** What a block-mapping insertion was made from, kept beside the edit (the edit itself stays plain data). */
interface BlockInsertion {
  source: SourceFile;
  map: EditNode;
  pairs: ReadonlyArray<readonly [string, YamlValue]>;
}
const blockInsertions = new WeakMap<TextEdit, BlockInsertion>();

/**
 * Two insertions into one block mapping that add the same key, each a mapping (two fixes adding
 * `deploy:` to a service that has none), as one insertion: the first one's pairs, with the second
 * one's keys merged in after them at every depth. The text is the one the second insertion would
 * give in the next pass, into the mapping the first one wrote: there it goes at the end of the
 * deepest mapping that exists, at that mapping's indentation. Null when that cannot be told: a
 * key both set to something other than a non-empty mapping, an integer-like key (an object would
 * put it first), an edit not made by `insertIntoMap` into a block mapping.
 */
export function mergeBlockInsertions(a: TextEdit, b: TextEdit): YamlTextEdit | null {
  const ra = blockInsertions.get(a);
  const rb = blockInsertions.get(b);
  if (!ra || !rb || ra.map !== rb.map || ra.source !== rb.source || a.start !== b.start) return null;
  const pairs = mergePairs(ra.pairs, rb.pairs);
  if (!pairs) return null;
  const merged = insertIntoMap(ra.source, ra.map, pairs);
  return merged && merged.start === a.start ? merged : null;
}

function mergePairs(a: ReadonlyArray<readonly [string, YamlValue]>, b: ReadonlyArray<readonly [string, YamlValue]>): Array<readonly [string, YamlValue]> | null {
  const out: Array<readonly [string, YamlValue]> = [...a];
  for (const [k, v] of b) {
    if (/^\d+$/.test(k)) return null;
    const i = out.findIndex(([x]) => x === k);
    if (i < 0) {
      out.push([k, v]);
      continue;
    }
    const mine = out[i]![1];
    if (!nonEmptyMap(mine) || !nonEmptyMap(v)) return null;
    const inner = mergePairs(Object.entries(mine), Object.entries(v));
    if (!inner || inner.some(([x]) => /^\d+$/.test(x))) return null;
    out[i] = [k, Object.fromEntries(inner)];
  }
  return out;
}

function nonEmptyMap(v: YamlValue): v is { [key: string]: YamlValue } {
  return isMapValue(v) && Object.keys(v).length > 0;
}

/** Flow insertions are ordered after block ones nested deeper: give them a large pseudo-indentation. */
function flowIndent(text: string, pos: number): number {
  return 1000 + (pos - lineStart(text, pos));
}

/**
 * Give a key whose value is empty (`deploy:` or `deploy: ~`) a mapping: nested lines under an empty
 * value, a flow mapping in place of an explicit null.
 */
export function fillEmptyValue(source: SourceFile, pair: EditPair, value: { [k: string]: YamlValue }): YamlTextEdit | null {
  const text = source.text;
  const style = styleOf(source);
  const keyR = rangeOf(pair.key);
  if (!keyR) return null;
  const v = pair.value;
  const keys = Object.keys(value);
  if (v !== null && v !== undefined) {
    if (kindOf(v) !== 'scalar' || scalarValue(v) !== null) return null;
    const r = rangeOf(v)!;
    if (r[1] > r[0]) {
      // an explicit `null` or `~`: write a flow mapping in its place
      return { start: r[0], end: r[1], text: renderFlow(value, style) };
    }
  }
  if (flowParent(text, keyR[0])) return null;
  const indent = keyIndent(text, keyR[0]);
  const childIndent = indent + style.indent;
  const lines = Object.entries(value).flatMap(([k, x]) => renderPairLines(k, x, childIndent, style));
  const pos = lineEnd(text, keyR[1]);
  return { start: pos, end: pos, text: source.eol + lines.join(source.eol), insert: { container: containerId(source, pair.key), keys, indent: childIndent } };
}

/** A crude check that a key sits inside a flow collection (then a block insertion is impossible). */
function flowParent(text: string, keyStart: number): boolean {
  const before = text.slice(lineStart(text, keyStart), keyStart);
  return /[{[,]/.test(before.replace(/'[^']*'|"[^"]*"/g, ''));
}

/** Append items to a sequence: `- item` lines in a block sequence, `, item` in a flow one. */
export function appendToSeq(source: SourceFile, seq: EditNode, items: readonly YamlValue[]): YamlTextEdit | null {
  const text = source.text;
  const style = styleOf(source);
  if (items.length === 0) return null;
  const r = rangeOf(seq);
  if (!r) return null;
  if (isFlowCollection(seq, text)) {
    const body = items.map((i) => renderFlow(i, style)).join(', ');
    const written = itemsOf(seq);
    if (written.length === 0) {
      if (text[r[0]] !== '[') return null;
      return { start: r[0] + 1, end: r[0] + 1, text: body, insert: { container: containerId(source, seq), keys: [], indent: flowIndent(text, r[0]) } };
    }
    const end = contentEnd(text, written[written.length - 1]);
    if (end === null) return null;
    return { start: end, end, text: `, ${body}`, insert: { container: containerId(source, seq), keys: [], indent: flowIndent(text, r[0]) } };
  }
  if (text[r[0]] !== '-') return null;
  const dash = r[0] - lineStart(text, r[0]);
  const at = endOfBlock(text, seq, dash);
  if (!at) return null;
  const lines = items.flatMap((i) => renderItemLines(i, dash, style));
  const ins = insertLines(at, lines, source.eol);
  return { start: ins.start, end: ins.start, text: ins.text, insert: { container: containerId(source, seq), keys: [], indent: dash } };
}

/** Replace a scalar's text, keeping its quoting (a plain scalar stays plain when the value allows it). */
export function replaceScalar(source: SourceFile, node: EditNode, value: string | number | boolean | null, forceQuotes = false): TextEdit | null {
  const r = rangeOf(node);
  if (!r || isBlockScalar(node)) return null;
  let type = (scalarStyle(node) ?? 'PLAIN') as ScalarStyle;
  if (forceQuotes && type === 'PLAIN') type = styleOf(source).quote === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
  const flow = flowParent(source.text, r[0]);
  return { start: r[0], end: r[1], text: renderInStyle(value, type, styleOf(source), flow) };
}

/**
 * Replace a scalar and give it a trailing comment: added when the rest of its line is empty,
 * rewritten when the comment there is one `replaceable` recognises (one an earlier fix wrote); a
 * comment of the user's is kept and no comment is added. In a flow collection no comment is written.
 */
export function replaceScalarCommented(
  source: SourceFile,
  node: EditNode,
  value: string | number | boolean | null,
  comment: string,
  replaceable: (comment: string) => boolean,
  forceQuotes = false,
): TextEdit | null {
  const edit = replaceScalar(source, node, value, forceQuotes);
  if (!edit || !comment || flowParent(source.text, edit.start)) return edit;
  const text = source.text;
  const end = lineEnd(text, edit.end);
  const rest = text.slice(edit.end, end);
  if (/^[ \t]*$/.test(rest)) return { ...edit, text: edit.text + trailingComment(comment) };
  const m = /^([ \t]+)#(.*)$/.exec(rest);
  if (m && replaceable(m[2]!.trim())) return { start: edit.start, end, text: `${edit.text}${m[1]}# ${comment}` };
  return edit;
}

/** Rename a mapping key in place, keeping its quoting; its value, comments and position stay. */
export function renameKey(source: SourceFile, key: EditNode, newKey: string): TextEdit | null {
  if (kindOf(key) !== 'scalar') return null;
  return replaceScalar(source, key, newKey);
}

/** Whether a mapping's own (written) keys include `key`. */
export function hasWrittenKey(map: EditNode, key: string): boolean {
  return itemsOf(map).some((p) => kindOf(pairKey(p)) === 'scalar' && String(scalarValue(pairKey(p))) === key);
}
