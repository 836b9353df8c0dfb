import { Composer, isCollection, isScalar, isSeq, Parser, visit, type CST, type Document } from 'yaml';
import { dockerLineBreaks, dockerTokenIssues, tagTokens } from './docker-yaml.js';
import { tagRefusals } from './go-yaml-tags.js';
import { onlyPlainComments, readFastYaml } from './fast-yaml.js';
import { fileLoc, type Loc } from './location.js';
import { convertDocument, convertFast, MAX_EXPANDED_NODES, type BuildIssue, type DotenvUse, type LVal } from './located.js';
import type { Env, InterpolationMode } from './interpolate.js';
import { readFailure, readText, ReadTextError } from './read-text.js';
import { SourceFile } from './source-file.js';
import { pushAll } from './collect.js';

/** A file that could not be read at all: a usage-level error (exit 2), not a finding. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

export interface ReadDocument {
  source: SourceFile;
  root: LVal | null;
  issues: BuildIssue[];
  /** where a variable of `dotenvOnly` is used (see parseSource) */
  dotenvUses: DotenvUse[];
  /** the variables that are set and went into a value */
  variables?: ReadonlySet<string>;
  /** read as compose does, a value that docker stack deploy reads otherwise */
  stackDiffers?: boolean;
}

/** Read a compose (or config) file; a file that cannot be read throws InputError (exit 2). */
export function readSource(path: string, displayPath: string = path): SourceFile {
  let raw: string;
  try {
    raw = readText(path);
  } catch (e) {
    if (!(e instanceof ReadTextError)) throw e;
    throw new InputError(readFailure(displayPath, e), displayPath);
  }
  return new SourceFile(path, displayPath, raw);
}

/** A stream of comments only (yaml's EmptyStream). */
const NO_DOCUMENT = 'the file holds no YAML document: a compose file needs at least a services: mapping';

/**
 * Parse one compose file into its located tree. Every YAML problem becomes an issue with a
 * position; only a file that cannot be read throws.
 *
 * A file in the shape the fast reader takes (src/parse/fast-yaml.ts) is read by that reader: the
 * same tree as yaml's, in a fraction of the time and memory; other files are read by yaml.
 * `editable` (default true): the tree keeps the nodes it was built from (the fast reader's or
 * yaml's), which the fixer edits through. `yamlOnly`: read with yaml whatever the file's shape.
 */
/** Spaces and tabs from where they are read; a line of them only, with its line break. */
const INDENTATION = /[ \t]*/y;
const BLANK_LINE = /[ \t]*\r?\n/y;

/** Characters YAML does not allow in a stream (C0 controls but tab, line feed and carriage return; DEL; C1 controls but NEL; U+FFFE, U+FFFF). */
const NOT_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

