import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareNames, compareRootOrder, sortByName } from '../../src/model/collate.js';
import { repoRoot, tempProjects } from '../helpers/cli.js';

/**
 * compareNames and sortByName must answer as localeCompare does under the process's default locale.
 * Where that is not an English one they are localeCompare itself: the order they take for English
 * (compareRootOrder) is checked against localeCompare under 'en' here whatever the runner's locale,
 * and the choice of locale in child processes below.
 */
const SIMPLE = '_-.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/**
 * The pairs of names of up to two characters of `_ - .`, digits and letters of both cases (the order
 * between classes and within each: punctuation, digits, letters; case; length) on which `compare`
 * answers otherwise than the sign of `reference`.
 */
function wrongOnShortNames(compare: (a: string, b: string) => number, reference: (a: string, b: string) => number): string[] {
  const chars = '_-.059amzAMZ';
  const names = [''];
  for (const a of chars) {
    names.push(a);
    for (const b of chars) names.push(a + b);
  }
  const wrong: string[] = [];
  for (const a of names) for (const b of names) if (compare(a, b) !== sign(reference(a, b))) wrong.push(`${JSON.stringify(a)} ${JSON.stringify(b)}`);
  return wrong;
}

describe('compareRootOrder (the order compareNames takes under an English default locale)', () => {
  it('every pair of names of up to two characters of _ - . digits and letters, and random ones, as localeCompare under en', () => {
    expect(wrongOnShortNames(compareRootOrder, (a, b) => a.localeCompare(b, 'en'))).toEqual([]);
    const name = fc.string({ unit: fc.constantFrom(...SIMPLE), maxLength: 14 });
    fc.assert(
      fc.property(name, name, (a, b) => compareRootOrder(a, b) === sign(a.localeCompare(b, 'en'))),
      { numRuns: 20_000 },
    );
  });
});

describe('compareNames', () => {
  it('every pair of names of up to two characters of _ - . digits and letters (both cases)', () => {
    expect(wrongOnShortNames(compareNames, (a, b) => a.localeCompare(b))).toEqual([]);
  });

  it('random names of those characters, and the same name in other cases or cut and continued', () => {
    const name = fc.string({ unit: fc.constantFrom(...SIMPLE), maxLength: 14 });
    const related = name.chain((a) =>
      fc.tuple(
        fc.constant(a),
        fc.oneof(
          name,
          fc.constant(a.toUpperCase()),
          fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }).map((up) => [...a].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join('')),
          fc.tuple(fc.nat({ max: a.length }), name).map(([cut, rest]) => a.slice(0, cut) + rest),
        ),
      ),
    );
    fc.assert(
      fc.property(related, ([a, b]) => compareNames(a, b) === sign(a.localeCompare(b)) && compareNames(b, a) === sign(b.localeCompare(a))),
      { numRuns: 20_000 },
    );
  });

  it('names with other characters are compared by localeCompare itself', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }), (a, b) => compareNames(a, b) === sign(a.localeCompare(b))), { numRuns: 5_000 });
    for (const [a, b] of [['é', 'e'], ['a b', 'a-b'], ['svc 1', 'svc_1'], ['Å', 'aa'], ['a/b', 'a.b']]) expect(compareNames(a!, b!)).toBe(sign(a!.localeCompare(b!)));
  });
});

describe('sortByName', () => {
  it('sorts as a sort by localeCompare does, names of _ - . digits and letters or not', () => {
    const simple = fc.string({ unit: fc.constantFrom(...SIMPLE), maxLength: 10 });
    const any = fc.oneof(simple, fc.string({ maxLength: 6 }));
    for (const item of [simple, any]) {
      fc.assert(
        fc.property(fc.array(fc.record({ name: item, i: fc.nat() }), { maxLength: 40 }), (list) => {
          const expected = [...list].sort((a, b) => a.name.localeCompare(b.name));
          const got = sortByName([...list], (x) => x.name);
          expect(got).toEqual(expected);
        }),
        { numRuns: 2_000 },
      );
    }
  });
});

