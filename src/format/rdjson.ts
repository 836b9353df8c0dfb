import type { Finding, Fix, Severity } from '../engine/types.js';
import type { SourceFile } from '../parse/source-file.js';
import { REPOSITORY_URL, ruleDocsUrl } from './rule-docs.js';
import { allFindings, slashPath, type Formatter } from './types.js';

/**
 * reviewdog's Diagnostic Format, JSON form (`rdjson`: one `DiagnosticResult`), for
 * `reviewdog -f=rdjson`: each finding is a diagnostic with its rule as `code` (and the rule's
 * documentation as its url), and a finding with a safe fix carries the fix's text edits as
 * `suggestions`, which reviewdog posts as suggested changes on a pull request. Unsafe fixes (they
 * change behaviour) are not suggested.
 *
 * Positions follow the format: lines from 1, columns from 1 counted in UTF-8 bytes, ranges with an
 * exclusive end; an insertion is a range whose start is its end. Paths are as the other formats
 * show them (relative to the folder stackopt ran in when the file is inside it).
 */
export const formatRdjson: Formatter = (results) => {
  const sources = new Map<string, SourceFile>();
  for (const r of results) for (const s of r.sources ?? []) sources.set(s.path, s);
  const diagnostics = allFindings(results).map((f) => toDiagnostic(f, sources));
  const result = { source: { name: 'stackopt', url: REPOSITORY_URL }, diagnostics };
  return `${JSON.stringify(result, null, 2)}\n`;
};

const SEVERITY: Record<Severity, 'ERROR' | 'WARNING' | 'INFO'> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };

interface RdPosition {
  line: number;
  column: number;
}

function toDiagnostic(f: Finding, sources: Map<string, SourceFile>): Record<string, unknown> {
  const source = f.loc?.kind === 'file' ? f.loc.source : undefined;
  const location: Record<string, unknown> = { path: slashPath(f.file) };
  if (f.line > 0) {
    location.range = {
      start: source ? { line: f.line, column: byteColumn(source, f.line, f.column) } : { line: f.line },
      end: source ? { line: f.endLine, column: byteColumn(source, f.endLine, f.endColumn) } : { line: f.endLine },
    };
  }
  const diagnostic: Record<string, unknown> = {
    message: f.message,
    location,
    severity: SEVERITY[f.severity],
    code: { value: f.ruleId, url: ruleDocsUrl(f.ruleId) },
  };
  const suggestions = f.fix ? suggestionsOf(f.fix, sources, f.file) : [];
  if (suggestions.length > 0) diagnostic.suggestions = suggestions;
  return diagnostic;
}

/**
 * The edits of a safe fix as suggestions, when the fix edits the file the finding is in (reviewdog
 * attaches a diagnostic's suggestions to the diagnostic's own file).
 */
function suggestionsOf(fix: Fix, sources: Map<string, SourceFile>, file: string): Array<{ range: { start: RdPosition; end: RdPosition }; text: string }> {
  const source = sources.get(fix.file);
  if (fix.unsafe || !source || source.displayPath !== file || fix.edits.length === 0) return [];
  return [...fix.edits]
    .sort((a, b) => a.start - b.start)
    .map((e) => ({ range: { start: offsetPosition(source, e.start), end: offsetPosition(source, Math.max(e.start, e.end)) }, text: e.text }));
}

/** A text offset as a reviewdog position (column in UTF-8 bytes from 1). */
function offsetPosition(source: SourceFile, offset: number): RdPosition {
  const p = source.position(offset);
  return { line: p.line, column: byteColumn(source, p.line, p.column) };
}

/**
 * A column counted in UTF-16 code units (from 1) as a column counted in UTF-8 bytes (from 1). The
 * file's bytes count, so a byte order mark adds its three bytes on the first line.
 */
export function byteColumn(source: SourceFile, line: number, column: number): number {
  const bom = line === 1 && source.bom ? 3 : 0;
  let last = lineBytes.get(source);
  if (last === undefined || last.line !== line) lineBytes.set(source, (last = { line, ...utf8Offsets(source.lineText(line)) }));
  const units = Math.min(Math.max(0, column - 1), last.length);
  return (last.bytes ? last.bytes[units]! : units) + 1 + bom;
}

/**
 * The last line of each file whose columns were asked for, with its UTF-8 offsets: a report's
 * findings come line by line, and measuring the text before each column once per finding made a
 * long line with a finding every few characters (a scalar of many unset variables) quadratic.
 */
const lineBytes = new WeakMap<SourceFile, { line: number; length: number; bytes: Uint32Array | null }>();

/**
 * The UTF-8 length of each prefix of a line (`bytes[k]` is `Buffer.byteLength(text.slice(0, k))`,
 * a lone surrogate 3 bytes as there), or null when every code unit is one byte.
 */
function utf8Offsets(text: string): { length: number; bytes: Uint32Array | null } {
  let i = 0;
  while (i < text.length && text.charCodeAt(i) < 0x80) i++;
  if (i === text.length) return { length: text.length, bytes: null };
  const bytes = new Uint32Array(text.length + 1);
  for (let k = 1; k <= i; k++) bytes[k] = k;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // the low half of a pair adds 1 to the 3 its high half counted alone: 4 for the pair
    const pairEnd = c >= 0xdc00 && c <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff;
    bytes[i + 1] = bytes[i]! + (c < 0x80 ? 1 : c < 0x800 ? 2 : pairEnd ? 1 : 3);
  }
  return { length: text.length, bytes };
}
