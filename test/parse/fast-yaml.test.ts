import { yamlFiles } from '../helpers/files.js';
import { cpuRatio } from '../helpers/measure.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFastYaml, resolvePlain } from '../../src/parse/fast-yaml.js';
import type { LVal } from '../../src/parse/located.js';
import type { Loc } from '../../src/parse/location.js';
import { parseSource, type ReadDocument } from '../../src/parse/read-document.js';
import { SourceFile } from '../../src/parse/source-file.js';
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';

/**
 * The fast reader (src/parse/fast-yaml.ts) must give the very tree yaml gives: the same values,
 * types, locations, anchors, merges, issues. Each case is read both ways and compared whole.
 */

const env = new Map([
  ['SET', 'value'],
  ['N', '3'],
]);

function locOf(l: Loc): string {
  return l.kind === 'file' ? `${l.start}-${l.end}` : `${l.object}:${l.path}`;
}

/** A read document as plain data: shared nodes (aliases, merges) by the number of their first visit. */
function dump(doc: ReadDocument): unknown {
  const ids = new Map<LVal, number>();
  const node = (v: LVal): unknown => {
    const seen = ids.get(v);
    if (seen !== undefined) return { ref: seen };
    ids.set(v, ids.size);
    const base = { id: ids.get(v), kind: v.kind, loc: locOf(v.loc), tag: v.tag, anchor: v.anchor };
    if (v.kind === 'scalar') return { ...base, value: Number.isNaN(v.value) ? 'NaN' : v.value, type: typeof v.value, raw: v.raw, fromEnv: v.fromEnv };
    if (v.kind === 'seq') return { ...base, items: v.items.map((it) => ({ via: it.via && [it.via.kind, locOf(it.via.loc)], value: node(it.value) })) };
    return {
      ...base,
      mergedFrom: v.mergedFrom?.map((m) => ids.get(m) ?? 'unseen'),
      entries: v.entries.map((e) => ({ key: e.key, keyLoc: locOf(e.keyLoc), via: e.via && [e.via.kind, locOf(e.via.loc)], value: node(e.value) })),
      index: [...v.index.keys()],
    };
  };
  return {
    root: doc.root && node(doc.root),
    issues: doc.issues.map((i) => ({ ...i, loc: locOf(i.loc) })),
    dotenvUses: doc.dotenvUses.map((u) => ({ ...u, loc: locOf(u.loc) })),
    variables: [...(doc.variables ?? [])].sort(),
  };
}

/** Read `text` both ways; returns whether the fast reader took it. */
function compareReaders(text: string, name = 'compose.yaml'): boolean {
  const source = new SourceFile(name, name, text);
  const slow = parseSource(source, env, true, new Set(['SET']), true, true);
  const fast = parseSource(source, env, true, new Set(['SET']), false);
  expect(dump(fast), name).toEqual(dump(slow));
  return readFastYaml(source.text) !== null;
}

/**
 * The nodes a fix edits through, as a plain tree of what the fixer reads of them: kind, range,
 * quoting style, value, anchor, alias name, items. Either reader's nodes, so that the two can be
 * compared node by node (the located tree compared by compareReaders does not hold all of this).
 */
function nodeTree(n: unknown): unknown {
  if (n === null || n === undefined) return null;
  const f = n as { t?: string; start: number; end: number; anchor?: string; tag?: string; value?: unknown; type?: string; source?: string; items?: unknown[] };
  if (f.t !== undefined) {
    if (f.t === 'alias') return ['alias', f.source, f.start, f.end];
    if (f.t === 'scalar') return ['scalar', f.value, f.type, f.start, f.end, f.anchor ?? null, f.tag ?? null];
    const items = (f.items ?? []).map((it) => (f.t === 'map' ? [nodeTree((it as { key: unknown }).key), nodeTree((it as { value: unknown }).value)] : nodeTree(it)));
    return [f.t, f.start, f.end, f.anchor ?? null, f.tag ?? null, items];
  }
  if (isAlias(n)) return ['alias', n.source, n.range![0], n.range![1]];
  if (isScalar(n)) return ['scalar', n.value, n.type, n.range![0], n.range![1], n.anchor ?? null, n.tag ?? null];
  if (isMap(n)) return ['map', n.range![0], n.range![1], n.anchor ?? null, n.tag ?? null, n.items.map((p) => [nodeTree(p.key), nodeTree(p.value)])];
  if (isSeq(n)) return ['seq', n.range![0], n.range![1], n.anchor ?? null, n.tag ?? null, n.items.map((it) => nodeTree(it))];
  return '?';
}

