import { describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument, type Node as YamlNode, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { applyEdits } from '../src/fix/apply-edits.js';
import { editsConflict, type YamlTextEdit } from '../src/engine/text-edits.js';
import { flow, isPlainSafe, quoted, renderScalar } from '../src/engine/yaml-render.js';
import { imageRepository } from '../src/model/image-repository.js';
import { detectStyle } from '../src/engine/yaml-style.js';
import { appendToSeq, fillEmptyValue, insertIntoMap, renameKey, replaceScalar } from '../src/engine/yaml-edits.js';
import { SourceFile } from '../src/parse/source-file.js';

/** Parse `raw`, find a node by a path of keys / indexes, build an edit and apply it (BOM restored). */
function withNode(raw: string, path: Array<string | number>, build: (source: SourceFile, node: YamlNode, pair: Pair | null) => YamlTextEdit | { start: number; end: number; text: string } | null): string {
  const source = new SourceFile('/x/compose.yaml', 'compose.yaml', raw);
  const doc = parseDocument(source.text);
  let node = doc.contents as YamlNode;
  let pair: Pair | null = null;
  for (const k of path) {
    if (typeof k === 'number') node = (node as YAMLSeq).items[k] as YamlNode;
    else {
      pair = (node as YAMLMap).items.find((p) => (p.key as Scalar).value === k) as Pair;
      node = pair.value as YamlNode;
    }
  }
  const edit = build(source, node, pair);
  if (!edit) throw new Error('no edit');
  return source.toRaw(applyEdits(source.text, [edit]));
}

describe('applyEdits', () => {
  it('applies non-overlapping edits from the end without disturbing offsets', () => {
    expect(applyEdits('abcdef', [{ start: 4, end: 5, text: 'E' }, { start: 1, end: 2, text: 'BB' }, { start: 6, end: 6, text: '!' }])).toBe('aBBcdEf!');
  });
  it('is pure: the same input gives the same output and the input is untouched', () => {
    const edits = [{ start: 0, end: 1, text: 'x' }];
    const copy = JSON.parse(JSON.stringify(edits));
    expect(applyEdits('ab', edits)).toBe('xb');
    expect(applyEdits('ab', edits)).toBe('xb');
    expect(edits).toEqual(copy);
  });
  it('throws on overlapping edits and edits outside the text', () => {
    expect(() => applyEdits('abc', [{ start: 0, end: 2, text: '' }, { start: 1, end: 3, text: '' }])).toThrow(RangeError);
    expect(() => applyEdits('abc', [{ start: 2, end: 9, text: '' }])).toThrow(RangeError);
  });
  it('orders two insertions at one offset: deeper mapping first', () => {
    const a: YamlTextEdit = { start: 3, end: 3, text: '[svc]', insert: { container: 'a', keys: ['x'], indent: 4 } };
    const b: YamlTextEdit = { start: 3, end: 3, text: '[deploy]', insert: { container: 'b', keys: ['y'], indent: 6 } };
    expect(applyEdits('abcdef', [a, b])).toBe('abc[deploy][svc]def');
  });
});

describe('editsConflict', () => {
  const ins = (start: number, container: string, keys: string[], indent: number): YamlTextEdit => ({ start, end: start, text: 'x', insert: { container, keys, indent } });
  it('overlapping ranges conflict, touching ones do not', () => {
    expect(editsConflict({ start: 0, end: 3, text: '' }, { start: 2, end: 4, text: '' })).toBe(true);
    expect(editsConflict({ start: 0, end: 2, text: '' }, { start: 2, end: 4, text: '' })).toBe(false);
  });
  it('an insertion inside a replaced range conflicts', () => {
    expect(editsConflict({ start: 2, end: 2, text: 'x' }, { start: 0, end: 4, text: '' })).toBe(true);
  });
  it('insertions at one offset: distinct keys of one mapping or different depths may share a pass', () => {
    expect(editsConflict(ins(5, 'm', ['a'], 4), ins(5, 'm', ['b'], 4))).toBe(false);
    expect(editsConflict(ins(5, 'm', ['deploy'], 4), ins(5, 'm', ['deploy'], 4))).toBe(true);
    expect(editsConflict(ins(5, 'm', ['a'], 4), ins(5, 'n', ['b'], 6))).toBe(false);
    expect(editsConflict(ins(5, 'm', ['a'], 4), ins(5, 'n', ['b'], 4))).toBe(true);
    expect(editsConflict({ start: 5, end: 5, text: 'x' }, ins(5, 'm', ['a'], 4))).toBe(true);
  });
});

describe('render', () => {
  it('keeps strings plain only when YAML 1.1 and 1.2 read them back as the same string', () => {
    for (const s of ['512M', 'ALL', 'redis-cli', '/tmp:size=64m,noexec', '1000:1000', 'no-new-privileges:true']) expect(isPlainSafe(s), s).toBe(true);
    for (const s of ['0.5', '2', 'yes', 'off', 'null', '~', '', ' a', 'a: b', 'a #b', '*x', '&a', '-x', '0x1f', '1e3', '1:30']) expect(isPlainSafe(s), s).toBe(false);
    expect(isPlainSafe('a,b', true)).toBe(false);
  });
  it('gives each context its own verdict for a string asked again (the verdicts are kept)', () => {
    for (let round = 0; round < 2; round++) {
      expect(isPlainSafe('x,y')).toBe(true);
      expect(isPlainSafe('x,y', true)).toBe(false);
      expect(isPlainSafe('[x]')).toBe(false);
    }
    // past the number of verdicts kept, a string is judged again, the same way
    for (let i = 0; i < 5000; i++) expect(isPlainSafe(`k${i}`)).toBe(true);
    expect(isPlainSafe('x,y', true)).toBe(false);
    expect(isPlainSafe('0.5')).toBe(false);
    // long strings (not kept) get the same verdicts, each context its own, asked again
    const long = 'x'.repeat(200);
    for (let round = 0; round < 2; round++) {
      expect(isPlainSafe(`${long},y`)).toBe(true);
      expect(isPlainSafe(`${long},y`, true)).toBe(false);
      expect(isPlainSafe(`${long}: y`)).toBe(false);
    }
  });
  it('quotes numbers written as strings in the file\'s quote', () => {
    expect(renderScalar('0.5', { quote: "'" })).toBe("'0.5'");
    expect(renderScalar('0.5', { quote: '"' })).toBe('"0.5"');
    expect(renderScalar("it's", { quote: "'" })).toBe("it's");
    expect(renderScalar("'x", { quote: "'" })).toBe("'''x'");
  });
  it('detects indentation, sequence indentation and quote preference', () => {
    expect(detectStyle('services:\n    api:\n        ports:\n        - "80"\n')).toMatchObject({ indent: 4, seqIndent: 0, quote: '"' });
    expect(detectStyle("a:\n  b:\n    - x\n  c: 'y'\n")).toMatchObject({ indent: 2, seqIndent: 2, quote: "'" });
    expect(detectStyle('a: 1\r\nb:\r\n  c: 2\r\n').eol).toBe('\r\n');
  });
  it('reads lines as a split at each line end would: CRLF, blank and comment lines, a lone CR, the last line', () => {
    // a key on the last line has no next line: the steps come from the keys before it
    expect(detectStyle('a:\r\n\r\n   # note\r\n   b: 1\r\nc:\r\n- x\r\nd:')).toMatchObject({ indent: 3, seqIndent: 0, eol: '\r\n' });
    // a lone CR is no line end: `a:\r  b: 1` is one line, so the first step is seen at `c:`
    expect(detectStyle('a:\r  b: 1\nc:\n    d: 2\n')).toMatchObject({ indent: 4 });
    expect(detectStyle('a:\n\n')).toMatchObject({ indent: 2, seqIndent: 2 });
    expect(detectStyle('')).toMatchObject({ indent: 2, seqIndent: 2, quote: "'" });
  });
});

describe('insertIntoMap (block)', () => {
  it('adds keys after the last value at the sibling indentation, before the comment of the next key', () => {
    const raw = 'services:\n  api:\n    image: a:1 # pinned\n\n  # the database\n  db:\n    image: postgres:16\n';
    const out = withNode(raw, ['services', 'api'], (s, n) => insertIntoMap(s, n as YAMLMap, [['deploy', { replicas: 2 }]]));
    expect(out).toBe('services:\n  api:\n    image: a:1 # pinned\n    deploy:\n      replicas: 2\n\n  # the database\n  db:\n    image: postgres:16\n');
  });
  it('goes after the comment lines indented under the last entry (they belong to it), before those at the keys\' column or after a blank line', () => {
    // a commented-out entry of the last mapping, and a comment's second line under a port: split
    // from them, the first would land in the added list and no longer uncomment into its mapping
    const raw = 'services:\n  api:\n    environment:\n      A: "1"\n      # B: "2"   (uncomment to enable B)\n    ports:\n      - "80"   # first line\n               # second line\n    # about the next service\n  db:\n    environment:\n      A: "1"\n\n      # after a blank line\n';
    const api = withNode(raw, ['services', 'api'], (s, n) => insertIntoMap(s, n as YAMLMap, [['user', quoted('1000')]]));
    expect(api).toBe(raw.replace('# second line\n', '# second line\n    user: "1000"\n'));
    const env = withNode(raw, ['services', 'api', 'environment'], (s, n) => insertIntoMap(s, n as YAMLMap, [['C', quoted('3')]]));
    expect(env).toBe(raw.replace('A: "1"\n      # B: "2"', 'A: "1"\n      C: "3"\n      # B: "2"'));
    const db = withNode(raw, ['services', 'db'], (s, n) => insertIntoMap(s, n as YAMLMap, [['user', quoted('1000')]]));
    expect(db).toBe(raw.replace('      A: "1"\n\n', '      A: "1"\n    user: "1000"\n\n'));
  });
  it('follows a 4-space file and an indentless sequence style', () => {
    const raw = 'services:\n    api:\n        ports:\n        - "80"\n';
    const out = withNode(raw, ['services', 'api'], (s, n) => insertIntoMap(s, n as YAMLMap, [['cap_drop', ['ALL']], ['deploy', { resources: { limits: { cpus: '1' } } }]]));
    expect(out).toBe('services:\n    api:\n        ports:\n        - "80"\n        cap_drop:\n        - ALL\n        deploy:\n            resources:\n                limits:\n                    cpus: "1"\n');
  });
  it('writes CRLF line ends in a CRLF file and keeps its BOM', () => {
    const raw = '\uFEFFservices:\r\n  api:\r\n    image: a:1\r\n';
    const out = withNode(raw, ['services', 'api'], (s, n) => insertIntoMap(s, n as YAMLMap, [['user', quoted('1000:1000')]]));
    expect(out).toBe("\uFEFFservices:\r\n  api:\r\n    image: a:1\r\n    user: '1000:1000'\r\n");
  });
  it('works at the end of a file without a final newline', () => {
    const out = withNode('a:\n  b: 1', ['a'], (s, n) => insertIntoMap(s, n as YAMLMap, [['c', 2]]));
    expect(out).toBe('a:\n  b: 1\n  c: 2');
  });
  it('goes after the trailing blank lines of a |+ block scalar (they are part of its value)', () => {
    const raw = 'a:\n  cmd: |+\n    run\n\n  other: 1\nb:\n  cmd: |+\n    run\n\nc: 1\n';
    const out = withNode(raw, ['b'], (s, n) => insertIntoMap(s, n as YAMLMap, [['x', 1]]));
    expect(out).toBe('a:\n  cmd: |+\n    run\n\n  other: 1\nb:\n  cmd: |+\n    run\n\n  x: 1\nc: 1\n');
    expect(parseDocument(out).toJS().b.cmd).toBe('run\n\n');
  });
  it('goes right after a clipped block scalar\'s last line', () => {
    const out = withNode('b:\n  cmd: |\n    run\n\nc: 1\n', ['b'], (s, n) => insertIntoMap(s, n as YAMLMap, [['x', 1]]));
    expect(out).toBe('b:\n  cmd: |\n    run\n  x: 1\n\nc: 1\n');
  });
  it('a mapping that is a sequence item: keys align with the first key after "- "', () => {
    const out = withNode('v:\n  - type: tmpfs\n    target: /c\n', ['v', 0], (s, n) => insertIntoMap(s, n as YAMLMap, [['tmpfs', { size: 1024 }]]));
    expect(out).toBe('v:\n  - type: tmpfs\n    target: /c\n    tmpfs:\n      size: 1024\n');
  });
  it('keeps an anchor and merge key in place', () => {
    const raw = 'x: &d\n  replicas: 1\ns:\n  a:\n    <<: *d\n';
    const out = withNode(raw, ['s', 'a'], (s, n) => insertIntoMap(s, n as YAMLMap, [['replicas', 2]]));
    expect(out).toBe('x: &d\n  replicas: 1\ns:\n  a:\n    <<: *d\n    replicas: 2\n');
  });
});

describe('insertIntoMap (flow) and fillEmptyValue', () => {
  it('adds `, key: value` before the closing brace, in flow style', () => {
    const out = withNode('d: { replicas: 1 }\n', ['d'], (s, n) => insertIntoMap(s, n as YAMLMap, [['resources', { limits: { cpus: '0.5', memory: '512M' } }]]));
    expect(out).toBe("d: { replicas: 1, resources: {limits: {cpus: '0.5', memory: 512M}} }\n");
  });
  it('fills an empty flow mapping', () => {
    expect(withNode('d: {}\n', ['d'], (s, n) => insertIntoMap(s, n as YAMLMap, [['a', 1]]))).toBe('d: {a: 1}\n');
  });
  it('gives an empty key nested lines, after its trailing comment', () => {
    const out = withNode('s:\n  deploy: # later\n  image: x\n', ['s'], (s, _n, _p) => {
      const doc = parseDocument(s.text);
      const pair = ((doc.contents as YAMLMap).items[0]!.value as YAMLMap).items[0] as Pair;
      return fillEmptyValue(s, pair, { replicas: 2 });
    });
    expect(out).toBe('s:\n  deploy: # later\n    replicas: 2\n  image: x\n');
  });
  it('replaces an explicit null by a flow mapping', () => {
    const out = withNode('deploy: ~\n', [], (s) => fillEmptyValue(s, (parseDocument(s.text).contents as YAMLMap).items[0] as Pair, { replicas: 2 }));
    expect(out).toBe('deploy: {replicas: 2}\n');
  });
});

describe('appendToSeq, replaceScalar, renameKey', () => {
  it('appends to a block sequence at the dash column', () => {
    expect(withNode('c:\n  - NET_RAW # why\nd: 1\n', ['c'], (s, n) => appendToSeq(s, n as YAMLSeq, ['ALL']))).toBe('c:\n  - NET_RAW # why\n  - ALL\nd: 1\n');
    expect(withNode('c:\n- NET_RAW\n', ['c'], (s, n) => appendToSeq(s, n as YAMLSeq, ['ALL', 'X']))).toBe('c:\n- NET_RAW\n- ALL\n- X\n');
  });
  it('appends to a block sequence after the comment lines indented under its last item', () => {
    expect(withNode('c:\n  - NET_RAW # why\n    # and more\n  # next\nd: 1\n', ['c'], (s, n) => appendToSeq(s, n as YAMLSeq, ['ALL']))).toBe('c:\n  - NET_RAW # why\n    # and more\n  - ALL\n  # next\nd: 1\n');
  });
  it('appends to a flow sequence, empty or not', () => {
    expect(withNode('c: [NET_RAW]\n', ['c'], (s, n) => appendToSeq(s, n as YAMLSeq, ['ALL']))).toBe('c: [NET_RAW, ALL]\n');
    expect(withNode('c: []\n', ['c'], (s, n) => appendToSeq(s, n as YAMLSeq, ['ALL']))).toBe('c: [ALL]\n');
  });
  it('appends a mapping item in block style', () => {
    expect(withNode('v:\n  - a:1\n', ['v'], (s, n) => appendToSeq(s, n as YAMLSeq, [{ type: 'tmpfs', target: '/tmp' }]))).toBe('v:\n  - a:1\n  - type: tmpfs\n    target: /tmp\n');
  });
  it('replaces a scalar keeping its quotes', () => {
    expect(withNode("m: '2G'\n", ['m'], (s, n) => replaceScalar(s, n as Scalar, '1G'))).toBe("m: '1G'\n");
    expect(withNode('m: "2G"\n', ['m'], (s, n) => replaceScalar(s, n as Scalar, '1G'))).toBe('m: "1G"\n');
    expect(withNode('m: 2G # max\n', ['m'], (s, n) => replaceScalar(s, n as Scalar, '1G'))).toBe('m: 1G # max\n');
    expect(withNode('e: true\n', ['e'], (s, n) => replaceScalar(s, n as Scalar, false))).toBe('e: false\n');
    // a plain scalar whose new value would read as a number is quoted
    expect(withNode('u: root\n', ['u'], (s, n) => replaceScalar(s, n as Scalar, '1000'))).toBe("u: '1000'\n");
    expect(withNode('u: root\n', ['u'], (s, n) => replaceScalar(s, n as Scalar, '1000', true))).toBe("u: '1000'\n");
  });
  it('renames a key in place and keeps its value, anchor and comments', () => {
    const raw = 's:\n  # policy\n  sleep_policy: &p # here\n    enabled: true\n';
    const out = withNode(raw, ['s'], (s, n) => renameKey(s, ((n as YAMLMap).items[0] as Pair).key as YamlNode, 'x-sleep-policy'));
    expect(out).toBe('s:\n  # policy\n  x-sleep-policy: &p # here\n    enabled: true\n');
    expect(withNode('"a": 1\n', [], (s, n) => renameKey(s, ((n as YAMLMap).items[0] as Pair).key as YamlNode, 'b'))).toBe('"b": 1\n');
  });
  it('renders a JSON-style flow value inside a block mapping', () => {
    const out = withNode('s:\n  a: 1\n', ['s'], (s, n) => insertIntoMap(s, n as YAMLMap, [['healthcheck', { test: flow(['CMD', 'redis-cli', 'ping'], true), retries: 5 }]]));
    expect(out).toBe('s:\n  a: 1\n  healthcheck:\n    test: ["CMD", "redis-cli", "ping"]\n    retries: 5\n');
  });
});

describe('node shapes', () => {
  it('the helpers refuse what they cannot edit', () => {
    const source = new SourceFile('/x', 'x', 'a: |\n  text\n');
    const doc = parseDocument(source.text);
    const scalar = (doc.contents as YAMLMap).items[0]!.value as Scalar;
    expect(replaceScalar(source, scalar, 'x')).toBeNull();
    expect(isMap(doc.contents) && !isSeq(doc.contents)).toBe(true);
  });
});

describe('imageRepository (the key of the fixes\' tables of known images)', () => {
  it('drops registry, tag, digest and library/, also on a mirror of Docker Hub', () => {
    expect(imageRepository('postgres:16')).toBe('postgres');
    expect(imageRepository('docker.io/library/postgres:16-alpine')).toBe('postgres');
    expect(imageRepository('mirror.gcr.io/library/postgres')).toBe('postgres');
    expect(imageRepository('ghcr.io/bitnami/redis:7@sha256:abc')).toBe('bitnami/redis');
    expect(imageRepository('localhost:5000/valkey/valkey:8')).toBe('valkey/valkey');
  });
  it('is null without an image or when a variable names it', () => {
    expect(imageRepository(undefined)).toBeNull();
    expect(imageRepository('')).toBeNull();
    expect(imageRepository('${IMAGE:-postgres}')).toBeNull();
    expect(imageRepository('postgres:${TAG}')).toBeNull();
  });
});
