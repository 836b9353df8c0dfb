import { execFileSync } from 'node:child_process';
import { symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSource, readSource, InputError } from '../../src/parse/read-document.js';
import { observeInputSizes } from '../../src/parse/read-text.js';
import { SourceFile } from '../../src/parse/source-file.js';
import { brief, inTempDir, lintFiles, parseText, pos } from './helpers.js';

/** Lint one file written to disk (only the parser's checks) and return its findings, briefly. */
const lintText = (text: string | Buffer, env: Record<string, string> = {}) => lintFiles({ 'compose.yaml': text }, { environment: env }).findings.map(brief);

const yamlError = (line: number, column: number, endLine: number, endColumn: number, message: string | ReturnType<typeof expect.stringContaining>) => ({
  ruleId: 'yaml-syntax',
  severity: 'error',
  file: 'compose.yaml',
  line,
  column,
  endLine,
  endColumn,
  message,
});

describe('invalid YAML', () => {
  it('a nested mapping in a compact mapping: yaml-syntax at the value that starts it', () => {
    expect(lintText('services:\n  web:\n    image: nginx: latest\n')).toEqual([
      yamlError(3, 12, 3, 13, 'Nested mappings are not allowed in compact mappings'),
    ]);
  });

  it('a tab used as indentation: yaml-syntax at the tab', () => {
    expect(lintText('services:\n\tweb:\n\t\timage: nginx\n')).toEqual([
      yamlError(2, 1, 2, 2, 'Tabs are not allowed as indentation'),
      yamlError(3, 1, 3, 3, 'Tabs are not allowed as indentation'),
    ]);
  });

  it('an unclosed flow sequence at the end of the file: at its "[", and nothing else is read from the file', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: ["80:80"\n' });
    expect(r.findings.map(brief)).toEqual([yamlError(4, 12, 4, 13, 'Flow sequence in block collection must be sufficiently indented and end with a ]')]);
    expect(r.project.root).toBeNull();
    expect(r.stack).toBeNull();
  });

  it('an unclosed flow sequence followed by more keys: where yaml found the problem', () => {
    expect(lintText('services:\n  web:\n    ports: ["80:80"\n    image: nginx\n')).toEqual([
      yamlError(4, 5, 4, 6, 'Flow sequence in block collection must be sufficiently indented and end with a ]'),
    ]);
  });

  it('an unclosed quote at the end of the file: at the opening quote, not past the end', () => {
    expect(lintText('services:\n  web:\n    image: "nginx\n')).toEqual([yamlError(3, 12, 3, 13, 'Missing closing "quote')]);
    expect(lintText("services:\n  web:\n    image: 'nginx")).toEqual([yamlError(3, 12, 3, 13, "Missing closing 'quote")]);
  });

  it('nested unclosed flow collections: each error at its own opener', () => {
    expect(lintText('services:\n  web: {ports: ["80:80"\n')).toEqual([
      yamlError(2, 16, 2, 17, 'Flow sequence in block collection must be sufficiently indented and end with a ]'),
      yamlError(2, 8, 2, 9, 'Flow map in block collection must be sufficiently indented and end with a }'),
    ].sort((a, b) => a.column - b.column));
  });

  it('the message carries no "at line x, column y" of its own (the finding has the position)', () => {
    for (const f of lintText('a: b: c\nservices: [\n')) expect(f.message).not.toMatch(/at line \d+/);
  });
});