export function parseSource(source: SourceFile, env: Env, interpolate: InterpolationMode = true, dotenvOnly?: ReadonlySet<string>, editable = true, yamlOnly = false): ReadDocument {
  const issues: BuildIssue[] = [];
  const text = source.text;
  if (text.trim() === '') {
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: 'the file is empty: a compose file needs at least a services: mapping', loc: fileLoc(source, 0, 0) });
    return { source, root: null, issues, dotenvUses: [] };
  }
  if (!yamlOnly && onlyPlainComments(text)) {
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: NO_DOCUMENT, loc: fileLoc(source, 0, 0) });
    return { source, root: null, issues, dotenvUses: [] };
  }
  // YAML takes printable characters only, and docker refuses a file with any other (in a comment too)
  const control = NOT_PRINTABLE.exec(text);
  if (control) {
    source.controls = true;
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: `a control character (U+${code}) is in the file, and YAML allows none (docker: "control characters are not allowed"); remove it or write it as an escape in a double-quoted string ("\\e")`, loc: fileLoc(source, control.index, control.index + 1) });
    return { source, root: null, issues, dotenvUses: [] };
  }
  const refused = text.length > SCAN_ABOVE ? outsizedStructure(text) : null;
  if (refused) {
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: refused.message, loc: fileLoc(source, refused.at, refused.at) });
    return { source, root: null, issues, dotenvUses: [] };
  }
  const fast = yamlOnly ? null : readFastYaml(text);
  if (fast) return located(source, issues, convertFast(fast, source, { env, interpolate, dotenvOnly }, editable));
  // the text as docker's reader breaks it into lines (same offsets), and the CST for the checks of
  // what docker refuses (the same parse: the tokens are kept on their way to the composer)
  const breaks = dockerLineBreaks(text);
  for (const b of breaks.issues) issues.push({ ruleId: 'yaml-syntax', severity: b.severity, message: b.message, loc: fileLoc(source, b.start, b.end) });
  const tokens: CST.Token[] = [];
  const composer = new Composer({
    merge: false,
    // duplicate keys are reported by convertDocument in one pass (yaml's check is quadratic)
    uniqueKeys: false,
    prettyErrors: false,
    strict: true,
    // YAML 1.1's !!binary, !!timestamp, !!set, !!omap and !!pairs are not made into bytes, dates,
    // sets and pairs: docker reads a tagged mapping or sequence as it is and a tagged scalar as its
    // text (what docker refuses for a tag is told by tagRefusals)
    resolveKnownTags: false,
  });
  let list: Document.Parsed[];
  try {
    // docker's reader keeps its own rules whatever `%YAML 1.1` says (`22:22` stays a string, not the
    // sexagesimal 1342; `yes` is no boolean): the directive is read as 1.2, at the same offsets
    const text12 = breaks.text.includes('%YAML') ? breaks.text.replace(/^(%YAML[ \t]+1\.)1(?![0-9])/gm, '$12') : breaks.text;
    list = Array.from(composer.compose(keep(new Parser().parse(text12), tokens)));
  } catch (e) {
    // yaml's parser recurses per level of block nesting: thousands of `- ` levels overflow the stack
    // before its composer can report RESOURCE_EXHAUSTION
    if (!(e instanceof RangeError)) throw e;
    const at = deepestLine(text);
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: TOO_DEEP, loc: fileLoc(source, at, at) });
    return { source, root: null, issues, dotenvUses: [] };
  }
  if (list.length === 0) {
    // an EmptyStream: only comments or directives
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: NO_DOCUMENT, loc: fileLoc(source, 0, 0) });
    return { source, root: null, issues, dotenvUses: [] };
  }
  // docker compose merges the documents after the first onto it, as -f files (compose-go,
  // loadYamlFile); docker stack deploy reads the first only. An empty one (a `---` at the end) is nothing.
  const later = list.slice(1).filter((d) => d.errors.length > 0 || !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)));
  if (later.length > 0) {
    const start = later[0]!.range[0];
    issues.push({
      ruleId: 'yaml-syntax',
      severity: 'warning',
      message: `this file holds ${later.length + 1} YAML documents: docker compose merges the later ones onto the first (as -f files), docker stack deploy reads the first only, and stackopt reads the first only; split them into files of their own and pass each with -f`,
      loc: fileLoc(source, start, Math.min(start + 3, text.length)),
    });
  }
  const doc = list[0]!;
  let fatal = false;
  const openers = unclosedOpeners(doc, text);
  // Nesting deeper than the parser's stack ends the parse: one error at the place it gave up, not
  // "Maximum call stack size exceeded" followed by one "must end with a ]" per open bracket.
  const exhausted = doc.errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) {
    const [a, b] = exhausted.pos;
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: TOO_DEEP, loc: fileLoc(source, a, Math.max(a, b)) });
    return { source, root: null, issues, dotenvUses: [] };
  }
  for (const err of doc.errors) {
    let [a, b] = err.pos;
    // `"nginx:1"# note`: YAML wants a space before the comment, docker's reader does not
    if (err.code === 'MISSING_CHAR' && err.message.startsWith('Comments must be separated')) {
      issues.push({ ruleId: 'yaml-syntax', severity: 'warning', message: 'a comment follows a value without a space before it: docker reads it as a comment, but YAML wants the space (other tools refuse the file); add one', loc: fileLoc(source, a, Math.max(a, b)) });
      continue;
    }
    fatal = true;
    // "missing closing quote" and "flow sequence must end with a ]" are found at the end of the
    // file; the opening quote or bracket that was never closed is where the user has to look
    const opener = a >= text.trimEnd().length ? openers.take(err.message) : undefined;
    if (opener !== undefined) [a, b] = [opener, opener + 1];
    // an indentation error is found at the start of the item's line, or of the blank lines before
    // it: it is placed at the item's first character
    else if (err.code === 'BAD_INDENT' && (a === 0 || text[a - 1] === '\n')) {
      let at = a;
      for (;;) {
        BLANK_LINE.lastIndex = at;
        if (!BLANK_LINE.test(text)) break;
        at = BLANK_LINE.lastIndex;
      }
      // and on that line, past its indentation (read in place: no copy of the rest of the text)
      INDENTATION.lastIndex = at;
      INDENTATION.test(text);
      const first = INDENTATION.lastIndex;
      if (first < text.length && text[first] !== '\n' && text[first] !== '\r') [a, b] = [first, first + 1];
    }
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: yamlMessage(err.message), loc: fileLoc(source, a, Math.max(a, b)) });
  }
  for (const w of doc.warnings) {
    // a tag yaml does not resolve (`!custom`, `!!org.example.Bean`, `!reset`, `!!int x`): docker
    // reads most such values, and the values it refuses for their tag are told below
    if (w.code === 'TAG_RESOLVE_FAILED') continue;
    const [a, b] = w.pos;
    issues.push({ ruleId: 'yaml-syntax', severity: 'warning', message: yamlMessage(w.message), loc: fileLoc(source, a, Math.max(a, b)) });
  }
  // `image: !!int nginx`, `x: !!bool maybe`: docker refuses the file ("cannot decode !!str `nginx` as a !!int")
  for (const r of tagRefusals(doc, text.includes('!') ? tagTokens(tokens) : [])) {
    const only = r.only === 'stack' ? { swarmOnly: true as const } : r.only === 'compose' ? { composeOnly: true as const } : {};
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: r.message, loc: fileLoc(source, r.start, r.end), ...only });
  }
  if (fatal) return { source, root: null, issues, dotenvUses: [] };
  // what our parser read without error but docker refuses: an error each, and the file is still read
  for (const d of dockerTokenIssues(tokens, breaks.text)) issues.push({ ruleId: 'yaml-syntax', severity: d.severity, message: d.message, loc: fileLoc(source, d.start, d.end) });
  return located(source, issues, convertDocument(doc, source, { env, interpolate, dotenvOnly }));
}

