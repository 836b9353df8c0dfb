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
  // the first 16 significant hex digits, as ParseFloat keeps them: a longer mantissa is no Infinity
  // (times a tiny power of two, NaN), and one of zeros is 0 whatever the exponent
  const digits = `${whole}${frac}`.replace(/^0+/, '');
  if (digits === '') return sign * 0;
  const lead = digits.slice(0, 16);
  return sign * parseInt(lead, 16) * 2 ** (Number(exp) - 4 * frac.length + 4 * (digits.length - lead.length));
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

/** distribution/reference's RepositoryNameTotalLengthMax (v0.6, docker 28): a repository's path, without its domain, is at most this long. */
const NAME_TOTAL_LENGTH_MAX = 255;
/** The digest algorithms docker's binaries register (crypto/sha256, crypto/sha512), with the hex length each takes. */
const DIGEST_HEX_LENGTH = new Map<string, number>([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

const isLowerAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isAlnum = (c: number) => isLowerAlnum(c) || (c >= 65 && c <= 90);
/** a character of a tag's first place (`\w`) */
const isWord = (c: number) => isAlnum(c) || c === 95;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLowerHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102);
const isHex = (c: number) => isLowerHex(c) || (c >= 65 && c <= 70);

/** Whether every character of `s` passes `test`. */
function everyChar(s: string, test: (c: number) => boolean): boolean {
  for (let i = 0; i < s.length; i++) if (!test(s.charCodeAt(i))) return false;
  return true;
}

/** A path component: lower-case letters and digits, with `.`, `_`, `__` or a run of `-` between them. */
function isPathComponent(s: string): boolean {
  if (s === '' || !isLowerAlnum(s.charCodeAt(0)) || !isLowerAlnum(s.charCodeAt(s.length - 1))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isLowerAlnum(c)) continue;
    // a separator: `.`, `_` or `__`, or a run of `-`; then a letter or digit
    let j = i;
    if (c === 45) while (s.charCodeAt(j) === 45) j++;
    else if (c === 46) j++;
    else if (c === 95) j += s.charCodeAt(i + 1) === 95 ? 2 : 1;
    else return false;
    if (!isLowerAlnum(s.charCodeAt(j))) return false;
    i = j;
  }
  return true;
}

/** A remote name: path components between `/`. */
const isRemoteName = (s: string) => s.split('/').every(isPathComponent);

/** A domain: a host name (components of letters, digits and inner `-`, between dots) or `[IPv6]`, with an optional `:port`. */
function isDomainAndPort(s: string): boolean {
  let host = s;
  const colon = s.startsWith('[') ? s.indexOf(':', s.indexOf(']')) : s.indexOf(':');
  if (colon >= 0) {
    const port = s.slice(colon + 1);
    if (port === '' || !everyChar(port, isDigit)) return false;
    host = s.slice(0, colon);
  }
  if (host.startsWith('[')) return host.length > 2 && host.endsWith(']') && everyChar(host.slice(1, -1), (c) => c === 58 || isHex(c));
  return host.split('.').every((c) => c !== '' && isAlnum(c.charCodeAt(0)) && isAlnum(c.charCodeAt(c.length - 1)) && everyChar(c, (ch) => ch === 45 || isAlnum(ch)));
}

/** The algorithm of a digest: letters and digits starting with a letter, in parts joined by `-`, `_`, `+` or `.`. */
function isDigestAlgorithm(s: string): boolean {
  let partStart = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (partStart) {
      if (!letter) return false;
      partStart = false;
    } else if (c === 45 || c === 95 || c === 43 || c === 46) partStart = true;
    else if (!letter && !isDigit(c)) return false;
  }
  return !partStart;
}

/** Whether a digest has the form the reference pattern takes: ALGORITHM:HEX, with 32 hex digits or more. */
const isDigestForm = (d: string): boolean => {
  const colon = d.indexOf(':');
  return colon > 0 && isDigestAlgorithm(d.slice(0, colon)) && d.length - colon - 1 >= 32 && everyChar(d.slice(colon + 1), isHex);
};

