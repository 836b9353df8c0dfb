import { Chalk } from 'chalk';
import { replaceControls, showControls } from '../model/describe.js';
import type { Finding } from '../engine/types.js';
import { maskLine, sensitiveLines } from './mask.js';
import { allFindings, inChunks, summarize, type Formatter } from './types.js';
import { maxOf } from '../parse/collect.js';
import type { SourceFile } from '../parse/source-file.js';

/**
 * The default human format: findings grouped by file, each with the source line and a `^~~~`
 * underline under what it concerns, then a summary line.
 */
export const formatStylish: Formatter = inChunks(function* (results, ctx) {
  const paint = paintOf(ctx.color);
  // group by the file each finding points into (a project can span several -f files)
  const byFile = new Map<string, { findings: Finding[]; lines: (n: number) => string | null }>();
  for (const r of results) {
    if (r.findings.length === 0) continue;
    // the result's files by the path shown, made once (a search of them for each file found took
    // time that grew with the square of the -f files)
    let shown: Map<string, SourceFile> | undefined;
    for (let i = 0; i < r.findings.length; i++) {
      const f = r.findings[i]!;
      let g = byFile.get(f.file);
      if (!g) {
        shown ??= byShownPath(r.sources ?? []);
        const src = shown.get(f.file) ?? (f.loc?.kind === 'file' ? f.loc.source : undefined);
        g = { findings: [], lines: shownLines(src) };
        byFile.set(f.file, g);
      }
      g.findings.push(f);
    }
  }
  // values that look like secrets are masked in every source line shown
  const masks = sensitiveLines(allFindings(results));
  for (const [file, g] of byFile) {
    const out: string[] = [paint.underline(showControls(file, true))];
    const fileMasks = masks.get(file);
    // a line is masked once, however many findings show it
    const masked = fileMasks ? new Map<number, MaskedLine>() : undefined;
    const posWidth = maxOf(g.findings, (f) => digits(f.line) + 1 + digits(f.column));
    const sevWidth = maxOf(g.findings, (f) => f.severity.length);
    for (let i = 0; i < g.findings.length; i++) {
      const f = g.findings[i]!;
      if (out.length >= PIECE_LINES) {
        // a file with many findings is written in pieces too: its report is never held whole
        out.push('');
        yield out.join('\n');
        out.length = 0;
      }
      pushFinding(out, f, paint, posWidth, sevWidth, g.lines, fileMasks, masked);
    }
    // the piece ends with a blank line: joined whole (not a join and a `+`)
    out.push('', '');
    yield out.join('\n');
  }
  const out: string[] = [];
  const s = summarize(results);
  const total = s.errors + s.warnings + s.infos;
  if (total === 0) {
    out.push(paint.green(`✔ no problems in ${s.files} ${s.files === 1 ? 'file' : 'files'}`));
  } else {
    const parts = [`${s.errors} ${s.errors === 1 ? 'error' : 'errors'}`, `${s.warnings} ${s.warnings === 1 ? 'warning' : 'warnings'}`];
    if (s.infos) parts.push(`${s.infos} info`);
    const line = `✖ ${total} ${total === 1 ? 'problem' : 'problems'} (${parts.join(', ')}) in ${s.files} ${s.files === 1 ? 'file' : 'files'}`;
    out.push(s.errors ? paint.redBold(line) : paint.yellowBold(line));
    if (s.fixable) out.push(paint.dim(`  ${s.fixable} of them can be fixed by \`stackopt fix\` (some only with --unsafe)`));
  }
  yield `${out.join('\n')}\n`;
});

/** Files by the path shown for them (of two with one path, the first). */
function byShownPath(sources: readonly SourceFile[]): Map<string, SourceFile> {
  const out = new Map<string, SourceFile>();
  for (const s of sources) if (!out.has(s.displayPath)) out.set(s.displayPath, s);
  return out;
}

/**
 * The colours of the report: chalk's, or none (the text as it is, as chalk leaves it at level 0).
 * Without colour chalk is not used at all: the lint bundle then neither loads nor initialises it.
 */
interface Paint {
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  blue: (s: string) => string;
  green: (s: string) => string;
  underline: (s: string) => string;
  redBold: (s: string) => string;
  yellowBold: (s: string) => string;
}

const unpainted = (s: string): string => s;
const NO_PAINT: Paint = { dim: unpainted, red: unpainted, yellow: unpainted, blue: unpainted, green: unpainted, underline: unpainted, redBold: unpainted, yellowBold: unpainted };

