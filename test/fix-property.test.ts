import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fixProject } from '../src/fix/fix-project.js';

/**
 * Property-based tests of the fixer: fast-check writes compose documents with comments (whole
 * lines and trailing), anchors used through aliases and `<<` merge keys, block and flow styles,
 * three quoting styles, 2- or 4-space indentation, indented or indentless sequences, LF or CRLF
 * line ends and an optional BOM; for each, with safe fixes and with --unsafe:
 *   the output parses, every comment line is kept byte for byte, fixing again changes nothing,
 *   the fixed findings are gone and no pass is dropped.
 * The suite runs 80 documents per mode from fixed seeds and 40 from a random one (that a failure
 * prints); `node bench/fix-checks.mjs --runs N` runs N per mode (FIX_PROPERTY_RUNS), FIX_PROPERTY_SEED
 * replays a seed.
 */
const RUNS = Number(process.env.FIX_PROPERTY_RUNS ?? 80);
const SEED = process.env.FIX_PROPERTY_SEED === undefined ? undefined : Number(process.env.FIX_PROPERTY_SEED);
const dir = mkdtempSync(join(tmpdir(), 'stackopt-fix-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Style {
  ind: number;
  seqInd: number;
  quote: 'plain' | 'single' | 'double';
  crlf: boolean;
  bom: boolean;
}

const q = (s: string, st: Style) => (st.quote === 'single' ? `'${s}'` : st.quote === 'double' ? `"${s}"` : s);

type Piece = (pad: string, st: Style, n: () => number) => string[];

const IMAGES = ['postgres:16', 'redis:7', 'traefik:v3.1', 'nginx:1.27', 'myorg/api:1', 'rabbitmq:3', 'mongo:7', 'busybox:1.36', 'mariadb:11', 'caddy:2'];
const NAMES = ['api', 'db', 'cache', 'proxy', 'worker', 'gateway', 'mq', 'web', 'search', 'jobs'];

const deployPiece = fc.constantFrom<Piece>(
  () => [],
  (p) => [`${p}deploy:`],
  (p, st) => [`${p}deploy:`, `${p}${' '.repeat(st.ind)}replicas: 1`],
  (p) => [`${p}deploy: { replicas: 1 }`],
  (p) => [`${p}deploy: {}`],
  (p, st, n) => [`${p}deploy: # c${n()}`, `${p}${' '.repeat(st.ind)}mode: replicated`],
  (p, st) => [`${p}deploy:`, `${p}${' '.repeat(st.ind)}resources:`, `${p}${' '.repeat(st.ind * 2)}limits:`, `${p}${' '.repeat(st.ind * 3)}cpus: ${q('0.5', { ...st, quote: st.quote === 'plain' ? 'single' : st.quote })}`],
  (p, st) => [`${p}deploy:`, `${p}${' '.repeat(st.ind)}resources:`, `${p}${' '.repeat(st.ind * 2)}limits: {cpus: "1", memory: 1G}`, `${p}${' '.repeat(st.ind * 2)}reservations: {cpus: "2", memory: 2G}`],
  (p) => [`${p}deploy: *dep`],
  (p, st) => [`${p}deploy:`, `${p}${' '.repeat(st.ind)}<<: *dep`],
);

const extraPiece = fc.constantFrom<Piece>(
  () => [],
  (p, st) => [`${p}user: ${q('root', st)}`],
  (p) => [`${p}user: "0:0"`],
  (p, st, n) => [`${p}cap_drop:`, `${p}${' '.repeat(st.seqInd)}- NET_RAW # c${n()}`],
  (p) => [`${p}cap_drop: []`],
  (p) => [`${p}cap_drop: [CAP_ALL]`],
  (p, st) => [`${p}tmpfs:`, `${p}${' '.repeat(st.seqInd)}- ${q('/run', st)}`],
  (p) => [`${p}tmpfs: /scratch`],
  (p) => [`${p}read_only: true`],
  (p, st) => [`${p}volumes:`, `${p}${' '.repeat(st.seqInd)}- type: tmpfs`, `${p}${' '.repeat(st.seqInd + 2)}target: /cache`],
  (p, st) => [`${p}healthcheck:`, `${p}${' '.repeat(st.ind)}test: ["CMD", "true"]`],
  (p, st) => [`${p}sleep_policy:`, `${p}${' '.repeat(st.ind)}enabled: true`, `${p}${' '.repeat(st.ind)}priority: high`],
  (p) => [`${p}x-sleep-policy: {priority: high}`],
  (p) => [`${p}<<: *common`],
  (p, st) => [`${p}command: |`, `${p}${' '.repeat(st.ind)}run --fast`, ''],
  (p, st) => [`${p}command: |+`, `${p}${' '.repeat(st.ind)}run`, ''],
);

const serviceArb = fc.record({
  image: fc.constantFrom(...IMAGES),
  imageComment: fc.boolean(),
  commentAbove: fc.boolean(),
  blankAbove: fc.boolean(),
  deploy: deployPiece,
  extras: fc.array(extraPiece, { maxLength: 3 }),
});

const docArb = fc.record({
  style: fc.record({ ind: fc.constantFrom(2, 4), seqInd: fc.constantFrom(0, 2), quote: fc.constantFrom('plain', 'single', 'double'), crlf: fc.boolean(), bom: fc.boolean() }),
  version: fc.constantFrom(null, '3.8', '3.3'),
  headerComment: fc.boolean(),
  depFlow: fc.boolean(),
  services: fc.uniqueArray(fc.tuple(fc.constantFrom(...NAMES), serviceArb), { minLength: 1, maxLength: 5, selector: (t) => t[0] }),
  trailingComment: fc.boolean(),
  finalNewline: fc.boolean(),
});

type Doc = typeof docArb extends fc.Arbitrary<infer T> ? T : never;

function render(d: Doc): string {
  const st = d.style as Style;
  let counter = 0;
  const n = () => ++counter;
  const lines: string[] = [];
  if (d.headerComment) lines.push(`# generated stack c${n()}`);
  if (d.version) lines.push(`version: ${q(d.version, { ...st, quote: st.quote === 'plain' ? 'double' : st.quote })}`);
  const i1 = ' '.repeat(st.ind);
  if (d.depFlow) lines.push('x-dep: &dep {replicas: 1}');
  else lines.push('x-dep: &dep', `${i1}replicas: 1 # c${n()}`);
  lines.push('x-common: &common', `${i1}restart: always`);
  lines.push('services:');
  for (const [name, s] of d.services) {
    if (s.blankAbove) lines.push('');
    if (s.commentAbove) lines.push(`${i1}# about ${name} c${n()}`);
    lines.push(`${i1}${name}:`);
    const p = ' '.repeat(st.ind * 2);
    lines.push(`${p}image: ${q(s.image, st)}${s.imageComment ? ` # c${n()}` : ''}`);
    const seen = new Set<string>();
    for (const piece of [s.deploy, ...s.extras]) {
      const out = piece(p, st, n);
      const key = out[0]?.trim().split(':')[0];
      if (!key || seen.has(key)) continue; // one of each key (duplicate keys are not what we test)
      seen.add(key);
      lines.push(...out);
    }
  }
  if (d.trailingComment) lines.push(`# end c${n()}`);
  let text = lines.join('\n');
  if (d.finalNewline) text += '\n';
  if (st.crlf) text = text.replace(/\n/g, '\r\n');
  return (st.bom ? '\uFEFF' : '') + text;
}

const commentLines = (t: string) => t.replace(/^\uFEFF/, '').split('\n').filter((l) => /^[ \t]*#/.test(l));
const parses = (t: string) => {
  const docs = parseAllDocuments(t.replace(/^\uFEFF/, ''));
  return Array.isArray(docs) && docs.every((x) => x.errors.length === 0);
};

let fileNo = 0;
function check(text: string, unsafe: boolean): void {
  const file = join(dir, `c${++fileNo}.yml`);
  writeFileSync(file, text);
  expect(parses(text), `the generator wrote invalid YAML:\n${text}`).toBe(true);
  const r = fixProject({ files: [file], environment: {}, unsafe });
  const out = r.files[0]!.output;
  const ctx = `\n--- input\n${text}\n--- output\n${out}`;
  expect(parses(out), `output does not parse${ctx}`).toBe(true);
  const have = commentLines(out);
  for (const l of commentLines(text)) {
    const i = have.indexOf(l);
    expect(i, `comment line lost: ${JSON.stringify(l)}${ctx}`).toBeGreaterThanOrEqual(0);
    have.splice(i, 1);
  }
  expect(out.startsWith('\uFEFF')).toBe(text.startsWith('\uFEFF'));
  if (text.includes('\r\n')) expect(/(^|[^\r])\n/.test(out.replace(/^\uFEFF/, '')), `bare LF in a CRLF file${ctx}`).toBe(false);
  expect(r.dropped, `dropped passes${ctx}`).toEqual([]);
  const after = new Set(r.after.map((f) => `${f.ruleId}|${f.path}|${f.message}`));
  for (const a of r.applied) expect(after.has(`${a.ruleId}|${a.path}|${a.message}`), `still reported after its fix: ${a.ruleId} ${a.path}${ctx}`).toBe(false);
  const again = fixProject({ files: [file], environment: {}, unsafe, readText: () => out });
  expect(again.files[0]!.output, `fixing again changes the output (${again.applied.map((a) => a.description).join('; ')})${ctx}`).toBe(out);
}

describe('fix properties', () => {
  it('generated documents: safe fixes keep the invariants', () => {
    fc.assert(fc.property(docArb, (d) => check(render(d), false)), { numRuns: RUNS, seed: SEED ?? 20250101 });
  });
  it('generated documents: --unsafe fixes keep the invariants', () => {
    fc.assert(fc.property(docArb, (d) => check(render(d), true)), { numRuns: RUNS, seed: SEED ?? 20250102 });
  });
  it('random seeds too (a new sample on every run)', () => {
    fc.assert(fc.property(docArb, fc.boolean(), (d, unsafe) => check(render(d), unsafe)), { numRuns: Math.ceil(RUNS / 2), ...(SEED !== undefined ? { seed: SEED } : {}) });
  });
});