describe('duplicate keys', () => {
  const dup = (key: string, first: number, kept = 'this last one') =>
    `duplicate key "${key}" (first at line ${first}): a key may appear only once in a mapping, and docker refuses the file (mapping key already defined); the other checks read ${kept}`;

  it('the message names the key and the first one; the range is the second key', () => {
    expect(lintText('services:\n  web:\n    image: a\n    user: x\n    image: b\n')).toEqual([yamlError(5, 5, 5, 10, dup('image', 3))]);
  });

  it('a duplicate service name, one of them quoted', () => {
    expect(lintText('services:\n  "web": {image: a}\n  web: {image: a}\n')).toEqual([yamlError(3, 3, 3, 6, dup('web', 2))]);
  });

  it('the second one quoted: the message names the key without its quotes, the range covers them', () => {
    expect(lintText("services:\n  web: {image: a}\n  'web': {image: a}\n")).toEqual([yamlError(3, 3, 3, 8, dup('web', 2))]);
  });

  it('a duplicate key in a flow mapping', () => {
    expect(lintText('services:\n  web: {image: a, image: b}\n')).toEqual([yamlError(2, 19, 2, 24, dup('image', 2))]);
  });

  it('a duplicate top-level key', () => {
    expect(lintText('services: {}\nvolumes: {}\nservices: {}\n')).toEqual([yamlError(3, 1, 3, 9, dup('services', 1))]);
  });

  it('a key written three times: one error per repetition, each naming the one before it', () => {
    expect(lintText('services:\n  web:\n    image: a\n    image: b\n    image: c\n')).toEqual([yamlError(4, 5, 4, 10, dup('image', 3)), yamlError(5, 5, 5, 10, dup('image', 4))]);
  });

  it('the file is still read: the model holds the last value, once, and the schema checks it', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    ports: "80:80"\n    ports: [8080]\n    imagee: x\n' });
    expect(r.stack).not.toBeNull();
    const web = r.stack!.services[0]!;
    expect(web.ports.map((p) => String(p.target))).toEqual(['8080']);
    expect(web.ref.node.entries.filter((e) => e.key === 'ports')).toHaveLength(1);
    expect(r.findings.map((f) => `${f.ruleId} ${f.line}:${f.column}`)).toEqual(['yaml-syntax 5:5', 'schema 6:5']);
  });

  it('docker refuses such a file too (docker stack config: "mapping key already defined")', () => {
    const out = inTempDir({ 'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    image: nginx:1.28\n' }, () => {
      try {
        execFileSync('docker', ['stack', 'config', '-c', 'compose.yaml'], { stdio: 'pipe', timeout: 120_000 });
        return 'accepted';
      } catch (e) {
        return String((e as { stderr?: Buffer }).stderr ?? e);
      }
    });
    expect(out).toMatch(/mapping key "image" already defined at line 3/);
  });

  it('two << merge keys in one mapping: the second is the error and the first one is read', () => {
    const r = lintFiles({ 'compose.yaml': 'x-a: &a {image: "nginx:1.27"}\nx-b: &b {image: "nginx:1.28"}\nservices:\n  web:\n    <<: *a\n    <<: *b\n' });
    expect(r.findings.map(brief)).toEqual([
      yamlError(6, 5, 6, 7, 'duplicate key "<<": a key may appear only once in a mapping, and docker refuses the file (mapping key already defined); the other checks read the first one'),
    ]);
    expect(r.stack!.services[0]!.image!.value).toBe('nginx:1.27');
  });
});

