import type { SourceFile } from '../parse/source-file.js';

/** How a file writes YAML, so that inserted text looks like its neighbours. */
export interface YamlStyle {
  /** spaces a nested block mapping is indented by */
  indent: number;
  /** spaces a block sequence's `-` is indented by under its key (0: `key:\n- item`) */
  seqIndent: number;
  /** the quote used for new strings that must be quoted */
  quote: "'" | '"';
  eol: '\n' | '\r\n';
}

const cache = new WeakMap<SourceFile, YamlStyle>();

const KEY_LINE = /^( *)(?:- +)?[^\s#'"\-?][^#]*?:[ \t]*(?:#.*)?$/;

/** Detect the file's indentation step, sequence indentation and preferred quote (computed once per file). */
export function styleOf(source: SourceFile): YamlStyle {
  let s = cache.get(source);
  if (!s) {
    s = detectStyle(source.text, source.eol);
    cache.set(source, s);
  }
  return s;
}

export function detectStyle(text: string, eol: '\n' | '\r\n' = text.includes('\r\n') ? '\r\n' : '\n'): YamlStyle {
  const lineAt = linesOf(text);
  let indent: number | null = null;
  let seqIndent: number | null = null;
  for (let i = 0; lineAt(i) !== undefined && (indent === null || seqIndent === null); i++) {
    const line = lineAt(i)!;
    const m = KEY_LINE.exec(line);
    if (!m || /:\s*[|>]/.test(line)) continue;
    // the column where this key's own children would start
    const dash = /^( *)- +/.exec(line);
    const keyCol = dash ? dash[0].length : m[1]!.length;
    let j = i + 1;
    while (lineAt(j) !== undefined && /^\s*(#.*)?$/.test(lineAt(j)!)) j++;
    const next = lineAt(j);
    if (next === undefined) break;
    const nextIndent = /^ */.exec(next)![0].length;
    const isSeq = /^ *- /.test(next) || /^ *-$/.test(next);
    if (isSeq) {
      if (seqIndent === null && nextIndent >= keyCol) seqIndent = nextIndent - keyCol;
    } else if (indent === null && nextIndent > keyCol) {
      indent = nextIndent - keyCol;
    }
  }
  let single = 0;
  let double = 0;
  for (const m of text.matchAll(/(?:^|[:\-][ \t]+|[[,{][ \t]*)(['"])/gm)) {
    if (m[1] === "'") single++;
    else double++;
  }
  return {
    indent: indent !== null && indent > 0 && indent <= 8 ? indent : 2,
    seqIndent: seqIndent !== null && seqIndent <= 8 ? seqIndent : (indent ?? 2),
    quote: double > single ? '"' : "'",
    eol,
  };
}

/**
 * The text's lines as `text.split(/\r?\n/)` gives them, cut only as far as asked: the style is
 * usually settled in the first lines, and a fix reads the style of every text it edits (a large
 * fixed file would otherwise be split whole for it).
 */
function linesOf(text: string): (i: number) => string | undefined {
  const lines: string[] = [];
  let pos = 0;
  let done = false;
  return (i) => {
    while (lines.length <= i && !done) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) {
        lines.push(text.slice(pos));
        done = true;
      } else {
        lines.push(text.slice(pos, nl > pos && text[nl - 1] === '\r' ? nl - 1 : nl));
        pos = nl + 1;
      }
    }
    return lines[i];
  };
}