describe('under a default locale set by the environment (child processes)', () => {
  // The tests above run under this process's default locale only. ICU takes node's default locale
  // from LC_ALL, else LC_MESSAGES, else LANG (LC_COLLATE is not read); Danish sorts `aa` after `z`
  // (as `å`), where English and the root order put it first: there compareNames and sortByName
  // must leave the names to localeCompare.
  const project = tempProjects();
  const p = project({});
  // collate.ts imports nothing: its JavaScript, and a script that checks it against localeCompare
  writeFileSync(join(p.dir, 'collate.mjs'), transformSync(readFileSync(join(repoRoot, 'src', 'model', 'collate.ts'), 'utf8'), { loader: 'ts', format: 'esm' }).code);
  writeFileSync(
    join(p.dir, 'check.mjs'),
    [
      "import { compareNames, sortByName } from './collate.mjs';",
      "const chars = '_-.059amzAMZ';",
      "const names = ['', 'aa', 'aab', 'aaa', 'baa', 'baab', 'bz', 'zaa', 'svc-aa', 'svc-z', 'svc_aa', 'a10', 'a9', 'Aab', 'AAB'];",
      'for (const a of chars) { names.push(a); for (const b of chars) names.push(a + b); }',
      'const sign = (n) => (n < 0 ? -1 : n > 0 ? 1 : 0);',
      'const wrong = [];',
      'for (const a of names) for (const b of names) if (compareNames(a, b) !== sign(a.localeCompare(b))) wrong.push(a + " " + b);',
      // a fixed shuffle, sorted both ways
      'const list = names.map((name, i) => ({ name, i })).sort((x, y) => ((x.i * 7919) % 499) - ((y.i * 7919) % 499));',
      'const expected = [...list].sort((x, y) => x.name.localeCompare(y.name)).map((x) => x.name);',
      'const got = sortByName([...list], (x) => x.name).map((x) => x.name);',
      "process.stdout.write(JSON.stringify({ locale: new Intl.Collator().resolvedOptions().locale, aaAfterZ: 'aa'.localeCompare('z') > 0, wrong: wrong.slice(0, 10), sorted: JSON.stringify(got) === JSON.stringify(expected) }));",
    ].join('\n'),
  );
  const underEnv = (env: Record<string, string>) =>
    JSON.parse(execFileSync(process.execPath, ['check.mjs'], { cwd: p.dir, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' })) as { locale: string; aaAfterZ: boolean; wrong: string[]; sorted: boolean };
  // a node built with ICU's English data only has no Danish to sort by
  const danishData = Intl.Collator.supportedLocalesOf('da').length > 0;

  it.skipIf(!danishData)('Danish (LANG=da_DK.UTF-8; LC_ALL=da_DK.UTF-8 over LANG=en_US.UTF-8): `aa` after `z`, as localeCompare there', () => {
    for (const env of [{ LANG: 'da_DK.UTF-8' }, { LC_ALL: 'da_DK.UTF-8', LANG: 'en_US.UTF-8' }] as Array<Record<string, string>>) {
      const r = underEnv(env);
      expect(r.locale, JSON.stringify(env)).toBe('da-DK');
      expect(r.aaAfterZ).toBe(true);
      expect(r.wrong).toEqual([]);
      expect(r.sorted).toBe(true);
    }
  });

  it('English (LANG=en_GB.UTF-8; LC_ALL=en_US.UTF-8 over LANG=da_DK.UTF-8): the root order, as localeCompare there', () => {
    for (const [env, locale] of [
      [{ LANG: 'en_GB.UTF-8' }, 'en-GB'],
      [{ LC_ALL: 'en_US.UTF-8', LANG: 'da_DK.UTF-8' }, 'en-US'],
    ] as const) {
      const r = underEnv(env);
      expect(r.locale, JSON.stringify(env)).toBe(locale);
      expect(r.aaAfterZ).toBe(false);
      expect(r.wrong).toEqual([]);
      expect(r.sorted).toBe(true);
    }
  });
});
