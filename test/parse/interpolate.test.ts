import { describe, expect, it } from 'vitest';
import { hasInterpolation, interpolate, type InterpolationIssue } from '../../src/parse/interpolate.js';

/** SET=value, EMPTY='', UNSET is absent. */
const env = new Map<string, string>([
  ['SET', 'value'],
  ['EMPTY', ''],
  ['B', 'bee'],
  ['_U1', 'under'],
  ['DOLLAR', '$NOT_AGAIN'],
]);

const run = (s: string, e: ReadonlyMap<string, string> = env) => interpolate(s, e);
const value = (s: string) => run(s).value;
const issues = (s: string) => run(s).issues;

describe('interpolate: plain references', () => {
  it('$VAR and ${VAR} take the value', () => {
    expect(run('$SET')).toEqual({ value: 'value', issues: [] });
    expect(run('${SET}')).toEqual({ value: 'value', issues: [] });
    expect(value('pre-${SET}-post')).toBe('pre-value-post');
    expect(value('$SET/$B')).toBe('value/bee');
    expect(value('$_U1')).toBe('under');
  });

  it('$VAR ends at the first character that is not a name character', () => {
    expect(value('$SET.x')).toBe('value.x');
    expect(value('$SET-x')).toBe('value-x');
    // the name is SETX, which is unset: not SET followed by X
    expect(run('$SETX')).toEqual({
      value: '',
      issues: [{ kind: 'unset', variable: 'SETX', message: 'variable SETX is not set; it becomes an empty string', start: 0, end: 5 }],
    });
  });

  it('an unset variable without a default becomes empty, with a warning-level issue at its offsets', () => {
    expect(run('a-$UNSET-b')).toEqual({
      value: 'a--b',
      issues: [{ kind: 'unset', variable: 'UNSET', message: 'variable UNSET is not set; it becomes an empty string', start: 2, end: 8 }],
    });
    expect(run('x${UNSET}y')).toEqual({
      value: 'xy',
      issues: [{ kind: 'unset', variable: 'UNSET', message: 'variable UNSET is not set; it becomes an empty string', start: 1, end: 9 }],
    });
  });

  it('a set but empty variable is empty and not reported', () => {
    expect(run('[${EMPTY}]')).toEqual({ value: '[]', issues: [] });
    expect(run('[$EMPTY]')).toEqual({ value: '[]', issues: [] });
  });

  it('values are not interpolated again', () => {
    expect(run('${DOLLAR}')).toEqual({ value: '$NOT_AGAIN', issues: [] });
  });

  it('hasInterpolation is a cheap pre-check on "$"', () => {
    expect(hasInterpolation('no dollars')).toBe(false);
    expect(hasInterpolation('a$')).toBe(true);
  });
});

describe('interpolate: defaults, requirements and alternatives', () => {
  it('${VAR:-d}: the default when unset or empty', () => {
    expect(run('${UNSET:-d}')).toEqual({ value: 'd', issues: [] });
    expect(run('${EMPTY:-d}')).toEqual({ value: 'd', issues: [] });
    expect(run('${SET:-d}')).toEqual({ value: 'value', issues: [] });
    expect(value('${UNSET:-}')).toBe('');
    expect(value('${UNSET:-with spaces and : colons}')).toBe('with spaces and : colons');
  });

  it('${VAR-d}: the default only when unset', () => {
    expect(run('${UNSET-d}')).toEqual({ value: 'd', issues: [] });
    expect(run('${EMPTY-d}')).toEqual({ value: '', issues: [] });
    expect(run('${SET-d}')).toEqual({ value: 'value', issues: [] });
  });

  it('${VAR:?msg}: an error when unset or empty, with the message and the whole expression as range', () => {
    expect(run('${UNSET:?set it}')).toEqual({
      value: '',
      issues: [{ kind: 'required', variable: 'UNSET', message: 'required variable UNSET is not set: set it', start: 0, end: 16 }],
    });
    expect(run('img:${EMPTY:?need a tag}')).toEqual({
      value: 'img:',
      issues: [{ kind: 'required', variable: 'EMPTY', message: 'required variable EMPTY is empty: need a tag', start: 4, end: 24 }],
    });
    expect(run('${SET:?m}')).toEqual({ value: 'value', issues: [] });
    // no message at all
    expect(issues('${UNSET:?}')).toEqual([{ kind: 'required', variable: 'UNSET', message: 'required variable UNSET is not set', start: 0, end: 10 }]);
  });

  it('${VAR?msg}: an error only when unset', () => {
    expect(run('${UNSET?m}')).toEqual({
      value: '',
      issues: [{ kind: 'required', variable: 'UNSET', message: 'required variable UNSET is not set: m', start: 0, end: 10 }],
    });
    expect(run('${EMPTY?m}')).toEqual({ value: '', issues: [] });
    expect(run('${SET?m}')).toEqual({ value: 'value', issues: [] });
  });

  it('${VAR:+alt}: the alternative when set and not empty', () => {
    expect(run('${SET:+alt}')).toEqual({ value: 'alt', issues: [] });
    expect(run('${EMPTY:+alt}')).toEqual({ value: '', issues: [] });
    expect(run('${UNSET:+alt}')).toEqual({ value: '', issues: [] });
  });

  it('${VAR+alt}: the alternative when set, even to the empty string', () => {
    expect(run('${SET+alt}')).toEqual({ value: 'alt', issues: [] });
    expect(run('${EMPTY+alt}')).toEqual({ value: 'alt', issues: [] });
    expect(run('${UNSET+alt}')).toEqual({ value: '', issues: [] });
  });

  it('text after the closing brace is kept, including a stray "}"', () => {
    expect(value('${UNSET:-a}b}')).toBe('ab}');
    expect(value('${UNSET:-}}')).toBe('}');
  });
});

