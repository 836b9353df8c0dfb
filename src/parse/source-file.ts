const BOM = '\uFEFF';

/**
 * One file as read from disk. `text` is what the YAML parser sees (no BOM); every offset in the
 * project is an offset into `text`. `bom` and `eol` are kept so that a rewrite can restore them.
 */
export class SourceFile {
  readonly text: string;
  readonly bom: boolean;
  /** the line break edits insert: LF or CRLF (a file whose lines end in a lone CR is not fixed) */
  readonly eol: '\n' | '\r\n';
  /** the first line break is a lone CR (old Mac line ends) */
  readonly loneCr: boolean;
  /** a control character is in the text (its read stopped there: parseSource); shown lines replace them */
  controls = false;
  private lineStarts: number[] | null = null;

  constructor(
    /** absolute or as-given path used to read the file */
    readonly path: string,
    /** the path shown to the user */
    readonly displayPath: string,
    raw: string,
  ) {
    this.bom = raw.startsWith(BOM);
    this.text = this.bom ? raw.slice(1) : raw;
    // the first line break says: LF, CRLF, or a lone CR (docker's reader, and editors, read all three)
    const m = /\r\n?|\n/.exec(this.text);
    this.eol = m?.[0] === '\r\n' ? '\r\n' : '\n';
    this.loneCr = m?.[0] === '\r';
  }

  /** The file's bytes as they would be written back: BOM restored. */
  toRaw(text: string = this.text): string {
    return this.bom ? BOM + text : text;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      // A line ends at a LF, a CRLF or a lone CR (as editors count lines; docker's reader does too).
      // U+2028 and its kin are line breaks for docker but not for editors: lines are not split there.
      const out = [0];
      const t = this.text;
      if (t.indexOf('\r') === -1) {
        // LF only (most files): one search per line rather than a look at each character
        for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) out.push(i + 1);
      } else {
        for (let i = 0; i < t.length; i++) {
          const c = t.charCodeAt(i);
          if (c === 10 || (c === 13 && t.charCodeAt(i + 1) !== 10)) out.push(i + 1);
        }
      }
      this.lineStarts = out;
    }
    return this.lineStarts;
  }

  /** 1-based line and column of an offset into `text`. */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  /** The text of a 1-based line, without its line ending. */
  lineText(line: number): string {
    const starts = this.starts();
    const s = starts[line - 1];
    if (s === undefined) return '';
    const next = starts[line];
    let e = next === undefined ? this.text.length : next - 1;
    if (e > s && this.text[e - 1] === '\r' && next !== undefined && this.text[next - 1] === '\n') e--;
    return this.text.slice(s, e);
  }
}
