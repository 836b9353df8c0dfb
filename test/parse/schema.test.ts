import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/generated/config-validator.js';
import { validateCompose } from '../../src/generated/validators.js';
import { checkSchema, closest } from '../../src/parse/validate-schema.js';
import type { LVal } from '../../src/parse/located.js';
import { cpuRatio } from '../helpers/measure.js';
import { repoRoot } from '../helpers/cli.js';
import { brief, lintFiles, parseText } from './helpers.js';

const schemaFindings = (text: string) =>
  lintFiles({ 'compose.yaml': text })
    .findings.filter((f) => f.ruleId === 'schema')
    .map((f) => ({ ...brief(f), path: f.path, service: f.service }));

const at = (line: number, column: number, endLine: number, endColumn: number, message: string, path: string, service: string | null = null) => ({
  ruleId: 'schema',
  severity: 'error',
  file: 'compose.yaml',
  line,
  column,
  endLine,
  endColumn,
  message,
  path,
  service,
});

describe('schema: every error, each at its node', () => {
  const text = [
    'services:', // 1
    '  web:', // 2
    '    image: 5', // 3
    '    imagee: x', // 4
    '    ports: {a: 1}', // 5
    '    deploy:', // 6
    '      resources:', // 7
    '        limits:', // 8
    '          cpus: [1]', // 9
    '  api:', // 10
    '    image: api', // 11
    '    healthcheck:', // 12
    '      interval: 10', // 13
    '    enviroment: [A=1]', // 14
    'volumes:', // 15
    '  data:', // 16
    '    driver: [local]', // 17
    '',
  ].join('\n');

  it('reports all of them, none at 1:1', () => {
    expect(schemaFindings(text)).toEqual([
      at(3, 12, 3, 13, 'services.web.image must be a string, not the number 5', 'services.web.image', 'web'),
      at(4, 5, 4, 11, 'unknown key "imagee" in services.web; did you mean "image"?', 'services.web.imagee', 'web'),
      at(5, 12, 5, 18, 'services.web.ports must be a list, not a mapping', 'services.web.ports', 'web'),
      at(9, 17, 9, 20, 'services.web.deploy.resources.limits.cpus must be a number or a string, not a list', 'services.web.deploy.resources.limits.cpus', 'web'),
      at(13, 17, 13, 19, 'services.api.healthcheck.interval must be a string, not the number 10', 'services.api.healthcheck.interval', 'api'),
      at(14, 5, 14, 15, 'unknown key "enviroment" in services.api; did you mean "environment"?', 'services.api.enviroment', 'api'),
      at(17, 13, 17, 20, 'volumes.data.driver must be a string, not a list', 'volumes.data.driver', null),
    ]);
  });
});

