/**
 * Variable interpolation as the compose specification describes it: `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`,
 * `${VAR+alt}`, nesting inside the default/alternative/message, and `$$` for a literal `$`.
 */

export type Env = ReadonlyMap<string, string>;

/**
 * How values are interpolated: not at all (false), as docker compose does (true, compose-go's
 * rules: `interpolate`), or as `docker stack deploy` does ('stack', docker/cli's: `interpolateStack`).
 */
export type InterpolationMode = boolean | 'stack';

/** Where variable values are looked up: an `Env`, or anything else with `get`. */
export interface Lookup {
  get(name: string): string | undefined;
}

export interface InterpolationIssue {
  /** `size`: the value grows past MAX_INTERPOLATED_LENGTH through its variables (it is read as empty) */
  kind: 'required' | 'unset' | 'syntax' | 'size';
  variable: string;
  message: string;
  /** offsets of the `$...` expression inside the input string */
  start: number;
  end: number;
}

export interface InterpolationResult {
  value: string;
  issues: InterpolationIssue[];
}

/**
 * Told by `interpolate` whether `docker stack deploy` may read the text otherwise (see
 * interpolateStack): `$VAR`, `${VAR}`, `$$` and `${VAR:-x}` / `${VAR-x}` with no `$` (nor `:-`) in
 * the default read the same; a check, `:+`, nesting, an operator after an unbraced name, a `$` before
 * anything but a name, `{` or `$`, or an unclosed `${` may not. Noted as compose's reading meets
 * them: no second pass.
 */
export interface StackReading {
  otherwise: boolean;
}

const NAME_START = /[A-Za-z_]/;

/**
 * The longest value interpolation makes: variables built from others (`A2=${A1}${A1}` in a `.env`,
 * a value repeating a large one) pass V8's longest string in a few lines, and end in an internal
 * error. Past it, the value is read as empty with one `size` issue.
 */
export const MAX_INTERPOLATED_LENGTH = 1024 * 1024;

function sizeIssue(start: number, end: number): InterpolationIssue {
  return { kind: 'size', variable: '', message: `the value grows past ${MAX_INTERPOLATED_LENGTH / 1024 / 1024} MiB through the variables it uses (the value is not shown)`, start, end };
}

/**
 * How deep `${A:-${B:-...}}` may nest. Real files nest two or three levels; the bound keeps the
 * work linear in the input (each level rescans what it holds) and the stack bounded.
 */
export const MAX_INTERPOLATION_DEPTH = 100;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** A cheap test run before `interpolate`: only a string with a `$` can hold an expression. */
export function hasInterpolation(s: string): boolean {
  return s.includes('$');
}

/**
 * Expand compose's `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?msg}`, `${VAR:+alt}` and `$$` in one
 * string; every problem comes back as an issue with its offsets in `input`, nothing throws.
 */
export function interpolate(input: string, env: Lookup, onVariable?: VariableObserver, stack?: StackReading): InterpolationResult {
  const issues: InterpolationIssue[] = [];
  const lookup = observed(env, onVariable);
  const value = expand(input, 0, input.length, lookup, issues, 0, 0);
  if (stack && lookup.otherwise) stack.otherwise = true;
  return { value, issues };
}

/** Told of every variable an expression reads, with the offsets of the expression in the input. */
export type VariableObserver = (name: string, start: number, end: number) => void;

/** The lookup with the observer: expand and expandBraced call `at` with the expression's offsets. */
interface ObservedLookup extends Lookup {
  at(name: string, start: number, end: number): string | undefined;
  /** see InterpolationResult.otherwiseInStack */
  otherwise: boolean;
}

function observed(env: Lookup, onVariable: VariableObserver | undefined): ObservedLookup {
  return {
    otherwise: false,
    get: (name) => env.get(name),
    at: (name, start, end) => {
      onVariable?.(name, start, end);
      return env.get(name);
    },
  };
}

