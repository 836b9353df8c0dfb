/**
 * src/lsp/changes.ts against the protocol library: random texts and random didChange lists (down
 * the text, up it, in any order; a reversed range now and then) give the text TextDocument.update
 * gives, range by range, and the kept diagnostics land where moving them one range at a time put
 * them. The server's own tests (test/lsp-protocol.test.ts) run it over stdio.
 */
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Position, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { applyChanges } from '../src/lsp/changes.js';

const before = (a: Position, b: Position) => a.line < b.line || (a.line === b.line && a.character < b.character);

/** The positions moved one range at a time, as the server moved them before. */
function moveEach(diagnostics: Diagnostic[], changes: Array<{ range: { start: Position; end: Position }; text: string }>): Diagnostic[] {
  let out = diagnostics;
  for (const { range, text } of changes) {
    const { start: s, end: e } = range;
    const lines = text.split(/\r\n|\r|\n/);
    const last = lines[lines.length - 1]!.length;
    const move = (p: Position): Position => {
      if (!before(s, p)) return p;
      if (before(p, e)) return { ...s };
      if (p.line > e.line) return { line: p.line + lines.length - 1 - (e.line - s.line), character: p.character };
      return { line: s.line + lines.length - 1, character: (lines.length === 1 ? s.character + last : last) + (p.character - e.character) };
    };
    out = out.map((d) => ({ ...d, range: { start: move(d.range.start), end: move(d.range.end) } }));
  }
  return out;
}

/** A small generator of its own (the same cases on every run). */
function random(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor((x / 2147483648) * n);
  };
}

describe('applyChanges', () => {
  it('gives the text and the diagnostics of applying the ranges one at a time', () => {
    const r = random(7);
    const pieces = ['a', 'b', '\n', ' ', '\r\n', 'cd', '\r'];
    const text = (n: number) => Array.from({ length: n }, () => pieces[r(pieces.length)]).join('');
    let compared = 0;
    for (let t = 0; t < 20_000; t++) {
      const initial = text(r(30));
      const order = r(3); // down, up, any
      const doc = TextDocument.create('file:///c.yaml', 'yaml', 1, initial);
      const oneByOne = TextDocument.create('file:///c.yaml', 'yaml', 1, initial);
      const changes: Array<{ range: { start: Position; end: Position }; text: string }> = [];
      let lastEnd = 0;
      let lastStart = initial.length;
      for (let k = 1 + r(6); k > 0; k--) {
        const len = oneByOne.getText().length;
        let a = order === 0 ? lastEnd + r(len - lastEnd + 1) : order === 1 ? Math.max(0, r(lastStart + 1) - r(4)) : r(len + 1);
        a = Math.min(a, len);
        const b = Math.min(len, order === 1 ? Math.max(a, Math.min(lastStart, a + r(4))) : a + r(4));
        const range = { start: oneByOne.positionAt(a), end: oneByOne.positionAt(b) };
        const ch = { range: r(10) === 0 ? { start: range.end, end: range.start } : range, text: text(r(3)) };
        changes.push(ch);
        TextDocument.update(oneByOne, [ch], 2);
        lastStart = oneByOne.offsetAt(range.start);
        lastEnd = lastStart + ch.text.length;
      }
      const diagnostics: Diagnostic[] = Array.from({ length: 4 }, () => {
        const x = r(initial.length + 1);
        return { range: { start: doc.positionAt(x), end: doc.positionAt(Math.min(initial.length, x + r(5))) }, message: 'm' };
      });
      const got = applyChanges(doc, changes as TextDocumentContentChangeEvent[], 2, diagnostics);
      const what = JSON.stringify({ initial, changes });
      expect(got.doc.getText(), what).toBe(oneByOne.getText());
      expect(got.doc.version).toBe(2);
      for (let l = 0; l <= got.doc.lineCount; l++) expect(got.doc.offsetAt({ line: l, character: 2 }), what).toBe(oneByOne.offsetAt({ line: l, character: 2 }));
      // moved one at a time, positions are compared where they are positions of the text (no CR
      // to fall between, no reversed range, which the old moving read as given)
      if (initial.includes('\r') || changes.some((c) => before(c.range.end, c.range.start))) continue;
      const isPosition = (p: Position) => JSON.stringify(oneByOne.positionAt(oneByOne.offsetAt(p))) === JSON.stringify(p);
      moveEach(diagnostics, changes).forEach((d, i) => {
        if (!isPosition(d.range.start) || !isPosition(d.range.end)) return;
        compared++;
        expect(got.diagnostics[i]!.range, what).toEqual(d.range);
      });
    }
    expect(compared).toBeGreaterThan(5_000);
  });

  it('a change of the whole text drops the diagnostics; the changes after it apply to that text', () => {
    const doc = TextDocument.create('file:///c.yaml', 'yaml', 1, 'a\nb\n');
    const d: Diagnostic = { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, message: 'm' };
    const got = applyChanges(doc, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'x' }, { text: 'services: {}\n' }, { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# c\n' }], 5, [d]);
    expect([got.doc.getText(), got.doc.version, got.diagnostics]).toEqual(['# c\nservices: {}\n', 5, []]);
  });
});
