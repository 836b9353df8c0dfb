import { interpolate, type Lookup } from './interpolate.js';
import { SourceFile } from './source-file.js';

/** A problem in an env file, at its 1-based line and column. */
export interface EnvFileError {
  line: number;
  column: number;
  message: string;
}

/** A variable's name as compose's dotenv parser takes it (dotenv/parser.go, locateKeyName): letters and digits of any script, `_ . - [ ]`, spaces inside. */
const NAME = /^[\p{L}\p{N}_.\-[\]][\p{L}\p{N}_.\-[\] ]*$/u;
/** Where a name ends: `=`, or `:` (compose reads `KEY: value` too). */
const SEPARATOR = /[=:]/;


/**
 * The `.env` file format compose reads: `KEY=VALUE` lines, `#` comments, an optional `export `
 * prefix, single quotes (literal), double quotes (with \n, \r, \t, \\ and \" escapes) that may span
 * lines, and inline comments after an unquoted value when preceded by white space. Unquoted and
 * double-quoted values are interpolated (`${VAR:-default}`), looking a name up first in `lookup`
 * (the process environment, earlier env files) and then in the lines above.
 */
export function parseEnvFile(raw: string, lookup?: Lookup): { values: Map<string, string>; errors: EnvFileError[] } {
  const values = new Map<string, string>();
  const errors: EnvFileError[] = [];
  // the text without its BOM, and line:column of an offset, as for compose files
  const source = new SourceFile('', '', raw);
  const text = source.text;
  const fail = (offset: number, message: string) => errors.push({ ...source.position(offset), message });
  const view: Lookup = { get: (k) => lookup?.get(k) ?? values.get(k) };
  const expand = (value: string, at: number, exact: boolean): string => {
    const r = interpolate(value, view);
    // an unset variable becomes empty, as in compose files; a required one or bad syntax is an error
    // the messages name no value: an env file holds secrets (and a file that is none may be read as one)
    for (const is of r.issues) {
      if (is.kind === 'unset') continue;
      // a value built from the ones above (`A2=${A1}${A1}` doubles at each line) stops at
      // MAX_INTERPOLATED_LENGTH: 409 bytes of such lines had made gigabytes
      const message = is.kind === 'required' ? `required variable ${is.variable} is not set or empty` : is.kind === 'size' ? is.message : 'invalid interpolation format (the value is not shown)';
      fail(exact && is.kind !== 'size' ? at + is.start : at, message);
    }
    return r.value;
  };
  const endOfLine = (from: number) => {
    const nl = text.indexOf('\n', from);
    return nl < 0 ? text.length : nl;
  };

  let i = 0;
  while (i < text.length) {
    const lineEnd = endOfLine(i);
    const line = text.slice(i, lineEnd).replace(/\r$/, '');
    const indent = line.length - line.trimStart().length;
    const body = line.slice(indent);
    if (body === '' || body.startsWith('#')) {
      i = lineEnd + 1;
      continue;
    }
    const exported = /^export\s+/.exec(body);
    const keyStart = i + indent + (exported ? exported[0].length : 0);
    const rest = text.slice(keyStart, i + line.length);
    // compose reads `KEY: value` too (its dotenv parser: "yaml-style value declaration")
    const eq = rest.search(SEPARATOR);
    const key = (eq < 0 ? rest : rest.slice(0, eq)).trimEnd();
    if (!NAME.test(key)) {
      // the line is not quoted: it may be anything (a file that is not an env file, a secret)
      fail(keyStart, 'not a KEY=VALUE line: a variable name is letters, digits, "_", ".", "-", "[" or "]" (the line is not shown)');
      i = lineEnd + 1;
      continue;
    }
    if (eq < 0) {
      // `KEY` alone takes its value from the environment: nothing to set here
      i = lineEnd + 1;
      continue;
    }
    let v = keyStart + eq + 1;
    while (text[v] === ' ' || text[v] === '\t') v++;
    const quote = text[v];
    if (quote === "'" || quote === '"') {
      let j = v + 1;
      let value = '';
      for (; j < text.length && text[j] !== quote; j++) {
        const c = text[j]!;
        if (quote === '"' && c === '\\' && j + 1 < text.length) {
          const e = text[++j]!;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        } else if (c === '\r' && text[j + 1] === '\n') continue; // a CRLF file's line break inside quotes is "\n"
        else value += c;
      }
      if (j >= text.length) {
        fail(v, `unterminated quoted value: ${quote} has no closing ${quote}`);
        break;
      }
      values.set(key, quote === '"' ? expand(value, v, false) : value);
      // what follows the closing quote on its line (white space, a comment) is not part of the value
      i = endOfLine(j) + 1;
      continue;
    }
    let value = text.slice(v, i + line.length);
    const hash = value.search(/\s#/);
    if (hash >= 0) value = value.slice(0, hash);
    value = value.trimEnd();
    values.set(key, expand(value, v, true));
    i = lineEnd + 1;
  }
  return { values, errors };
}
