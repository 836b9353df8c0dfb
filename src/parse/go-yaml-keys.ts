/**
 * Which mapping keys docker's YAML readers take for strings. A compose file's mappings are read into
 * Go's `map[string]any` only when every key is a string to the reader; one key that is not (`1:`,
 * `true:`, `~:`, `2001-01-01:`, a tagged `!foo bar:`) makes the mapping a `map[any]any`, and then:
 *
 * - docker stack deploy (docker/cli 28, gopkg.in/yaml.v3 v3.0.1) refuses the file: its loader hands
 *   the mapping to the schema check, whose JSON encoding fails ("json: unsupported type:
 *   map[interface {}]interface {}"; at the top level, ParseYAML's "top-level object must be a
 *   mapping"). yaml.v3 decides by each key's tag (decode.go `isStringMap`: `!!str` or `!!merge`),
 *   so a key with any other tag is refused too, whatever its value.
 * - docker compose (compose-go v2, go.yaml.in/yaml/v4) converts such a mapping's keys to strings and
 *   refuses only a key whose decoded value is not a Go string (loader/loader.go
 *   `convertToStringKeysRecursive`, "non-string key in services.app.environment: 1"): a tagged
 *   `!foo bar` decodes to "bar" and passes. yaml/v4 reads the non-specific tag `!` as `!!str`.
 *
 * A quoted or block scalar is a string to both unless it carries a tag other than `!` or `!!str`.
 */

/** The type Go's YAML readers resolve a plain scalar to (resolve.go `resolve`). */
export type GoYamlType = 'str' | 'null' | 'bool' | 'int' | 'float' | 'timestamp';

/** What a reader makes of a key that is no string: its type, or `tag` for a key docker refuses for its tag alone. */
export type KeyRefusal = Exclude<GoYamlType, 'str'> | 'tag';

/** The scalars resolve.go looks up whole (`resolveMap`); yaml/v4 adds `-0` and `-0.0` as floats. */
const WORDS = new Map<string, GoYamlType>([
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE'].map((w) => [w, 'bool'] as const),
  ...['', '~', 'null', 'Null', 'NULL'].map((w) => [w, 'null'] as const),
  ...['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF'].map((w) => [w, 'float'] as const),
]);

/**
 * resolve.go's first look at a plain scalar, by its first character (`resolveTable`): 1 a sign, 2 a
 * digit, 3 a letter that may start a word of WORDS, 4 a dot; any other character starts a string.
 */
const HINT = new Uint8Array(128);
HINT[43] = HINT[45] = 1;
for (let c = 48; c <= 57; c++) HINT[c] = 2;
for (const ch of 'yYnNtTfFoO~') HINT[ch.charCodeAt(0)] = 3;
HINT[46] = 4;

/** yaml.v3's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** What Go's strconv.ParseFloat reads of a scalar that starts with a dot. */
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
/** An integer as Go's strconv.ParseInt reads it in base 0 (underscores removed): sign, base prefix, digits. */
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]*)|([1-9][0-9]*))$/;
/** yaml.v3's own reading of `0b` and `0o` followed by a sign (`0b-1`), which yaml/v4 dropped. */
const SIGNED_AFTER_PREFIX = /^0(?:b([-+])([01]+)|o([-+])([0-7]+))$/;
/**
 * The timestamps resolve.go's parseTimestamp takes (Go's time.Parse with its four layouts): a date
 * `2006-1-2`, then optionally `T` or `t` with a time and a zone, or spaces with a time and no zone.
 */
const TIMESTAMP = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:([Tt])| +)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;

/**
 * The type Go's YAML reader gives a plain scalar (resolve.go `resolve` with no tag): yaml.v3, as
 * docker stack deploy reads a file, or yaml/v4 (`v4`), as docker compose does. A scalar that starts
 * with a letter other than those of `true`, `false`, `null` (and `y n o`, which yaml.v3 looks up
 * but keeps as strings) is a string at once.
 */