function expand(s: string, from: number, to: number, env: ObservedLookup, issues: InterpolationIssue[], base: number, depth: number): string {
  let out = '';
  let i = from;
  while (i < to) {
    const ch = s[i];
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = findClose(s, i + 2, to);
      if (close < 0) {
        env.otherwise = true;
        issues.push({
          kind: 'syntax',
          variable: '',
          message: `invalid interpolation format: "${s.slice(i, to)}" has no closing "}"`,
          start: base + i,
          end: base + to,
        });
        out += s.slice(i, to);
        i = to;
        continue;
      }
      if (depth >= MAX_INTERPOLATION_DEPTH) {
        // one issue for the whole expression: the levels inside it are not read
        issues.push({
          kind: 'syntax',
          variable: '',
          message: `invalid interpolation format: "${s.slice(i, i + 12)}..." nests \${...} more than ${MAX_INTERPOLATION_DEPTH} levels deep (a file needs a few); it is not read further`,
          start: base + i,
          end: base + close + 1,
        });
        return out;
      }
      out += expandBraced(s, i, close, env, issues, base, depth + 1);
      if (out.length > MAX_INTERPOLATED_LENGTH) {
        issues.push(sizeIssue(base + from, base + to));
        return '';
      }
      i = close + 1;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < to && NAME_CHAR.test(s[j]!)) j++;
      const name = s.slice(i + 1, j);
      // docker reads an operator after an unbraced name (`$A-x` is `${A-x}` there)
      if (s[j] === '-' || s[j] === '?' || (s[j] === ':' && (s[j + 1] === '-' || s[j + 1] === '?'))) env.otherwise = true;
      const v = env.at(name, base + i, base + j);
      if (v === undefined) {
        issues.push({ kind: 'unset', variable: name, message: `variable ${name} is not set; it becomes an empty string`, start: base + i, end: base + j });
      }
      out += v ?? '';
      if (out.length > MAX_INTERPOLATED_LENGTH) {
        issues.push(sizeIssue(base + from, base + to));
        return '';
      }
      i = j;
      continue;
    }
    // A lone `$` (end of string, or followed by something that is no name): kept as it is (docker
    // refuses it).
    env.otherwise = true;
    out += '$';
    i++;
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from`, honouring nested `${...}`. */
function findClose(s: string, from: number, to: number): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = s[i];
    if (c === '$' && s[i + 1] === '$') {
      i++;
      continue;
    }
    if (c === '$' && s[i + 1] === '{') {
      depth++;
      i++;
      continue;
    }
    if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

function expandBraced(s: string, dollar: number, close: number, env: ObservedLookup, issues: InterpolationIssue[], base: number, depth: number): string {
  const bodyStart = dollar + 2;
  let j = bodyStart;
  while (j < close && NAME_CHAR.test(s[j]!)) j++;
  const name = s.slice(bodyStart, j);
  const start = base + dollar;
  const end = base + close + 1;
  if (name === '' || !NAME_START.test(name[0]!)) {
    env.otherwise = true;
    issues.push({ kind: 'syntax', variable: name, message: `invalid interpolation format: "${s.slice(dollar, close + 1)}" does not start with a variable name`, start, end });
    return '';
  }
  const v = env.at(name, start, end);
  if (j === close) {
    if (v === undefined) issues.push({ kind: 'unset', variable: name, message: `variable ${name} is not set; it becomes an empty string`, start, end });
    return v ?? '';
  }
  let op = s[j]!;
  let argStart = j + 1;
  if (op === ':') {
    op = ':' + (s[j + 1] ?? '');
    argStart = j + 2;
  }
  const arg = () => expand(s, argStart, close, env, issues, base, depth);
  const empty = v === undefined || v === '';
  // docker takes only a default as compose does, and one with no `$` in it (nor `:-`, which it finds
  // first anywhere in the braces)
  if (op !== ':-' && op !== '-') env.otherwise = true;
  else if (!env.otherwise) {
    for (let k = argStart; k < close; k++) {
      if (s[k] === '$' || (s[k] === ':' && s[k + 1] === '-' && op === '-')) {
        env.otherwise = true;
        break;
      }
    }
  }
  switch (op) {
    case ':-':
      return empty ? arg() : v!;
    case '-':
      return v === undefined ? arg() : v;
    case ':+':
      return empty ? '' : arg();
    case '+':
      return v === undefined ? '' : arg();
    case ':?':
    case '?': {
      const missing = op === ':?' ? empty : v === undefined;
      if (!missing) return v!;
      // the message as written: expanding it could print another variable's value
      arg();
      const msg = s.slice(argStart, close);
      issues.push({
        kind: 'required',
        variable: name,
        message: `required variable ${name} is ${v === undefined ? 'not set' : 'empty'}${msg ? `: ${msg}` : ''}`,
        start,
        end,
      });
      return '';
    }
    default:
      issues.push({ kind: 'syntax', variable: name, message: `invalid interpolation format: "${s.slice(dollar, close + 1)}" (expected :-, -, :?, ?, :+ or + after the name)`, start, end });
      return '';
  }
}

/**
 * `${...}` as `docker stack deploy` reads it (docker/cli's compose template, not compose's): `$$`,
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}` and `${VAR?message}`,
 * matched as one pattern, so that:
 * - a default or message is everything up to the first `}`, taken as written: no variable in it is
 *   expanded and no `$$` in it unescaped (`${H:-$$2y$$05$abc}` is `$$2y$$05$abc`;
 *   `${TAG:-${BASE:-1.27}}` is `${BASE:-1.27` and a `}`);
 * - the operator is found anywhere in what the braces hold, `:-` first, then `-`, `:?`, `?`
 *   (`${A?no-way}` is A when set, else `way`);
 * - unbraced, a name may take an operator too, up to the next `}` or the end (`$A-b` is A when set);
 * - `${VAR:+alt}`, `${VAR+alt}`, a `$` before anything else, or a `${` without its `}` is an invalid
 *   template; the `$` is dropped and the rest kept as text.
 * docker reports only the error of the last expression of a value (each expression resets it): a
 * check or an invalid template followed by another expression in the same value is no error there,
 * only a warning here. Unset variables are warnings, as `interpolate` makes them.
 */
