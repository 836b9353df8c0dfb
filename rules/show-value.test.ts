import { describe, expect, it } from 'vitest';
import { child, rootRef } from '../src/model/access.js';
import type { LMap } from '../src/parse/located.js';
import { parseText } from '../test/parse/helpers.js';
import { shownText, showValue, writtenWhenSet } from './show-value.js';

const FILE = [
  'secret: "registry/app:${CI_TOKEN}"',
  'port: ${PORT:-8080}',
  'tag: "${TAG:-latest}"',
  'plain: 3',
  'list: [a]',
  'map: {a: 1}',
  '',
].join('\n');

/** The value under `key` of the file read with CI_TOKEN set (PORT and TAG unset: their defaults apply). */
function at(key: string) {
  const doc = parseText(FILE, { CI_TOKEN: 's3cr3t' });
  return child(rootRef(doc.root as LMap), key)!;
}

describe('writtenWhenSet', () => {
  it('is what the file wrote where a set variable went into the value', () => {
    expect(writtenWhenSet(at('secret'))).toBe('registry/app:${CI_TOKEN}');
  });

  it('is null for a default the file gave, a plain scalar, a list, a mapping and no value', () => {
    for (const key of ['port', 'tag', 'plain', 'list', 'map']) expect(writtenWhenSet(at(key)), key).toBeNull();
    expect(writtenWhenSet(undefined)).toBeNull();
    expect(writtenWhenSet(null)).toBeNull();
  });
});

describe('shownText and showValue', () => {
  it('never show a set variable\'s value', () => {
    expect(shownText(at('secret'))).toBe('registry/app:${CI_TOKEN}');
    expect(showValue(at('secret'))).toBe('"registry/app:${CI_TOKEN}"');
  });

  it('show the value the file itself gave', () => {
    expect(shownText(at('port'))).toBe('8080');
    expect(showValue(at('tag'))).toBe('"${TAG:-latest}" ("latest")');
    expect(shownText(at('plain'))).toBe('3');
    expect(shownText(at('list'))).toBeNull();
    expect(showValue(at('map'))).toBe('a mapping');
  });
});
