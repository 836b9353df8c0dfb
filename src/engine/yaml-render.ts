import type { YamlStyle } from './yaml-style.js';
import { pushAll } from '../parse/collect.js';

/** A value to write into a file. Object keys keep their insertion order. */
export type YamlValue = string | number | boolean | null | Flow | Quoted | Commented | YamlValue[] | { [key: string]: YamlValue };

/** Write this value in flow style even in a block context (`test: ["CMD", "pg_isready"]`). */
export class Flow {
  constructor(
    readonly value: YamlValue,
    /** strings in double quotes, JSON-like, as healthcheck tests are usually written */
    readonly json = false,
  ) {}
}

/** A string always written quoted (in the file's preferred quote), e.g. `user: "1000:1000"`. */
export class Quoted {
  constructor(readonly value: string) {}
}

/**
 * A scalar with a trailing comment (`memory: 496M # peak 412Mi over 7d`), written in block style; in
 * a flow collection the comment is left out (it would end the line inside the collection).
 */
export class Commented {
  readonly comment: string;
  constructor(
    readonly value: string | number | boolean | Quoted,
    comment: string,
  ) {
    // one line, whatever the text holds
    this.comment = comment.replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]+/g, ' ').trim();
  }
}

export const flow = (v: YamlValue, json = false) => new Flow(v, json);
export const quoted = (s: string) => new Quoted(s);
export const commented = (v: string | number | boolean | Quoted, comment: string) => new Commented(v, comment);

/** ` # comment` as it follows a value on its line ('' for an empty comment). */
export function trailingComment(comment: string): string {
  return comment ? ` # ${comment}` : '';
}

export type ScalarStyle = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE';

export function isMapValue(v: YamlValue): v is { [key: string]: YamlValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Flow) && !(v instanceof Quoted) && !(v instanceof Commented);
}

const NUMBERISH = [
  /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$/,
  /^[-+]?0[xob][0-9a-fA-F_]+$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
  /^[-+]?\d+(?::[0-5]?\d)+(?:\.\d*)?$/,
];
const KEYWORDS = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<)$/;

/**
 * Whether a string can be written without quotes and read back as the same string by YAML 1.1 and
 * 1.2 parsers (docker's and ours): no indicator at its start, no `: ` or ` #` inside, not a number,
 * boolean or null look-alike, and in flow context no `,[]{}`.
 */
export function isPlainSafe(s: string, flow = false): boolean {
  // a fix writes the same few keys and values thousands of times in a large file; a long string
  // (a command, a description) is rarely written twice and is not kept alive for it
  if (s.length > PLAIN_CACHE_LENGTH) return plainSafe(s, flow);
  const known = flow ? plainInFlow : plainInBlock;
  let ok = known.get(s);
  if (ok === undefined) {
    if (known.size >= PLAIN_CACHE_SIZE) known.clear();
    known.set(s, (ok = plainSafe(s, flow)));
  }
  return ok;
}

/** The verdicts of `isPlainSafe`, by string, for block and for flow context (cleared when full). */
const plainInBlock = new Map<string, boolean>();
const plainInFlow = new Map<string, boolean>();
const PLAIN_CACHE_SIZE = 4096;
/** The longest string whose verdict is kept. */
const PLAIN_CACHE_LENGTH = 128;

function plainSafe(s: string, flow: boolean): boolean {
  if (s === '' || s !== s.trim()) return false;
  if (/[\x00-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(s)) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) return false;
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) return false;
  if (flow && /[,[\]{}]/.test(s)) return false;
  if (KEYWORDS.test(s) || NUMBERISH.some((re) => re.test(s))) return false;
  return true;
}