/** The read document of a located tree: the conversion's issues added, a tree that is no mapping refused. */
function located(source: SourceFile, issues: BuildIssue[], converted: ReturnType<typeof convertFast>): ReadDocument {
  const { root, issues: convIssues, dotenvUses, variables, stackDiffers } = converted;
  pushAll(issues, convIssues);
  // An unknown alias, a collection as a key or a bad `<<` leave no document compose would read: like
  // the YAML errors above they end the file's reading (no schema errors about the hole they leave).
  // A duplicate key does not: the other checks run on the value it keeps.
  if (convIssues.some((i) => i.ruleId === 'yaml-syntax' && i.severity === 'error' && !i.readOn)) return { source, root: null, issues, dotenvUses: [] };
  if (root && root.kind !== 'map') {
    issues.push({
      ruleId: 'yaml-syntax',
      severity: 'error',
      message:
        root.kind === 'scalar' && root.value === null && root.loc.kind === 'file' && root.loc.start === root.loc.end
          ? 'the document is empty: a compose file needs at least a services: mapping'
          : `the document is a ${root.kind === 'seq' ? 'sequence' : 'scalar'}; a compose file is a mapping with a services: key`,
      loc: root.loc,
    });
    return { source, root: null, issues, dotenvUses: [] };
  }
  return { source, root, issues, dotenvUses, variables, stackDiffers };
}