describe('schema: unknown keys', () => {
  it('"did you mean" for near misses, nothing for far ones', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    helthcheck: {}\n    restrat: always\n    zzzzzz: 1\n')).toEqual([
      at(4, 5, 4, 15, 'unknown key "helthcheck" in services.web; did you mean "healthcheck"?', 'services.web.helthcheck', 'web'),
      at(5, 5, 5, 12, 'unknown key "restrat" in services.web; did you mean "restart"?', 'services.web.restrat', 'web'),
      at(6, 5, 6, 11, 'unknown key "zzzzzz" in services.web', 'services.web.zzzzzz', 'web'),
    ]);
  });

  it('a top-level typo', () => {
    expect(schemaFindings('servics:\n  web:\n    image: a\n')).toEqual([at(1, 1, 1, 8, 'unknown key "servics" in the document; did you mean "services"?', 'servics')]);
  });

  it('nested keys suggest from their own level', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    deploy:\n      replica: 2\n      resources:\n        limit: {}\n')).toEqual([
      at(5, 7, 5, 14, 'unknown key "replica" in services.web.deploy; did you mean "replicas"?', 'services.web.deploy.replica', 'web'),
      at(7, 9, 7, 14, 'unknown key "limit" in services.web.deploy.resources; did you mean "limits"?', 'services.web.deploy.resources.limit', 'web'),
    ]);
  });

  it('extension keys must start with "x-"', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    x_note: 1\n    Deploy: {}\n    x-fine: 1\n')).toEqual([
      at(4, 5, 4, 11, 'unknown key "x_note" in services.web (extension keys must start with "x-")', 'services.web.x_note', 'web'),
      at(5, 5, 5, 11, 'unknown key "Deploy" in services.web; did you mean "deploy"? (extension keys must start with "x-")', 'services.web.Deploy', 'web'),
    ]);
  });

  it('closest() suggests what the whole table of edits suggested, on 20,000 random words', () => {
    // the edit distance as it was computed: the whole table (optimal string alignment)
    const reference = (word: string, candidates: readonly string[]): string | null => {
      const dist = (a: string, b: string) => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++) d[0]![j] = j;
        for (let i = 1; i <= a.length; i++) {
          for (let j = 1; j <= b.length; j++) {
            let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
            d[i]![j] = v;
          }
        }
        return d[a.length]![b.length]!;
      };
      let best: string | null = null;
      let bestD = Infinity;
      for (const c of candidates) {
        const d = dist(word.toLowerCase(), c.toLowerCase());
        if (d < bestD) [bestD, best] = [d, c];
      }
      return best !== null && bestD <= (word.length <= 3 ? 1 : 2 + Math.floor(word.length / 8)) ? best : null;
    };
    let seed = 11;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const word = () => Array.from({ length: 1 + rnd(12) }, () => 'abcAB_'[rnd(6)]).join('');
    let suggested = 0;
    for (let n = 0; n < 20_000; n++) {
      const w = word();
      const cs = Array.from({ length: rnd(5) }, word);
      const got = closest(w, cs);
      if (got !== null) suggested++;
      expect([w, cs, got]).toEqual([w, cs, reference(w, cs)]);
    }
    expect(suggested).toBeGreaterThan(1_000);
  });

  it('closest() of long names: no table of their lengths multiplied (two names of 30,000 characters had taken gigabytes)', () => {
    const long = 'a'.repeat(30_000);
    expect(closest(long, ['b'.repeat(30_000), `${long}x`])).toBeNull();
    expect(closest(`${'a'.repeat(60)}x`, ['a'.repeat(61), 'b'.repeat(30_000)])).toBe('a'.repeat(61));
  });

  it('closest() only suggests close words', () => {
    expect(closest('imgae', ['image', 'user'])).toBe('image');
    expect(closest('abc', ['image', 'user'])).toBeNull();
    expect(closest('usr', ['user'])).toBe('user');
  });
});