export function goYamlType(s: string, v4 = false): GoYamlType {
  if (s === '') return 'null';
  const c = s.charCodeAt(0);
  const hint = c < 128 ? HINT[c]! : 0;
  if (hint === 0) return 'str';
  if (s.length <= 6) {
    const word = WORDS.get(s);
    if (word !== undefined) return word;
    if (v4 && (s === '-0' || s === '-0.0')) return 'float';
  }
  if (hint === 3) return 'str';
  if (hint === 4) return DOT_FLOAT.test(s) && Number.isFinite(Number(s)) ? 'float' : 'str';
  if (hint === 2 && isGoTimestamp(s)) return 'timestamp';
  const plain = s.includes('_') ? s.split('_').join('') : s;
  if (goParsesInt(plain)) return 'int';
  if (YAML_STYLE_FLOAT.test(plain) && Number.isFinite(Number(plain))) return 'float';
  if (!v4) {
    const m = SIGNED_AFTER_PREFIX.exec(plain);
    // strconv.ParseInt(rest, 2 or 8): in int64's range
    if (m && withinInt64(m[1] ?? m[3]!, m[2] ?? m[4]!, m[2] !== undefined ? 2 : 8)) return 'int';
  }
  return 'str';
}

/** The largest magnitudes strconv reads, by base: 2^64-1 (ParseUint), 2^63-1 and 2^63 (ParseInt). */
const LIMITS: Record<number, readonly [string, string, string]> = {
  2: ['1'.repeat(64), '1'.repeat(63), '1' + '0'.repeat(63)],
  8: ['1777777777777777777777', '777777777777777777777', '1000000000000000000000'],
  10: ['18446744073709551615', '9223372036854775807', '9223372036854775808'],
  16: ['ffffffffffffffff', '7fffffffffffffff', '8000000000000000'],
};

/** Whether Go's strconv.ParseInt or ParseUint (base 0) reads the text (underscores removed). */
function goParsesInt(s: string): boolean {
  const m = GO_INT.exec(s);
  if (!m) return false;
  const [, sign, hex, bin, oct, oct0, dec] = m;
  const base = hex !== undefined ? 16 : bin !== undefined ? 2 : oct !== undefined || oct0 !== undefined ? 8 : 10;
  const digits = (hex ?? bin ?? oct ?? oct0 ?? dec)!;
  if (sign === '') return notAbove(digits, LIMITS[base]![0], base);
  return withinInt64(sign!, digits, base);
}

/** Whether a signed magnitude is in int64's range: ParseUint takes no sign. */
function withinInt64(sign: string, digits: string, base: number): boolean {
  return notAbove(digits, LIMITS[base]![sign === '-' ? 2 : 1], base);
}

