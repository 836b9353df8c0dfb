import { describe, expect, it } from 'vitest';
import { EnvRedactor, MIN_REDACTED_LENGTH } from '../../src/parse/env-redactor.js';
import { maskLine, maskText } from '../../src/format/mask.js';

describe('EnvRedactor', () => {
  const env = new Map([
    ['TOKEN', 'ghp_Secret123'],
    ['SHORT', 'abc'],
    ['INNER', 'Secret'],
    ['UNUSED', 'notused-value'],
    ['MULTI', 'line-one-x\nline-two-y'],
  ]);
  const r = new EnvRedactor(env, ['TOKEN', 'SHORT', 'INNER', 'MULTI']);

  it('replaces the values of the variables used, longest first, in any letter case', () => {
    expect(r.redact('image "registry/app:ghp_Secret123" and GHP_SECRET123, then Secret')).toBe('image "registry/app:${TOKEN}" and ${TOKEN}, then ${INNER}');
  });

  it(`leaves values under ${MIN_REDACTED_LENGTH} characters and variables the files did not use`, () => {
    expect(r.redact('abc notused-value')).toBe('abc notused-value');
  });

  it('replaces each line of a value written across lines', () => {
    expect(r.redact('first line-one-x, then line-two-y')).toBe('first ${MULTI}, then ${MULTI}');
  });

  it('is empty when no value is long enough', () => {
    expect(new EnvRedactor(env, ['SHORT']).empty).toBe(true);
  });
});

describe('masking secret spans', () => {
  it('replaces each span by **** and moves the columns after it', () => {
    const m = maskLine('      DB_PASSWORD: hunter2 # c', [[19, 26]]);
    expect(m.text).toBe('      DB_PASSWORD: **** # c');
    expect([m.column(6), m.column(19), m.column(27)]).toEqual([6, 19, 24]);
  });

  it('keeps the lines of a text (CRLF too) and masks a span running to the line end', () => {
    expect(maskText('a: 1\r\nP: secret\r\nb: 2\r\n', new Map([[2, [[3, Infinity]] as Array<[number, number]>]]))).toBe('a: 1\r\nP: ****\r\nb: 2\r\n');
  });
});