/** The tokens of a stream, each also pushed onto `into`. */
function* keep(tokens: Iterable<CST.Token>, into: CST.Token[]): Generator<CST.Token> {
  for (const t of tokens) {
    into.push(t);
    yield t;
  }
}

function yamlMessage(message: string): string {
  // yaml's messages end with a position and a code frame when prettyErrors is on; it is off, but
  // trim any trailing " at line x, column y" so that the finding's own position is the only one.
  const at = message.search(/ at line \d+, column \d+/);
  return (at < 0 ? message : message.slice(0, at)).trim();
}

export type { Loc };


/**
 * Quoted scalars and flow collections that run to the end of the text (they were never closed),
 * innermost first, handed out by the kind an error message names.
 */
function unclosedOpeners(doc: Document.Parsed, text: string): { take(message: string): number | undefined } {
  const end = text.trimEnd().length;
  const found: Array<{ kind: 'quote' | 'seq' | 'map'; start: number }> = [];
  if (doc.errors.length > 0) {
    visit(doc, {
      Node(_, n) {
        const r = n.range;
        if (!r || r[1] < end) return;
        if (isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE')) found.push({ kind: 'quote', start: r[0] });
        else if (isCollection(n) && n.flow) found.push({ kind: isSeq(n) ? 'seq' : 'map', start: r[0] });
      },
    });
    found.sort((x, y) => y.start - x.start);
  }
  return {
    take(message) {
      const kind = /quote/i.test(message) ? 'quote' : /^Flow sequence/.test(message) ? 'seq' : /^Flow map/.test(message) ? 'map' : null;
      const i = found.findIndex((f) => f.kind === kind);
      if (i < 0) return undefined;
      return found.splice(i, 1)[0]!.start;
    },
  };
}

const TOO_DEEP = 'the YAML is nested too deeply to read (hundreds of levels); a compose file needs a handful';

/** Files larger than this are scanned for an outsized structure before either reader builds anything. */
const SCAN_ABOVE = 1024 * 1024;
/** More `[`/`{` open at once than this: TOO_DEEP (the reader's limit is far lower; this stops it early). */
const MAX_SCANNED_DEPTH = 1000;
/**
 * More values than this (commas and lines, an upper bound of a file's values): more than the
 * located tree holds at all (MAX_EXPANDED_NODES), so the file is refused before yaml's parser
 * builds its tokens (about 130 bytes of memory a byte of a 48 MB flow list, which ran out of memory).
 */
const MAX_SCANNED_VALUES = 2 * MAX_EXPANDED_NODES;

/**
 * One pass over a large file's characters, before it is parsed: where flow collections open more
 * than MAX_SCANNED_DEPTH deep, or where the count of commas and line breaks passes
 * MAX_SCANNED_VALUES; null when neither. Brackets and commas inside scalars count too: a file
 * that trips this on them holds hundreds of unclosed brackets or millions of commas, which no
 * compose file does.
 */
function outsizedStructure(text: string): { at: number; message: string } | null {
  let depth = 0;
  let values = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) {
      if (++depth > MAX_SCANNED_DEPTH) return { at: i, message: TOO_DEEP };
    } else if (c === 93 || c === 125) {
      if (depth > 0) depth--;
    } else if (c === 44 || c === 10) {
      if (++values > MAX_SCANNED_VALUES) return { at: i, message: `the file holds more than ${MAX_SCANNED_VALUES.toLocaleString('en-US')} values (lines and commas); a compose file of 20,000 services holds about 700,000: it is not read` };
    }
  }
  return null;
}

/** The offset where the line with the longest indentation (spaces and `- ` of block sequences) gives way to its content. */
function deepestLine(text: string): number {
  let best = 0;
  let bestDepth = -1;
  for (let start = 0; start < text.length; ) {
    let i = start;
    while (i < text.length && (text[i] === ' ' || text[i] === '-' || text[i] === '\t')) i++;
    if (i - start > bestDepth) {
      bestDepth = i - start;
      best = i;
    }
    const nl = text.indexOf('\n', i);
    start = nl < 0 ? text.length : nl + 1;
  }
  return best;
}
