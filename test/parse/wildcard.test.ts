import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InfixIndex, LiteralIndex } from '../../src/parse/wildcard.js';

// few characters, so that runs overlap, repeat, and are suffixes and prefixes of one another
const char = fc.constantFrom('a', 'b', 'c', '😀');
const text = fc.array(char, { maxLength: 12 }).map((cs) => cs.join(''));

/** The items, sorted, once each. */
const sorted = (items: readonly number[]) => [...new Set(items)].sort((a, b) => a - b);

describe('InfixIndex', () => {
  it('finds each run the subject holds, once, as a search for every run would', () => {
    fc.assert(
      fc.property(fc.array(text.filter((r) => r !== ''), { maxLength: 16 }), fc.array(text, { minLength: 1, maxLength: 6 }), (runs, subjects) => {
        const index = new InfixIndex();
        runs.forEach((run, i) => index.add([...run], i));
        for (const subject of subjects) {
          const expected = runs.flatMap((run, i) => (subject.includes(run) ? [i] : []));
          // as an array of characters, as a string of UTF-16 units (a run of them found within a character)
          const asChars: number[] = [];
          index.collect([...subject], asChars);
          expect(asChars.length, `${JSON.stringify(runs)} in ${subject}`).toBe(new Set(asChars).size);
          expect(sorted(asChars)).toEqual(runs.flatMap((run, i) => (includesChars([...subject], [...run]) ? [i] : [])));
          const asUnits: number[] = [];
          const units = new InfixIndex();
          runs.forEach((run, i) => units.add(run.split(''), i));
          units.collect(subject, asUnits);
          expect(sorted(asUnits)).toEqual(expected);
          expect(asUnits.length).toBe(expected.length);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('finds runs added after a walk', () => {
    const index = new InfixIndex();
    index.add([...'ab'], 0);
    const first: number[] = [];
    index.collect('xaby', first);
    index.add([...'by'], 1);
    index.add([...'b'], 2);
    const second: number[] = [];
    index.collect('xaby', second);
    expect([first, sorted(second)]).toEqual([[0], [0, 1, 2]]);
  });
});

/** Whether `subject` holds `run`, character by character. */
function includesChars(subject: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= subject.length; i++) if (run.every((c, k) => subject[i + k] === c)) return true;
  return false;
}

describe('LiteralIndex', () => {
  // a pattern of steps: a literal character, or a step that is not one (undefined)
  const pattern = fc.array(fc.option(char, { nil: undefined }), { maxLength: 8 });
  /** What a pattern can match at most: its literal characters, anything for each other step. */
  const widest = (p: readonly (string | undefined)[]) => new RegExp(`^${p.map((c) => c ?? '.*').join('')}$`, 'su');
  /** The maximal runs of literal characters of a pattern, with where each is. */
  const runsOf = (p: readonly (string | undefined)[]) => {
    const runs: Array<{ run: string[]; atStart: boolean; atEnd: boolean }> = [];
    for (let i = 0; i < p.length; ) {
      let j = i;
      while (j < p.length && p[j] !== undefined) j++;
      if (j > i) runs.push({ run: p.slice(i, j) as string[], atStart: i === 0, atEnd: j === p.length });
      i = j + 1;
    }
    return runs;
  };

  it('finds every pattern that can match a subject, and only patterns of whose runs the subject holds one where it is', () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 16 }), fc.array(text, { minLength: 1, maxLength: 6 }), (patterns, subjects) => {
        const index = new LiteralIndex();
        patterns.forEach((p, i) => index.add(p, i));
        for (const subject of subjects) {
          const chars = [...subject];
          const found: number[] = [];
          index.collect(chars, found);
          expect(found.length).toBe(new Set(found).size);
          patterns.forEach((p, i) => {
            if (widest(p).test(subject)) expect(found, `${JSON.stringify(p)} on ${subject}`).toContain(i);
          });
          for (const i of found) {
            const p = patterns[i]!;
            if (p.every((c) => c !== undefined)) expect(chars).toEqual(p);
            else {
              const held = runsOf(p).filter(({ run, atStart, atEnd }) =>
                atStart ? chars.slice(0, run.length).join('') === run.join('') : atEnd ? chars.slice(chars.length - run.length).join('') === run.join('') && chars.length >= run.length : includesChars(chars, run),
              );
              if (runsOf(p).length > 0) expect(held.length, `${JSON.stringify(p)} found for ${subject}`).toBeGreaterThan(0);
            }
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
