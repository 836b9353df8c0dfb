import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCompose } from '../../src/generated/validators.js';
import { dockerView, stackValidator, STACK_VERSIONS } from '../../src/engine/swarm-schema.js';
import { matchesPathPattern, pathPatternLookup, toPlain, type LVal, type YamlPath } from '../../src/parse/located.js';
import { plainForValidator, type CompiledValidator } from '../../src/parse/validate-schema.js';
import { yamlFiles } from '../helpers/files.js';
import { parseText } from './helpers.js';

/**
 * The validators read mappings as objects without a prototype (plainForValidator, dockerView): the
 * errors must be those of the plain objects they read before, in the same order, with the same
 * fields, on every fixture and on texts made to fail.
 */
const errorsOf = (validate: CompiledValidator, data: unknown) => (validate(data) ? [] : JSON.parse(JSON.stringify(validate.errors)));

/** The plain copy dockerView made before: every mapping an object literal (as toPlain makes). */
function withPrototypes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withPrototypes);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = withPrototypes((v as Record<string, unknown>)[k]);
  return out;
}

const fixtures = yamlFiles(join(__dirname, '../../fixtures')).map((f) => readFileSync(f, 'utf8'));

/** Texts that fail in many ways: wrong types, unknown keys, repeated list items that are mappings, `__proto__` keys. */
const failing = [
  'services:\n  web:\n    image: 5\n    imagee: x\n    ports: {a: 1}\n    deploy:\n      resources:\n        limits:\n          cpus: [1]\n',
  'services:\n  web:\n    image: nginx\n    ports:\n      - {target: 80, published: 8080}\n      - {target: 80, published: 8080}\n    volumes:\n      - {type: bind, source: ./a, target: /a}\n      - {type: bind, source: ./a, target: /a}\n',
  'services:\n  web:\n    image: nginx\n    cap_add: [NET_ADMIN, NET_ADMIN]\n    dns: [1.1.1.1, 1.1.1.1]\n',
  'services:\n  __proto__:\n    image: nginx\n  web:\n    __proto__: {image: 5}\n    image: nginx\n',
  'services:\n  web:\n    __proto__: 7\n    image: nginx\n    deploy:\n      __proto__: [1]\n      replicas: two\n',
  '__proto__: {services: 3}\nservices:\n  web: {image: nginx, healthcheck: {test: 5, interval: 10}}\n',
  'services:\n  web: &w\n    image: nginx\n    ports: [{target: 80}, {target: 80}]\n  api:\n    <<: *w\n    constructor: 1\n    toString: x\n    valueOf: [1]\n',
  'version: "3.8"\nservices:\n  web:\n    image: nginx\n    deploy:\n      mode: replicated\n      replicas: "x"\n      placement: {constraints: [a, a]}\n      resources: {limits: {cpus: 1, memory: []}}\n',
];

describe('schema data without prototypes', () => {
  it('the compose-spec validator reports the same errors on every fixture and failing text', () => {
    let failures = 0;
    for (const text of [...fixtures, ...failing]) {
      const root = parseText(text).root;
      if (!root) continue;
      const before = errorsOf(validateCompose, toPlain(root));
      expect(errorsOf(validateCompose, plainForValidator(root))).toEqual(before);
      if (before.length > 0) failures++;
    }
    // the comparison means something: texts that fail, in numbers
    expect(failures).toBeGreaterThan(failing.length);
  });

  it('the stack validators report the same errors on what dockerView makes', () => {
    const versions = ['3.0', '3.4', '3.8', STACK_VERSIONS[STACK_VERSIONS.length - 1]!];
    let failures = 0;
    // `__proto__` keys give the objects of before a prototype that a copy by keys does not have
    for (const text of [...fixtures, ...failing.filter((t) => !t.includes('__proto__'))]) {
      const root = parseText(text).root;
      if (!root) continue;
      const { data } = dockerView(root);
      for (const v of versions) {
        const validate = stackValidator(v);
        const before = errorsOf(validate, withPrototypes(data));
        expect(errorsOf(validate, data)).toEqual(before);
        if (before.length > 0) failures++;
      }
    }
    expect(failures).toBeGreaterThan(10);
  });

  it('a mapping outside sequences has no prototype, one inside a sequence has Object.prototype; __proto__ is a key like any other (docker\'s maps)', () => {
    const root = parseText('services:\n  web:\n    ports: [{target: 80, __proto__: {x: 1}}]\n    __proto__: {image: x}\n').root as LVal;
    const data = plainForValidator(root) as { services: { web: { ports: object[]; image?: string } } };
    expect(Object.getPrototypeOf(data)).toBeNull();
    expect(Object.getPrototypeOf(data.services.web.ports[0])).toBe(Object.prototype);
    expect(Object.keys(data.services.web)).toEqual(['ports', '__proto__']);
    expect(data.services.web.image).toBeUndefined();
    expect(Object.keys(data.services.web.ports[0]!)).toEqual(['target', '__proto__']);
    expect(Object.getPrototypeOf(data.services.web.ports[0])).toBe(Object.prototype);
  });
});

describe('pathPatternLookup', () => {
  it('finds what a search of the patterns in order finds', () => {
    const entries: Array<[string[], number]> = [
      [['services', '*', 'ports', '[]', 'target'], 1],
      [['services', '*', 'ulimits', '*'], 2],
      [['services', '*', 'ulimits', 'nofile'], 3],
      [['services', '*', 'ulimits', '*', 'hard'], 4],
      [['services', '*', 'deploy', 'replicas'], 5],
      [['networks', '*', 'external'], 6],
      [['*', '*', 'external'], 7],
      [['services', '*', '[]'], 8],
    ];
    const lookup = pathPatternLookup(entries);
    const steps: Array<string | number> = ['services', 'networks', 'ports', 'ulimits', 'nofile', 'hard', 'external', 'target', 0];
    let found = 0;
    // every path of up to 5 steps from these
    const walk = (path: YamlPath) => {
      const expected = entries.find(([p]) => matchesPathPattern(p, path))?.[1];
      expect(lookup(path)).toBe(expected);
      if (expected !== undefined) found++;
      if (path.length < 5) for (const s of steps) walk([...path, s]);
    };
    walk([]);
    expect(found).toBeGreaterThan(20);
  });
});
