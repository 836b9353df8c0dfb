import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareNames, sortByName } from '../../src/model/collate.js';

/**
 * compareNames and sortByName must answer as localeCompare does under the process's default locale
 * (where that is not a root-order one, they are localeCompare itself, and these hold trivially).
 */
const SIMPLE = '_-.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe('compareNames', () => {
  it('every pair of names of up to two characters of _ - . digits and letters (both cases)', () => {
    // the order between classes and within each: punctuation, digits, letters; case; length
    const chars = '_-.059amzAMZ';
    const names = [''];
    for (const a of chars) {
      names.push(a);
      for (const b of chars) names.push(a + b);
    }
    const wrong: string[] = [];
    for (const a of names) for (const b of names) if (compareNames(a, b) !== sign(a.localeCompare(b))) wrong.push(`${JSON.stringify(a)} ${JSON.stringify(b)}`);
    expect(wrong).toEqual([]);
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