export function interpolateStack(input: string, env: Lookup, onVariable?: VariableObserver, onNamedModifier?: (m: NamedModifier) => void): InterpolationResult {
  const lookup = observed(env, onVariable);
  const issues: InterpolationIssue[] = [];
  /** the error of the last expression, if it failed: docker's `err` after the whole value */
  let last: InterpolationIssue | null = null;
  // the first expression docker drops is told (quoted at most CLIP characters); the others of the
  // value are counted in it: a value of thousands of `${` made as many messages as long as the value
  let firstDropped: InterpolationIssue | null = null;
  let moreDropped = 0;
  const dropped = (is: InterpolationIssue): void => {
    if (firstDropped) {
      moreDropped++;
      return;
    }
    const written = JSON.stringify(clip(input.slice(is.start, is.end)));
    const message =
      is.kind === 'syntax'
        ? `${written} is no expression docker stack deploy reads (it reads $VAR, \${VAR}, \${VAR:-default}, \${VAR-default}, \${VAR:?message} and \${VAR?message}): it drops the "$" and keeps ${JSON.stringify(clip(input.slice(is.start + 1, is.end)))} as text, without an error because another expression follows in the same value; write $$ for a "$" meant as text`
        : `${is.message}; docker stack deploy makes ${written} an empty string without an error, because another expression follows in the same value`;
    firstDropped = { ...is, kind: 'unset', message };
    issues.push(firstDropped);
  };
  // where the next `}` is: the scan only moves forward, so one search serves every `$` before it
  // (each `$` searching the rest of a value of unclosed `${A-` made the reading quadratic)
  let braceFrom = 0;
  let braceAt = -2;
  const nextBrace = (from: number): number => {
    if (braceAt === -1 || (braceAt >= from && braceFrom <= from)) return braceAt;
    braceFrom = from;
    braceAt = input.indexOf('}', from);
    return braceAt;
  };
  let out = '';
  let i = 0;
  let copied = 0;
  const n = input.length;
  while (i < n) {
    const dollar = input.indexOf('$', i);
    if (dollar < 0) break;
    out += input.slice(copied, dollar);
    const next = input[dollar + 1];
    if (next === '$') {
      out += '$';
      i = copied = dollar + 2;
      continue;
    }
    let body = -1;
    let end = -1;
    let after = -1;
    if (next !== undefined && NAME_START.test(next)) {
      body = dollar + 1;
      end = operatorEnd(input, body, nextBrace);
      after = end;
      if (onNamedModifier) {
        let j = body;
        while (j < end && NAME_CHAR.test(input[j]!)) j++;
        if (j < end) onNamedModifier({ start: dollar, end, name: input.slice(body, j), tail: input.slice(j, end) });
      }
    } else if (next === '{' && NAME_START.test(input[dollar + 2] ?? '')) {
      const e = operatorEnd(input, dollar + 2, nextBrace);
      if (input[e] === '}') {
        body = dollar + 2;
        end = e;
        after = e + 1;
      }
    }
    if (body < 0) {
      // invalid: docker drops the `$` and reads on after it
      const close = next === '{' ? nextBrace(dollar) : -1;
      const to = close >= 0 ? close + 1 : Math.min(n, dollar + 2);
      if (last) dropped(last);
      last = {
        kind: 'syntax',
        variable: '',
        message: `invalid interpolation format: "${clip(input.slice(dollar, to))}": docker stack deploy takes $VAR, \${VAR}, \${VAR:-default}, \${VAR-default}, \${VAR:?message} and \${VAR?message}, nothing nested in them and no :+ or +; write a $ meant as text as $$`,
        start: dollar,
        end: to,
      };
      i = copied = dollar + 1;
      continue;
    }
    const r = substituteStack(input.slice(body, end), lookup, dollar, after);
    // each expression sets docker's error anew: a failed one before this one is no error there
    if (last) dropped(last);
    last = r.error;
    if (r.unset) issues.push(r.unset);
    out += r.value;
    if (out.length > MAX_INTERPOLATED_LENGTH) return { value: '', issues: [...issues, sizeIssue(0, input.length)] };
    i = copied = after;
  }
  out += input.slice(copied);
  // (assigned in `dropped`, which TypeScript does not follow)
  const first = firstDropped as InterpolationIssue | null;
  if (first && moreDropped > 0) first.message += ` (and ${moreDropped} more such in this value)`;
  if (last) issues.push(last);
  return { value: out, issues };
}