describe('files that hold no compose document', () => {
  it('an empty file', () => {
    expect(lintText('')).toEqual([yamlError(1, 1, 1, 1, 'the file is empty: a compose file needs at least a services: mapping')]);
  });

  it('a file of blank lines', () => {
    expect(lintText('\n  \n\n')).toEqual([yamlError(1, 1, 1, 1, 'the file is empty: a compose file needs at least a services: mapping')]);
  });

  it('a file holding only comments', () => {
    expect(lintText('# compose file\n# TODO\n')).toEqual([
      yamlError(1, 1, 1, 1, 'the file holds no YAML document: a compose file needs at least a services: mapping'),
    ]);
  });

  it('a text of comment and blank lines reads as yaml reads it, whether or not the fast reader takes it', () => {
    // spaces, `#` comments of printable ASCII, and lines that leave the shape (a tab, a CR, a
    // non-ASCII character, `---`, a directive, content): each text read both ways
    const lines = ['', ' ', '#', '# a comment', '   # indented ~', '#!/x', '\t# tab', '# tab\tinside', '# caf\u00e9', '# cr\r', '---', '%YAML 1.2', 'a: 1', '-'];
    let compared = 0;
    for (const a of lines)
      for (const b of lines)
        for (const c of lines)
          for (const end of ['', '\n']) {
            const text = `${a}\n${b}\n${c}${end}`;
            const source = new SourceFile('/virtual/compose.yaml', 'compose.yaml', text);
            const fast = parseSource(source, new Map());
            const viaYaml = parseSource(source, new Map(), true, undefined, true, true);
            expect({ text, issues: fast.issues.map((i) => [i.severity, i.message, pos(i.loc)]), root: fast.root === null }).toEqual({
              text,
              issues: viaYaml.issues.map((i) => [i.severity, i.message, pos(i.loc)]),
              root: viaYaml.root === null,
            });
            compared++;
          }
    expect(compared).toBe(lines.length ** 3 * 2);
  });

  it('a root that is a list', () => {
    expect(lintText('- web\n- db\n')).toEqual([yamlError(1, 1, 3, 1, 'the document is a sequence; a compose file is a mapping with a services: key')]);
  });

  it('a root that is a scalar', () => {
    expect(lintText('just a string\n')).toEqual([yamlError(1, 1, 1, 14, 'the document is a scalar; a compose file is a mapping with a services: key')]);
    expect(lintText('42\n')).toEqual([yamlError(1, 1, 1, 3, 'the document is a scalar; a compose file is a mapping with a services: key')]);
  });

  it('a document that is only "---" (or "---" and "...") is an empty document', () => {
    const empty = 'the document is empty: a compose file needs at least a services: mapping';
    expect(lintText('---\n')).toEqual([yamlError(1, 4, 1, 4, empty)]);
    expect(lintText('---\n...\n')).toEqual([yamlError(1, 4, 1, 4, empty)]);
    expect(lintText('%YAML 1.2\n---\n')).toEqual([yamlError(2, 4, 2, 4, empty)]);
  });

  it('an explicit null root is a scalar', () => {
    expect(lintText('null\n')).toEqual([yamlError(1, 1, 1, 5, 'the document is a scalar; a compose file is a mapping with a services: key')]);
  });

  it('a file holding only a BOM is empty', () => {
    expect(lintText('\uFEFF')).toEqual([yamlError(1, 1, 1, 1, 'the file is empty: a compose file needs at least a services: mapping')]);
  });

  it('no model is built for any of them', () => {
    for (const t of ['', '# c\n', '- a\n', 'x\n']) {
      const r = lintFiles({ 'compose.yaml': t });
      expect(r.stack).toBeNull();
    }
  });
});

describe('multi-document files', () => {
  const said = (n: number) => `this file holds ${n} YAML documents: docker compose merges the later ones onto the first (as -f files), docker stack deploy reads the first only, and stackopt reads the first only; split them into files of their own and pass each with -f`;
  it('are read as their first document, with a warning at the start of the second (docker compose merges them, docker stack deploy reads the first)', () => {
    expect(lintText('services:\n  web:\n    image: a\n---\nservices:\n  db:\n    image: b\n')).toEqual([{ ...yamlError(4, 1, 4, 4, said(2)), severity: 'warning' }]);
  });

  it('count every document with content; a leading "---", a trailing one or "..." adds none', () => {
    expect(lintText('---\nservices: {}\n---\nb: 2\n---\nc: 3\n')).toEqual([{ ...yamlError(3, 1, 3, 4, said(3)), severity: 'warning' }]);
    expect(lintText('---\nservices: {}\n')).toEqual([]);
    expect(lintText('services: {}\n...\n')).toEqual([]);
    expect(lintText('services: {}\n---\n# the end\n')).toEqual([]);
  });
});

describe('a comment right after a value, without a space', () => {
  it('is read as docker reads it (a comment), with a warning; the value is the one before it', () => {
    const r = lintFiles({ 'compose.yaml': 'services:\n  web:\n    image: "nginx:1"# c\n    command: ["a","b"]# d\n' });
    expect(r.findings.filter((f) => f.ruleId === 'yaml-syntax').map((f) => `${f.line}:${f.column} ${f.severity}`)).toEqual(['3:21 warning', '4:23 warning']);
    expect(r.stack!.services[0]!.image?.value).toBe('nginx:1');
  });
});

describe('an explicit !!int on a value that is no integer', () => {
  it('is an error at the value, as docker refuses the file', () => {
    expect(lintText('services:\n  web:\n    image: !!int nginx\n').filter((f) => f.ruleId === 'yaml-syntax')).toEqual([
      yamlError(3, 12, 3, 17, 'the value tagged !!int is no integer, and docker refuses the file ("cannot decode ... as a !!int"); remove the tag, or write a whole number'),
    ]);
  });
});

