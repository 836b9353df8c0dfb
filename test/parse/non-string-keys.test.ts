/**
 * Mapping keys docker's YAML readers take for no string (`1:`, `true:`, `~:`, `2001-01-01:`, a tagged
 * `!foo bar:`): docker stack deploy refuses the file ("json: unsupported type: map[interface
 * {}]interface {}"), docker compose refuses a key whose value is no string ("non-string key in
 * ..."). Each is a `yaml-syntax` error at the key, in the key's own file, for the target whose tool
 * refuses it. What docker stack deploy does is asked of the real `docker stack config -c FILE`
 * (client only, no engine); what docker compose does comes from compose-go's loader (not installed
 * here): src/parse/go-yaml-keys.ts says where.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintProject } from '../../src/engine/lint.js';
import type { TargetSetting } from '../../src/engine/target.js';
import { readFastYaml } from '../../src/parse/fast-yaml.js';
import { goYamlType, keyRefusals } from '../../src/parse/go-yaml-keys.js';
import { parseSource } from '../../src/parse/read-document.js';
import { SourceFile } from '../../src/parse/source-file.js';
import { cpuRatio } from '../helpers/measure.js';
import { dockerAvailable } from '../oracle-match.js';
import { brief, inTempDir, lintFiles } from './helpers.js';

const HAS_DOCKER = dockerAvailable();

const JSON_ERROR = '("json: unsupported type: map[interface {}]interface {}")';
const STACK = `docker stack deploy refuses a mapping with such a key ${JSON_ERROR}`;

/** The `yaml-syntax` findings of a project of real files, as `file:line:col-line:col message`. */
function keyErrors(files: Record<string, string>, target: TargetSetting, lint?: string[]): string[] {
  return lintFiles(files, { target, lint })
    .findings.filter((f) => f.ruleId === 'yaml-syntax' && f.severity === 'error')
    .map(brief)
    .map((f) => `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.message}`);
}

/** `docker stack config -c A [-c B]` in the files' folder: null when it accepts them, else its error. */
function dockerRefusal(files: Record<string, string>, lint: string[] = [Object.keys(files)[0]!]): string | null {
  return inTempDir(files, (dir) => {
    const r = spawnSync('docker', ['stack', 'config', ...lint.flatMap((f) => ['-c', f])], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 300_000 });
    if (r.error) throw r.error;
    return r.status === 0 ? null : r.stderr.trim();
  });
}

const HEAD = "version: '3.8'\nservices:\n  app:\n    image: nginx:1.25\n";
/** A file whose service's environment has one key, written as given. */
const withKey = (key: string) => `${HEAD}    environment:\n      ${key}: x\n`;