describe('schema: oneOf/anyOf folding', () => {
  it('ports: {a: 1} is one error: a list is expected', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    ports: {a: 1}\n')).toEqual([
      at(4, 12, 4, 18, 'services.web.ports must be a list, not a mapping', 'services.web.ports', 'web'),
    ]);
  });

  it('cpus: [1] is one error listing the accepted types', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    deploy: {resources: {limits: {cpus: [1]}}}\n')).toEqual([
      at(4, 41, 4, 44, 'services.web.deploy.resources.limits.cpus must be a number or a string, not a list', 'services.web.deploy.resources.limits.cpus', 'web'),
    ]);
  });

  it('a port item of the wrong shape: one error at the item', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    ports:\n      - "80:80"\n      - [1]\n')).toEqual([
      at(6, 9, 6, 12, 'services.web.ports.1 must be a mapping or a string or a number, not a list', 'services.web.ports[1]', 'web'),
    ]);
  });

  it('a long-syntax port (the mapping alternative) with an unknown key: the inner error, not the oneOf', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    ports:\n      - target: 80\n        publshed: 8080\n')).toEqual([
      at(6, 9, 6, 17, 'unknown key "publshed" in services.web.ports.0; did you mean "published"?', 'services.web.ports[0].publshed', 'web'),
    ]);
  });

  it('takes time in proportion to the errors: one alternative error in each of many services', () => {
    // healthcheck.test [CMD, true]: the boolean fails the list of strings, inside a oneOf
    const text = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  s${i}:\n    image: a\n    healthcheck: {test: [CMD, true]}\n`).join('')}`;
    // the validator's errors are kept per tree: after the first run, what is measured is their folding
    const check = (root: LVal) => checkSchema(root, validateCompose);
    const [small, large] = [parseText(text(500)).root!, parseText(text(8000)).root!];
    expect(check(small)).toHaveLength(500);
    // at 16 times the errors, linear work is about 16 times, a copy of every error folded so far
    // for each alternative 256: the bound leaves room for a busy machine
    expect(cpuRatio(check, small, large)).toBeLessThan(100);
  }, 300_000);

  // an unknown key is an error at the mapping that holds it: the message needs only the key, and
  // the mapping (all n keys) was converted for each of its n errors
  const schemaOf = (file: string) => JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as unknown;
  const unknownKeys: Array<[string, (n: number) => string, Parameters<typeof checkSchema>[1], string, string]> = [
    ['a service', (n) => `services:\n  a:\n    image: nginx:1.27\n${Array.from({ length: n }, (_, i) => `    k${i}: 1\n`).join('')}`, validateCompose, 'schemas/compose-spec/compose-spec.json', 'unknown key "k0" in services.a'],
    ['the rules of a configuration', (n) => `rules:\n${Array.from({ length: n }, (_, i) => `  r${i}: off\n`).join('')}`, validateConfig, 'schemas/config.schema.json', 'unknown key "r0" in rules'],
  ];
  for (const [where, text, validate, schemaFile, first] of unknownKeys) {
    it(`takes time in proportion to the errors: many unknown keys in ${where}`, () => {
      const schema = schemaOf(schemaFile);
      const check = (root: LVal) => checkSchema(root, validate, { schema: () => schema });
      const [small, large] = [parseText(text(1000)).root!, parseText(text(16_000)).root!];
      const issues = check(small);
      expect(issues).toHaveLength(1000);
      expect(issues[0]!.message).toBe(first);
      // at 16 times the keys, linear work is about 16 times, the whole mapping converted for each
      // of its keys 256: the bound leaves room for a busy machine
      expect(cpuRatio(check, small, large)).toBeLessThan(100);
    }, 300_000);
  }

  it('environment as a number: one error naming both forms', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    environment: 5\n')).toEqual([
      at(4, 18, 4, 19, 'services.web.environment must be a list or a mapping, not the number 5', 'services.web.environment', 'web'),
    ]);
  });
});

describe('schema: what it leaves to rules', () => {
  it('a service-level sleep_policy is not reported by schema (the sleep-policy rule reports it)', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    sleep_policy:\n      enabled: true\n')).toEqual([]);
  });

  it('sleep_policy anywhere else is still an unknown key', () => {
    expect(schemaFindings('services:\n  web:\n    image: a\n    deploy:\n      sleep_policy: {}\nsleep_policy: {}\n')).toEqual([
      at(5, 7, 5, 19, 'unknown key "sleep_policy" in services.web.deploy', 'services.web.deploy.sleep_policy', 'web'),
      at(6, 1, 6, 13, 'unknown key "sleep_policy" in the document', 'sleep_policy'),
    ]);
  });

  it('a valid file has no schema finding', () => {
    expect(
      schemaFindings(
        'services:\n  web:\n    image: nginx:1.25\n    user: "101"\n    deploy:\n      replicas: 2\n      resources:\n        limits: {cpus: "0.5", memory: 256M}\n    ports: ["80:80", {target: 443, published: 443}]\n    healthcheck:\n      test: [CMD, "true"]\n      interval: 10s\n',
      ),
    ).toEqual([]);
  });
});

describe('schema: values reached through anchors', () => {
  it('an error inside an anchor is reported at the anchor (once, per path)', () => {
    const f = schemaFindings('x-common: &common\n  image: 5\nservices:\n  a:\n    <<: *common\n  b:\n    <<: *common\n');
    expect(f.map((x) => [x.line, x.column, x.path])).toEqual([
      [2, 10, 'services.a.image'],
      [2, 10, 'services.b.image'],
    ]);
  });
});

describe('checkSchema directly', () => {
  it('takes a located tree and returns issues with paths', () => {
    const doc = parseText('services:\n  web:\n    image: [x]\n');
    const issues = checkSchema(doc.root!, validateCompose);
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([['services.web.image', 'services.web.image must be a string, not a list']]);
  });

  it('without the schema source, no suggestion is made, but the key is still reported', () => {
    const doc = parseText('services:\n  web:\n    imagee: x\n');
    expect(checkSchema(doc.root!, validateCompose).map((i) => i.message)).toEqual(['unknown key "imagee" in services.web']);
  });
});
