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
  const parts: string[] = [];
  /** shifts[i]: how far the masked spans before span i move a column */
  const shifts: number[] = [];
  let at = 0;
  let shift = 0;
  for (const [a, b] of merged) {
    parts.push(line.slice(at, a), MASK);
    shifts.push(shift);
    shift += MASK.length - (b - a);
    at = b;
  }
  parts.push(line.slice(at));
  const text = parts.join('');
  // the last span that starts before `col`, found by halving: a line with many secret spans asks
  // for a column per finding on it
  const column = (col: number) => {
    let lo = 0;
    let hi = merged.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (merged[mid]![0] < col) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return col;
    const [a, b] = merged[lo - 1]!;
    if (col >= b) return col + shifts[lo - 1]! + MASK.length - (b - a);
    return a + shifts[lo - 1]! + Math.min(col - a, MASK.length);
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