describe('a %YAML 1.1 directive', () => {
  it('is read as 1.2, as docker reads every file: 22:22 stays a string, not the sexagesimal 1342', () => {
    const r = lintFiles({ 'compose.yaml': '%YAML 1.1\n---\nservices:\n  web:\n    image: nginx:1.27\n    ports: [22:22]\n' });
    expect(r.stack!.services[0]!.ports.map((p) => [p.published, p.target])).toEqual([['22', '22']]);
  });
});

describe('alias bombs', () => {
  const laughs = (levels: number) => {
    let t = 'x-l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < levels; i++) t += `x-l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(', ')}]\n`;
    return `${t}services:\n  web:\n    image: nginx\n    command: *l${levels - 1}\n`;
  };

  for (const levels of [9, 10]) {
    it(`billion laughs with ${levels} levels: one finding, bounded work`, () => {
      // CPU time, not wall time, and far above what the bounded read takes (tens of ms): unbounded,
      // 9^levels nodes would take hours; a busy machine must not fail this
      const t0 = process.cpuUsage();
      const r = lintFiles({ 'compose.yaml': laughs(levels) });
      const u = process.cpuUsage(t0);
      expect((u.user + u.system) / 1000).toBeLessThan(20_000);
      expect(r.findings.map(brief)).toEqual([
        // the alias at which the document's expansion passes the bound: the first *l5 of &l6's list
        // (the anchors above it expand to about 670,000 nodes, and it adds 597,871)
        yamlError(7, 12, 7, 15, 'aliases expand this document past 1,000,000 nodes (a "billion laughs" alias bomb); it is not read further'),
      ]);
      expect(r.project.root).toBeNull();
    });
  }

  it('merge keys that together expand past the bound: one finding, at the merge that passes it (8,000 x 8,000 keys ran out of memory)', () => {
    let fan = 'x-b: &b\n';
    for (let i = 0; i < 1_100; i++) fan += `  k${i}: v\n`;
    fan += 'services:\n';
    for (let i = 0; i < 1_000; i++) fan += `  s${i}:\n    image: nginx:1\n    labels:\n      <<: *b\n`;
    const r = lintFiles({ 'compose.yaml': fan });
    expect(r.findings.filter((f) => f.ruleId === 'yaml-syntax').map((f) => f.message)).toEqual(['aliases expand this document past 1,000,000 nodes (a "billion laughs" alias bomb); it is not read further']);
    expect(r.project.root).toBeNull();
    // a chain of anchors, each merging the one before: n²/2 keys
    let chain = 'x-a0: &a0\n  k0: v\n';
    for (let i = 1; i < 1_600; i++) chain += `x-a${i}: &a${i}\n  <<: *a${i - 1}\n  k${i}: v\n`;
    chain += 'services:\n  web:\n    image: nginx:1\n';
    expect(lintFiles({ 'compose.yaml': chain }).findings.filter((f) => f.ruleId === 'yaml-syntax')).toHaveLength(1);
  });

  it('a self-referencing anchor in a sequence is one finding at the alias, not a hang', () => {
    expect(lintText('x-a: &a [1, *a]\nservices: {}\n')).toEqual([
      yamlError(1, 13, 1, 15, 'alias *a refers to a node that contains it (&a): it would expand without end; it is not read further'),
    ]);
  });

  it('a self-referencing anchor in a mapping', () => {
    expect(lintText('x-a: &a\n  self: *a\nservices: {}\n')).toEqual([
      yamlError(2, 9, 2, 11, 'alias *a refers to a node that contains it (&a): it would expand without end; it is not read further'),
    ]);
  });

  it('an alias to an ancestor further up, and a merge key into itself', () => {
    expect(lintText('services: &s\n  web:\n    deploy:\n      x-back: *s\n')).toEqual([
      yamlError(4, 15, 4, 17, 'alias *s refers to a node that contains it (&s): it would expand without end; it is not read further'),
    ]);
    expect(lintText('x-a: &a\n  b: 1\n  <<: *a\nservices: {}\n')).toEqual([
      yamlError(3, 7, 3, 9, 'alias *a refers to a node that contains it (&a): it would expand without end; it is not read further'),
    ]);
  });

  it('many aliases of a small anchor are fine', () => {
    let t = 'x-env: &env {A: "1"}\nservices:\n';
    for (let i = 0; i < 200; i++) t += `  s${i}:\n    image: nginx\n    environment: *env\n`;
    expect(lintText(t)).toEqual([]);
  });
});

