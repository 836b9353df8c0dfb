import type { Finding } from '../engine/types.js';
import { positionOf } from '../parse/location.js';

/** What a masked secret is shown as, whatever its length (the length is not shown either). */
export const MASK = '****';

/** Per 1-based line of one file, the 0-based column ranges [from, to) to mask (`to` may be Infinity). */
export type LineMasks = Map<number, Array<[number, number]>>;

/** The spans of values that findings mark as secret (`Finding.sensitive`), per file shown, by line. */
export function sensitiveLines(findings: readonly Finding[]): Map<string, LineMasks> {
  const out = new Map<string, LineMasks>();
  for (let i = 0; i < findings.length; i++) {
    const s = findings[i]!.sensitive;
    if (!s || s.kind !== 'file') continue;
    const p = positionOf(s);
    if (!p) continue;
    const file = s.source.displayPath;
    let lines = out.get(file);
    if (!lines) out.set(file, (lines = new Map()));
    for (let line = p.line; line <= p.endLine; line++) {
      const from = line === p.line ? p.column - 1 : 0;
      const to = line === p.endLine ? p.endColumn - 1 : Infinity;
      if (to <= from) continue;
      const list = lines.get(line) ?? [];
      list.push([from, to]);
      lines.set(line, list);
    }
  }
  return out;
}

/**
 * A source line with its secret spans replaced by MASK, and where a column of the line is in the
 * masked text (columns after a masked span move).
 */
export function maskLine(line: string, ranges: ReadonlyArray<[number, number]> | undefined): { text: string; column: (col: number) => number } {
  if (!ranges || ranges.length === 0) return { text: line, column: (c) => c };
  const sorted = [...ranges].map(([a, b]) => [a, Math.min(b, line.length)] as [number, number]).filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  let text = '';
  let at = 0;
  for (const [a, b] of merged) {
    text += line.slice(at, a) + MASK;
    at = b;
  }
  text += line.slice(at);
  const column = (col: number) => {
    let shift = 0;
    for (const [a, b] of merged) {
      if (col >= b) shift += MASK.length - (b - a);
      else if (col > a) return a + shift + Math.min(col - a, MASK.length);
    }
    return col + shift;
  };
  return { text, column };
}

/**
 * A whole text (one file) with the secret spans of its lines masked; line ends are kept, so the
 * lines of the result are the lines of the input.
 */
export function maskText(text: string, masks: LineMasks | undefined): string {
  if (!masks || masks.size === 0) return text;
  const lines = text.split('\n');
  for (const [n, ranges] of masks) {
    const l = lines[n - 1];
    if (l === undefined) continue;
    const cr = l.endsWith('\r');
    lines[n - 1] = maskLine(cr ? l.slice(0, -1) : l, ranges).text + (cr ? '\r' : '');
  }
  return lines.join('\n');
}