/** Whether the fast reader takes the text; where it does, its nodes must be yaml's, node by node. */
function compareNodes(text: string, name: string): boolean {
  const fast = readFastYaml(text);
  if (!fast) return false;
  const doc = parseDocument(text, { merge: false, uniqueKeys: false, prettyErrors: false, strict: true });
  expect(nodeTree(fast), name).toEqual(nodeTree(doc.contents));
  return true;
}

describe('fast reader', () => {
  it('reads every fixture as yaml does (the same tree, or it leaves the file to yaml)', () => {
    const files = yamlFiles(join(__dirname, '../../fixtures'));
    expect(files.length).toBeGreaterThan(100);
    let taken = 0;
    for (const f of files) if (compareReaders(readFileSync(f, 'utf8'), f)) taken++;
    // most real compose files are in the shape it reads
    expect(taken).toBeGreaterThan(files.length / 3);
  });

  const cases: Record<string, string> = {
    'nested maps, comments, blank lines': 'a:\n  b: 1 # c\n  # x\n\n  d: [x, "y"]  \ne: &q\n  - 1\n  -\n  - k: v\n    m: {a: 1}\n  # t\n# u\nf:\ng: &an x\nh: *an\n',
    'empty values and anchors on them': 'f:   # c\ng: &a\nh:\n  - &b\n  -\n  - x\n# end\n\n',
    'header comment, trailing comment, no final newline': '# head\n\na: 1\nb:\n  c: 2\n\n  # z\nd: x',
    'quoted and flow scalars': "a: \"x\" # c\nb: 'it''s'\nc: [ a , {k: v}, [1] ]\nd: {}\ne: []\nf: ''\ng: \"\"\n",
    'core schema': 'a: [~, null, Null, NULL, true, False, TRUE, yes, no, on, 0o17, 017, 0x1F, 12, -3, +4, 1.5, .5, 1., 1e3, -1.2E-2, .inf, -.Inf, .nan, 0.10, 1_000, 0b11, 12:30, 1.2.3]\n',
    'keys resolved then stringified': '1: a\ntrue: b\n~: c\n0x10: d\n1.50: e\n"quoted": f\n\'single\': g\n',
    'merge keys': 'x-a: &a\n  restart: always\n  image: a\nx-b: &b\n  user: "1000"\nservices:\n  s:\n    <<: [*a, *b]\n    image: own\n  t:\n    <<: *a\n',
    'duplicate keys': 'a: 1\nb: 2\na: 3\nservices:\n  x:\n    image: a\n    image: b\n',
    'sequence beside its key': 'services:\n  a:\n    ports:\n    - "80:80"\n    - 443\n    command:\n    - sh\n  b:\n    image: x\n',
    'compact maps in sequences': 'volumes:\n  - type: bind\n    source: ./a\n    target: /a\n  - type: volume\n    source: b\n    read_only: true\n  -\n    type: tmpfs\n',
    interpolation: 'services:\n  a:\n    image: "${SET}:${UNSET:-1}"\n    deploy:\n      replicas: ${N}\n    user: ${N:-1000}\n    mode: ${BAD\n    x: $$SET\n',
    'octal as docker reads it': 'services:\n  a:\n    configs:\n      - source: c\n        mode: 0440\n    x: -0755\n    y: "0440"\n',
    'alias to a scalar and to a sequence': 'x: &v 5\ny: &l [a, b]\nz:\n  - *v\n  - *l\nw: *l\n',
    'an alias bomb is bounded': 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n',
    'urls and colons in plain scalars': 'a: http://x:80/p?q=1#f\nb: a:b\nc: "a: b"\nd: [http://x, a:b]\ne: x#y\nf: -1\ng: -x\nh: ?x\ni: :x\n',
    unicode: 'a: ünïcödé 🐳\n"k ü": v\n',
    'comments no deeper than what closes': 'a:\n  b: 1\n# end\n',
    'comments at the level of what closes': 'a:\n  b: 1\n  # end\nc: 1\n',
    'a sequence item closing before a comment': 'a:\n  - b: 1\n  # end\nc: 1\n',
    'blank lines before what follows': 'a:\n  b:\n    c: 1\n\n  d: 2\n\n\ne:\n  - x\n\n  - y\n\nf: 1\n',
    'an empty value at the end': 'a:\n  b:\n',
    'escaped quotes, backslashes and slashes in double quotes': 'a: "say \\"hi\\""\nb: ["CMD-SHELL", "pg_isready -U \\"$${U:-p}\\""]\n"c\\\\d": "x\\/y\\\\"\ne: {k: "\\"", l: 1}\n',
    'escapes in double-quoted scalars': 'a: "x\\ty\\n\\"q\\" \\\\ \\/ \\0\\a\\b\\e\\f\\r\\v\\N\\_\\L\\P\\ z"\nb: "\\x41\\u00e9\\U0001F433"\n"k\\u0041": v\nc: ["\\t", {"\\n": "\\\\"}]\nd: "\\\\"\n',
    'literal block scalars': 'a: |\n  x\n  y\nb: |-\n  x\n\n  y\n\n\nc: |+\n  x\n\n\nd: 1\ne:\n  - |\n    # not a comment\n    x:  y  \n  - z\n  - k: |\n      v\n    l: 1\nf: &bs |\n  w\ng: *bs\nh: | # note\n   x\n',
    'folded block scalars': 'a: >\n  x\n  y\n\n  z\n\n\n  w\nb: >-\n  long command\n  continued\nc: >+\n  x\n\n# c\nd: >\n\n  x\n',
    'block scalars at the end, before comments and blank lines': 'a:\n  b: |\n    x\n  # c\nc:\n  d: |\n    x\n\n\ne:\n  f: |+\n    x\n\n  # k\n\ng: |\n  x\n # c\nh: |\n  x',
    'a block scalar with leading blank lines and interpolation': 'a: |\n\n  ${SET} ${UNSET:-d}\n\n  $$x\n',
    'an anchor on a line of its own': 'x-a:\n  &a\n  restart: always\nx-b:\n    &b\n  - 1\nservices:\n  s:\n    <<: *a\n  t:\n    - *b\n',
    'a document marker before the document': '---\na: 1\n',
    'a document marker with a comment, then comments': '--- # head\n# c\n\na:\n  b: 1\n',
    // comment lines deeper than the collection that closes: yaml's ends depend on where its parser files them
    'a comment deeper than what closes (it joins the value above)': 'a:\n  b: 1\n    # end\nc: 1\n',
    'deeper comments, blank lines, then shallower ones, several collections closing': 'a:\n  b:\n    c: 1\n\n      # x\n   # y\n  # z\nd: 1\n',
    'a comment kept by the inner collection: the outer one ends at the next content': 'a:\n  b:\n    c: 1\n    # x\nd: 1\n',
    'comments the collection keeps at the end of the text': 'a:\n  b: 1\n  # end\n',
    'comments the collection keeps at the end of the text without a line break': 'a:\n  b:\n    c: 1\n      # x\n    # end',
    'comments in a sequence that closes': 'a:\n  b:\n    - 1\n      # x\n    # y\n  c: 2\n',
    'comments deeper than a sequence at the column of its key': 'a:\n- x\n  # c\n # d\nb: 1\n',
    'comments after a flow collection and after a comment on the value line': 'a:\n  b: [1]\n    # x\nc:\n  d: 1 # c\n    # x\n  # y\n',
    'comments between lines of spaces': 'a:\n  b: 1\n    # x\n   \n    # y\n  \nc: 1',
    'comments in a compact mapping in a sequence': 'k:\n  - a: 1\n      # c\n    # d\n  - b\nl:\n  - a: 1\n    # e\nm: 1\n',
    'comments after block scalars': 'a:\n  b: |\n      x\n    # c\nd:\n  e: >-\n    x\n   # c\n  # d\nf: 1\n',
    'a comment after an empty value': 'a:\n  b:\n  # end\n',
    'a comment on an empty value at the end': 'a:\n  b: # c\n',
    'a comment on an empty value that closes': 'a:\n  nil: # left empty\n\nb: 1\n',
    'comments after an empty value, then blank lines': 'a:\n  b: 1\n  c:\n  # x\n\nd: 1\n',
    'comments after an anchored empty value': 'a:\n  b: &x\n    # c\nc: *x\n',
    'comments before an empty item': 'k0:\n    - x\n    # c0\n    -\nk1: 1\nk2:\n  - x\n  # c\n  -\n\n\nl: 1\n',
    'comments after an empty item, then another': 'k:\n  -\n  # c\n  -\nl: 1\n',
    'a document marker after comments': '# c\n  # d\n\n---\na: 1\n',
    'a trailing comma': 'a: [x, y,]\nb: {k: v, }\n',
    "compose's tags": 'services:\n  a:\n    command: !reset\n    x: !reset null\n    y: !reset 5 # c\n    z: !reset []\n    v: !override\n      - x\n    w: !override {k: v}\n    q: !reset "x"\n    p: !override\n      k: 1\n    e: !reset # c\n  b:\n    - !reset 1\n    - !override\n    -   !reset\n',
    "a tag on an empty value at the end": 'a:\n  b: !reset\n',
    'spaces between a key and its colon': 'name : x\n"q"  : 1\nx-a: &a\n  k: v\ns:\n  << : *a\n  l:\n    - m : 1\n      n   :\n',
    'flow collections over several lines': 'a:\n  b: [\n    x, "y",\n    [1, 2], {k: v},\n  ]\n  c: {\n   k: v,\n     l: [\n      1\n     ]\n  }\nd: [ # c\n  x, # d\n  # e\n\n  y\n  , z]\n',
    'a flow collection on the lines below its key or dash': 'a:\n  test:\n    [\n      "CMD",\n      "true"\n    ]\n  b:\n    - x\n    -\n      {k: v}\n',
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`reads ${name} as yaml does`, () => {
      expect(compareReaders(text), 'taken by the fast reader').toBe(true);
    });
  }

  it('gives the nodes fixes edit through as yaml does: kind, range, quoting style, value, anchor (every case and fixture it takes)', () => {
    let taken = 0;
    for (const [name, text] of Object.entries(cases)) if (compareNodes(text, name)) taken++;
    expect(taken).toBe(Object.keys(cases).length);
    let fixturesTaken = 0;
    for (const f of yamlFiles(join(__dirname, '../../fixtures'))) if (compareNodes(readFileSync(f, 'utf8'), f)) fixturesTaken++;
    // the comparison means something: most fixtures take the fast reader (155 of 173 when written)
    expect(fixturesTaken).toBeGreaterThan(140);
  });

  // Where comment and blank lines fall decides the ranges yaml gives the collections around them
  // (its parser files each comment line under a value, an item or a collection by its indentation
  // and by what is around it), and how a flow collection's lines are indented whether yaml reads it:
  // random block documents with such lines anywhere, read both ways.
  it('reads random documents with comment and blank lines anywhere, and flow collections over several lines, as yaml does', () => {
    let seed = 20261206;
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const trivia = (deepest: number): string => {
      let t = '';
      for (let n = Math.floor(rnd() * 4), i = 0; i < n; i++) {
        const r = rnd();
        t += r < 0.2 ? '\n' : r < 0.3 ? `${' '.repeat(Math.floor(rnd() * (deepest + 3)))}\n` : `${' '.repeat(Math.floor(rnd() * (deepest + 4)))}# c${i}\n`;
      }
      return t;
    };
    let key = 0;
    const block = (indent: number, depth: number, kind: 'map' | 'seq'): string => {
      let t = '';
      for (let n = 1 + Math.floor(rnd() * 3), i = 0; i < n; i++) {
        t += trivia(indent + 4);
        const pad = ' '.repeat(indent);
        const head = kind === 'map' ? `${pad}k${key++}:` : `${pad}-`;
        const r = rnd();
        if (depth < 4 && r < 0.45) {
          const sub = rnd() < 0.6 ? 'map' : 'seq';
          if (kind === 'seq' && sub === 'map' && rnd() < 0.5) {
            t += `${pad}- ${block(indent + 2, depth + 1, 'map').trimStart()}`;
            continue;
          }
          const inner = sub === 'seq' && kind === 'map' && rnd() < 0.3 ? indent : indent + pick([1, 2, 2, 4]);
          t += `${head}${rnd() < 0.2 ? ' # h' : ''}\n${block(inner, depth + 1, sub)}`;
        } else if (r < 0.55) {
          const at = ' '.repeat(indent + pick([2, 4]));
          t += `${head} ${pick(['|', '>', '|-', '|+', '>-'])}\n${at}line1\n${rnd() < 0.3 ? '\n' : ''}${at}line2\n`;
        } else if (r < 0.62) t += `${head}${rnd() < 0.3 ? ' # e' : ''}\n`;
        else if (r < 0.75) {
          // a flow collection over several lines, its lines indented at random (some too little)
          const ind = () => ' '.repeat(Math.max(0, indent + (rnd() < 0.1 ? -1 : 1) + Math.floor(rnd() * 3)));
          const item = () => pick(['a', '"b c"', "'d'", '1', '[x, y]', `[\n${ind()}z\n${ind()}]`, 'e # c', `f\n${ind()}g`]);
          const seq = rnd() < 0.6;
          let f = `${seq ? '[' : '{'}${pick(['', ' # c'])}\n`;
          for (let n = Math.floor(rnd() * 4), q = 0; q < n; q++) {
            f += `${ind()}${seq ? '' : `k${key++}: `}${item()}${q < n - 1 ? pick([',', ', # c', `\n${ind()},`]) : pick(['', ',', ' # c'])}\n`;
            if (rnd() < 0.15) f += `${ind()}# c\n`;
          }
          f += `${ind()}${seq ? ']' : '}'}`;
          t += rnd() < 0.3 ? `${head}\n${ind()}${f}\n` : `${head} ${f}\n`;
        } else t += `${head} ${pick(['1', 'x', '"q"', "'s'", '[a, b]', '{k: v}', 'x # c', '[1] # c'])}\n`;
      }
      return t;
    };
    let taken = 0;
    const runs = 400;
    for (let c = 0; c < runs; c++) {
      key = 0;
      let text = trivia(2) + block(0, 0, 'map') + trivia(6);
      if (rnd() < 0.2) text = text.replace(/\n$/, '');
      const name = `random document ${c}: ${JSON.stringify(text)}`;
      if (compareNodes(text, name)) taken++;
      compareReaders(text, name);
    }
    expect(taken).toBeGreaterThan(runs * 0.6);
  });


  // A plain scalar ends before ` #`, before a `:` followed by a space or the line's end, and after its
  // last character that is not a space; a value holding `: ` is left to yaml. Random keys and values
  // of such characters, in a mapping and in a sequence, read both ways.
  it('reads random plain scalars of spaces, `:`, `#` and `-`, and double-quoted ones with escapes, as keys and values as yaml does', () => {
    let seed = 5021;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
    const parts = ['a', 'b1', ' ', '  ', ':', '#', '-', '/', 'x:y', ': ', ' #', '#c', ':8080', 'é', '$x', '.', ',', '"', "'"];
    const plain = () => {
      let t = parts[Math.floor(rnd() * 3)]!;
      for (let n = Math.floor(rnd() * 6), i = 0; i < n; i++) t += parts[Math.floor(rnd() * parts.length)];
      return t.trimStart();
    };
    let taken = 0;
    const runs = 600;
    for (let c = 0; c < runs; c++) {
      // and double-quoted ones with escapes, a `"` and a backslash anywhere (the first `"` may be an escaped one)
      const quoted = () => `"${plain().replace(/[#:]/g, () => ['\\"', '\\\\', '\\n', '\\t', '#', '\\x41', "'"][Math.floor(rnd() * 7)]!)}"`;
      const lines = [`${plain()}: ${plain()}`, `k${c}:`, `  - ${plain()}`, `  - ${plain()}: ${plain()}`, `m${c}: ${plain()}${rnd() < 0.3 ? ' ' : ''}`, `q${c}: ${quoted()}`, `${quoted()}: ${quoted()} # c`];
      const text = `${lines.join('\n')}\n`;
      const name = `random plain scalars ${c}: ${JSON.stringify(text)}`;
      if (compareNodes(text, name)) taken++;
      compareReaders(text, name);
    }
    expect(taken).toBeGreaterThan(runs * 0.1);
  });

  const refused: Record<string, string> = {
    'a tag': 'a: !custom []\n',
    'a tag and an anchor': 'a: !reset &x []\nb: &y !reset []\n',
    'a tag before an alias': 'a: &x 1\nb: !reset *x\n',
    'a tag before a block scalar': 'a: !reset |\n  x\n',
    'a tag in a flow collection': 'a: [!reset x]\n',
    'a tag on a key': '!reset a: 1\n',
    'a tag on a line of its own': 'a:\n  !override\n  - x\n',
    'a tag before a flow collection on the next line': 'a: !override\n  [x]\n',
    'a block scalar with an indentation indicator': 'a: |2\n    x\n',
    'an empty block scalar': 'a: |\nb: 1\n',
    'an empty block scalar before blank lines': 'a:\n  b: |\n\n\nc: 1\n',
    'a block scalar at the end of the text': 'a: |',
    'a kept block scalar whose last line is spaces without a line break': 'a:\n  b: |+\n    x\n  ',
    'a folded kept block scalar whose last line is spaces without a line break': 'a: >+\n  x\n\n ',
    'a more-indented line in a folded scalar': 'a: >\n  x\n    y\n  z\n',
    'a blank line with more spaces than the content': 'a: |\n  x\n   \n  y\n',
    'a leading blank line with more spaces than the content': 'a: |\n   \n  x\n',
    'a block scalar less indented than it started': 'a: |\n    x\n  y\n',
    'a block scalar header with text after it': 'a: | x\n  y\n',
    'a block scalar in a flow': 'a: [|, x]\n',
    'an anchor line before an empty value': 'a:\n  &x\nb: 1\n',
    'an anchor line with a comment': 'a:\n  &x # c\n  b: 1\n',
    'two anchors on a value': 'a: &x\n  &y\n  b: 1\n',
    'a continued double-quoted scalar': 'a: "x\\\n  y"\n',
    'an unknown escape': 'a: "x\\qy"\n',
    'a short hex escape': 'a: "\\x4"\n',
    'an escape beyond Unicode': 'a: "\\UFFFFFFFF"\n',
    'a document end marker': 'a: 1\n...\n',
    'a multi-line plain scalar': 'a: x\n  y\n',
    'a multi-line quoted scalar': 'a: "x\n  y"\n',
    'an escape before the closing quote': 'a: "x\\"\nb: 1\n',
    'two documents': 'a: 1\n---\nb: 2\n',
    'a directive': '%YAML 1.1\n---\na: 1\n',
    'a tab': 'a:\n\tb: 1\n',
    'a CRLF': 'a: 1\r\nb: 2\r\n',
    'a lone CR': 'a: 1\rb: 2\n',
    'U+2028': 'a: 1 # x\u2028b: 2\n',
    'an explicit key': '? a\n: 1\n',
    'a nested compact sequence': 'a:\n  - - x\n',
    'an unknown alias': 'a: *nope\n',
    'an alias to its own ancestor': 'a: &x\n  b: *x\n',
    'an anchor defined twice': 'a: &x 1\nb: &x 2\n',
    'an odd anchor name': 'a: &a.b 1\n',
    'a top-level sequence': '- a\n',
    'a top-level scalar': 'just text\n',
    'a mapping in a plain value': 'a: b: c\n',
    'an unclosed flow': 'a: [x, y\n',
    'a multi-line flow': 'a: [x,\n  y\n  z]\n',
    'a flow collection not indented deeper than its key': 'a:\n  b: [\n  x]\n',
    'a closing bracket less indented than its key': 'a:\n  b: [\n   x\n ]\n',
    'an inner closing bracket at the indentation of the key': 'a:\n  b: [[\n   x\n  ], y]\n',
    'a comment without a space before it in a flow collection': 'a: [x,#c\n  y]\n',
    'a flow value on the line after its key in a flow mapping': 'a: {k:\n  v}\n',
    'an anchor before a flow collection on the next line': 'a: &x\n  [1]\n',
    'a flow pair in a sequence': 'a: [x: 1]\n',
    'a flow map key without value': 'a: {x, y: 1}\n',
    'an indented top level': '  a: 1\n',
    'a wrong indentation': 'a:\n    b: 1\n  c: 2\n',
    'a value after a quoted scalar': 'a: "x" y\n',
    'a reserved indicator': 'a: @x\n',
    'a control character': 'a: x\u0007\n',
    'an empty file': '',
    'only comments': '# x\n',
    'a comment after a dash': 'a:\n  - # c\n    x\n',
    'block nesting deeper than a compose file has (yaml bounds it)': Array.from({ length: 70 }, (_, d) => `${' '.repeat(d)}k${d}:\n`).join('') + `${' '.repeat(70)}v\n`,
    'a double-quoted key over 1,024 characters': `a:\n  "${'k'.repeat(1100)}": v\n`,
    "a single-quoted key over 1,024 characters in a list": `a:\n  - '${'k'.repeat(1100)}': v\n`,
    'a colon over 1,024 characters after its key': `a:\n  k${' '.repeat(1100)}: v\n`,
  };
  for (const [name, text] of Object.entries(refused)) {
    it(`leaves ${name} to yaml, with the same result`, () => {
      expect(compareReaders(text), 'taken by the fast reader').toBe(false);
    });
  }

  // CPU time (not wall time: the machine is shared) at n and 8n services: linear work is about 8
  // times the CPU; the bound is generous, work that grows with the square would be 64 times.
  it('reads in time linear in the file (one pass over its lines)', () => {
    const stack = (n: number) => {
      let t = 'x-d: &d\n  restart: always\nservices:\n';
      for (let i = 0; i < n; i++) t += `  s${i}:\n    <<: *d\n    image: "r/s${i}:1"\n    environment:\n      A: \${A:-1}\n    healthcheck:\n      test: ["CMD", "true"]\n    # note\n    deploy:\n      replicas: ${i % 3}\n`;
      return t;
    };
    const small = stack(1500);
    const large = stack(12000);
    const read = (t: string) => parseSource(new SourceFile('c.yaml', 'c.yaml', t), env, true, undefined, false);
    read(small); // warm up the code paths
    expect(readFastYaml(large)).not.toBeNull();
    expect(cpuRatio(read, small, large)).toBeLessThan(30);
  }, 120_000);

  // Regular expressions read a plain scalar in a block collection (`plainInBlock`); V8's backtracking
  // stack overflowed on one of several million characters (a RangeError that stopped the lint), so a
  // line longer than 64 KiB is read character by character. Values and keys of 9 million characters,
  // and lines either side of the bound read as yaml reads them.
  it('reads plain scalars of millions of characters, and lines either side of 64 KiB as yaml does', () => {
    const huge = 'x'.repeat(9_000_000);
    const spaced = 'a '.repeat(4_500_000).trimEnd();
    for (const v of [huge, spaced]) {
      let node: unknown = readFastYaml(`services:\n  web:\n    environment:\n      BLOB: ${v}\n`);
      // services, web, environment, BLOB: each the first key of its mapping
      for (let depth = 0; depth < 4; depth++) node = (node as { items: Array<{ value: unknown }> } | null)?.items[0]?.value;
      expect((node as { value?: unknown } | undefined)?.value).toBe(v);
    }
    // a key longer than YAML allows goes to yaml
    expect(readFastYaml(`${huge}: 1\n`)).toBeNull();
    for (const n of [64 * 1024 - 40, 64 * 1024 + 40]) {
      const body = 'a b:c '.repeat(Math.ceil(n / 6)).slice(0, n);
      for (const line of [`k: ${body}`, `k: ${body} #c`, `k: ${body}  `, `- ${body}`, `k: ${body}: v`, `${body.slice(0, 900)}: ${body}`]) {
        compareReaders(`${line}\n`, `a line of ${line.length} characters`);
        compareNodes(`${line}\n`, `a line of ${line.length} characters`);
      }
    }
  });

  // Each scalar's own scan must stop at its line: in a file of quoted scalars without escapes, a
  // search for a backslash that ran to the end of the text made the work grow with the square of
  // the file. At 4,000 and 64,000 lines, linear work is 16 times the CPU (with the collections a
  // large file brings, measured 30 to 35 times), work that grows with the square 256 times (at 8
  // times the lines it measured 47 to 56 times, where linear work measured up to about 27).
  it('reads quoted scalars in time linear in the file', () => {
    const text = (n: number) => {
      let t = 'a:\n';
      // long comments make the text large for the lines it has: a search to its end costs more
      for (let i = 0; i < n; i++) t += (i % 2 ? `  k${i}: "v ${i}"` : `  "k${i}": 'v ${i}'`) + ` # ${'-'.repeat(100)}\n`;
      return t;
    };
    const small = text(4000);
    const large = text(64000);
    expect(readFastYaml(large)).not.toBeNull();
    readFastYaml(small); // warm up the code paths
    expect(cpuRatio(readFastYaml, small, large)).toBeLessThan(100);
  }, 300_000);

  // Each issue inside a block scalar is placed at its expression: the block's lines are read once
  // for all its issues (they were walked from the first line for each: the square of the lines).
  // At 2,000 and 32,000 lines, linear work is 16 times the CPU and the square 256 times; measured
  // 11 to 42 times (the small run's CPU moves with V8's tiers and garbage collection: at 16,000
  // lines, 8 times, it came within reach of the bound on a busy machine).
  it('places the issues of a block scalar with an expression on every line in time linear in its lines', () => {
    const text = (n: number) => `a:\n  b: |\n${Array.from({ length: n }, (_, i) => `    echo ${i} \${UNSET_${i % 7}:?must be set}\n`).join('')}`;
    const read = (t: string) => parseSource(new SourceFile('c.yaml', 'c.yaml', t), env, true, undefined, false);
    const small = text(2000);
    const large = text(32000);
    const issues = read(large).issues.filter((i) => i.ruleId === 'interpolation');
    expect(issues).toHaveLength(32000);
    // the last one, at its expression on the last line of the block
    const last = issues[31999]!.loc;
    expect(last.kind === 'file' && large.slice(last.start, last.end)).toBe('${UNSET_2:?must be set}');
    expect(cpuRatio(read, small, large)).toBeLessThan(100);
  }, 120_000);

  it('resolves plain scalars as yaml\'s core schema does', () => {
    const samples = ['~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'yes', '0o7', '0o8', '07', '08', '0x1f', '0X1F', '-0', '+12', '1_0', '.5', '5.', '-.5e3', '1e', '.inf', '+.inf', '-.INF', '.NaN', '.nAn', '1.0', 'nan', 'x'];
    for (const s of samples) {
      const doc = parseDocument(`k: ${s}\n`);
      const want = (doc.contents as unknown as { items: Array<{ value: { value: unknown } }> }).items[0]!.value.value;
      expect(resolvePlain(s), s).toEqual(want);
    }
  });
});
