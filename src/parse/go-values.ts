/**
 * How docker's Go code reads the values a compose or stack file writes as strings where it wants a
 * number, a byte size or a duration: whether it reads them, and what it says when it does not. The
 * schema types these fields as strings (to allow `${VAR}`), so a value such as `512 mega` passes it
 * and is refused only when docker decodes the file.
 */

/**
 * Go's strconv.ParseFloat on a decimal (or hexadecimal) literal: an optional sign, digits with an
 * optional fraction and exponent, `_` only between digits (`1_000`), `inf`, `infinity` and `nan` in
 * any case.
 */
export function isGoFloat(s: string): boolean {
  const t = s[0] === '+' || s[0] === '-' ? s.slice(1) : s;
  if (/^(?:inf|infinity|nan)$/i.test(t)) return true;
  if (/^0[xX]/.test(t)) return /^0[xX](?:_?[0-9a-fA-F])*(?:\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?[pP][+-]?\d(?:_?\d)*$/.test(t) && /[0-9a-fA-F]/.test(t.slice(2).split(/[pP]/)[0]!);
  return /^(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/.test(t);
}

/**
 * The booleans docker's loaders cast a string to (compose-go's and docker/cli's toBoolean): true,
 * y, yes, on and false, n, no, off, in any case; null for any other string.
 */
export function goBoolean(s: string): boolean | null {
  const l = s.toLowerCase();
  return l === 'true' || l === 'y' || l === 'yes' || l === 'on' ? true : l === 'false' || l === 'n' || l === 'no' || l === 'off' ? false : null;
}

/** Go's strconv.Atoi (strconv.ParseInt in base 10): an optional sign and decimal digits. */
export function isGoInt(s: string): boolean {
  return /^[+-]?\d+$/.test(s);
}

/**
 * Whether an integer (`isGoInt`) lies within int64, -2^63 to 2^63-1, as strconv.ParseInt and Atoi
 * (a Go int is 64 bits) read it; told from its digits, without making a number of them.
 */
export function fitsInt64(s: string): boolean {
  const negative = s[0] === '-';
  let i = s[0] === '-' || s[0] === '+' ? 1 : 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  const digits = s.length - i;
  if (digits !== 19) return digits < 19;
  return s.slice(i) <= (negative ? '9223372036854775808' : '9223372036854775807');
}

/**
 * What strconv.Atoi says of a string (docker's casts of a whole number): null when it reads it,
 * else its error: `invalid syntax`, or `value out of range` past int64.
 */
export function atoiRefusal(s: string): string | null {
  if (!isGoInt(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  return fitsInt64(s) ? null : `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`;
}

/**
 * The Go type Go's YAML readers (yaml.v3 for docker stack deploy, go.yaml.in/yaml/v4 for docker
 * compose) give a plain scalar written as a decimal number: `int` for an integer within int64,
 * `uint64` for a larger one within uint64 (no sign), else `float64`; null for other text (a
 * float64 past its range, `1e400`, is a string to them).
 */
function goYamlNumberType(written: string): 'int' | 'uint64' | 'float64' | null {
  if (/^[-+]?\d+$/.test(written)) {
    if (fitsInt64(written)) return 'int';
    let i = 0;
    while (i < written.length - 1 && written.charCodeAt(i) === 48) i++;
    const digits = written.length - i;
    if (/^\d/.test(written) && (digits < 20 || (digits === 20 && written.slice(i) <= '18446744073709551615'))) return 'uint64';
  } else if (!/^[-+]?(?:\.\d+|\d+(?:\.\d*)?)(?:[eE][-+]?\d+)?$/.test(written)) return null;
  return Number.isFinite(Number(written)) ? 'float64' : null;
}

/**
 * Whether a number written in a file (goYamlNumberType) lies outside int64 for Go: the Go type it
 * then has (`uint64` or `float64`), else null.
 */
export function typePastInt64(written: string): 'uint64' | 'float64' | null {
  const type = goYamlNumberType(written);
  if (type === 'uint64') return type;
  return type === 'float64' && Math.abs(Number(written)) >= INT64_END ? type : null;
}

/**
 * Whether a whole number written in a file is no Go int to Go's YAML readers: the type it has
 * then, `uint64` past int64, `float64` past uint64 or written as a float (`1e3`, `1000.0`), else null.
 */
export function typeNotInt(written: string): 'uint64' | 'float64' | null {
  const type = goYamlNumberType(written);
  return type === 'uint64' || (type === 'float64' && Number.isInteger(Number(written))) ? type : null;
}

/** What a ulimit written as a number typeNotInt types is (`99999999999999999999`, `1e3`): docker and compose read an int there. */
export function ulimitNotIntWhy(type: 'uint64' | 'float64'): string {
  return `a ${type} to Go's YAML reader (${type === 'uint64' ? 'past int64' : 'written as a float, or past int64'}), not the int docker reads a ulimit into`;
}

/** What to write for a ulimit instead (ulimitNotIntWhy). */
export const ULIMIT_ADVICE = 'write a whole number in digits only, within int64 (below 2^63), or -1 for no limit';

/**
 * What an int64 holds of a number past int64 (typePastInt64) when docker converts it without a
 * check (mapstructure into an int64 field): a uint64 wrapped round (2^64 less), a float64 -2^63
 * (amd64). A decimal string.
 */
export function int64Wrapped(written: string, type: 'uint64' | 'float64'): string {
  return type === 'uint64' ? (BigInt(written) - 2n ** 64n).toString() : '-9223372036854775808';
}

/**
 * What go-units' RAMInBytes (docker CLI 28) says of a size: null when it reads it, else its error
 * (`invalid size: '...'`, `invalid suffix: '...'`). A number (a Go float, not negative), then one
 * optional space, then an optional suffix: `b`, or one of `k m g t p` with an optional `b` or `ib`
 * (`512m`, `1.5GB`, `256MiB`, `512 M`), in any case. `512Mi` is refused.
 */
export function sizeRefusal(s: string): string | null {
  // the number ends at the last digit, dot or space
  let sep = -1;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 46 || c === 32) {
      sep = i;
      break;
    }
  }
  if (sep === -1) return `invalid size: '${s}'`;
  const num = s[sep] === ' ' ? s.slice(0, sep) : s.slice(0, sep + 1);
  const suffix = s.slice(sep + 1);
  if (!isGoFloat(num)) return `strconv.ParseFloat: parsing ${JSON.stringify(num)}: invalid syntax`;
  // past float64 (`1e400`): ParseFloat's range error, not a number to overflow an int64 with
  if (Math.abs(goFloatValue(num)) === Infinity && !/inf/i.test(num)) return `strconv.ParseFloat: parsing ${JSON.stringify(num)}: value out of range`;
  if (num.startsWith('-') && !/^-0*(?:\.0*)?$/.test(num)) return `invalid size: '${s}'`;
  if (suffix === '') return null;
  const sfx = suffix.toLowerCase();
  const ok = sfx === 'b' || (/^[kmgtp]$/.test(sfx[0]!) && (sfx.length === 1 || sfx.slice(1) === 'b' || sfx.slice(1) === 'ib'));
  return ok ? null : `invalid suffix: '${sfx}'`;
}

/** 2^63: the first number of bytes an int64 cannot hold. */
const INT64_END = 2 ** 63;
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** The value of a Go float literal (`isGoFloat`): decimal, hexadecimal, `_` between digits, inf, nan. */
function goFloatValue(num: string): number {
  const sign = num[0] === '-' ? -1 : 1;
  const t = (num[0] === '+' || num[0] === '-' ? num.slice(1) : num).replace(/_/g, '');
  if (/^inf(?:inity)?$/i.test(t)) return sign * Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^0[xX]/.test(t)) return sign * Number(t);
  const [mantissa, exp] = t.slice(2).split(/[pP]/) as [string, string];
  const [whole, frac = ''] = mantissa.split('.') as [string, string?];
  return sign * parseInt(`${whole}${frac}` || '0', 16) * 2 ** (Number(exp) - 4 * frac.length);
}

/** What a size of 2^63 bytes or more is called (sizeOverflow). */
export const SIZE_PAST_INT64 = '8 EiB (2^63 bytes) or more, past the int64 docker reads a size into';

/**
 * Whether a size go-units' RAMInBytes reads (`sizeRefusal` null) is 2^63 bytes or more (8 EiB):
 * it multiplies a float64 and converts it to an int64, which overflows there without an error
 * (to -2^63 on amd64: `docker stack config` shows `memory: "-9223372036854775808"`), and docker
 * then refuses or misreads the limit as it runs the service. `inf` and `nan` too. null below.
 */
export function sizeOverflow(s: string): string | null {
  let sep = -1;
  for (let i = s.length - 1; i >= 0 && sep === -1; i--) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 46 || c === 32) sep = i;
  }
  if (sep === -1) return null;
  const num = s[sep] === ' ' ? s.slice(0, sep) : s.slice(0, sep + 1);
  const bytes = goFloatValue(num) * (SIZE_UNITS[s.slice(sep + 1, sep + 2).toLowerCase()] ?? 1);
  return bytes < INT64_END ? null : SIZE_PAST_INT64;
}

