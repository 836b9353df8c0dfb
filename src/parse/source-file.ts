import { LineCounter } from 'yaml';

const BOM = '\uFEFF';

/**
 * One file as read from disk. `text` is what the YAML parser sees (no BOM); every offset in the
 * project is an offset into `text`. `bom` and `eol` are kept so that a rewrite can restore them.
 */
export class SourceFile {
  readonly text: string;
  readonly bom: boolean;
  readonly eol: '\n' | '\r\n';
  readonly lineCounter = new LineCounter();
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
    const nl = this.text.indexOf('\n');
    this.eol = nl > 0 && this.text[nl - 1] === '\r' ? '\r\n' : '\n';
  }

  /** The file's bytes as they would be written back: BOM restored. */
  toRaw(text: string = this.text): string {
    return this.bom ? BOM + text : text;
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      // The LineCounter is filled by the parser; a file that was never parsed (read errors) has none.
      const ls = this.lineCounter.lineStarts;
      if (ls.length > 0) this.lineStarts = ls;
      else {
        const out = [0];
        for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) out.push(i + 1);
        this.lineStarts = out;
      }
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
    if (e > s && this.text[e - 1] === '\r') e--;
    return this.text.slice(s, e);
  }
}