describe('an outsized structure in a large file is refused before either reader builds it', () => {
  // before: 3.2 million levels of [ (6.4 MB) took 55 s and 3.5 GB, a 48 MB flow list ran out of memory
  it('more than 1,000 levels of [ or { open at once (a file over 1 MiB): one error where it passes 1,000', () => {
    const text = `services:\n  a:\n    image: x\n    command: ${'['.repeat(600_000)}${']'.repeat(600_000)}\n`;
    const start = parseSource(new SourceFile('/x/compose.yaml', 'compose.yaml', text), new Map());
    expect(start.root).toBeNull();
    expect(start.issues.map((i) => [i.message, i.loc])).toEqual([['the YAML is nested too deeply to read (hundreds of levels); a compose file needs a handful', expect.objectContaining({ start: text.indexOf('[') + 1000 })]]);
  });

  it('more than 2,000,000 lines and commas: one error at the one past the bound, the file not parsed', () => {
    const text = `services:\n  a:\n    image: x\n    command: [${'a,'.repeat(2_100_000)}a]\n`;
    const r = parseSource(new SourceFile('/x/compose.yaml', 'compose.yaml', text), new Map());
    expect(r.root).toBeNull();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.message).toBe('the file holds more than 2,000,000 values (lines and commas); a compose file of 20,000 services holds about 700,000: it is not read');
    // the three line breaks before the list, then commas: the 2,000,001st is the 1,999,998th comma
    expect(r.issues[0]!.loc).toMatchObject({ start: text.indexOf('[') + 1 + 2 * 1_999_997 + 1 });
  });
});

describe('deep nesting', () => {
  it('10,000 levels of [ are one error, not a stack overflow and a bracket error per level', () => {
    const f = lintText(`services: ${'['.repeat(10_000)}\n`);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ ruleId: 'yaml-syntax', severity: 'error', line: 1, message: 'the YAML is nested too deeply to read (hundreds of levels); a compose file needs a handful' });
  });

  it('3,000 levels of block sequence (a 6 KB line), which overflow yaml\'s parser before its composer counts them: one error where the nesting is deepest, through the CLI', async () => {
    const { runCliAsync, tempProject } = await import('../helpers/cli.js');
    const p = tempProject({ 'compose.yaml': `x-a:\n  ${'- '.repeat(3000)}x\nservices:\n  web:\n    image: nginx:1.27\n` });
    try {
      const r = await runCliAsync(['lint', 'compose.yaml', '--format', 'compact'], p.dir);
      expect([r.status, r.stderr]).toEqual([1, '']);
      expect(r.stdout).toContain('compose.yaml:2:6003: error the YAML is nested too deeply to read (hundreds of levels); a compose file needs a handful [yaml-syntax]');
    } finally {
      p.cleanup();
    }
  });
});

describe('unknown alias', () => {
  it('is a yaml-syntax finding at the alias', () => {
    expect(lintText('services:\n  web:\n    environment: *nope\n')).toEqual([
      yamlError(3, 18, 3, 23, 'unknown alias *nope: no anchor &nope is defined before it'),
    ]);
  });

  it('an alias used before its anchor is unknown too', () => {
    const f = lintText('services:\n  web:\n    environment: *later\n  db:\n    environment: &later {A: "1"}\n');
    expect(f).toEqual([yamlError(3, 18, 3, 24, 'unknown alias *later: no anchor &later is defined before it')]);
  });
});