describe("the type Go's YAML readers give a plain scalar (yaml.v3 for docker stack deploy, yaml/v4 for docker compose)", () => {
  it('as resolve.go resolves it', () => {
    const cases: Array<[string, string, string?]> = [
      ['', 'null'],
      ['~', 'null'],
      ['null', 'null'],
      ['Null', 'null'],
      ['nULL', 'str'],
      ['true', 'bool'],
      ['TRUE', 'bool'],
      ['tRUE', 'str'],
      ['yes', 'str'],
      ['on', 'str'],
      ['y', 'str'],
      ['1', 'int'],
      ['-0', 'int', 'float'],
      ['-0.0', 'float'],
      ['0777', 'int'],
      ['08', 'float'],
      ['0x1_0', 'int'],
      ['+0x1', 'int'],
      ['0xffffffffffffffff', 'int'],
      ['0x1ffffffffffffffff', 'str'],
      ['+0xffffffffffffffff', 'str'],
      ['-0x8000000000000000', 'int'],
      ['-0x8000000000000001', 'str'],
      ['9223372036854775808', 'int'],
      ['-9223372036854775809', 'float'],
      ['0b1', 'int'],
      ['0B1', 'int'],
      ['0b2', 'str'],
      ['0b+1', 'int', 'str'],
      ['0o-7', 'int', 'str'],
      ['0O7', 'int'],
      ['0o8', 'str'],
      ['1_000', 'int'],
      ['_1', 'str'],
      ['1.', 'float'],
      ['1.5', 'float'],
      ['1e3', 'float'],
      ['1e308', 'float'],
      ['1e400', 'str'],
      ['.5', 'float'],
      ['.5E+1', 'float'],
      ['._5', 'str'],
      ['.', 'str'],
      ['.inf', 'float'],
      ['-.Inf', 'float'],
      ['.Nan', 'str'],
      ['Infinity', 'str'],
      ['1.5.5', 'str'],
      ['2001-01-01', 'timestamp'],
      ['2001-1-1', 'timestamp'],
      ['2000-02-29', 'timestamp'],
      ['2001-02-29', 'str'],
      ['2001-13-01', 'str'],
      ['2001-01-01 10:00:00', 'timestamp'],
      ['2001-01-01   10:00:00.5', 'timestamp'],
      ['2001-01-01 1:2:3', 'timestamp'],
      ['2001-01-01 24:00:00', 'str'],
      ['2001-01-01 10:00:00Z', 'str'],
      ['2001-01-01T10:00:00Z', 'timestamp'],
      ['2001-01-01t10:00:00+01:00', 'timestamp'],
      ['2001-01-01T10:00:00+0100', 'str'],
      ['2001-01-01T10:00:00', 'str'],
      ['20010-01-01', 'str'],
      ['<<x', 'str'],
      ['image', 'str'],
    ];
    expect(cases.map(([s]) => [s, goYamlType(s), goYamlType(s, true)])).toEqual(cases.map(([s, v3, v4]) => [s, v3, v4 ?? v3]));
  });

  it('keys: docker stack deploy goes by the tag, docker compose by the decoded value', () => {
    expect(keyRefusals('1', true, undefined)).toEqual({ stack: 'int', compose: 'int' });
    expect(keyRefusals('1', false, undefined)).toBeNull();
    expect(keyRefusals('1', true, 'tag:yaml.org,2002:str')).toBeNull();
    expect(keyRefusals('1', false, 'tag:yaml.org,2002:int')).toEqual({ stack: 'int', compose: 'int' });
    expect(keyRefusals('bar', true, '!foo')).toEqual({ stack: 'tag', compose: null });
    expect(keyRefusals('1', true, '!')).toEqual({ stack: 'int', compose: null });
    expect(keyRefusals('foo', true, '!')).toBeNull();
    expect(keyRefusals('0b+1', true, undefined)).toEqual({ stack: 'int', compose: null });
    expect(keyRefusals('networks', true, undefined)).toBeNull();
  });
});

