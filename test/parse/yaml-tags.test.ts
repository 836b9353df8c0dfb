/**
 * Tagged values (src/parse/go-yaml-tags.ts): docker reads a value with a tag it does not know as its
 * text, and a tagged mapping or sequence as it is; it refuses only a scalar tagged !!null, !!bool,
 * !!int, !!float or !!timestamp whose text is not of that type, and one tagged !!binary that is no
 * base64. Only those are findings: an error at the tag.
 *
 * What docker stack deploy does is asked of the real `docker stack config -c FILE` (client only),
 * e.g. `x-t: !custom "x"` and `key: !!org.testcontainers.Bean '{foo: bar}'` give rc 0 and the
 * value as a string, `x-t: !!int x` rc 1 "yaml: cannot decode !!str `x` as a !!int", `x-t:
 * !!binary abc!` rc 1 "yaml: !!binary value contains invalid base64 data". Docker compose reads
 * with compose-go's yaml/v4 (not installed here): internal/libyaml/resolver.go `resolve` (tags that
 * are not `resolvableTag` return the text; "cannot construct %s `%s` as a %s" otherwise) and
 * constructor.go `scalar` (the !!binary check), the same rules but for `-0`, which yaml/v4 reads as
 * a float, and `0b-1`, which only yaml.v3 reads as an integer.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuRatio } from '../helpers/measure.js';
import { dockerAvailable } from '../oracle-match.js';
import { brief, inTempDir, lintFiles, parseText } from './helpers.js';

const HAS_DOCKER = dockerAvailable();

/** A swarm stack file whose extension field `x-t` holds `value` (line 4, the value from column 6). */
const withValue = (value: string) => `services:\n  web:\n    image: nginx:1.27\nx-t: ${value}\n`;