describe('interpolate: nesting', () => {
  it('${A:-${B:-x}} resolves from the inside out', () => {
    expect(run('${UNSET:-${UNSET2:-x}}')).toEqual({ value: 'x', issues: [] });
    expect(run('${UNSET:-${B:-x}}')).toEqual({ value: 'bee', issues: [] });
    expect(run('${SET:-${B:-x}}')).toEqual({ value: 'value', issues: [] });
    expect(run('${UNSET:-$B}')).toEqual({ value: 'bee', issues: [] });
    expect(run('${UNSET:-pre-${B}-post}')).toEqual({ value: 'pre-bee-post', issues: [] });
  });

  it('${VAR?$FOO}: the message is shown as written (expanding it could print a value)', () => {
    expect(issues('${UNSET?$B is needed}')).toEqual([
      { kind: 'required', variable: 'UNSET', message: 'required variable UNSET is not set: $B is needed', start: 0, end: 21 },
    ]);
  });

  it('a nested unset variable is reported at its own offsets, only when the default is used', () => {
    expect(run('x ${UNSET:-${INNER}}')).toEqual({
      value: 'x ',
      issues: [{ kind: 'unset', variable: 'INNER', message: 'variable INNER is not set; it becomes an empty string', start: 11, end: 19 }],
    });
    // the default is not evaluated when the variable is set: no issue about INNER
    expect(run('${SET:-${INNER}}')).toEqual({ value: 'value', issues: [] });
    expect(run('${SET:?${INNER}}')).toEqual({ value: 'value', issues: [] });
  });

  it('three levels deep', () => {
    expect(value('${U1:-${U2:-${U3:-deep}}}')).toBe('deep');
    expect(value('${U1:-${U2:-${B:-deep}}}')).toBe('bee');
  });
});

describe('interpolate: dollars that are not references', () => {
  it('$$ is a literal $', () => {
    expect(run('$$')).toEqual({ value: '$', issues: [] });
    expect(run('cost: $$5')).toEqual({ value: 'cost: $5', issues: [] });
    expect(run('$$$$')).toEqual({ value: '$$', issues: [] });
  });

  it('$$VAR and $${VAR} are not interpolated', () => {
    expect(run('$$SET')).toEqual({ value: '$SET', issues: [] });
    expect(run('$${SET}')).toEqual({ value: '${SET}', issues: [] });
    expect(run('$$UNSET')).toEqual({ value: '$UNSET', issues: [] });
    // three dollars: a literal $ and then a reference
    expect(run('$$$SET')).toEqual({ value: '$value', issues: [] });
  });

  it('$$ inside a default is a literal $', () => {
    expect(run('${UNSET:-$$x}')).toEqual({ value: '$x', issues: [] });
    expect(run('${UNSET:-a$$}b')).toEqual({ value: 'a$b', issues: [] });
  });

  it('a lone $ is kept as it is', () => {
    expect(run('$')).toEqual({ value: '$', issues: [] });
    expect(run('a $ b')).toEqual({ value: 'a $ b', issues: [] });
    expect(run('end$')).toEqual({ value: 'end$', issues: [] });
    expect(run('$-x')).toEqual({ value: '$-x', issues: [] });
  });

  it('$1 (no valid name start) is kept as it is', () => {
    expect(run('$1')).toEqual({ value: '$1', issues: [] });
    expect(run('$1abc')).toEqual({ value: '$1abc', issues: [] });
  });
});