describe('a key that is no string: an error at the key, for the target whose tool refuses it', () => {
  it('an integer key in environment', () => {
    const files = { 'compose.yaml': withKey('1') };
    expect(keyErrors(files, 'swarm')).toEqual([`compose.yaml:6:7-6:8 the key 1 is read as an integer by docker's YAML reader, not as a string: ${STACK}; quote it: "1":`]);
    expect(keyErrors(files, 'compose')).toEqual([
      'compose.yaml:6:7-6:8 the key 1 is read as an integer by docker compose\'s YAML reader, not as a string: docker compose refuses the file ("non-string key in services.app.environment"); quote it: "1":',
    ]);
  });

  it('booleans, null, floats, timestamps, an empty key: each named as what it is read as', () => {
    const said = (key: string) => keyErrors({ 'compose.yaml': withKey(key) }, 'swarm').map((m) => m.replace(`: ${STACK}`, ''));
    expect(said('true')).toEqual(['compose.yaml:6:7-6:11 the key true is read as a boolean by docker\'s YAML reader, not as a string; quote it: "true":']);
    expect(said('~')).toEqual(['compose.yaml:6:7-6:8 the key ~ is read as null by docker\'s YAML reader, not as a string; quote it: "~":']);
    expect(said('1.5')).toEqual(['compose.yaml:6:7-6:10 the key 1.5 is read as a floating-point number by docker\'s YAML reader, not as a string; quote it: "1.5":']);
    expect(said('0x1')).toEqual(['compose.yaml:6:7-6:10 the key 0x1 is read as an integer by docker\'s YAML reader, not as a string; quote it: "0x1":']);
    expect(said('.inf')).toEqual(['compose.yaml:6:7-6:11 the key .inf is read as a floating-point number by docker\'s YAML reader, not as a string; quote it: ".inf":']);
    expect(said('2001-01-01')).toEqual(['compose.yaml:6:7-6:17 the key 2001-01-01 is read as a timestamp by docker\'s YAML reader, not as a string; quote it: "2001-01-01":']);
    expect(said('?\n      ')).toEqual(['compose.yaml:6:8-6:8 the empty key is read as null by docker\'s YAML reader, not as a string; quote it: "":']);
  });

  it('a service named 1, an extension mapping, flow labels, a pair in a flow sequence', () => {
    expect(keyErrors({ 'compose.yaml': "version: '3.8'\nservices:\n  1:\n    image: nginx:1.25\n" }, 'compose')).toEqual([
      'compose.yaml:3:3-3:4 the key 1 is read as an integer by docker compose\'s YAML reader, not as a string: docker compose refuses the file ("non-string key in services"); quote it: "1":',
    ]);
    expect(keyErrors({ 'compose.yaml': `version: '3.8'\nx-foo: {1: a}\n${HEAD.slice(15)}` }, 'swarm')).toEqual([`compose.yaml:2:9-2:10 the key 1 is read as an integer by docker's YAML reader, not as a string: ${STACK}; quote it: "1":`]);
    expect(keyErrors({ 'compose.yaml': `${HEAD}    labels: {1: x}\n` }, 'swarm')).toEqual([`compose.yaml:5:14-5:15 the key 1 is read as an integer by docker's YAML reader, not as a string: ${STACK}; quote it: "1":`]);
    expect(keyErrors({ 'compose.yaml': `${HEAD}    command: [1: x]\n` }, 'compose')).toEqual([
      'compose.yaml:5:15-5:16 the key 1 is read as an integer by docker compose\'s YAML reader, not as a string: docker compose refuses the file ("non-string key in services.app.command[0]"); quote it: "1":',
    ]);
  });

  it('a key of the top-level mapping: what each says there', () => {
    const files = { 'compose.yaml': `${HEAD}1: x\n` };
    expect(keyErrors(files, 'swarm')).toEqual(['compose.yaml:5:1-5:2 the key 1 is read as an integer by docker\'s YAML reader, not as a string: docker stack deploy refuses the file ("top-level object must be a mapping"); quote it: "1":']);
    expect(keyErrors(files, 'compose')).toEqual(['compose.yaml:5:1-5:2 the key 1 is read as an integer by docker compose\'s YAML reader, not as a string: docker compose refuses the file ("non-string key at top level"); quote it: "1":']);
  });

  it('at the anchor through `<<` and aliases, once; a merge onto a mapping with such a key, at that key', () => {
    const anchored = `version: '3.8'\nx-env: &env\n  1: a\nservices:\n  app:\n    image: nginx:1.25\n    environment:\n      <<: *env\n      B: b\n  other:\n    image: nginx:1.25\n    environment: *env\n`;
    for (const target of ['swarm', 'compose'] as const) expect(keyErrors({ 'compose.yaml': anchored }, target).map((m) => m.split(' the key')[0])).toEqual(['compose.yaml:3:3-3:4']);
    const onto = `version: '3.8'\nx-env: &env\n  A: a\nservices:\n  app:\n    image: nginx:1.25\n    environment:\n      <<: *env\n      1: b\n`;
    for (const target of ['swarm', 'compose'] as const) expect(keyErrors({ 'compose.yaml': onto }, target).map((m) => m.split(' the key')[0])).toEqual(['compose.yaml:9:7-9:8']);
  });

  it('an alias as the key: at the alias, with its anchor\'s value; an alias of a mapping is a collection as a key', () => {
    const files = { 'compose.yaml': `version: '3.8'\nx-k: &k 1\n${HEAD.slice(15)}    environment:\n      *k : x\n` };
    expect(keyErrors(files, 'swarm')).toEqual([`compose.yaml:7:7-7:9 the key *k (1) is read as an integer by docker's YAML reader, not as a string: ${STACK}; write the key quoted in place of the alias: "1":`]);
    expect(keyErrors({ 'compose.yaml': `version: '3.8'\nx-k: &k {a: 1}\n${HEAD.slice(15)}    environment:\n      *k : x\n` }, 'swarm')).toEqual([
      'compose.yaml:7:7-7:9 a mapping key must be a scalar, not a mapping or sequence',
    ]);
  });

  it('tags: docker stack deploy refuses a tagged key (`!foo bar`, `! 1`), docker compose reads it as a string', () => {
    const tagged = { 'compose.yaml': withKey('!foo bar') };
    expect(keyErrors(tagged, 'swarm')).toEqual([
      `compose.yaml:6:12-6:15 the key !foo bar carries the tag !foo, and docker's YAML reader takes a key with a tag other than !!str for no string: ${STACK}; remove the tag !foo`,
    ]);
    expect(keyErrors(tagged, 'compose')).toEqual([]);
    const bang = { 'compose.yaml': withKey('! 1') };
    expect(keyErrors(bang, 'swarm')).toEqual([`compose.yaml:6:9-6:10 the key ! 1 is read as an integer by docker's YAML reader, not as a string: ${STACK}; quote it: "1":`]);
    expect(keyErrors(bang, 'compose')).toEqual([]);
    expect(keyErrors({ 'compose.yaml': withKey('!!int "1"') }, 'compose')).toEqual([
      'compose.yaml:6:13-6:16 the key !!int "1" is read as an integer by docker compose\'s YAML reader, not as a string: docker compose refuses the file ("non-string key in services.app.environment"); remove the tag and quote it: "1":',
    ]);
  });

  it('under !reset docker compose drops the key before it reads it; docker stack deploy reads it', () => {
    for (const text of [`${HEAD}    environment: !reset {1: x}\n`, `${HEAD}    environment:\n      1: !reset x\n`]) {
      expect(keyErrors({ 'compose.yaml': text }, 'compose')).toEqual([]);
      expect(keyErrors({ 'compose.yaml': text }, 'swarm').map((m) => m.split(' the key')[0])).toHaveLength(1);
    }
  });

  it('strings: quoted, !!str, yes, on, 1e400 (past a float64), a dot', () => {
    for (const key of ['"1"', "'1'", '!!str 1', 'yes', 'on', 'y', '1e400', '.', '0b2', 'tRUE', '"true"', '? |\n        1\n      ']) {
      for (const target of ['swarm', 'compose'] as const) expect(keyErrors({ 'compose.yaml': withKey(key) }, target), `${key} ${target}`).toEqual([]);
    }
  });

  it('several -f files: in the file that writes the key, at its place', () => {
    const files = { 'compose.yaml': withKey('A'), 'override.yaml': "version: '3.8'\nservices:\n  app:\n    labels:\n      2: y\n" };
    for (const target of ['swarm', 'compose'] as const) expect(keyErrors(files, target, ['compose.yaml', 'override.yaml']).map((m) => m.split(' the key')[0])).toEqual(['override.yaml:5:7-5:8']);
  });

  it('extends and include: in the file named there for target compose; docker stack deploy never reads those files', () => {
    const ext = {
      'compose.yaml': 'services:\n  web:\n    extends:\n      file: base.yaml\n      service: base\n',
      'base.yaml': 'services:\n  base:\n    image: nginx:1.25\n    environment:\n      true: x\n',
    };
    expect(keyErrors(ext, 'compose').map((m) => m.split(' the key')[0])).toEqual(['base.yaml:5:7-5:11']);
    expect(keyErrors(ext, 'swarm')).toEqual([]);
    // the same key in a service of the file itself is read by docker stack deploy
    const own = { 'compose.yaml': 'services:\n  base:\n    image: nginx:1.25\n    environment:\n      true: x\n  web:\n    extends: base\n' };
    expect(keyErrors(own, 'swarm').map((m) => m.split(' the key')[0])).toEqual(['compose.yaml:5:7-5:11']);
    const inc = { 'compose.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: nginx:1.25\n', 'db/compose.yaml': 'services:\n  db:\n    image: postgres:16\n    labels: {1: x}\n' };
    expect(keyErrors(inc, 'compose').map((m) => m.split(' the key')[0])).toEqual(['db/compose.yaml:4:14-4:15']);
    expect(keyErrors(inc, 'swarm')).toEqual([]);
  });

  it('target auto: as the file is detected (a stack file by its name, else compose)', () => {
    expect(keyErrors({ 'docker-stack.yml': withKey('1') }, 'auto')).toEqual([expect.stringContaining('docker stack deploy refuses')]);
    expect(keyErrors({ 'compose.yaml': withKey('1') }, 'auto')).toEqual([expect.stringContaining('docker compose refuses')]);
    const placed = `${withKey('1')}    deploy:\n      placement:\n        constraints: [node.role == manager]\n`;
    expect(keyErrors({ 'compose.yaml': placed }, 'auto')).toEqual([expect.stringContaining('docker stack deploy refuses')]);
  });

  it('the fast reader and yaml give the same errors at the same places', () => {
    const text = `${HEAD}1: x\n${HEAD.slice(15).replace('services:\n', 'x-more:\n')}    environment:\n      true: x\n      2001-01-01: y\n      "1": z\n    labels: {0x1: a, ~: b, yes: c}\n`;
    const read = (yamlOnly: boolean) => parseSource(new SourceFile('c.yaml', 'c.yaml', text), new Map(), true, undefined, false, yamlOnly).issues.map((i) => [i.message, i.loc]);
    expect(readFastYaml(text)).not.toBeNull();
    expect(read(false)).toHaveLength(10);
    expect(read(false)).toEqual(read(true));
  });

  it('the rest of the file is still read: other rules report on it', () => {
    const r = lintFiles({ 'compose.yaml': `${withKey('1')}    privileged: true\n` }, { target: 'compose' });
    expect(r.stack?.services.map((s) => s.name)).toEqual(['app']);
  });

  // n keys at n places, each an error with its path: 2,000 and 32,000 keys, 16 times the file
  // (measured 9 times the CPU; the small run about 80 ms)
  it('a key under a key the tool refuses is not reported again: one error per branch, its path cut in the message', () => {
    const deep = (n: number) => `${'{1: '.repeat(n)}v${'}'.repeat(n)}`;
    const files = { 'compose.yaml': `x-a: ${deep(3)}\nx-b: {${Array.from({ length: 60 }, (_, i) => `k${i}`).join(': {')}: {1: v}${'}'.repeat(60)}\n${HEAD.slice(15)}` };
    for (const target of ['swarm', 'compose'] as const) {
      const errors = keyErrors(files, target);
      expect(errors, target).toHaveLength(2);
      expect(errors[0], target).toMatch(/^compose\.yaml:1:7-1:8 the key 1 /);
      // 60 keys deep: compose's message names the place by its end
      for (const e of errors) expect(e.length, e).toBeLessThan(400);
    }
    expect(keyErrors(files, 'compose')[1]).toContain('("non-string key in ...');
  });

  it('nested refused keys in time and output linear in the file', () => {
    const text = (n: number) => `${Array.from({ length: n / 100 }, (_, i) => `x-a${i}: ${'{1: '.repeat(100)}v${'}'.repeat(100)}\n`).join('')}${HEAD.slice(15)}`;
    inTempDir({ 'small.yaml': text(2000), 'large.yaml': text(32000) }, (dir) => {
      const lint = (f: string) => lintProject({ files: [join(dir, f)], environment: {}, rules: [], target: 'compose' });
      expect(lint('large.yaml').findings.filter((f) => f.ruleId === 'yaml-syntax')).toHaveLength(320);
      expect(cpuRatio(lint, 'small.yaml', 'large.yaml')).toBeLessThan(100);
    });
  }, 300_000);

  it('in time linear in the keys', () => {
    const text = (n: number) => `services:\n${Array.from({ length: n / 4 }, (_, i) => `  s${i}:\n    image: nginx:1.25\n    environment:\n      1: a\n      2.5: b\n      true: c\n      ~: d\n`).join('')}`;
    inTempDir({ 'small.yaml': text(2000), 'large.yaml': text(32000) }, (dir) => {
      const lint = (f: string) => lintProject({ files: [join(dir, f)], environment: {}, rules: [], target: 'swarm' });
      expect(lint('large.yaml').findings.filter((f) => f.ruleId === 'yaml-syntax')).toHaveLength(32000);
      expect(cpuRatio(lint, 'small.yaml', 'large.yaml')).toBeLessThan(100);
    });
  }, 300_000);
});

