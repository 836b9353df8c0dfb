/**
 * Variable interpolation as the compose specification describes it: `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}`,
 * `${VAR+alt}`, nesting inside the default/alternative/message, and `$$` for a literal `$`.
 */

export type Env = ReadonlyMap<string, string>;

/** Where variable values are looked up: an `Env`, or anything else with `get`. */
export interface Lookup {
  get(name: string): string | undefined;
}

export interface InterpolationIssue {
  kind: 'required' | 'unset' | 'syntax';
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

const NAME_START = /[A-Za-z_]/;

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
export function interpolate(input: string, env: Lookup, onVariable?: VariableObserver): InterpolationResult {
  const issues: InterpolationIssue[] = [];
  const value = expand(input, 0, input.length, observed(env, onVariable), issues, 0, 0);
  return { value, issues };
}

/** Told of every variable an expression reads, with the offsets of the expression in the input. */
export type VariableObserver = (name: string, start: number, end: number) => void;

/** The lookup with the observer: expand and expandBraced call `at` with the expression's offsets. */
interface ObservedLookup extends Lookup {
  at(name: string, start: number, end: number): string | undefined;
}

function observed(env: Lookup, onVariable: VariableObserver | undefined): ObservedLookup {
  return {
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
      i = close + 1;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < to && NAME_CHAR.test(s[j]!)) j++;
      const name = s.slice(i + 1, j);
      const v = env.at(name, base + i, base + j);
      if (v === undefined) {
        issues.push({ kind: 'unset', variable: name, message: `variable ${name} is not set; it becomes an empty string`, start: base + i, end: base + j });
      }
      out += v ?? '';
      i = j;
      continue;
    }
    // A lone `$` (end of string, or followed by something that is no name): kept as it is.
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