function paintOf(color: boolean): Paint {
  if (!color) return NO_PAINT;
  const c = new Chalk({ level: 1 });
  return {
    dim: (s) => c.dim(s),
    red: (s) => c.red(s),
    yellow: (s) => c.yellow(s),
    blue: (s) => c.blue(s),
    green: (s) => c.green(s),
    underline: (s) => c.underline(s),
    redBold: (s) => c.red.bold(s),
    yellowBold: (s) => c.yellow.bold(s),
  };
}

/**
 * A finding's lines: position, severity, message and rule, then the source line with the span
 * underlined. A function of its own, called for every finding, so that V8 compiles it early in a
 * run rather than the generator around it.
 */
function pushFinding(
  out: string[],
  f: Finding,
  paint: Paint,
  posWidth: number,
  sevWidth: number,
  lines: (n: number) => string | null,
  fileMasks: ReadonlyMap<number, Parameters<typeof maskLine>[1]> | undefined,
  masked: Map<number, MaskedLine> | undefined,
): void {
  const pos = `${f.line}:${f.column}`.padEnd(posWidth);
  const sevText = f.severity.padEnd(sevWidth);
  const sev = f.severity === 'error' ? paint.red(sevText) : f.severity === 'warning' ? paint.yellow(sevText) : paint.blue(sevText);
  out.push(`  ${paint.dim(pos)}  ${sev}  ${f.message}  ${paint.dim(f.ruleId)}`);
  const untabbed = f.line > 0 ? lines(f.line) : null;
  if (untabbed === null) return;
  const gutter = String(f.line);
  const ranges = fileMasks?.get(f.line);
  let line = untabbed;
  let from = Math.max(0, f.column - 1);
  const oneLine = f.endLine === f.line;
  let to = f.endColumn - 1;
  if (ranges !== undefined && masked !== undefined) {
    let m = masked.get(f.line);
    if (m === undefined) masked.set(f.line, (m = maskLine(untabbed, ranges)));
    line = m.text;
    from = m.column(from);
    if (oneLine) to = m.column(to);
  }
  const { shown, start, end } = clipLine(line, from, oneLine ? to : line.length);
  const width = Math.max(1, Math.min(shown.length, end) - start);
  out.push(`  ${' '.repeat(posWidth - gutter.length)}${paint.dim(`${gutter} |`)} ${shown}`);
  out.push(`  ${' '.repeat(posWidth)}${paint.dim(' |')} ${' '.repeat(start)}${paint.red(`^${'~'.repeat(width - 1)}`)}`);
}

type MaskedLine = ReturnType<typeof maskLine>;

/**
 * A file's source lines as shown (a tab as a space), the last one asked for kept: the findings on
 * a line come one after another, and looking for tabs in the line once per finding made the report
 * of a long line with a finding every few characters (a scalar of many unset variables) quadratic.
 */
function shownLines(src: SourceFile | undefined): (n: number) => string | null {
  if (!src) return () => null;
  let last = 0;
  let shown = '';
  return (n) => {
    if (n !== last) {
      const text = src.lineText(n);
      shown = text.includes('\t') ? text.replace(/\t/g, ' ') : text;
      // a control character would act on the terminal: one replacement character in its column (a
      // file that holds one was refused where it is read, which says so: no other file has any)
      if (src.controls) shown = replaceControls(shown, '\ufffd');
      last = n;
    }
    return shown;
  };
}

/** How many digits a line or column number (a whole number, 0 or more) is written with. */
function digits(n: number): number {
  let d = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) d++;
  return d;
}

/** Lines of a file's findings held before they are written (a piece of the report). */
const PIECE_LINES = 600;

/** Longest source line printed whole; a longer one (a minified or generated file) is cut around the finding. */
const MAX_LINE = 160;

/** The part of a long line around columns [start, end), with `…` where it was cut; start/end moved to match. */
export function clipLine(line: string, start: number, end: number): { shown: string; start: number; end: number } {
  if (line.length <= MAX_LINE) return { shown: line, start, end };
  const from = Math.max(0, Math.min(start - 20, line.length - MAX_LINE));
  const to = Math.min(line.length, from + MAX_LINE);
  const head = from > 0 ? '…' : '';
  const shown = `${head}${line.slice(from, to)}${to < line.length ? '…' : ''}`;
  const shift = head.length - from;
  return { shown, start: start + shift, end: Math.min(end, to) + shift };
}