/** The `yaml-syntax` findings of a text, as `line:col-line:col severity message`. */
function tagFindings(text: string): string[] {
  return lintFiles({ 'docker-stack.yml': text })
    .findings.filter((f) => f.ruleId === 'yaml-syntax')
    .map(brief)
    .map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity} ${f.message}`);
}

/** Values docker reads: no finding. */
const READ = [
  '!custom "x"', '!custom x', "!!org.testcontainers.containers.ParsedDockerComposeFileBean '{foo: bar}'", '!custom', '! x', '!<x> y',
  '!custom {a: 1}', '!!org.foo {a: 1}', '!custom [1, 2]', '!!org.foo [1, 2]', '! {a: 1}',
  '!!map {a: 1}', '!!map x', '!!seq [1]', '!!seq x', '!!seq {a: 1}', '!!str {a: 1}', '!!str [1]', '!!int {a: 1}', '!!int [1]',
  '!!set {a: 1}', '!!omap [a: 1]', '!!pairs [a: 1]', '!!merge x', '!!value x', '!!yaml x',
  '!!str x', '!!str 1', '!!str ~', '!!str', '!<tag:yaml.org,2002:str> x',
  '!!int 1', '!!int "1"', '!!int 0x1F', '!!int 0o17', '!!int 1_000', '!!int +1', '!!int -0', '!!int 0b-1',
  '!!float 1.5', '!!float 1', '!!float 1e3', '!!float 1_0', '!!float 0x10', '!!float .5',
  '!!bool true', '!!bool True', '!!bool "true"', '!!null ~', '!!null null', '!!null ""', '!!null',
  '!!binary aGVsbG8=', '!!binary "aGVsbG8="', '!!binary ""', '!!binary', '!!binary |\n  aGVs\n  bG8=',
  '!!timestamp 2001-01-01', '!!timestamp "2001-01-01"', '!!timestamp 2001-1-1', '!!timestamp 2001-01-01T10:00:00Z', '!!timestamp "2001-12-14 21:59:43.10"',
];

/** Values docker refuses for their tag, with the tag as written and the error docker gives. */
const REFUSED: Array<[value: string, tag: string, docker: string]> = [
  ['!!int x', '!!int', 'yaml: cannot decode !!str `x` as a !!int'],
  ['!!int "x"', '!!int', 'yaml: cannot decode !!str `x` as a !!int'],
  ["!!int 'x'", '!!int', 'yaml: cannot decode !!str `x` as a !!int'],
  ['!!int 1.5', '!!int', 'yaml: cannot decode !!float `1.5` as a !!int'],
  ['!!int 1e3', '!!int', 'yaml: cannot decode !!float `1e3` as a !!int'],
  ['!!int 08', '!!int', 'yaml: cannot decode !!float `08` as a !!int'],
  ['!!int ~', '!!int', 'yaml: cannot decode !!null `~` as a !!int'],
  ['!!int', '!!int', 'yaml: cannot decode !!null `` as a !!int'],
  ['!!int |\n  1', '!!int', 'yaml: cannot decode !!str `1\n` as a !!int'],
  ['!<tag:yaml.org,2002:int> x', '!<tag:yaml.org,2002:int>', 'yaml: cannot decode !!str `x` as a !!int'],
  ['!!float x', '!!float', 'yaml: cannot decode !!str `x` as a !!float'],
  ['!!float "x"', '!!float', 'yaml: cannot decode !!str `x` as a !!float'],
  ['!!float 1e400', '!!float', 'yaml: cannot decode !!str `1e400` as a !!float'],
  ['!!bool x', '!!bool', 'yaml: cannot decode !!str `x` as a !!bool'],
  ['!!bool on', '!!bool', 'yaml: cannot decode !!str `on` as a !!bool'],
  ['!!bool yes', '!!bool', 'yaml: cannot decode !!str `yes` as a !!bool'],
  ['!!bool', '!!bool', 'yaml: cannot decode !!null `` as a !!bool'],
  ['!!null x', '!!null', 'yaml: cannot decode !!str `x` as a !!null'],
  ['!!null "x"', '!!null', 'yaml: cannot decode !!str `x` as a !!null'],
  ['!!timestamp x', '!!timestamp', 'yaml: cannot decode !!str `x` as a !!timestamp'],
  ['!!timestamp 1', '!!timestamp', 'yaml: cannot decode !!int `1` as a !!timestamp'],
  ['!!binary abc!', '!!binary', 'yaml: !!binary value contains invalid base64 data'],
  ['!!binary aGk', '!!binary', 'yaml: !!binary value contains invalid base64 data'],
  ['!!binary aGVs\n  bG8=', '!!binary', 'yaml: !!binary value contains invalid base64 data'],
];

const MESSAGES: Record<string, string> = {
  '!!int': 'the value tagged !!int is no integer, and docker refuses the file ("cannot decode ... as a !!int"); remove the tag, or write a whole number',
  '!!float': 'the value tagged !!float is no number, and docker refuses the file ("cannot decode ... as a !!float"); remove the tag, or write a number',
  '!!bool': 'the value tagged !!bool is no boolean, and docker refuses the file ("cannot decode ... as a !!bool"); remove the tag, or write true or false',
  '!!null': 'the value tagged !!null is not null, and docker refuses the file ("cannot decode ... as a !!null"); remove the tag, or write null, ~ or nothing',
  '!!timestamp': 'the value tagged !!timestamp is no timestamp, and docker refuses the file ("cannot decode ... as a !!timestamp"); remove the tag, or write a date such as 2001-12-14',
  '!!binary': 'the value tagged !!binary is no base64, and docker refuses the file ("!!binary value contains invalid base64 data"); remove the tag, or write base64 text',
};

describe('tagged values', () => {
  it('a value docker reads, whatever its tag, on a scalar, a mapping or a sequence, is no finding', () => {
    for (const value of READ) expect(tagFindings(withValue(value)), value).toEqual([]);
  });

  it('a value docker refuses for its tag is an error at the tag', () => {
    for (const [value, tag] of REFUSED) {
      const type = tag.startsWith('!<') ? '!!int' : tag;
      expect(tagFindings(withValue(value)), value).toEqual([`4:6-4:${6 + tag.length} error ${MESSAGES[type]}`]);
    }
  });

  it('inside flow collections, after an anchor, on service fields', () => {
    expect(tagFindings(withValue('{a: !!int x, b: !x y}'))).toEqual([`4:10-4:15 error ${MESSAGES['!!int']}`]);
    expect(tagFindings(withValue('[!!int 1, !!bool x, !custom [1]]'))).toEqual([`4:16-4:22 error ${MESSAGES['!!bool']}`]);
    expect(tagFindings(withValue('&a !!int x'))).toEqual([`4:9-4:14 error ${MESSAGES['!!int']}`]);
    expect(tagFindings('services:\n  web:\n    image: !custom nginx:1.27\n    environment: !!map\n      A: !!str 1\n      B: !!bool maybe\n')).toEqual([
      `6:10-6:16 error ${MESSAGES['!!bool']}`,
    ]);
  });

  it('what only one of docker\'s readers refuses names that one', () => {
    // yaml/v4 reads -0 as a float (resolver.go resolveMapList `negativeZero`); yaml.v3 reads 0b-1 as -1
    const compose = 'the value tagged !!int is no integer, and docker compose refuses the file ("cannot construct ... as a !!int"); remove the tag, or write a whole number';
    for (const value of ['!!int -0', '!!int 0b-1']) {
      expect(lintFiles({ 'compose.yaml': withValue(value) }).findings.map((f) => f.message), value).toEqual([compose]);
      expect(tagFindings(withValue(value)), value).toEqual([]);
    }
  });

  it('the value of a tag docker does not know is its text', () => {
    const doc = parseText('services:\n  web:\n    image: !custom nginx:1.27\n    environment:\n      A: !custom 0x10\n      B: !!timestamp 2001-01-01\n');
    const root = doc.root!;
    const web = root.kind === 'map' ? root.entries[0]!.value : null;
    expect(JSON.stringify(web)).toContain('"value":"0x10"');
    expect(JSON.stringify(web)).toContain('"value":"2001-01-01"');
  });

  // docker stack config (28.2.2) prints `image: !!binary bmdpbng6MS4yNw==` as `image: nginx:1.27`
  // and `A: !!binary aGk=` as `A: hi`
  it('a !!binary value is the bytes it encodes, as docker decodes it', () => {
    const doc = parseText('services:\n  web:\n    image: !!binary bmdpbng6MS4yNw==\n    environment:\n      A: !!binary |\n        aGk=\n');
    const root = doc.root!;
    const web = JSON.stringify(root.kind === 'map' ? root.entries[0]!.value : null);
    expect(web).toContain('"value":"nginx:1.27"');
    expect(web).toContain('"value":"hi"');
  });

  it('takes time in proportion to the tags', () => {
    const file = (n: number) => `services:\n  web:\n    image: nginx:1.27\nx-t:\n${Array.from({ length: n }, (_, i) => `  k${i}: [!custom ${i}, !!int ${i}, !!bool x, !x {a: !!str b}]\n`).join('')}`;
    const lint = (text: string) => lintFiles({ 'docker-stack.yml': text });
    expect(lint(file(10)).findings.filter((f) => f.ruleId === 'yaml-syntax')).toHaveLength(10);
    // at 16 times the tags, linear work is about 16 times
    expect(cpuRatio(lint, file(250), file(4000))).toBeLessThan(100);
  }, 300_000);
});

/** `docker stack config -c FILE` on a text: null when it accepts it, else its error. */
function dockerRefusal(text: string): string | null {
  return inTempDir({ 'docker-stack.yml': text }, (dir) => {
    const r = spawnSync('docker', ['stack', 'config', '-c', 'docker-stack.yml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 300_000 });
    if (r.error) throw r.error;
    return r.status === 0 ? null : r.stderr.trim();
  });
}

describe.skipIf(!HAS_DOCKER)('docker stack config agrees', () => {
  it('accepts every value read without a finding', () => {
    const refused = READ.map((v) => [v, dockerRefusal(withValue(v))]).filter(([, r]) => r !== null);
    expect(refused).toEqual([]);
  }, 300_000);

  it('refuses every value reported, with the error quoted', () => {
    const disagree: string[] = [];
    for (const [value, , error] of REFUSED) {
      const docker = dockerRefusal(withValue(value));
      if (docker !== error) disagree.push(`${value}: docker ${docker ?? 'accepts'}`);
    }
    expect(disagree).toEqual([]);
  }, 300_000);
});