describe.skipIf(!HAS_DOCKER)('docker stack config agrees (target swarm)', () => {
  const KEYS = [
    '1', '1.5', 'null', '~', 'true', 'True', 'TRUE', 'false', 'Null', '0x1', '.inf', '-.Inf', '.nan', '0777', '08', '1_000', '0_0', '-0', '-0.0', '+1',
    '0b1', '0B1', '0O7', '0b+1', '0o-7', '1.', '1e3', '1E3', '.5', '.5e1', '1e308', '9223372036854775808', '-9223372036854775809', '0xffffffffffffffff',
    '2001-01-01', '2001-1-1', '2000-02-29', '2001-01-01 10:00:00', '2001-01-01 10:00:00.5', '2001-01-01T10:00:00Z', '2001-01-01t10:00:00+01:00', '2001-01-01 1:2:3',
    '?\n      ', '!foo bar', '!!binary aGVsbG8=', '! 1', '!!int "1"', '!!float 1',
    // strings
    '"1"', "'1'", '!!str 1', '! foo', '! "1"', 'yes', 'on', 'y', 'tRUE', 'nULL', '.Nan', 'Infinity', 'NaN', '1e400', '.', '._5', '.e1', '0b2', '0o8', '_1', '1.5.5', '1e', '<<x',
    '0x1ffffffffffffffff', '+0xffffffffffffffff', '2001-13-01', '2001-02-29', '2001-01-01 24:00:00', '2001-01-01T10:00:00+0100', '20010-01-01', '-2001-01-01',
  ];

  it('on every key: refused exactly where lint reports it, with the JSON error', () => {
    const disagree: string[] = [];
    for (const key of KEYS) {
      const files = { 'docker-stack.yml': withKey(key) };
      const docker = dockerRefusal(files);
      const lint = keyErrors(files, 'auto');
      if ((docker !== null) !== (lint.length > 0) || (docker !== null && docker !== JSON_ERROR.slice(2, -2))) disagree.push(`${key}: docker ${docker ?? 'accepts'}, lint ${lint.join(' | ') || 'nothing'}`);
    }
    expect(disagree).toEqual([]);
  }, 300_000);

  it('on the files of the cases above: refused where lint reports, accepted where not', () => {
    const cases: Array<{ files: Record<string, string>; lint?: string[]; refused: boolean }> = [
      { files: { 'compose.yaml': `version: '3.8'\nservices:\n  1:\n    image: nginx:1.25\n` }, refused: true },
      { files: { 'compose.yaml': `version: '3.8'\nx-foo: {1: a}\n${HEAD.slice(15)}` }, refused: true },
      { files: { 'compose.yaml': `${HEAD}    labels: {1: x}\n` }, refused: true },
      { files: { 'compose.yaml': `${HEAD}    command: [1: x]\n` }, refused: true },
      { files: { 'compose.yaml': `${HEAD}1: x\n` }, refused: true },
      { files: { 'compose.yaml': `version: '3.8'\nx-env: &env\n  1: a\nservices:\n  app:\n    image: nginx:1.25\n    environment:\n      <<: *env\n      B: b\n` }, refused: true },
      { files: { 'compose.yaml': `version: '3.8'\nx-env: &env\n  A: a\nservices:\n  app:\n    image: nginx:1.25\n    environment:\n      <<: *env\n      1: b\n` }, refused: true },
      { files: { 'compose.yaml': `version: '3.8'\nx-k: &k 1\n${HEAD.slice(15)}    environment:\n      *k : x\n` }, refused: true },
      { files: { 'compose.yaml': `version: '3.8'\nx-k: &k a\n${HEAD.slice(15)}    environment:\n      *k : x\n` }, refused: false },
      { files: { 'compose.yaml': `${HEAD}    environment: !reset {1: x}\n` }, refused: true },
      { files: { 'compose.yaml': withKey('A'), 'override.yaml': "version: '3.8'\nservices:\n  app:\n    labels:\n      2: y\n" }, lint: ['compose.yaml', 'override.yaml'], refused: true },
      { files: { 'compose.yaml': withKey('A'), 'override.yaml': "version: '3.8'\nservices:\n  app:\n    labels:\n      '2': y\n" }, lint: ['compose.yaml', 'override.yaml'], refused: false },
    ];
    for (const c of cases) {
      const docker = dockerRefusal(c.files, c.lint);
      expect(docker === null ? null : /^(json: unsupported type|top-level object must be a mapping)/.test(docker), JSON.stringify(c.files)).toBe(c.refused ? true : null);
      expect(keyErrors(c.files, 'swarm', c.lint).length > 0, JSON.stringify(c.files)).toBe(c.refused);
    }
  }, 300_000);
});
