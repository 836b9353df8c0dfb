import { Ajv, type ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript build script
import { duplicatePair } from '../../scripts/ajv-unique-items.mjs';
import { validateCompose as compose } from '../../src/generated/validators.js';
import { validateStack as stack } from '../../src/generated/stack-validator.js';
import { cpuRatio } from '../helpers/measure.js';

/**
 * `uniqueItems` on lists whose items may be mappings (ports, volumes) is compiled by the build to one
 * pass (scripts/ajv-unique-items.mjs) where ajv compiles two nested loops. It must name the same
 * pair of items ajv names, and take time in proportion to the list.
 */
type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const validateCompose = compose as unknown as Validator;
const validateStack = stack as unknown as Validator;

describe('uniqueItems on lists of mappings', () => {
  // ajv as it compiles such a list itself (two nested loops, its deep equality)
  const ajv = new Ajv({ allErrors: true, strict: false });
  const ajvUnique = ajv.compile({ type: 'array', items: { oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'object' }, { type: 'array' }, { type: 'null' }, { type: 'boolean' }] }, uniqueItems: true });
  const ajvPair = (list: unknown[]): [number, number] | null => {
    if (ajvUnique(list)) return null;
    const e = ajvUnique.errors!.find((x) => x.keyword === 'uniqueItems')!;
    return [(e.params as { i: number }).i, (e.params as { j: number }).j];
  };

  it('names the pair ajv names, on hand-picked lists', () => {
    const cases: unknown[][] = [
      [],
      [1],
      [1, 1],
      [1, '1'],
      ['80:80', { target: 80, published: 80 }, '80:80', { published: 80, target: 80 }],
      [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }],
      [{ a: 1, b: [1, 2] }, { b: [2, 1], a: 1 }],
      [null, 'null', null],
      [true, 'true', false, true],
      [Number.NaN, null, Number.NaN],
      [0, -0],
      [[1, [2]], [1, [2]], [1, 2]],
      [{ a: null }, {}, { a: null }],
      ['a', 'b', 'a', 'b', 'c', 'a'],
      [{ '"': 's' }, { '"': 's' }],
      [{ 'a,b': 1 }, { a: 1, b: 1 }],
    ];
    for (const list of cases) expect([list, duplicatePair(list)]).toEqual([list, ajvPair(list)]);
  });

  it('names the pair ajv names, on 3,000 random lists of scalars, lists and mappings', () => {
    let seed = 7;
    const rnd = (n: number) => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    const value = (depth: number): unknown => {
      switch (rnd(depth > 1 ? 5 : 7)) {
        case 0:
          return rnd(3);
        case 1:
          return String(rnd(3));
        case 2:
          return [null, true, false][rnd(3)];
        case 3:
          return rnd(2) === 0 ? Number.NaN : -0;
        case 4:
          return ['80:80', '443:443', '80'][rnd(3)];
        case 5:
          return Array.from({ length: rnd(3) }, () => value(depth + 1));
        default: {
          const keys = ['target', 'published', 'protocol'].filter(() => rnd(2) === 0);
          if (rnd(2) === 0) keys.reverse();
          return Object.fromEntries(keys.map((k) => [k, value(depth + 1)]));
        }
      }
    };
    let duplicates = 0;
    for (let n = 0; n < 3000; n++) {
      const list = Array.from({ length: rnd(8) }, () => value(0));
      const pair = duplicatePair(list);
      if (pair) duplicates++;
      expect([list, pair]).toEqual([list, ajvPair(list)]);
    }
    // both kinds of list were tried
    expect(duplicates).toBeGreaterThan(300);
    expect(duplicates).toBeLessThan(2700);
  });

  it('gives the schema error ajv gives in the generated validators (compose and stack)', () => {
    const doc = (ports: unknown[]) => ({ services: { web: { image: 'nginx', ports } } });
    const ports = ['80:80', { target: 81, published: 81 }, '82:82', { published: 81, target: 81 }, '83:83'];
    for (const validate of [validateCompose, validateStack]) {
      expect(validate(doc(ports))).toBe(false);
      expect(validate.errors!.map((e) => [e.instancePath, e.keyword, e.params, e.message])).toEqual([
        ['/services/web/ports', 'uniqueItems', { i: 3, j: 1 }, 'must NOT have duplicate items (items ## 1 and 3 are identical)'],
      ]);
      expect(validate(doc(ports.slice(0, 3)))).toBe(true);
    }
  });

  it('takes time in proportion to the list (ajv\'s own loops grow with its square)', () => {
    const doc = (n: number) => ({ services: { web: { image: 'nginx', ports: Array.from({ length: n }, (_, k) => `${k + 1}:${(k % 1000) + 1}`) } } });
    const [small, large] = [doc(3000), doc(48000)];
    expect(validateCompose(small)).toBe(true);
    // at 16 times the ports, linear work is about 16 times (measured 7-25 on a shared machine),
    // the nested loops 256: the bound leaves room for a busy machine
    expect(cpuRatio((d: typeof small) => validateCompose(d), small, large)).toBeLessThan(100);
    expect(cpuRatio((d: typeof small) => validateStack(d), small, large)).toBeLessThan(100);
  }, 300_000);
});