/** Whether the digits, read in the base, are at most the limit (written in the same base, lower case). */
function notAbove(digits: string, limit: string, base: number): boolean {
  let i = 0;
  while (i < digits.length - 1 && digits[i] === '0') i++;
  const d = i === 0 ? digits : digits.slice(i);
  if (d.length !== limit.length) return d.length < limit.length;
  return (base === 16 ? d.toLowerCase() : d) <= limit;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether Go's time.Parse reads the text with one of the layouts of resolve.go's parseTimestamp. */
function isGoTimestamp(s: string): boolean {
  if (s.length < 8 || s.charCodeAt(4) !== 45) return false;
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [, y, mo, d, t, h, mi, sec, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day < 1 || day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  if (h === undefined) return true;
  // the layout with T (or t) ends with a zone, the one with a space has none
  if ((t !== undefined) !== (zone !== undefined)) return false;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return false;
  // a zone's hours and minutes may reach 24 and 60
  return zone === undefined || zone === 'Z' || (Number(zone.slice(1, 3)) <= 24 && Number(zone.slice(4, 6)) <= 60);
}

/** A tag as Go writes it short: yaml's `tag:yaml.org,2002:str` is `!!str`. */
export function shortTag(tag: string | undefined): string | undefined {
  return tag !== undefined && tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice(18)}` : tag;
}

/** The types a tag gives a scalar whatever its text (resolve.go `resolvableTag`, but `!!str`). */
export const TYPED_TAGS = new Map<string, Exclude<GoYamlType, 'str'>>([
  ['!!null', 'null'],
  ['!!bool', 'bool'],
  ['!!int', 'int'],
  ['!!float', 'float'],
  ['!!timestamp', 'timestamp'],
]);

/**
 * How docker's readers take a mapping key: null where the key is a string to it, else why not.
 * `text` is the key's value as written (a plain scalar's text), `plain` whether it is a plain
 * scalar (not quoted, not a block scalar), `tag` its tag (`!foo`, `!!int`, yaml's long form of
 * `!!str`). `stack` is docker stack deploy (yaml.v3, which goes by the tag), `compose` docker
 * compose (yaml/v4, which goes by the decoded value). Null when both take it for a string: a plain
 * key of letters other than those that start `true`, `false` and `null` is told at its first one.
 */
export function keyRefusals(text: string, plain: boolean, tag: string | undefined): KeyRefusals | null {
  const t = shortTag(tag);
  if ((t === undefined || t === '!') && !plain) return null;
  if (t === undefined) {
    // (a scalar yaml.v3 reads as a string, yaml/v4 reads as one too)
    const type = goYamlType(text);
    if (type === 'str') return null;
    const v4 = goYamlType(text, true);
    return { stack: type, compose: v4 === 'str' ? null : v4 };
  }
  if (t === '!') {
    // yaml.v3 resolves the text to decide the mapping's type; yaml/v4 takes `!` for `!!str`
    const type = goYamlType(text);
    return type === 'str' ? null : { stack: type, compose: null };
  }
  if (t === '!!str' || t === '!!merge') return null;
  const typed = TYPED_TAGS.get(t);
  return typed ? { stack: typed, compose: typed } : { stack: 'tag', compose: null };
}

/** What each of docker's readers makes of a key that one of them takes for no string (null: a string to it). */
export interface KeyRefusals {
  /** docker stack deploy (docker/cli, yaml.v3) */
  stack: KeyRefusal | null;
  /** docker compose (compose-go, yaml/v4) */
  compose: KeyRefusal | null;
}

const KIND_WORDS: Record<Exclude<KeyRefusal, 'tag'>, string> = {
  null: 'null',
  bool: 'a boolean',
  int: 'an integer',
  float: 'a floating-point number',
  timestamp: 'a timestamp',
};

/** Keys and values longer than this are cut in messages. */
const SHOWN = 40;

function cut(s: string): string {
  return s.length > SHOWN ? `${s.slice(0, SHOWN - 3)}...` : s;
}

/** A key as a message shows it and the reader saw it. */
export interface RefusedKey {
  /** as written: the scalar (with its quotes) after its tag, or the alias (`*port`) */
  written: string;
  /** the scalar's value: what quoting it keeps */
  text: string;
  tag?: string;
  /** the key is an alias, and `text` its anchor's value */
  alias?: boolean;
}

/**
 * The error of a mapping key that `tool` takes for no string (`why`), in the mapping at `parent`
 * (keys, and sequence indexes as numbers; empty at the top level): what docker does, and how to
 * write the key as a string.
 */
export function keyRefusalMessage(tool: 'stack' | 'compose', why: KeyRefusal, key: RefusedKey, parent: ReadonlyArray<string | number>): string {
  const tag = shortTag(key.tag);
  const shown = key.alias
    ? `the key ${cut(key.written)} (${cut(key.text)})`
    : key.written === '' && tag === undefined
      ? 'the empty key'
      : `the key ${tag !== undefined ? `${tag} ` : ''}${cut(key.written)}`;
  const quoted = `${JSON.stringify(cut(key.text))}:`;
  const reader = tool === 'stack' ? "docker's YAML reader" : "docker compose's YAML reader";
  const what =
    why === 'tag'
      ? `${shown} carries the tag ${tag}, and ${reader} takes a key with a tag other than !!str for no string`
      : `${shown} is read as ${KIND_WORDS[why]} by ${reader}, not as a string`;
  let refusal: string;
  if (tool === 'compose') refusal = `docker compose refuses the file ("non-string key ${parent.length === 0 ? 'at top level' : `in ${composePath(parent)}`}")`;
  else if (parent.length === 0) refusal = 'docker stack deploy refuses the file ("top-level object must be a mapping")';
  else refusal = 'docker stack deploy refuses a mapping with such a key ("json: unsupported type: map[interface {}]interface {}")';
  const advice =
    why === 'tag'
      ? goYamlType(key.text) === 'str'
        ? `remove the tag ${tag}`
        : `remove the tag and quote it: ${quoted}`
      : key.alias
        ? `write the key quoted in place of the alias: ${quoted}`
        : tag !== undefined && tag !== '!'
          ? `remove the tag and quote it: ${quoted}`
          : `quote it: ${quoted}`;
  return `${what}: ${refusal}; ${advice}`;
}

/** Paths longer than this are shown by their end in messages. */
const SHOWN_PATH = 120;

/**
 * A place as compose-go's convertToStringKeysRecursive names it: `services.app.volumes[0]`; a long
 * one (deep nesting) by its last SHOWN_PATH characters, so that a message stays a line.
 */
function composePath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const step of path) out += typeof step === 'number' ? `[${step}]` : out === '' ? step : `.${step}`;
  return out.length > SHOWN_PATH ? `...${out.slice(out.length - SHOWN_PATH + 3)}` : out;
}
