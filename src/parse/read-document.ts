import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { fileLoc, type Loc } from '../model/location.js';
import { convertDocument, type BuildIssue, type LVal } from './located.js';
import type { Env } from './interpolate.js';
import { SourceFile } from './source-file.js';

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
}

export function readSource(path: string, displayPath: string = path): SourceFile {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new InputError(`${displayPath}: cannot read file: ${why}`, displayPath);
  }
  return new SourceFile(path, displayPath, raw);
}

/**
 * Parse one compose file into its located tree. Every YAML problem becomes an issue with a
 * position; only a file that cannot be read throws.
 */
export function parseSource(source: SourceFile, env: Env, interpolate = true): ReadDocument {
  const issues: BuildIssue[] = [];
  const text = source.text;
  if (text.trim() === '') {
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: 'the file is empty: a compose file needs at least a services: mapping', loc: fileLoc(source, 0, 0) });
    return { source, root: null, issues };
  }
  const docs = parseAllDocuments(text, {
    lineCounter: source.lineCounter,
    merge: false,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length === 0) {
    // an EmptyStream: only comments or directives
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: 'the file holds no YAML document: a compose file needs at least a services: mapping', loc: fileLoc(source, 0, 0) });
    return { source, root: null, issues };
  }
  if (list.length > 1) {
    const second = list[1]!;
    const start = second.range[0];
    issues.push({
      ruleId: 'yaml-syntax',
      severity: 'error',
      message: `this file holds ${list.length} YAML documents; a compose file is one document (split them into separate files and pass each with -f)`,
      loc: fileLoc(source, start, Math.min(start + 3, text.length)),
    });
  }
  const doc = list[0]!;
  let fatal = false;
  for (const err of doc.errors) {
    fatal = true;
    const [a, b] = err.pos;
    const at = err.code === 'DUPLICATE_KEY' ? keyTextAt(text, a) : text.slice(a, b);
    const end = err.code === 'DUPLICATE_KEY' ? a + at.length : Math.max(a, b);
    issues.push({ ruleId: 'yaml-syntax', severity: 'error', message: yamlMessage(err.message, err.code, at), loc: fileLoc(source, a, end) });
  }
  for (const w of doc.warnings) {
    // `!reset` and `!override` are compose's own tags (merge.md), not unknown ones.
    if (w.code === 'TAG_RESOLVE_FAILED' && /!(reset|override)\b/.test(w.message)) continue;
    const [a, b] = w.pos;
    issues.push({ ruleId: 'yaml-syntax', severity: 'warning', message: yamlMessage(w.message, w.code, text.slice(a, b)), loc: fileLoc(source, a, Math.max(a, b)) });
  }
  if (fatal) return { source, root: null, issues };
  const { root, issues: convIssues } = convertDocument(doc, source, { env, interpolate });
  issues.push(...convIssues);
  if (root && root.kind !== 'map') {
    issues.push({
      ruleId: 'yaml-syntax',
      severity: 'error',
      message: `the document is a ${root.kind === 'seq' ? 'sequence' : 'scalar'}; a compose file is a mapping with a services: key`,
      loc: root.loc,
    });
    return { source, root: null, issues };
  }
  return { source, root, issues };
}

function yamlMessage(message: string, code: string, at = ''): string {
  // yaml's messages end with a position and a code frame when prettyErrors is on; it is off, but
  // trim any trailing " at line x, column y" so that the finding's own position is the only one.
  let m = message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  if (code === 'DUPLICATE_KEY') m = `duplicate key "${at.trim()}": a key may appear only once in a mapping (YAML keeps one of them silently in other tools)`;
  return m;
}

export type { Loc };

/** The text of a mapping key starting at an offset (a quoted key with its quotes), for messages. */
function keyTextAt(text: string, start: number): string {
  const q = text[start];
  if (q === '"' || q === "'") {
    const close = text.indexOf(q, start + 1);
    return close > start ? text.slice(start, close + 1) : text.slice(start, start + 1);
  }
  let end = start;
  while (end < text.length && !/[\r\n]/.test(text[end]!) && !(text[end] === ':' && /[\s]/.test(text[end + 1] ?? ' '))) end++;
  return text.slice(start, end).trimEnd();
}
