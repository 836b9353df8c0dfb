import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findImagePattern, findPatternMatch, matchesPattern, parseImageReference, splitPattern, type PatternMatch } from '../../src/model/service-class.js';

/**
 * The matching rule written as plainly as possible: every pattern in order, its glob as a regular
 * expression, the image before the name. findPatternMatch looks plain names up instead; it must
 * give the same answer for every list.
 */
function reference(name: string, image: string | null, patterns: readonly string[]): PatternMatch | null {
  const ref = image ? parseImageReference(image) : null;
  for (const pattern of patterns) {
    const { scope, glob } = splitPattern(pattern);
    const repository = glob.includes('/');
    if (ref && scope !== 'name') {
      const hit = repository
        ? matchesPattern(glob, ref.repository) || (ref.registry !== null && matchesPattern(glob, `${ref.registry}/${ref.repository}`))
        : ref.name !== '' && matchesPattern(glob, ref.name);
      if (hit) return { pattern, subject: 'image', value: image! };
    }
    if (scope !== 'image' && !repository && matchesPattern(glob, name)) return { pattern, subject: 'name', value: name };
  }
  return null;
}

// Words that make lookups and globs compete: case variants, a glob and a plain name for the same
// word, repository patterns, and characters that fold to ASCII under toUpperCase (ſ → S, ı → I,
// the Kelvin sign) but never under a case-insensitive regular expression.
const words = ['redis', 'REDIS', 'Redis', 'postgres', 'nginx', 'api-gateway', 'gateway', 'ſtore', 'store', 'STORE', 'ıngress', 'ingress', '\u212Aong', 'kong', 'db', 'a.b'];
const patternArb = fc.oneof(
  fc.constantFrom(...words),
  fc.constantFrom(...words).map((w) => `name:${w}`),
  fc.constantFrom(...words).map((w) => `image:${w}`),
  fc.constantFrom(...words).map((w) => `*${w.slice(1)}`),
  fc.constantFrom(...words).map((w) => `name:*${w}*`),
  fc.constantFrom('bitnami/*', 'ghcr.io/org/*', 'library/redis', 'bitnami/redis', '?edis', 'r?dis', '*'),
);
const imageArb = fc.option(
  fc.tuple(fc.constantFrom('', 'bitnami/', 'ghcr.io/org/', 'docker.io/library/', 'localhost:5000/'), fc.constantFrom(...words), fc.constantFrom('', ':7', '@sha256:abc')).map(([a, b, c]) => a + b + c),
);

describe('findPatternMatch', () => {
  it('gives the first matching pattern, as a regular expression per pattern would', () => {
    fc.assert(
      fc.property(fc.constantFrom(...words, 'my-api-gateway', 'cache'), imageArb, fc.array(patternArb, { maxLength: 8 }), (name, image, patterns) => {
        expect(findPatternMatch({ name, image: image === null ? null : ({ value: image } as never) }, patterns)).toEqual(reference(name, image, patterns));
        expect(image === null ? null : findImagePattern(image, patterns)).toEqual(image === null ? null : (reference('\0', image, patterns.filter((p) => !p.startsWith('name:')))?.pattern ?? null));
      }),
      { numRuns: 2000 },
    );
  });

  it('an earlier glob wins over a later plain name, and the image over the name for one pattern', () => {
    const svc = { name: 'redis', image: { value: 'bitnami/redis:7' } as never };
    expect(findPatternMatch(svc, ['r*', 'redis'])).toEqual({ pattern: 'r*', subject: 'image', value: 'bitnami/redis:7' });
    expect(findPatternMatch(svc, ['name:redis', 'redis'])).toEqual({ pattern: 'name:redis', subject: 'name', value: 'redis' });
    expect(findPatternMatch({ name: 'ſtore', image: null }, ['STORE'])).toBeNull();
    expect(findPatternMatch({ name: 'Store', image: null }, ['sTORE'])).toEqual({ pattern: 'sTORE', subject: 'name', value: 'Store' });
  });
});