/** One number and its unit, read where the last one ended: Go's units, and go-str2duration's. */
const GO_DURATION_PART = /(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h)/y;
const STR2DURATION_PART = /(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h|d|w)/y;

/**
 * Whether a duration parser in Go's style reads the text: an optional sign, then `0`, or numbers
 * each with a unit (`part`); a bare number other than 0 has no unit.
 */
function readsAsDuration(s: string, part: RegExp): boolean {
  let i = s[0] === '-' || s[0] === '+' ? 1 : 0;
  if (s.slice(i) === '0') return true;
  if (i === s.length) return false;
  while (i < s.length) {
    part.lastIndex = i;
    if (!part.exec(s)) return false;
    i = part.lastIndex;
  }
  return true;
}

/** Go's time.ParseDuration (docker/cli's durations): `1m30s`, `1.5h`, `300ms`, `0`. */
export function isGoDuration(s: string): boolean {
  return readsAsDuration(s, GO_DURATION_PART);
}

/** go-str2duration (compose-go's durations): Go's units, and days (`d`) and weeks (`w`): `2d`, `1w2d3h`. */
export function isComposeDuration(s: string): boolean {
  return readsAsDuration(s, STR2DURATION_PART);
}

/**
 * A short volume spec as docker's parser splits it (docker/cli's cli/compose/loader ParseVolume, and
 * compose-go's format/volume.go, which with `composeBraces` does not split at a `:` inside
 * `${...}`): its source and target, or its complaint. A one-letter section before a `:` is a Windows
 * drive; a spec of one or two characters is a target.
 */
