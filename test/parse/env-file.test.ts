import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/parse/env-file.js';
import { loadEnv } from '../../src/parse/load-project.js';
import { InputError } from '../../src/parse/read-document.js';
import { inTempDir, lintFiles } from './helpers.js';

const parse = (text: string, lookup?: Record<string, string>) => {
  const r = parseEnvFile(text, lookup ? new Map(Object.entries(lookup)) : undefined);
  return { values: Object.fromEntries(r.values), errors: r.errors };
};

describe('parseEnvFile: values', () => {
  it('a value that the lines above make grow past 1 MiB (doubling at each line) is an error at its line, not gigabytes', () => {
    let text = 'A0=lollollol\n';
    for (let i = 1; i < 40; i++) text += `A${i}=\${A${i - 1}}\${A${i - 1}}\n`;
    const { values, errors } = parseEnvFile(text);
    // 9 x 2^17 characters pass 1 MiB at A17 (line 18); each line after it doubles an empty value
    expect(errors).toEqual([{ line: 18, column: 5, message: 'the value grows past 1 MiB through the variables it uses (the value is not shown)' }]);
    expect(values.get('A16')).toHaveLength(9 * 2 ** 16);
    expect(values.get('A39')).toBe('');
    // one line repeating a large value: stopped as it grows, not past V8's longest string (an
    // internal error, exit 3, before)
    let big = `A0=${'x'.repeat(400)}\n`;
    for (let i = 1; i < 12; i++) big += `A${i}=\${A${i - 1}}\${A${i - 1}}\n`;
    big += `B=${'${A11}'.repeat(3_000)}\n`;
    const once = parseEnvFile(big);
    expect(once.errors).toEqual([{ line: 13, column: 3, message: 'the value grows past 1 MiB through the variables it uses (the value is not shown)' }]);
    expect(once.values.get('B')).toBe('');
  });

  it('KEY=VALUE lines, values trimmed, "=" inside a value kept', () => {
    expect(parse('A=1\nB = two \nC=a=b\nD=\n')).toEqual({ values: { A: '1', B: 'two', C: 'a=b', D: '' }, errors: [] });
  });

  it('a last line without a newline', () => {
    expect(parse('A=1\nB=2')).toEqual({ values: { A: '1', B: '2' }, errors: [] });
  });

  it('later lines win', () => {
    expect(parse('A=1\nA=2\n').values).toEqual({ A: '2' });
  });

  it('KEY alone sets nothing (its value comes from the environment)', () => {
    expect(parse('ONLY_NAME\nA=1\n')).toEqual({ values: { A: '1' }, errors: [] });
  });

  it('names may hold digits, ".", "-" and "_"', () => {
    expect(parse('_A.b-c9=x\n').values).toEqual({ '_A.b-c9': 'x' });
  });
});

describe('parseEnvFile: quotes', () => {
  it('single quotes are literal: no escapes, no interpolation', () => {
    expect(parse(`A='two  words'\nB='lit \\n $X \${Y}'\nC='say "hi"'\n`, { X: 'x', Y: 'y' }).values).toEqual({
      A: 'two  words',
      B: 'lit \\n $X ${Y}',
      C: 'say "hi"',
    });
  });

  it('double quotes keep spaces and read \\n, \\t, \\r, \\\\ and \\" escapes', () => {
    expect(parse('A="  padded  "\nB="line\\nbreak\\ttab\\rcr"\nC="back\\\\slash \\"quoted\\""\n').values).toEqual({
      A: '  padded  ',
      B: 'line\nbreak\ttab\rcr',
      C: 'back\\slash "quoted"',
    });
  });

  it('a quoted value may span lines', () => {
    expect(parse('A="first\nsecond"\nB=after\nC=\'one\ntwo\'\n')).toEqual({ values: { A: 'first\nsecond', B: 'after', C: 'one\ntwo' }, errors: [] });
  });

  it('a "#" inside quotes is part of the value; a comment after the closing quote is not', () => {
    expect(parse('A="a # b"\nB=\'c # d\'\nC="e" # comment\nD=\'f\'   # comment\n').values).toEqual({ A: 'a # b', B: 'c # d', C: 'e', D: 'f' });
  });

  it('an empty quoted value', () => {
    expect(parse('A=""\nB=\'\'\n').values).toEqual({ A: '', B: '' });
  });

  it('an unterminated quote is an error at the quote', () => {
    expect(parse('A=1\nB="never closed\nC=3\n')).toEqual({
      values: { A: '1' },
      errors: [{ line: 2, column: 3, message: 'unterminated quoted value: " has no closing "' }],
    });
    expect(parse("X=  'open").errors).toEqual([{ line: 1, column: 5, message: "unterminated quoted value: ' has no closing '" }]);
  });
});

describe('parseEnvFile: comments and export', () => {
  it('comment lines and blank lines are skipped, also indented ones', () => {
    expect(parse('# a comment\n\n   # indented comment\n\t\nA=1\n')).toEqual({ values: { A: '1' }, errors: [] });
  });

  it('an inline comment needs white space before "#" on an unquoted value', () => {
    expect(parse('A=v # inline\nB=v#not-a-comment\nC=v\t# tab before\nD=#all\n').values).toEqual({ A: 'v', B: 'v#not-a-comment', C: 'v', D: '#all' });
  });

  it('"export " is dropped; a variable named export is still a variable', () => {
    expect(parse('export A=1\n  export   B="2"\nexport=3\n').values).toEqual({ A: '1', B: '2', export: '3' });
  });
});