/** What go-digest's Parse says of a digest of that form: its algorithm registered, and as many lower-case hex digits as it makes. */
function digestProblem(d: string): string | null {
  const colon = d.indexOf(':');
  // a Map: `constructor` or `toString` as an algorithm is no inherited property
  const length = DIGEST_HEX_LENGTH.get(d.slice(0, colon));
  if (length === undefined) return 'unsupported digest algorithm';
  const hex = d.slice(colon + 1);
  if (hex.length !== length) return 'invalid checksum digest length';
  return everyChar(hex, isLowerHex) ? null : 'invalid checksum digest format';
}

/**
 * What docker says of an image reference (distribution/reference's ParseNormalizedNamed, which
 * `docker pull`, docker compose's pull and swarmkit's check of a service's image use): null when it
 * reads it, else its error, without the reference itself (`invalid reference format`, `repository
 * name must be lowercase`, ...). A first path component with a `.` or `:`, `localhost`, or
 * capital letters is a registry; anything else is on Docker Hub (`library/` for a name of one
 * component). An empty reference is `invalid reference format` here: swarmkit says "image
 * reference must be provided" before it asks. Linear, and no regular expression: a greedy one
 * over a long run of one class of characters overflowed V8's stack.
 */
export function imageReferenceProblem(image: string): string | null {
  if (image.length === 64 && everyChar(image, isLowerHex)) return 'invalid repository name, cannot specify 64-byte hexadecimal strings';
  // splitDockerDomain: the registry, if the first component names one, and the rest
  const slash = image.indexOf('/');
  const first = slash < 0 ? null : image.slice(0, slash);
  const isDomain = first !== null && (first === 'localhost' || first.includes('.') || first.includes(':') || first.toLowerCase() !== first);
  const domain = isDomain ? (first === 'index.docker.io' ? 'docker.io' : first) : 'docker.io';
  let remainder = isDomain ? image.slice(slash + 1) : image;
  const tagAt = remainder.indexOf(':');
  const remote = tagAt < 0 ? remainder : remainder.slice(0, tagAt);
  if (remote.toLowerCase() !== remote) return 'invalid reference format: repository name must be lowercase';
  if (domain === 'docker.io' && !remainder.includes('/')) remainder = `library/${remainder}`;
  // Parse of `domain/remainder`: NAME[:TAG][@DIGEST], the name being [DOMAIN/]REMOTE-NAME
  const full = `${domain}/${remainder}`;
  const at = full.indexOf('@');
  const beforeDigest = at < 0 ? full : full.slice(0, at);
  const lastSlash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.indexOf(':', lastSlash + 1);
  const name = colon < 0 ? beforeDigest : beforeDigest.slice(0, colon);
  const tag = colon < 0 ? null : beforeDigest.slice(colon + 1);
  // the domain, when the first component is one and the rest a remote name; the path, the rest
  const nameSlash = name.indexOf('/');
  const path = nameSlash > 0 && isDomainAndPort(name.slice(0, nameSlash)) && isRemoteName(name.slice(nameSlash + 1)) ? name.slice(nameSlash + 1) : isRemoteName(name) ? name : null;
  const nameOk = path !== null;
  const tagOk = tag === null || (tag.length >= 1 && tag.length <= 128 && isWord(tag.charCodeAt(0)) && everyChar(tag, (c) => c === 46 || c === 45 || isWord(c)));
  const digest = at < 0 ? null : full.slice(at + 1);
  if (!nameOk || !tagOk || (digest !== null && !isDigestForm(digest))) return 'invalid reference format';
  if (path!.length > NAME_TOTAL_LENGTH_MAX) return `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`;
  return digest === null ? null : digestProblem(digest);
}