/** `$NAME-x` (or `:-`, `?`, `:?`) without braces: docker reads the text after the name as a modifier. */
export interface NamedModifier {
  start: number;
  end: number;
  name: string;
  /** the modifier and its argument as docker reads them (`-$(date)`) */
  tail: string;
}

/** Where the name starting at `from` ends, with its operator and what follows it up to a `}` or the end (docker's `[_a-z][_a-z0-9]*(?::?[-?][^}]*)?`). */
function operatorEnd(s: string, from: number, nextBrace: (from: number) => number): number {
  let j = from;
  while (j < s.length && NAME_CHAR.test(s[j]!)) j++;
  const op = s[j] === ':' && (s[j + 1] === '-' || s[j + 1] === '?') ? j + 2 : s[j] === '-' || s[j] === '?' ? j + 1 : -1;
  if (op < 0) return j;
  const close = nextBrace(op);
  return close < 0 ? s.length : close;
}

/** How much of a value a message quotes. */
const CLIP = 40;
function clip(s: string): string {
  return s.length > CLIP ? `${s.slice(0, CLIP - 1)}…` : s;
}

/** One expression's body (`VAR`, `VAR:-d`, ...) as docker/cli's substitute functions take it, in their order. */
function substituteStack(body: string, env: ObservedLookup, start: number, end: number): { value: string; error: InterpolationIssue | null; unset: InterpolationIssue | null } {
  const part = (sep: string): [string, string] | null => {
    const at = body.indexOf(sep);
    return at < 0 ? null : [body.slice(0, at), body.slice(at + sep.length)];
  };
  const soft = part(':-');
  if (soft) {
    const v = env.at(soft[0], start, end);
    return { value: v === undefined || v === '' ? soft[1] : v, error: null, unset: null };
  }
  const hard = part('-');
  if (hard) {
    const v = env.at(hard[0], start, end);
    return { value: v === undefined ? hard[1] : v, error: null, unset: null };
  }
  for (const sep of [':?', '?']) {
    const req = part(sep);
    if (!req) continue;
    const v = env.at(req[0], start, end);
    if (v !== undefined && (sep === '?' || v !== '')) return { value: v, error: null, unset: null };
    const message = `required variable ${req[0]} is ${v === undefined ? 'not set' : 'empty'}${req[1] ? `: ${req[1]}` : ''}`;
    return { value: '', error: { kind: 'required', variable: req[0], message, start, end }, unset: null };
  }
  const v = env.at(body, start, end);
  const unset: InterpolationIssue | null = v === undefined ? { kind: 'unset', variable: body, message: `variable ${body} is not set; it becomes an empty string`, start, end } : null;
  return { value: v ?? '', error: null, unset };
}