describe('CRLF line endings and a BOM', () => {
  const lf = 'services:\n  web:\n    image: "nginx:${TAG:?set TAG}"\n    user: x\n    user: y\n';
  const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;

  it('findings in a CRLF+BOM file are at the same line:column as in the LF file', () => {
    const a = lintText(lf);
    const b = lintText(crlf);
    expect(a).toEqual([
      { ruleId: 'interpolation', severity: 'error', file: 'compose.yaml', line: 3, column: 19, endLine: 3, endColumn: 34, message: 'required variable TAG is not set: set TAG' },
      yamlError(5, 5, 5, 9, 'duplicate key "user" (first at line 4): a key may appear only once in a mapping, and docker refuses the file (mapping key already defined); the other checks read this last one'),
    ]);
    expect(b).toEqual(a);
  });

  it('interpolation findings in a CRLF+BOM file (no YAML errors) match the LF file exactly', () => {
    const text = 'services:\n  web:\n    image: "nginx:${TAG:?set TAG}"\n    user: $U\n';
    const a = lintText(text);
    const b = lintText(`\uFEFF${text.replace(/\n/g, '\r\n')}`);
    expect(a).toEqual([
      { ruleId: 'interpolation', severity: 'error', file: 'compose.yaml', line: 3, column: 19, endLine: 3, endColumn: 34, message: 'required variable TAG is not set: set TAG' },
      { ruleId: 'interpolation', severity: 'warning', file: 'compose.yaml', line: 4, column: 11, endLine: 4, endColumn: 13, message: 'variable U is not set; it becomes an empty string' },
    ]);
    expect(b).toEqual(a);
  });

  it('schema findings in a CRLF+BOM file match the LF file, and end columns exclude the \\r', () => {
    const text = 'services:\n  web:\n    image: 5\n    imagee: x\n';
    const a = lintText(text);
    const b = lintText(`\uFEFF${text.replace(/\n/g, '\r\n')}`);
    expect(a.map((f) => [f.ruleId, f.line, f.column, f.endLine, f.endColumn])).toEqual([
      ['schema', 3, 12, 3, 13],
      ['schema', 4, 5, 4, 11],
    ]);
    expect(b).toEqual(a);
  });

  it('the source file keeps BOM and EOL for rewriting, offsets are into the text without BOM', () => {
    inTempDir({ 'compose.yaml': crlf }, () => {
      const s = readSource('compose.yaml');
      expect(s.bom).toBe(true);
      expect(s.eol).toBe('\r\n');
      expect(s.text.startsWith('services:')).toBe(true);
      expect(s.toRaw()).toBe(crlf);
      expect(s.lineText(3)).toBe('    image: "nginx:${TAG:?set TAG}"');
      expect(s.position(s.text.indexOf('image'))).toEqual({ line: 3, column: 5 });
    });
  });

  it('a BOM-only LF file', () => {
    expect(lintText(`\uFEFF${lf}`)).toEqual(lintText(lf));
  });

  it('a UTF-8 BOM written as bytes', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf.replace(/\n/g, '\r\n'))]);
    expect(lintText(bytes)).toEqual(lintText(lf));
  });
});

describe('compose tags', () => {
  it('!reset and !override are not warned about', () => {
    expect(lintText('services:\n  web:\n    image: nginx\n    ports: !override ["80:80"]\n    environment: !reset {}\n    user: !reset null\n')).toEqual([]);
  });

  it('an unknown tag is no finding: docker reads the value as its text (test/parse/yaml-tags.test.ts)', () => {
    expect(lintText('services:\n  web:\n    image: !custom nginx:1.27\n')).toEqual([]);
  });
});

