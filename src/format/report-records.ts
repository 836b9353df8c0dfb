import type { Finding } from '../engine/types.js';
import type { Loc } from '../parse/location.js';
import { SourceFile } from '../parse/source-file.js';
import { reportedFields } from './types.js';

/**
 * What a report keeps of a linted project when it does not show fixes: the findings' fields, the
 * source lines the human format prints and the positions of the secret spans it masks, not the
 * files' texts, trees and fixes. A lint of many files then holds a few hundred bytes per finding
 * until the report is written, instead of every file it read.
 *
 * One `ReportRecords` serves a whole run: a file reported by two projects (an included file) has
 * one record, with the lines both need.
 */
export class ReportRecords {
  private readonly files = new Map<string, ReportedSource>();
  /**
   * The strings kept so far (messages, services, paths, source lines), each once: a run over many
   * files repeats most of them (the same rules, services and lines in file after file).
   */
  private readonly shared = new Map<string, string>();

  /** The record of a file (by the path shown, as the formats group findings), made on first use. */
  private record(source: SourceFile): ReportedSource {
    let r = this.files.get(source.displayPath);
    if (!r) this.files.set(source.displayPath, (r = new ReportedSource(source.path, source.displayPath)));
    return r;
  }

  /**
   * The findings of one project as the report needs them (without fixes), and its sources as
   * records. `sources` are the project's files: a finding's line is printed from the one it names.
   */
  keep(findings: readonly Finding[], sources: readonly SourceFile[]): { findings: Finding[]; sources: SourceFile[] } {
    const strings: string[] = [];
    /** the source lines to keep */
    const lines: Array<{ record: ReportedSource; line: number; text: string }> = [];
    // the project's files by the name findings give (the first of a name, as a search would find)
    const byName = new Map<string, SourceFile>();
    for (const s of sources) if (!byName.has(s.displayPath)) byName.set(s.displayPath, s);
    const kept = findings.map((f) => {
      strings.push(f.message, f.service ?? '', f.path);
      const loc: Loc | undefined = f.loc && (f.loc.kind === 'file' ? { kind: 'file', source: this.record(f.loc.source), start: f.loc.start, end: f.loc.end } : f.loc);
      const shown = byName.get(f.file) ?? (f.loc?.kind === 'file' ? f.loc.source : undefined);
      if (shown && f.line > 0) {
        const record = this.record(shown);
        if (!record.hasLine(f.line)) {
          record.keepLine(f.line, '');
          lines.push({ record, line: f.line, text: shown.lineText(f.line) });
        }
      }
      let sensitive = f.sensitive;
      if (sensitive?.kind === 'file') {
        const s = sensitive;
        const record = this.record(s.source);
        const end = Math.max(s.start, s.end);
        record.keepPosition(s.start, s.source.position(s.start));
        record.keepPosition(end, s.source.position(end));
        sensitive = { kind: 'file', source: record, start: s.start, end: s.end };
      }
      // the locations in the record object itself: a property added afterwards would give each
      // record a second block of properties
      const k = reportedFields(f, loc, sensitive);
      return k;
    });
    for (const l of lines) strings.push(l.text);
    const copies = this.share(strings);
    const lineAt = copies.length - lines.length;
    kept.forEach((k, i) => {
      k.message = copies[3 * i]!;
      if (k.service !== null) k.service = copies[3 * i + 1]!;
      k.path = copies[3 * i + 2]!;
    });
    lines.forEach((l, i) => l.record.keepLine(l.line, copies[lineAt + i]!));
    return { findings: kept, sources: sources.map((s) => this.record(s)) };
  }

  /**
   * Each string as the one kept before when an equal one was, else as a detached copy (then kept),
   * in place.
   */
  private share(strings: string[]): string[] {
    const shared = this.shared;
    /** the indexes of the strings not kept before */
    const fresh: number[] = [];
    for (let i = 0; i < strings.length; i++) {
      const have = shared.get(strings[i]!);
      if (have === undefined) fresh.push(i);
      else strings[i] = have;
    }
    if (fresh.length === 0) return strings;
    const copies = detach(fresh.map((i) => strings[i]!));
    for (let k = 0; k < fresh.length; k++) {
      const copy = copies[k]!;
      // a string met twice in this project is kept once too
      const have = shared.get(copy);
      if (have !== undefined) strings[fresh[k]!] = have;
      else {
        shared.set(copy, copy);
        strings[fresh[k]!] = copy;
      }
    }
    return strings;
  }
}

/**
 * Copies of `strings` that share new strings rather than the texts they were cut from: V8 keeps a
 * slice of a string (and a string made by `+` of one) as a reference into the whole, so a message
 * quoting a value would keep its file's text alive. The copies are cut from two strings, one of
 * the strings that are all Latin-1 (one byte a character) and one of the others: a single
 * character beyond Latin-1 would make V8 store the whole of one joined string with two bytes.
 */
function detach(strings: readonly string[]): string[] {
  const wide = strings.map((s) => WIDE.test(s));
  const narrowAll = joined(strings.filter((_, i) => !wide[i]));
  const wideAll = joined(strings.filter((_, i) => wide[i]));
  const out: string[] = [];
  let narrowAt = 0;
  let wideAt = 0;
  strings.forEach((s, i) => {
    if (wide[i]) {
      out.push(wideAll.slice(wideAt, wideAt + s.length));
      wideAt += s.length;
    } else {
      out.push(narrowAll.slice(narrowAt, narrowAt + s.length));
      narrowAt += s.length;
    }
  });
  return out;
}

/** A character that Latin-1 does not hold. */
const WIDE = /[^\x00-\xff]/;

/** The strings joined into a new string (two parts at least: join returns a lone part as it is). */
function joined(strings: string[]): string {
  strings.push('');
  strings.push('');
  return strings.join('');
}

/**
 * A source file as a report record: its paths, the lines that findings print and the positions of
 * the offsets the report turns into lines (secret spans); not its text.
 */
class ReportedSource extends SourceFile {
  private readonly lines = new Map<number, string>();
  private readonly positions = new Map<number, { line: number; column: number }>();

  constructor(path: string, displayPath: string) {
    super(path, displayPath, '');
  }

  hasLine(line: number): boolean {
    return this.lines.has(line);
  }

  keepLine(line: number, text: string): void {
    this.lines.set(line, text);
  }

  keepPosition(offset: number, p: { line: number; column: number }): void {
    this.positions.set(offset, p);
  }

  override position(offset: number): { line: number; column: number } {
    const p = this.positions.get(offset);
    if (!p) throw new Error(`no position kept for offset ${offset} of ${this.displayPath}`);
    return p;
  }

  override lineText(line: number): string {
    const text = this.lines.get(line);
    if (text === undefined) throw new Error(`line ${line} of ${this.displayPath} was not kept for the report`);
    return text;
  }
}
