/**
 * A didChange's content changes applied to a buffer, with the diagnostics kept from the last text
 * that parsed moved along. Changes come one after another, each in the positions the ones before
 * it left; the protocol library's TextDocument.update copies the text once per change, and moving
 * every diagnostic once per change did the same: one didChange of 4,000 ranges took more than
 * 120 s. Here changes that follow each other down the text (as Neovim sends them), or up it (as VS
 * Code sends them), are turned into edits of the text before them and applied in one pass.
 * Changes that jump up and down the text (0, n-1, 1, n-2, ...: no editor sends them) are applied
 * in short runs, each a pass over the text, as the library applied every change: time that grows
 * with the square of such a message (1,000 ranges 0.8 s, 4,000 12.6 s).
 */
import type { Diagnostic, Position, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

/** Replace `[start, end)` of the text (offsets) with `text`. */
interface OffsetEdit {
  start: number;
  end: number;
  text: string;
}

/** The buffer after `changes`, at `version`, and `diagnostics` moved with them. */
export function applyChanges(
  doc: TextDocument,
  changes: readonly TextDocumentContentChangeEvent[],
  version: number,
  diagnostics: Diagnostic[],
): { doc: TextDocument; diagnostics: Diagnostic[] } {
  let cur = doc;
  let moved = diagnostics;
  let i = 0;
  // a change of the whole text makes those before it moot
  for (let k = changes.length - 1; k >= 0; k--) {
    if (!('range' in changes[k]!)) {
      cur = TextDocument.create(doc.uri, doc.languageId, version, changes[k]!.text);
      moved = []; // nothing to keep positions against
      i = k + 1;
      break;
    }
  }
  while (i < changes.length) {
    const run = longerRun(cur, changes, i);
    if (run.used === 0) {
      // a change that makes or breaks a CR LF pair at its edges: the library's update, alone
      moved = moveOne(moved, changes[i]!);
      cur = TextDocument.update(cur, [changes[i]!], version);
      i++;
      continue;
    }
    const next = TextDocument.create(cur.uri, cur.languageId, version, applyOffsetEdits(cur.getText(), run.edits));
    moved = moveByEdits(moved, cur, next, run.edits);
    cur = next;
    i += run.used;
  }
  return { doc: TextDocument.update(cur, [], version), diagnostics: moved };
}

type Incremental = TextDocumentContentChangeEvent & { range: { start: Position; end: Position } };

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);

function rangeOf(ch: Incremental): { s: Position; e: Position } {
  const { start, end } = ch.range;
  return before(end, start) ? { s: end, e: start } : { s: start, e: end };
}

/** The run from `from` read down the text or up it, whichever takes more changes. */
function longerRun(doc: TextDocument, changes: readonly TextDocumentContentChangeEvent[], from: number): { edits: OffsetEdit[]; used: number } {
  const down = runDown(doc, changes, from);
  if (down.used > 1) return down;
  const up = runUp(doc, changes, from);
  return up.used > down.used ? up : down;
}

/** Whether `text` put in between two characters makes a CR LF pair at its edges (null: a character not known, taken as one that could). */
function crlfEdge(text: string, charBefore: string | null, charAfter: string | null): boolean {
  const cr = charBefore === '\r' || charBefore === null;
  const lf = charAfter === '\n' || charAfter === null;
  if (text === '') return cr && lf;
  return (text.startsWith('\n') && cr) || (text.endsWith('\r') && lf);
}

/**
 * Changes each at or after the end of the text the one before it put in: mapped back to the
 * positions of `doc` through the end of the last one (the text after it is `doc`'s).
 */
function runDown(doc: TextDocument, changes: readonly TextDocumentContentChangeEvent[], from: number): { edits: OffsetEdit[]; used: number } {
  const base = doc.getText();
  const edits: OffsetEdit[] = [];
  // the text after `curEnd` (positions now) is that of `doc` after `baseEnd`
  let curEnd: Position = { line: 0, character: 0 };
  let baseEnd: Position = { line: 0, character: 0 };
  let baseEndOff = 0;
  for (let k = from; k < changes.length; k++) {
    const ch = changes[k]!;
    if (!('range' in ch)) break;
    const { s, e } = rangeOf(ch);
    if (before(s, curEnd)) break;
    const toBase = (q: Position): Position =>
      q.line === curEnd.line ? { line: baseEnd.line, character: baseEnd.character + q.character - curEnd.character } : { line: q.line - curEnd.line + baseEnd.line, character: q.character };
    const so = doc.offsetAt(toBase(s));
    const eo = doc.offsetAt(toBase(e));
    const last = edits.at(-1);
    const touching = last !== undefined && so === baseEndOff;
    const charBefore = touching ? (last.text === '' ? null : last.text.at(-1)!) : so > 0 ? base[so - 1]! : '';
    if (crlfEdge(ch.text, charBefore, eo < base.length ? base[eo]! : '')) break;
    edits.push({ start: so, end: eo, text: ch.text });
    const sb = doc.positionAt(so);
    const sCur = sb.line === baseEnd.line ? { line: curEnd.line, character: curEnd.character + sb.character - baseEnd.character } : { line: sb.line - baseEnd.line + curEnd.line, character: sb.character };
    curEnd = endOfText(sCur, ch.text);
    baseEndOff = eo;
    baseEnd = doc.positionAt(eo);
  }
  return { edits, used: edits.length };
}