export function parseVolumeSpec(spec: string, composeBraces = false): { source: string; target: string } | { problem: string } {
  if (spec.length === 0) return { problem: 'invalid empty volume spec' };
  if (spec.length <= 2) return { source: '', target: spec };
  // most specs: one or two colons, no empty section, no section of one letter before a colon (a
  // Windows drive), no `${`: split where the colons are
  const a = spec.indexOf(':');
  if (a < 0 && !spec.includes('${')) return { source: '', target: spec };
  const b = spec.indexOf(':', a + 1);
  if (a > 1 && (b < 0 || (b > a + 2 && b < spec.length - 1 && spec.indexOf(':', b + 1) < 0)) && a < spec.length - 1 && !spec.includes('${')) {
    return { source: spec.slice(0, a), target: b < 0 ? spec.slice(a + 1) : spec.slice(a + 1, b) };
  }
  let buffer = '';
  let source = '';
  let target = '';
  let braces = 0;
  const chars = [...spec];
  for (let i = 0; i <= chars.length; i++) {
    const ch = i < chars.length ? chars[i]! : '\u0000';
    if (composeBraces && ((ch === '$' && chars[i + 1] === '{') || (ch === '}' && braces > 0))) {
      braces += ch === '$' ? 1 : -1;
      buffer += ch;
      continue;
    }
    if (ch === ':' && buffer.length === 1 && /\p{L}/u.test(buffer)) {
      buffer += ch; // a Windows drive letter
      continue;
    }
    if ((ch === ':' || ch === '\u0000') && braces === 0) {
      if (buffer.length === 0) return { problem: 'empty section between colons' };
      if (source === '' && ch === '\u0000') target = buffer;
      else if (source === '') source = buffer;
      else if (target === '') target = buffer;
      else if (ch === ':') return { problem: 'too many colons' };
      buffer = '';
      continue;
    }
    buffer += ch;
  }
  return { source, target };
}

/** What docker's short volume parser says of a spec (parseVolumeSpec): null when it reads it, else its complaint. */
export function volumeSpecProblem(spec: string, composeBraces = false): string | null {
  const r = parseVolumeSpec(spec, composeBraces);
  return 'problem' in r ? r.problem : null;
}

const QUOTE_OR_ESCAPE = /['"\\]/;

/**
 * Why a command string cannot be split into words as docker splits it, or null: a quote left open,
 * or a backslash at the end (docker/cli's shlex: "EOF found when expecting closing quote", "EOF
 * found after escape character"). compose-go's shellwords says "invalid command line string", and
 * stops reading at an unquoted `;`, `&`, `|`, `<` or `>` (`composeOperators`).
 */
export function shellWordsProblem(s: string, composeOperators = false): string | null {
  if (!QUOTE_OR_ESCAPE.test(s)) return null;
  let single = false;
  let double = false;
  let escaped = false;
  for (const ch of s) {
    if (escaped) escaped = false;
    else if (single) single = ch !== "'";
    else if (ch === '\\') escaped = true;
    else if (double) double = ch !== '"';
    else if (ch === "'") single = true;
    else if (ch === '"') double = true;
    else if (composeOperators && ';&|<>'.includes(ch)) return null;
  }
  if (escaped) return 'EOF found after escape character';
  return single || double ? 'EOF found when expecting closing quote' : null;
}