describe('interpolate: malformed expressions', () => {
  it('an unterminated ${ is a syntax issue from the $ to the end, and the text is kept', () => {
    const r = run('x${SET');
    expect(r.value).toBe('x${SET');
    expect(r.issues).toEqual([{ kind: 'syntax', variable: '', message: 'invalid interpolation format: "${SET" has no closing "}"', start: 1, end: 6 }]);
    expect(run('${UNSET:-${B}').issues).toEqual([
      { kind: 'syntax', variable: '', message: 'invalid interpolation format: "${UNSET:-${B}" has no closing "}"', start: 0, end: 13 },
    ]);
  });

  it('a name that does not start with a letter or _ is a syntax issue', () => {
    expect(run('a${1A}b')).toEqual({
      value: 'ab',
      issues: [{ kind: 'syntax', variable: '1A', message: 'invalid interpolation format: "${1A}" does not start with a variable name', start: 1, end: 6 }],
    });
    expect(issues('${}')).toEqual([{ kind: 'syntax', variable: '', message: 'invalid interpolation format: "${}" does not start with a variable name', start: 0, end: 3 }]);
    expect(issues('${-x}')).toEqual([{ kind: 'syntax', variable: '', message: 'invalid interpolation format: "${-x}" does not start with a variable name', start: 0, end: 5 }]);
  });

  it('a character after the name that is no operator is a syntax issue', () => {
    const expected = (text: string, name: string, start: number) => ({
      kind: 'syntax',
      variable: name,
      message: `invalid interpolation format: "${text}" (expected :-, -, :?, ?, :+ or + after the name)`,
      start,
      end: start + text.length,
    });
    expect(issues('${A B}')).toEqual([expected('${A B}', 'A', 0)]);
    expect(issues('${SET.x}')).toEqual([expected('${SET.x}', 'SET', 0)]);
    expect(issues('pre ${SET:x}')).toEqual([expected('${SET:x}', 'SET', 4)]);
    // shell features compose does not support
    expect(issues('${SET/a/b}')).toEqual([expected('${SET/a/b}', 'SET', 0)]);
    expect(issues('${#SET}')).toEqual([{ kind: 'syntax', variable: '', message: 'invalid interpolation format: "${#SET}" does not start with a variable name', start: 0, end: 7 }]);
  });

  it('several issues in one string each have their own offsets', () => {
    expect(issues('$U1:${U2:?need}:${3}')).toEqual([
      { kind: 'unset', variable: 'U1', message: 'variable U1 is not set; it becomes an empty string', start: 0, end: 3 },
      { kind: 'required', variable: 'U2', message: 'required variable U2 is not set: need', start: 4, end: 15 },
      { kind: 'syntax', variable: '3', message: 'invalid interpolation format: "${3}" does not start with a variable name', start: 16, end: 20 },
    ]);
  });
});

describe('interpolate: issue offsets point at the expression in the input', () => {
  it('slicing the input at an issue gives the expression', () => {
    const input = 'image: ${REGISTRY:?no registry}/app:$TAG and ${X:-${NESTED}}';
    const r = run(input, new Map());
    const texts = r.issues.map((i: InterpolationIssue) => input.slice(i.start, i.end));
    expect(texts).toEqual(['${REGISTRY:?no registry}', '$TAG', '${NESTED}']);
  });
});

describe('interpolate: the variables an expression reads, with its offsets', () => {
  const reads = (input: string, env: Map<string, string>) => {
    const seen: string[] = [];
    interpolate(input, env, (name, start, end) => seen.push(`${name}@${input.slice(start, end)}`));
    return seen;
  };

  it('every lookup, in order; a default is read only when it is used; $$ reads nothing', () => {
    expect(reads('$A-${B}-${C:-${D}}-$$E', new Map())).toEqual(['A@$A', 'B@${B}', 'C@${C:-${D}}', 'D@${D}']);
    expect(reads('${C:-${D}}', new Map([['C', 'set']]))).toEqual(['C@${C:-${D}}']);
  });
});