/** Changes each wholly before the start of the one before it: all in the positions of `doc`. */
function runUp(doc: TextDocument, changes: readonly TextDocumentContentChangeEvent[], from: number): { edits: OffsetEdit[]; used: number } {
  const base = doc.getText();
  const edits: OffsetEdit[] = [];
  const lines = doc.lineCount;
  for (let k = from; k < changes.length; k++) {
    const ch = changes[k]!;
    if (!('range' in ch)) break;
    const { s, e } = rangeOf(ch);
    const last = edits.at(-1);
    if (last) {
      // where `e` falls before the line it is on is clamped: it must be read as in `doc`
      if (e.line < 0 || e.line >= lines || doc.offsetAt({ line: e.line, character: 0 }) + Math.max(0, e.character) > last.start) break;
    }
    const so = doc.offsetAt(s);
    const eo = doc.offsetAt(e);
    const touching = last !== undefined && eo === last.start;
    // an insertion where the one before replaced text: a position that one moved to its start
    // stays before this text, which one pass over the edits cannot tell
    if (touching && so === eo && last.end !== last.start) break;
    const charAfter = touching ? (last.text === '' ? null : last.text[0]!) : eo < base.length ? base[eo]! : '';
    if (crlfEdge(ch.text, so > 0 ? base[so - 1]! : '', charAfter)) break;
    edits.push({ start: so, end: eo, text: ch.text });
  }
  edits.reverse();
  return { edits, used: edits.length };
}

/** The position after `text` put in at `at`. */
function endOfText(at: Position, text: string): Position {
  let line = at.line;
  let lineStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n') i++;
    if (c === '\r' || c === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return lineStart < 0 ? { line, character: at.character + text.length } : { line, character: text.length - lineStart };
}

/** `text` with edits in order and apart (each starts at or after the end of the one before) applied in one pass. */
function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const e of edits) {
    parts.push(text.slice(at, e.start), e.text);
    at = e.end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * Diagnostics moved with edits of `from` that made `to`: a position before an edit (or at its
 * start) stays, one inside it goes to where it starts, one after it moves with the text.
 */
function moveByEdits(diagnostics: Diagnostic[], from: TextDocument, to: TextDocument, edits: readonly OffsetEdit[]): Diagnostic[] {
  const points = diagnostics.flatMap((d, i) => [
    { i, end: false, at: from.offsetAt(d.range.start) },
    { i, end: true, at: from.offsetAt(d.range.end) },
  ]);
  points.sort((a, b) => a.at - b.at);
  const out = diagnostics.map((d) => ({ ...d, range: { start: d.range.start, end: d.range.end } }));
  let k = 0;
  let shift = 0;
  for (const p of points) {
    // the edits that start before the point: passed, or holding it
    while (k < edits.length && edits[k]!.start < p.at && edits[k]!.end <= p.at) {
      shift += edits[k]!.text.length - (edits[k]!.end - edits[k]!.start);
      k++;
    }
    const holding = k < edits.length && edits[k]!.start < p.at ? edits[k]! : null;
    const position = to.positionAt(holding ? holding.start + shift : p.at + shift);
    if (p.end) out[p.i]!.range.end = position;
    else out[p.i]!.range.start = position;
  }
  return out;
}

/** Diagnostics moved with one change, in positions: as moveByEdits, for a change read alone. */
function moveOne(diagnostics: Diagnostic[], ch: TextDocumentContentChangeEvent): Diagnostic[] {
  if (!('range' in ch)) return [];
  const { start: s, end: e } = ch.range;
  const lines = ch.text.split(/\r\n|\r|\n/);
  const last = lines[lines.length - 1]!.length;
  const move = (p: Position) => {
    if (!before(s, p)) return p; // before the edit
    if (before(p, e)) return { ...s }; // inside it
    if (p.line > e.line) return { line: p.line + lines.length - 1 - (e.line - s.line), character: p.character };
    // on the edit's last line, after it
    return { line: s.line + lines.length - 1, character: (lines.length === 1 ? s.character + last : last) + (p.character - e.character) };
  };
  return diagnostics.map((d) => ({ ...d, range: { start: move(d.range.start), end: move(d.range.end) } }));
}