describe('readSource', () => {
  it('tells the input observer the byte size of each file read, until it is removed', () => {
    inTempDir({ 'a.yaml': 'services: {}\n', 'b.yaml': 'x: "\u00e9\u00e9"\n' }, () => {
      const sizes: number[] = [];
      observeInputSizes((n) => sizes.push(n));
      try {
        readSource('a.yaml');
        readSource('b.yaml');
        expect(() => readSource('nope.yaml')).toThrow(InputError);
      } finally {
        observeInputSizes(undefined);
      }
      readSource('a.yaml');
      expect(sizes).toEqual([13, 10]); // bytes, not characters (é is two)
    });
  });

  it('a missing file throws InputError with a one-line message', () => {
    inTempDir({}, () => {
      expect(() => readSource('nope.yaml')).toThrow(new InputError('nope.yaml: cannot read file: no such file', 'nope.yaml'));
    });
  });

  it('a directory throws InputError', () => {
    inTempDir({ 'd/x': '' }, () => {
      expect(() => readSource('d')).toThrow(new InputError('d: cannot read file: is a directory', 'd'));
    });
  });

  it('a symbolic link to itself: one line, not node\'s ELOOP message', () => {
    inTempDir({}, () => {
      symlinkSync('loop.yaml', 'loop.yaml');
      expect(() => readSource('loop.yaml')).toThrow(new InputError('loop.yaml: cannot read file: a loop of symbolic links', 'loop.yaml'));
    });
  });

  it('a FIFO nobody writes to reads as empty instead of blocking', () => {
    inTempDir({}, () => {
      execFileSync('mkfifo', ['p.yaml']);
      expect(readSource('p.yaml').text).toBe('');
    });
  });

  it('a file holding a NUL byte is not a text file', () => {
    inTempDir({}, () => {
      writeFileSync('bin.yaml', Buffer.from('services:\n  web:\n    image: a\u0000b\n'));
      expect(() => readSource('bin.yaml')).toThrow(new InputError('bin.yaml:3:13: cannot read file: not a text file (a NUL byte)', 'bin.yaml'));
    });
  });

  it('a NUL byte is named by its line and column after multi-byte characters, and before bytes that are not UTF-8', () => {
    inTempDir({}, () => {
      writeFileSync('utf8.yaml', Buffer.from('# café ✓\n# ✓✓\nservices:\n  web: {image: "a\u0000"}\n'));
      expect(() => readSource('utf8.yaml')).toThrow(new InputError('utf8.yaml:4:18: cannot read file: not a text file (a NUL byte)', 'utf8.yaml'));
      writeFileSync('both.yaml', Buffer.from([...Buffer.from('services: {}\n# caf'), 0xe9, 0x0a, ...Buffer.from('# a\u0000\n')]));
      expect(() => readSource('both.yaml')).toThrow(new InputError('both.yaml:3:4: cannot read file: not a text file (a NUL byte)', 'both.yaml'));
    });
  });

  it('bytes that are not UTF-8 are refused, as docker refuses them, at the first of them', () => {
    inTempDir({}, () => {
      // after well-formed multi-byte characters; an overlong form and a surrogate are not UTF-8 either
      writeFileSync('later.yaml', Buffer.from([...Buffer.from('services: {}\n# é ✓ '), 0xc0, 0xaf, 0x0a]));
      expect(() => readSource('later.yaml')).toThrow(new InputError('later.yaml:2:7: cannot read file: not UTF-8 text (a byte 0xc0 that starts no UTF-8 character there)', 'later.yaml'));
      writeFileSync('surrogate.yaml', Buffer.from([...Buffer.from('a: '), 0xed, 0xa0, 0x80, 0x0a]));
      expect(() => readSource('surrogate.yaml')).toThrow(new InputError('surrogate.yaml:1:4: cannot read file: not UTF-8 text (a byte 0xed that starts no UTF-8 character there)', 'surrogate.yaml'));
      writeFileSync('latin1.yaml', Buffer.from([...Buffer.from('services: {}\n# caf'), 0xe9, 0x0a]));
      expect(() => readSource('latin1.yaml')).toThrow(new InputError('latin1.yaml:2:6: cannot read file: not UTF-8 text (a byte 0xe9 that starts no UTF-8 character there)', 'latin1.yaml'));
    });
  });

  it('a file larger than 64 MiB is refused before it is read', () => {
    inTempDir({ 'huge.yaml': '' }, () => {
      truncateSync('huge.yaml', 64 * 1024 * 1024 + 1);
      expect(() => readSource('huge.yaml')).toThrow(new InputError('huge.yaml: cannot read file: larger than 64 MiB', 'huge.yaml'));
    });
  });

  it('parseText: positions of a parsed root are computed through the LineCounter', () => {
    const r = parseText('services:\n  web:\n    image: nginx\n');
    expect(r.issues).toEqual([]);
    expect(r.root?.kind).toBe('map');
    expect(pos(r.root!.loc)).toEqual({ line: 1, column: 1, endLine: 4, endColumn: 1 });
  });

  it('SourceFile.position on a file never parsed (no LineCounter) still counts lines', () => {
    const s = new SourceFile('/x', 'x', 'a\r\nbc\r\nd');
    expect(s.position(4)).toEqual({ line: 2, column: 2 });
    expect(s.lineText(2)).toBe('bc');
    expect(s.lineText(9)).toBe('');
  });
});

describe('an item indented out of line', () => {
  it('is placed at its first character, past blank lines before it', () => {
    const at = (text: string) => lintText(text).filter((f) => f.ruleId === 'yaml-syntax' && f.severity === 'error').map((f) => `${f.line}:${f.column}`);
    expect(at('services:\n  web:\n    image: nginx:1\n    networks:\n      - n\n\n   redis:\n    image: redis\n')).toEqual(['7:4']);
    expect(at('services:\n  web:\n    image: nginx:1\n   redis:\n    image: redis\n')).toEqual(['4:4']);
  });
});