/** A string in single or double quotes (double when it holds characters single quotes cannot). */
export function quoteString(s: string, quote: "'" | '"'): string {
  if (quote === "'" && !/[\x00-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return JSON.stringify(s);
}

/** A scalar as YAML text: strings plain when that is safe, else quoted in the file's preferred quote. */
export function renderScalar(v: string | number | boolean | null, style: Pick<YamlStyle, 'quote'>, flow = false): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot write ${v} as a YAML number`);
    return String(v);
  }
  return isPlainSafe(v, flow) ? v : quoteString(v, style.quote);
}

/** A string in a given scalar style (a replacement keeps the style of the value it replaces). */
export function renderInStyle(v: string | number | boolean | null, type: ScalarStyle, style: Pick<YamlStyle, 'quote'>, flow = false): string {
  if (type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE') {
    const s = v === null ? '' : String(v);
    return quoteString(s, type === 'QUOTE_SINGLE' ? "'" : '"');
  }
  return renderScalar(v, style, flow);
}

export function renderKey(k: string, style: Pick<YamlStyle, 'quote'>, flow = false): string {
  return isPlainSafe(k, flow) ? k : quoteString(k, style.quote);
}

/** A value in flow style: `{cpus: '1', memory: 1G}`, `[ALL]`. */
export function renderFlow(v: YamlValue, style: Pick<YamlStyle, 'quote'>): string {
  if (v instanceof Flow) return v.json ? renderJson(v.value) : renderFlow(v.value, style);
  if (v instanceof Quoted) return quoteString(v.value, style.quote);
  if (v instanceof Commented) return renderFlow(v.value, style);
  if (Array.isArray(v)) return `[${v.map((x) => renderFlow(x, style)).join(', ')}]`;
  if (isMapValue(v)) {
    const parts = Object.entries(v).map(([k, x]) => `${renderKey(k, style, true)}: ${renderFlow(x, style)}`);
    return `{${parts.join(', ')}}`;
  }
  return renderScalar(v, style, true);
}

/** JSON-like flow: every string double-quoted, `, ` between items. */
export function renderJson(v: YamlValue): string {
  if (v instanceof Flow) return renderJson(v.value);
  if (v instanceof Quoted) return JSON.stringify(v.value);
  if (v instanceof Commented) return renderJson(v.value);
  if (Array.isArray(v)) return `[${v.map(renderJson).join(', ')}]`;
  if (isMapValue(v)) return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${renderJson(x)}`).join(', ')}}`;
  return v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** A value on the line of its key or dash: scalars, quoted strings and flow values. */
function renderInline(v: YamlValue, style: YamlStyle): string | null {
  if (v instanceof Commented) return renderFlow(v.value, style) + trailingComment(v.comment);
  if (v instanceof Flow || v instanceof Quoted) return renderFlow(v, style);
  if (v === null || typeof v !== 'object') return renderScalar(v, style);
  return null;
}

/** Lines (without line ends) of `key: value` in block style at `indent` spaces. */
export function renderPairLines(key: string, v: YamlValue, indent: number, style: YamlStyle): string[] {
  const pad = ' '.repeat(indent);
  const k = renderKey(key, style);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}${k}: []`];
    const out = [`${pad}${k}:`];
    for (const item of v) pushAll(out, renderItemLines(item, indent + style.seqIndent, style));
    return out;
  }
  if (isMapValue(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return [`${pad}${k}: {}`];
    const out = [`${pad}${k}:`];
    for (const [ck, cv] of entries) pushAll(out, renderPairLines(ck, cv, indent + style.indent, style));
    return out;
  }
  return [`${pad}${k}: ${renderInline(v, style)}`];
}

/** Lines of one block sequence item (`- value`) whose dash is at `indent`. */
export function renderItemLines(v: YamlValue, indent: number, style: YamlStyle): string[] {
  const pad = ' '.repeat(indent);
  if (isMapValue(v) && Object.keys(v).length > 0) {
    const lines: string[] = [];
    for (const [k, x] of Object.entries(v)) pushAll(lines, renderPairLines(k, x, indent + 2, style));
    lines[0] = `${pad}- ${lines[0]!.slice(indent + 2)}`;
    return lines;
  }
  return [`${pad}- ${renderInline(v, style) ?? renderFlow(v, style)}`];
}