describe('parseEnvFile: line endings and BOM', () => {
  it('CRLF line endings leave no \\r in values', () => {
    expect(parse('A=1\r\nB="two"\r\nC=\'three\'\r\n# c\r\nD=4 # x\r\n')).toEqual({ values: { A: '1', B: 'two', C: 'three', D: '4' }, errors: [] });
  });

  it('a CRLF line break inside quotes is one "\\n"', () => {
    expect(parse('A="x\r\ny"\r\n').values).toEqual({ A: 'x\ny' });
  });

  it('a UTF-8 BOM is not part of the first name', () => {
    expect(parse('\uFEFFA=1\nB=2\n')).toEqual({ values: { A: '1', B: '2' }, errors: [] });
  });

  it('error positions in a CRLF file with a BOM equal those in the LF file', () => {
    const lf = parse('A=1\n\nexport B!AD=x\n').errors;
    const crlf = parse('\uFEFFA=1\r\n\r\nexport B!AD=x\r\n').errors;
    expect(lf).toEqual([{ line: 3, column: 8, message: expect.stringContaining('not a KEY=VALUE line') }]);
    expect(crlf).toEqual(lf);
  });
});

const BAD_NAME = 'not a KEY=VALUE line: a variable name is letters, digits, "_", ".", "-", "[" or "]" (the line is not shown)';

describe('parseEnvFile: bad names', () => {
  it('each bad name is an error at the name, and good lines are still read; the line is never quoted', () => {
    const r = parse('B(AD=x\nGOOD=y\nA$B=c\n=nokey\n  bad!name=1\n');
    expect(r.values).toEqual({ GOOD: 'y' });
    expect(r.errors).toEqual([
      { line: 1, column: 1, message: BAD_NAME },
      { line: 3, column: 1, message: BAD_NAME },
      { line: 4, column: 1, message: BAD_NAME },
      { line: 5, column: 3, message: BAD_NAME },
    ]);
  });

  it("what compose's dotenv parser takes: a leading digit, [ ], a space inside, letters of any script, and `KEY: value`", () => {
    const r = parse('1A=x\nA[0]=1\nA B=c\nÉTÉ=1\nB: two\nURL=http://x:1\n');
    expect(r.errors).toEqual([]);
    expect(r.values).toEqual({ '1A': 'x', 'A[0]': '1', 'A B': 'c', ÉTÉ: '1', B: 'two', URL: 'http://x:1' });
  });
});

describe('parseEnvFile: interpolation (as compose does in .env files)', () => {
  it('unquoted and double-quoted values use earlier lines and the lookup; single-quoted do not', () => {
    expect(parse('HOST=db\nURL=postgres://${HOST}:5432\nQ="at $HOST"\nS=\'at $HOST\'\n').values).toEqual({
      HOST: 'db',
      URL: 'postgres://db:5432',
      Q: 'at db',
      S: 'at $HOST',
    });
    expect(parse('A=${FROM_ENV:-fallback}\nB=${MISSING:-fallback}\n', { FROM_ENV: 'env' }).values).toEqual({ A: 'env', B: 'fallback' });
  });

  it('the lookup (process environment) wins over earlier lines', () => {
    expect(parse('A=file\nB=$A\n', { A: 'process' }).values).toEqual({ A: 'file', B: 'process' });
  });

  it('$$ is a literal $; an unset variable is empty', () => {
    expect(parse('P=pa$$word\nU=[$UNSET]\n')).toEqual({ values: { P: 'pa$word', U: '[]' }, errors: [] });
  });

  it('a missing required variable is an error at its position', () => {
    expect(parse('A=1\nB=x-${NEED:?set NEED}\n').errors).toEqual([{ line: 2, column: 5, message: 'required variable NEED is not set or empty' }]);
  });
});

describe('loadEnv: .env beside the first file, --env-file, process environment', () => {
  const compose = 'services:\n  web:\n    image: "nginx:${TAG}"\n';

  it('reads .env beside the first compose file, the process environment wins', () => {
    inTempDir({ 'sub/compose.yaml': compose, 'sub/.env': 'TAG=1.25\nOTHER=x\n' }, () => {
      const env = loadEnv({ files: ['sub/compose.yaml'], environment: { OTHER: 'proc' } });
      expect(env.get('TAG')).toBe('1.25');
      expect(env.get('OTHER')).toBe('proc');
    });
  });

  it('--env-file files replace .env, later ones win, and may refer to earlier ones', () => {
    inTempDir({ 'compose.yaml': compose, '.env': 'TAG=dotenv\n', 'a.env': 'TAG=a\nBASE=base\n', 'b.env': 'TAG=b-${BASE}\n' }, () => {
      const env = loadEnv({ files: ['compose.yaml'], envFiles: ['a.env', 'b.env'], environment: {} });
      expect(env.get('TAG')).toBe('b-base');
    });
  });

  it('a missing --env-file is an InputError naming the file', () => {
    inTempDir({ 'compose.yaml': compose }, () => {
      expect(() => loadEnv({ files: ['compose.yaml'], envFiles: ['nope.env'], environment: {} })).toThrow(new InputError('nope.env: cannot read env file: no such file', 'nope.env'));
    });
  });

  it('a bad line in an env file is an InputError with file:line:col', () => {
    inTempDir({ 'compose.yaml': compose, '.env': 'OK=1\n\n  2!X=1\n' }, () => {
      let err: unknown;
      try {
        loadEnv({ files: ['compose.yaml'], environment: {} });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toBe(`.env:3:3: ${BAD_NAME}`);
    });
  });

  it('values from .env reach the compose file (multi-line quoted values included)', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:${TAG:?need TAG}"\n', '.env': '\uFEFFNOTE="two\r\nlines"\r\nTAG=1.25\r\n' });
    expect(r.findings).toEqual([]);
    expect(r.project.env.get('NOTE')).toBe('two\nlines');
  });
});
